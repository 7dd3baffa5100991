from __future__ import annotations

from django.urls import path

from skp import views

app_name = "skp"

urlpatterns = [
    path("<int:pk>/", views.skp_detail, name="detail"),
]
