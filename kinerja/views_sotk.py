"""Kelola organisasi, continued: restructuring (SOTK) drafts with their preview and apply, and
the unit tree imported from SIASN's unit reference. Thin: `kinerja.restrukturisasi`,
`kinerja.restrukturisasi_terapan` and `kinerja.siasn_unor` do the work."""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from kinerja import forms_org, jobs, policy, restrukturisasi, siasn_unor, waktu
from kinerja import restrukturisasi_terapan as terapan
from kinerja.masukan import versi_dari
from kinerja.models import Job, LangkahRestrukturisasi, Pegawai, Restrukturisasi
from kinerja.views_org import ctx_org, instansi_kelola, kembali_ke

L = LangkahRestrukturisasi.Jenis
PRATINJAU_PER = 100
SESSION_UNOR = "impor_unor"


def _ambil(request: HttpRequest, pk: int) -> Restrukturisasi:
    r = policy.get_for_user(
        request.user, Restrukturisasi.objects.select_related("instansi", "job"), pk=pk
    )
    policy.require(request.user, "change", r)
    return r


@login_required
@require_GET
def sotk_list(request: HttpRequest) -> HttpResponse:
    instansi = instansi_kelola(request)
    daftar = policy.scope(request.user, Restrukturisasi.objects.filter(instansi=instansi)).order_by(
        "-tmt", "-pk"
    )[:100]
    return render(
        request,
        "kinerja/org/sotk_list.html",
        ctx_org(instansi, daftar=list(daftar), tab="sotk"),
    )


@login_required
def sotk_tambah(request: HttpRequest) -> HttpResponse:
    instansi = instansi_kelola(request)
    form = forms_org.RestrukturisasiForm(
        request.POST if request.method == "POST" else None, instansi=instansi
    )
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                r = restrukturisasi.restrukturisasi_buat(
                    user=request.user,
                    instansi=instansi,
                    nama=d["nama"],
                    tmt=d["tmt"],
                    keterangan=d["keterangan"],
                )
            except ValidationError as exc:
                form.tempel(exc)
            else:
                messages.success(
                    request, "Rancangan restrukturisasi dibuat; tambahkan perubahannya."
                )
                return redirect("org_sotk", r.pk)
        return render(
            request,
            "kinerja/org/sotk_form.html",
            ctx_org(instansi, form=form, tab="sotk"),
            status=400,
        )
    return render(request, "kinerja/org/sotk_form.html", ctx_org(instansi, form=form, tab="sotk"))


@login_required
def sotk_ubah(request: HttpRequest, pk: int) -> HttpResponse:
    r = _ambil(request, pk)
    form = forms_org.RestrukturisasiForm(
        request.POST if request.method == "POST" else None,
        instansi=r.instansi,
        initial={
            "nama": r.nama,
            "tmt": r.tmt,
            "keterangan": r.keterangan,
            "row_version": r.row_version,
        },
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                restrukturisasi.restrukturisasi_ubah(
                    user=request.user,
                    restrukturisasi=r,
                    nama=d["nama"],
                    tmt=d["tmt"],
                    keterangan=d["keterangan"],
                    row_version=d["row_version"],
                )
            except ValidationError as exc:
                form.tempel(exc)
            else:
                messages.success(request, "Rancangan disimpan.")
                return redirect("org_sotk", r.pk)
        status = 400
    return render(
        request,
        "kinerja/org/sotk_form.html",
        ctx_org(r.instansi, form=form, r=r, tab="sotk"),
        status=status,
    )


def _langkah(r: Restrukturisasi) -> list[LangkahRestrukturisasi]:
    return list(
        r.langkah_set.select_related(
            "unit",
            "jabatan",
            "pegawai",
            "unit_ke",
            "jabatan_ke",
            "unit_ke_langkah",
            "jabatan_ke_langkah",
        ).order_by("urutan", "pk")
    )


def _detail(
    request: HttpRequest, r: Restrukturisasi, form: Any = None, status: int = 200
) -> HttpResponse:
    langkah = _langkah(r)
    forms = {
        j: forms_org.LangkahForm(
            instansi=r.instansi, langkah=langkah, prefix=j, initial={"jenis": j}
        )
        for j in L.values
    }
    if form is not None:
        forms[form.prefix] = form
    return render(
        request,
        "kinerja/org/sotk_detail.html",
        ctx_org(
            r.instansi,
            r=r,
            langkah=langkah,
            forms=forms,
            buka=form.prefix if form is not None else "",
            batal=forms_org.BatalForm(initial={"row_version": r.row_version}),
            tab="sotk",
        ),
        status=status,
    )


@login_required
@require_GET
def sotk_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _ambil(request, pk))


