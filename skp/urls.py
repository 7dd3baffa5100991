from __future__ import annotations

from django.urls import path

from skp import views, views_matriks

app_name = "skp"

urlpatterns = [
    path("", views.skp_index, name="index"),
    path("buat/", views.skp_buat, name="buat"),
    path("persetujuan/", views.skp_persetujuan, name="persetujuan"),
    path("<int:pk>/", views.skp_detail, name="detail"),
    path("<int:pk>/pendekatan/", views.skp_pendekatan, name="pendekatan"),
    path("<int:pk>/lampiran/", views.skp_lampiran, name="lampiran"),
    path("<int:pk>/perilaku/", views.skp_perilaku, name="perilaku"),
    path("<int:pk>/tugas-belajar/", views.skp_tugas_belajar, name="tugas_belajar"),
    path("<int:pk>/tugas-belajar/pita/", views.skp_tugas_belajar_pita, name="tugas_belajar_pita"),
    path("<int:pk>/ajukan/", views.skp_ajukan, name="ajukan"),
    path("<int:pk>/setujui/", views.skp_setujui, name="setujui"),
    path("<int:pk>/kembalikan/", views.skp_kembalikan, name="kembalikan"),
    path("<int:pk>/versi-baru/", views.skp_versi_baru, name="versi_baru"),
    path("<int:pk>/versi/", views.skp_versi, name="versi"),
    path("<int:pk>/pdf/", views.skp_pdf, name="pdf"),
    path("<int:pk>/pdf/<int:dok>/", views.skp_pdf_unduh, name="pdf_unduh"),
    path("<int:pk>/rhk/tambah/", views.rhk_tambah, name="rhk_tambah"),
    path("<int:pk>/rhk/<int:rid>/", views.rhk_baris, name="rhk_baris"),
    path("<int:pk>/rhk/<int:rid>/ubah/", views.rhk_ubah, name="rhk_ubah"),
    path("<int:pk>/rhk/<int:rid>/hapus/", views.rhk_hapus, name="rhk_hapus"),
    path("<int:pk>/rhk/<int:rid>/pindah/<str:arah>/", views.rhk_pindah, name="rhk_pindah"),
    path("matriks/", views_matriks.matriks_index, name="matriks_index"),
    path("matriks/buka/", views_matriks.matriks_buka, name="matriks_buka"),
    path("matriks/<int:mid>/", views_matriks.matriks_detail, name="matriks"),
    path("matriks/<int:mid>/kolom/", views_matriks.matriks_kolom, name="matriks_kolom"),
    path("matriks/<int:mid>/sel/", views_matriks.matriks_sel, name="matriks_sel"),
    path(
        "matriks/<int:mid>/sel/<int:sid>/hapus/",
        views_matriks.matriks_sel_hapus,
        name="matriks_sel_hapus",
    ),
    path("matriks/<int:mid>/baris/", views_matriks.matriks_baris, name="matriks_baris"),
    path("matriks/<int:mid>/na/", views_matriks.matriks_na, name="matriks_na"),
    path("matriks/<int:mid>/terapkan/", views_matriks.matriks_terapkan, name="matriks_terapkan"),
]
