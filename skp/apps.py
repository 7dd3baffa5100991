from __future__ import annotations

from django.apps import AppConfig


class SkpConfig(AppConfig):
    name = "skp"
    verbose_name = "Perencanaan Kinerja (SKP)"

    def ready(self) -> None:
        from kinerja import navigation as nav
        from skp import tasks  # noqa: F401  registers the "skp.pdf" job handler

        def pemimpin(a) -> bool:
            if not a.pegawai_id:
                return False
            return bool(a.dinilai_ids()) or _ketua_tim(a)

        nav.add_nav("SKP", "skp:index", nav.is_pegawai, order=20)
        nav.add_nav("Persetujuan SKP", "skp:persetujuan", nav.is_penilai, order=21)
        nav.add_nav("Matriks peran-hasil", "skp:matriks_index", pemimpin, order=22)
        nav.add_panel("skp/partials/beranda_panel.html", nav.is_pegawai, order=20)


def _ketua_tim(a) -> bool:
    from kinerja.models import TimKerja

    key = "ketua_tim_ada"
    if key not in a._cache:
        a._cache[key] = TimKerja.objects.filter(ketua_id=a.pegawai_id, aktif=True).exists()
    return a._cache[key]
