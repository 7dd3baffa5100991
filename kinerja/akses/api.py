"""API of the login perimeter: the token endpoint, `saya/` (who am I) and `token-integrasi/`.

Thin: the token changes go through kinerja.akses.services, access through the policy.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import mixins, parsers, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView

from kinerja import policy
from kinerja.akses import kunci, services
from kinerja.akses.parser import JSONParser
from kinerja.api_base import PolicyScopedMixin
from kinerja.models import Instansi, TokenIntegrasi

MASUK_GAGAL = "NIP/nama pengguna atau kata sandi salah."
SANDI_MATI = (
    "Masuk dengan kata sandi dinonaktifkan di instalasi ini (masuk lewat SSO). Integrasi "
    "memakai token integrasi dari admin instansi."
)
BUKAN_OBJEK = 'Kirim objek JSON {"username": "...", "password": "..."}.'
JENIS_KREDENSIAL = ["pribadi", "integrasi", "sesi"]
PERAN = policy.akses.PERAN  # the role codes are the policy's


# --- POST/DELETE auth/token/ ----------------------------------------------------------------
class MasukSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150, help_text="NIP / NI PPPK / nama pengguna.")
    password = serializers.CharField(max_length=4096, trim_whitespace=False)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Kirim sebagai `Authorization: Token <token>`.")
    berlaku_sampai = serializers.DateTimeField(
        help_text="Token pribadi berlaku KINERJA_TOKEN_HARI hari sejak dibuat."
    )


class _PostTanpaAkun(permissions.BasePermission):
    """POST is the sign-in itself (no credential yet); every other method needs one."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return request.method == "POST" or bool(request.user and request.user.is_authenticated)


