"""Kernel pages: home per role, notifications, organisation overview, job progress."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import condition, require_POST
from django.views.decorators.vary import vary_on_headers

from kinerja import policy
from kinerja.models import Instansi, Job, Notifikasi, Pegawai
from kinerja.navigation import PANELS


@login_required
def beranda(request: HttpRequest) -> HttpResponse:
    """The home: what to do next, one section per role the user holds (kinerja/beranda.py),
    the admin's progress of the cycle, and the user's own data."""
    from kinerja import beranda as tugas

    a = policy.actor(request.user)
    saya = (
        Pegawai.objects.select_related(
            "jabatan",
            "unit_kerja",
            "instansi",
            "pejabat_penilai__jabatan",
            "atasan_pejabat_penilai__jabatan",
        )
        .filter(pk=a.pegawai_id)
        .first()
    )
    panels = [
        {"template": p.template, "data": p.konteks(request.user) if p.konteks else {}}
        for p in PANELS
        if p.visible(a)
    ]
    return render(
        request,
        "kinerja/beranda.html",
        {"saya": saya, "bagian": tugas.susun(request.user), "panels": panels},
    )


@login_required
@vary_on_headers("HX-Request")
def notifikasi_list(request: HttpRequest) -> HttpResponse:
    """The user's own notifications, newest first; `?belum=1` shows only the unread ones."""
    from kinerja.notifikasi import label_jenis

    qs = policy.scope(request.user, Notifikasi.objects.all())
    belum = request.GET.get("belum") == "1"
    if belum:
        qs = qs.filter(dibaca=False)
    page = Paginator(qs.order_by("-dibuat", "-id"), 30).get_page(request.GET.get("page"))
    for n in page:
        n.label = label_jenis(n.jenis)
    return render(request, "kinerja/notifikasi.html", {"page": page, "belum": belum})


def _etag_lonceng(request: HttpRequest) -> str | None:
    from kinerja.context_processors import nav_fakta

    facts = nav_fakta(request)  # the menu facts every page reads (dropped on a new notification)
    return None if facts is None else f"{request.user.pk}.{facts['belum_dibaca']}"


@login_required
@condition(etag_func=_etag_lonceng)
def notifikasi_lonceng(request: HttpRequest) -> HttpResponse:
    """The bell with the unread count (htmx polls it every 30 s from every open page).

    The user and the count are its ETag, and the browser keeps the bell but asks again on each
    poll (private, no-cache): while the count is unchanged the answer is an empty 304, nothing
    rendered, and the browser hands htmx the bell it kept. A new notification changes the
    count, so it shows at the next poll as before."""
    response = render(request, "kinerja/partials/lonceng.html")
    patch_cache_control(response, private=True, no_cache=True)
    return response


def _aman(request: HttpRequest, url: str) -> bool:
    return bool(url) and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


