"""REST API of the organisation over time (shared/api.md, "Organisation over time"):

- `mutasi/`: changes of position with their TMT; list (filters `pegawai`, `status`, `jenis`),
  create (the instansi admin, through `kinerja.mutasi.mutasi_catat`, exactly as the pages and
  the import record them), retrieve, and the action `batalkan` (before the TMT, with `alasan`
  and `row_version`). What the caller may not see is 404.
- `pegawai/<id>/riwayat-jabatan/`: the positions a pegawai held, with their dates and the
  penilai of each stretch (from MasaPenilai).
"""

from __future__ import annotations

import django_filters
from django.http import Http404
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from kinerja import mutasi, policy, selectors_org, services
from kinerja.api_base import VERSI_WAJIB, PolicyScopedMixin
from kinerja.models import Jabatan, Mutasi, Pegawai, RiwayatJabatan, UnitKerja

PARAM_HALAMAN = {"page", "page_size", "cursor", "format"}


class _ScopedPK(serializers.PrimaryKeyRelatedField):
    """A reference the caller may see; any other id is reported as not existing."""

    def get_queryset(self):
        request = self.context.get("request")
        return policy.scope(request.user if request else None, super().get_queryset())


class MutasiSerializer(serializers.ModelSerializer):
    pegawai = _ScopedPK(queryset=Pegawai.objects.all(), help_text="Pegawai yang berpindah.")
    jabatan_baru = _ScopedPK(
        queryset=Jabatan.objects.all(),
        required=False,
        allow_null=True,
        help_text="Jabatan baru, atau jabatan yang dijabat sebagai Plt/Plh; kosong untuk "
        "`berhenti`.",
    )
    unit_kerja_baru = _ScopedPK(
        queryset=UnitKerja.objects.all(),
        required=False,
        allow_null=True,
        help_text="Kosong: unit kerja jabatan baru.",
    )
    tmt = serializers.DateField(help_text="Terhitung mulai tanggal (tanggal berlaku).")
    jenis = serializers.ChoiceField(choices=Mutasi.Jenis.choices, help_text="Jenis perubahan.")
    sampai = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="Hari terakhir Plt/Plh (wajib untuk `plt`/`plh`, kosong untuk yang lain).",
    )
    status = serializers.ChoiceField(
        choices=Mutasi.Status.choices,
        read_only=True,
        help_text="`dijadwalkan` (TMT belum tiba), `berlaku`, atau `dibatalkan`.",
    )
    restrukturisasi = serializers.IntegerField(
        source="restrukturisasi_id",
        read_only=True,
        allow_null=True,
        help_text="Restrukturisasi (SOTK) yang mencatat perubahan ini, bila ada.",
    )
    row_version = serializers.IntegerField(
        read_only=True, help_text="Versi data; kirim kembali pada `batalkan`."
    )

    class Meta:
        model = Mutasi
        fields = (
            "id",
            "pegawai",
            "jenis",
            "jabatan_baru",
            "unit_kerja_baru",
            "tmt",
            "sampai",
            "status",
            "keterangan",
            "alasan_batal",
            "restrukturisasi",
            "dibuat",
            "diberlakukan",
            "row_version",
        )
        read_only_fields = ("alasan_batal", "dibuat", "diberlakukan")
        extra_kwargs = {"keterangan": {"help_text": "Dasar perubahan (mis. nomor SK)."}}


class BatalkanSerializer(serializers.Serializer):
    alasan = serializers.CharField(max_length=1000, help_text="Alasan pembatalan (disimpan).")
    row_version = serializers.IntegerField(
        error_messages=VERSI_WAJIB, help_text="Versi data yang dibaca sebelum membatalkan."
    )


class MutasiFilter(django_filters.FilterSet):
    # A plain number: an id of another instansi matches nothing in the caller's scope.
    pegawai = django_filters.NumberFilter(field_name="pegawai_id", label="Id pegawai.")
    status = django_filters.ChoiceFilter(choices=Mutasi.Status.choices, label="Status.")
    jenis = django_filters.ChoiceFilter(choices=Mutasi.Jenis.choices, label="Jenis perubahan.")

    class Meta:
        model = Mutasi
        fields = ("pegawai", "status", "jenis")


def _tolak_parameter_asing(request: Request, dikenal: set[str]) -> None:
    asing = sorted(set(request.query_params) - dikenal - PARAM_HALAMAN)
    if asing:
        raise serializers.ValidationError(
            {k: ["Parameter tidak dikenal untuk daftar ini."] for k in asing}
        )


