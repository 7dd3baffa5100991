"""Kernel pages: home per role, notifications, organisation overview, job progress."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from kinerja import policy
from kinerja.models import Job, Notifikasi, Pegawai, UnitKerja
from kinerja.navigation import PANELS


@login_required
def beranda(request: HttpRequest) -> HttpResponse:
    a = policy.actor(request.user)
    saya = (
        Pegawai.objects.select_related(
            "jabatan", "unit_kerja", "instansi", "pejabat_penilai__jabatan",
            "atasan_pejabat_penilai__jabatan",
        )
        .filter(pk=a.pegawai_id)
        .first()
    )
    tim = (
        Pegawai.objects.filter(pejabat_penilai_id=a.pegawai_id)
        .select_related("jabatan", "unit_kerja")
        .order_by("nama")
        if a.pegawai_id
        else Pegawai.objects.none()
    )
    ringkas_instansi = None
    if a.admin_instansi_id:
        ringkas_instansi = {
            "pegawai": Pegawai.objects.filter(instansi_id=a.admin_instansi_id).count(),
            "unit": UnitKerja.objects.filter(instansi_id=a.admin_instansi_id).count(),
        }
    panels = [p.template for p in PANELS if p.visible(a)]
    return render(
        request,
        "kinerja/beranda.html",
        {"saya": saya, "tim": tim, "ringkas_instansi": ringkas_instansi, "panels": panels, "actor": a},
    )


@login_required
def organisasi(request: HttpRequest) -> HttpResponse:
    """The admin's view of their instansi's units and people."""
    a = policy.actor(request.user)
    if not (a.admin_instansi_id or a.superuser):
        return redirect("beranda")
    units = policy.scope(request.user, UnitKerja.objects.select_related("induk")).order_by("nama")
    q = request.GET.get("q", "").strip()
    pegawai = policy.scope(
        request.user, Pegawai.objects.select_related("jabatan", "unit_kerja", "pejabat_penilai")
    )
    if a.admin_instansi_id:
        pegawai = pegawai.filter(instansi_id=a.admin_instansi_id)
    if q:
        pegawai = pegawai.filter(nama__icontains=q) | pegawai.filter(nip__startswith=q)
    page = Paginator(pegawai.order_by("nama", "id"), 50).get_page(request.GET.get("page"))
    return render(request, "kinerja/organisasi.html", {"units": units, "page": page, "q": q})


@login_required
@vary_on_headers("HX-Request")
def notifikasi_list(request: HttpRequest) -> HttpResponse:
    qs = policy.scope(request.user, Notifikasi.objects.all())
    page = Paginator(qs.order_by("-dibuat", "-id"), 30).get_page(request.GET.get("page"))
    return render(request, "kinerja/notifikasi.html", {"page": page})


@login_required
def notifikasi_lonceng(request: HttpRequest) -> HttpResponse:
    return render(request, "kinerja/partials/lonceng.html")


@login_required
@require_POST
def notifikasi_baca(request: HttpRequest, pk: int) -> HttpResponse:
    from kinerja.notifikasi import notifikasi_baca as baca

    n = policy.get_for_user(request.user, Notifikasi.objects.all(), pk=pk)
    baca(user=request.user, notifikasi=n)
    if n.tautan and request.POST.get("buka"):
        return redirect(n.tautan)
    return redirect("notifikasi_list")


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    a = policy.actor(request.user)
    if not (a.admin_instansi_id or a.superuser):
        return redirect("beranda")
    qs = policy.scope(request.user, Job.objects.select_related("dibuat_oleh"))
    status = request.GET.get("status", "")
    if status in Job.Status.values:
        qs = qs.filter(status=status)
    page = Paginator(qs.order_by("-dibuat", "-id"), 50).get_page(request.GET.get("page"))
    return render(request, "kinerja/job_list.html", {"page": page, "status": status})


@login_required
@vary_on_headers("HX-Request")
def job_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Progress of one background job; htmx polls the partial until it is done."""
    job = policy.get_for_user(request.user, Job.objects.all(), pk=pk)
    return render(request, "kinerja/partials/job_progres.html", {"job": job})
