"""Pages of the evaluation stage: thin typed function views over selectors and services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from evaluasi import html_distribusi, jendela, rules, selectors, services
from evaluasi.forms import (
    AlasanForm,
    EvaluasiForm,
    LangkahForm,
    PotensiForm,
    evaluasi_input,
)
from evaluasi.models import Evaluasi, KasusSanksi, PenutupanTahun
from evaluasi.views_nilai import konteks_pratinjau
from kinerja import cache_halaman, policy
from kinerja.masukan import id_dari, versi_dari
from kinerja.models import Dokumen, Pegawai, UnitKerja


def _errors(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [m for errs in exc.message_dict.values() for m in errs]
    return list(exc.messages)


def _periode(request: HttpRequest):
    p = selectors.periode_untuk(request.user, request.GET.get("tahun") or request.POST.get("tahun"))
    if p is None:
        raise Http404("Periode tidak ditemukan.")
    return p


def _periode_tahun(request: HttpRequest):
    """The period as `_periode` and the instansi's years for the year tabs, in one query."""
    p, tahun_list = selectors.periode_dan_tahun(request.user, request.GET.get("tahun"))
    if p is None:
        raise Http404("Periode tidak ditemukan.")
    return p, tahun_list


def _cakupan(request: HttpRequest, periode) -> None:
    """The page shows stage data of the period's instansi (and the user's own periods)."""
    cache_halaman.cakupan_halaman(request, [periode.instansi_id, policy.instansi_of(request.user)])


def _window(request: HttpRequest, periode) -> jendela.Window:
    """The window asked for; by default the one today falls in (the annual one after the year)."""
    kode = request.GET.get("jendela")
    if not kode:
        from django.utils import timezone

        from kinerja.rules import jendela_pada

        j = jendela_pada(periode.tahun, periode.frekuensi, timezone.localdate())
        kode = str(j.urutan) if j else jendela.AKHIR
    try:
        return jendela.dari_kode(periode, kode)
    except ValidationError:
        raise Http404("Jendela evaluasi tidak ditemukan.") from None


def _evaluasi_qs():
    return Evaluasi.objects.select_related(
        "pegawai__jabatan",
        "pegawai__unit_kerja",
        "pegawai__instansi",
        "pejabat_penilai",
        "atasan_pejabat_penilai",
        "periode",
        "skp",
    )


@login_required
def beranda(request: HttpRequest) -> HttpResponse:
    if policy.may(request.user, "menilai"):
        return redirect("evaluasi:tim")
    if policy.may(request.user, "kelola_instansi"):
        return redirect("evaluasi:distribusi")
    return redirect("evaluasi:saya")


# --- team and per-person evaluation ---------------------------------------------------------
@cache_halaman.halaman("evaluasi-tim")
@login_required
def tim(request: HttpRequest) -> HttpResponse:
    from evaluasi import daftar as daftar_evaluasi
    from evaluasi import halaman_tim

    periode, tahun_list, w, data = _tim_baca(request)
    _cakupan(request, periode)
    rows = data.rows if data else []
    cache_halaman.cakupan_pegawai(request, [r["pegawai"].pk for r in rows])  # feedback counts
    daftar = daftar_evaluasi.tim(
        request, rows, nama_berkas=f"evaluasi-tim-{periode.tahun}-{w.kode}"
    )
    if (resp := daftar.ekspor()) is not None:
        return resp
    dist = data.dist if data else None
    if dist is not None:
        dist.grafik = halaman_tim.grafik(dist)
    konteks = {
        "periode": periode,
        "w": w,
        "jendela_list": halaman_tim.jendela_list(periode),
        "tahun_list": tahun_list,
        "daftar": daftar,
        "dist": dist,
        "atasan_rows": data.atasan_rows if data else [],
        # One masked token for the page (base.html's and the justification form's): the
        # context processor's lazy one would be a second masking of the same secret.
        "csrf_token": get_token(request),
    }
    # The content is drawn in Python (evaluasi/halaman_tim.py), the same bytes as the template.
    isi = halaman_tim.isi(request, **konteks)
    return render(request, "evaluasi/tim.html", {**konteks, "isi": isi})


