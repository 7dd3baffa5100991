"""REST API: the caller's own notifications (/api/v1/notifikasi/)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from kinerja import notifikasi as svc
from kinerja.api_base import PolicyScopedMixin
from kinerja.models import Notifikasi


class NotifikasiSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notifikasi
        fields = ["id", "jenis", "pesan", "tautan", "dibaca", "dibuat"]
        read_only_fields = fields


_Jumlah = inline_serializer("JumlahNotifikasi", {"jumlah": serializers.IntegerField()})


class NotifikasiViewSet(PolicyScopedMixin, viewsets.ReadOnlyModelViewSet):
    """Only the caller's own notifications exist here (anyone else's id is 404).
    Filter with `?dibaca=true|false`."""

    serializer_class = NotifikasiSerializer

    def base_queryset(self):
        return Notifikasi.objects.order_by("-dibuat", "-id")

    def get_queryset(self):
        qs = super().get_queryset()
        dibaca = self.request.query_params.get("dibaca")
        if dibaca in {"true", "1"}:
            qs = qs.filter(dibaca=True)
        elif dibaca in {"false", "0"}:
            qs = qs.filter(dibaca=False)
        return qs

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
