"""Pages of the login perimeter: sign in and out (password and single sign-on), the single
sign-on refusal page, and the admin instansi's integration tokens."""

from __future__ import annotations

from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from kinerja import policy
from kinerja.akses import services, sso
from kinerja.akses.forms import TokenIntegrasiForm
from kinerja.models import TokenIntegrasi


def _konteks_masuk() -> dict:
    return {
        "sso_aktif": sso.sso_aktif(),
        "sso_nama": getattr(settings, "KINERJA_SSO_NAMA", "SSO"),
        "sandi_lokal": getattr(settings, "KINERJA_SANDI_LOKAL", True),
    }


class Masuk(auth_views.LoginView):
    """The login page: NIP and password, and/or the single sign-on button."""

    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | _konteks_masuk()


masuk = Masuk.as_view()


@require_POST
def keluar(request: HttpRequest) -> HttpResponse:
    """Sign out; a session that came from single sign-on also ends at the provider."""
    id_token = request.session.get("oidc_id_token")
    tujuan = sso.url_keluar_sso(request, id_token)
    auth.logout(request)
    if tujuan is None:
        return redirect(settings.LOGOUT_REDIRECT_URL)
    # Not a redirect: the form that posted here is bound by the pages' CSP `form-action 'self'`,
    # which browsers also apply to where its answer redirects. A page that moves on by itself
    # (meta refresh, with a link as well) takes the browser to the provider's logout.
    response = render(
        request, "registration/keluar_sso.html", {"tujuan": tujuan, **_konteks_masuk()}
    )
    response["Cache-Control"] = "no-store"
    return response


PESAN_SSO = {
    sso.TIDAK_TERDAFTAR: (
        "NIP {nip} tidak terdaftar sebagai pengguna Kinerja. Akun tidak dibuat otomatis dari "
        "SSO; minta admin BKD instansi Anda mendaftarkan NIP ini."
    ),
    policy.akses.BERHENTI: (
        "Pegawai dengan NIP {nip} berstatus berhenti, sehingga tidak dapat lagi masuk ke Kinerja."
    ),
    policy.akses.NONAKTIF: "Akun untuk NIP {nip} dinonaktifkan. Hubungi admin BKD instansi Anda.",
    sso.TANPA_NIP: (
        "Penyedia SSO tidak mengirimkan NIP Anda (klaim '{klaim}'). Hubungi admin BKD."
    ),
}
PESAN_SSO_GAGAL = "Masuk lewat SSO gagal atau dibatalkan. Silakan coba lagi."


@never_cache
def sso_ditolak(request: HttpRequest) -> HttpResponse:
    """Why single sign-on did not sign you in (403), in Bahasa Indonesia."""
    if not sso.sso_aktif():
        raise Http404("Masuk lewat SSO tidak diaktifkan.")
    info = request.session.pop(sso.SESI_TOLAK, None) or {}
    templat = PESAN_SSO.get(info.get("alasan", ""), PESAN_SSO_GAGAL)
    pesan = templat.format(nip=info.get("nip", ""), klaim=sso.klaim_nip())
    return render(
        request,
        "registration/sso_ditolak.html",
        {"pesan": pesan, **_konteks_masuk()},
        status=403,
    )


# --- integration tokens of the admin instansi --------------------------------------------------
@login_required
@never_cache
def token_integrasi(request: HttpRequest) -> HttpResponse:
    """List the instansi's integration tokens; make one (its secret is shown on this answer only)."""
    pilihan = policy.akses.instansi_token(request.user)
    if not pilihan:
        raise PermissionDenied("Hanya admin instansi yang mengelola token integrasi.")
    data = request.POST if request.method == "POST" else None  # an empty POST shows errors too
    form = TokenIntegrasiForm(data, instansi_pilihan=pilihan)
    baru = rahasia = None
    if request.method == "POST" and form.is_valid():
        try:
            baru, rahasia = services.token_integrasi_buat(
                user=request.user,
                instansi=form.instansi_terpilih(),
                nama=form.cleaned_data["nama"],
                cakupan=form.cleaned_data["cakupan"],
                berlaku_sampai=form.berlaku_sampai_waktu(),
            )
        except ValidationError as e:
            for field, errs in e.message_dict.items():
                form.add_error(field if field in form.fields else None, errs)
        else:
            form = TokenIntegrasiForm(instansi_pilihan=pilihan)
    tokens = policy.scope(request.user, TokenIntegrasi.objects.all()).select_related(
        "instansi", "dibuat_oleh", "dicabut_oleh"
    )
    return render(
        request,
        "kinerja/token_integrasi.html",
        {
            "form": form,
            "tokens": tokens[:200],
            "baru": baru,
            "rahasia": rahasia,
            "banyak_instansi": len(pilihan) > 1,
        },
    )


@login_required
@require_POST
def token_integrasi_cabut(request: HttpRequest, pk: int) -> HttpResponse:
    token = policy.get_for_user(request.user, TokenIntegrasi.objects.all(), pk=pk)
    services.token_integrasi_cabut(user=request.user, token=token)
    messages.success(request, f"Token '{token.nama}' dicabut; token itu tidak berlaku lagi.")
    return redirect("token_integrasi")
