"""Pages of the planning stage: thin typed function views over selectors and services.

The SKP page edits rows inline with htmx: each row is a card that swaps between its display and
its form; add/move/remove re-render the row's group. Every htmx link keeps a real href, and
every form also works as a plain POST (the view redirects back to the SKP page).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import reswap, retarget

from kinerja import cache_halaman, policy
from kinerja.masukan import versi_dari
from kinerja.models import Dokumen, Job, Pegawai
from skp import rules, selectors, selectors_halaman, services
from skp.forms import LampiranForm, RhkForm, TugasBelajarForm
from skp.models import SKP, RencanaHasilKerja


def _pesan_galat(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _ke_skp(skp_id: int, anchor: str = "") -> HttpResponse:
    from django.urls import reverse

    return redirect(reverse("skp:detail", args=[skp_id]) + anchor)


# --- index, create ---------------------------------------------------------------------------
@login_required
def skp_index(request: HttpRequest) -> HttpResponse:
    from skp import daftar

    a = policy.actor(request.user)
    periode = selectors.periode_aktif(a.instansi_id)
    tim = daftar.tim(request, selectors.skp_tim(request.user, periode)) if a.pegawai_id else None
    if tim is not None and (resp := tim.ekspor()) is not None:
        return resp
    saya = list(selectors.skp_saya(request.user)) if a.pegawai_id else []
    ada_periode = periode is not None and any(s.periode_id == periode.pk for s in saya)
    return render(
        request,
        "skp/index.html",
        {
            "saya": saya,
            "periode": periode,
            "boleh_buat": bool(a.pegawai_id and periode and not ada_periode),
            # The team list shows for whoever has a team (an empty search keeps it shown).
            "daftar": tim if tim is not None and tim.qs.exists() else None,
        },
    )


@login_required
@require_POST
def skp_buat(request: HttpRequest) -> HttpResponse:
    a = policy.actor(request.user)
    if not a.pegawai_id:
        raise PermissionDenied("Hanya pegawai yang dapat menyusun SKP.")
    pegawai = Pegawai.objects.select_related("jabatan").get(pk=a.pegawai_id)
    periode = selectors.periode_aktif(a.instansi_id)
    if periode is None:
        messages.error(request, "Belum ada periode penilaian untuk instansi Anda.")
        return redirect("skp:index")
    try:
        skp = services.skp_buat(
            pegawai=pegawai,
            periode=periode,
            user=request.user,
            pendekatan=request.POST.get("pendekatan") or SKP.Pendekatan.KUANTITATIF,
        )
    except ValidationError as exc:
        messages.error(request, _pesan_galat(exc))
        return redirect("skp:index")
    messages.success(request, f"Draft SKP {periode.tahun} dibuat.")
    return _ke_skp(skp.pk)


# --- the SKP page ----------------------------------------------------------------------------
def _konteks(request: HttpRequest, skp: SKP) -> dict[str, Any]:
    u = request.user
    a = policy.actor(u)
    boleh_ubah = policy.can(u, "change", skp)
    perilaku = selectors.perilaku_rows(skp)
    ctx: dict[str, Any] = {
        "skp": skp,
        "grup": selectors.rencana_grup(skp),
        "perilaku": perilaku,
        "perilaku_versi": rules.sidik_perilaku(
            {p["kode"]: p["ekspektasi_khusus"] for p in perilaku}
        ),
        "boleh_ubah": boleh_ubah,
        "boleh_ajukan": policy.can(u, "ajukan", skp),
        "boleh_setujui": policy.can(u, "setujui", skp),
        "boleh_perilaku": policy.can(u, "perilaku", skp),
        "boleh_penilai_tambah": policy.can(u, "tambah_penilai", skp) and skp.is_tugas_belajar,
        "boleh_versi_baru": policy.can(u, "versi_baru", skp) and skp.terkini,
        "milik_sendiri": a.pegawai_id == skp.pegawai_id,
        "lampiran_form": LampiranForm(instance=skp) if boleh_ubah else None,
        "versi": selectors.versi_list(skp),
    }
    if skp.is_tugas_belajar:
        ctx["tb_form"] = TugasBelajarForm(
            initial={
                "perguruan_tinggi": skp.tb_perguruan_tinggi,
                "program_studi": skp.tb_program_studi,
                "jenjang": skp.tb_jenjang or "s1",
                "lokasi": skp.tb_lokasi or "dalam_negeri",
                "akreditasi_univ": skp.tb_akreditasi_univ,
                "akreditasi_prodi": skp.tb_akreditasi_prodi,
            }
        )
        ctx["tb_bands"] = _bands(skp.tb_jenjang, skp.tb_lokasi, skp.tb_akreditasi_univ)
        ctx["boleh_tb"] = skp.is_draft and (boleh_ubah or policy.can(u, "tambah_penilai", skp))
    job_id = request.GET.get("job")
    if job_id and job_id.isdigit():
        ctx["job"] = policy.scope(u, Job.objects.all()).filter(pk=int(job_id)).first()
    ctx["dokumen"] = _dokumen_terakhir(skp)
    return ctx


def _dokumen_terakhir(skp: SKP) -> Dokumen | None:
    return selectors_halaman.dokumen_terakhir(skp)


def _bands(jenjang: str, lokasi: str, univ: str) -> list[rules.Band] | None:
    try:
        return rules.ipk_bands(jenjang=jenjang, lokasi=lokasi, akreditasi_univ=univ)
    except (KeyError, ValueError):
        return None


@cache_halaman.halaman("skp-detail")
@login_required
@vary_on_headers("HX-Request")
def skp_detail(request: HttpRequest, pk: int) -> HttpResponse:
    skp = selectors.skp_for_user(request.user, pk)
    # The SKP's stage data is its period's instansi's; the page also shows the owner's. Not
    # the instansi's version: an approval of another pegawai's SKP does not end this page.
    cache_halaman.cakupan_tahap(
        request,
        [skp.periode.instansi_id, skp.pegawai.instansi_id, policy.instansi_of(request.user)],
    )
    # The SKPs whose rows (status, ...) it shows: its own, its versions (their list), and the
    # leaders' its rows intervene in.
    cache_halaman.cakupan_skp(
        request,
        [
            skp.pk,
            *(v.pk for v in selectors.versi_list(skp)),
            *(r.rhk_atasan.skp_id for r in skp.rencana_set.all() if r.rhk_atasan_id),
        ],
    )
    if request.GET.get("job"):
        cache_halaman.jangan_simpan(request)  # a job's progress: no version follows it
    if any(
        r.rhk_atasan_id and r.rhk_atasan.skp.periode_id != skp.periode_id
        for r in skp.rencana_set.all()
    ):
        # A row under a leader's row of another period (another instansi's): that instansi's
        # writes would not end this page, so it is not stored.
        cache_halaman.jangan_simpan(request)
    return render(request, "skp/detail.html", _konteks(request, skp))


def _grup_response(request: HttpRequest, skp_id: int, jenis: str) -> HttpResponse:
    skp = selectors.skp_for_user(request.user, skp_id)
    return render(
        request,
        "skp/partials/grup.html",
        {
            "skp": skp,
            "jenis": jenis,
            "rows": selectors.rencana_grup(skp)[jenis],
            "boleh_ubah": policy.can(request.user, "change", skp),
        },
    )


def _form_ctx(skp: SKP, form: RhkForm, rhk: RencanaHasilKerja | None) -> dict[str, Any]:
    pilihan = selectors.rhk_atasan_pilihan(skp)
    if rhk is not None and rhk.rhk_atasan_id and all(p.pk != rhk.rhk_atasan_id for p in pilihan):
        pilihan.insert(0, rhk.rhk_atasan)
    return {
        "skp": skp,
        "form": form,
        "rhk": rhk,
        "pilihan_atasan": pilihan,
        "jenis_pilihan": RencanaHasilKerja.Jenis.choices,
        "perspektif_pilihan": RencanaHasilKerja.Perspektif.choices,
        "aspek_pilihan": [
            ("kuantitas", "Kuantitas"),
            ("kualitas", "Kualitas"),
            ("waktu", "Waktu"),
            ("biaya", "Biaya"),
        ],
    }


def _render_form(request: HttpRequest, skp: SKP, form: RhkForm, rhk=None) -> HttpResponse:
    tpl = "skp/partials/rhk_form.html" if request.htmx else "skp/rhk_form_page.html"
    ctx = _form_ctx(skp, form, rhk)
    src = request.POST if request.method == "POST" else request.GET
    ctx["nomor"] = src.get("nomor") or src.get("n") or ""
    ctx["slot"] = src.get("slot") or src.get("jenis") or form.jenis
    return render(request, tpl, ctx)


def _atasan_dari(form: RhkForm, skp: SKP) -> RencanaHasilKerja | None:
    if not form.rhk_atasan:
        return None
    try:
        pk = int(form.rhk_atasan)
    except ValueError:
        return None
    # Only a leader's row the pegawai may intervene (or the one already chosen) is accepted.
    return RencanaHasilKerja.objects.select_related("skp").filter(pk=pk).first()


@login_required
@vary_on_headers("HX-Request")
def rhk_tambah(request: HttpRequest, pk: int) -> HttpResponse:
    skp = selectors.skp_for_user(request.user, pk)
    policy.require(request.user, "change", skp)
    if request.method == "GET":
        if request.GET.get("batal"):
            return HttpResponse("")
        form = RhkForm(jenis=request.GET.get("jenis", "utama"))
        form.pastikan_baris_kosong(1)
        return _render_form(request, skp, form)
    form = RhkForm.dari_post(request.POST)
    if "tambah_baris" in request.POST:
        form.tambah_baris()
        return _render_form(request, skp, form)
    try:
        baru = services.rhk_tambah(
            skp=skp,
            user=request.user,
            jenis=form.jenis,
            rencana=form.rencana,
            rhk_atasan=_atasan_dari(form, skp),
            perspektif=form.perspektif,
            uraian_hasil=form.uraian_hasil,
            ukuran_keberhasilan=form.ukuran_keberhasilan,
            indikator=form.indikator_data(),
        )
    except ValidationError as exc:
        form.pasang_galat(exc)
        form.pastikan_baris_kosong(0)
        return _render_form(request, skp, form)
    if not request.htmx:
        messages.success(request, "Rencana hasil kerja ditambahkan.")
        return _ke_skp(skp.pk, f"#grup-{form.jenis}")
    if request.POST.get("slot", form.jenis) != form.jenis:
        # Added from the other group's form: both groups change.
        return HttpResponse(status=204, headers={"HX-Refresh": "true"})
    # The new row is appended out of band and the form removed, so other rows being edited
    # in the same group keep what was typed in them.
    return render(
        request,
        "skp/partials/rhk_tambah_ok.html",
        {
            "skp": skp,
            "r": selectors.rencana_qs().get(pk=baru.pk),
            "boleh_ubah": True,
            "nomor": skp.rencana_set.filter(jenis=baru.jenis).count(),
        },
    )


def _rhk_for(request: HttpRequest, pk: int, rid: int) -> tuple[SKP, RencanaHasilKerja]:
    skp = selectors.skp_for_user(request.user, pk)
    rhk = next((r for r in skp.rencana_set.all() if r.pk == rid), None)
    if rhk is None:
        raise Http404("Rencana hasil kerja tidak ditemukan.")
    return skp, rhk


@login_required
@vary_on_headers("HX-Request")
def rhk_baris(request: HttpRequest, pk: int, rid: int) -> HttpResponse:
    skp, rhk = _rhk_for(request, pk, rid)
    if not request.htmx:
        return _ke_skp(skp.pk, f"#rhk-{rid}")
    return render(
        request,
        "skp/partials/rhk_baris.html",
        {
            "skp": skp,
            "r": rhk,
            "boleh_ubah": policy.can(request.user, "change", skp),
            "nomor": request.GET.get("n", ""),
        },
    )


@login_required
@vary_on_headers("HX-Request")
def rhk_ubah(request: HttpRequest, pk: int, rid: int) -> HttpResponse:
    skp, rhk = _rhk_for(request, pk, rid)
    policy.require(request.user, "change", skp)
    if request.method == "GET":
        form = RhkForm.dari_rhk(rhk)
        form.pastikan_baris_kosong(1)
        return _render_form(request, skp, form, rhk)
    form = RhkForm.dari_post(request.POST)
    if "tambah_baris" in request.POST:
        form.tambah_baris()
        return _render_form(request, skp, form, rhk)
    jenis_lama = rhk.jenis
    try:
        services.rhk_ubah(
            rhk=rhk,
            user=request.user,
            jenis=form.jenis,
            rencana=form.rencana,
            rhk_atasan=_atasan_dari(form, skp),
            perspektif=form.perspektif,
            uraian_hasil=form.uraian_hasil,
            ukuran_keberhasilan=form.ukuran_keberhasilan,
            indikator=form.indikator_data(),
            row_version=int(form.row_version) if form.row_version.isdigit() else None,
        )
    except ValidationError as exc:
        form.pasang_galat(exc)
        return _render_form(request, skp, form, rhk)
    if not request.htmx:
        messages.success(request, "Rencana hasil kerja disimpan.")
        return _ke_skp(skp.pk, f"#rhk-{rid}")
    if jenis_lama != form.jenis:
        # Moved between Utama and Tambahan: both groups change.
        return HttpResponse(status=204, headers={"HX-Refresh": "true"})
    return render(
        request,
        "skp/partials/rhk_baris.html",
        {
            "skp": skp,
            "r": selectors.rencana_qs().get(pk=rid),
            "boleh_ubah": True,
            "nomor": request.POST.get("nomor", ""),
        },
    )


@login_required
@require_POST
def rhk_hapus(request: HttpRequest, pk: int, rid: int) -> HttpResponse:
    skp, rhk = _rhk_for(request, pk, rid)
    try:
        services.rhk_hapus(rhk=rhk, user=request.user)
    except ValidationError as exc:
        messages.error(request, _pesan_galat(exc))
        return _ke_skp(skp.pk)
    if not request.htmx:
        messages.success(request, "Rencana hasil kerja dihapus.")
        return _ke_skp(skp.pk)
    resp = _grup_response(request, skp.pk, rhk.jenis)
    return reswap(retarget(resp, f"#grup-{rhk.jenis}"), "outerHTML")


@login_required
@require_POST
def rhk_pindah(request: HttpRequest, pk: int, rid: int, arah: str) -> HttpResponse:
    skp, rhk = _rhk_for(request, pk, rid)
    try:
        services.rhk_pindah(rhk=rhk, user=request.user, arah=arah)
    except ValidationError as exc:
        messages.error(request, _pesan_galat(exc))
        return _ke_skp(skp.pk)
    if not request.htmx:
        return _ke_skp(skp.pk, f"#rhk-{rid}")
    resp = _grup_response(request, skp.pk, rhk.jenis)
    return reswap(retarget(resp, f"#grup-{rhk.jenis}"), "outerHTML")


# --- SKP-level forms -------------------------------------------------------------------------
@login_required
@require_POST
def skp_pendekatan(request: HttpRequest, pk: int) -> HttpResponse:
    skp = selectors.skp_for_user(request.user, pk)
    try:
        services.skp_ubah(
            skp=skp,
            user=request.user,
            pendekatan=request.POST.get("pendekatan", ""),
            row_version=versi_dari(request.POST),
        )
        messages.success(request, "Pendekatan hasil kerja diubah.")
    except ValidationError as exc:
        messages.error(request, _pesan_galat(exc))
    return _ke_skp(skp.pk)


@login_required
@require_POST
def skp_lampiran(request: HttpRequest, pk: int) -> HttpResponse:
    skp = selectors.skp_for_user(request.user, pk)
    policy.require(request.user, "change", skp)
    form = LampiranForm(request.POST)
    if form.is_valid():
        try:
            services.skp_ubah(
                skp=skp,
                user=request.user,
                row_version=versi_dari(request.POST),
                **form.cleaned_data,
            )
            messages.success(request, "Lampiran SKP disimpan.")
            return _ke_skp(skp.pk, "#lampiran")
        except ValidationError as exc:
            for k, v in exc.message_dict.items():
                form.add_error(None if k not in form.fields else k, v)
    ctx = _konteks(request, skp)
    ctx["lampiran_form"] = form
    return render(request, "skp/detail.html", ctx, status=400)


@login_required
@require_POST
def skp_perilaku(request: HttpRequest, pk: int) -> HttpResponse:
    skp = selectors.skp_for_user(request.user, pk)
    ekspektasi = {
        kode: request.POST.get(f"ekspektasi-{kode}", "")
        for kode in rules.BERAKHLAK_KODE
        if f"ekspektasi-{kode}" in request.POST
    }
    try:
        services.perilaku_atur(
            skp=skp,
            user=request.user,
            ekspektasi=ekspektasi,
            versi=request.POST.get("perilaku_versi"),
        )
        messages.success(request, "Ekspektasi khusus perilaku kerja disimpan.")
    except ValidationError as exc:
        messages.error(request, _pesan_galat(exc))
        # The page shows the expectations as saved now: what was typed comes back in a message.
        label = {k: lbl for k, lbl, _ in rules.BERAKHLAK}
        ditulis = [f"{label[k]}: {t.strip()}" for k, t in ekspektasi.items() if t and t.strip()]
        if ditulis:
            messages.warning(request, "Yang Anda tulis belum tersimpan: " + " · ".join(ditulis))
        return _ke_skp(skp.pk)  # the top of the page, where the refusal and the text are shown
    return _ke_skp(skp.pk, "#perilaku")


@login_required
@require_POST
def skp_tugas_belajar(request: HttpRequest, pk: int) -> HttpResponse:
    skp = selectors.skp_for_user(request.user, pk)
    # The pegawai on their own draft; the penilai only on a tugas belajar SKP.
    if not (
        policy.can(request.user, "change", skp)
        or (skp.is_tugas_belajar and policy.can(request.user, "tambah_penilai", skp))
    ):
        raise PermissionDenied("Anda tidak berwenang mengubah SKP ini.")
    form = TugasBelajarForm(request.POST)
    if form.is_valid():
        try:
            services.skp_tugas_belajar_atur(
                skp=skp,
                user=request.user,
                row_version=versi_dari(request.POST),
                **form.cleaned_data,
            )
            messages.success(request, "Data tugas belajar dan target IPK disimpan.")
            return _ke_skp(skp.pk, "#tugas-belajar")
        except ValidationError as exc:
            for k, v in exc.message_dict.items():
                form.add_error(k if k in form.fields else None, v)
    ctx = _konteks(request, skp)
    ctx["tb_form"] = form
    return render(request, "skp/detail.html", ctx, status=400)


@login_required
def skp_tugas_belajar_pita(request: HttpRequest, pk: int) -> HttpResponse:
    """Preview of the IPK bands for the study being typed (htmx, on change)."""
    selectors.skp_for_user(request.user, pk)
    g = request.GET
    bands = _bands(g.get("jenjang", ""), g.get("lokasi", ""), g.get("akreditasi_univ", ""))
    return render(request, "skp/partials/ipk_bands.html", {"tb_bands": bands})


# --- state changes ---------------------------------------------------------------------------
def _aksi(
    request: HttpRequest, pk: int, fn, ok: str, ketikan: tuple[str, ...] = (), **kw
) -> HttpResponse:
    skp = selectors.skp_for_user(request.user, pk)
    try:
        hasil = fn(skp=skp, user=request.user, **kw)
    except ValidationError as exc:
        messages.error(request, _pesan_galat(exc))
        # The page after a refusal may no longer show the form (the SKP moved on): what was
        # typed comes back in a message, so it is not lost.
        ditulis = [s.strip() for s in ketikan if s and s.strip()]
        if ditulis:
            messages.warning(request, "Yang Anda tulis belum tersimpan: " + " · ".join(ditulis))
        return _ke_skp(skp.pk)
    messages.success(request, ok)
    return _ke_skp(getattr(hasil, "pk", skp.pk))


@login_required
@require_POST
def skp_ajukan(request: HttpRequest, pk: int) -> HttpResponse:
    return _aksi(
        request,
        pk,
        services.skp_ajukan,
        "SKP diajukan kepada pejabat penilai.",
        row_version=versi_dari(request.POST),
    )


@login_required
@require_POST
def skp_setujui(request: HttpRequest, pk: int) -> HttpResponse:
    return _aksi(
        request,
        pk,
        services.skp_setujui,
        "SKP disetujui.",
        ketikan=(request.POST.get("catatan", ""),),
        row_version=versi_dari(request.POST),
        catatan=request.POST.get("catatan", ""),
    )


@login_required
@require_POST
def skp_kembalikan(request: HttpRequest, pk: int) -> HttpResponse:
    catatan = request.POST.get("catatan", "")
    catatan_rhk = {
        int(k.removeprefix("catatan-rhk-")): v
        for k, v in request.POST.items()
        if k.startswith("catatan-rhk-") and k.removeprefix("catatan-rhk-").isdigit()
    }
    return _aksi(
        request,
        pk,
        services.skp_kembalikan,
        "SKP dikembalikan kepada pegawai dengan catatan.",
        ketikan=(catatan, *catatan_rhk.values()),
        catatan=catatan,
        catatan_rhk=catatan_rhk,
        row_version=versi_dari(request.POST),
    )


@login_required
@require_POST
def skp_versi_baru(request: HttpRequest, pk: int) -> HttpResponse:
    return _aksi(
        request,
        pk,
        services.skp_versi_baru,
        "Versi baru SKP dibuka sebagai draft.",
        ketikan=(request.POST.get("alasan", ""),),
        alasan=request.POST.get("alasan", ""),
    )


# --- versions and diff -----------------------------------------------------------------------
@login_required
def skp_versi(request: HttpRequest, pk: int) -> HttpResponse:
    skp = selectors.skp_for_user(request.user, pk)
    versi = selectors.versi_list(skp)
    banding_id = request.GET.get("banding", "")
    lama = None
    if banding_id.isdigit():
        lama = next((v for v in versi if v.pk == int(banding_id)), None)
    if lama is None:
        lama = next((v for v in versi if v.versi < skp.versi), None)
    diff = selectors.skp_diff(lama, skp) if lama is not None else None
    return render(
        request,
        "skp/versi.html",
        {"skp": skp, "versi": versi, "lama": lama, "diff": diff, "label": selectors.FIELD_LABEL},
    )


# --- PDF -------------------------------------------------------------------------------------
@login_required
@require_POST
def skp_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    skp = selectors.skp_for_user(request.user, pk)
    job = services.skp_pdf_minta(skp=skp, user=request.user)
    job.refresh_from_db()
    if request.htmx:
        return render(request, "kinerja/partials/job_progres.html", {"job": job})
    return redirect(f"/skp/{skp.pk}/?job={job.pk}#dokumen")


@login_required
def skp_pdf_unduh(request: HttpRequest, pk: int, dok: int) -> HttpResponse:
    from django.contrib.contenttypes.models import ContentType

    skp = selectors.skp_for_user(request.user, pk)
    policy.require(request.user, "pdf", skp)
    d = policy.get_for_user(
        request.user,
        Dokumen.objects.filter(
            content_type=ContentType.objects.get_for_model(SKP), object_id=skp.pk
        ),
        pk=dok,
    )
    return FileResponse(
        d.berkas.open("rb"),
        as_attachment=True,
        filename=d.berkas.name.rsplit("/", 1)[-1],
        content_type="application/pdf",
    )


# --- approval queue --------------------------------------------------------------------------
@login_required
def skp_persetujuan(request: HttpRequest) -> HttpResponse:
    from skp import daftar

    antrian = daftar.antrian(request, selectors.antrian_persetujuan(request.user))
    if (resp := antrian.ekspor()) is not None:
        return resp
    return render(request, "skp/persetujuan.html", {"daftar": antrian})
