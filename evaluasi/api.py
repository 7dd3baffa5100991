"""REST API (/api/v1/) for this stage: thin viewsets over the policy and the services.

kinerja-organisasi/             list (?periode=, ?unit_kerja=), retrieve, create/update (upsert
                                per unit and window) by the leader above or the instansi admin
evaluasi/                       list (?periode=, ?pegawai=, ?jenis=, ?urutan=), retrieve; create
                                (the penilai opens a window's draft, optionally with ratings);
                                PATCH the two ratings (predikat is read-only, derived by the
                                quadrant); action finalisasi (justifikasi when the distribution
                                is outside the guidance)
distribusi/?unit_kerja=&periode=  predikat_organisasi, jumlah_pegawai, aktual, pedoman
                                (optional &jenis=periodik&urutan=n; default the annual window)
keberatan/                      list (?status=, ?evaluasi=, ?terbuka=true), retrieve, create (the
                                pegawai, within 14 days of the evaluation becoming final);
                                actions minta-penjelasan (the pemutus), jelaskan (the penilai or
                                the pegawai asked), putuskan (the pemutus: tetap, or diubah with
                                the new ratings; final)
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView

from evaluasi import jendela, rules, selectors, services
from evaluasi.models import (
    Evaluasi,
    Keberatan,
    KinerjaOrganisasi,
    LampiranKeberatan,
    PenjelasanKeberatan,
    Predikat,
    Rating,
)
from kinerja import policy
from kinerja.api_base import (
    VERSI_WAJIB,
    PolicyScopedMixin,
    etag_terapkan,
    versi_field,
)
from kinerja.api_filters import (
    ID_MAKS,
    BoolFilter,
    IdFilter,
    StrictFilterSet,
    TahunFilter,
    UrutanFilter,
)
from kinerja.models import Pegawai, Periode, UnitKerja

_ID = {"min_value": 1, "max_value": ID_MAKS}


class KinerjaOrganisasiSerializer(serializers.ModelSerializer):
    unit_kerja = serializers.IntegerField(source="unit_kerja_id", **_ID)
    periode = serializers.IntegerField(source="periode_id", **_ID)

    class Meta:
        model = KinerjaOrganisasi
        fields = [
            "id",
            "unit_kerja",
            "periode",
            "jenis",
            "urutan",
            "predikat",
            "capaian",
            "ditetapkan_pada",
            "row_version",
            "diubah",
        ]
        read_only_fields = ["ditetapkan_pada", "row_version"]
        extra_kwargs = {"jenis": {"required": False}, "urutan": {"required": False}}


class KinerjaOrganisasiUbahSerializer(KinerjaOrganisasiSerializer):
    """An edit changes the predikat and capaian of this row only (its unit and window are
    fixed), based on the `row_version` it was made on."""

    unit_kerja = serializers.IntegerField(source="unit_kerja_id", read_only=True)
    periode = serializers.IntegerField(source="periode_id", read_only=True)
    row_version = versi_field()

    class Meta(KinerjaOrganisasiSerializer.Meta):
        read_only_fields = ["ditetapkan_pada", "jenis", "urutan"]
        extra_kwargs = {}


class KinerjaOrganisasiFilter(StrictFilterSet):
    tahun = TahunFilter(field_name="periode__tahun")
    urutan = UrutanFilter()

    class Meta:
        model = KinerjaOrganisasi
        fields = ["periode", "tahun", "unit_kerja", "jenis", "urutan", "predikat"]


class KinerjaOrganisasiViewSet(
    PolicyScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = KinerjaOrganisasiSerializer
    filterset_class = KinerjaOrganisasiFilter
    nama_sumber = "kinerja organisasi"
    deskripsi = {
        "create": "Menetapkan kinerja organisasi satu unit untuk satu jendela (pimpinan di "
        "atasnya atau admin instansi). Bila sudah ada untuk unit dan jendela itu: 400 dengan id "
        "yang sudah ada (ubah dengan PATCH).",
        "update": "Mengubah `predikat` dan `capaian` baris ini (unit dan jendelanya tetap). "
        "Wajib mengirim `row_version`.",
        "partial_update": "Mengubah `predikat` dan/atau `capaian` baris ini (unit dan "
        "jendelanya tetap). Wajib mengirim `row_version`.",
    }

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return KinerjaOrganisasiUbahSerializer
        return super().get_serializer_class()

    def base_queryset(self):
        return KinerjaOrganisasi.objects.select_related("unit_kerja").order_by("pk")

    def perform_create(self, serializer):
        data = serializer.validated_data
        user = self.request.user
        unit = policy.get_for_user(user, UnitKerja.objects.all(), pk=data["unit_kerja_id"])
        periode = policy.get_for_user(user, Periode.objects.all(), pk=data["periode_id"])
        serializer.instance = services.kinerja_organisasi_tetapkan(
            user=user,
            unit_kerja=unit,
            periode=periode,
            jenis=data.get("jenis") or "tahunan",
            urutan=data.get("urutan"),
            predikat=data["predikat"],
            capaian=data.get("capaian", ""),
            baru=True,
        )

    def update(self, request, *args, **kwargs):
        # Seen but not the caller's to set: 403 before the body is judged.
        policy.require(request.user, "tetapkan", self.get_object())
        return super().update(request, *args, **kwargs)

    def perform_update(self, serializer):
        # Only this row: its unit and window come from the row, never from the body.
        ko = serializer.instance
        data = serializer.validated_data
        if data.get("row_version") is None:  # a PATCH skips required fields
            raise serializers.ValidationError({"row_version": [VERSI_WAJIB["required"]]})
        serializer.instance = services.kinerja_organisasi_tetapkan(
            user=self.request.user,
            unit_kerja=ko.unit_kerja,
            periode=ko.periode,
            jenis=ko.jenis,
            urutan=ko.urutan,
            predikat=data.get("predikat", ko.predikat),
            capaian=data.get("capaian", ko.capaian),
            row_version=data["row_version"],
        )


class EvaluasiSerializer(serializers.ModelSerializer):
    pegawai = serializers.IntegerField(source="pegawai_id", **_ID)
    periode = serializers.IntegerField(source="periode_id", **_ID)
    rating_hasil_kerja = serializers.ChoiceField(
        choices=Rating.choices, required=False, allow_blank=True
    )
    rating_perilaku_kerja = serializers.ChoiceField(
        choices=Rating.choices, required=False, allow_blank=True
    )
    # Derived, never typed: null until both ratings are given.
    predikat = serializers.SerializerMethodField()
    saran_rating_hasil_kerja = serializers.SerializerMethodField()
    keberatan = serializers.SerializerMethodField(
        help_text="Keberatan yang keputusannya mengubah hasil evaluasi final ini (null bila "
        "tidak ada); `diubah` mencatat kapan. Rinciannya di `keberatan/<id>/`."
    )

    @extend_schema_field(serializers.ChoiceField(choices=Predikat.choices, allow_null=True))
    def get_predikat(self, obj) -> str | None:
        return obj.predikat or None

    @extend_schema_field(serializers.ChoiceField(choices=Rating.choices, allow_null=True))
    def get_saran_rating_hasil_kerja(self, obj) -> str | None:
        return obj.saran_rating_hasil_kerja or None

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_keberatan(self, obj) -> int | None:
        if hasattr(obj, "keberatan_diubah_id"):
            return obj.keberatan_diubah_id
        return _keberatan_diubah(Keberatan.objects.filter(evaluasi_id=obj.pk)).first()

    class Meta:
        model = Evaluasi
        fields = [
            "id",
            "pegawai",
            "periode",
            "jenis",
            "urutan",
            "pejabat_penilai",
            "mulai",
            "selesai",
            "rating_hasil_kerja",
            "rating_perilaku_kerja",
            "predikat",
            "saran_rating_hasil_kerja",
            "alasan_ubah_rating",
            "status",
            "finalisasi_pada",
            "keberatan",
            "row_version",
            "diubah",
        ]
        read_only_fields = [
            "pejabat_penilai",
            "mulai",
            "selesai",
            "predikat",
            "saran_rating_hasil_kerja",
            "status",
            "finalisasi_pada",
            "row_version",
        ]
        extra_kwargs = {"urutan": {"required": False}}


def _keberatan_diubah(qs):
    """The decided keberatan that changed the evaluation (the latest), as ids."""
    return (
        qs.filter(status=Keberatan.Status.DIPUTUS, keputusan=Keberatan.Keputusan.DIUBAH)
        .order_by("-diputus_pada", "-pk")
        .values_list("pk", flat=True)
    )


class EvaluasiUbahSerializer(EvaluasiSerializer):
    """An edit changes the ratings (and the reason for leaving the suggested rating) of this
    evaluation only, based on the row_version it was made on: without it a client would
    silently overwrite a newer save (the penilai's page, another client)."""

    pegawai = serializers.IntegerField(source="pegawai_id", read_only=True)
    periode = serializers.IntegerField(source="periode_id", read_only=True)
    row_version = versi_field()

    class Meta(EvaluasiSerializer.Meta):
        read_only_fields = [
            "jenis",
            "urutan",
            "pejabat_penilai",
            "mulai",
            "selesai",
            "predikat",
            "saran_rating_hasil_kerja",
            "status",
            "finalisasi_pada",
        ]
        extra_kwargs = {}


class FinalisasiSerializer(serializers.Serializer):
    justifikasi = serializers.CharField(required=False, allow_blank=True)
    row_version = versi_field(required=False)


class EvaluasiFilter(StrictFilterSet):
    tahun = TahunFilter(field_name="periode__tahun")
    urutan = UrutanFilter()
    unit_kerja = IdFilter(
        field_name="pegawai__unit_kerja_id", help_text="Unit kerja pegawai saat ini."
    )

    class Meta:
        model = Evaluasi
        fields = ["periode", "tahun", "pegawai", "unit_kerja", "jenis", "urutan", "status"]


class EvaluasiViewSet(
    PolicyScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = EvaluasiSerializer
    filterset_class = EvaluasiFilter
    nama_sumber = "evaluasi kinerja"
    deskripsi = {
        "create": "Pejabat penilai membuka draft evaluasi satu jendela (boleh langsung dengan "
        "rating). Bila sudah ada: 400 dengan id evaluasi itu; tidak pernah menimpa.",
        "update": "Mengubah rating hasil kerja dan perilaku kerja (dan alasan mengubah rating "
        "yang disarankan) evaluasi draft ini. `predikat` diturunkan. Wajib `row_version`.",
        "partial_update": "Mengubah sebagian rating evaluasi draft ini (`predikat` diturunkan). "
        "Wajib `row_version`.",
        "finalisasi": "Pejabat penilai memfinalkan evaluasi (`justifikasi` bila distribusi "
        "unit di luar pedoman).",
    }

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return EvaluasiUbahSerializer
        return super().get_serializer_class()

    def base_queryset(self):
        return (
            Evaluasi.objects.select_related("pegawai", "periode")
            .annotate(
                keberatan_diubah_id=Subquery(
                    _keberatan_diubah(Keberatan.objects.filter(evaluasi=OuterRef("pk")))[:1]
                )
            )
            .order_by("pk")
        )

    def _ratings(self, ev, data):
        fields = ("rating_hasil_kerja", "rating_perilaku_kerja", "alasan_ubah_rating")
        if not any(f in data for f in fields):
            return ev
        return services.evaluasi_simpan(
            user=self.request.user,
            evaluasi=ev,
            row_version=data.get("row_version", ev.row_version),
            rating_hasil_kerja=data.get("rating_hasil_kerja", ev.rating_hasil_kerja),
            rating_perilaku_kerja=data.get("rating_perilaku_kerja", ev.rating_perilaku_kerja),
            alasan_ubah_rating=data.get("alasan_ubah_rating", ev.alasan_ubah_rating),
            catatan=ev.catatan,
        )

    def perform_create(self, serializer):
        d = serializer.validated_data
        user = self.request.user
        pegawai = policy.get_for_user(
            user, Pegawai.objects.select_related("jabatan"), pk=d["pegawai_id"]
        )
        periode = policy.get_for_user(user, Periode.objects.all(), pk=d["periode_id"])
        ev = services.evaluasi_mulai(
            user=user,
            pegawai=pegawai,
            periode=periode,
            jenis=d.get("jenis"),
            urutan=d.get("urutan"),
            baru=True,
        )
        serializer.instance = self._ratings(ev, d)

    def perform_update(self, serializer):
        # A PATCH skips required fields: the version is checked here for every edit.
        if serializer.validated_data.get("row_version") is None:
            raise serializers.ValidationError({"row_version": [VERSI_WAJIB["required"]]})
        serializer.instance = self._ratings(serializer.instance, serializer.validated_data)

    @action(detail=True, methods=["post"], serializer_class=FinalisasiSerializer)
    def finalisasi(self, request, pk=None):
        ev = self.get_object()
        s = FinalisasiSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        ev = services.evaluasi_finalisasi(
            user=request.user,
            evaluasi=ev,
            row_version=s.validated_data.get("row_version"),
            justifikasi=s.validated_data.get("justifikasi", ""),
        )
        return Response(EvaluasiSerializer(ev).data)


def _rentang(lo, hi) -> dict:
    return {"min": float(lo), "max": float(hi)}


class RentangSerializer(serializers.Serializer):
    min = serializers.FloatField()
    max = serializers.FloatField()


class DistribusiSerializer(serializers.Serializer):
    unit_kerja = serializers.IntegerField()
    periode = serializers.IntegerField()
    jenis = serializers.ChoiceField(choices=["periodik", "tahunan"])
    urutan = serializers.IntegerField(allow_null=True)
    predikat_organisasi = serializers.ChoiceField(choices=list(rules.PREDIKAT_ORG), allow_null=True)
    jumlah_pegawai = serializers.IntegerField()
    aktual = serializers.DictField(child=serializers.IntegerField())
    pedoman = serializers.DictField(child=RentangSerializer(), allow_null=True)
    pelanggaran = serializers.ListField(child=serializers.CharField())
    peringatan = serializers.ListField(child=serializers.CharField())


class DistribusiParameter(serializers.Serializer):
    unit_kerja = serializers.IntegerField(**_ID)
    periode = serializers.IntegerField(**_ID)
    jenis = serializers.ChoiceField(choices=["periodik", "tahunan"], required=False)
    urutan = serializers.IntegerField(min_value=1, max_value=12, required=False)


class DistribusiView(APIView):
    """The actual distribution of a unit in a window next to the guidance of its kinerja
    organisasi (a guideline, not forced distribution)."""

    serializer_class = DistribusiSerializer
    deskripsi_api = (
        "Distribusi predikat pegawai satu unit dalam satu jendela dibandingkan dengan pedoman "
        "menurut kinerja organisasinya (pedoman, bukan distribusi paksa). Untuk pimpinan unit, "
        "pejabat penilai, dan admin instansi."
    )

    @extend_schema(
        parameters=[
            OpenApiParameter("unit_kerja", int, required=True),
            OpenApiParameter("periode", int, required=True),
            OpenApiParameter("jenis", str, enum=["periodik", "tahunan"]),
            OpenApiParameter("urutan", int),
        ],
        responses=DistribusiSerializer,
    )
    def get(self, request):
        asing = sorted(set(request.query_params) - {*DistribusiParameter().fields, "format"})
        if asing:
            raise serializers.ValidationError(
                {
                    n: [
                        "Parameter tidak dikenal. Yang diterima: unit_kerja, periode, jenis, urutan."
                    ]
                    for n in asing
                }
            )
        ps = DistribusiParameter(data=request.query_params)
        ps.is_valid(raise_exception=True)
        p = ps.validated_data
        user = request.user
        unit = policy.get_for_user(user, UnitKerja.objects.all(), pk=p["unit_kerja"])
        periode = policy.get_for_user(
            user, Periode.objects.select_related("instansi"), pk=p["periode"]
        )
        if unit.instansi_id != periode.instansi_id:
            raise Http404
        policy.require(
            user,
            "distribusi",
            unit,
            "Distribusi unit ini hanya untuk pimpinan, penilai, dan admin.",
        )
        w = jendela.dari_jenis(periode, p.get("jenis") or "tahunan", p.get("urutan"))
        d = selectors.distribusi_unit(unit, periode, w)
        return Response(
            {
                "unit_kerja": unit.pk,
                "periode": periode.pk,
                "jenis": w.jenis,
                "urutan": w.urutan,
                "predikat_organisasi": d.predikat_org,
                "jumlah_pegawai": d.total,
                "aktual": {k: d.counts.get(k, 0) for k in rules.PREDIKAT},
                "pedoman": (
                    {k: _rentang(*d.pedoman.rentang[k]) for k in rules.PREDIKAT}
                    if d.pedoman
                    else None
                ),
                "pelanggaran": [x.pesan for x in d.banding],
                "peringatan": [x.pesan for x in d.pelanggaran],
            }
        )

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        return etag_terapkan(request, response)


# --- keberatan (PP 30/2019 art. 59) ------------------------------------------------------------
class LampiranKeberatanSerializer(serializers.ModelSerializer):
    nama = serializers.CharField(source="nama_asli")
    url = serializers.SerializerMethodField()

    class Meta:
        model = LampiranKeberatan
        fields = ["id", "nama", "mime", "ukuran", "sha256", "url"]

    def get_url(self, obj) -> str:
        return reverse("evaluasi:keberatan_lampiran", args=[obj.pk])


class PenjelasanKeberatanSerializer(serializers.ModelSerializer):
    """One message of the thread: a request (`permintaan`, with its addressee `kepada` and
    whether it was answered) or an answer (`jawaban`, with the request it answers)."""

    penulis = serializers.IntegerField(source="penulis_id", allow_null=True)
    permintaan = serializers.IntegerField(source="permintaan_id", allow_null=True)
    kepada = serializers.SerializerMethodField()
    dijawab = serializers.SerializerMethodField()

    class Meta:
        model = PenjelasanKeberatan
        fields = [
            "id",
            "jenis",
            "peran",
            "kepada",
            "permintaan",
            "dijawab",
            "penulis",
            "isi",
            "dibuat",
        ]

    @extend_schema_field(
        serializers.ChoiceField(
            choices=[("pejabat_penilai", "Pejabat penilai"), ("pegawai", "Pegawai")],
            allow_null=True,
        )
    )
    def get_kepada(self, obj) -> str | None:
        return obj.kepada or None

    @extend_schema_field(serializers.BooleanField(allow_null=True))
    def get_dijawab(self, obj) -> bool | None:
        if obj.jenis != PenjelasanKeberatan.Jenis.PERMINTAAN:
            return None
        return obj.pk in self.context.get("dijawab", set())


def _nullable_choice(choices):
    return extend_schema_field(serializers.ChoiceField(choices=choices, allow_null=True))


class KeberatanSerializer(serializers.ModelSerializer):
    evaluasi = serializers.IntegerField(source="evaluasi_id")
    pegawai = serializers.IntegerField(source="pegawai_id")
    pejabat_penilai = serializers.IntegerField(source="pejabat_penilai_id", allow_null=True)
    pemutus = serializers.IntegerField(source="pemutus_id", allow_null=True)
    keputusan = serializers.SerializerMethodField()
    rating_hasil_kerja_baru = serializers.SerializerMethodField()
    rating_perilaku_kerja_baru = serializers.SerializerMethodField()
    predikat_baru = serializers.SerializerMethodField()
    lampiran = LampiranKeberatanSerializer(source="lampiran_set", many=True)
    penjelasan = serializers.SerializerMethodField()

    class Meta:
        model = Keberatan
        fields = [
            "id",
            "evaluasi",
            "pegawai",
            "pejabat_penilai",
            "pemutus",
            "sumber_pemutus",
            "status",
            "alasan",
            "lampiran",
            "rating_hasil_kerja_semula",
            "rating_perilaku_kerja_semula",
            "predikat_semula",
            "diajukan",
            "batas_putusan",
            "penjelasan",
            "keputusan",
            "alasan_keputusan",
            "rating_hasil_kerja_baru",
            "rating_perilaku_kerja_baru",
            "predikat_baru",
            "diputus_pada",
            "row_version",
            "diubah",
        ]
        read_only_fields = fields

    @_nullable_choice(Keberatan.Keputusan.choices)
    def get_keputusan(self, obj) -> str | None:
        return obj.keputusan or None

    @_nullable_choice(Rating.choices)
    def get_rating_hasil_kerja_baru(self, obj) -> str | None:
        return obj.rating_hasil_kerja_baru or None

    @_nullable_choice(Rating.choices)
    def get_rating_perilaku_kerja_baru(self, obj) -> str | None:
        return obj.rating_perilaku_kerja_baru or None

    @_nullable_choice(Predikat.choices)
    def get_predikat_baru(self, obj) -> str | None:
        return obj.predikat_baru or None

    @extend_schema_field(PenjelasanKeberatanSerializer(many=True))
    def get_penjelasan(self, obj) -> list:
        items = list(obj.penjelasan_set.all())
        dijawab = {p.permintaan_id for p in items if p.permintaan_id}
        return PenjelasanKeberatanSerializer(items, many=True, context={"dijawab": dijawab}).data


ID_MAKS = 2**63 - 1


class KeberatanAjukanSerializer(serializers.Serializer):
    evaluasi = serializers.IntegerField(min_value=1, max_value=ID_MAKS)
    alasan = serializers.CharField(allow_blank=True)
    lampiran = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True), required=False
    )


