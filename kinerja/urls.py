from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from kinerja import views, views_org
from kinerja.security import obtain_auth_token  # throttled like the login page

api_v1 = [
    path("auth/token/", obtain_auth_token, name="api_token"),
    path("schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api_schema"), name="api_docs"),
    path("", include("kinerja.api")),
    path("", include("kinerja.api_mutasi")),
    path("", include("skp.api")),
    path("", include("dialog.api")),
    path("", include("evaluasi.api")),
    path("", include("kinerja.api_notifikasi")),
]

urlpatterns = [
    path("", views.beranda, name="beranda"),
    path("masuk/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path("sandi/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "sandi/selesai/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"
    ),
    path("organisasi/", views_org.organisasi, name="organisasi"),
    path("organisasi/", include("kinerja.urls_org")),
    path("notifikasi/", views.notifikasi_list, name="notifikasi_list"),
    path("notifikasi/lonceng/", views.notifikasi_lonceng, name="notifikasi_lonceng"),
    path("notifikasi/<int:pk>/baca/", views.notifikasi_baca, name="notifikasi_baca"),
    path("latar/", views.job_list, name="job_list"),
    path("latar/<int:pk>/", views.job_status, name="job_status"),
    path("", include("kinerja.urls_notifikasi")),
    path("skp/", include("skp.urls")),
    path("dialog/", include("dialog.urls")),
    path("evaluasi/", include("evaluasi.urls")),
    path("verifikasi/", include("kinerja.verifikasi")),
    path("pohon/", include("evaluasi.pohon")),
    path("api/v1/", include(api_v1)),
    path("admin/", admin.site.urls),
]

handler404 = "django.views.defaults.page_not_found"
