"""Pages of the keberatan (PP 30/2019 art. 59): filing, the examination thread with each
party's actions, the list (the pemutus's queue, the admin's open ones), attachment downloads.

Thin typed function views: reads through the selectors and the policy (404 for whoever may not
see), every change through evaluasi.services. A refused form is shown again with what was typed.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from evaluasi import jendela, rules, selectors, services
from evaluasi.forms import (
    JelaskanForm,
    KeberatanForm,
    MintaPenjelasanForm,
    PemutusForm,
    PutuskanForm,
)
from evaluasi.models import Evaluasi, Keberatan, LampiranKeberatan, PenjelasanKeberatan
from kinerja import policy
from kinerja.policy.evaluasi import peran_keberatan


def _pesan(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [m for errs in exc.message_dict.values() for m in errs]
    return list(exc.messages)


def _ke_form(form: Any, exc: ValidationError) -> None:
    """A service's refusal shown on the form: on its field when the form has it."""
    if hasattr(exc, "error_dict"):
        for field, errs in exc.message_dict.items():
            visible = field in form.fields and not form.fields[field].widget.is_hidden
            form.add_error(field if visible else None, errs)
    else:
        for m in exc.messages:
            form.add_error(None, m)


# --- filing ---------------------------------------------------------------------------------
@login_required
def ajukan(request: HttpRequest, pk: int) -> HttpResponse:
    """The pegawai's keberatan form for one of their final evaluations."""
    ev = policy.get_for_user(
        request.user,
        Evaluasi.objects.select_related("pegawai", "periode", "pejabat_penilai"),
        pk=pk,
    )
    if not policy.can(request.user, "ajukan_keberatan", ev):
        raise PermissionDenied("Keberatan hanya dapat diajukan oleh pegawai yang dinilai.")
    info = selectors.keberatan_evaluasi(request.user, ev)
    if request.method == "POST":
        form = KeberatanForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                k = services.keberatan_ajukan(
                    user=request.user,
                    evaluasi=ev,
                    alasan=form.cleaned_data["alasan"],
                    lampiran=form.cleaned_data["lampiran"],
                )
                messages.success(request, "Keberatan Anda telah diajukan.")
                return redirect("evaluasi:keberatan_detail", k.pk)
            except ValidationError as exc:
                _ke_form(form, exc)
                info = selectors.keberatan_evaluasi(request.user, ev)
    else:
        form = KeberatanForm()
    return render(
        request,
        "evaluasi/keberatan_ajukan.html",
        {
            "ev": ev,
            "w": jendela.dari_jenis(ev.periode, ev.jenis, ev.urutan),
            "form": form,
            **info,
        },
    )


# --- list -------------------------------------------------------------------------------------
@login_required
def daftar(request: HttpRequest) -> HttpResponse:
    """Everyone's keberatan list, scoped by the policy: the pemutus's queue, the parties' own,
    the instansi admin's (all of the instansi, read only)."""
    semua = request.GET.get("status") == "semua"
    qs = selectors.keberatan_daftar(request.user, semua=semua)
    halaman = Paginator(qs, 50).get_page(request.GET.get("page"))
    a = policy.actor(request.user)
    rows = []
    for k in halaman.object_list:
        peran = peran_keberatan(a, k)
        rows.append(
            {
                "k": k,
                "label": jendela.dari_jenis(
                    k.evaluasi.periode, k.evaluasi.jenis, k.evaluasi.urutan
                ).label,
                "perlu_putus": k.terbuka and "pemutus" in peran,
                "perlu_jelaskan": k.terbuka
                and (
                    ("pegawai" in peran and k.menunggu_pegawai)
                    or ("pejabat_penilai" in peran and k.menunggu_penilai)
                ),
                "lewat": k.terbuka and k.batas_putusan < _sekarang(),
            }
        )
    return render(
        request,
        "evaluasi/keberatan_daftar.html",
        {
            "rows": rows,
            "halaman": halaman,
            "semua": semua,
            "admin": bool(policy.instansi_administered(request.user)),
        },
    )


def _sekarang():
    from django.utils import timezone

    return timezone.now()