class MintaPenjelasanSerializer(serializers.Serializer):
    kepada = serializers.ListField(
        child=serializers.ChoiceField(
            choices=[("pejabat_penilai", "Pejabat penilai"), ("pegawai", "Pegawai")]
        )
    )
    pertanyaan = serializers.CharField(allow_blank=True)


class JelaskanSerializer(serializers.Serializer):
    isi = serializers.CharField(allow_blank=True)
    permintaan = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=ID_MAKS
    )


class PutuskanSerializer(serializers.Serializer):
    keputusan = serializers.ChoiceField(choices=Keberatan.Keputusan.choices)
    alasan_keputusan = serializers.CharField(allow_blank=True)
    rating_hasil_kerja = serializers.ChoiceField(
        choices=Rating.choices, required=False, allow_blank=True
    )
    rating_perilaku_kerja = serializers.ChoiceField(
        choices=Rating.choices, required=False, allow_blank=True
    )
    # The version of the thread the decision was made on (a newer explanation: 400).
    row_version = serializers.IntegerField(error_messages=VERSI_WAJIB)


class KeberatanFilter(StrictFilterSet):
    terbuka = BoolFilter(
        method="filter_terbuka",
        help_text="true: yang belum diputus; false: yang sudah diputus.",
    )

    class Meta:
        model = Keberatan
        fields = ["status", "evaluasi", "pegawai", "terbuka"]

    def filter_terbuka(self, queryset, name, value):
        if value is None:
            return queryset
        if value:
            return queryset.exclude(status=Keberatan.Status.DIPUTUS)
        return queryset.filter(status=Keberatan.Status.DIPUTUS)