@login_required
@require_POST
def langkah_tambah(request: HttpRequest, pk: int) -> HttpResponse:
    r = _ambil(request, pk)
    jenis = request.POST.get("jenis_langkah", "")
    if jenis not in L.values:
        messages.error(request, "Jenis perubahan tidak dikenal.")
        return redirect("org_sotk", r.pk)
    form = forms_org.LangkahForm(
        request.POST, instansi=r.instansi, langkah=_langkah(r), prefix=jenis
    )
    if "simpan" in request.POST and form.is_valid():
        data = form.nilai()
        data["jenis"] = jenis
        try:
            restrukturisasi.langkah_tambah(user=request.user, restrukturisasi=r, **data)
        except ValidationError as exc:
            form.tempel(exc)
        else:
            messages.success(request, "Perubahan ditambahkan ke rancangan.")
            return redirect("org_sotk", r.pk)
        return _detail(request, r, form, status=400)
    # A search without JavaScript ("Cari"): the same form again with what matched.
    return _detail(request, r, form, status=200 if "simpan" not in request.POST else 400)


@login_required
@require_POST
def langkah_hapus(request: HttpRequest, pk: int, langkah: int) -> HttpResponse:
    r = _ambil(request, pk)
    lk = policy.get_for_user(
        request.user, LangkahRestrukturisasi.objects.filter(restrukturisasi=r), pk=langkah
    )
    try:
        restrukturisasi.langkah_hapus(user=request.user, langkah=lk)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Perubahan dihapus dari rancangan.")
    return redirect("org_sotk", r.pk)


@login_required
@require_GET
def sotk_pratinjau(request: HttpRequest, pk: int) -> HttpResponse:
    """Everything applying would do, computed in memory: nothing is written."""
    r = _ambil(request, pk)
    hasil = restrukturisasi.restrukturisasi_pratinjau(user=request.user, restrukturisasi=r)
    semua = hasil.perubahan
    hal = request.GET.get("hal", "1")
    hal = max(int(hal), 1) if hal.isdigit() and len(hal) < 7 else 1
    potong = semua[(hal - 1) * PRATINJAU_PER : hal * PRATINJAU_PER]
    ids = {p.pegawai_id for p in potong}
    ids |= {x for p in potong for x in (p.penilai_lama, p.penilai_baru) if x}
    pindah = hasil.penempatan[:PRATINJAU_PER]
    ids |= {pid for pid, _l, _b in pindah}
    nama = {
        p.pk: p
        for p in Pegawai.objects.filter(pk__in=ids)
        .select_related("jabatan")
        .only("id", "nama", "nip", "jabatan__nama")
    }
    return render(
        request,
        "kinerja/org/sotk_pratinjau.html",
        ctx_org(
            r.instansi,
            r=r,
            hasil=hasil,
            baris=[
                (
                    p,
                    nama.get(p.pegawai_id),
                    nama.get(p.penilai_lama),
                    nama.get(p.penilai_baru),
                    hasil.skp_per_pegawai.get(p.pegawai_id, 0),
                    hasil.evaluasi_per_pegawai.get(p.pegawai_id, 0),
                )
                for p in potong
            ],
            hari_ini=waktu.hari_ini(),
            pindah=[(nama.get(pid), lama, baru) for pid, lama, baru in pindah],
            hal=hal,
            hal_berikut=hal + 1 if hal * PRATINJAU_PER < len(semua) else None,
            hal_sebelum=hal - 1 if hal > 1 else None,
            tab="sotk",
        ),
    )


@login_required
@require_POST
def sotk_terapkan(request: HttpRequest, pk: int) -> HttpResponse:
    r = _ambil(request, pk)
    if not (request.POST.get("row_version") or "").isdigit():
        # Applied only as the admin last saw it in the preview.
        messages.error(request, "Buka pratinjau dulu, lalu terapkan dari sana.")
        return redirect("org_sotk_pratinjau", r.pk)
    try:
        r = terapan.restrukturisasi_terapkan(
            user=request.user, restrukturisasi=r, row_version=versi_dari(request.POST)
        )
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
        return redirect("org_sotk_pratinjau", r.pk)
    if r.status == Restrukturisasi.Status.DIJADWALKAN:
        messages.success(request, f"Restrukturisasi dijadwalkan; diterapkan pada {r.tmt:%d-%m-%Y}.")
    else:
        messages.info(request, "Restrukturisasi sedang diterapkan di latar.")
    return redirect("org_sotk", r.pk)


