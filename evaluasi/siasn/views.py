"""SIASN pages for the admin instansi: records (and their download), reference tables (edit,
check, import with a preview), and the send log with "kirim ulang". Thin: reads through
rekaman.py and the policy, changes through services.py. Anyone else: 404."""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import OuterRef, Q, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from evaluasi.siasn import ekspor, impor, kirim, rules, services
from evaluasi.siasn.forms import KonfirmasiForm, ReferensiImporForm
from evaluasi.siasn.models import Kiriman
from evaluasi.siasn.rekaman import evaluasi_qs, referensi, referensi_instansi, rekaman
from kinerja import policy
from kinerja.models import Instansi, Periode

SESI_IMPOR = "impor_referensi_siasn"
PER_HALAMAN = 50


def _instansi(request: HttpRequest) -> Instansi:
    """The instansi whose SIASN data this admin manages (a superuser picks with ?instansi=)."""
    inst = None
    dikelola = policy.instansi_administered(request.user)
    if dikelola:
        inst = Instansi.objects.filter(pk=dikelola).first()
    elif policy.may(request.user, "semua_instansi"):
        raw = request.GET.get("instansi") or request.POST.get("instansi") or ""
        qs = Instansi.objects.order_by("pk")
        inst = qs.filter(pk=int(raw)).first() if raw.isdigit() and len(raw) < 10 else qs.first()
    if inst is None:
        raise Http404
    return inst


def _tahun(
    request: HttpRequest, inst: Instansi, jenis: str = rules.PERIODIK
) -> tuple[int | None, list[int]]:
    """The year asked for, else the newest one that can hold records of `jenis` (annual
    records exist once a year is being evaluated or closed)."""
    rows = list(
        Periode.objects.filter(instansi=inst).order_by("-tahun").values_list("tahun", "status")
    )
    years = [t for t, _ in rows]
    raw = request.GET.get("tahun") or request.POST.get("tahun") or ""
    if raw.isdigit() and int(raw) in years:
        return int(raw), years
    if jenis == rules.SKP22:
        done = [t for t, st in rows if st in {Periode.Status.EVALUASI, Periode.Status.DITUTUP}]
        if done:
            return done[0], years
    return (years[0] if years else None), years


