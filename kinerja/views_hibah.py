"""Kelola organisasi → Hak akses khusus: the explicit grants of the instansi (issue 15, item 4),
given and taken back by its admin through kinerja.akses.hibah."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from kinerja import forms_org, policy
from kinerja.akses import hibah
from kinerja.masukan import id_dari
from kinerja.models import HakAksesKhusus, Pegawai
from kinerja.views_org import ctx_org, instansi_kelola, kembali_ke
from kinerja.waktu import hari_ini


@login_required
def hak_akses(request: HttpRequest) -> HttpResponse:
    """The list of grants (current first, then ended and revoked) and the form to give one."""
    instansi = instansi_kelola(request)
    policy.require(request.user, "kelola_hak_khusus", instansi)
    form = forms_org.HakAksesForm(
        request.POST if request.method == "POST" else None,
        instansi=instansi,
        initial={"mulai": hari_ini()},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                hibah.hak_khusus_beri(
                    user=request.user,
                    instansi=instansi,
                    jenis=d["jenis"],
                    penerima=d["penerima"],
                    objek_id=form.objek_id(),
                    mulai=d["mulai"],
                    selesai=d["selesai"],
                    alasan=d["alasan"],
                )
            except ValidationError as exc:
                form.tempel(exc)
            else:
                messages.success(request, "Hak akses khusus diberikan.")
                return kembali_ke("org_hak_akses", instansi)
        status = 400
    daftar = list(
        policy.scope(request.user, HakAksesKhusus.objects.filter(instansi=instansi))
        .select_related("penerima", "diberikan_oleh", "dicabut_oleh")
        .order_by("dicabut_pada", "-dibuat", "-pk")[:200]
    )
    nama = dict(
        Pegawai.objects.filter(user_id__in={h.penerima_id for h in daftar}).values_list(
            "user_id", "nama"
        )
    )
    hari = hari_ini()
    for h in daftar:
        h.nama_penerima = nama.get(h.penerima_id) or h.penerima.get_username()
        h.berlaku = (
            h.dicabut_pada is None and h.mulai <= hari and (h.selesai is None or h.selesai >= hari)
        )
    return render(
        request,
        "kinerja/org/hak_akses.html",
        ctx_org(instansi, form=form, daftar=daftar, tab="hak_akses"),
        status=status,
    )


@login_required
@require_POST
def hak_akses_cabut(request: HttpRequest, pk: int) -> HttpResponse:
    hak = policy.get_for_user(request.user, HakAksesKhusus.objects.all(), action="cabut", pk=pk)
    id_dari(request.POST, "instansi")  # malformed -> 400 before anything else
    try:
        hibah.hak_khusus_cabut(user=request.user, hak=hak, alasan=request.POST.get("alasan", ""))
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
    else:
        messages.success(request, "Hak akses khusus dicabut.")
    return kembali_ke("org_hak_akses", hak.instansi)