def _tim_baca(request: HttpRequest) -> tuple:
    """(period, years, window, the page's data) of the team page. The penilai is the user's
    pegawai (the policy's actor): the team, its distribution panel, the "as atasan" rows and the
    instansi's periods come in one statement (evaluasi/selectors_tim.py), the period chosen from
    the periods this process read last; when the statement read other periods, again."""
    from evaluasi import halaman_tim
    from evaluasi import selectors_tim as st

    a = policy.actor(request.user)
    inst = policy.instansi_of(request.user)
    if not a.pegawai_id or not inst:
        periode, tahun_list = _periode_tahun(request)
        w = _window(request, periode)
        data = (
            st.halaman_tim(a.pegawai_id, periode, w, periode_dibaca=True) if a.pegawai_id else None
        )
        return periode, tahun_list, w, data
    tahun, kode = request.GET.get("tahun"), request.GET.get("jendela")
    for semua in (st.periode_tebakan(inst), None):
        akhir = semua is None
        semua = st.periode_instansi(inst) if akhir else semua
        periode, tahun_list = st.pilih_periode(semua, tahun)
        try:
            w = halaman_tim.window(periode, kode) if periode else None
        except ValidationError:
            w = None
        if w is None:
            if not akhir:
                continue  # decided on the guess: ask the database
            if periode is None:
                raise Http404("Periode tidak ditemukan.")
            raise Http404("Jendela evaluasi tidak ditemukan.")
        # Periods just read: not again; else the statement reads them to check the guess.
        data = st.halaman_tim(a.pegawai_id, periode, w, periode_dibaca=akhir)
        if akhir or data.periode_semua == semua:
            return periode, tahun_list, w, data
    raise AssertionError("unreachable: the second pass reads the periods and returns")


def _pegawai_dinilai(request: HttpRequest, pegawai_id: int) -> Pegawai:
    pegawai = policy.get_for_user(
        request.user,
        Pegawai.objects.select_related("jabatan", "unit_kerja", "instansi"),
        pk=pegawai_id,
    )
    return pegawai


