from __future__ import annotations

from django.apps import AppConfig


class SkpConfig(AppConfig):
    name = "skp"
    verbose_name = "Perencanaan Kinerja (SKP)"

    def ready(self) -> None:
        from kinerja import navigation as nav
        from skp import tasks  # noqa: F401  registers the "skp.pdf" job handler

        nav.add_nav("SKP", "skp:index", nav.is_pegawai, order=20)
        nav.add_nav("Persetujuan SKP", "skp:persetujuan", nav.is_penilai, order=21)
        nav.add_nav("Matriks peran-hasil", "skp:matriks_index", nav.boleh("matriks"), order=22)
        from kinerja import beranda
        from skp import beranda as b

        beranda.penyedia(b.skp_saya, order=10)
        beranda.penyedia(b.persetujuan, order=11)
        beranda.penyedia(b.eskalasi, order=12)
        beranda.penyedia(b.matriks, order=13)
        from kinerja.services import penilai_berubah
        from skp.services.mutasi import _terima_penilai_berubah

        penilai_berubah.connect(_terima_penilai_berubah, dispatch_uid="skp.penilai_berubah")
