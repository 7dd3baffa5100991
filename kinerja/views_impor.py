"""Staff import pages for the instansi admin: upload -> preview -> confirm (kinerja.impor)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.vary import vary_on_headers

from kinerja import impor, jobs, policy
from kinerja.forms import ImporKonfirmasiForm, ImporUnggahForm
from kinerja.models import Instansi, Job

SESSION_KEY = "impor_pegawai"
PRATINJAU_MAKS = 500  # rows shown in the preview table; counts and errors always cover all


def _instansi_for(request: HttpRequest) -> Instansi:
    instansi = Instansi.objects.filter(pk=policy.instansi_administered(request.user)).first()
    if instansi is None or not policy.can(request.user, "import", instansi):
        raise PermissionDenied("Hanya admin instansi yang dapat mengimpor pegawai.")
    return instansi


def _render(request: HttpRequest, ctx: dict) -> HttpResponse:
    template = (
        "kinerja/partials/impor_pratinjau.html"
        if request.htmx and "plan" in ctx
        else "kinerja/impor.html"
    )
    return render(request, template, ctx, status=ctx.pop("status", 200))


@login_required
@vary_on_headers("HX-Request")
def impor_pegawai(request: HttpRequest) -> HttpResponse:
    instansi = _instansi_for(request)
    if request.GET.get("contoh") == "csv":
        resp = HttpResponse(impor.CONTOH_CSV, content_type="text/csv; charset=utf-8")
        resp["Content-Disposition"] = 'attachment; filename="contoh-impor-pegawai.csv"'
        return resp
    ctx: dict = {"instansi": instansi, "form": ImporUnggahForm(), "kolom": impor.LABEL}
    if request.GET.get("job", "").isdigit():
        # A large import running in the background: its progress bar polls /latar/<id>/.
        ctx["job"] = policy.get_for_user(request.user, Job.objects.all(), pk=request.GET["job"])
    if request.method == "POST" and "token" in request.POST:
        return _konfirmasi(request, instansi, ctx)
    if request.method == "POST":
        form = ImporUnggahForm(request.POST, request.FILES)
        ctx["form"] = form
        if not form.is_valid():
            ctx["status"] = 400
            return _render(request, ctx)
        berkas = form.cleaned_data["berkas"]
        data = berkas.read()
        jenis = form.cleaned_data["jenis"]
        try:
            rows, galat = impor.baca(data, jenis)
        except impor.BerkasDitolak as exc:
            form.add_error("berkas", str(exc))
            ctx["status"] = 400
            return _render(request, ctx)
        plan = impor.Rencana(galat=galat) if galat else impor.periksa(instansi=instansi, rows=rows)
        ctx.update(plan=plan, nama_berkas=berkas.name, maks=PRATINJAU_MAKS)
        earlier = request.session.get(SESSION_KEY) or {}
        if earlier.get("path"):
            # A new upload replaces an unconfirmed one: do not leave its copy behind.
            default_storage.delete(earlier["path"])
            request.session.pop(SESSION_KEY, None)
        if not plan.galat:
            token = secrets.token_urlsafe(24)
            path = default_storage.save(f"impor/{token}.{jenis}", ContentFile(data))
            request.session[SESSION_KEY] = {
                "token": token,
                "path": path,
                "jenis": jenis,
                "nama": berkas.name,
                "instansi": instansi.pk,
                "baris": len(plan.baris),
            }
            ctx["konfirmasi"] = ImporKonfirmasiForm(initial={"token": token})
        return _render(request, ctx)
    return _render(request, ctx)


def _konfirmasi(request: HttpRequest, instansi: Instansi, ctx: dict) -> HttpResponse:
    form = ImporKonfirmasiForm(request.POST)
    pending = request.session.get(SESSION_KEY) or {}
    if (
        not form.is_valid()
        or not secrets.compare_digest(
            str(pending.get("token", "")).encode(), str(form.cleaned_data["token"]).encode()
        )
        or pending.get("instansi") != instansi.pk
        or not default_storage.exists(pending.get("path", ""))
    ):
        messages.error(request, "Pratinjau impor sudah kedaluwarsa; unggah berkasnya lagi.")
        return redirect("impor_pegawai")
    request.session.pop(SESSION_KEY, None)
    if pending.get("baris", 0) > getattr(settings, "KINERJA_IMPOR_LATAR_BARIS", impor.LATAR_BARIS):
        # Large files are written by a worker; the page shows its progress.
        job = jobs.enqueue(
            "kinerja.impor_pegawai",
            kunci=f"impor:{pending['token']}",
            user=request.user,
            instansi_id=instansi.pk,
            user_id=request.user.pk,
            path=pending["path"],
            jenis=pending["jenis"],
            nama=pending["nama"],
        )
        messages.info(
            request, f"Impor {pending['nama']} ({pending['baris']} baris) diproses di latar."
        )
        return redirect(f"{reverse('impor_pegawai')}?job={job.pk}")
    with default_storage.open(pending["path"], "rb") as fh:
        data = fh.read()
    plan = impor.terapkan(user=request.user, instansi=instansi, data=data, jenis=pending["jenis"])
    if plan.galat:
        # The data changed since the preview: show what is wrong now; nothing was written.
        ctx.update(plan=plan, nama_berkas=pending["nama"], maks=PRATINJAU_MAKS, status=409)
        return _render(request, ctx)
    default_storage.delete(pending["path"])
    messages.success(request, impor.ringkasan(plan, pending["nama"]))
    return redirect("impor_pegawai")
