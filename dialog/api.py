"""REST API (/api/v1/) for this stage: `umpan-balik/` and `penugasan/` (api.md).

Thin viewsets: reads through the policy (PolicyScopedMixin), writes through the services.
"""

from __future__ import annotations

import copy

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from dialog import selectors as sel
from dialog import services as svc
from dialog.models import Penugasan, UmpanBalik
from kinerja import policy
from kinerja.api_base import PolicyScopedMixin, RefPK, versi_field
from kinerja.api_filters import StrictFilterSet, TahunFilter, UrutanFilter
from kinerja.models import Pegawai


def _perilaku_choices() -> list[tuple[str, str]]:
    from skp.rules import BERAKHLAK

    return [(code, label) for code, label, _g in BERAKHLAK]


PENERIMA_TIDAK_ADA = "Pegawai tidak ditemukan."
# One answer for an id that does not exist, a row of someone else, and a row the giver may not
# aim at: which of them it is would confirm other people's rows.
RHK_SASARAN_SALAH = (
    "Rencana hasil kerja ini tidak dapat menjadi sasaran umpan balik Anda untuk pegawai ini; "
    "beri umpan balik umum atau tentang perilaku kerja."
)


class UmpanBalikSerializer(serializers.ModelSerializer):
    # Every feedback write builds this serializer: its fields are built from the model once
    # per process and each instance gets shallow copies (its own binding, the same settings)
    # instead of DRF's introspection and deep copies on every request (issue 19; about a third
    # of the serializer's CPU). Nothing here changes a field's lists or dicts in place.
    _fields_dibuat: dict | None = None

    def get_fields(self):
        cls = type(self)
        if cls.__dict__.get("_fields_dibuat") is None:
            cls._fields_dibuat = super().get_fields()
        return {name: copy.copy(field) for name, field in cls._fields_dibuat.items()}

    # Only the id is checked here (`muat=False`): validate_penerima reads the row once, with
    # its login and its period, and asks the policy of it before anything else.
    penerima = RefPK(queryset=Pegawai.objects.all(), pesan=PENERIMA_TIDAK_ADA, muat=False)
    rencana_hasil_kerja = RefPK(
        queryset=UmpanBalik._meta.get_field("rencana_hasil_kerja")
        .related_model.objects.select_related("skp")
        .all(),
        required=False,
        allow_null=True,
        pesan=RHK_SASARAN_SALAH,
    )
    perilaku = serializers.ChoiceField(
        choices=_perilaku_choices(), required=False, allow_blank=True
    )

    class Meta:
        model = UmpanBalik
        fields = [
            "id",
            "penerima",
            "pemberi",
            "hubungan",
            "rencana_hasil_kerja",
            "perilaku",
            "jenis",
            "cara",
            "isi",
            "periode",
            "urutan",
            "dibuat",
            "diubah",
        ]
        read_only_fields = ["pemberi", "hubungan", "periode", "urutan", "dibuat"]

    def pemberi(self) -> Pegawai:
        """The caller's pegawai: the row the login was loaded with (the service is given it)."""
        if getattr(self, "_pemberi", None) is None:
            self._pemberi = svc.pegawai_dari(self.context["request"].user, dengan_relasi=False)
        return self._pemberi

    def validate_penerima(self, value: int) -> Pegawai:
        # An id the caller may not give feedback to reads as "not found", revealing nothing:
        # a missing id, another instansi's pegawai and someone who left get the same answer.
        saya = self.pemberi()
        tahun = timezone.localdate().year  # the service's period year (its `waktu` is now)
        row = svc.penerima_dengan_periode(value, tahun)
        found = None
        if row is not None:
            found = sel.penerima_boleh(pemberi=saya, pegawai_id=value, dimuat=row)
        if found is None:
            raise serializers.ValidationError(PENERIMA_TIDAK_ADA)
        return found

    def validate_rencana_hasil_kerja(self, value):
        # Asked on the field itself, whatever the other fields hold: a row the caller may not
        # give feedback on reads exactly like an id that does not exist (issue 15, finding 9).
        if value is not None:
            pemberi = self.pemberi()
            if pemberi is None or not svc.boleh_sasaran_rhk(
                pemberi=pemberi, penerima=value.skp.pegawai, rhk=value
            ):
                raise serializers.ValidationError(RHK_SASARAN_SALAH)
        return value

    def validate(self, attrs):
        rhk = attrs.get("rencana_hasil_kerja")
        if rhk is not None:
            pemberi = self.pemberi()
            penerima = attrs["penerima"]
            if rhk.skp.pegawai_id != penerima.pk or not svc.boleh_sasaran_rhk(
                pemberi=pemberi, penerima=penerima, rhk=rhk
            ):
                raise serializers.ValidationError({"rencana_hasil_kerja": [RHK_SASARAN_SALAH]})
        return attrs


