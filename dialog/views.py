"""Pages of the dialog stage: thin typed function views over selectors and services."""

from __future__ import annotations

import datetime as dt
import mimetypes  # noqa: F401  (kept explicit: content types come from the stored row)
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from dialog import forms as f
from dialog import selectors as sel
from dialog import services as svc
from dialog.models import (
    BuktiDukung,
    Peluang,
    Penugasan,
    PermintaanUmpanBalik,
    Realisasi,
    TindakLanjut,
    UmpanBalik,
)
from kinerja import policy
from kinerja.models import Pegawai, TimKerja


def _form_errors(form: Any, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form, field by field where it can."""
    if hasattr(exc, "error_dict"):
        for field, errs in exc.error_dict.items():
            target = field if field in form.fields else None
            for e in errs:
                for m in e.messages:
                    form.add_error(target, m)
    else:
        for m in exc.messages:
            form.add_error(None, m)


def _saya(request: HttpRequest) -> Pegawai:
    try:
        return svc.pegawai_dari(request.user)
    except PermissionDenied:
        raise Http404("Halaman ini untuk pegawai.") from None


def _perilaku() -> dict[str, str]:
    return svc.kode_perilaku()


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
            pk=request.GET["permintaan"],
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
            "boleh_menugaskan": a.pegawai_id
            and svc.boleh_menugaskan(svc.pegawai_dari(request.user)),
        },
    )


@login_required
@vary_on_headers("HX-Request")
def penugasan_cari_nip(request: HttpRequest) -> HttpResponse:
    """Exact-NIP lookup (htmx) for proposing an assignment: name, position, unit, instansi."""
    _saya(request)
    p = sel.pegawai_dengan_nip(request.GET.get("nip", ""))
    return render(
        request, "dialog/partials/nip_hasil.html", {"p": p, "nip": request.GET.get("nip", "")}
    )


@login_required
def penugasan_usulkan(request: HttpRequest) -> HttpResponse:
    saya = _saya(request)
    if not svc.boleh_menugaskan(saya):
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
            "boleh_membuka": svc.boleh_menugaskan(saya),
        },
    )


@login_required
def peluang_buka(request: HttpRequest) -> HttpResponse:
    saya = _saya(request)
    if not svc.boleh_menugaskan(saya):
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


# --- Dokumentasi kinerja ------------------------------------------------------------------------
@login_required
def dokumentasi(request: HttpRequest) -> HttpResponse:
    """The pegawai's rows for the year with realisasi per window."""
    saya = _saya(request)
    tahun = timezone.localdate().year
    rhk = sel.rhk_pegawai(pegawai=saya, tahun=tahun)
    periode = rhk[0].skp.periode if rhk else None
    jendela = sel.jendela_tahun(periode) if periode else []
    isi = {}
    if rhk:
        for r in Realisasi.objects.filter(
            rhk_kunci__in=[x.kunci for x in rhk], periode=periode
        ).only("rhk_kunci", "urutan"):
            isi[(r.rhk_kunci, r.urutan)] = True
    baris = [(r, [isi.get((r.kunci, j.urutan), False) for j in jendela]) for r in rhk]
    return render(
        request,
        "dialog/dokumentasi.html",
        {"baris": baris, "jendela": jendela, "tahun": tahun},
    )


def _rhk_untuk(request: HttpRequest, pk: int) -> Any:
    """A rencana hasil kerja the user may see the documentation of (404 otherwise)."""
    from skp.models import RencanaHasilKerja

    return policy.get_for_user(
        request.user,
        RencanaHasilKerja.objects.select_related("skp__pegawai", "skp__periode", "pemberi_tugas"),
        action="realisasi",
        pk=pk,
    )


@login_required
def realisasi_rhk(request: HttpRequest, pk: int) -> HttpResponse:
    rhk = _rhk_untuk(request, pk)
    milik = policy.actor(request.user).pegawai_id == rhk.skp.pegawai_id
    periode = rhk.skp.periode
    jendela = sel.jendela_tahun(periode)
    ada = sel.realisasi_untuk_rhk(user=request.user, rhk=rhk)
    bound: dict[str, Any] = {}
    if request.method == "POST":
        if not milik:
            raise PermissionDenied("Realisasi hanya dicatat oleh pegawai pemiliknya.")
        aksi = request.POST.get("aksi")
        urutan = int(request.POST.get("urutan") or 0)
        try:
            if aksi == "realisasi":
                form = f.RealisasiForm(request.POST)
                bound[f"realisasi-{urutan}"] = form
                if form.is_valid():
                    d = form.cleaned_data
                    svc.realisasi_simpan(
                        user=request.user,
                        rencana_hasil_kerja=rhk,
                        urutan=d["urutan"],
                        uraian=d["uraian"],
                        angka=d["angka"],
                        satuan=d["satuan"],
                        row_version=d["row_version"],
                    )
                    messages.success(request, "Realisasi tersimpan.")
                    return redirect("dialog:realisasi_rhk", rhk.pk)
            elif aksi in {"berkas", "tautan"}:
                realisasi = ada.get(urutan)
                form = (
                    f.BuktiBerkasForm(request.POST, request.FILES)
                    if aksi == "berkas"
                    else f.BuktiTautanForm(request.POST)
                )
                bound[f"{aksi}-{urutan}"] = form
                if realisasi is None:
                    form.add_error(None, "Isi realisasi periode ini dahulu, lalu unggah buktinya.")
                elif form.is_valid():
                    if aksi == "berkas":
                        svc.bukti_unggah(
                            user=request.user,
                            realisasi=realisasi,
                            judul=form.cleaned_data["judul"],
                            berkas=form.cleaned_data["berkas"],
                        )
                    else:
                        svc.bukti_tautan(
                            user=request.user,
                            realisasi=realisasi,
                            judul=form.cleaned_data["judul"],
                            tautan=form.cleaned_data["tautan"],
                        )
                    messages.success(request, "Bukti dukung tersimpan.")
                    return redirect("dialog:realisasi_rhk", rhk.pk)
        except ValidationError as exc:
            _form_errors(form, exc)
    rows = []
    for j in jendela:
        r = ada.get(j.urutan)
        rows.append(
            {
                "jendela": j,
                "realisasi": r,
                "form": bound.get(f"realisasi-{j.urutan}")
                or f.RealisasiForm(
                    initial={
                        "urutan": j.urutan,
                        "uraian": r.uraian if r else "",
                        "angka": r.angka if r else None,
                        "satuan": r.satuan if r else "",
                        "row_version": r.row_version if r else None,
                    }
                ),
                "form_berkas": bound.get(f"berkas-{j.urutan}") or f.BuktiBerkasForm(),
                "form_tautan": bound.get(f"tautan-{j.urutan}") or f.BuktiTautanForm(),
            }
        )
    status = 400 if bound else 200
    return render(
        request,
        "dialog/realisasi_rhk.html",
        {"rhk": rhk, "rows": rows, "milik": milik and not periode.ditutup},
        status=status,
    )


@login_required
def bukti_unduh(request: HttpRequest, pk: int) -> HttpResponse:
    """Evidence is streamed through the policy, never from a public /media URL."""
    bukti = policy.get_for_user(
        request.user, BuktiDukung.objects.select_related("realisasi"), pk=pk
    )
    if not bukti.berkas:
        raise Http404
    inline = bukti.mime in {"image/png", "image/jpeg", "application/pdf"}
    nama = bukti.nama_asli or f"bukti-{bukti.pk}.{bukti.ekstensi}"
    resp = FileResponse(
        bukti.berkas.open("rb"),
        as_attachment=not inline,
        filename=nama,
        content_type=bukti.mime or "application/octet-stream",
    )
    resp["Cache-Control"] = "private, no-store"
    resp["X-Content-Type-Options"] = "nosniff"
    return resp


@login_required
@require_POST
def bukti_hapus(request: HttpRequest, pk: int) -> HttpResponse:
    bukti = policy.get_for_user(
        request.user, BuktiDukung.objects.select_related("realisasi__rencana_hasil_kerja"), pk=pk
    )
    rhk_id = bukti.realisasi.rencana_hasil_kerja_id
    try:
        svc.bukti_hapus(user=request.user, bukti=bukti)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Bukti dukung dihapus.")
    return redirect("dialog:realisasi_rhk", rhk_id)


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
