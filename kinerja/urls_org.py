"""Organisation admin pages (staff import). Owned by the foundation work."""

from __future__ import annotations

from django.urls import path

from kinerja import views_impor

urlpatterns = [
    path("impor/", views_impor.impor_pegawai, name="impor_pegawai"),
]