class UmpanBalikFilter(StrictFilterSet):
    tahun = TahunFilter(field_name="periode__tahun")
    urutan = UrutanFilter()

    class Meta:
        model = UmpanBalik
        fields = [
            "penerima",
            "pemberi",
            "hubungan",
            "jenis",
            "perilaku",
            "periode",
            "tahun",
            "urutan",
        ]


class UmpanBalikViewSet(
    PolicyScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Ongoing feedback. `hubungan` is derived; feedback is never edited or deleted."""

    serializer_class = UmpanBalikSerializer
    filterset_class = UmpanBalikFilter
    nama_sumber = "umpan balik"
    deskripsi = {
        "create": "Memberi umpan balik kepada pegawai (apresiasi atau perlu perbaikan), umum, "
        "tentang satu rencana hasil kerjanya, atau tentang satu nilai perilaku. `hubungan` "
        "diturunkan. Selalu membuat umpan balik baru; umpan balik tidak diubah atau dihapus.",
    }

    def base_queryset(self):
        return UmpanBalik.objects.all().order_by("-dibuat", "-id")

    def perform_create(self, serializer):
        d = serializer.validated_data
        serializer.instance = svc.umpan_balik_beri(
            user=self.request.user,
            penerima=d["penerima"],
            jenis=d.get("jenis", ""),
            cara=d.get("cara", UmpanBalik.Cara.TERTULIS),
            isi=d.get("isi", ""),
            rencana_hasil_kerja=d.get("rencana_hasil_kerja"),
            perilaku=d.get("perilaku", ""),
            pemberi=serializer.pemberi(),
        )


class PenugasanSerializer(serializers.ModelSerializer):
    penerima = RefPK(queryset=Pegawai.objects.all(), required=False, pesan=PENERIMA_TIDAK_ADA)
    penerima_nip = serializers.CharField(
        write_only=True, required=False, help_text="NIP lengkap penerima (juga instansi lain)."
    )

    class Meta:
        model = Penugasan
        fields = [
            "id",
            "pemberi",
            "penerima",
            "penerima_nip",
            "uraian",
            "hasil_diharapkan",
            "sukarela",
            "status",
            "alasan",
            "periode",
            "jenis_rhk",
            "peluang",
            "tim",
            "rencana_hasil_kerja",
            "dibuat",
            "diputuskan",
            "row_version",
            "diubah",
        ]
        read_only_fields = [
            "pemberi",
            "sukarela",
            "status",
            "alasan",
            "periode",
            "peluang",
            "tim",
            "rencana_hasil_kerja",
            "dibuat",
            "diputuskan",
            "row_version",
        ]

    def validate(self, attrs):
        user = self.context["request"].user
        penerima = attrs.get("penerima")
        nip = attrs.pop("penerima_nip", "")
        if penerima is not None:
            # By id only within what the caller may see; another instansi by exact NIP.
            if not policy.scope(user, Pegawai.objects.filter(pk=penerima.pk)).exists():
                penerima = None
                raise serializers.ValidationError({"penerima": [PENERIMA_TIDAK_ADA]})
        elif nip:
            penerima = sel.pegawai_dengan_nip(nip)
            if penerima is None:
                raise serializers.ValidationError(
                    {"penerima_nip": ["Tidak ada pegawai aktif dengan NIP tersebut."]}
                )
        else:
            raise serializers.ValidationError(
                {"penerima": ["Isi penerima (id) atau penerima_nip."]}
            )
        attrs["penerima"] = penerima
        return attrs


class KeputusanSerializer(serializers.Serializer):
    alasan = serializers.CharField(required=False, allow_blank=True, default="")
    jenis_rhk = serializers.ChoiceField(
        choices=Penugasan.JenisRHK.choices, required=False, allow_null=True, default=None
    )
    ekspektasi = serializers.CharField(required=False, allow_blank=True, default="")
    catatan = serializers.CharField(required=False, allow_blank=True, default="")
    row_version = versi_field(required=False, allow_null=True, default=None)


class PenugasanFilter(StrictFilterSet):
    tahun = TahunFilter(field_name="periode__tahun")

    class Meta:
        model = Penugasan
        fields = ["status", "penerima", "pemberi", "sukarela", "periode", "tahun"]


class PenugasanViewSet(
    PolicyScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Assignments routed through the penerima's pejabat penilai; only they `setujui`/`tolak`."""

    serializer_class = PenugasanSerializer
    filterset_class = PenugasanFilter
    nama_sumber = "penugasan"
    deskripsi = {
        "create": "Mengusulkan penugasan kepada pegawai (dengan `penerima` id, atau "
        "`penerima_nip` untuk pegawai instansi lain). Selalu membuat usulan baru; diputus oleh "
        "pejabat penilai penerima.",
        "setujui": "Pejabat penilai penerima menyetujui penugasan (klarifikasi ekspektasi dan "
        "versi SKP baru menyusul).",
        "tolak": "Pejabat penilai penerima menolak penugasan dengan `alasan` (wajib).",
    }

    def base_queryset(self):
        return Penugasan.objects.select_related("penerima").order_by("-dibuat", "-id")

    def perform_create(self, serializer):
        d = serializer.validated_data
        serializer.instance = svc.penugasan_usulkan(
            user=self.request.user,
            penerima=d["penerima"],
            uraian=d.get("uraian", ""),
            hasil_diharapkan=d.get("hasil_diharapkan", ""),
            jenis_rhk=d.get("jenis_rhk", Penugasan.JenisRHK.TAMBAHAN),
        )

    def _keputusan(self, request, setujui: bool):
        p = self.get_object()  # 404 when the caller may not see it
        policy.require(request.user, "setujui" if setujui else "tolak", p)  # 403
        s = KeputusanSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        try:
            if setujui:
                p = svc.penugasan_setujui(
                    user=request.user,
                    penugasan=p,
                    alasan=d["alasan"],
                    jenis_rhk=d["jenis_rhk"],
                    ekspektasi=d["ekspektasi"],
                    catatan=d["catatan"],
                    row_version=d["row_version"],
                )
            else:
                p = svc.penugasan_tolak(
                    user=request.user,
                    penugasan=p,
                    alasan=d["alasan"],
                    row_version=d["row_version"],
                )
        except DjangoValidationError:
            raise
        return Response(
            PenugasanSerializer(p, context={"request": request}).data, status=status.HTTP_200_OK
        )

    @extend_schema(request=KeputusanSerializer, responses=PenugasanSerializer)
    @action(detail=True, methods=["post"])
    def setujui(self, request, pk=None):
        """Approve (klarifikasi ekspektasi and a new SKP version follow)."""
        return self._keputusan(request, True)

    @extend_schema(request=KeputusanSerializer, responses=PenugasanSerializer)
    @action(detail=True, methods=["post"])
    def tolak(self, request, pk=None):
        """Reject with `alasan` (required)."""
        return self._keputusan(request, False)


router = SimpleRouter()
router.register("umpan-balik", UmpanBalikViewSet, basename="umpan-balik")
router.register("penugasan", PenugasanViewSet, basename="penugasan")

urlpatterns = router.urls