@login_required
@require_POST
def sotk_batalkan(request: HttpRequest, pk: int) -> HttpResponse:
    r = _ambil(request, pk)
    form = forms_org.BatalForm(request.POST)
    if form.is_valid():
        try:
            terapan.restrukturisasi_batalkan(
                user=request.user,
                restrukturisasi=r,
                alasan=form.cleaned_data["alasan"],
                row_version=form.cleaned_data["row_version"],
            )
        except ValidationError as exc:
            for m in exc.messages:
                messages.error(request, m)
        else:
            messages.success(request, "Rancangan restrukturisasi dibatalkan.")
            return redirect("org_sotk", r.pk)
    else:
        messages.error(request, "Tuliskan alasan pembatalan.")
    return redirect("org_sotk", r.pk)


# --- SIASN unit reference -----------------------------------------------------------------
@login_required
def unor_impor(request: HttpRequest) -> HttpResponse:
    """Upload SIASN's unit reference -> preview -> confirm (written by a worker when large)."""
    instansi = instansi_kelola(request)
    policy.require(request.user, "import", instansi)
    ctx = ctx_org(instansi, form=forms_org.UnorUnggahForm(), tab="unit", maks=500)
    if (request.GET.get("job") or "").isdigit():
        ctx["job"] = policy.get_for_user(request.user, Job.objects.all(), pk=request.GET["job"])
    if request.method == "POST" and "token" in request.POST:
        return _unor_konfirmasi(request, instansi, ctx)
    if request.method == "POST":
        form = forms_org.UnorUnggahForm(request.POST, request.FILES)
        ctx["form"] = form
        if not form.is_valid():
            return render(request, "kinerja/org/unor_impor.html", ctx, status=400)
        berkas = form.cleaned_data["berkas"]
        data = berkas.read()
        jenis = form.cleaned_data["jenis"]
        rows, galat = siasn_unor.baca(data, jenis)
        plan = (
            siasn_unor.RencanaUnor(galat=galat)
            if galat
            else siasn_unor.periksa(instansi=instansi, rows=rows)
        )
        ctx.update(plan=plan, nama_berkas=berkas.name)
        earlier = request.session.pop(SESSION_UNOR, None) or {}
        if earlier.get("path"):
            default_storage.delete(earlier["path"])
        if not plan.galat:
            token = secrets.token_urlsafe(24)
            path = default_storage.save(f"impor/unor-{token}.{jenis}", ContentFile(data))
            request.session[SESSION_UNOR] = {
                "token": token,
                "path": path,
                "jenis": jenis,
                "nama": berkas.name,
                "instansi": instansi.pk,
                "baris": len(plan.baris),
            }
            ctx["token"] = token
        return render(request, "kinerja/org/unor_impor.html", ctx)
    return render(request, "kinerja/org/unor_impor.html", ctx)


def _unor_konfirmasi(request: HttpRequest, instansi: Any, ctx: dict) -> HttpResponse:
    pending = request.session.get(SESSION_UNOR) or {}
    token = request.POST.get("token", "")
    if (
        not secrets.compare_digest(str(pending.get("token", "")).encode(), str(token).encode())
        or pending.get("instansi") != instansi.pk
        or not default_storage.exists(pending.get("path", ""))
    ):
        messages.error(request, "Pratinjau impor sudah kedaluwarsa; unggah berkasnya lagi.")
        return kembali_ke("org_unor_impor", instansi)
    request.session.pop(SESSION_UNOR, None)
    if pending.get("baris", 0) > getattr(
        settings, "KINERJA_IMPOR_LATAR_BARIS", siasn_unor.LATAR_BARIS
    ):
        job = jobs.enqueue(
            "kinerja.impor_unor",
            kunci=f"impor-unor:{pending['token']}",
            user=request.user,
            instansi_id=instansi.pk,
            user_id=request.user.pk,
            path=pending["path"],
            jenis=pending["jenis"],
            nama=pending["nama"],
        )
        messages.info(request, f"Impor {pending['nama']} diproses di latar.")
        return redirect(f"{reverse('org_unor_impor')}?instansi={instansi.pk}&job={job.pk}")
    with default_storage.open(pending["path"], "rb") as fh:
        data = fh.read()
    plan = siasn_unor.unor_impor_terapkan(
        user=request.user, instansi=instansi, data=data, jenis=pending["jenis"]
    )
    if plan.galat:
        ctx.update(plan=plan, nama_berkas=pending["nama"])
        return render(request, "kinerja/org/unor_impor.html", ctx, status=409)
    default_storage.delete(pending["path"])
    messages.success(request, siasn_unor.ringkasan(plan, pending["nama"]))
    return kembali_ke("org_unit_list", instansi)