@login_required
def nilai(request: HttpRequest, pegawai_id: int, kode: str) -> HttpResponse:
    """The penilai's evaluation form for one person and window."""
    pegawai = _pegawai_dinilai(request, pegawai_id)
    periode = selectors.periode_untuk(request.user, request.GET.get("tahun"))
    if periode is None or periode.instansi_id != pegawai.instansi_id:
        raise Http404
    try:
        w = jendela.dari_kode(periode, kode)
    except ValidationError:
        raise Http404 from None
    w = selectors.jendela_penilai(request.user, pegawai, periode, w)
    ev = selectors.evaluasi_jendela(request.user, pegawai, periode, w, _evaluasi_qs())
    if ev is None:
        # Only her penilai may start it; for everyone else there is nothing to show yet.
        if not policy.can(request.user, "nilai", pegawai):
            raise Http404
        return render(
            request, "evaluasi/mulai.html", {"pegawai": pegawai, "w": w, "periode": periode}
        )
    ev = policy.get_for_user(request.user, _evaluasi_qs(), pk=ev.pk)
    if not policy.can(request.user, "nilai", ev):
        return redirect("evaluasi:detail", ev.pk)
    errors: list[str] = []
    posted: dict[str, Any] | None = None
    if request.method == "POST":
        ctx = selectors.konteks_penilaian(ev)
        kunci = [b["kunci"] for b in ctx["baris"]]
        nilai_kode = [p["kode"] for p in ctx["perilaku"]]
        form = EvaluasiForm(request.POST)
        posted = evaluasi_input(request.POST, kunci, nilai_kode)
        if form.is_valid():
            try:
                d = form.cleaned_data
                ev = services.evaluasi_simpan(
                    user=request.user,
                    evaluasi=ev,
                    row_version=d["row_version"],
                    rating_hasil_kerja=d["rating_hasil_kerja"],
                    rating_perilaku_kerja=d["rating_perilaku_kerja"],
                    alasan_ubah_rating=d["alasan_ubah_rating"],
                    catatan=d["catatan"],
                    ipk=d["ipk"] if ev.skp_id and ev.skp.is_tugas_belajar else None,
                    **posted,
                )
                if request.POST.get("aksi") == "finalisasi":
                    services.evaluasi_finalisasi(
                        user=request.user,
                        evaluasi=ev,
                        row_version=ev.row_version,
                        justifikasi=request.POST.get("justifikasi", ""),
                    )
                    messages.success(request, "Evaluasi difinalisasi.")
                    return redirect("evaluasi:detail", ev.pk)
                if request.POST.get("aksi") == "lanjut":
                    return _ke_berikutnya(request, pegawai, periode, w)
                messages.success(request, "Evaluasi disimpan.")
                return redirect("evaluasi:nilai", pegawai.pk, w.kode)
            except ValidationError as exc:
                errors = _errors(exc)
                ev = _evaluasi_qs().get(pk=ev.pk)
        else:
            errors = [m for errs in form.errors.values() for m in errs]
    else:
        form = EvaluasiForm(
            initial={
                "row_version": ev.row_version,
                "rating_hasil_kerja": ev.rating_hasil_kerja,
                "rating_perilaku_kerja": ev.rating_perilaku_kerja,
                "alasan_ubah_rating": ev.alasan_ubah_rating,
                "catatan": ev.catatan,
                "ipk": ev.ipk or "",
            }
        )
    ctx = selectors.konteks_penilaian(ev)
    if posted:
        # Re-show what the penilai typed, not the stored values (nothing typed is lost).
        for b in ctx["baris"]:
            b["form_rating"], b["form_catatan"] = posted["penilaian_rhk"].get(b["kunci"], ("", ""))
        for p in ctx["perilaku"]:
            p["catatan"] = posted["catatan_perilaku"].get(p["kode"], "")
        if errors:
            # Keep what was typed, on top of the version now stored (a draft saved before a
            # refused finalisation, or someone else's change the message told about).
            data = request.POST.copy()
            data["row_version"] = ev.row_version
            form = EvaluasiForm(data)
            form.is_valid()
    else:
        for b in ctx["baris"]:
            p = b["penilaian"]
            b["form_rating"], b["form_catatan"] = (p.rating, p.catatan) if p else ("", "")
    hasil = (form.data.get("rating_hasil_kerja") if form.is_bound else ev.rating_hasil_kerja) or ""
    perilaku = (
        form.data.get("rating_perilaku_kerja") if form.is_bound else ev.rating_perilaku_kerja
    ) or ""
    peringatan = services.distribusi_peringatan_tim(ev)[1] if ev.predikat else []
    return render(
        request,
        "evaluasi/nilai.html",
        {
            **ctx,
            "ev": ev,
            "pegawai": pegawai,
            "periode": periode,
            "form": form,
            "errors": errors,
            "rating_pilihan": [
                ("", "— pilih —"),
                *[(k, rules.RATING_LABEL[k]) for k in rules.RATING],
            ],
            "predikat_kode": rules.KUADRAN.get((hasil, perilaku), ""),
            **konteks_pratinjau(
                ev, {b["kunci"]: b["form_rating"] for b in ctx["baris"]}, hasil, perilaku
            ),
            "peringatan": peringatan,
            "justifikasi_ada": services._justifikasi_ada(ev),
            "justifikasi": request.POST.get("justifikasi", ""),
        },
    )


