"""Pages of umpan balik (list, detail, give, ask) and the leader's team overview."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.vary import vary_on_headers

from dialog import forms as f
from dialog import selectors as sel
from dialog import services as svc
from dialog.models import (
    PermintaanUmpanBalik,
    UmpanBalik,
)
from dialog.views._common import _form_errors, _perilaku, _saya
from kinerja import policy
from kinerja.masukan import id_dari


# --- Umpan balik --------------------------------------------------------------------------------
@login_required
@vary_on_headers("HX-Request")
def umpan_balik_list(request: HttpRequest) -> HttpResponse:
    a = policy.actor(request.user)
    peran = request.GET.get("peran") or ("diterima" if a.pegawai_id else "")
    if peran not in {"diterima", "diberikan", "tim"}:
        peran = "diterima"
    jenis = request.GET.get("jenis", "")
    hubungan = request.GET.get("hubungan", "")
    qs = sel.umpan_balik_list(user=request.user, peran=peran, jenis=jenis, hubungan=hubungan)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    ctx = {
        "page": page,
        "peran": peran,
        "jenis": jenis,
        "hubungan": hubungan,
        "perilaku": _perilaku(),
        "jenis_choices": UmpanBalik.Jenis.choices,
        "hubungan_choices": UmpanBalik.Hubungan.choices,
        "is_penilai": policy.may(a, "memimpin"),
        "permintaan_masuk": sel.permintaan_masuk(user=request.user) if a.pegawai_id else [],
        "permintaan_saya": sel.permintaan_saya(user=request.user)[:10] if a.pegawai_id else [],
    }
    if request.htmx:
        return render(request, "dialog/partials/umpan_balik_tabel.html", ctx)
    return render(request, "dialog/umpan_balik_list.html", ctx)


@login_required
def umpan_balik_detail(request: HttpRequest, pk: int) -> HttpResponse:
    ub = policy.get_for_user(request.user, sel.umpan_balik_qs(request.user), pk=pk)
    return render(request, "dialog/umpan_balik_detail.html", {"ub": ub, "perilaku": _perilaku()})


@login_required
def umpan_balik_beri(request: HttpRequest) -> HttpResponse:
    """Step 1: choose the receiver (list of related people or an exact NIP); step 2: the form."""
    saya = _saya(request)
    permintaan = None
    pid = request.GET.get("penerima") or request.POST.get("penerima_id")
    if request.GET.get("permintaan"):
        permintaan = policy.get_for_user(
            request.user,
            PermintaanUmpanBalik.objects.select_related("peminta"),
            pk=id_dari(request.GET, "permintaan"),
            diminta_id=saya.pk,
        )
        pid = permintaan.peminta_id
    if not pid:
        pilih = f.PilihPenerimaForm(request.GET or None)
        kandidat = list(sel.kandidat_penerima(saya))
        pilih.fields["penerima"].choices = [("", "—")] + [
            (p.pk, f"{p.nama} — {p.jabatan or ''}") for p in kandidat
        ]
        if request.GET.get("nip"):
            p = sel.pegawai_dengan_nip(request.GET["nip"])
            if p and sel.penerima_boleh(pemberi=saya, pegawai_id=p.pk):
                return redirect(f"{reverse('dialog:umpan_balik_beri')}?penerima={p.pk}")
            pilih.add_error("nip", "Pegawai dengan NIP itu tidak ditemukan di instansi Anda.")
        return render(request, "dialog/umpan_balik_pilih.html", {"form": pilih})
    try:
        penerima = sel.penerima_boleh(pemberi=saya, pegawai_id=int(pid))
    except (TypeError, ValueError):
        penerima = None
    if penerima is None:
        raise Http404("Pegawai tidak ditemukan.")
    rhk_all = sel.rhk_pegawai(pegawai=penerima)
    rhk_list = [
        r
        for r in rhk_all
        if svc.boleh_sasaran_rhk(pemberi=saya, penerima=penerima, rhk=r)
        or (permintaan and permintaan.rencana_hasil_kerja_id == r.pk)
    ]
    initial = {}
    if permintaan:
        if permintaan.rencana_hasil_kerja_id:
            initial["sasaran"] = f"rhk:{permintaan.rencana_hasil_kerja_id}"
        elif permintaan.perilaku:
            initial["sasaran"] = f"perilaku:{permintaan.perilaku}"
    form = f.UmpanBalikForm(request.POST or None, initial=initial)
    form.setup_sasaran(rhk_list, _perilaku())
    if request.method == "POST" and form.is_valid():
        rhk, perilaku = form.sasaran_nilai()
        try:
            ub = svc.umpan_balik_beri(
                user=request.user,
                penerima=penerima,
                jenis=form.cleaned_data["jenis"],
                cara=form.cleaned_data["cara"],
                isi=form.cleaned_data["isi"],
                rencana_hasil_kerja=rhk,
                perilaku=perilaku,
                permintaan=permintaan,
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, f"Umpan balik untuk {penerima.nama} tersimpan.")
            return redirect("dialog:umpan_balik_detail", ub.pk)
    hubungan = svc.hubungan_antara(pemberi=saya, penerima=penerima)
    return render(
        request,
        "dialog/umpan_balik_form.html",
        {
            "form": form,
            "penerima": penerima,
            "permintaan": permintaan,
            "hubungan": UmpanBalik.Hubungan(hubungan).label,
        },
    )


@login_required
def umpan_balik_minta(request: HttpRequest) -> HttpResponse:
    saya = _saya(request)
    form = f.MintaUmpanBalikForm(request.POST or None)
    kandidat = {p.pk: p for p in sel.kandidat_diminta(saya)}
    form.fields["diminta"].choices = [("", "—")] + [
        (p.pk, f"{p.nama} — {p.jabatan or ''}") for p in kandidat.values()
    ]
    form.setup_sasaran(sel.rhk_pegawai(pegawai=saya), _perilaku())
    if request.method == "POST" and form.is_valid():
        diminta = None
        if form.cleaned_data["diminta"]:
            diminta = kandidat.get(int(form.cleaned_data["diminta"]))
        elif form.cleaned_data["nip"]:
            diminta = sel.pegawai_dengan_nip(form.cleaned_data["nip"])
            if diminta and diminta.instansi_id != saya.instansi_id and diminta.pk not in kandidat:
                diminta = None
            if diminta is None:
                form.add_error("nip", "Pegawai dengan NIP itu tidak ditemukan di instansi Anda.")
        else:
            form.add_error("diminta", "Pilih orang yang dimintai umpan balik.")
        if diminta is not None:
            rhk, perilaku = form.sasaran_nilai()
            try:
                svc.umpan_balik_minta(
                    user=request.user,
                    diminta=diminta,
                    pesan=form.cleaned_data["pesan"],
                    rencana_hasil_kerja=rhk,
                    perilaku=perilaku,
                )
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, f"Permintaan umpan balik dikirim kepada {diminta.nama}.")
                return redirect(f"{reverse('dialog:umpan_balik_list')}?peran=diterima")
    return render(request, "dialog/umpan_balik_minta.html", {"form": form})


@login_required
def tim(request: HttpRequest) -> HttpResponse:
    """The penilai's team: feedback coverage in the current evaluation window."""
    saya = _saya(request)
    cakupan = sel.cakupan_umpan_balik(penilai_id=saya.pk)
    perlu = sel.penugasan_perlu_keputusan(user=request.user).count()
    return render(
        request,
        "dialog/tim.html",
        {"cakupan": cakupan, "perlu_keputusan": perlu, "tahun": timezone.localdate().year},
    )
