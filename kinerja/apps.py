from django.apps import AppConfig


class KinerjaConfig(AppConfig):
    name = "kinerja"
    verbose_name = "Organisasi"

    def ready(self) -> None:
        from kinerja import (
            cache_halaman,  # noqa: F401 - watches every connection's writes
            situs,  # noqa: F401 - registers the site-address deploy check
        )
        from kinerja import navigation as nav
        from kinerja.akses import salinan  # noqa: F401 - bumps the kept users' versions
        from kinerja.sinkron import pasang_sinyal

        pasang_sinyal()  # diubah of parents and tombstones on deletes (incremental sync)

        nav.add_nav("Organisasi", "organisasi", nav.is_admin, order=90)
        nav.add_nav("Impor pegawai", "impor_pegawai", nav.is_admin, order=91)
        nav.add_nav("Pengingat", "notifikasi_pengaturan", nav.is_admin, order=93)
        nav.add_nav("Pekerjaan latar", "job_list", nav.is_admin, order=95)
        nav.add_nav("Token integrasi", "token_integrasi", nav.is_admin, order=96)