def _ke_berikutnya(request: HttpRequest, pegawai: Pegawai, periode, w) -> HttpResponse:
    """After *Simpan dan lanjut*: the next person of the team still to rate in this window."""
    from evaluasi.pratinjau import pegawai_berikutnya

    berikut = pegawai_berikutnya(request.user, periode, w, pegawai.pk)
    if berikut is None:
        messages.success(
            request, f"Evaluasi {pegawai.nama} disimpan. Semua pegawai lain sudah final."
        )
        return redirect(reverse("evaluasi:tim") + f"?tahun={periode.tahun}&jendela={w.kode}")
    messages.success(request, f"Evaluasi {pegawai.nama} disimpan. Berikutnya: {berikut.nama}.")
    return redirect(
        reverse("evaluasi:nilai", args=[berikut.pk, w.kode]) + f"?tahun={periode.tahun}"
    )


@login_required
@require_POST
def mulai(request: HttpRequest, pegawai_id: int, kode: str) -> HttpResponse:
    pegawai = _pegawai_dinilai(request, pegawai_id)
    periode = selectors.periode_untuk(request.user, request.POST.get("tahun"))
    if periode is None:
        raise Http404
    try:
        w = selectors.jendela_penilai(
            request.user, pegawai, periode, jendela.dari_kode(periode, kode)
        )
        services.evaluasi_mulai(
            user=request.user, pegawai=pegawai, periode=periode, jenis=w.jenis, urutan=w.urutan
        )
    except ValidationError as exc:
        for m in _errors(exc):
            messages.error(request, m)
        return redirect(reverse("evaluasi:tim") + f"?jendela={kode}")
    return redirect("evaluasi:nilai", pegawai.pk, kode)


@login_required
@vary_on_headers("HX-Request")
def kuadran(request: HttpRequest) -> HttpResponse:
    """The predikat badge for the two ratings chosen (htmx, as the penilai picks them)."""
    h = request.GET.get("rating_hasil_kerja", "")
    p = request.GET.get("rating_perilaku_kerja", "")
    return render(
        request, "evaluasi/partials/predikat.html", {"predikat_kode": rules.KUADRAN.get((h, p), "")}
    )


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    ev = policy.get_for_user(request.user, _evaluasi_qs(), pk=pk)
    ctx = selectors.konteks_penilaian(ev)
    return render(
        request,
        "evaluasi/detail.html",
        {
            **ctx,
            "ev": ev,
            "bisa_nilai": policy.can(request.user, "nilai", ev),
            "bisa_buka": policy.can(request.user, "buka_kembali", ev),
            **selectors.keberatan_evaluasi(request.user, ev),
            "pembukaan": list(ev.pembukaan_kembali_set.select_related("oleh")),
            "alasan_form": AlasanForm(),
            "riwayat": list(
                ev.history.select_related("history_user").order_by("-history_date")[:20]
            ),
        },
    )


@login_required
@require_POST
def finalisasi(request: HttpRequest, pk: int) -> HttpResponse:
    ev = policy.get_for_user(request.user, _evaluasi_qs(), pk=pk)
    try:
        services.evaluasi_finalisasi(
            user=request.user,
            evaluasi=ev,
            row_version=versi_dari(request.POST),
            justifikasi=request.POST.get("justifikasi", ""),
        )
        messages.success(request, "Evaluasi difinalisasi.")
    except ValidationError as exc:
        for m in _errors(exc):
            messages.error(request, m)
        return redirect("evaluasi:nilai", ev.pegawai_id, ev.jendela_kode)
    return redirect("evaluasi:detail", ev.pk)


@login_required
@require_POST
def buka_kembali(request: HttpRequest, pk: int) -> HttpResponse:
    ev = policy.get_for_user(request.user, _evaluasi_qs(), pk=pk)
    try:
        services.evaluasi_buka_kembali(
            user=request.user, evaluasi=ev, alasan=request.POST.get("alasan", "")
        )
        messages.success(request, "Evaluasi dibuka kembali; alasan dicatat.")
    except ValidationError as exc:
        for m in _errors(exc):
            messages.error(request, m)
    return redirect("evaluasi:detail", ev.pk)


