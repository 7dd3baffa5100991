"""Pohon kinerja pages: the instansi's or a unit's tree, one node (htmx or full page), the download."""

from __future__ import annotations

import time

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.vary import vary_on_headers

from evaluasi.pohon.data import KEDALAMAN_AWAL, Cakupan
from evaluasi.pohon.selectors import (
    _rhk_terkini,
    _tandai_akses,
    akar,
    cakupan_untuk,
    celah,
    pohon_bangun,
    simpul_untuk,
)
from evaluasi.pohon.xlsx import XLSX, _nama_berkas, pohon_xlsx
from kinerja.models import Periode, UnitKerja

# Nodes drawn on a first page load beyond the roots; a wider level loads on demand instead.
ANGGARAN_AWAL = 150


# Gap lists on the page are capped; the spreadsheet has them all.
BATAS_CELAH_HALAMAN = 100


def _konteks(request: HttpRequest, c: Cakupan) -> dict:
    roots = akar(c)
    if c.periode is not None:
        pohon_bangun(c.periode, roots, KEDALAMAN_AWAL, anggaran=ANGGARAN_AWAL)
    _tandai_akses(request.user, roots)
    gaps = celah(c, batas=BATAS_CELAH_HALAMAN, user=request.user)
    units = []
    if c.admin:
        units = list(
            UnitKerja.objects.filter(instansi=c.instansi).order_by("nama").values("id", "nama")
        )
    tahun_list = list(
        Periode.objects.filter(instansi=c.instansi)
        .order_by("-tahun")
        .values_list("tahun", flat=True)
    )
    return {
        "c": c,
        "akar": roots,
        "celah": gaps,
        "celah_batas": BATAS_CELAH_HALAMAN,
        "jumlah_celah": sum(gaps["jumlah"].values()),
        "celah_terpotong": any(n > BATAS_CELAH_HALAMAN for n in gaps["jumlah"].values()),
        "units": units,
        "tahun_list": tahun_list,
        "query": request.GET.urlencode(),
    }


@login_required
def pohon_instansi(request: HttpRequest) -> HttpResponse:
    c = cakupan_untuk(
        request.user, tahun=request.GET.get("tahun"), instansi_id=request.GET.get("instansi")
    )
    return render(request, "pohon/pohon.html", _konteks(request, c))


@login_required
def pohon_unit(request: HttpRequest, unit_id: int) -> HttpResponse:
    c = cakupan_untuk(request.user, unit_id=unit_id, tahun=request.GET.get("tahun"))
    return render(request, "pohon/pohon.html", _konteks(request, c))


@login_required
@vary_on_headers("HX-Request")
def pohon_simpul(request: HttpRequest, rhk_id: int) -> HttpResponse:
    """One node with its subtree: the full page (no-JS fallback and deep links), or only its
    children for an htmx expand."""
    node, periode = simpul_untuk(request.user, rhk_id)
    if getattr(request, "htmx", False):
        pohon_bangun(periode, [node], 2)  # the children asked for, however many
        _tandai_akses(request.user, [node])
        return render(request, "pohon/_anak.html", {"simpul": node, "periode": periode})
    pohon_bangun(periode, [node], 3, anggaran=ANGGARAN_AWAL, wajib=1)
    _tandai_akses(request.user, [node])
    return render(request, "pohon/simpul.html", {"simpul": node, "periode": periode})


@login_required
def pohon_unduh(request: HttpRequest) -> HttpResponse:
    """The tree as xlsx: directly for a unit-sized tree, through a background job (progress
    page, then a download) for a large one, so a request never waits long."""
    unit = request.GET.get("unit")
    unit_id = int(unit) if unit and unit.isdigit() else None
    c = cakupan_untuk(
        request.user,
        unit_id=unit_id,
        tahun=request.GET.get("tahun"),
        instansi_id=request.GET.get("instansi"),
    )
    if c.periode is not None and _jumlah_rhk(c) > BATAS_UNDUH_LANGSUNG:
        from kinerja import jobs

        kunci = ":".join(
            str(x)
            for x in (
                "pohon-xlsx",
                request.user.pk,
                c.instansi.pk,
                unit_id or "-",
                c.periode.tahun,
                int(time.time() // 600),
            )
        )
        with transaction.atomic():
            job = jobs.enqueue(
                "pohon.xlsx",
                kunci=kunci,
                user=request.user,
                unit_id=unit_id,
                tahun=c.periode.tahun,
                instansi_id=c.instansi.pk,
            )
        return render(request, "pohon/unduh.html", {"c": c, "job": job})
    data = pohon_xlsx(c)
    resp = HttpResponse(data, content_type=XLSX)
    resp["Content-Disposition"] = f'attachment; filename="{_nama_berkas(c)}"'
    return resp


# Above this many rencana hasil kerja in scope the export runs as a background job.
BATAS_UNDUH_LANGSUNG = 3000


def _jumlah_rhk(c: Cakupan) -> int:
    return _rhk_terkini(c.periode).filter(c.pegawai_q("skp__pegawai")).count()
