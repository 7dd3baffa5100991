from __future__ import annotations

from django.urls import path
from django.views.generic import RedirectView

from dialog import views

app_name = "dialog"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="dialog:umpan_balik_list"), name="beranda"),
    path("umpan-balik/", views.umpan_balik_list, name="umpan_balik_list"),
    path("umpan-balik/beri/", views.umpan_balik_beri, name="umpan_balik_beri"),
    path("umpan-balik/minta/", views.umpan_balik_minta, name="umpan_balik_minta"),
    path("umpan-balik/<int:pk>/", views.umpan_balik_detail, name="umpan_balik_detail"),
    path("tim/", views.tim, name="tim"),
    path("penugasan/", views.penugasan_list, name="penugasan_list"),
    path("penugasan/usulkan/", views.penugasan_usulkan, name="penugasan_usulkan"),
    path("penugasan/cari-nip/", views.penugasan_cari_nip, name="penugasan_cari_nip"),
    path("penugasan/<int:pk>/", views.penugasan_detail, name="penugasan_detail"),
    path("penugasan/<int:pk>/setujui/", views.penugasan_setujui, name="penugasan_setujui"),
    path("penugasan/<int:pk>/tolak/", views.penugasan_tolak, name="penugasan_tolak"),
    path("peluang/", views.peluang_list, name="peluang_list"),
    path("peluang/buka/", views.peluang_buka, name="peluang_buka"),
    path("peluang/<int:pk>/ikuti/", views.peluang_ikuti, name="peluang_ikuti"),
    path("peluang/<int:pk>/tutup/", views.peluang_tutup, name="peluang_tutup"),
    path("dokumentasi/", views.dokumentasi, name="dokumentasi"),
    path("dokumentasi/rhk/<int:pk>/", views.realisasi_rhk, name="realisasi_rhk"),
    path("bukti/<int:pk>/unduh/", views.bukti_unduh, name="bukti_unduh"),
    path("bukti/<int:pk>/hapus/", views.bukti_hapus, name="bukti_hapus"),
    path("dialog-kinerja/", views.dialog_list, name="dialog_list"),
    path("dialog-kinerja/baru/", views.dialog_baru, name="dialog_baru"),
    path("dialog-kinerja/<int:pk>/", views.dialog_detail, name="dialog_detail"),
    path(
        "tindak-lanjut/<int:pk>/selesai/", views.tindak_lanjut_selesai, name="tindak_lanjut_selesai"
    ),
    path("tahun/", views.tahun_saya, name="tahun_saya"),
    path("pegawai/<int:pk>/tahun/<int:tahun>/", views.tahun, name="tahun"),
]