@login_required
def pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The evaluation document: served when current; otherwise the page shows the rendering
    job's progress, and a POST asks for it (a GET never writes)."""
    from kinerja import jobs
    from kinerja.models import Job

    ev = policy.get_for_user(request.user, _evaluasi_qs(), action="dokumen", pk=pk)
    if ev.dokumen_id and ev.dokumen_row_version == ev.row_version:
        doc = Dokumen.objects.filter(pk=ev.dokumen_id, digantikan=False).first()
        if doc is not None:
            return redirect("evaluasi:dokumen", doc.pk)
    kunci = f"evaluasi-pdf:{ev.pk}:v{ev.row_version}"
    if request.method == "POST":
        jobs.enqueue("evaluasi.pdf", kunci=kunci, user=request.user, evaluasi_id=ev.pk)
        return redirect("evaluasi:pdf", ev.pk)
    job = Job.objects.filter(kunci=kunci).first()
    if job is not None and job.status == Job.Status.SUKSES and job.hasil.get("url"):
        return redirect(job.hasil["url"])
    return render(request, "evaluasi/pdf_progres.html", {"ev": ev, "job": job})


@login_required
def dokumen(request: HttpRequest, pk: int) -> FileResponse:
    # The pegawai sees their own evaluation document only once the evaluation is final: the
    # policy's rule for documents (kinerja.policy.organisasi.DokumenRules).
    doc = policy.get_for_user(request.user, Dokumen.objects.all(), pk=pk)
    nama = doc.berkas.name.rsplit("/", 1)[-1]
    return FileResponse(doc.berkas.open("rb"), as_attachment=True, filename=nama)


@login_required
def saya(request: HttpRequest) -> HttpResponse:
    a = policy.actor(request.user)
    evs = (
        _evaluasi_qs()
        .filter(pegawai_id=a.pegawai_id, status=Evaluasi.Status.FINAL)
        .order_by("-periode__tahun", "jenis", "urutan")
        if a.pegawai_id
        else Evaluasi.objects.none()
    )
    from django.utils import timezone

    sekarang = timezone.now()
    evs = list(evs)
    keberatan = selectors.keberatan_terakhir(request.user, [e.pk for e in evs])
    rows = []
    for e in evs:
        k = keberatan.get(e.pk)
        batas = rules.batas_keberatan(e.finalisasi_pada) if e.finalisasi_pada else None
        rows.append(
            {
                "ev": e,
                "label": jendela.dari_jenis(e.periode, e.jenis, e.urutan).label,
                "keberatan": k,
                # Filing is offered while the window runs and nothing is pending or decided.
                "sisa": rules.sisa_label(batas, sekarang)
                if batas
                and rules.keberatan_masih_dibuka(e.finalisasi_pada, sekarang)
                and not (k and (k.terbuka or k.finalisasi_pada == e.finalisasi_pada))
                else "",
            }
        )
    return render(request, "evaluasi/saya.html", {"rows": rows})


