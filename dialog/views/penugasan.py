"""Pages of penugasan (list, propose, decide) and voluntary opportunities (peluang)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from dialog import forms as f
from dialog import selectors as sel
from dialog import services as svc
from dialog.models import (
    Peluang,
    Penugasan,
)
from dialog.views._common import _form_errors, _saya
from kinerja import policy
from kinerja.akses.batas import PESAN_429, terlalu_sering
from kinerja.models import Pegawai, TimKerja


# --- Penugasan ---------------------------------------------------------------------------------
@login_required
def penugasan_list(request: HttpRequest) -> HttpResponse:
    a = policy.actor(request.user)
    qs = sel.penugasan_qs(request.user)
    tab = request.GET.get("tab", "")
    tabs = {
        "keputusan": qs.filter(
            penerima__pejabat_penilai_id=a.pegawai_id, status=Penugasan.Status.DIUSULKAN
        ),
        "saya": qs.filter(penerima_id=a.pegawai_id),
        "usulan": qs.filter(Q(pemberi_id=a.pegawai_id) | Q(diusulkan_oleh=request.user)).exclude(
            penerima_id=a.pegawai_id
        ),
        "tim": qs.filter(
            Q(penerima__pejabat_penilai_id=a.pegawai_id)
            | Q(penerima__atasan_pejabat_penilai_id=a.pegawai_id)
        ),
    }
    if tab not in tabs:
        tab = "keputusan" if tabs["keputusan"].exists() else "saya"
    page = Paginator(tabs[tab], 25).get_page(request.GET.get("page"))
    return render(
        request,
        "dialog/penugasan_list.html",
        {
            "page": page,
            "tab": tab,
            "boleh_menugaskan": policy.may(request.user, "menugaskan"),
        },
    )


@login_required
@vary_on_headers("HX-Request")
def penugasan_cari_nip(request: HttpRequest) -> HttpResponse:
    """Exact-NIP lookup (htmx) for proposing an assignment: name, position, unit, instansi.

    Only for who may propose an assignment (asked before anything is read), and limited per
    account: NIPs are structured, so an open lookup would enumerate every instansi's staff."""
    _saya(request)
    if not policy.may(request.user, "menugaskan"):
        raise PermissionDenied("Hanya pejabat (atau ketua tim kerja) yang dapat menugaskan.")
    batas = settings.KINERJA_CARI_NIP_PER_MENIT
    if terlalu_sering("cari-nip", str(request.user.pk), batas):
        resp = render(
            request,
            "dialog/partials/nip_hasil.html",
            {"pesan": PESAN_429.format(detik=60)},
            status=429,
        )
        resp["Retry-After"] = "60"
        return resp
    p = sel.pegawai_dengan_nip(request.GET.get("nip", ""))
    return render(
        request, "dialog/partials/nip_hasil.html", {"p": p, "nip": request.GET.get("nip", "")}
    )


