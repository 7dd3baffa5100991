"""REST API (/api/v1/) for this stage: thin viewsets over the policy and the services.

skp/                      list, retrieve, create; PATCH lampiran/pendekatan (draft only);
                          actions ajukan, setujui, kembalikan (catatan), versi-baru (alasan);
                          POST skp/<id>/pdf/ asks for a render (202, the job);
                          GET skp/<id>/pdf/ only reads: the PDF of the SKP as it is now, or 202
                          while it renders, or 409 when none was asked for (a GET never writes)
rencana-hasil-kerja/      list (?skp=), retrieve, create, update, delete (draft only)
matriks-peran-hasil/      list, retrieve (kolom, baris, sel), create; actions sel, terapkan
"""

from __future__ import annotations

import re

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from kinerja import policy
from kinerja.api_base import PolicyScopedMixin, ScopedPK, versi_field
from kinerja.api_filters import ID_MAKS, IdFilter, StrictFilterSet, TahunFilter
from kinerja.models import Dokumen, Job, Pegawai, Periode, TimKerja
from skp import api_baca, rules, selectors, services
from skp.models import SKP, Indikator, MatriksPeranHasil, PeranHasil, RencanaHasilKerja


# --- serializers ------------------------------------------------------------------------------
class IndikatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Indikator
        fields = ["aspek", "indikator", "target", "sumber_data"]
        extra_kwargs = {"sumber_data": {"required": False}}


class RencanaHasilKerjaSerializer(serializers.ModelSerializer):
    indikator = IndikatorSerializer(many=True, source="indikator_set", required=False)
    # Plain ids: an SKP the caller may not see answers 404 below, never "does not exist".
    rhk_atasan = serializers.IntegerField(
        source="rhk_atasan_id", allow_null=True, required=False, min_value=1, max_value=ID_MAKS
    )
    skp = serializers.IntegerField(source="skp_id", min_value=1, max_value=ID_MAKS)

    class Meta:
        model = RencanaHasilKerja
        fields = [
            "id",
            "skp",
            "jenis",
            "urutan",
            "rencana",
            "rhk_atasan",
            "kunci",
            "perspektif",
            "pemberi_tugas",
            "sumber",
            "uraian_hasil",
            "ukuran_keberhasilan",
            "indikator",
            "row_version",
            "diubah",
        ]
        read_only_fields = ["urutan", "kunci", "pemberi_tugas", "sumber", "row_version"]


class RencanaHasilKerjaUbahSerializer(RencanaHasilKerjaSerializer):
    """An edit: the SKP it belongs to is fixed, and the `row_version` it was made on is sent."""

    skp = serializers.IntegerField(source="skp_id", read_only=True)
    row_version = versi_field(required=False)

    class Meta(RencanaHasilKerjaSerializer.Meta):
        read_only_fields = ["urutan", "kunci", "pemberi_tugas", "sumber"]


class PerilakuSerializer(serializers.Serializer):
    nilai = serializers.CharField()
    label = serializers.CharField()
    panduan = serializers.ListField(child=serializers.CharField())
    ekspektasi_khusus = serializers.CharField(allow_blank=True)


class SKPSerializer(serializers.ModelSerializer):
    rencana_hasil_kerja = RencanaHasilKerjaSerializer(
        many=True, source="rencana_set", read_only=True
    )
    perilaku_kerja = serializers.SerializerMethodField()

    class Meta:
        model = SKP
        fields = [
            "id",
            "pegawai",
            "periode",
            "versi",
            "terkini",
            "jenis",
            "pendekatan",
            "status",
            "pejabat_penilai",
            "berlaku_mulai",
            "berlaku_sampai",
            "catatan_penilai",
            "alasan_perubahan",
            "dukungan_sumber_daya",
            "skema_pertanggungjawaban",
            "konsekuensi",
            "diajukan_pada",
            "disetujui_pada",
            "row_version",
            "diubah",
            "rencana_hasil_kerja",
            "perilaku_kerja",
        ]
        read_only_fields = [
            "versi",
            "terkini",
            "status",
            "pejabat_penilai",
            "berlaku_mulai",
            "berlaku_sampai",
            "catatan_penilai",
            "alasan_perubahan",
            "diajukan_pada",
            "disetujui_pada",
            "row_version",
        ]

    @extend_schema(responses=PerilakuSerializer(many=True))
    def get_perilaku_kerja(self, obj: SKP) -> list[dict]:
        return [
            {
                "nilai": p["kode"],
                "label": p["label"],
                "panduan": p["panduan"],
                "ekspektasi_khusus": p["ekspektasi_khusus"],
            }
            for p in selectors.perilaku_rows(obj)
        ]