# --- distribution -----------------------------------------------------------------------------
@cache_halaman.halaman("evaluasi-distribusi")
@login_required
def distribusi(request: HttpRequest) -> HttpResponse:
    periode, tahun_list = _periode_tahun(request)
    _cakupan(request, periode)
    w = _window(request, periode)
    a = policy.actor(request.user)
    admin = policy.can(request.user, "kelola", periode)
    cakupan = request.GET.get("cakupan") or ("instansi" if admin else "tim")
    panels, units, daftar, halaman_unit = [], [], [], None
    if cakupan == "tim":
        if not a.pegawai_id:
            raise Http404
        panels = [selectors.distribusi_tim(a.pegawai_id, periode, w)]
    elif cakupan == "unit":
        unit_id = id_dari(request.GET, "unit")
        if unit_id:
            unit = policy.get_for_user(request.user, UnitKerja.objects.all(), pk=unit_id)
            policy.require(request.user, "distribusi", unit)
            panels = [selectors.distribusi_unit(unit, periode, w)]
            # Per-person rows: only those the policy lets this viewer see (issue 15, #4).
            daftar = list(
                policy.scope_baris_distribusi(
                    request.user,
                    Evaluasi.objects.filter(periode=periode, jenis=w.jenis, urutan=w.urutan),
                )
                .filter(pegawai__unit_kerja=unit)
                .select_related("pegawai__jabatan", "pejabat_penilai")
                .order_by("pegawai__nama", "pk")
            )
        elif admin:
            _instansi, halaman_unit, units = _unit_terhalaman(request, periode, w)
        else:
            raise Http404
    elif cakupan == "instansi":
        if not admin:
            raise Http404
        # The panel, the unit count, the page of units and the justifications in one
        # statement (evaluasi/distribusi_admin.py).
        instansi, halaman_unit, units = _unit_terhalaman(request, periode, w)
        panels = [instansi]
    else:
        raise Http404
    from evaluasi import halaman_distribusi, halaman_tim

    for d in panels:
        d.grafik = halaman_tim.grafik(d)  # svg_distribusi, drawn once per process per content
    konteks = {
        "periode": periode,
        "w": w,
        "jendela_list": halaman_tim.jendela_list(periode),
        "tahun_list": tahun_list,
        "cakupan": cakupan,
        "luar": request.GET.get("luar") == "1",
        "panels": panels,
        "units": units,
        "baris_unit": html_distribusi.baris_unit(units, w, periode),
        "halaman_unit": halaman_unit,
        "daftar": daftar,
        "admin": admin,
        "punya_tim": bool(a.pegawai_id),  # the "Tim saya" tab only for who can open it
        "boleh_justifikasi": cakupan == "tim" or admin,
        "batas_kecil": rules.BATAS_UNIT_KECIL,
        # One masked token for the page (base.html's and the justification forms').
        "csrf_token": get_token(request),
    }
    # The content is drawn in Python (evaluasi/halaman_distribusi.py), the template's bytes.
    isi = halaman_distribusi.isi(**konteks)
    return render(request, "evaluasi/distribusi.html", {**konteks, "isi": isi})


# A province has hundreds of units: the per-unit table is paged (all on one page was 188 KiB and
# ~100 ms at 663 units); each unit links to its own distribution.
UNIT_PER_HALAMAN = 50


def _unit_terhalaman(request: HttpRequest, periode, w) -> tuple[Any, Any, list]:
    """(the instansi panel, the per-unit table's page, its units): one statement
    (evaluasi/distribusi_admin.py) for the page the request asks for. With `?luar=1` only the
    units outside the guidance: every unit is read (the same statement) and the page is taken
    from those."""
    from evaluasi import distribusi_admin

    nomor = request.GET.get("page")
    if request.GET.get("luar") != "1":
        mulai = (distribusi_admin.halaman_diminta(nomor) - 1) * UNIT_PER_HALAMAN
        daftar = distribusi_admin.HalamanUnit(periode, w, mulai, UNIT_PER_HALAMAN)
        halaman = Paginator(daftar, UNIT_PER_HALAMAN).get_page(nomor)
        return daftar.data.instansi, halaman, list(halaman)
    baca = distribusi_admin.baca if distribusi_admin.dipakai() else distribusi_admin.baca_lama
    data = baca(periode, w, 0, None)
    luar = [d for d in data.units if d.pelanggaran]
    halaman = Paginator(luar, UNIT_PER_HALAMAN).get_page(nomor)
    return data.instansi, halaman, list(halaman)