class KeberatanViewSet(
    PolicyScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Keberatan: visible to the pegawai, the pejabat penilai, the pemutus and the instansi
    admin (read only); everyone else gets 404. The pegawai files (`POST`, JSON or multipart
    with `lampiran` files) within 14 days of the evaluation becoming final; the pemutus asks
    for explanations and decides; the parties answer."""

    serializer_class = KeberatanSerializer
    filterset_class = KeberatanFilter
    nama_sumber = "keberatan"
    deskripsi = {
        "create": "Pegawai mengajukan keberatan atas evaluasi finalnya (paling lambat 14 hari "
        "sejak final), dengan `alasan` dan boleh melampirkan berkas (`lampiran`, multipart). "
        "Satu keberatan terbuka per evaluasi: bila sudah ada, 400.",
        "minta_penjelasan": "Pemutus meminta penjelasan kepada pejabat penilai dan/atau pegawai.",
        "jelaskan": "Pejabat penilai atau pegawai yang diminta memberi penjelasan.",
        "putuskan": "Pemutus memutus keberatan: `tetap`, atau `diubah` dengan rating baru. "
        "Keputusan final; evaluasi yang diubah menunjuk keberatan ini.",
    }

    def base_queryset(self):
        return (
            Keberatan.objects.select_related("pegawai__instansi")
            .prefetch_related("lampiran_set", "penjelasan_set")
            .order_by("pk")
        )

    def _baru(self, k) -> Response:
        return Response(KeberatanSerializer(self.base_queryset().get(pk=k.pk)).data)

    def _boleh(self, k, aksi: str) -> None:
        # A visible keberatan the caller may not act on: 403 before the body is judged.
        if not policy.can(self.request.user, aksi, k):
            raise PermissionDenied(
                "Keberatan ini sudah diputus; keputusan tersebut final."
                if not k.terbuka
                else "Anda tidak berwenang melakukan tindakan ini atas keberatan ini."
            )

    @extend_schema(request=KeberatanAjukanSerializer, responses={201: KeberatanSerializer})
    def create(self, request, *args, **kwargs):
        s = KeberatanAjukanSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        ev = policy.get_for_user(request.user, Evaluasi.objects.all(), pk=d["evaluasi"])
        k = services.keberatan_ajukan(
            user=request.user, evaluasi=ev, alasan=d["alasan"], lampiran=d.get("lampiran") or []
        )
        response = self._baru(k)
        response.status_code = 201
        return response

    @extend_schema(request=MintaPenjelasanSerializer, responses=KeberatanSerializer)
    @action(detail=True, methods=["post"], url_path="minta-penjelasan")
    def minta_penjelasan(self, request, pk=None):
        k = self.get_object()
        self._boleh(k, "minta_penjelasan")
        s = MintaPenjelasanSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        services.keberatan_minta_penjelasan(
            user=request.user,
            keberatan=k,
            kepada=s.validated_data["kepada"],
            pertanyaan=s.validated_data["pertanyaan"],
        )
        return self._baru(k)

    @extend_schema(request=JelaskanSerializer, responses=KeberatanSerializer)
    @action(detail=True, methods=["post"])
    def jelaskan(self, request, pk=None):
        k = self.get_object()
        self._boleh(k, "jelaskan")
        s = JelaskanSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        services.keberatan_jelaskan(
            user=request.user,
            keberatan=k,
            isi=s.validated_data["isi"],
            permintaan=s.validated_data.get("permintaan"),
        )
        return self._baru(k)

    @extend_schema(request=PutuskanSerializer, responses=KeberatanSerializer)
    @action(detail=True, methods=["post"])
    def putuskan(self, request, pk=None):
        k = self.get_object()
        self._boleh(k, "putuskan")
        s = PutuskanSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        services.keberatan_putuskan(
            user=request.user,
            keberatan=k,
            keputusan=d["keputusan"],
            alasan_keputusan=d["alasan_keputusan"],
            rating_hasil_kerja=d.get("rating_hasil_kerja", ""),
            rating_perilaku_kerja=d.get("rating_perilaku_kerja", ""),
            row_version=d["row_version"],
        )
        return self._baru(k)


router = SimpleRouter()
router.register("kinerja-organisasi", KinerjaOrganisasiViewSet, basename="kinerja-organisasi")
router.register("evaluasi", EvaluasiViewSet, basename="evaluasi")
router.register("keberatan", KeberatanViewSet, basename="keberatan")

from django.urls import path  # noqa: E402

urlpatterns = [
    path("distribusi/", DistribusiView.as_view(), name="api-distribusi"),
    *router.urls,
]
