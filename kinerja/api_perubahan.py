"""REST API: deletions for incremental sync (`perubahan/?diubah_sejak=`), api.md.

Each tombstone is `{"jenis", "id", "dihapus"}`: the resource's path name, the id it had and when
it was deleted. A caller sees only deletions of rows it could see (kinerja/policy/sinkron.py).
"""

from __future__ import annotations

import django_filters
from rest_framework import mixins, serializers, viewsets
from rest_framework.routers import SimpleRouter

from kinerja.api_base import PolicyScopedMixin
from kinerja.api_filters import StrictFilterSet
from kinerja.models import Penghapusan


def jenis_choices() -> list[tuple[str, str]]:
    from django.apps import apps

    from kinerja.sinkron import Sinkron

    names = sorted(
        {m.sinkron_jenis for m in apps.get_models() if issubclass(m, Sinkron) and m.sinkron_jenis}
    )
    return [(n, n) for n in names]


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


router = SimpleRouter()
router.register("perubahan", PerubahanViewSet, basename="perubahan")

urlpatterns = router.urls
