from __future__ import annotations

from django.apps import AppConfig


class EvaluasiConfig(AppConfig):
    name = "evaluasi"
    verbose_name = "Evaluasi dan Tindak Lanjut Kinerja"

    def ready(self) -> None:
        from evaluasi import tasks  # noqa: F401  registers the job handlers
        from kinerja import jobs
        from kinerja import navigation as nav

        jobs.label("pohon.xlsx", "Unduhan pohon kinerja (xlsx)")

        nav.add_nav("Evaluasi saya", "evaluasi:saya", nav.is_pegawai, order=40)
        nav.add_nav("Evaluasi tim", "evaluasi:tim", nav.is_penilai, order=41)
        nav.add_nav("Distribusi", "evaluasi:distribusi", nav.boleh("distribusi"), order=42)
        nav.add_nav(
            "Kinerja organisasi", "evaluasi:kinerja_organisasi", nav.boleh("distribusi"), order=43
        )
        nav.add_nav("Tutup tahun", "evaluasi:tutup_tahun", nav.is_admin, order=44)
        nav.add_nav("Tindak lanjut", "evaluasi:tindak_lanjut", nav.is_admin, order=45)

        nav.add_nav("Keberatan", "evaluasi:keberatan_list", nav.boleh("keberatan"), order=46)
        nav.add_nav("Pohon kinerja", "pohon:instansi", nav.boleh("pohon"), order=47)
        from evaluasi import beranda as b
        from kinerja import beranda

        beranda.penyedia(b.keberatan_pegawai, order=40)
        beranda.penyedia(b.evaluasi_jatuh_tempo, order=41)
        beranda.penyedia(b.keberatan_putus, order=42)
        nav.add_panel(
            "evaluasi/partials/beranda_admin.html", nav.is_admin, order=41, konteks=b.kemajuan_admin
        )

        from evaluasi.siasn.sinyal import pasang

        pasang()
        from evaluasi.services._common import frekuensi_terkunci
        from kinerja.services import periode_validator

        periode_validator(frekuensi_terkunci)
        from evaluasi.services.pemutus import _terima_penilai_berubah
        from kinerja.services import penilai_berubah

        penilai_berubah.connect(_terima_penilai_berubah, dispatch_uid="evaluasi.pemutus")