def _pesan(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [m for errs in exc.message_dict.values() for m in errs]
    return list(exc.messages)


def _belum_diperiksa(inst: Instansi) -> int:
    return sum(1 for r in referensi_instansi(inst.pk) if not (r.tersimpan and r.diperiksa))


@login_required
def rekaman_list(request: HttpRequest) -> HttpResponse:
    inst = _instansi(request)
    jenis = request.GET.get("jenis") if request.GET.get("jenis") in rules.JENIS_REKAMAN else None
    jenis = jenis or rules.SKP22
    tahun, years = _tahun(request, inst, jenis)
    qs = evaluasi_qs(request.user, jenis, tahun=tahun).filter(pegawai__instansi=inst)
    fmt = request.GET.get("unduh")
    if fmt in {"xlsx", "csv"}:
        data = ekspor.xlsx_bytes(qs, jenis) if fmt == "xlsx" else ekspor.csv_bytes(qs, jenis)
        ctype = (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            if fmt == "xlsx"
            else "text/csv; charset=utf-8"
        )
        resp = HttpResponse(data, content_type=ctype)
        resp["Content-Disposition"] = (
            f'attachment; filename="{ekspor.nama_berkas(jenis, tahun, fmt)}"'
        )
        return resp
    last = Kiriman.objects.filter(evaluasi=OuterRef("pk"), jenis=jenis).order_by("-dikirim", "-id")
    qs = qs.annotate(
        kirim_status=Subquery(last.values("status")[:1]),
        kirim_pada=Subquery(last.values("dikirim")[:1]),
    )
    page = Paginator(qs, PER_HALAMAN).get_page(request.GET.get("page"))
    evs = list(page.object_list)
    labels = dict(Kiriman.Status.choices)
    for ev in evs:
        ev.kirim_label = labels.get(ev.kirim_status, "")
    baris = list(zip(evs, rekaman(evs, jenis), strict=True))
    return render(
        request,
        "evaluasi/siasn/rekaman.html",
        {
            "instansi": inst,
            "tahun": tahun,
            "tahun_list": years,
            "jenis": jenis,
            "jenis_list": rules.JENIS_REKAMAN.items(),
            "baris": baris,
            "page": page,
            "kolom": rules.kolom(jenis),
            "aktif": kirim.aktif(),
            "belum_diperiksa": _belum_diperiksa(inst),
            "query": f"jenis={jenis}" + (f"&tahun={tahun}" if tahun else ""),
        },
    )


@login_required
@require_POST
def kirim_tahun(request: HttpRequest) -> HttpResponse:
    inst = _instansi(request)
    tahun, _ = _tahun(request, inst)
    url = reverse("siasn:rekaman") + (f"?tahun={tahun}" if tahun else "")
    if tahun is None:
        messages.error(request, "Belum ada periode penilaian.")
        return redirect(url)
    try:
        n = services.siasn_kirim_tahun(user=request.user, instansi=inst, tahun=tahun)
    except ValidationError as exc:
        for m in _pesan(exc):
            messages.error(request, m)
    else:
        messages.success(
            request, f"{n} rekaman tahun {tahun} dijadwalkan; yang sudah terkirim tidak diulang."
        )
    return redirect(url)


def _referensi_ctx(inst: Instansi, typed: dict | None = None, errors: dict | None = None):
    rows = referensi_instansi(inst.pk)
    typed, errors = typed or {}, errors or {}
    groups = []
    for jenis, label in rules.JENIS_REFERENSI.items():
        items = []
        for r in rows:
            if r.jenis != jenis:
                continue
            key = f"{r.jenis}-{r.kode}"
            items.append(
                {
                    "r": r,
                    "key": key,
                    "nilai": typed.get(f"nilai-{key}", r.nilai),
                    "nama": typed.get(f"nama-{key}", r.nama_siasn),
                    "galat": errors.get(key, ""),
                }
            )
        groups.append(
            {
                "jenis": jenis,
                "label": label,
                "nama_siasn": rules.NAMA_SIASN[jenis],
                "items": items,
                "periksa": sum(1 for i in items if not (i["r"].tersimpan and i["r"].diperiksa)),
            }
        )
    return {"instansi": inst, "groups": groups, "belum_diperiksa": _belum_diperiksa(inst)}


@login_required
def referensi_tabel(request: HttpRequest) -> HttpResponse:
    inst = _instansi(request)
    if request.method == "POST":
        aksi = request.POST.get("aksi")
        try:
            if aksi == "periksa":
                jenis = request.POST.get("jenis") or None
                if jenis is not None and jenis not in rules.JENIS_REFERENSI:
                    raise ValidationError("Jenis referensi tidak dikenal.")
                n = services.referensi_siasn_periksa(user=request.user, instansi=inst, jenis=jenis)
                messages.success(request, f"{n} kode ditandai sudah diperiksa.")
                return redirect("siasn:referensi")
            if aksi != "simpan":
                raise ValidationError("Pilih simpan atau tandai sudah diperiksa.")
        except ValidationError as exc:
            for m in _pesan(exc):
                messages.error(request, m)
            return redirect("siasn:referensi")
        return _referensi_simpan(request, inst)
    return render(request, "evaluasi/siasn/referensi.html", _referensi_ctx(inst))


def _referensi_simpan(request: HttpRequest, inst: Instansi) -> HttpResponse:
    """Save every changed row, all or none: a wrong code shows the form again, values kept."""
    typed = {k: v.strip() for k, v in request.POST.items() if k.startswith(("nilai-", "nama-"))}
    errors: dict[str, str] = {}
    changes = []
    for r in referensi_instansi(inst.pk):
        key = f"{r.jenis}-{r.kode}"
        if f"nilai-{key}" not in typed:
            continue
        nilai, nama = typed[f"nilai-{key}"], typed.get(f"nama-{key}", r.nama_siasn)[:200]
        if (nilai, nama) == (r.nilai, r.nama_siasn) and r.tersimpan:
            continue
        err = rules.nilai_error(r.jenis, nilai)
        if err:
            errors[key] = err
        changes.append((r, nilai, nama))
    if errors:
        ctx = _referensi_ctx(inst, typed, errors)
        messages.error(request, f"{len(errors)} kode belum benar; tidak ada yang disimpan.")
        return render(request, "evaluasi/siasn/referensi.html", ctx, status=400)
    from django.db import transaction

    with transaction.atomic():
        for r, nilai, nama in changes:
            services.referensi_siasn_simpan(
                user=request.user,
                instansi=inst,
                jenis=r.jenis,
                kode=r.kode,
                nilai=nilai,
                nama_siasn=nama,
                diperiksa=True,
            )
    messages.success(request, f"{len(changes)} kode referensi SIASN disimpan.")
    return redirect("siasn:referensi")


@login_required
def referensi_impor(request: HttpRequest) -> HttpResponse:
    inst = _instansi(request)
    ctx: dict = {
        "instansi": inst,
        "form": ReferensiImporForm(),
        "belum_diperiksa": _belum_diperiksa(inst),
    }
    if request.method == "POST" and "token" in request.POST:
        return _impor_konfirmasi(request, inst, ctx)
    if request.method == "POST":
        form = ReferensiImporForm(request.POST, request.FILES)
        ctx["form"] = form
        if not form.is_valid():
            return render(request, "evaluasi/siasn/referensi_impor.html", ctx, status=400)
        berkas = form.cleaned_data["berkas"]
        try:
            rows, galat = impor.baca(berkas.read(), form.cleaned_data["jenis_berkas"])
        except impor.BerkasDitolak as exc:
            form.add_error("berkas", str(exc))
            return render(request, "evaluasi/siasn/referensi_impor.html", ctx, status=400)
        plan = (
            impor.Rencana(galat=galat)
            if galat
            else impor.periksa(
                rows=rows,
                jenis_default=form.cleaned_data["jenis"] or None,
                sekarang=referensi([inst.pk])[inst.pk],
            )
        )
        ctx.update(plan=plan, nama_berkas=berkas.name)
        request.session.pop(SESI_IMPOR, None)
        if not plan.galat and plan.baris:
            token = secrets.token_urlsafe(24)
            request.session[SESI_IMPOR] = {
                "token": token,
                "instansi": inst.pk,
                "baris": plan.untuk_sesi(),
                "nama": berkas.name[:200],
            }
            ctx["konfirmasi"] = KonfirmasiForm(initial={"token": token})
        return render(
            request, "evaluasi/siasn/referensi_impor.html", ctx, status=400 if plan.galat else 200
        )
    return render(request, "evaluasi/siasn/referensi_impor.html", ctx)


def _impor_konfirmasi(request: HttpRequest, inst: Instansi, ctx: dict) -> HttpResponse:
    form = KonfirmasiForm(request.POST)
    pending = request.session.get(SESI_IMPOR) or {}
    if (
        not form.is_valid()
        or not secrets.compare_digest(
            str(pending.get("token", "")).encode(), str(form.cleaned_data["token"]).encode()
        )
        or pending.get("instansi") != inst.pk
    ):
        messages.error(request, "Pratinjau impor sudah kedaluwarsa; unggah berkasnya lagi.")
        return redirect("siasn:referensi_impor")
    request.session.pop(SESI_IMPOR, None)
    plan = services.referensi_siasn_impor(user=request.user, instansi=inst, baris=pending["baris"])
    if plan.galat:
        ctx.update(plan=plan, nama_berkas=pending.get("nama", ""))
        return render(request, "evaluasi/siasn/referensi_impor.html", ctx, status=409)
    j = plan.jumlah
    messages.success(
        request,
        f"Referensi SIASN dari {pending.get('nama', 'berkas')}: {j['baru']} baru, "
        f"{j['diubah']} diubah, {j['tetap']} tetap.",
    )
    return redirect("siasn:referensi")


@login_required
def kiriman_list(request: HttpRequest) -> HttpResponse:
    inst = _instansi(request)
    qs = (
        policy.scope(request.user, Kiriman.objects.all())
        .filter(instansi=inst)
        .select_related("pegawai")
        .order_by("-dikirim", "-id")
    )
    f = {
        "status": request.GET.get("status") or "",
        "jenis": request.GET.get("jenis") or "",
        "tahun": request.GET.get("tahun") or "",
        "q": (request.GET.get("q") or "").strip()[:100],
        "evaluasi": request.GET.get("evaluasi") or "",
    }
    if f["status"] in Kiriman.Status.values:
        qs = qs.filter(status=f["status"])
    if f["jenis"] in rules.JENIS_REKAMAN:
        qs = qs.filter(jenis=f["jenis"])
    if f["tahun"].isdigit() and len(f["tahun"]) == 4:
        qs = qs.filter(tahun=int(f["tahun"]))
    if f["evaluasi"].isdigit() and len(f["evaluasi"]) < 10:
        qs = qs.filter(evaluasi_id=int(f["evaluasi"]))
    if f["q"]:
        qs = qs.filter(Q(pegawai__nama__icontains=f["q"]) | Q(pegawai__nip=f["q"]))
    page = Paginator(qs, PER_HALAMAN).get_page(request.GET.get("page"))
    query = "&".join(f"{k}={v}" for k, v in f.items() if v)
    return render(
        request,
        "evaluasi/siasn/kiriman.html",
        {
            "instansi": inst,
            "page": page,
            "f": f,
            "query": query,
            "status_list": Kiriman.Status.choices,
            "jenis_list": rules.JENIS_REKAMAN.items(),
            "tahun_list": _tahun(request, inst)[1],
            "aktif": kirim.aktif(),
            "belum_diperiksa": _belum_diperiksa(inst),
        },
    )


@login_required
@require_POST
def kiriman_ulang(request: HttpRequest, pk: int) -> HttpResponse:
    k = policy.get_for_user(request.user, Kiriman.objects.select_related("evaluasi"), pk=pk)
    try:
        services.siasn_kirim_ulang(user=request.user, kiriman=k)
    except ValidationError as exc:
        for m in _pesan(exc):
            messages.error(request, m)
    except PermissionDenied:
        raise
    else:
        messages.success(request, "Rekaman dijadwalkan untuk dikirim ulang ke SIASN.")
    return redirect(reverse("siasn:kiriman") + f"?evaluasi={k.evaluasi_id}")