@login_required
@require_POST
def justifikasi(request: HttpRequest) -> HttpResponse:
    periode = _periode(request)
    try:
        w = jendela.dari_kode(periode, request.POST.get("jendela"))
    except ValidationError:
        raise Http404 from None
    a = policy.actor(request.user)
    cakupan = request.POST.get("cakupan", "tim")
    unit = None
    if request.POST.get("unit"):
        unit = policy.get_for_user(
            request.user, UnitKerja.objects.all(), pk=id_dari(request.POST, "unit")
        )
    penilai = Pegawai.objects.filter(pk=a.pegawai_id).first() if cakupan == "tim" else None
    if cakupan == "tim":
        d = selectors.distribusi_tim(a.pegawai_id, periode, w) if a.pegawai_id else None
    elif cakupan == "unit" and unit is not None:
        d = selectors.distribusi_unit(unit, periode, w)
    else:
        d = selectors.distribusi_instansi(periode, w)
    try:
        services.justifikasi_simpan(
            user=request.user,
            periode=periode,
            jenis=w.jenis,
            urutan=w.urutan,
            cakupan=cakupan,
            isi=request.POST.get("isi", ""),
            pelanggaran=[p.pesan for p in (d.pelanggaran if d else [])],
            unit_kerja=unit,
            pejabat_penilai=penilai,
        )
        messages.success(request, "Justifikasi dicatat.")
    except ValidationError as exc:
        for m in _errors(exc):
            messages.error(request, m)
    url = (
        reverse("evaluasi:distribusi")
        + f"?cakupan={cakupan}&jendela={w.kode}&tahun={periode.tahun}"
    )
    if unit is not None:
        url += f"&unit={unit.pk}"
    return redirect(url)


# --- year-end close -------------------------------------------------------------------------
def _admin_periode(request: HttpRequest):
    periode = selectors.periode_evaluasi(
        request.user, request.GET.get("tahun") or request.POST.get("tahun")
    )
    if periode is None:
        raise Http404("Periode tidak ditemukan.")
    if not policy.can(request.user, "kelola", periode):
        raise Http404
    return periode


@cache_halaman.halaman("evaluasi-tutup-tahun")
@login_required
def tutup_tahun(request: HttpRequest) -> HttpResponse:
    periode = _admin_periode(request)
    if request.method == "POST":
        if request.POST.get("konfirmasi") != "ya":
            messages.error(request, "Konfirmasi penutupan tahun diperlukan.")
            return redirect(reverse("evaluasi:tutup_tahun") + f"?tahun={periode.tahun}")
        try:
            services.penutupan_mulai(user=request.user, periode=periode)
            messages.success(request, "Penutupan tahun dimulai.")
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, str(exc))
        return redirect(reverse("evaluasi:tutup_tahun") + f"?tahun={periode.tahun}")
    # The completeness report and the close's state are the instansi's stage data (evaluations,
    # SKPs, keberatan, kinerja organisasi, the close's rows; people and positions are global).
    _cakupan(request, periode)
    from evaluasi import html_kelengkapan

    lengkap = selectors.kelengkapan(periode)
    pen = None
    if lengkap["ada_penutupan"]:  # read with the report: most years have no close yet
        pen = (
            PenutupanTahun.objects.filter(periode=periode)
            .select_related("job", "rekap")
            .prefetch_related("arsip_set__unit_kerja__induk", "arsip_set__dokumen")
            .first()
        )
    if pen is not None and pen.job_id and pen.job.status != pen.job.Status.SUKSES:
        # A job's progress and status follow no version (job rows are plumbing): until the
        # close's job has succeeded (its last write, beside the close's own row), never stored.
        cache_halaman.jangan_simpan(request)
    return render(
        request,
        "evaluasi/tutup_tahun.html",
        {
            "periode": periode,
            "lengkap": lengkap,
            # Its long lists drawn in Python (evaluasi/html_kelengkapan.py).
            "daftar": html_kelengkapan.daftar(lengkap),
            "pen": pen,
            "tahun_list": selectors.tahun_list(request.user),
        },
    )


# --- follow-up ------------------------------------------------------------------------------
BATAS_LANGSUNG = 20