# --- one keberatan: the thread and each party's actions --------------------------------------
def _konteks(request: HttpRequest, k: Keberatan, **forms: Any) -> dict[str, Any]:
    a = policy.actor(request.user)
    peran = peran_keberatan(a, k)
    thread = list(
        k.penjelasan_set.select_related("penulis")
        .prefetch_related("jawaban_set")
        .order_by("dibuat", "id")
    )
    terbuka_untuk_saya = [
        p
        for p in thread
        if p.jenis == PenjelasanKeberatan.Jenis.PERMINTAAN
        and not p.jawaban_set.all()
        and p.kepada in peran
    ]
    ev = k.evaluasi
    form_putus = forms.get("form_putus") or PutuskanForm(initial={"row_version": k.row_version})
    h = form_putus.data.get("rating_hasil_kerja", "") if form_putus.is_bound else ""
    p = form_putus.data.get("rating_perilaku_kerja", "") if form_putus.is_bound else ""
    bisa = {
        "minta": policy.can(request.user, "minta_penjelasan", k),
        "putus": policy.can(request.user, "putuskan", k),
        "jelaskan": policy.can(request.user, "jelaskan", k) and bool(terbuka_untuk_saya),
    }
    bisa_tetapkan = policy.can(request.user, "tetapkan_pemutus", k)
    return {
        "k": k,
        "ev": ev,
        "w": jendela.dari_jenis(ev.periode, ev.jenis, ev.urutan),
        "peran": peran,
        "thread": thread,
        "menunggu": terbuka_untuk_saya,
        "lampiran": list(k.lampiran_set.all()),
        "bisa": bisa,
        "bisa_lihat_evaluasi": policy.can(request.user, "view", ev),
        "hanya_baca": not any(bisa.values()),
        "bisa_tetapkan_pemutus": bisa_tetapkan,
        "diajukan_label": selectors.waktu_label(k.diajukan),
        "batas_label": selectors.waktu_label(k.batas_putusan),
        "sisa_label": rules.sisa_label(k.batas_putusan, _sekarang()),
        "diputus_label": selectors.waktu_label(k.diputus_pada) if k.diputus_pada else "",
        "rating_pilihan": [("", "— pilih —"), *[(c, rules.RATING_LABEL[c]) for c in rules.RATING]],
        "form_minta": forms.get("form_minta") or MintaPenjelasanForm(),
        "form_jelaskan": forms.get("form_jelaskan") or JelaskanForm(),
        "form_putus": form_putus,
        "predikat_kode": rules.KUADRAN.get((h, p), ""),
        "jelaskan_untuk": forms.get("jelaskan_untuk"),
    }


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    k = selectors.keberatan_untuk(request.user, pk)
    return render(request, "evaluasi/keberatan_detail.html", _konteks(request, k))


def _gagal(request: HttpRequest, k: Keberatan, **forms: Any) -> HttpResponse:
    k = selectors.keberatan_untuk(request.user, k.pk)
    return render(request, "evaluasi/keberatan_detail.html", _konteks(request, k, **forms))


def _boleh(request: HttpRequest, action: str, k: Keberatan) -> None:
    """A visible keberatan this user may not act on: 403 before any form is judged."""
    if not policy.can(request.user, action, k):
        raise PermissionDenied(
            "Keberatan ini sudah diputus; keputusan tersebut final."
            if not k.terbuka
            else "Anda tidak berwenang melakukan tindakan ini atas keberatan ini."
        )


@login_required
@require_POST
def minta_penjelasan(request: HttpRequest, pk: int) -> HttpResponse:
    k = selectors.keberatan_untuk(request.user, pk)
    _boleh(request, "minta_penjelasan", k)
    form = MintaPenjelasanForm(request.POST)
    if form.is_valid():
        try:
            services.keberatan_minta_penjelasan(
                user=request.user,
                keberatan=k,
                kepada=form.cleaned_data["kepada"],
                pertanyaan=form.cleaned_data["pertanyaan"],
            )
            messages.success(request, "Permintaan penjelasan dikirim.")
            return redirect("evaluasi:keberatan_detail", k.pk)
        except ValidationError as exc:
            _ke_form(form, exc)
    return _gagal(request, k, form_minta=form)


