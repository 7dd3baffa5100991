from __future__ import annotations

from django.apps import AppConfig


class EvaluasiConfig(AppConfig):
    name = "evaluasi"
    verbose_name = "Evaluasi dan Tindak Lanjut Kinerja"

    def ready(self) -> None:
        from evaluasi import tasks  # noqa: F401  registers the job handlers
        from kinerja import navigation as nav

        def penilai_atau_admin(a) -> bool:
            return nav.is_penilai(a) or nav.is_admin(a)

        nav.add_nav("Evaluasi saya", "evaluasi:saya", nav.is_pegawai, order=40)
        nav.add_nav("Evaluasi tim", "evaluasi:tim", nav.is_penilai, order=41)
        nav.add_nav("Distribusi", "evaluasi:distribusi", penilai_atau_admin, order=42)
        nav.add_nav(
            "Kinerja organisasi", "evaluasi:kinerja_organisasi", penilai_atau_admin, order=43
        )
        nav.add_nav("Tutup tahun", "evaluasi:tutup_tahun", nav.is_admin, order=44)
        nav.add_nav("Tindak lanjut", "evaluasi:tindak_lanjut", nav.is_admin, order=45)

        def keberatan_terlihat(a) -> bool:
            from evaluasi.selectors import keberatan_terlihat

            return keberatan_terlihat(a)

        def pohon_terlihat(a) -> bool:
            from evaluasi.pohon import pohon_terlihat

            return pohon_terlihat(a)

        nav.add_nav("Keberatan", "evaluasi:keberatan_list", keberatan_terlihat, order=46)
        nav.add_nav("Pohon kinerja", "pohon:instansi", pohon_terlihat, order=47)
        nav.add_panel("evaluasi/partials/beranda_panel.html", nav.is_penilai, order=40)
        nav.add_panel("evaluasi/partials/beranda_admin.html", nav.is_admin, order=41)

        from evaluasi.siasn.sinyal import pasang

        pasang()