@login_required
@require_POST
@vary_on_headers("HX-Request")
def notifikasi_baca(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one notification read; with `buka`, go on to the page that resolves it."""
    from kinerja.notifikasi import notifikasi_baca as baca

    n = policy.get_for_user(request.user, Notifikasi.objects.all(), pk=pk)
    baca(user=request.user, notifikasi=n)
    if request.POST.get("buka") and _aman(request, n.tautan):
        return redirect(n.tautan)
    if request.htmx:
        return render(request, "kinerja/partials/lonceng.html", _hitung(request))
    return redirect("notifikasi_list")


def _hitung(request: HttpRequest) -> dict:
    from kinerja.notifikasi import jumlah_belum_dibaca

    return {"jumlah_belum_dibaca": jumlah_belum_dibaca(request.user)}


@login_required
@require_POST
def notifikasi_baca_semua(request: HttpRequest) -> HttpResponse:
    from kinerja.notifikasi import notifikasi_baca_semua as baca_semua

    n = baca_semua(user=request.user)
    messages.success(request, f"{n} notifikasi ditandai sudah dibaca.")
    return redirect("notifikasi_list")


@login_required
def notifikasi_preferensi(request: HttpRequest) -> HttpResponse:
    """Email on/off per kind of notification (the in-app notification always stays)."""
    from kinerja.forms_notifikasi import PreferensiForm
    from kinerja.notifikasi import preferensi_daftar, preferensi_simpan
    from kinerja.pengingat import temukan

    temukan()  # every stage's reminder kinds are registered
    daftar = preferensi_daftar(request.user)
    form = PreferensiForm(request.POST or None, daftar=daftar)
    if request.method == "POST" and form.is_valid():
        preferensi_simpan(user=request.user, email=form.pilihan())
        messages.success(request, "Preferensi email disimpan.")
        return redirect("notifikasi_preferensi")
    return render(request, "kinerja/notifikasi_preferensi.html", {"form": form})


def _instansi_admin(request: HttpRequest) -> Instansi:
    """The instansi whose settings this admin edits (a superuser picks one with ?instansi=)."""
    if policy.may(request.user, "semua_instansi"):
        pk = request.GET.get("instansi") or request.POST.get("instansi")
        inst = Instansi.objects.filter(pk=pk).first() if pk and str(pk).isdigit() else None
        inst = inst or Instansi.objects.order_by("nama").first()
        if inst is None:
            raise PermissionDenied("Belum ada instansi.")
        return inst
    dikelola = policy.instansi_administered(request.user)
    if dikelola:
        return Instansi.objects.get(pk=dikelola)
    raise PermissionDenied("Hanya admin instansi yang dapat mengubah pengaturan pengingat.")


@login_required
def notifikasi_pengaturan(request: HttpRequest) -> HttpResponse:
    """The instansi admin's reminder schedule and thresholds."""
    from kinerja.forms_notifikasi import PengaturanPengingatForm
    from kinerja.pengingat import pengaturan_untuk, temukan

    instansi = _instansi_admin(request)
    jenis = [(p.jenis, p.label) for p in temukan().values()]
    form = PengaturanPengingatForm(
        request.POST or None, instance=pengaturan_untuk(instansi), jenis=jenis
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Pengaturan pengingat disimpan.")
        url = "notifikasi_pengaturan"
        if policy.may(request.user, "semua_instansi"):
            from django.urls import reverse

            return redirect(f"{reverse(url)}?instansi={instansi.pk}")
        return redirect(url)
    semua = (
        Instansi.objects.order_by("nama") if policy.may(request.user, "semua_instansi") else None
    )
    return render(
        request,
        "kinerja/notifikasi_pengaturan.html",
        {"form": form, "instansi": instansi, "semua_instansi": semua},
    )


JOB_FILTERS = {
    "pending": Q(status=Job.Status.PENDING),
    "running": Q(status=Job.Status.RUNNING),
    "gagal": Q(status=Job.Status.GAGAL),
    "sukses": Q(status=Job.Status.SUKSES),
    "diulang": Q(percobaan__gt=1) | Q(status=Job.Status.PENDING, percobaan__gte=1),
}


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    """Background jobs of the admin's instansi: pending, running, failed (with the error), retried."""
    if not policy.may(request.user, "kelola_instansi"):
        return redirect("beranda")  # like the other admin pages (see the access matrix)
    qs = policy.scope(request.user, Job.objects.select_related("dibuat_oleh", "instansi"))
    ringkas = qs.aggregate(
        **{k: Count("id", filter=q) for k, q in JOB_FILTERS.items()}, semua=Count("id")
    )
    status = request.GET.get("status", "")
    if status in JOB_FILTERS:
        qs = qs.filter(JOB_FILTERS[status])
    page = Paginator(qs.order_by("-dibuat", "-id"), 50).get_page(request.GET.get("page"))
    from kinerja import jobs

    for j in page:
        j.label = jobs.label_tugas(j.task)
        j.keterangan = jobs.pesan_gagal(j) if j.status == Job.Status.GAGAL else ""
    return render(
        request, "kinerja/job_list.html", {"page": page, "status": status, "ringkas": ringkas}
    )


@login_required
@require_POST
def job_ulang(request: HttpRequest, pk: int) -> HttpResponse:
    """Send a failed job again (the admin fixed the cause)."""
    from kinerja import jobs

    job = policy.get_for_user(request.user, Job.objects.all(), pk=pk)
    if not policy.can(request.user, "ulang", job):
        raise PermissionDenied("Hanya admin instansi yang dapat mengulang pekerjaan.")
    if job.status != Job.Status.GAGAL:
        messages.error(request, "Hanya pekerjaan yang gagal yang dapat diulang.")
        return redirect("job_list")
    Job.objects.filter(pk=job.pk, status=Job.Status.GAGAL).update(
        status=Job.Status.PENDING, percobaan=0, jadwal=None, pemilik="", dikirim=None
    )
    jobs.send(job.pk)
    messages.success(request, f"Pekerjaan #{job.pk} dikirim ulang.")
    return redirect("job_list")


@login_required
@vary_on_headers("HX-Request")
def job_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Progress of one background job; htmx polls the partial until it is done."""
    job = policy.get_for_user(request.user, Job.objects.all(), pk=pk)
    return render(request, "kinerja/partials/job_progres.html", {"job": job})
