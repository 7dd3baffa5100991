from __future__ import annotations

from django.urls import path

from evaluasi import views, views_ko, views_nilai
from evaluasi import views_keberatan as keberatan

app_name = "evaluasi"

urlpatterns = [
    path("", views.beranda, name="beranda"),
    path("tim/", views.tim, name="tim"),
    path("nilai/<int:pegawai_id>/<str:kode>/", views.nilai, name="nilai"),
    path("nilai/<int:pegawai_id>/<str:kode>/mulai/", views.mulai, name="mulai"),
    path("kuadran/", views.kuadran, name="kuadran"),
    path("<int:pk>/pratinjau/", views_nilai.pratinjau_nilai, name="pratinjau"),
    path("saya/", views.saya, name="saya"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/finalisasi/", views.finalisasi, name="finalisasi"),
    path("<int:pk>/buka-kembali/", views.buka_kembali, name="buka_kembali"),
    path("<int:pk>/pdf/", views.pdf, name="pdf"),
    path("dokumen/<int:pk>/", views.dokumen, name="dokumen"),
    path("distribusi/", views.distribusi, name="distribusi"),
    path("distribusi/justifikasi/", views.justifikasi, name="justifikasi"),
    path("kinerja-organisasi/", views_ko.kinerja_organisasi, name="kinerja_organisasi"),
    path("tutup-tahun/", views.tutup_tahun, name="tutup_tahun"),
    path("tindak-lanjut/", views.tindak_lanjut, name="tindak_lanjut"),
    path("sanksi/<int:pk>/", views.sanksi, name="sanksi"),
    path("<int:pk>/keberatan/", keberatan.ajukan, name="keberatan_ajukan"),
    path("keberatan/", keberatan.daftar, name="keberatan_list"),
    path("keberatan/<int:pk>/", keberatan.detail, name="keberatan_detail"),
    path(
        "keberatan/<int:pk>/minta-penjelasan/",
        keberatan.minta_penjelasan,
        name="keberatan_minta_penjelasan",
    ),
    path("keberatan/<int:pk>/jelaskan/", keberatan.jelaskan, name="keberatan_jelaskan"),
    path("keberatan/<int:pk>/putuskan/", keberatan.putuskan, name="keberatan_putuskan"),
    path("keberatan/<int:pk>/pemutus/", keberatan.pemutus, name="keberatan_pemutus"),
    path("keberatan/lampiran/<int:pk>/", keberatan.lampiran, name="keberatan_lampiran"),
]
