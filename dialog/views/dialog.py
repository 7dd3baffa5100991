"""Pages of dialog kinerja and its follow-ups, and a pegawai's year of dialogue."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from dialog import forms as f
from dialog import selectors as sel
from dialog import services as svc
from dialog.models import (
    TindakLanjut,
)
from dialog.views._common import _form_errors, _perilaku, _saya
from kinerja import policy
from kinerja.models import Pegawai


# --- Dialog kinerja -------------------------------------------------------------------------------
@login_required
def dialog_list(request: HttpRequest) -> HttpResponse:
    qs = sel.dialog_qs(request.user).order_by("-waktu", "-id")
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    boleh = policy.may(request.user, "membina")
    return render(request, "dialog/dialog_list.html", {"page": page, "boleh_mencatat": boleh})


def _dipimpin(request: HttpRequest) -> dict[int, Pegawai]:
    ids = policy.pegawai_terkait(request.user, "dinilai", "atasan", "tim")
    return {
        p.pk: p
        for p in Pegawai.objects.filter(pk__in=ids)
        .exclude(status=Pegawai.Status.BERHENTI)
        .order_by("nama")
    }


@login_required
def dialog_baru(request: HttpRequest) -> HttpResponse:
    saya = _saya(request)
    orang = _dipimpin(request)
    if not orang:
        raise PermissionDenied("Dialog kinerja dicatat oleh pimpinan pegawai.")
    form = f.DialogForm(request.POST or None, initial={"pegawai": request.GET.get("pegawai")})
    form.fields["pegawai"].choices = [(p.pk, p.nama) for p in orang.values()]
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        pegawai = orang[int(d["pegawai"])]
        tl = []
        if d["tl_uraian"]:
            tl.append(
                (d["tl_uraian"], d["tl_tenggat"], saya if d["tl_oleh"] == "pemimpin" else pegawai)
            )
        try:
            obj = svc.dialog_catat(
                user=request.user,
                pegawai=pegawai,
                jenis=d["jenis"],
                waktu=d["waktu"],
                agenda=d["agenda"],
                catatan=d["catatan"],
                tindak_lanjut=tl,
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, "Dialog kinerja tercatat.")
            return redirect("dialog:dialog_detail", obj.pk)
    return render(request, "dialog/dialog_form.html", {"form": form})


@login_required
def dialog_detail(request: HttpRequest, pk: int) -> HttpResponse:
    d = policy.get_for_user(request.user, sel.dialog_qs(request.user), pk=pk)
    boleh_ubah = policy.can(request.user, "change", d)
    form_ubah = f.DialogUbahForm(
        initial={"agenda": d.agenda, "catatan": d.catatan, "row_version": d.row_version}
    )
    form_tl = f.TindakLanjutForm()
    status = 200
    if request.method == "POST":
        policy.require(request.user, "change", d)
        aksi = request.POST.get("aksi")
        try:
            if aksi == "ubah":
                form_ubah = f.DialogUbahForm(request.POST)
                if form_ubah.is_valid():
                    svc.dialog_ubah(user=request.user, dialog=d, **form_ubah.cleaned_data)
                    messages.success(request, "Catatan dialog tersimpan.")
                    return redirect("dialog:dialog_detail", d.pk)
            elif aksi == "tindak_lanjut":
                form_tl = f.TindakLanjutForm(request.POST)
                if form_tl.is_valid():
                    c = form_tl.cleaned_data
                    svc.tindak_lanjut_tambah(
                        user=request.user,
                        dialog=d,
                        uraian=c["uraian"],
                        tenggat=c["tenggat"],
                        penanggung_jawab=d.pemimpin if c["oleh"] == "pemimpin" else d.pegawai,
                    )
                    messages.success(request, "Tindak lanjut ditambahkan.")
                    return redirect("dialog:dialog_detail", d.pk)
        except ValidationError as exc:
            _form_errors(form_ubah if aksi == "ubah" else form_tl, exc)
        status = 400
    return render(
        request,
        "dialog/dialog_detail.html",
        {
            "d": d,
            "boleh_ubah": boleh_ubah,
            "form_ubah": form_ubah,
            "form_tl": form_tl,
            "hari_ini": timezone.localdate(),
        },
        status=status,
    )


@login_required
@require_POST
def tindak_lanjut_selesai(request: HttpRequest, pk: int) -> HttpResponse:
    t = policy.get_for_user(request.user, TindakLanjut.objects.select_related("dialog"), pk=pk)
    svc.tindak_lanjut_selesai(
        user=request.user, tindak_lanjut=t, selesai=request.POST.get("selesai", "1") == "1"
    )
    return redirect("dialog:dialog_detail", t.dialog_id)


# --- A pegawai's year ------------------------------------------------------------------------------
@login_required
def tahun_saya(request: HttpRequest) -> HttpResponse:
    saya = _saya(request)
    return redirect("dialog:tahun", saya.pk, timezone.localdate().year)


@login_required
@vary_on_headers("HX-Request")
def tahun(request: HttpRequest, pk: int, tahun: int) -> HttpResponse:
    pegawai = policy.get_for_user(
        request.user,
        Pegawai.objects.select_related("jabatan", "unit_kerja", "pejabat_penilai"),
        action="lihat_tahun",
        pk=pk,
    )
    jenis = request.GET.get("jenis", "")
    peristiwa = sel.tahun_pegawai(user=request.user, pegawai=pegawai, tahun=tahun, jenis=jenis)
    ctx = {
        "pegawai": pegawai,
        "tahun": tahun,
        "jenis": jenis,
        "peristiwa": peristiwa,
        "jenis_pilihan": sel.JENIS_PERISTIWA,
        "perilaku": _perilaku(),
        "tahun_lalu": tahun - 1,
        "tahun_depan": tahun + 1 if tahun < dt.date.today().year else None,
    }
    if request.htmx:
        return render(request, "dialog/partials/tahun_daftar.html", ctx)
    return render(request, "dialog/tahun.html", ctx)