@login_required
def penugasan_usulkan(request: HttpRequest) -> HttpResponse:
    saya = _saya(request)
    if not policy.may(request.user, "menugaskan"):
        raise PermissionDenied("Hanya pejabat (atau ketua tim kerja) yang dapat menugaskan.")
    form = f.PenugasanForm(request.POST or None)
    bawahan = {
        p.pk: p
        for p in Pegawai.objects.filter(pejabat_penilai=saya)
        .exclude(status=Pegawai.Status.BERHENTI)
        .select_related("jabatan")
    }
    form.fields["penerima"].choices = [("", "—")] + [
        (p.pk, f"{p.nama} — {p.jabatan or ''}") for p in bawahan.values()
    ]
    tims = {t.pk: t for t in policy.scope(request.user, TimKerja.objects.filter(aktif=True))}
    form.fields["tim"].choices = [("", "—")] + [(t.pk, t.nama) for t in tims.values()]
    if request.GET.get("penerima") and request.method == "GET":
        form.initial["penerima"] = request.GET["penerima"]
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            if d["tim"]:
                tim_obj = tims.get(int(d["tim"]))
                if tim_obj is None:
                    raise ValidationError({"tim": "Tim kerja tidak ditemukan."})
                hasil = svc.penugasan_usulkan_tim(
                    user=request.user,
                    tim=tim_obj,
                    uraian=d["uraian"],
                    hasil_diharapkan=d["hasil_diharapkan"],
                )
                messages.success(
                    request,
                    f"Penugasan tim dikirim untuk {len(hasil)} anggota, masing-masing kepada "
                    "pejabat penilainya.",
                )
                return redirect(f"{reverse('dialog:penugasan_list')}?tab=usulan")
            if d["penerima"]:
                penerima = bawahan.get(int(d["penerima"]))
            else:
                penerima = sel.pegawai_dengan_nip(d["nip"])
            if penerima is None:
                raise ValidationError({"nip": "Pegawai dengan NIP itu tidak ditemukan."})
            p = svc.penugasan_usulkan(
                user=request.user,
                penerima=penerima,
                uraian=d["uraian"],
                hasil_diharapkan=d["hasil_diharapkan"],
                jenis_rhk=d["jenis_rhk"],
                ekspektasi=d["ekspektasi"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            if p.status == Penugasan.Status.DISETUJUI:
                messages.success(request, "Penugasan langsung tercatat dan masuk ke SKP pegawai.")
            else:
                messages.success(
                    request,
                    f"Usulan penugasan dikirim kepada pejabat penilai {penerima.nama} untuk "
                    "diputuskan.",
                )
            return redirect("dialog:penugasan_detail", p.pk)
    return render(request, "dialog/penugasan_form.html", {"form": form})


def _penugasan(request: HttpRequest, pk: int) -> Penugasan:
    return policy.get_for_user(request.user, sel.penugasan_qs(request.user), pk=pk)


@login_required
def penugasan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    p = _penugasan(request, pk)
    boleh = p.status == Penugasan.Status.DIUSULKAN and policy.can(request.user, "setujui", p)
    ctx: dict[str, Any] = {"p": p, "boleh_memutuskan": boleh}
    if boleh:
        ctx["form_setujui"] = f.SetujuiForm(
            initial={
                "row_version": p.row_version,
                "jenis_rhk": p.jenis_rhk,
                "ekspektasi": p.hasil_diharapkan,
            }
        )
        ctx["form_tolak"] = f.TolakForm(initial={"row_version": p.row_version})
    klarifikasi = (
        getattr(p, "klarifikasi", None) if p.status == Penugasan.Status.DISETUJUI else None
    )
    ctx["klarifikasi"] = klarifikasi
    return render(request, "dialog/penugasan_detail.html", ctx)


@login_required
@require_POST
def penugasan_setujui(request: HttpRequest, pk: int) -> HttpResponse:
    p = _penugasan(request, pk)
    policy.require(request.user, "setujui", p)
    form = f.SetujuiForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            svc.penugasan_setujui(
                user=request.user,
                penugasan=p,
                alasan=d["alasan"],
                jenis_rhk=d["jenis_rhk"],
                ekspektasi=d["ekspektasi"],
                catatan=d["catatan"],
                waktu=d["waktu"],
                row_version=d["row_version"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request,
                "Penugasan disetujui; klarifikasi ekspektasi tercatat dan versi SKP baru "
                "dibuka untuk pegawai.",
            )
            return redirect("dialog:penugasan_detail", p.pk)
    return render(
        request,
        "dialog/penugasan_detail.html",
        {
            "p": p,
            "boleh_memutuskan": True,
            "form_setujui": form,
            "form_tolak": f.TolakForm(initial={"row_version": p.row_version}),
        },
        status=400,
    )


@login_required
@require_POST
def penugasan_tolak(request: HttpRequest, pk: int) -> HttpResponse:
    p = _penugasan(request, pk)
    policy.require(request.user, "tolak", p)
    form = f.TolakForm(request.POST)
    if form.is_valid():
        try:
            svc.penugasan_tolak(
                user=request.user,
                penugasan=p,
                alasan=form.cleaned_data["alasan"],
                row_version=form.cleaned_data["row_version"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, "Penugasan ditolak; pengusul dan pegawai diberi tahu.")
            return redirect("dialog:penugasan_detail", p.pk)
    return render(
        request,
        "dialog/penugasan_detail.html",
        {
            "p": p,
            "boleh_memutuskan": True,
            "form_tolak": form,
            "form_setujui": f.SetujuiForm(
                initial={"row_version": p.row_version, "jenis_rhk": p.jenis_rhk}
            ),
        },
        status=400,
    )


# --- Peluang ----------------------------------------------------------------------------------
@login_required
def peluang_list(request: HttpRequest) -> HttpResponse:
    saya = _saya(request)
    peluang = list(sel.peluang_terbuka(user=request.user))
    sudah = set(
        Penugasan.objects.filter(
            penerima=saya, peluang__in=peluang, status__in=["diusulkan", "disetujui"]
        ).values_list("peluang_id", flat=True)
    )
    milik = policy.scope(request.user, Peluang.objects.filter(pemberi=saya)).order_by("-dibuat")
    return render(
        request,
        "dialog/peluang_list.html",
        {
            "peluang": peluang,
            "sudah": sudah,
            "milik": milik,
            "saya": saya,
            "boleh_membuka": policy.may(request.user, "menugaskan"),
        },
    )


@login_required
def peluang_buka(request: HttpRequest) -> HttpResponse:
    _saya(request)
    if not policy.may(request.user, "menugaskan"):
        raise PermissionDenied("Hanya pejabat yang dapat membuka peluang penugasan.")
    form = f.PeluangForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            svc.peluang_buka(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, "Peluang dibuka; pegawai dapat mengajukan diri.")
            return redirect("dialog:peluang_list")
    return render(request, "dialog/peluang_form.html", {"form": form})


@login_required
@require_POST
def peluang_ikuti(request: HttpRequest, pk: int) -> HttpResponse:
    peluang = policy.get_for_user(request.user, Peluang.objects.all(), pk=pk)
    try:
        p = svc.peluang_ikuti(
            user=request.user, peluang=peluang, pesan=request.POST.get("pesan", "")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("dialog:peluang_list")
    messages.success(
        request, "Permintaan bergabung dikirim kepada pejabat penilai Anda untuk diputuskan."
    )
    return redirect("dialog:penugasan_detail", p.pk)


@login_required
@require_POST
def peluang_tutup(request: HttpRequest, pk: int) -> HttpResponse:
    peluang = policy.get_for_user(request.user, Peluang.objects.all(), pk=pk)
    svc.peluang_tutup(user=request.user, peluang=peluang)
    messages.success(request, "Peluang ditutup.")
    return redirect("dialog:peluang_list")
