"""REST API (/api/v1/siasn/): SIASN records of final evaluations and the send log.

siasn/skp22/                 one record per final annual evaluation (?tahun=, ?pegawai=,
                             ?unit_kerja=), in SIASN's field names
siasn/kinerja-periodik/      one record per final periodic evaluation (also ?urutan=)
siasn/kiriman/               what was pushed, when, which attempt, SIASN's status and answer
                             (?tahun=, ?status=, ?jenis=, ?pegawai=, ?evaluasi=); action
                             kirim-ulang (the instansi admin)

Seen by the instansi admin (and integration tokens acting for it); a pegawai sees the records
of their own final evaluations; nobody else. An unknown or invalid parameter is a 400 naming it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.urls import path
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from evaluasi.siasn import rules, services
from evaluasi.siasn.models import Kiriman
from evaluasi.siasn.rekaman import evaluasi_qs, rekaman
from kinerja.api_base import PolicyScopedMixin

PARAM_UMUM = {"page", "page_size", "cursor", "format"}
_MAKS = 2**31 - 1


def _bulat(raw: str) -> int:
    if not raw.isdigit() or not 0 < int(raw) <= _MAKS:
        raise ValueError("Harus berupa bilangan bulat positif.")
    return int(raw)


def _tahun(raw: str) -> int:
    if not raw.isdigit() or not 2000 <= int(raw) <= 2100:
        raise ValueError("Tahun harus berupa empat angka, misalnya 2025.")
    return int(raw)


def _pilihan(choices: list[str]) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        if raw not in choices:
            raise ValueError("Pilih salah satu: " + ", ".join(choices) + ".")
        return raw

    return parse


def saring(request: Any, allowed: dict[str, Callable[[str], Any]]) -> dict[str, Any]:
    """The query's filters, parsed; 400 naming every unknown or invalid parameter."""
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}
    for key in request.query_params:
        if key in PARAM_UMUM:
            continue
        if key not in allowed:
            errors[key] = [
                "Parameter tidak dikenal. Yang berlaku: " + ", ".join(sorted(allowed)) + "."
            ]
            continue
        values = request.query_params.getlist(key)
        if len(values) != 1:
            errors[key] = ["Parameter ini hanya boleh diberikan sekali."]
            continue
        try:
            out[key] = allowed[key](values[0].strip())
        except ValueError as exc:
            errors[key] = [str(exc)]
    if errors:
        raise serializers.ValidationError(errors)
    return out


def _param(name: str, typ: Any, desc: str, **kw: Any) -> OpenApiParameter:
    return OpenApiParameter(name, typ, OpenApiParameter.QUERY, description=desc, **kw)


def _kode(desc: str) -> serializers.IntegerField:
    return serializers.IntegerField(allow_null=True, help_text=desc)


def _teks(desc: str) -> serializers.CharField:
    return serializers.CharField(allow_null=True, help_text=desc)


