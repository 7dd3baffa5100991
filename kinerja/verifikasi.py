"""Public verification of issued documents: /verifikasi/<kode>/ (no login).

Every PDF Kinerja issues carries its short code and a QR code pointing here. The page tells what
the document is (its header only: kind, pegawai, title/period, version, issue date), its SHA-256,
whether it is still current, and lets a visitor upload a PDF to check it is byte-identical. The
uploaded bytes are hashed while streaming and never stored. Every request (including unknown
codes) counts against a per-address limit, so codes cannot be enumerated; they are 96-bit random
tokens anyway.

For stage owners rendering a PDF:

    from kinerja.verifikasi import verifikasi_konteks
    v = verifikasi_konteks()                 # {"kode", "url", "qr"}
    pdf = render_template_pdf("skp/pdf.html", {..., "verifikasi": v,
                                               "persetujuan": persetujuan_untuk(skp)})
    dokumen_simpan(..., kode=v["kode"])
    # and in the PDF template: {% include "kinerja/verifikasi_pdf_blok.html" %}
"""

from __future__ import annotations

import hashlib
import re

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from kinerja.akses.alamat import alamat_klien
from kinerja.akses.batas import terlalu_sering
from kinerja.models import Dokumen, _kode_dokumen
from kinerja.pdf import qr_data_uri

KODE_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
BATAS_PER_MENIT_DEFAULT = 30


# --- helpers for PDF producers ----------------------------------------------------------------
def verifikasi_url(kode: str) -> str:
    from kinerja.situs import alamat

    return alamat() + reverse("verifikasi_dokumen", args=[kode])


def verifikasi_konteks(kode: str | None = None) -> dict:
    """A fresh (or given) document code with its public URL and QR code for a PDF template."""
    kode = kode or _kode_dokumen()
    url = verifikasi_url(kode)
    return {"kode": kode, "url": url, "qr": qr_data_uri(url)}


def dokumen_tandai_digantikan(*, objek, jenis: str | None = None) -> int:
    """Mark every issued document of `objek` as superseded (e.g. an evaluation was reopened)."""
    from django.contrib.contenttypes.models import ContentType

    ct = ContentType.objects.get_for_model(type(objek))
    qs = Dokumen.objects.filter(content_type=ct, object_id=objek.pk, digantikan=False)
    if jenis:
        qs = qs.filter(jenis=jenis)
    return qs.update(digantikan=True)


# --- rate limit -----------------------------------------------------------------------------
def _terlalu_sering(request: HttpRequest) -> bool:
    """Count this request for the client's address in a fixed one-minute window."""
    batas = int(getattr(settings, "KINERJA_VERIFIKASI_PER_MENIT", BATAS_PER_MENIT_DEFAULT))
    return terlalu_sering("verifikasi", alamat_klien(request), batas)


def _batasi(view):
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if _terlalu_sering(request):
            resp = render(request, "kinerja/verifikasi_429.html", status=429)
            resp["Retry-After"] = "60"
            return resp
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _publik(resp: HttpResponse) -> HttpResponse:
    resp["X-Robots-Tag"] = "noindex, nofollow"
    # Referrer-Policy stays the site's "same-origin": "no-referrer" would make browsers send
    # `Origin: null` with the upload form, which Django's CSRF check rightly refuses.
    return resp


# --- views ----------------------------------------------------------------------------------
class KodeForm(forms.Form):
    kode = forms.CharField(label="Kode dokumen", max_length=64, strip=True)

    def clean_kode(self) -> str:
        kode = self.cleaned_data["kode"]
        if not KODE_RE.match(kode):
            raise forms.ValidationError(
                "Kode dokumen tidak valid. Periksa kembali kode pada dokumen."
            )
        return kode


class UnggahForm(forms.Form):
    berkas = forms.FileField(
        label="Berkas PDF yang ingin dicocokkan",
        widget=forms.FileInput(attrs={"accept": "application/pdf,.pdf"}),
    )


