"""Kelola organisasi: the instansi admin's pages for units (a tree), positions, pegawai and
their changes of position, the year and the keberatan designee.

Thin: every read starts from the policy (another instansi's rows are 404, a page the user may
see but not change is 403), every write goes through `kinerja.services.organisasi_simpan` or
`kinerja.mutasi` (the same path as the API, the import and the Django admin). A refused save
shows the form again with everything typed and the reason in Indonesian."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from kinerja import forms_org, mutasi, policy, selectors_org, services, waktu
from kinerja.akses import hibah
from kinerja.models import Instansi, Jabatan, Mutasi, Pegawai, Periode, UnitKerja

PESAN_BUKAN_ADMIN = "Hanya admin instansi yang dapat mengelola organisasi."


# --- which instansi ---------------------------------------------------------------------------
def instansi_kelola(request: HttpRequest) -> Instansi:
    """The instansi whose organisation this user manages: the admin's own; the superuser picks
    one with ?instansi= (default: the first). Asked of the policy, never of the user's flags."""
    raw = request.GET.get("instansi") or request.POST.get("instansi") or ""
    qs = policy.scope(request.user, Instansi.objects.order_by("nama", "pk"))
    if raw.isdigit():
        qs = qs.filter(pk=raw)
    for inst in qs[:3]:
        if policy.can(request.user, "change", inst):
            return inst
    raise PermissionDenied(PESAN_BUKAN_ADMIN)


def _ambil(request: HttpRequest, model: type, pk: int, **related: Any) -> Any:
    """An object of the organisation: 404 when the user may not see it, 403 when they may see
    it but not change it."""
    qs = model.objects.select_related(*related.get("sr", ()))
    obj = policy.get_for_user(request.user, qs, pk=pk)
    policy.require(request.user, "change", obj)
    return obj


def ctx_org(instansi: Instansi, **kw: Any) -> dict[str, Any]:
    return {"instansi": instansi, "iq": f"instansi={instansi.pk}", **kw}


def kembali_ke(name: str, instansi: Instansi, *args: Any) -> HttpResponse:
    return redirect(f"{reverse(name, args=args)}?instansi={instansi.pk}")


# --- the hub: pegawai ---------------------------------------------------------------------------
@login_required
@require_GET
def organisasi(request: HttpRequest) -> HttpResponse:
    """Kelola organisasi: the instansi's pegawai, searched by name or NIP, keyset-paged."""
    try:
        instansi = instansi_kelola(request)
    except PermissionDenied:
        return redirect("beranda")
    q = request.GET.get("q", "").strip()[:100]
    qs = policy.scope(
        request.user,
        Pegawai.objects.filter(instansi=instansi).select_related(
            "jabatan", "unit_kerja", "pejabat_penilai"
        ),
    )
    if request.GET.get("status") in Pegawai.Status.values:
        qs = qs.filter(status=request.GET["status"])
    halaman = selectors_org.keyset(selectors_org.cari_pegawai(qs, q), request.GET)
    return render(
        request,
        "kinerja/org/pegawai_list.html",
        ctx_org(
            instansi, halaman=halaman, q=q, status=request.GET.get("status", ""), tab="pegawai"
        ),
    )


@login_required
@require_GET
def pilih(request: HttpRequest, jenis: str) -> HttpResponse:
    """Options of a PilihField for what the admin typed (htmx swaps them into the <select>)."""
    if jenis not in ("unit", "jabatan", "pegawai"):
        raise Http404
    instansi = instansi_kelola(request)
    qs = policy.scope(request.user, forms_org.qs_pilihan(jenis, instansi))
    q = ""
    for key, value in request.GET.items():
        if key.endswith("_cari"):
            q = value[:100]
    opts = forms_org.pilihan(jenis, qs, q)
    return render(request, "kinerja/org/partials/pilihan.html", {"opts": opts, "q": q})


# --- units ------------------------------------------------------------------------------------
@login_required
@require_GET
@vary_on_headers("HX-Request")
def unit_list(request: HttpRequest) -> HttpResponse:
    """The unit tree: the roots, each expandable (htmx loads a node's children); a search
    lists matching units with their path."""
    instansi = instansi_kelola(request)
    q = request.GET.get("q", "").strip()[:100]
    ctx = ctx_org(instansi, q=q, tab="unit")
    if q:
        qs = policy.scope(request.user, UnitKerja.objects.filter(instansi=instansi))
        halaman = selectors_org.keyset(selectors_org.cari_nama(qs, q), request.GET)
        jalur = selectors_org.jalur_unit([u.pk for u in halaman.baris])
        for u in halaman.baris:
            u.jalur = selectors_org.jalur_teks(jalur.get(u.pk, [])[:-1])
        ctx["halaman"] = halaman
    else:
        ctx["akar"] = selectors_org.unit_anak(request.user, instansi.pk, None)
    return render(request, "kinerja/org/unit_list.html", ctx)