@extend_schema_view(
    list=extend_schema(
        description="Perubahan jabatan yang boleh dilihat pemanggil (admin instansi: seluruh "
        "instansinya; pegawai: miliknya; pejabat penilai: pegawai yang dinilainya), terbaru "
        "di atas. Filter: `pegawai`, `status`, `jenis`; parameter lain ditolak (400)."
    ),
    retrieve=extend_schema(description="Satu perubahan jabatan; yang tidak boleh dilihat: 404."),
    create=extend_schema(
        description=(
            "Admin instansi mencatat mutasi, promosi, rotasi, Plt/Plh (dengan `sampai`) atau "
            "berhenti dengan TMT-nya. TMT hari ini atau sebelumnya: langsung berlaku dan "
            "pejabat penilai sebelum TMT tetap tercatat; TMT yang akan datang: `dijadwalkan` "
            "dan berlaku pada tanggalnya. Data salah: 400 dengan pesan per kolom."
        ),
        responses={
            201: MutasiSerializer,
            400: OpenApiResponse(description="Data salah: {kolom: [pesan]}"),
            403: OpenApiResponse(description="Bukan admin instansi pegawai"),
        },
    ),
)
class MutasiViewSet(
    PolicyScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Changes of position with their TMT (mutasi, promosi, rotasi, Plt/Plh, berhenti)."""

    serializer_class = MutasiSerializer
    filterset_class = MutasiFilter

    def base_queryset(self):
        return Mutasi.objects.order_by("-tmt", "-id")

    def list(self, request, *args, **kwargs):
        _tolak_parameter_asing(request, set(MutasiFilter.base_filters))
        return super().list(request, *args, **kwargs)

    def perform_create(self, serializer):
        d = serializer.validated_data
        serializer.instance = mutasi.mutasi_catat(
            user=self.request.user,
            pegawai=d["pegawai"],
            jenis=d["jenis"],
            tmt=d["tmt"],
            jabatan_baru=d.get("jabatan_baru"),
            unit_kerja_baru=d.get("unit_kerja_baru"),
            sampai=d.get("sampai"),
            keterangan=d.get("keterangan", ""),
        )

    @extend_schema(
        summary="Batalkan perubahan jabatan yang belum berlaku",
        description=(
            "Hanya sebelum TMT (status `dijadwalkan`), oleh admin instansi, dengan `alasan` "
            "yang disimpan dan `row_version` yang dibaca. Sudah berlaku atau dibatalkan: 400."
        ),
        request=BatalkanSerializer,
        responses={
            200: MutasiSerializer,
            400: OpenApiResponse(description="Data salah atau perubahan sudah berlaku"),
            403: OpenApiResponse(description="Bukan admin instansi pegawai"),
        },
    )
    @action(detail=True, methods=["post"])
    def batalkan(self, request: Request, pk=None) -> Response:
        m = self.get_object()
        policy.require(request.user, "batalkan", m)
        s = BatalkanSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        services.cek_versi(m, s.validated_data["row_version"])
        m = mutasi.mutasi_batalkan(user=request.user, mutasi=m, alasan=s.validated_data["alasan"])
        return Response(MutasiSerializer(m, context={"request": request}).data)


class MasaPenilaiSerializer(serializers.Serializer):
    pejabat_penilai = serializers.IntegerField(
        source="pejabat_penilai_id", allow_null=True, help_text="Id pejabat penilai."
    )
    pejabat_penilai_nama = serializers.CharField(
        source="pejabat_penilai.nama", allow_null=True, default=None
    )
    atasan_pejabat_penilai = serializers.IntegerField(
        source="atasan_pejabat_penilai_id", allow_null=True
    )
    mulai = serializers.DateField(help_text="Sejak tanggal ini.")
    selesai = serializers.DateField(allow_null=True, help_text="Sampai tanggal ini; null: kini.")


class RiwayatJabatanSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    jabatan = serializers.IntegerField(source="riwayat.jabatan_id")
    jabatan_nama = serializers.CharField(source="riwayat.jabatan.nama")
    unit_kerja = serializers.IntegerField(
        source="riwayat.jabatan.unit_kerja_id", help_text="Unit kerja jabatan itu."
    )
    unit_kerja_nama = serializers.CharField(source="riwayat.jabatan.unit_kerja.nama")
    jenis = serializers.ChoiceField(
        source="riwayat.jenis",
        choices=RiwayatJabatan.Jenis.choices,
        help_text="Memangku secara definitif, atau sebagai Plt/Plh.",
    )
    mulai = serializers.DateField(source="riwayat.mulai", help_text="TMT.")
    selesai = serializers.DateField(
        source="riwayat.selesai", allow_null=True, help_text="Hari terakhir; null: masih."
    )
    mutasi = serializers.IntegerField(source="riwayat.mutasi_id", allow_null=True)
    penilai = MasaPenilaiSerializer(
        many=True, help_text="Pejabat penilai pegawai selama memangku jabatan ini."
    )

    def to_representation(self, instance):
        instance.id = instance.riwayat.pk
        return super().to_representation(instance)


class RiwayatJabatanViewSet(viewsets.GenericViewSet):
    """`pegawai/<id>/riwayat-jabatan/`: one pegawai's positions over time."""

    serializer_class = RiwayatJabatanSerializer
    queryset = Pegawai.objects.none()  # the schema's model; reads go through the policy

    @extend_schema(
        summary="Riwayat jabatan pegawai",
        description=(
            "Jabatan yang pernah dan sedang dipangku pegawai (definitif, Plt, Plh), terbaru di "
            "atas, dengan TMT, tanggal selesai, dan pejabat penilai selama masa itu (dari "
            "catatan siapa menilai siapa per tanggal). Pegawai yang tidak boleh dilihat: 404."
        ),
        parameters=[OpenApiParameter("pegawai_pk", int, OpenApiParameter.PATH)],
    )
    def list(self, request: Request, pegawai_pk: str | None = None) -> Response:
        _tolak_parameter_asing(request, set())
        if not (pegawai_pk or "").isdigit():
            raise Http404("Data tidak ditemukan.")
        peg = policy.get_for_user(request.user, Pegawai.objects.all(), pk=int(pegawai_pk))
        baris = selectors_org.riwayat_pegawai(peg)
        page = self.paginate_queryset(baris)
        data = RiwayatJabatanSerializer(page, many=True).data
        return self.get_paginated_response(data)


router = SimpleRouter()
router.register("mutasi", MutasiViewSet, basename="mutasi")
router.register(
    r"pegawai/(?P<pegawai_pk>[^/.]+)/riwayat-jabatan",
    RiwayatJabatanViewSet,
    basename="riwayat-jabatan",
)
urlpatterns = router.urls
