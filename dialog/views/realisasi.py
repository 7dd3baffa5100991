"""Pages of dokumentasi kinerja: realisasi per rencana hasil kerja, bukti dukung."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from dialog import forms as f
from dialog import selectors as sel
from dialog import services as svc
from dialog.models import (
    BuktiDukung,
    Realisasi,
)
from dialog.views._common import _form_errors, _saya
from kinerja import policy
from kinerja.masukan import id_dari


# --- Dokumentasi kinerja ------------------------------------------------------------------------
@login_required
def dokumentasi(request: HttpRequest) -> HttpResponse:
    """The pegawai's rows for the year with realisasi per window."""
    saya = _saya(request)
    tahun = timezone.localdate().year
    rhk = sel.rhk_pegawai(pegawai=saya, tahun=tahun)
    periode = rhk[0].skp.periode if rhk else None
    jendela = sel.jendela_tahun(periode) if periode else []
    isi = {}
    if rhk:
        for r in Realisasi.objects.filter(
            rhk_kunci__in=[x.kunci for x in rhk], periode=periode
        ).only("rhk_kunci", "urutan"):
            isi[(r.rhk_kunci, r.urutan)] = True
    baris = [(r, [isi.get((r.kunci, j.urutan), False) for j in jendela]) for r in rhk]
    return render(
        request,
        "dialog/dokumentasi.html",
        {"baris": baris, "jendela": jendela, "tahun": tahun},
    )


def _rhk_untuk(request: HttpRequest, pk: int) -> Any:
    """A rencana hasil kerja the user may see the documentation of (404 otherwise)."""
    from skp.models import RencanaHasilKerja

    return policy.get_for_user(
        request.user,
        RencanaHasilKerja.objects.select_related("skp__pegawai", "skp__periode", "pemberi_tugas"),
        action="realisasi",
        pk=pk,
    )


@login_required
def realisasi_rhk(request: HttpRequest, pk: int) -> HttpResponse:
    rhk = _rhk_untuk(request, pk)
    milik = policy.actor(request.user).pegawai_id == rhk.skp.pegawai_id
    periode = rhk.skp.periode
    jendela = sel.jendela_tahun(periode)
    ada = sel.realisasi_untuk_rhk(user=request.user, rhk=rhk)
    bound: dict[str, Any] = {}
    if request.method == "POST":
        if not milik:
            raise PermissionDenied("Realisasi hanya dicatat oleh pegawai pemiliknya.")
        aksi = request.POST.get("aksi")
        urutan = id_dari(request.POST, "urutan", label="Urutan") or 0
        try:
            if aksi == "realisasi":
                form = f.RealisasiForm(request.POST)
                bound[f"realisasi-{urutan}"] = form
                if form.is_valid():
                    d = form.cleaned_data
                    svc.realisasi_simpan(
                        user=request.user,
                        rencana_hasil_kerja=rhk,
                        urutan=d["urutan"],
                        uraian=d["uraian"],
                        angka=d["angka"],
                        satuan=d["satuan"],
                        row_version=d["row_version"],
                    )
                    messages.success(request, "Realisasi tersimpan.")
                    return redirect("dialog:realisasi_rhk", rhk.pk)
            elif aksi in {"berkas", "tautan"}:
                realisasi = ada.get(urutan)
                form = (
                    f.BuktiBerkasForm(request.POST, request.FILES)
                    if aksi == "berkas"
                    else f.BuktiTautanForm(request.POST)
                )
                bound[f"{aksi}-{urutan}"] = form
                if realisasi is None:
                    form.add_error(None, "Isi realisasi periode ini dahulu, lalu unggah buktinya.")
                elif form.is_valid():
                    if aksi == "berkas":
                        svc.bukti_unggah(
                            user=request.user,
                            realisasi=realisasi,
                            judul=form.cleaned_data["judul"],
                            berkas=form.cleaned_data["berkas"],
                        )
                    else:
                        svc.bukti_tautan(
                            user=request.user,
                            realisasi=realisasi,
                            judul=form.cleaned_data["judul"],
                            tautan=form.cleaned_data["tautan"],
                        )
                    messages.success(request, "Bukti dukung tersimpan.")
                    return redirect("dialog:realisasi_rhk", rhk.pk)
        except ValidationError as exc:
            _form_errors(form, exc)
    rows = []
    for j in jendela:
        r = ada.get(j.urutan)
        rows.append(
            {
                "jendela": j,
                "realisasi": r,
                "form": bound.get(f"realisasi-{j.urutan}")
                or f.RealisasiForm(
                    initial={
                        "urutan": j.urutan,
                        "uraian": r.uraian if r else "",
                        "angka": r.angka if r else None,
                        "satuan": r.satuan if r else "",
                        "row_version": r.row_version if r else None,
                    }
                ),
                "form_berkas": bound.get(f"berkas-{j.urutan}") or f.BuktiBerkasForm(),
                "form_tautan": bound.get(f"tautan-{j.urutan}") or f.BuktiTautanForm(),
            }
        )
    status = 400 if bound else 200
    return render(
        request,
        "dialog/realisasi_rhk.html",
        {"rhk": rhk, "rows": rows, "milik": milik and not periode.ditutup},
        status=status,
    )


@login_required
def bukti_unduh(request: HttpRequest, pk: int) -> HttpResponse:
    """Evidence is streamed through the policy, never from a public /media URL."""
    bukti = policy.get_for_user(
        request.user, BuktiDukung.objects.select_related("realisasi"), pk=pk
    )
    if not bukti.berkas:
        raise Http404
    inline = bukti.mime in {"image/png", "image/jpeg", "application/pdf"}
    nama = bukti.nama_asli or f"bukti-{bukti.pk}.{bukti.ekstensi}"
    resp = FileResponse(
        bukti.berkas.open("rb"),
        as_attachment=not inline,
        filename=nama,
        content_type=bukti.mime or "application/octet-stream",
    )
    resp["Cache-Control"] = "private, no-store"
    resp["X-Content-Type-Options"] = "nosniff"
    return resp


@login_required
@require_POST
def bukti_hapus(request: HttpRequest, pk: int) -> HttpResponse:
    bukti = policy.get_for_user(
        request.user, BuktiDukung.objects.select_related("realisasi__rencana_hasil_kerja"), pk=pk
    )
    rhk_id = bukti.realisasi.rencana_hasil_kerja_id
    try:
        svc.bukti_hapus(user=request.user, bukti=bukti)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Bukti dukung dihapus.")
    return redirect("dialog:realisasi_rhk", rhk_id)
