from __future__ import annotations

from django.urls import path

from evaluasi.siasn import views

app_name = "siasn"

urlpatterns = [
    path("", views.rekaman_list, name="rekaman"),
    path("kirim/", views.kirim_tahun, name="kirim_tahun"),
    path("referensi/", views.referensi_tabel, name="referensi"),
    path("referensi/impor/", views.referensi_impor, name="referensi_impor"),
    path("kiriman/", views.kiriman_list, name="kiriman"),
    path("kiriman/<int:pk>/kirim-ulang/", views.kiriman_ulang, name="kiriman_ulang"),
]