def _batas_unggah() -> int:
    return int(getattr(settings, "KINERJA_UPLOAD_MAX_BYTES", 10 * 1024 * 1024))


def _tidak_ditemukan(request: HttpRequest) -> HttpResponse:
    return _publik(render(request, "kinerja/verifikasi_404.html", status=404))


@never_cache
@_batasi
@require_http_methods(["GET"])
def verifikasi_cari(request: HttpRequest) -> HttpResponse:
    """A form to type the code printed on a document."""
    form = KodeForm(request.GET or None)
    if request.GET and form.is_valid():
        return redirect("verifikasi_dokumen", kode=form.cleaned_data["kode"])
    return _publik(render(request, "kinerja/verifikasi_cari.html", {"form": form}))


@never_cache
@_batasi
@require_http_methods(["GET", "POST"])
def verifikasi_dokumen(request: HttpRequest, kode: str) -> HttpResponse:
    if not KODE_RE.match(kode):
        return _tidak_ditemukan(request)
    dok = (
        Dokumen.objects.select_related("pegawai", "instansi")
        .filter(kode=kode)
        .exclude(jenis=Dokumen.Jenis.ZIP)
        .first()
    )
    if dok is None:
        return _tidak_ditemukan(request)

    hasil = None
    galat = None
    form = UnggahForm()
    status = 200
    if request.method == "POST":
        batas = _batas_unggah()
        panjang = int(request.META.get("CONTENT_LENGTH") or 0)
        if panjang > batas + 64 * 1024:
            # Refuse before Django reads the body into temporary storage.
            galat = _pesan_terlalu_besar(batas)
            status = 413
        else:
            form = UnggahForm(request.POST, request.FILES)
            if form.is_valid():
                berkas = form.cleaned_data["berkas"]
                if berkas.size > batas:
                    form.add_error("berkas", _pesan_terlalu_besar(batas))
                    status = 413
                else:
                    h = hashlib.sha256()
                    for chunk in berkas.chunks():
                        h.update(chunk)
                    berkas.close()
                    hex_ = h.hexdigest()
                    hasil = {"sha256": hex_, "identik": hex_ == dok.sha256, "ukuran": berkas.size}
            else:
                status = 400

    terbaru = None
    digantikan = dok.digantikan
    versi_baru = False
    if not digantikan and dok.content_type_id and dok.object_id is not None:
        # A versioned object (an SKP: every version is its own row, flagged `terkini`) whose
        # newer version exists supersedes its documents even before the new one is printed.
        objek = dok.objek
        versi_baru = getattr(objek, "terkini", True) is False
        digantikan = versi_baru
    if dok.digantikan and dok.object_id is not None:
        terbaru = (
            Dokumen.objects.filter(
                content_type_id=dok.content_type_id,
                object_id=dok.object_id,
                jenis=dok.jenis,
                dibuat__gt=dok.dibuat,
            )
            .order_by("-dibuat", "-id")
            .values("versi", "dibuat")
            .first()
        )
    persetujuan = []
    if dok.content_type_id and dok.object_id is not None:
        from kinerja.persetujuan import persetujuan_untuk_ref

        persetujuan = persetujuan_untuk_ref(
            content_type_id=dok.content_type_id, object_id=dok.object_id, pada=dok.dibuat
        )
    ctx = {
        "dok": dok,
        "form": form,
        "hasil": hasil,
        "galat": galat,
        "terbaru": terbaru,
        "digantikan": digantikan,
        "versi_baru": versi_baru,
        "persetujuan": persetujuan,
        "batas_mb": _batas_unggah() // (1024 * 1024),
    }
    return _publik(render(request, "kinerja/verifikasi.html", ctx, status=status))


def _pesan_terlalu_besar(batas: int) -> str:
    return f"Berkas terlalu besar. Ukuran maksimum {batas // (1024 * 1024)} MB."


urlpatterns = [
    path("", verifikasi_cari, name="verifikasi_cari"),
    path("<str:kode>/", verifikasi_dokumen, name="verifikasi_dokumen"),
]
