from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from kinerja import views, views_org
from kinerja.akses.api import SayaView, TokenView

api_v1 = [
    path("auth/token/", TokenView.as_view(), name="api_token"),
    path("saya/", SayaView.as_view(), name="api_saya"),
    path("", include("kinerja.akses.api")),
    path("schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api_schema"), name="api_docs"),
    path("", include("kinerja.api")),
    path("", include("kinerja.api_mutasi")),
    path("", include("skp.api")),
    path("", include("dialog.api")),
    path("", include("evaluasi.api")),
    path("", include("evaluasi.siasn.api")),
    path("", include("kinerja.api_notifikasi")),
    path("", include("kinerja.api_perubahan")),
]

urlpatterns = [
    path("", views.beranda, name="beranda"),
    path("", include("kinerja.akses.urls")),  # masuk/, keluar/, sso/, token integrasi
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
    path("pohon/", include("evaluasi.pohon.urls")),
    path("siasn/", include("evaluasi.siasn.urls")),
    path("api/v1/", include(api_v1)),
    path("admin/", admin.site.urls),
]

handler400 = "kinerja.api_base.api_400"
handler404 = "kinerja.api_base.api_404"  # JSON under /api/
handler500 = "kinerja.api_base.api_500"