@login_required
@require_POST
def jelaskan(request: HttpRequest, pk: int) -> HttpResponse:
    k = selectors.keberatan_untuk(request.user, pk)
    _boleh(request, "jelaskan", k)
    form = JelaskanForm(request.POST)
    if form.is_valid():
        try:
            services.keberatan_jelaskan(
                user=request.user,
                keberatan=k,
                isi=form.cleaned_data["isi"],
                permintaan=form.cleaned_data["permintaan"],
            )
            messages.success(request, "Penjelasan Anda terkirim.")
            return redirect("evaluasi:keberatan_detail", k.pk)
        except ValidationError as exc:
            _ke_form(form, exc)
    return _gagal(
        request, k, form_jelaskan=form, jelaskan_untuk=form.data.get("permintaan") or None
    )


@login_required
@require_POST
def putuskan(request: HttpRequest, pk: int) -> HttpResponse:
    k = selectors.keberatan_untuk(request.user, pk)
    _boleh(request, "putuskan", k)
    form = PutuskanForm(request.POST)
    gagal: ValidationError | None = None
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.keberatan_putuskan(
                user=request.user,
                keberatan=k,
                keputusan=d["keputusan"],
                alasan_keputusan=d["alasan_keputusan"],
                rating_hasil_kerja=d["rating_hasil_kerja"],
                rating_perilaku_kerja=d["rating_perilaku_kerja"],
                row_version=d["row_version"],
            )
            messages.success(request, "Keberatan diputus. Keputusan ini final.")
            return redirect("evaluasi:keberatan_detail", k.pk)
        except ValidationError as exc:
            gagal = exc
    # Keep what was typed, on top of the version now stored (e.g. a new explanation arrived
    # since the page was opened: the message says so, the next submit is based on it).
    data = request.POST.copy()
    data["row_version"] = Keberatan.objects.values_list("row_version", flat=True).get(pk=k.pk)
    form = PutuskanForm(data)
    form.is_valid()
    if gagal is not None:
        _ke_form(form, gagal)
    return _gagal(request, k, form_putus=form)


@login_required
def lampiran(request: HttpRequest, pk: int) -> FileResponse:
    """An attachment, streamed through the policy (never from a public /media URL)."""
    obj = policy.get_for_user(
        request.user, LampiranKeberatan.objects.select_related("keberatan"), pk=pk
    )
    inline = obj.mime in {"image/png", "image/jpeg", "application/pdf"}
    resp = FileResponse(
        obj.berkas.open("rb"),
        as_attachment=not inline,
        filename=obj.nama_asli or f"lampiran-{obj.pk}.{obj.ekstensi}",
        content_type=obj.mime or "application/octet-stream",
    )
    resp["Cache-Control"] = "private, no-store"
    resp["X-Content-Type-Options"] = "nosniff"
    return resp


@login_required
def pemutus(request: HttpRequest, pk: int) -> HttpResponse:
    """The admin instansi names (or changes) who decides an open keberatan, with a reason."""
    from kinerja.models import Pegawai

    k = selectors.keberatan_untuk(request.user, pk)
    _boleh(request, "tetapkan_pemutus", k)
    form = PemutusForm(request.POST or None, initial={"row_version": k.row_version})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            orang = Pegawai.objects.filter(
                instansi_id=k.pegawai.instansi_id, nip=d["nip"].strip()
            ).first()
            try:
                if orang is None:
                    raise ValidationError(
                        {"nip": ["Tidak ada pegawai dengan NIP ini di instansi."]}
                    )
                services.keberatan_pemutus_tetapkan(
                    user=request.user,
                    keberatan=k,
                    pemutus=orang,
                    alasan=d["alasan"],
                    row_version=d["row_version"],
                )
                messages.success(request, f"Pemutus keberatan ditetapkan: {orang.nama}.")
                return redirect("evaluasi:keberatan_detail", k.pk)
            except ValidationError as exc:
                _ke_form(form, exc)
        status = 400
    return render(
        request,
        "evaluasi/keberatan_pemutus.html",
        {"k": k, "form": form, "usul": services.pemutus_untuk(k.evaluasi)[0]},
        status=status,
    )