class RekamanSkp22Serializer(serializers.Serializer):
    pnsDinilaiId = _teks(  # noqa: N815 (SIASN's field names)
        "ID pegawai di SIASN (data utama); null bila belum diketahui (diambil saat dikirim)."
    )
    tahun = serializers.IntegerField(help_text="Tahun penilaian.")
    hasilKinerjaNilai = _kode(  # noqa: N815
        "Kode rating hasil kerja dari referensi SIASN perilakuDanKinerja."
    )
    perilakuKerjaNilai = _kode(  # noqa: N815
        "Kode rating perilaku kerja dari referensi SIASN perilakuDanKinerja."
    )
    kuadranKinerjaNilai = _kode(  # noqa: N815
        "Kode predikat kinerja dari referensi SIASN kuadranNilai."
    )
    penilaiNipNrp = _teks("NIP pejabat penilai yang membuat evaluasi ini.")  # noqa: N815
    penilaiNama = _teks("Nama pejabat penilai.")  # noqa: N815
    penilaiGolongan = _teks(  # noqa: N815
        "Kode golongan pejabat penilai dari referensi SIASN golonganPns (null untuk NON ASN)."
    )
    penilaiJabatan = _teks("Jabatan pejabat penilai pada masa penilaian.")  # noqa: N815
    penilaiUnorNama = _teks("Unit kerja pejabat penilai pada masa penilaian.")  # noqa: N815
    statusPenilai = serializers.ChoiceField(  # noqa: N815
        choices=["ASN", "NON ASN"], allow_null=True, help_text="ASN atau NON ASN."
    )
    pnsDinilaiOrang = _teks(  # noqa: N815
        "Sama dengan pnsDinilaiId: nama kolom ini pada /skp22/save SIASN."
    )
    nipBaru = _teks("NIP (NI PPPK) pegawai yang dinilai.")  # noqa: N815
    evaluasi = serializers.IntegerField(help_text="ID evaluasi di Kinerja (kunci rekaman).")

    jenis = rules.SKP22

    def to_representation(self, instance):
        # api.md's fields first, in its order, then the extras (rules.kolom).
        data = super().to_representation(instance)
        return {k: data[k] for k in rules.kolom(self.jenis)}


class RekamanPeriodikSerializer(RekamanSkp22Serializer):
    jenis = rules.PERIODIK
    periodikId = _teks("Kode frekuensi evaluasi dari referensi SIASN periodik.")  # noqa: N815
    bulanMulaiPenilaian = serializers.IntegerField(help_text="Bulan awal masa penilaian.")  # noqa: N815
    bulanSelesaiPenilaian = serializers.IntegerField(  # noqa: N815
        help_text="Bulan akhir masa penilaian."
    )
    tahunMulaiPenilaian = serializers.IntegerField(help_text="Tahun awal masa penilaian.")  # noqa: N815
    tahunSelesaiPenilaian = serializers.IntegerField(  # noqa: N815
        help_text="Tahun akhir masa penilaian."
    )
    koefisienId = _teks(  # noqa: N815
        "Kode koefisien (jenjang jabatan fungsional pegawai) dari referensi SIASN koefisien."
    )
    penilaiJabatanNama = _teks(  # noqa: N815
        "Sama dengan penilaiJabatan: nama kolom ini pada /kinerjaperiodik/save SIASN."
    )


class _RekamanViewSet(viewsets.GenericViewSet):
    jenis = rules.SKP22
    param: dict[str, Callable[[str], Any]] = {
        "tahun": _tahun,
        "pegawai": _bulat,
        "unit_kerja": _bulat,
    }

    def get_queryset(self):
        return evaluasi_qs(self.request.user, self.jenis, **saring(self.request, self.param))

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        data = self.get_serializer(rekaman(list(page), self.jenis), many=True).data
        return self.get_paginated_response(data)


_FILTER_REKAMAN = [
    _param("tahun", int, "Tahun penilaian, misalnya 2025."),
    _param("pegawai", int, "ID pegawai yang dinilai."),
    _param("unit_kerja", int, "ID unit kerja pegawai yang dinilai (saat ini)."),
]


@extend_schema(
    tags=["siasn"],
    summary="Rekaman SKP 2022 untuk SIASN",
    description=(
        "Satu rekaman per evaluasi tahunan (akhir) yang final, dengan nama kolom SIASN; kode "
        "diambil dari tabel referensi SIASN instansi. Untuk admin instansi; pegawai melihat "
        "rekamannya sendiri."
    ),
    parameters=_FILTER_REKAMAN,
)
class RekamanSkp22ViewSet(_RekamanViewSet):
    serializer_class = RekamanSkp22Serializer


