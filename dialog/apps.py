from __future__ import annotations

from django.apps import AppConfig


class DialogConfig(AppConfig):
    name = "dialog"
    verbose_name = "Pelaksanaan dan Pemantauan Kinerja"

    def ready(self) -> None:
        from kinerja import navigation as nav

        nav.add_nav("Umpan balik", "dialog:umpan_balik_list", nav.is_pegawai, order=30)
        nav.add_nav("Penugasan", "dialog:penugasan_list", nav.is_pegawai, order=31)
        nav.add_nav("Dokumentasi", "dialog:dokumentasi", nav.is_pegawai, order=32)
        nav.add_nav("Dialog kinerja", "dialog:dialog_list", nav.is_pegawai, order=33)
        nav.add_nav("Tahun saya", "dialog:tahun_saya", nav.is_pegawai, order=34)
        from dialog import beranda as b
        from kinerja import beranda

        beranda.penyedia(b.permintaan, order=30)
        beranda.penyedia(b.realisasi, order=31)
        beranda.penyedia(b.penugasan, order=32)
        beranda.penyedia(b.umpan_balik_tim, order=33)
        from dialog.services.penugasan import _terima_penilai_berubah
        from kinerja.services import penilai_berubah

        penilai_berubah.connect(_terima_penilai_berubah, dispatch_uid="dialog.penilai_berubah")
