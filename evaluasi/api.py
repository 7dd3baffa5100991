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
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView

from evaluasi import jendela, rules, selectors, services
from evaluasi.models import Evaluasi, KinerjaOrganisasi, Predikat, Rating
from kinerja import policy
from kinerja.api_base import PolicyScopedMixin
from kinerja.models import Pegawai, Periode, UnitKerja


class KinerjaOrganisasiSerializer(serializers.ModelSerializer):
    unit_kerja = serializers.IntegerField(source="unit_kerja_id")
    periode = serializers.IntegerField(source="periode_id")

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
        ]
        read_only_fields = ["ditetapkan_pada", "row_version"]
        extra_kwargs = {"jenis": {"required": False}, "urutan": {"required": False}}


class KinerjaOrganisasiViewSet(
    PolicyScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = KinerjaOrganisasiSerializer

    def base_queryset(self):
        qs = KinerjaOrganisasi.objects.select_related("unit_kerja").order_by("pk")
        for f in ("periode", "unit_kerja"):
            v = self.request.query_params.get(f)
            if v and v.isdigit():
                qs = qs.filter(**{f"{f}_id": int(v)})
        return qs

    def _simpan(self, data, instance=None):
        user = self.request.user
        unit = policy.get_for_user(user, UnitKerja.objects.all(), pk=data["unit_kerja_id"])
        periode = policy.get_for_user(user, Periode.objects.all(), pk=data["periode_id"])
        return services.kinerja_organisasi_tetapkan(
            user=user,
            unit_kerja=unit,
            periode=periode,
            jenis=data.get("jenis") or "tahunan",
            urutan=data.get("urutan"),
            predikat=data["predikat"],
            capaian=data.get("capaian", ""),
            row_version=self.request.data.get("row_version") if instance else None,
        )

    def perform_create(self, serializer):
        serializer.instance = self._simpan(serializer.validated_data)

    def perform_update(self, serializer):
        inst = serializer.instance
        data = {
            "unit_kerja_id": inst.unit_kerja_id,
            "periode_id": inst.periode_id,
            "jenis": inst.jenis,
            "urutan": inst.urutan,
            "predikat": inst.predikat,
            "capaian": inst.capaian,
            **serializer.validated_data,
        }
        serializer.instance = self._simpan(data, instance=inst)


class EvaluasiSerializer(serializers.ModelSerializer):
    pegawai = serializers.IntegerField(source="pegawai_id")
    periode = serializers.IntegerField(source="periode_id")
    rating_hasil_kerja = serializers.ChoiceField(
        choices=Rating.choices, required=False, allow_blank=True
    )
    rating_perilaku_kerja = serializers.ChoiceField(
        choices=Rating.choices, required=False, allow_blank=True
    )
    # Derived, never typed: null until both ratings are given.
    predikat = serializers.SerializerMethodField()
    saran_rating_hasil_kerja = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ChoiceField(choices=Predikat.choices, allow_null=True))
    def get_predikat(self, obj) -> str | None:
        return obj.predikat or None

    @extend_schema_field(serializers.ChoiceField(choices=Rating.choices, allow_null=True))
    def get_saran_rating_hasil_kerja(self, obj) -> str | None:
        return obj.saran_rating_hasil_kerja or None

    class Meta:
        model = Evaluasi
        fields = [
            "id",
            "pegawai",
            "periode",
            "jenis",
            "urutan",
            "rating_hasil_kerja",
            "rating_perilaku_kerja",
            "predikat",
            "saran_rating_hasil_kerja",
            "alasan_ubah_rating",
            "status",
            "finalisasi_pada",
            "row_version",
        ]
        read_only_fields = ["predikat", "saran_rating_hasil_kerja", "status", "finalisasi_pada"]
        extra_kwargs = {"urutan": {"required": False}, "row_version": {"required": False}}


class FinalisasiSerializer(serializers.Serializer):
    justifikasi = serializers.CharField(required=False, allow_blank=True)
    row_version = serializers.IntegerField(required=False)


class EvaluasiViewSet(
    PolicyScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = EvaluasiSerializer

    def base_queryset(self):
        qs = Evaluasi.objects.select_related("pegawai", "periode").order_by("pk")
        p = self.request.query_params
        for f in ("periode", "pegawai"):
            if (p.get(f) or "").isdigit():
                qs = qs.filter(**{f"{f}_id": int(p[f])})
        if p.get("jenis") in ("periodik", "tahunan"):
            qs = qs.filter(jenis=p["jenis"])
        if (p.get("urutan") or "").isdigit():
            qs = qs.filter(urutan=int(p["urutan"]))
        return qs

    def _ratings(self, ev, data):
        if "rating_hasil_kerja" not in data and "rating_perilaku_kerja" not in data:
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
        )
        d = {k: v for k, v in d.items() if k != "row_version"}
        serializer.instance = self._ratings(ev, d)

    def perform_update(self, serializer):
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


class DistribusiView(APIView):
    """The actual distribution of a unit in a window next to the guidance of its kinerja
    organisasi (a guideline, not forced distribution)."""

    serializer_class = DistribusiSerializer

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
        p = request.query_params
        if not (p.get("unit_kerja") or "").isdigit() or not (p.get("periode") or "").isdigit():
            raise ValidationError(
                {"non_field_errors": ["Parameter unit_kerja dan periode (id) wajib diisi."]}
            )
        user = request.user
        unit = policy.get_for_user(user, UnitKerja.objects.all(), pk=int(p["unit_kerja"]))
        periode = policy.get_for_user(
            user, Periode.objects.select_related("instansi"), pk=int(p["periode"])
        )
        if unit.instansi_id != periode.instansi_id:
            raise Http404
        from kinerja.policy.evaluasi import boleh_lihat_distribusi_unit

        if not boleh_lihat_distribusi_unit(policy.actor(user), unit):
            raise PermissionDenied("Distribusi unit ini hanya untuk pimpinan, penilai, dan admin.")
        urutan = int(p["urutan"]) if (p.get("urutan") or "").isdigit() else None
        w = jendela.dari_jenis(periode, p.get("jenis") or "tahunan", urutan)
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


router = SimpleRouter()
router.register("kinerja-organisasi", KinerjaOrganisasiViewSet, basename="kinerja-organisasi")
router.register("evaluasi", EvaluasiViewSet, basename="evaluasi")

from django.urls import path  # noqa: E402

urlpatterns = [
    path("distribusi/", DistribusiView.as_view(), name="api-distribusi"),
    *router.urls,
]