@login_required
@require_GET
def unit_anak(request: HttpRequest, pk: int) -> HttpResponse:
    """One node's children (the partial the tree expands with)."""
    unit = _ambil(request, UnitKerja, pk)
    anak = selectors_org.unit_anak(request.user, unit.instansi_id, unit.pk)
    return render(
        request,
        "kinerja/org/partials/unit_anak.html",
        {"anak": anak, "iq": f"instansi={unit.instansi_id}"},
    )


def _unit_form(request: HttpRequest, instansi: Instansi, unit: UnitKerja) -> HttpResponse:
    baru = unit.pk is None
    initial = {}
    if baru and (request.GET.get("induk") or "").isdigit():
        initial["induk"] = request.GET["induk"]
    elif not baru:
        initial = {
            "nama": unit.nama,
            "singkatan": unit.singkatan,
            "induk": unit.induk_id,
            "mandiri": unit.mandiri,
            "penilai_jabatan": unit.penilai_jabatan_id,
            "row_version": unit.row_version,
        }
    form = forms_org.UnitForm(
        request.POST if request.method == "POST" else None, instansi=instansi, initial=initial
    )
    status = 200
    if request.method == "POST" and "simpan" in request.POST:
        if form.is_valid():
            try:
                services.organisasi_simpan(
                    user=request.user,
                    obj=form.isi(unit),
                    row_version=None if baru else form.cleaned_data["row_version"],
                )
            except ValidationError as exc:
                if baru:
                    unit.pk = None
                form.tempel(exc)
            else:
                messages.success(request, f"Unit kerja {unit.nama} disimpan.")
                return kembali_ke("org_unit", instansi, unit.pk)
        status = 400
    ctx = ctx_org(instansi, form=form, unit=unit, tab="unit")
    if not baru:
        jalur = selectors_org.jalur_unit([unit.pk]).get(unit.pk, [])
        ctx.update(
            jalur=jalur[:-1],
            anak=selectors_org.unit_anak(request.user, instansi.pk, unit.pk),
            jabatan=list(
                Jabatan.objects.filter(unit_kerja=unit)
                .select_related("atasan")
                .order_by("nama", "pk")[:200]
            ),
        )
    return render(request, "kinerja/org/unit_form.html", ctx, status=status)


@login_required
def unit_tambah(request: HttpRequest) -> HttpResponse:
    instansi = instansi_kelola(request)
    return _unit_form(request, instansi, UnitKerja(instansi=instansi))


