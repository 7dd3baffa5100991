"""The matriks peran-hasil pages: the leader's columns, the members' rows, cells edited inline."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from kinerja import policy
from kinerja.masukan import id_dari
from kinerja.models import Pegawai, TimKerja
from skp import selectors, services
from skp.forms import PeranHasilForm
from skp.models import SKP, MatriksPeranHasil, PeranHasil


def _matriks(request: HttpRequest, mid: int) -> MatriksPeranHasil:
    return policy.get_for_user(request.user, selectors.matriks_qs(), pk=mid)


def _ke(m: MatriksPeranHasil, anchor: str = "") -> HttpResponse:
    return redirect(reverse("skp:matriks", args=[m.pk]) + anchor)


@login_required
def matriks_index(request: HttpRequest) -> HttpResponse:
    a = policy.actor(request.user)
    periode = selectors.periode_aktif(a.instansi_id)
    pilihan = selectors.matriks_untuk(request.user)
    ada = {}
    if periode is not None and a.pegawai_id:
        for m in MatriksPeranHasil.objects.filter(pemimpin_id=a.pegawai_id, periode=periode):
            ada[m.tim_id] = m
    for p in pilihan:
        p["matriks"] = ada.get(p["tim"].pk if p["tim"] else None)
    lain = (
        policy.scope(request.user, selectors.matriks_qs())
        .exclude(pemimpin_id=a.pegawai_id)
        .order_by("-periode__tahun", "pemimpin__nama")[:50]
    )
    return render(
        request,
        "skp/matriks_index.html",
        {"pilihan": pilihan, "periode": periode, "lain": lain},
    )


@login_required
@require_POST
def matriks_buka(request: HttpRequest) -> HttpResponse:
    a = policy.actor(request.user)
    if not a.pegawai_id:
        raise PermissionDenied("Hanya pegawai yang dapat menyusun matriks.")
    periode = selectors.periode_aktif(a.instansi_id)
    if periode is None:
        messages.error(request, "Belum ada periode penilaian.")
        return redirect("skp:matriks_index")
    tim = None
    tim_id = id_dari(request.POST, "tim", label="Tim kerja")
    if tim_id:
        tim = TimKerja.objects.filter(pk=tim_id, ketua_id=a.pegawai_id).first()
        if tim is None:
            raise Http404("Tim tidak ditemukan.")
    pemimpin = Pegawai.objects.get(pk=a.pegawai_id)
    m = services.matriks_buat(pemimpin=pemimpin, periode=periode, user=request.user, tim=tim)
    return _ke(m)


def _ctx(request: HttpRequest, m: MatriksPeranHasil) -> dict[str, Any]:
    grid = selectors.matriks_grid(m)
    skp_pemimpin = selectors.skp_terkini(pegawai=m.pemimpin_id, periode=m.periode_id)
    return {
        "m": m,
        **grid,
        "boleh_ubah": policy.can(request.user, "change", m),
        "skp_pemimpin": skp_pemimpin,
        "kandidat_ketua": selectors.matriks_kandidat_ketua(m),
        "tambahan_ids": set(m.anggota_tambahan.values_list("pk", flat=True)),
    }


@login_required
def matriks_detail(request: HttpRequest, mid: int) -> HttpResponse:
    m = _matriks(request, mid)
    return render(request, "skp/matriks.html", _ctx(request, m))


@login_required
@require_POST
def matriks_kolom(request: HttpRequest, mid: int) -> HttpResponse:
    """Add one of the leader's own rencana hasil kerja (a new column) to their draft SKP."""
    m = _matriks(request, mid)
    policy.require(request.user, "change", m)
    teks = request.POST.get("rencana", "")
    try:
        skp = selectors.skp_terkini(pegawai=m.pemimpin_id, periode=m.periode_id)
        if skp is None:
            skp = services.skp_buat(pegawai=m.pemimpin, periode=m.periode, user=request.user)
        if skp.status != SKP.Status.DRAFT:
            raise ValidationError(
                "SKP Anda sudah "
                f"{skp.get_status_display().lower()}; buka versi baru SKP untuk menambah kolom."
            )
        services.rhk_tambah(
            skp=skp,
            user=request.user,
            jenis="utama",
            rencana=teks,
            indikator=[
                {
                    "aspek": request.POST.get("aspek") or "kuantitas",
                    "indikator": request.POST.get("indikator", ""),
                    "target": request.POST.get("target", ""),
                }
            ],
        )
        messages.success(request, "Kolom (rencana hasil kerja pimpinan) ditambahkan.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return _ke(m)


def _kunci(s: str) -> uuid.UUID:
    try:
        return uuid.UUID(s)
    except (ValueError, TypeError) as exc:
        raise Http404("Kolom tidak ditemukan.") from exc


def _sel_ctx(
    request: HttpRequest,
    m: MatriksPeranHasil,
    anggota_id: int,
    kunci: uuid.UUID,
    form: PeranHasilForm | None = None,
    edit: PeranHasil | None = None,
) -> dict:
    isi = list(
        PeranHasil.objects.filter(matriks=m, anggota_id=anggota_id, kolom_kunci=kunci).order_by(
            "urutan", "id"
        )
    )
    return {
        "m": m,
        "anggota_id": anggota_id,
        "kunci": kunci,
        "isi": isi,
        "boleh_ubah": policy.can(request.user, "change", m),
        "form": form,
        "edit": edit,
    }


@login_required
@vary_on_headers("HX-Request")
def matriks_sel(request: HttpRequest, mid: int) -> HttpResponse:
    """One cell: GET shows it (with a form when ?form=1), POST adds/edits a peran-hasil."""
    m = _matriks(request, mid)
    src = request.POST if request.method == "POST" else request.GET
    try:
        anggota_id = int(src.get("anggota", ""))
    except ValueError as exc:
        raise Http404("Anggota tidak ditemukan.") from exc
    kunci = _kunci(src.get("kolom", ""))
    edit = None
    if src.get("sel"):
        edit = PeranHasil.objects.filter(matriks=m, pk=src.get("sel")).first()
    if request.method == "GET":
        form = None
        if src.get("form"):
            policy.require(request.user, "change", m)
            form = PeranHasilForm(
                initial={f: getattr(edit, f) for f in PeranHasilForm.base_fields} if edit else None
            )
        tpl = "skp/partials/matriks_sel.html" if request.htmx else "skp/matriks_sel_page.html"
        return render(request, tpl, _sel_ctx(request, m, anggota_id, kunci, form, edit))
    policy.require(request.user, "change", m)
    form = PeranHasilForm(request.POST)
    anggota = Pegawai.objects.filter(pk=anggota_id).first()
    if anggota is None:
        raise Http404("Anggota tidak ditemukan.")
    if form.is_valid():
        try:
            services.peran_hasil_simpan(
                matriks=m,
                user=request.user,
                anggota=anggota,
                kolom_kunci=kunci,
                sel=edit,
                **form.cleaned_data,
            )
            if not request.htmx:
                messages.success(request, "Peran-hasil disimpan.")
                return _ke(m)
            return render(
                request, "skp/partials/matriks_sel.html", _sel_ctx(request, m, anggota_id, kunci)
            )
        except ValidationError as exc:
            for k, v in exc.message_dict.items():
                form.add_error(k if k in form.fields else None, v)
    tpl = "skp/partials/matriks_sel.html" if request.htmx else "skp/matriks_sel_page.html"
    return render(request, tpl, _sel_ctx(request, m, anggota_id, kunci, form, edit))


@login_required
@require_POST
def matriks_sel_hapus(request: HttpRequest, mid: int, sid: int) -> HttpResponse:
    m = _matriks(request, mid)
    sel = PeranHasil.objects.filter(matriks=m, pk=sid).first()
    if sel is None:
        raise Http404("Peran-hasil tidak ditemukan.")
    policy.require(request.user, "change", m)
    services.peran_hasil_hapus(sel=sel, user=request.user)
    if not request.htmx:
        return _ke(m)
    return render(
        request,
        "skp/partials/matriks_sel.html",
        _sel_ctx(request, m, sel.anggota_id, sel.kolom_kunci),
    )


@login_required
@require_POST
def matriks_na(request: HttpRequest, mid: int) -> HttpResponse:
    m = _matriks(request, mid)
    anggota_id = id_dari(request.POST, "anggota", label="Anggota")
    kunci = _kunci(request.POST.get("kolom", ""))
    anggota = Pegawai.objects.filter(pk=anggota_id).first()
    if anggota is None:
        raise Http404("Anggota tidak ditemukan.")
    # The cell exists (404 above otherwise); acting on it is the leader's alone.
    policy.require(request.user, "change", m)
    err = None
    try:
        services.peran_hasil_na(
            matriks=m,
            user=request.user,
            anggota=anggota,
            kolom_kunci=kunci,
            na=request.POST.get("na") == "1",
        )
    except ValidationError as exc:
        err = " ".join(exc.messages)
    if not request.htmx:
        if err:
            messages.error(request, err)
        return _ke(m)
    ctx = _sel_ctx(request, m, anggota_id, kunci)
    ctx["galat"] = err
    return render(request, "skp/partials/matriks_sel.html", ctx)


@login_required
@require_POST
def matriks_terapkan(request: HttpRequest, mid: int) -> HttpResponse:
    m = _matriks(request, mid)
    policy.require(request.user, "terapkan", m)
    try:
        hasil = services.matriks_terapkan(matriks=m, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _ke(m)
    bagian = []
    if hasil["dibuat"]:
        bagian.append("SKP baru: " + ", ".join(hasil["dibuat"]))
    if hasil["diperbarui"]:
        bagian.append("draft diperbarui: " + ", ".join(hasil["diperbarui"]))
    if hasil["versi_baru"]:
        bagian.append("versi baru dibuka (SKP sudah disetujui): " + ", ".join(hasil["versi_baru"]))
    if not bagian:
        bagian.append("tidak ada perubahan; semua SKP sudah sesuai matriks")
    messages.success(request, "Matriks diterapkan — " + "; ".join(bagian) + ".")
    for d in hasil["dilewati"]:
        messages.warning(request, f"Dilewati — {d}.")
    return _ke(m)


@login_required
@require_POST
def matriks_baris(request: HttpRequest, mid: int) -> HttpResponse:
    """Add (or remove, with hapus=1) a ketua tim as an extra row."""
    m = _matriks(request, mid)
    policy.require(request.user, "change", m)
    anggota = Pegawai.objects.filter(pk=id_dari(request.POST, "anggota") or 0).first()
    if anggota is None:
        messages.error(request, "Pilih ketua tim yang akan ditambahkan.")
        return _ke(m)
    try:
        if request.POST.get("hapus"):
            services.matriks_baris_hapus(matriks=m, user=request.user, anggota=anggota)
            messages.success(request, f"{anggota.nama} dihapus dari baris matriks.")
        else:
            services.matriks_baris_tambah(matriks=m, user=request.user, anggota=anggota)
            messages.success(request, f"{anggota.nama} ditambahkan sebagai baris matriks.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return _ke(m)