class SKPBuatSerializer(serializers.Serializer):
    pegawai = ScopedPK(queryset=Pegawai.objects.all())
    periode = ScopedPK(queryset=Periode.objects.all())
    pendekatan = serializers.ChoiceField(
        choices=SKP.Pendekatan.choices, default=SKP.Pendekatan.KUANTITATIF
    )
    jenis = serializers.ChoiceField(choices=SKP.Jenis.choices, required=False)


def versi_wajib(data, user, skp) -> int | None:
    """The `row_version` an edit must carry. Asked only of someone allowed to make the edit:
    anyone else gets the service's refusal (403, or 400 for a submitted SKP), not a 400 about
    a field."""
    if not policy.can(user, "change", skp):
        return None
    f = versi_field()
    value = data.get("row_version", serializers.empty)
    try:
        return f.run_validation(value)
    except DRFValidationError as exc:
        raise DRFValidationError({"row_version": exc.detail}) from exc


class SKPUbahSerializer(serializers.Serializer):
    pendekatan = serializers.ChoiceField(choices=SKP.Pendekatan.choices, required=False)
    dukungan_sumber_daya = serializers.CharField(required=False, allow_blank=True)
    skema_pertanggungjawaban = serializers.CharField(required=False, allow_blank=True)
    konsekuensi = serializers.CharField(required=False, allow_blank=True)
    # Required on edits (checked after access, see `versi_wajib`): without it a client would
    # silently overwrite a newer save.
    row_version = versi_field(
        required=False, help_text="Wajib: versi data yang Anda ubah (dari GET terakhir)."
    )


class CatatanSerializer(serializers.Serializer):
    catatan = serializers.CharField(required=False, allow_blank=True)
    row_version = versi_field(required=False)


class PdfStatusSerializer(serializers.Serializer):
    job = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Job.Status.choices)
    progres = serializers.IntegerField()
    status_url = serializers.CharField()


class AlasanSerializer(serializers.Serializer):
    alasan = serializers.CharField()


# --- filters --------------------------------------------------------------------------------
class SKPFilter(StrictFilterSet):
    tahun = TahunFilter(field_name="periode__tahun")
    unit_kerja = IdFilter(
        field_name="pegawai__unit_kerja_id", help_text="Unit kerja pegawai saat ini."
    )

    class Meta:
        model = SKP
        fields = ["pegawai", "periode", "tahun", "unit_kerja", "status", "jenis", "terkini"]


class RencanaHasilKerjaFilter(StrictFilterSet):
    pegawai = IdFilter(field_name="skp__pegawai_id")
    periode = IdFilter(field_name="skp__periode_id")
    tahun = TahunFilter(field_name="skp__periode__tahun")

    class Meta:
        model = RencanaHasilKerja
        fields = ["skp", "jenis", "pegawai", "periode", "tahun"]


class MatriksFilter(StrictFilterSet):
    tahun = TahunFilter(field_name="periode__tahun")

    class Meta:
        model = MatriksPeranHasil
        fields = ["periode", "tahun", "pemimpin", "tim"]