class TokenView(APIView):
    """Personal API token: POST with the password gives it, DELETE revokes the caller's own."""

    parser_classes = [JSONParser, parsers.FormParser]
    permission_classes = [_PostTanpaAkun]
    throttle_anonim = True  # POST is throttled per client address (kinerja.akses.throttle)

    def perform_authentication(self, request: Request) -> None:
        # A login must not fail on a stale Authorization header the client still sends.
        if request.method != "POST":
            request.user  # noqa: B018 - authenticates now

    @extend_schema(
        operation_id="auth_token_buat",
        summary="Minta token API pribadi",
        description=(
            "Tanpa autentikasi: kirim NIP (atau nama pengguna) dan kata sandi; jawabannya "
            "token pribadi yang sama selama masih berlaku (`berlaku_sampai`), atau token baru "
            "bila sudah kedaluwarsa. Token berhenti berlaku bila kata sandi diganti, akun "
            "dinonaktifkan, atau status pegawai `berhenti`. Lima kegagalan untuk satu akun "
            "dari satu alamat mengunci pasangan itu sementara (429 dengan `Retry-After`)."
        ),
        auth=[],
        request={"application/json": MasukSerializer},
        responses={
            200: TokenSerializer,
            400: OpenApiResponse(description="Data salah atau NIP/kata sandi salah."),
        },
    )
    def post(self, request: Request) -> Response:
        data = request.data
        if not isinstance(data, dict):
            return Response({"non_field_errors": [BUKAN_OBJEK]}, status=400)
        ser = MasukSerializer(data=data)
        ser.is_valid(raise_exception=True)
        username = ser.validated_data["username"]
        from axes.handlers.proxy import AxesProxyHandler

        django_request = request._request
        if not AxesProxyHandler.is_allowed(django_request, {"username": username}):
            return kunci.respons_terkunci(django_request, None, {"username": username})
        user = authenticate(
            request=django_request, username=username, password=ser.validated_data["password"]
        )
        if user is None:
            pesan = MASUK_GAGAL if getattr(settings, "KINERJA_SANDI_LOKAL", True) else SANDI_MATI
            return Response({"non_field_errors": [pesan]}, status=400)
        token = services.token_pribadi_buat(user=user)
        body = {
            "token": token.key,
            "berlaku_sampai": services.token_pribadi_berlaku_sampai(token),
        }
        return Response(TokenSerializer(body).data, headers={"Cache-Control": "no-store"})

    @extend_schema(
        operation_id="auth_token_cabut",
        summary="Cabut token sendiri",
        description=(
            "Mencabut token yang dipakai pemanggil: token pribadi (atau, bila masuk lewat sesi, "
            "token pribadi akun itu), atau token integrasi cakupan `baca_tulis` yang dipakai. "
            "Sesudahnya token itu dijawab 401."
        ),
        request=None,
        responses={204: OpenApiResponse(description="Token dicabut.")},
    )
    def delete(self, request: Request) -> Response:
        if isinstance(request.auth, TokenIntegrasi):
            services.token_integrasi_cabut(user=request.user, token=request.auth)
        else:
            services.token_pribadi_cabut(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- GET saya/ ------------------------------------------------------------------------------
class _Ref(serializers.Serializer):
    id = serializers.IntegerField()
    nama = serializers.CharField()


class SayaPegawaiSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    nip = serializers.CharField(allow_null=True)
    nama = serializers.CharField()
    status = serializers.CharField()
    instansi = serializers.IntegerField()
    jabatan = _Ref(allow_null=True)
    unit_kerja = _Ref(allow_null=True)


class SayaTokenSerializer(serializers.Serializer):
    jenis = serializers.ChoiceField(choices=JENIS_KREDENSIAL)
    nama = serializers.CharField(allow_null=True, help_text="Nama token integrasi.")
    cakupan = serializers.ChoiceField(
        choices=TokenIntegrasi.Cakupan.values,
        help_text="`baca`: hanya GET/HEAD/OPTIONS; `baca_tulis`: tulis sejauh diizinkan kebijakan.",
    )
    berlaku_sampai = serializers.DateTimeField(allow_null=True)


class SayaSerializer(serializers.Serializer):
    user = inline_serializer(
        "SayaUser",
        {
            "id": serializers.IntegerField(),
            "username": serializers.CharField(),
            "nama": serializers.CharField(),
        },
    )
    pegawai = SayaPegawaiSerializer(allow_null=True)
    instansi = serializers.IntegerField(
        allow_null=True, help_text="Instansi pemanggil (sebagai pegawai atau admin)."
    )
    peran = serializers.ListField(child=serializers.ChoiceField(choices=PERAN))
    token = SayaTokenSerializer()


def _ref(obj: Any) -> dict | None:
    return {"id": obj.pk, "nama": obj.nama} if obj is not None else None


class SayaView(APIView):
    """Who the caller is and what the credential in use may do."""

    @extend_schema(
        operation_id="saya",
        summary="Siapa saya",
        description=(
            "Pemanggil: akun, data pegawai (id, NIP, jabatan, unit kerja) bila ada, peran yang "
            "diturunkan dari jabatan dan penetapan admin, dan apa yang boleh dilakukan "
            "kredensial yang dipakai (jenis, cakupan, masa berlaku)."
        ),
        responses={200: SayaSerializer},
    )
    def get(self, request: Request) -> Response:
        from kinerja.models import Pegawai

        user = request.user
        pegawai = Pegawai.objects.select_related("jabatan", "unit_kerja").filter(user=user).first()
        auth = request.auth
        if isinstance(auth, TokenIntegrasi):
            token = {
                "jenis": "integrasi",
                "nama": auth.nama,
                "cakupan": auth.cakupan,
                "berlaku_sampai": auth.berlaku_sampai,
            }
        elif auth is not None:
            token = {
                "jenis": "pribadi",
                "nama": None,
                "cakupan": TokenIntegrasi.Cakupan.BACA_TULIS,
                "berlaku_sampai": services.token_pribadi_berlaku_sampai(auth),
            }
        else:
            token = {
                "jenis": "sesi",
                "nama": None,
                "cakupan": TokenIntegrasi.Cakupan.BACA_TULIS,
                "berlaku_sampai": request.session.get_expiry_date(),
            }
        body = {
            "user": {"id": user.pk, "username": user.get_username(), "nama": user.get_full_name()},
            "pegawai": None
            if pegawai is None
            else {
                "id": pegawai.pk,
                "nip": pegawai.nip,
                "nama": pegawai.nama,
                "status": pegawai.status,
                "instansi": pegawai.instansi_id,
                "jabatan": _ref(pegawai.jabatan),
                "unit_kerja": _ref(pegawai.unit_kerja),
            },
            "instansi": policy.akses.instansi_pemanggil(user),
            "peran": policy.akses.peran(user),
            "token": token,
        }
        return Response(SayaSerializer(body).data)


# --- token-integrasi/ -----------------------------------------------------------------------
class TokenIntegrasiSerializer(serializers.ModelSerializer):
    aktif = serializers.BooleanField(read_only=True, help_text="Belum dicabut dan belum habis.")
    instansi = serializers.PrimaryKeyRelatedField(
        queryset=Instansi.objects.all(),
        required=False,
        help_text="Instansi token (admin instansi: terisi otomatis; superuser: wajib).",
    )

    class Meta:
        model = TokenIntegrasi
        fields = (
            "id",
            "instansi",
            "nama",
            "cakupan",
            "berlaku_sampai",
            "terakhir_dipakai",
            "awalan",
            "dibuat",
            "dicabut",
            "aktif",
        )
        read_only_fields = ("awalan", "terakhir_dipakai", "dibuat", "dicabut")
        extra_kwargs = {"berlaku_sampai": {"required": True}}


class TokenIntegrasiBaruSerializer(TokenIntegrasiSerializer):
    token = serializers.CharField(
        read_only=True, help_text="Rahasia token: hanya ditampilkan sekali, saat dibuat."
    )

    class Meta(TokenIntegrasiSerializer.Meta):
        fields = (*TokenIntegrasiSerializer.Meta.fields, "token")


class TokenIntegrasiViewSet(
    PolicyScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Integration tokens of the admin's instansi (name, scope, expiry, last use; revoke)."""

    serializer_class = TokenIntegrasiSerializer
    parser_classes = [JSONParser]

    def base_queryset(self):
        return TokenIntegrasi.objects.order_by("-dibuat", "-id")

    @extend_schema(
        summary="Daftar token integrasi",
        description="Token integrasi instansi admin (yang aktif, habis, dan dicabut).",
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(
        summary="Rincian token integrasi",
        description="Nama, cakupan, masa berlaku dan waktu terakhir dipakai satu token "
        "integrasi instansi (rahasianya tidak pernah ditampilkan lagi).",
    )
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        summary="Buat token integrasi",
        description=(
            "Admin instansi membuat token untuk sistem lain (mis. sinkron SIASN). Jawaban 201 "
            "memuat `token` (rahasia) satu kali saja; yang disimpan hanya SHA-256-nya. Cakupan "
            "`baca` hanya boleh GET/HEAD/OPTIONS (lainnya 403); `berlaku_sampai` wajib, paling "
            "lama KINERJA_TOKEN_INTEGRASI_MAKS_HARI hari. Token bertindak sebagai akun sistem "
            "admin instansi itu, sehingga riwayat mencatat namanya."
        ),
        request=TokenIntegrasiSerializer,
        responses={
            201: TokenIntegrasiBaruSerializer,
            400: OpenApiResponse(description="Data salah: {kolom: [pesan]}"),
            403: OpenApiResponse(description="Bukan admin instansi"),
        },
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not isinstance(request.data, dict):
            return Response({"non_field_errors": ["Kirim objek JSON."]}, status=400)
        ser = TokenIntegrasiSerializer(data=request.data, context={"request": request})
        ser.is_valid(raise_exception=True)
        data = ser.validated_data
        boleh = policy.akses.instansi_token(request.user)
        instansi = data.get("instansi")
        if instansi is None and len(boleh) == 1:
            instansi = boleh[0]
        if instansi is None and len(boleh) > 1:
            return Response({"instansi": ["Instansi wajib diisi."]}, status=400)
        if instansi is None or instansi not in boleh:
            raise PermissionDenied("Hanya admin instansi yang dapat membuat token integrasi.")
        token, rahasia = services.token_integrasi_buat(
            user=request.user,
            instansi=instansi,
            nama=data["nama"],
            cakupan=data.get("cakupan", TokenIntegrasi.Cakupan.BACA),
            berlaku_sampai=data["berlaku_sampai"],
        )
        body = TokenIntegrasiSerializer(token).data | {"token": rahasia}
        return Response(body, status=status.HTTP_201_CREATED, headers={"Cache-Control": "no-store"})

    @extend_schema(
        summary="Cabut token integrasi",
        description="Token berhenti berlaku seketika (401 sesudahnya). Mencabut dua kali tidak apa-apa.",
        request=None,
        responses={200: TokenIntegrasiSerializer},
    )
    @action(detail=True, methods=["post"])
    def cabut(self, request: Request, pk: Any = None) -> Response:
        token = self.get_object()
        token = services.token_integrasi_cabut(user=request.user, token=token)
        return Response(TokenIntegrasiSerializer(token).data)


router = SimpleRouter()
router.register("token-integrasi", TokenIntegrasiViewSet, basename="token-integrasi")

urlpatterns = [
    *router.urls,
]
