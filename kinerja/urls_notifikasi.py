"""Notification and background-job pages added by issue 6 (included at the root)."""

from __future__ import annotations

from django.urls import path

from kinerja import views

urlpatterns = [
    path("notifikasi/baca-semua/", views.notifikasi_baca_semua, name="notifikasi_baca_semua"),
    path("notifikasi/preferensi/", views.notifikasi_preferensi, name="notifikasi_preferensi"),
    path("notifikasi/pengaturan/", views.notifikasi_pengaturan, name="notifikasi_pengaturan"),
    path("latar/<int:pk>/ulang/", views.job_ulang, name="job_ulang"),
]
