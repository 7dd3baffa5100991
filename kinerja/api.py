"""REST API (/api/v1/) of the organisation: instansi, unit kerja, jabatan, pegawai, periode.

Field names and codes are the ones promised to integrators in shared/api.md. Every queryset goes
through the policy (another instansi's objects are 404, its rows never in a list); the one write,
the staff upsert by NIP, goes through `kinerja.services.pegawai_upsert`.
"""

from __future__ import annotations

import django_filters
from django.db import connection
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from kinerja import cache_halaman, policy, services
from kinerja.api_base import (
    ANGKA,
    SINKRON_PARAM,
    TEKS,
    WAKTU,
    BarisJson,
    HalamanJson,
    JsonTersusun,
    PolicyScopedMixin,
    ScopedPK,
    etag_terapkan,
    json_polos,
    zona_sql,
)
from kinerja.api_filters import StrictFilterSet, TahunFilter
from kinerja.models import Instansi, Jabatan, Pegawai, Periode, UnitKerja


# --- serializers ----------------------------------------------------------------------------
class InstansiSerializer(serializers.ModelSerializer):
    class Meta:
        model = Instansi
        fields = ("id", "kode", "nama", "jenis", "kota", "diubah")


class UnitKerjaSerializer(serializers.ModelSerializer):
    class Meta:
        model = UnitKerja
        fields = ("id", "instansi", "induk", "nama", "singkatan", "mandiri", "diubah")


class JabatanSerializer(serializers.ModelSerializer):
    class Meta:
        model = Jabatan
        fields = (
            "id",
            "unit_kerja",
            "nama",
            "jenis",
            "jenjang",
            "atasan",
            "kepala_unit",
            "diubah",
        )


_WAKTU = serializers.DateTimeField()


class PegawaiSerializer(serializers.ModelSerializer):
    pejabat_penilai = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text="Diturunkan dari struktur jabatan (hanya baca)."
    )
    atasan_pejabat_penilai = serializers.PrimaryKeyRelatedField(
        read_only=True,
        allow_null=True,
        help_text="Pejabat penilai dari pejabat penilai (hanya baca).",
    )

    class Meta:
        model = Pegawai
        fields = (
            "id",
            "nip",
            "nama",
            "jenis_asn",
            "golongan",
            "jabatan",
            "unit_kerja",
            "status",
            "instansi",
            "pejabat_penilai",
            "atasan_pejabat_penilai",
            "diubah",
        )
        read_only_fields = fields

    def to_representation(self, p: Pegawai) -> dict:
        # The same fields and values as ModelSerializer's own (the schema still comes from the
        # fields above; a test compares both), read straight off the row: DRF's per-field
        # machinery was most of the time of a 200-row page (bench/results.md).
        return {
            "id": p.pk,
            "nip": p.nip,
            "nama": p.nama,
            "jenis_asn": p.jenis_asn,
            "golongan": p.golongan,
            "jabatan": p.jabatan_id,
            "unit_kerja": p.unit_kerja_id,
            "status": p.status,
            "instansi": p.instansi_id,
            "pejabat_penilai": p.pejabat_penilai_id,
            "atasan_pejabat_penilai": p.atasan_pejabat_penilai_id,
            "diubah": _WAKTU.to_representation(p.diubah),
        }


# What PegawaiSerializer.to_representation reads, for the list's rows (PegawaiViewSet).
_KOLOM_DAFTAR = (
    "pk",
    "nip",
    "nama",
    "jenis_asn",
    "golongan",
    "jabatan_id",
    "unit_kerja_id",
    "status",
    "instansi_id",
    "pejabat_penilai_id",
    "atasan_pejabat_penilai_id",
    "diubah",
)


