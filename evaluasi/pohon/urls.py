"""URLs of the pohon kinerja (mounted at /pohon/)."""

from __future__ import annotations

from django.urls import path

from evaluasi.pohon.views import pohon_instansi, pohon_simpul, pohon_unduh, pohon_unit

app_name = "pohon"


urlpatterns = [
    path("", pohon_instansi, name="instansi"),
    path("unit/<int:unit_id>/", pohon_unit, name="unit"),
    path("simpul/<int:rhk_id>/", pohon_simpul, name="simpul"),
    path("unduh.xlsx", pohon_unduh, name="unduh"),
]