@login_required
def tindak_lanjut(request: HttpRequest) -> HttpResponse:
    periode = _admin_periode(request)
    if request.method == "POST":
        aksi = request.POST.get("aksi")
        try:
            if aksi == "potensi":
                f = PotensiForm(request.POST)
                if not f.is_valid():
                    raise ValidationError("Data potensi tidak lengkap.")
                peg = policy.get_for_user(
                    request.user, Pegawai.objects.all(), pk=f.cleaned_data["pegawai"]
                )
                services.potensi_simpan(
                    user=request.user,
                    pegawai=peg,
                    tahun=periode.tahun,
                    potensi=f.cleaned_data["potensi"],
                    sumber=f.cleaned_data["sumber"],
                )
            elif aksi == "tabel":
                for key, value in request.POST.items():
                    if key.startswith("tabel-"):
                        _, jenis_t, pred = key.split("-", 2)
                        services.tabel_tindak_lanjut_simpan(
                            user=request.user,
                            instansi_id=periode.instansi_id,
                            jenis=jenis_t,
                            predikat=pred,
                            nilai=value,
                        )
            elif aksi == "sanksi":
                peg = policy.get_for_user(
                    request.user,
                    Pegawai.objects.select_related("jabatan"),
                    pk=id_dari(request.POST, "pegawai"),
                )
                kasus = services.kasus_sanksi_buka(
                    user=request.user,
                    pegawai=peg,
                    periode=periode,
                    alasan=request.POST.get("alasan", ""),
                )
                messages.success(request, "Kasus sanksi dibuka.")
                return redirect("evaluasi:sanksi", kasus.pk)
            messages.success(request, "Tersimpan.")
        except ValidationError as exc:
            for m in _errors(exc):
                messages.error(request, m)
        return redirect(reverse("evaluasi:tindak_lanjut") + f"?tahun={periode.tahun}")
    from evaluasi import daftar as daftar_evaluasi

    data = selectors.tindak_lanjut(periode)
    daftar = daftar_evaluasi.tindak_lanjut(request, data.pop("baris"), tahun=periode.tahun)
    if (resp := daftar.ekspor()) is not None:
        return resp
    return render(
        request,
        "evaluasi/tindak_lanjut.html",
        {
            **data,
            "daftar": daftar,
            # Forms shown inline at most this many (an instansi has thousands of pegawai):
            # the rest are in the list above, filtered by the same criterion.
            "batas_langsung": BATAS_LANGSUNG,
            "batas_langsung_slice": f":{BATAS_LANGSUNG}",
            "periode": periode,
            "tahun_list": selectors.tahun_list(request.user),
            "potensi_pilihan": [(k, rules.POTENSI_LABEL[k]) for k in rules.POTENSI],
        },
    )


@login_required
def sanksi(request: HttpRequest, pk: int) -> HttpResponse:
    qs = KasusSanksi.objects.select_related("pegawai__jabatan", "pegawai__unit_kerja", "periode")
    kasus = policy.get_for_user(request.user, qs, pk=pk)
    bisa = policy.can(request.user, "ubah", kasus)
    if request.method == "POST":
        if not bisa:
            raise PermissionDenied
        form = LangkahForm(request.POST, kasus=kasus)
        if form.is_valid():
            try:
                services.kasus_sanksi_langkah(user=request.user, kasus=kasus, **form.cleaned_data)
                messages.success(request, "Langkah dicatat.")
                return redirect("evaluasi:sanksi", kasus.pk)
            except ValidationError as exc:
                for m in _errors(exc):
                    form.add_error(None, m)
    else:
        from django.utils import timezone

        form = LangkahForm(
            kasus=kasus, initial={"mulai": timezone.localdate(), "row_version": kasus.row_version}
        )
    langkah = list(
        kasus.langkah_set.select_related("diputuskan_oleh").order_by("diputuskan_pada", "id")
    )
    return render(
        request,
        "evaluasi/sanksi.html",
        {
            "kasus": kasus,
            "langkah": langkah,
            "form": form,
            "bisa": bisa and kasus.status == KasusSanksi.Status.TERBUKA,
            "jalur_label": rules.JALUR_LABEL[kasus.jalur],
        },
    )
