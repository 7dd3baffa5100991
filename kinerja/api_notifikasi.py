"""REST API: the caller's own notifications (/api/v1/notifikasi/)."""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from kinerja import notifikasi as svc
from kinerja.api_base import PolicyScopedMixin
from kinerja.api_filters import StrictFilterSet
from kinerja.models import Notifikasi


class NotifikasiSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notifikasi
        fields = ["id", "jenis", "pesan", "tautan", "dibaca", "dibuat", "diubah"]
        read_only_fields = fields


_Jumlah = inline_serializer("JumlahNotifikasi", {"jumlah": serializers.IntegerField()})


class NotifikasiFilter(StrictFilterSet):
    jenis = django_filters.CharFilter(help_text="Kode alasan notifikasi.")

    class Meta:
        model = Notifikasi
        fields = ["dibaca", "jenis"]


class NotifikasiViewSet(PolicyScopedMixin, viewsets.ReadOnlyModelViewSet):
    """Only the caller's own notifications exist here (anyone else's id is 404)."""

    serializer_class = NotifikasiSerializer
    filterset_class = NotifikasiFilter
    nama_sumber = "notifikasi"
    deskripsi = {
        "list": "Notifikasi Anda sendiri, terbaru dahulu; filter `dibaca` dan `jenis`.",
        "retrieve": "Satu notifikasi Anda sendiri; notifikasi orang lain dijawab 404.",
        "baca": "Menandai satu notifikasi Anda sudah dibaca.",
        "baca_semua": "Menandai semua notifikasi Anda sudah dibaca; `jumlah` yang ditandai.",
        "belum_dibaca": "Jumlah notifikasi Anda yang belum dibaca.",
    }

    def base_queryset(self):
        return Notifikasi.objects.order_by("-dibuat", "-id")

    @extend_schema(request=None, responses=NotifikasiSerializer)
    @action(detail=True, methods=["post"])
    def baca(self, request: Request, pk: str | None = None) -> Response:
        n = self.get_object()
        svc.notifikasi_baca(user=request.user, notifikasi=n)
        return Response(self.get_serializer(n).data)

    @extend_schema(request=None, responses=_Jumlah)
    @action(detail=False, methods=["post"], url_path="baca-semua")
    def baca_semua(self, request: Request) -> Response:
        return Response({"jumlah": svc.notifikasi_baca_semua(user=request.user)})

    @extend_schema(responses=_Jumlah)
    @action(detail=False, methods=["get"], url_path="belum-dibaca")
    def belum_dibaca(self, request: Request) -> Response:
        return Response({"jumlah": svc.jumlah_belum_dibaca(request.user)})


router = SimpleRouter()
router.register("notifikasi", NotifikasiViewSet, basename="notifikasi")

urlpatterns = router.urls