@login_required
def unit_ubah(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _ambil(request, UnitKerja, pk, sr=("instansi",))
    return _unit_form(request, unit.instansi, unit)


# --- positions --------------------------------------------------------------------------------
@login_required
@require_GET
def jabatan_list(request: HttpRequest) -> HttpResponse:
    instansi = instansi_kelola(request)
    q = request.GET.get("q", "").strip()[:100]
    qs = policy.scope(
        request.user,
        Jabatan.objects.filter(unit_kerja__instansi=instansi).select_related(
            "unit_kerja", "atasan"
        ),
    )
    unit = None
    if (request.GET.get("unit") or "").isdigit():
        unit = UnitKerja.objects.filter(instansi=instansi, pk=request.GET["unit"]).first()
        qs = qs.filter(unit_kerja=unit)
    if request.GET.get("jenis") in Jabatan.Jenis.values:
        qs = qs.filter(jenis=request.GET["jenis"])
    halaman = selectors_org.keyset(selectors_org.cari_nama(qs, q), request.GET)
    pemegang: dict[int, list[Pegawai]] = {}
    for p in Pegawai.objects.filter(
        jabatan_id__in=[j.pk for j in halaman.baris], status=Pegawai.Status.AKTIF
    ).only("id", "nama", "jabatan_id"):
        pemegang.setdefault(p.jabatan_id, []).append(p)
    for j in halaman.baris:
        j.pemegang = pemegang.get(j.pk, [])
    return render(
        request,
        "kinerja/org/jabatan_list.html",
        ctx_org(
            instansi,
            halaman=halaman,
            q=q,
            unit=unit,
            jenis=request.GET.get("jenis", ""),
            jenis_pilihan=Jabatan.Jenis.choices,
            tab="jabatan",
        ),
    )


def _jabatan_form(request: HttpRequest, instansi: Instansi, jab: Jabatan) -> HttpResponse:
    baru = jab.pk is None
    initial: dict[str, Any] = {}
    if baru and (request.GET.get("unit") or "").isdigit():
        initial["unit_kerja"] = request.GET["unit"]
    elif not baru:
        initial = {
            "nama": jab.nama,
            "unit_kerja": jab.unit_kerja_id,
            "jenis": jab.jenis,
            "jenjang": jab.jenjang,
            "atasan": jab.atasan_id,
            "kepala_unit": jab.kepala_unit,
            "row_version": jab.row_version,
        }
    form = forms_org.JabatanForm(
        request.POST if request.method == "POST" else None, instansi=instansi, initial=initial
    )
    status = 200
    if request.method == "POST" and "simpan" in request.POST:
        if form.is_valid():
            try:
                services.organisasi_simpan(
                    user=request.user,
                    obj=form.isi(jab),
                    row_version=None if baru else form.cleaned_data["row_version"],
                )
            except ValidationError as exc:
                if baru:
                    jab.pk = None
                form.tempel(exc)
            else:
                messages.success(request, f"Jabatan {jab.nama} disimpan.")
                return kembali_ke("org_jabatan", instansi, jab.pk)
        status = 400
    ctx = ctx_org(instansi, form=form, jab=jab, tab="jabatan")
    if not baru:
        ctx["pemegang"] = list(
            Pegawai.objects.filter(jabatan=jab)
            .exclude(status=Pegawai.Status.BERHENTI)
            .order_by("nama")[:50]
        )
        ctx["plt"] = list(Pegawai.objects.filter(plt_jabatan=jab).order_by("nama")[:10])
        ctx["bawahan"] = list(Jabatan.objects.filter(atasan=jab).order_by("nama")[:100])
    return render(request, "kinerja/org/jabatan_form.html", ctx, status=status)


@login_required
def jabatan_tambah(request: HttpRequest) -> HttpResponse:
    instansi = instansi_kelola(request)
    return _jabatan_form(request, instansi, Jabatan())


@login_required
def jabatan_ubah(request: HttpRequest, pk: int) -> HttpResponse:
    jab = _ambil(request, Jabatan, pk, sr=("unit_kerja__instansi",))
    return _jabatan_form(request, jab.unit_kerja.instansi, jab)


# --- pegawai ----------------------------------------------------------------------------------
def _pegawai_form(request: HttpRequest, instansi: Instansi, p: Pegawai) -> HttpResponse:
    baru = p.pk is None
    initial: dict[str, Any] = {"jenis_asn": Pegawai.JenisASN.PNS}
    if not baru:
        initial = {
            "nip": p.nip or "",
            "nama": p.nama,
            "jenis_asn": p.jenis_asn,
            "golongan": p.golongan,
            "email": p.email,
            "status": p.status,
            "penilai_override": p.penilai_override_id,
            "row_version": p.row_version,
        }
    form = forms_org.PegawaiForm(
        request.POST if request.method == "POST" else None,
        instansi=instansi,
        initial=initial,
        baru=baru,
    )
    status = 200
    if request.method == "POST" and "simpan" in request.POST:
        if form.is_valid():
            try:
                services.organisasi_simpan(
                    user=request.user,
                    obj=form.isi(p),
                    tmt=form.cleaned_data["tmt"],
                    row_version=None if baru else form.cleaned_data["row_version"],
                )
                if baru:
                    services.pegawai_user_ensure(p)
            except ValidationError as exc:
                if baru:
                    p.pk = None
                form.tempel(exc)
            else:
                messages.success(request, f"Data pegawai {p.nama} disimpan.")
                return kembali_ke("org_pegawai", instansi, p.pk)
        status = 400
    return render(
        request,
        "kinerja/org/pegawai_form.html",
        ctx_org(instansi, form=form, peg=p, tab="pegawai"),
        status=status,
    )


@login_required
def pegawai_tambah(request: HttpRequest) -> HttpResponse:
    instansi = instansi_kelola(request)
    return _pegawai_form(request, instansi, Pegawai(instansi=instansi))


@login_required
def pegawai_ubah(request: HttpRequest, pk: int) -> HttpResponse:
    p = _ambil(request, Pegawai, pk, sr=("instansi",))
    if p.status == Pegawai.Status.BERHENTI and request.method == "POST":
        messages.error(request, "Pegawai ini sudah berhenti; datanya hanya dapat dibaca.")
        return kembali_ke("org_pegawai", p.instansi, p.pk)
    return _pegawai_form(request, p.instansi, p)


@login_required
@require_GET
def pegawai_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One pegawai: the data, every position held with its dates and who rated them in it, who
    rated them on a chosen date, and their recorded and scheduled changes."""
    p = _ambil(
        request,
        Pegawai,
        pk,
        sr=(
            "instansi",
            "jabatan__unit_kerja",
            "unit_kerja",
            "plt_jabatan__unit_kerja",
            "pejabat_penilai",
            "atasan_pejabat_penilai",
        ),
    )
    tanggal = None
    raw = request.GET.get("tanggal", "")
    if raw:
        try:
            tanggal = forms_org.forms.DateField().clean(raw)
        except ValidationError:
            messages.error(request, "Tanggal tidak sah; tulis seperti 2026-08-01.")
    return render(
        request,
        "kinerja/org/pegawai_detail.html",
        ctx_org(
            p.instansi,
            peg=p,
            riwayat=selectors_org.riwayat_pegawai(p),
            daftar_mutasi=selectors_org.mutasi_pegawai(p),
            tanggal=tanggal,
            pada=selectors_org.penilai_pada(p, tanggal) if tanggal else None,
            hari_ini=waktu.hari_ini(),
            tab="pegawai",
        ),
    )


@login_required
def mutasi_catat(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a mutasi/promosi/rotasi, a Plt/Plh with its end, or leaving, with its TMT."""
    p = _ambil(request, Pegawai, pk, sr=("instansi", "jabatan__unit_kerja"))
    initial = {"tmt": waktu.hari_ini()}
    if request.GET.get("jenis") in Mutasi.Jenis.values:
        initial["jenis"] = request.GET["jenis"]
    form = forms_org.MutasiForm(
        request.POST if request.method == "POST" else None, instansi=p.instansi, initial=initial
    )
    status = 200
    if request.method == "POST" and "simpan" in request.POST:
        if form.is_valid():
            d = form.cleaned_data
            try:
                m = mutasi.mutasi_catat(
                    user=request.user,
                    pegawai=p,
                    jenis=d["jenis"],
                    tmt=d["tmt"],
                    jabatan_baru=d["jabatan_baru"],
                    sampai=d["sampai"],
                    keterangan=d["keterangan"],
                )
            except ValidationError as exc:
                form.tempel(exc)
            else:
                if m.status == Mutasi.Status.BERLAKU:
                    messages.success(
                        request, f"{m.get_jenis_display()} {p.nama} berlaku sejak {m.tmt:%d-%m-%Y}."
                    )
                else:
                    messages.success(
                        request,
                        f"{m.get_jenis_display()} {p.nama} dijadwalkan, berlaku {m.tmt:%d-%m-%Y}.",
                    )
                return kembali_ke("org_pegawai", p.instansi, p.pk)
        status = 400
    return render(
        request,
        "kinerja/org/mutasi_form.html",
        ctx_org(p.instansi, form=form, peg=p, tab="pegawai"),
        status=status,
    )


# --- scheduled changes ------------------------------------------------------------------------
@login_required
@require_GET
def mutasi_list(request: HttpRequest) -> HttpResponse:
    """Recorded changes of the instansi, the scheduled ones first by default."""
    instansi = instansi_kelola(request)
    status = request.GET.get("status", Mutasi.Status.DIJADWALKAN)
    qs = policy.scope(
        request.user,
        Mutasi.objects.filter(pegawai__instansi=instansi).select_related(
            "pegawai", "jabatan_baru", "unit_kerja_baru"
        ),
    )
    if status in Mutasi.Status.values:
        qs = qs.filter(status=status)
    else:
        status = ""
    halaman = selectors_org.keyset(qs, request.GET, kunci="tmt")
    return render(
        request,
        "kinerja/org/mutasi_list.html",
        ctx_org(
            instansi,
            halaman=halaman,
            status=status,
            status_pilihan=Mutasi.Status.choices,
            tab="mutasi",
        ),
    )


@login_required
def mutasi_batalkan(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel a scheduled change, with the reason kept."""
    m = policy.get_for_user(
        request.user,
        Mutasi.objects.select_related("pegawai__instansi", "jabatan_baru"),
        pk=pk,
    )
    policy.require(request.user, "batalkan", m)
    form = forms_org.BatalForm(
        request.POST if request.method == "POST" else None,
        initial={"row_version": m.row_version},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.cek_versi(m, form.cleaned_data["row_version"])
                mutasi.mutasi_batalkan(
                    user=request.user, mutasi=m, alasan=form.cleaned_data["alasan"]
                )
            except ValidationError as exc:
                for key, errs in exc.message_dict.items():
                    for e in errs:
                        form.add_error("alasan" if key == "alasan" else None, e)
            else:
                messages.success(request, f"{m.get_jenis_display()} {m.pegawai.nama} dibatalkan.")
                return kembali_ke("org_mutasi_list", m.pegawai.instansi)
        status = 400
    return render(
        request,
        "kinerja/org/mutasi_batal.html",
        ctx_org(m.pegawai.instansi, form=form, m=m, tab="mutasi"),
        status=status,
    )


# --- the year ---------------------------------------------------------------------------------
@login_required
@require_GET
def periode_list(request: HttpRequest) -> HttpResponse:
    instansi = instansi_kelola(request)
    daftar = policy.scope(request.user, Periode.objects.filter(instansi=instansi)).order_by(
        "-tahun"
    )
    return render(
        request,
        "kinerja/org/periode_list.html",
        ctx_org(instansi, daftar=list(daftar[:50]), tab="periode"),
    )


def _periode_form(request: HttpRequest, instansi: Instansi, per: Periode) -> HttpResponse:
    baru = per.pk is None
    initial: dict[str, Any] = {
        "tahun": waktu.hari_ini().year,
        "frekuensi": Periode.Frekuensi.TRIWULANAN,
        "status": Periode.Status.PERENCANAAN,
        "batas_persetujuan_hari": 7,
    }
    if not baru:
        initial = {
            k: getattr(per, k)
            for k in (
                "tahun",
                "frekuensi",
                "status",
                "batas_perencanaan",
                "batas_persetujuan_hari",
                "row_version",
            )
        }
    form = forms_org.PeriodeForm(
        request.POST if request.method == "POST" else None, instansi=instansi, initial=initial
    )
    status = 200
    if per.ditutup:
        # A closed year is read-only (design.md, Lifecycles).
        for f in form.fields.values():
            f.disabled = True
        if request.method == "POST":
            form.add_error(None, "Tahun ini sudah ditutup; datanya hanya dapat dibaca.")
            status = 400
    elif request.method == "POST":
        if form.is_valid():
            try:
                services.organisasi_simpan(
                    user=request.user,
                    obj=form.isi(per),
                    row_version=None if baru else form.cleaned_data["row_version"],
                )
            except ValidationError as exc:
                if baru:
                    per.pk = None
                form.tempel(exc)
            else:
                messages.success(request, f"Periode {per.tahun} disimpan.")
                return kembali_ke("org_periode_list", instansi)
        status = 400
    return render(
        request,
        "kinerja/org/periode_form.html",
        ctx_org(instansi, form=form, per=per, tab="periode"),
        status=status,
    )


@login_required
def periode_tambah(request: HttpRequest) -> HttpResponse:
    instansi = instansi_kelola(request)
    return _periode_form(request, instansi, Periode(instansi=instansi))


@login_required
def periode_ubah(request: HttpRequest, pk: int) -> HttpResponse:
    per = _ambil(request, Periode, pk, sr=("instansi",))
    return _periode_form(request, per.instansi, per)


# --- settings of the instansi -----------------------------------------------------------------
@login_required
def pengaturan(request: HttpRequest) -> HttpResponse:
    """The keberatan designee (and where documents are signed)."""
    instansi = instansi_kelola(request)
    form = forms_org.PengaturanForm(
        request.POST if request.method == "POST" else None,
        instansi=instansi,
        initial={
            "kota": instansi.kota,
            "pejabat_keberatan": instansi.pejabat_keberatan_id,
            "row_version": instansi.row_version,
        },
    )
    status = 200
    if request.method == "POST" and "simpan" in request.POST:
        if form.is_valid():
            instansi.kota = form.cleaned_data["kota"]
            instansi.pejabat_keberatan = form.cleaned_data["pejabat_keberatan"]
            try:
                with transaction.atomic():
                    services.organisasi_simpan(
                        user=request.user,
                        obj=instansi,
                        refresh=False,
                        row_version=form.cleaned_data["row_version"],
                    )
                    # The designee is an explicit grant (kinerja.akses.hibah) the policy asks.
                    hibah.pemutus_keberatan_tetapkan(
                        user=request.user,
                        instansi=instansi,
                        pegawai=form.cleaned_data["pejabat_keberatan"],
                    )
            except ValidationError as exc:
                form.tempel(exc)
            else:
                messages.success(request, "Pengaturan instansi disimpan.")
                return kembali_ke("org_pengaturan", instansi)
        status = 400
    return render(
        request,
        "kinerja/org/pengaturan.html",
        ctx_org(instansi, form=form, tab="pengaturan"),
        status=status,
    )