@extend_schema(
    tags=["siasn"],
    summary="Rekaman kinerja periodik untuk SIASN",
    description=(
        "Satu rekaman per evaluasi periodik yang final (dua bila satu jendela dinilai dua "
        "pejabat penilai), dengan nama kolom SIASN."
    ),
    parameters=[*_FILTER_REKAMAN, _param("urutan", int, "Nomor jendela dalam tahun (1, 2, ...).")],
)
class RekamanPeriodikViewSet(_RekamanViewSet):
    jenis = rules.PERIODIK
    serializer_class = RekamanPeriodikSerializer
    param = {**_RekamanViewSet.param, "urutan": _bulat}


class KirimanSerializer(serializers.ModelSerializer):
    pegawai = serializers.IntegerField(source="pegawai_id", read_only=True)
    evaluasi = serializers.IntegerField(source="evaluasi_id", read_only=True)

    class Meta:
        model = Kiriman
        fields = [
            "id",
            "evaluasi",
            "pegawai",
            "jenis",
            "tahun",
            "urutan",
            "percobaan",
            "alasan",
            "status",
            "kode_status",
            "jawaban",
            "id_siasn",
            "isi",
            "dikirim",
            "durasi_ms",
        ]
        read_only_fields = fields


@extend_schema(tags=["siasn"])
class KirimanViewSet(
    PolicyScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = KirimanSerializer
    param = {
        "tahun": _tahun,
        "status": _pilihan(list(Kiriman.Status.values)),
        "jenis": _pilihan(list(rules.JENIS_REKAMAN)),
        "pegawai": _bulat,
        "evaluasi": _bulat,
    }

    def base_queryset(self):
        qs = Kiriman.objects.order_by("pk")
        if self.action == "list":
            f = saring(self.request, self.param)
            for key in ("pegawai", "evaluasi"):
                if key in f:
                    f[f"{key}_id"] = f.pop(key)
            qs = qs.filter(**f)
        return qs

    @extend_schema(
        summary="Daftar kiriman ke SIASN",
        description="Setiap percobaan pengiriman rekaman ke SIASN beserta jawaban SIASN.",
        parameters=[
            _param("tahun", int, "Tahun penilaian."),
            _param("status", str, "Hasil pengiriman.", enum=list(Kiriman.Status.values)),
            _param("jenis", str, "Jenis rekaman.", enum=list(rules.JENIS_REKAMAN)),
            _param("pegawai", int, "ID pegawai."),
            _param("evaluasi", int, "ID evaluasi."),
        ],
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        summary="Satu kiriman ke SIASN",
        description="Satu percobaan pengiriman: isi yang dikirim, waktu, percobaan ke berapa, "
        "kode status dan jawaban SIASN.",
    )
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        summary="Kirim ulang rekaman ke SIASN",
        description=(
            "Admin instansi meminta rekaman evaluasi dari kiriman ini dikirim lagi sekarang "
            "(lewat antrean latar). 400 bila pengiriman ke SIASN belum diaktifkan."
        ),
        request=None,
        responses={
            202: inline_serializer(
                "KirimUlang",
                {"job": serializers.IntegerField(), "status": serializers.CharField()},
            ),
            400: OpenApiResponse(description="Pengiriman belum aktif atau evaluasi tidak final."),
            403: OpenApiResponse(description="Bukan admin instansi."),
        },
    )
    @action(detail=True, methods=["post"], url_path="kirim-ulang")
    def kirim_ulang(self, request, pk=None):
        job = services.siasn_kirim_ulang(user=request.user, kiriman=self.get_object())
        return Response({"job": job.pk, "status": job.status}, status=status.HTTP_202_ACCEPTED)


router = SimpleRouter()
router.register("siasn/kiriman", KirimanViewSet, basename="siasn-kiriman")

urlpatterns = [
    path(
        "siasn/skp22/",
        RekamanSkp22ViewSet.as_view({"get": "list"}),
        name="siasn-skp22-list",
    ),
    path(
        "siasn/kinerja-periodik/",
        RekamanPeriodikViewSet.as_view({"get": "list"}),
        name="siasn-kinerja-periodik-list",
    ),
    *router.urls,
]