# The same row for PostgreSQL to write as JSON (PegawaiViewSet.list): key, field, kind.
_KOLOM_JSON = (
    ("id", "id", ANGKA),
    ("nip", "nip", TEKS),
    ("nama", "nama", TEKS),
    ("jenis_asn", "jenis_asn", TEKS),
    ("golongan", "golongan", TEKS),
    ("jabatan", "jabatan_id", ANGKA),
    ("unit_kerja", "unit_kerja_id", ANGKA),
    ("status", "status", TEKS),
    ("instansi", "instansi_id", ANGKA),
    ("pejabat_penilai", "pejabat_penilai_id", ANGKA),
    ("atasan_pejabat_penilai", "atasan_pejabat_penilai_id", ANGKA),
    ("diubah", "diubah", WAKTU),
)


class PeriodeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Periode
        fields = (
            "id",
            "instansi",
            "tahun",
            "frekuensi",
            "status",
            "batas_perencanaan",
            "batas_persetujuan_hari",
            "diubah",
        )


class PegawaiUpsertSerializer(serializers.Serializer):
    nip = serializers.CharField(max_length=30, help_text="NIP (PNS) atau NI PPPK, 18 digit.")
    instansi = ScopedPK(
        queryset=Instansi.objects.all(),
        required=False,
        help_text="Boleh dikosongkan oleh admin instansi (instansinya sendiri).",
    )
    nama = serializers.CharField(max_length=200, required=False)
    # The model's full choice set keeps one `jenis_asn` enum in the schema; pejabat negara
    # (no NIP) cannot be pushed by NIP and is refused in validate_jenis_asn.
    jenis_asn = serializers.ChoiceField(choices=Pegawai.JenisASN.choices, required=False)
    golongan = serializers.CharField(max_length=10, required=False, allow_blank=True)
    jabatan = ScopedPK(queryset=Jabatan.objects.all(), required=False, allow_null=True)
    unit_kerja = ScopedPK(queryset=UnitKerja.objects.all(), required=False, allow_null=True)
    status = serializers.ChoiceField(choices=Pegawai.Status.choices, required=False)
    email = serializers.EmailField(required=False, allow_blank=True)

    def validate_jenis_asn(self, value: str) -> str:
        if value not in (Pegawai.JenisASN.PNS, Pegawai.JenisASN.PPPK):
            raise serializers.ValidationError("Upsert berdasarkan NIP hanya untuk PNS dan PPPK.")
        return value


class PegawaiUpsertResultSerializer(PegawaiSerializer):
    hasil = serializers.ChoiceField(
        choices=["dibuat", "diperbarui", "tetap"], read_only=True, help_text="Apa yang terjadi."
    )

    class Meta(PegawaiSerializer.Meta):
        fields = (*PegawaiSerializer.Meta.fields, "hasil")
        read_only_fields = fields


# --- filters ----------------------------------------------------------------------------------
# Foreign keys filter by plain number (kinerja.api_filters) so an id of another instansi is
# neither confirmed nor denied: it simply matches nothing in the caller's scope.
class InstansiFilter(StrictFilterSet):
    class Meta:
        model = Instansi
        fields = ("jenis", "kode")


class UnitKerjaFilter(StrictFilterSet):
    class Meta:
        model = UnitKerja
        fields = ("instansi", "induk", "mandiri")


class JabatanFilter(StrictFilterSet):
    class Meta:
        model = Jabatan
        fields = ("unit_kerja", "jenis", "atasan", "kepala_unit")


class PegawaiFilter(StrictFilterSet):
    nama = django_filters.CharFilter(field_name="nama", lookup_expr="icontains")

    class Meta:
        model = Pegawai
        fields = (
            "instansi",
            "unit_kerja",
            "jabatan",
            "pejabat_penilai",
            "nip",
            "nama",
            "status",
            "jenis_asn",
        )


class PeriodeFilter(StrictFilterSet):
    tahun = TahunFilter()

    class Meta:
        model = Periode
        fields = ("instansi", "tahun", "status", "frekuensi")


