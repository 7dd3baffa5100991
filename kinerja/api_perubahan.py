"""REST API: deletions for incremental sync (`perubahan/?diubah_sejak=`), api.md.

Each tombstone is `{"jenis", "id", "dihapus"}`: the resource's path name, the id it had and when
it was deleted. A caller sees only deletions of rows it could see (kinerja/policy/sinkron.py).

`perubahan/ringkasan/?diubah_sejak=&jenis=a,b` answers in one request how many rows of each
resource changed since then and how many were deleted, counted over what the caller may see:
a nightly sync asks it first and pulls only the resources that changed (most nights one or two
lists instead of every list), which keeps an incremental run at a few requests.
"""

from __future__ import annotations

import django_filters
from django.db.models import Count
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from kinerja import policy
from kinerja.api_base import SINKRON_PARAM, PolicyScopedMixin, parse_waktu
from kinerja.api_filters import StrictFilterSet
from kinerja.models import Penghapusan

JENIS_TIDAK_DIKENAL = "Sumber daya tidak dikenal: {}. Yang diterima: {}."


def model_per_jenis() -> dict[str, type]:
    """The API path name of every synced resource -> its model."""
    from django.apps import apps

    from kinerja.sinkron import Sinkron

    return {
        m.sinkron_jenis: m
        for m in apps.get_models()
        if issubclass(m, Sinkron) and getattr(m, "sinkron_jenis", "")
    }


def jenis_choices() -> list[tuple[str, str]]:
    return [(n, n) for n in sorted(model_per_jenis())]


class PenghapusanSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(source="objek_id", help_text="Id yang dimiliki data itu.")
    jenis = serializers.CharField(help_text="Nama sumber daya, mis. `rencana-hasil-kerja`.")

    class Meta:
        model = Penghapusan
        fields = ["jenis", "id", "dihapus"]
        read_only_fields = fields


class PerubahanFilter(StrictFilterSet):
    jenis = django_filters.ChoiceFilter(choices=jenis_choices, help_text="Nama sumber daya.")

    class Meta:
        model = Penghapusan
        fields = ["jenis"]


class PerubahanViewSet(PolicyScopedMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = PenghapusanSerializer
    filterset_class = PerubahanFilter
    sinkron_field = "dihapus"
    nama_sumber = "penghapusan"
    deskripsi = {
        "list": "Data yang dihapus, untuk sinkronisasi inkremental: `{jenis, id, dihapus}`. "
        "Kirim `diubah_sejak` (waktu ISO 8601) yang sama dengan sinkronisasi daftar lain; "
        "urut menurut (`dihapus`, `id`) dengan kursor. Hanya penghapusan data yang boleh Anda "
        "lihat yang muncul."
    }

    def base_queryset(self):
        return Penghapusan.objects.order_by("dihapus", "id")

    @extend_schema(
        summary="Ringkasan perubahan sejak suatu waktu",
        description="Berapa data tiap sumber daya yang berubah dan berapa yang dihapus sejak "
        "`diubah_sejak`, dihitung atas data yang boleh Anda lihat, dalam satu permintaan. "
        "Sinkronisasi malam menanyakan ini lebih dulu lalu hanya menarik daftar yang berubah.",
        parameters=[
            OpenApiParameter(
                SINKRON_PARAM, OpenApiTypes.DATETIME, required=True, description="Waktu ISO 8601."
            ),
            OpenApiParameter(
                "jenis",
                OpenApiTypes.STR,
                description="Nama sumber daya dipisah koma (mis. `pegawai,evaluasi`); "
                "tanpa ini: semua.",
            ),
        ],
        responses=inline_serializer(
            "RingkasanPerubahan",
            {
                "diubah_sejak": serializers.DateTimeField(),
                "berubah": serializers.DictField(child=serializers.IntegerField()),
                "dihapus": serializers.DictField(child=serializers.IntegerField()),
            },
        ),
    )
    @action(detail=False, methods=["get"])
    def ringkasan(self, request):
        asing = sorted(set(request.query_params) - {SINKRON_PARAM, "jenis", "format"})
        if asing:
            pesan = "Parameter tidak dikenal. Yang diterima: diubah_sejak, jenis."
            raise serializers.ValidationError({n: [pesan] for n in asing})
        if not request.query_params.get(SINKRON_PARAM):
            raise serializers.ValidationError({SINKRON_PARAM: ["Wajib diisi (waktu ISO 8601)."]})
        sejak = parse_waktu(request.query_params[SINKRON_PARAM])
        models = model_per_jenis()
        diminta = [j for j in request.query_params.get("jenis", "").split(",") if j.strip()]
        asing = sorted({j.strip() for j in diminta} - set(models))
        if asing:
            raise serializers.ValidationError(
                {"jenis": [JENIS_TIDAK_DIKENAL.format(", ".join(asing), ", ".join(sorted(models)))]}
            )
        pilih = sorted({j.strip() for j in diminta} or set(models))
        user = request.user
        berubah = {
            j: policy.scope(user, models[j]._default_manager.filter(diubah__gte=sejak)).count()
            for j in pilih
        }
        dihapus = dict.fromkeys(pilih, 0)
        # Scoped after the time and kinds are narrowed: the parent rule reads only those.
        for j, n in (
            policy.scope(user, Penghapusan.objects.filter(dihapus__gte=sejak, jenis__in=pilih))
            .values_list("jenis")
            .annotate(n=Count("id"))
            .order_by()
        ):
            dihapus[j] = n
        return Response({"diubah_sejak": sejak, "berubah": berubah, "dihapus": dihapus})


router = SimpleRouter()
router.register("perubahan", PerubahanViewSet, basename="perubahan")

urlpatterns = router.urls
