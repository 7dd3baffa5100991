"""Pages of the login perimeter (the API routes are in kinerja.akses.api)."""

from __future__ import annotations

from django.urls import path

from kinerja.akses import sso, views

urlpatterns = [
    path("masuk/", views.masuk, name="login"),
    path("keluar/", views.keluar, name="logout"),
    path("sso/mulai/", sso.SSOMulai.as_view(), name="sso_mulai"),
    path("sso/callback/", sso.SSOCallback.as_view(), name="sso_callback"),
    path("sso/ditolak/", views.sso_ditolak, name="sso_ditolak"),
    path("organisasi/token-integrasi/", views.token_integrasi, name="token_integrasi"),
    path(
        "organisasi/token-integrasi/<int:pk>/cabut/",
        views.token_integrasi_cabut,
        name="token_integrasi_cabut",
    ),
]