# --- viewsets ---------------------------------------------------------------------------------
class InstansiViewSet(PolicyScopedMixin, viewsets.ReadOnlyModelViewSet):
    """Instansi the caller belongs to or administers (`jenis`: `pusat` | `daerah`)."""

    serializer_class = InstansiSerializer
    filterset_class = InstansiFilter
    nama_sumber = "instansi"

    def base_queryset(self):
        return Instansi.objects.order_by("id")


class UnitKerjaViewSet(PolicyScopedMixin, viewsets.ReadOnlyModelViewSet):
    """Unit kerja of the caller's instansi as a tree (`induk`), with the `mandiri` flag."""

    serializer_class = UnitKerjaSerializer
    filterset_class = UnitKerjaFilter
    nama_sumber = "unit kerja"

    def base_queryset(self):
        return UnitKerja.objects.order_by("id")


class JabatanViewSet(PolicyScopedMixin, viewsets.ReadOnlyModelViewSet):
    """Positions and the position each reports to (`atasan`)."""

    serializer_class = JabatanSerializer
    filterset_class = JabatanFilter
    nama_sumber = "jabatan"

    def base_queryset(self):
        return Jabatan.objects.order_by("id")


@extend_schema_view(
    list=extend_schema(
        description="Pegawai instansi Anda, urut nama (mode `cursor`: urut id; "
        "`diubah_sejak`: urut waktu perubahan). Parameter yang tidak dikenal atau nilai yang "
        "salah dijawab 400 yang menyebut parameternya."
    ),
    retrieve=extend_schema(description="Satu pegawai; `pejabat_penilai` diturunkan (hanya baca)."),
)
class PegawaiViewSet(PolicyScopedMixin, viewsets.ReadOnlyModelViewSet):
    """Pegawai (PNS and PPPK). `pejabat_penilai` and `atasan_pejabat_penilai` are derived from
    the positions and read-only. Instansi admins push staff with `POST pegawai/upsert/`."""

    serializer_class = PegawaiSerializer
    filterset_class = PegawaiFilter
    nama_sumber = "pegawai"

    def base_queryset(self):
        return Pegawai.objects.order_by("nama", "id")

    def get_queryset(self):
        qs = super().get_queryset()  # the policy's scope first
        if self.action != "list":
            return qs
        baris = getattr(self, "_baris_json", None)
        if baris is not None:
            # The keyset modes with each row's JSON written by PostgreSQL (list()): the row's
            # id (and change time) for their cursors. Page numbers: HalamanJson.
            qs = qs.annotate(baris_json=baris)
            if SINKRON_PARAM in self.request.query_params:
                return qs.values_list("pk", "diubah", "baris_json", named=True)
            return qs.values_list("pk", "baris_json", named=True)
        # A list page is up to 200 rows: read as named tuples of the serialized columns (the
        # serializer reads the same attributes), not model instances, whose construction was
        # most of the page's time after the query.
        return qs.values_list(*_KOLOM_DAFTAR, named=True)

    def list(self, request, *args, **kwargs):
        # Plain JSON from PostgreSQL: the rows' JSON texts come from the database and are
        # spliced into the page (kinerja.api_base.BarisJson: byte for byte what the serializer
        # and JSONRenderer give). Otherwise (SQLite, the browsable API, an indent asked, a time
        # zone without a name) the serializer as usual.
        zona = zona_sql()
        if connection.vendor != "postgresql" or zona is None or not json_polos(request, self):
            return super().list(request, *args, **kwargs)
        params = request.query_params
        if SINKRON_PARAM in params or "cursor" in params:
            self._baris_json = BarisJson(_KOLOM_JSON, zona)
            page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
            hasil = [row.baris_json for row in page]
        else:
            # Page numbers: the page and its count in one statement written around the
            # queryset's WHERE (the policy's scope, the filters) by HalamanJson; rows are
            # (JSON text, count).
            scoped = PolicyScopedMixin.get_queryset(self)
            page = self.paginate_queryset(
                HalamanJson(self.filter_queryset(scoped), _KOLOM_JSON, zona)
            )
            hasil = [row[0] for row in page]
        envelope = self.get_paginated_response([])
        return JsonTersusun(envelope.data, hasil, status=envelope.status_code)

    def dispatch(self, request, *args, **kwargs):
        # The biggest list integrators page through: served per credentials and data version
        # from the page cache while nothing was written (kinerja.cache_halaman); a miss runs the
        # whole DRF request (authentication, permissions, the policy's scope).
        if self.action_map.get(request.method.lower()) != "list":
            return super().dispatch(request, *args, **kwargs)

        def render():
            # Pegawai rows are organisation data (the global version); no stage data.
            cache_halaman.cakupan_halaman(request, [])
            return super(PegawaiViewSet, self).dispatch(request, *args, **kwargs)

        response = cache_halaman.layani(request, "api-pegawai", render)
        return etag_terapkan(request, response)  # also on a cached answer

    @extend_schema(
        summary="Tambah atau perbarui pegawai berdasarkan NIP (upsert)",
        description=(
            "Untuk admin instansi dan integrasi (SIASN): pegawai dicari dengan `nip` di "
            "instansi admin. Belum ada: dibuat (201) beserta akun masuk dengan nama pengguna "
            "NIP. Sudah ada: hanya kolom yang dikirim yang diubah (200); bila tidak ada yang "
            "berubah, tidak ada yang ditulis dan `hasil` = `tetap`. `jabatan` dan `unit_kerja` "
            "adalah id di instansi yang sama; bila hanya `jabatan` dikirim, unit mengikuti "
            "jabatan. Pejabat penilai dihitung ulang sesudahnya. NIP yang terdaftar di "
            "instansi lain ditolak (400). Superuser wajib mengisi `instansi`."
        ),
        request=PegawaiUpsertSerializer,
        responses={
            200: PegawaiUpsertResultSerializer,
            201: PegawaiUpsertResultSerializer,
            400: OpenApiResponse(description="Data salah: {kolom: [pesan]}"),
            403: OpenApiResponse(description="Bukan admin instansi"),
        },
    )
    @action(detail=False, methods=["post"], url_path="upsert")
    def upsert(self, request: Request) -> Response:
        ser = PegawaiUpsertSerializer(data=request.data, context={"request": request})
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        instansi = data.pop("instansi", None)
        if instansi is None:
            instansi = Instansi.objects.filter(
                pk=policy.instansi_administered(request.user)
            ).first()
        if instansi is None or not policy.can(request.user, "import", instansi):
            raise PermissionDenied(
                "Hanya admin instansi yang dapat menambah atau mengubah pegawai."
            )
        nip = data.pop("nip")
        pegawai, hasil = services.pegawai_upsert(
            user=request.user, instansi=instansi, nip=nip, data=data
        )
        pegawai.refresh_from_db()
        body = PegawaiUpsertResultSerializer(pegawai).data
        body["hasil"] = hasil
        code = status.HTTP_201_CREATED if hasil == services.Upsert.DIBUAT else status.HTTP_200_OK
        return Response(body, status=code)


class PeriodeViewSet(PolicyScopedMixin, viewsets.ReadOnlyModelViewSet):
    """Performance years of the caller's instansi and their frequency of periodic evaluation."""

    serializer_class = PeriodeSerializer
    filterset_class = PeriodeFilter
    nama_sumber = "periode kinerja"

    def base_queryset(self):
        return Periode.objects.order_by("-tahun", "id")


router = SimpleRouter()
router.register("instansi", InstansiViewSet, basename="instansi")
router.register("unit-kerja", UnitKerjaViewSet, basename="unit-kerja")
router.register("jabatan", JabatanViewSet, basename="jabatan")
router.register("pegawai", PegawaiViewSet, basename="pegawai")
router.register("periode", PeriodeViewSet, basename="periode")

urlpatterns = router.urls