# --- SKP ------------------------------------------------------------------------------------
class SKPViewSet(
    PolicyScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = SKPSerializer
    filterset_class = SKPFilter
    nama_sumber = "SKP"
    deskripsi = {
        "create": "Membuka SKP versi 1 seorang pegawai untuk satu periode (pegawai itu, pejabat "
        "penilainya, ketua timnya, atau admin instansi). Bila sudah ada: 400 dengan id SKP itu. "
        "Pegawai atau periode yang tidak boleh Anda lihat dijawab sama dengan id yang tidak ada.",
        "partial_update": "Mengubah pendekatan dan lampiran SKP draft milik Anda. Wajib "
        "mengirim `row_version`.",
        "ajukan": "Mengajukan SKP draft Anda kepada pejabat penilai.",
        "setujui": "Pejabat penilai menyetujui SKP yang diajukan.",
        "kembalikan": "Pejabat penilai mengembalikan SKP yang diajukan dengan `catatan`.",
        "versi_baru": "Membuka versi baru dari SKP yang sudah disetujui, dengan `alasan`.",
    }

    def base_queryset(self):
        return selectors.skp_detail_qs().order_by("-periode__tahun", "pegawai__nama", "-versi")

    def retrieve(self, request, *args, **kwargs):
        if request.query_params:  # a filter on one row: DRF's path (it may answer 404)
            return super().retrieve(request, *args, **kwargs)
        # The serializer's answer, read and written by hand (skp/api_baca.py).
        return Response(api_baca.skp_untuk(request.user, kwargs[self.lookup_field]))

    def _out(self, skp: SKP, code: int = status.HTTP_200_OK) -> Response:
        return Response(api_baca.skp_sesudah(skp.pk), status=code)

    def _dalam_lingkup(self, pk, layanan, **kw) -> SKP:
        """Run a state change's service on SKP `pk` with the caller's scope (the policy's, as
        SQL: api_baca.skp_lingkup) as its lock statement's condition, instead of `get_object`
        then the lock (issue 19): an SKP out of scope, of another instansi or missing is the
        same 404, with nothing read, locked or answered before it."""
        pk, lingkup = api_baca.skp_lingkup(self.request.user, pk)
        try:
            return layanan(skp=SKP(pk=pk), user=self.request.user, lingkup=lingkup, **kw)
        except SKP.DoesNotExist:
            raise api_baca._tidak_ada(SKP) from None

    @extend_schema(request=SKPBuatSerializer, responses={201: SKPSerializer})
    def create(self, request, *args, **kwargs):
        # A pegawai or periode the caller may not see does not exist for them (ScopedPK).
        s = SKPBuatSerializer(data=request.data, context={"request": request})
        s.is_valid(raise_exception=True)
        peg = s.validated_data["pegawai"]
        skp = services.skp_buat(
            pegawai=peg,
            periode=s.validated_data["periode"],
            user=request.user,
            pendekatan=s.validated_data["pendekatan"],
            jenis=s.validated_data.get("jenis"),
        )
        return self._out(skp, status.HTTP_201_CREATED)

    @extend_schema(request=SKPUbahSerializer, responses=SKPSerializer)
    def partial_update(self, request, *args, **kwargs):
        skp = self.get_object()
        s = SKPUbahSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        data = dict(s.validated_data)
        data.pop("row_version", None)
        rv = versi_wajib(request.data, request.user, skp)
        skp = services.skp_ubah(skp=skp, user=request.user, row_version=rv, **data)
        return self._out(skp)

    @extend_schema(request=CatatanSerializer, responses=SKPSerializer)
    @action(detail=True, methods=["post"])
    def ajukan(self, request, pk=None):
        s = CatatanSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        skp = self._dalam_lingkup(
            pk, services.skp_ajukan, row_version=s.validated_data.get("row_version")
        )
        return self._out(skp)

    @extend_schema(request=CatatanSerializer, responses=SKPSerializer)
    @action(detail=True, methods=["post"])
    def setujui(self, request, pk=None):
        s = CatatanSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        # The answer is written from the row the approval wrote and the rows its write read
        # (issue 19).
        skp = self._dalam_lingkup(
            pk,
            services.skp_setujui,
            row_version=s.validated_data.get("row_version"),
            catatan=s.validated_data.get("catatan", ""),
            rencana=True,
        )
        return Response(api_baca.skp_dari(skp))

    @extend_schema(request=CatatanSerializer, responses=SKPSerializer)
    @action(detail=True, methods=["post"])
    def kembalikan(self, request, pk=None):
        s = CatatanSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        skp = self._dalam_lingkup(
            pk,
            services.skp_kembalikan,
            catatan=s.validated_data.get("catatan", ""),
            row_version=s.validated_data.get("row_version"),
        )
        return self._out(skp)

    @extend_schema(request=AlasanSerializer, responses={201: SKPSerializer})
    @action(detail=True, methods=["post"], url_path="versi-baru")
    def versi_baru(self, request, pk=None):
        s = AlasanSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        skp = self._dalam_lingkup(pk, services.skp_versi_baru, alasan=s.validated_data["alasan"])
        return self._out(skp, status.HTTP_201_CREATED)

    def _pdf_status(self, job: Job) -> dict:
        return {
            "job": job.pk,
            "status": job.status,
            "progres": job.progres,
            "status_url": reverse("job_status", args=[job.pk]),
        }

    @extend_schema(
        methods=["GET"],
        description="Dokumen PDF SKP sebagaimana SKP itu sekarang. Hanya membaca: 200 berkas PDF "
        "bila sudah jadi, 202 dengan status pekerjaan bila sedang dibuat, 409 bila belum diminta "
        "untuk versi ini (mintalah dengan POST ke alamat yang sama).",
        request=None,
        responses={
            (200, "application/pdf"): OpenApiResponse(bytes, description="Berkas PDF."),
            202: PdfStatusSerializer,
            409: OpenApiResponse(description="Belum diminta untuk SKP sebagaimana sekarang."),
        },
    )
    @extend_schema(
        methods=["POST"],
        description="Meminta PDF SKP dibuat di latar (tidak menunggu). Jawaban 202 berisi "
        "pekerjaan yang dapat dipantau; setelah selesai, GET alamat yang sama memberi berkasnya.",
        request=None,
        responses={202: PdfStatusSerializer},
    )
    @action(detail=True, methods=["get", "post"])
    def pdf(self, request, pk=None):
        skp = self.get_object()
        policy.require(request.user, "pdf", skp)
        if request.method == "POST":
            job = services.skp_pdf_minta(skp=skp, user=request.user)
            job.refresh_from_db()
            return Response(self._pdf_status(job), status=status.HTTP_202_ACCEPTED)
        # A GET only reads (issue 15): the job of the SKP as it is now, if one was asked for.
        job = Job.objects.filter(kunci=services.skp_pdf_kunci(skp)).first()
        if job is None:
            return Response(
                {
                    "detail": "PDF untuk SKP sebagaimana sekarang belum diminta; kirim POST ke "
                    "alamat ini, lalu ulangi GET."
                },
                status=status.HTTP_409_CONFLICT,
            )
        if job.status == Job.Status.SUKSES and job.hasil.get("dokumen_id"):
            dok = Dokumen.objects.filter(
                pk=job.hasil["dokumen_id"],
                content_type=ContentType.objects.get_for_model(SKP),
                object_id=skp.pk,
            ).first()
            if dok is not None:
                return FileResponse(
                    dok.berkas.open("rb"),
                    content_type="application/pdf",
                    filename=dok.berkas.name.rsplit("/", 1)[-1],
                )
        return Response(self._pdf_status(job), status=status.HTTP_202_ACCEPTED)


# --- rencana hasil kerja ----------------------------------------------------------------------
# A PATCH of these fields only (the January mix's edit): RencanaHasilKerjaUbahSerializer's
# validated data written by hand (0.75 ms of CPU -> 0.001 at load 6: the serializer builds its
# fields per request).
# Keys it does not list are read-only or unknown, which the serializer ignores too.
_TEKS = {"rencana": False, "uraian_hasil": True, "ukuran_keberhasilan": True}  # blank allowed
_PILIHAN = {
    "jenis": (frozenset(RencanaHasilKerja.Jenis.values), False),
    "perspektif": (frozenset(RencanaHasilKerja.Perspektif.values), True),
}
_LEWAT = frozenset({"rhk_atasan", "indikator"})  # the serializer's path
_TAK_TERBACA = re.compile("[\x00\ud800-\udfff]")  # its validators refuse these


def _ubah_sederhana(data) -> dict | None:
    """The serializer's `validated_data` for a partial edit of a JSON object whose values are
    ones it accepts as they are; None for anything else (the serializer then answers, its
    errors included). tests/skp/test_rhk_satu_pernyataan.py compares both for many bodies."""
    if type(data) is not dict or not _LEWAT.isdisjoint(data):
        return None
    out = {}
    for key, value in data.items():
        if key in _TEKS:
            if type(value) is not str or _TAK_TERBACA.search(value):
                return None
            value = value.strip()
            if not value and not _TEKS[key]:
                return None  # "may not be blank"
        elif key in _PILIHAN:
            pilihan, kosong = _PILIHAN[key]
            if type(value) is not str or not (value in pilihan or (kosong and value == "")):
                return None
        elif key == "row_version":
            if type(value) is not int or not 0 <= value <= ID_MAKS:
                return None
        else:
            continue
        out[key] = value
    return out


class RencanaHasilKerjaViewSet(PolicyScopedMixin, viewsets.ModelViewSet):
    serializer_class = RencanaHasilKerjaSerializer
    filterset_class = RencanaHasilKerjaFilter
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]
    nama_sumber = "rencana hasil kerja"
    deskripsi = {
        "create": "Menambah rencana hasil kerja pada SKP draft. Selalu membuat baris baru. "
        "`rhk_atasan` yang bukan milik pejabat penilai, ketua tim, atau pemberi tugas Anda "
        "dan id yang tidak ada dijawab dengan pesan yang sama.",
        "update": "Mengubah rencana hasil kerja pada SKP draft Anda (`indikator`, bila dikirim, "
        "menggantikan seluruh daftar). `skp` tidak dapat diubah. Wajib mengirim `row_version`.",
        "partial_update": "Mengubah sebagian kolom rencana hasil kerja pada SKP draft Anda "
        "(`indikator`, bila dikirim, menggantikan seluruh daftar). Wajib mengirim `row_version`.",
        "destroy": "Menghapus rencana hasil kerja dari SKP draft Anda. Penghapusan tercatat di "
        "`perubahan/`.",
    }

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return RencanaHasilKerjaUbahSerializer
        return super().get_serializer_class()

    def base_queryset(self):
        if self.action in ("update", "partial_update", "destroy"):
            # The service locks and reads the row again by its key, and the answer is read
            # afresh: the row found in the caller's scope needs only its SKP, which the edit
            # asks the policy about (`versi_wajib`).
            return RencanaHasilKerja.objects.select_related("skp").order_by("pk")
        return selectors.rencana_qs().order_by("skp_id", "jenis", "urutan", "id")

    def retrieve(self, request, *args, **kwargs):
        if request.query_params:  # a filter on one row: DRF's path (it may answer 404)
            return super().retrieve(request, *args, **kwargs)
        # The serializer's answer, read and written by hand (skp/api_baca.py).
        return Response(api_baca.rencana_untuk(request.user, kwargs[self.lookup_field]))

    def _indikator(self, data) -> list[dict] | None:
        if "indikator_set" not in data:
            return None
        return [dict(i) for i in data["indikator_set"]]

    def _atasan(self, pk: int | None) -> RencanaHasilKerja | None:
        if pk is None:
            return None
        # The service accepts only a row of the pegawai's own leaders (else 400); an id that
        # does not exist gets the same answer, so a foreign id is not confirmed.
        r = RencanaHasilKerja.objects.select_related("skp").filter(pk=pk).first()
        if r is None:
            raise ValidationError({"rhk_atasan": [services.RHK_ATASAN_SALAH]})
        return r

    def create(self, request, *args, **kwargs):
        s = self.get_serializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        skp = policy.get_for_user(request.user, SKP.objects.all(), pk=d["skp_id"])
        rhk = services.rhk_tambah(
            skp=skp,
            user=request.user,
            jenis=d.get("jenis", "utama"),
            rencana=d["rencana"],
            rhk_atasan=self._atasan(d.get("rhk_atasan_id")),
            perspektif=d.get("perspektif", ""),
            uraian_hasil=d.get("uraian_hasil", ""),
            ukuran_keberhasilan=d.get("ukuran_keberhasilan", ""),
            indikator=self._indikator(d) or [],
        )
        return Response(api_baca.rencana_sesudah(rhk.pk), status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        if request.query_params:  # a filter on the row: DRF's path (it may answer 404)
            rhk = self.get_object()
        else:  # the same row and 404 in one hand-written statement (skp/api_baca.py)
            rhk = api_baca.rencana_untuk_ubah(request.user, kwargs[self.lookup_field])
        partial = kwargs.get("partial", False)
        d = _ubah_sederhana(request.data) if partial else None
        if d is None:
            s = self.get_serializer(rhk, data=request.data, partial=partial)
            s.is_valid(raise_exception=True)
            d = s.validated_data
        extra = {}
        if "rhk_atasan_id" in d:
            extra["rhk_atasan"] = self._atasan(d["rhk_atasan_id"])
        rhk = services.rhk_ubah(
            rhk=rhk,
            user=request.user,
            jenis=d.get("jenis"),
            rencana=d.get("rencana"),
            perspektif=d.get("perspektif"),
            uraian_hasil=d.get("uraian_hasil"),
            ukuran_keberhasilan=d.get("ukuran_keberhasilan"),
            indikator=self._indikator(d),
            row_version=versi_wajib(request.data, request.user, rhk.skp),
            **extra,
        )
        # The row as the service saved it (locked until the commit), with the indicators read
        # under that lock; when they were replaced, read anew (tests/skp/test_api_baca.py).
        if getattr(rhk, "indikator_terbaca", None) is None:
            return Response(api_baca.rencana_sesudah(rhk.pk))
        return Response(api_baca.rencana_json(rhk, rhk.indikator_terbaca))

    def destroy(self, request, *args, **kwargs):
        services.rhk_hapus(rhk=self.get_object(), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- matriks peran-hasil ----------------------------------------------------------------------
class PeranHasilSerializer(serializers.ModelSerializer):
    anggota = ScopedPK(queryset=Pegawai.objects.all())

    class Meta:
        model = PeranHasil
        fields = [
            "id",
            "anggota",
            "kolom_kunci",
            "na",
            "peran_hasil",
            "cascading",
            "dasar",
            "aspek",
            "indikator",
            "target",
        ]
        read_only_fields = ["id", "na"]


class MatriksSerializer(serializers.ModelSerializer):
    pemilik = serializers.SerializerMethodField()
    kolom = serializers.SerializerMethodField()
    baris = serializers.SerializerMethodField()
    sel = PeranHasilSerializer(many=True, source="sel_set", read_only=True)

    class Meta:
        model = MatriksPeranHasil
        fields = [
            "id",
            "pemimpin",
            "periode",
            "tim",
            "pemilik",
            "kolom",
            "baris",
            "sel",
            "diterapkan_pada",
            "diubah",
        ]
        read_only_fields = ["pemimpin", "diterapkan_pada"]

    def _ringkas(self, m: MatriksPeranHasil) -> dict:
        # The list view computes every matrix's parts at once; a single matrix computes its own.
        cache = self.context.setdefault("ringkas", {})
        if m.pk not in cache:
            cache.update(selectors.matriks_ringkas([m]))
        return cache[m.pk]

    def get_pemilik(self, m: MatriksPeranHasil) -> int | None:
        return self._ringkas(m)["pemilik"]

    def get_kolom(self, m: MatriksPeranHasil) -> list[dict]:
        return [
            {"id": r.pk, "kunci": str(r.kunci), "rencana": r.rencana}
            for r in self._ringkas(m)["kolom"]
        ]

    def get_baris(self, m: MatriksPeranHasil) -> list[dict]:
        return [{"id": p.pk, "nip": p.nip, "nama": p.nama} for p in self._ringkas(m)["baris"]]


class MatriksBuatSerializer(serializers.Serializer):
    periode = ScopedPK(queryset=Periode.objects.all())
    tim = ScopedPK(queryset=TimKerja.objects.all(), allow_null=True, required=False)


class MatriksViewSet(
    PolicyScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = MatriksSerializer
    filterset_class = MatriksFilter
    nama_sumber = "matriks peran-hasil"
    deskripsi = {
        "create": "Membuka matriks peran-hasil Anda (atau tim yang Anda ketuai) untuk satu "
        "periode. Bila sudah ada: 400 dengan id matriks itu.",
        "sel": "Menambah satu peran-hasil (sel) pada matriks Anda.",
        "terapkan": "Menerapkan matriks: peran-hasil menjadi rencana hasil kerja anggota.",
    }

    def base_queryset(self):
        return selectors.matriks_qs().prefetch_related("sel_set").order_by("-periode__tahun", "id")

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        items = list(page) if page is not None else list(self.filter_queryset(self.get_queryset()))
        ctx = {**self.get_serializer_context(), "ringkas": selectors.matriks_ringkas(items)}
        data = MatriksSerializer(items, many=True, context=ctx).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    @extend_schema(request=MatriksBuatSerializer, responses={201: MatriksSerializer})
    def create(self, request, *args, **kwargs):
        s = MatriksBuatSerializer(data=request.data, context={"request": request})
        s.is_valid(raise_exception=True)
        a = policy.actor(request.user)
        if not a.pegawai_id:
            raise ValidationError({"pemimpin": ["Hanya pegawai yang dapat menyusun matriks."]})
        m = services.matriks_buat(
            pemimpin=Pegawai.objects.get(pk=a.pegawai_id),
            periode=s.validated_data["periode"],
            user=request.user,
            tim=s.validated_data.get("tim"),
            baru=True,
        )
        return Response(self.get_serializer(m).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PeranHasilSerializer, responses={201: PeranHasilSerializer})
    @action(detail=True, methods=["post"])
    def sel(self, request, pk=None):
        m = self.get_object()
        s = PeranHasilSerializer(data=request.data, context={"request": request})
        s.is_valid(raise_exception=True)
        d = dict(s.validated_data)
        sel = services.peran_hasil_simpan(
            matriks=m,
            user=request.user,
            anggota=d.pop("anggota"),
            kolom_kunci=d.pop("kolom_kunci"),
            **d,
        )
        return Response(PeranHasilSerializer(sel).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=dict)
    @action(detail=True, methods=["post"])
    def terapkan(self, request, pk=None):
        hasil = services.matriks_terapkan(matriks=self.get_object(), user=request.user)
        return Response(hasil)


router = SimpleRouter()
router.register("skp", SKPViewSet, basename="skp")
router.register("rencana-hasil-kerja", RencanaHasilKerjaViewSet, basename="rencana-hasil-kerja")
router.register("matriks-peran-hasil", MatriksViewSet, basename="matriks-peran-hasil")

urlpatterns = router.urls

# Codes exposed for integrators (kept here so the schema and this module agree).
NILAI_BERAKHLAK = rules.BERAKHLAK_KODE
