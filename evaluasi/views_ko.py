"""Kinerja organisasi per unit for a window (issue 17, item 3): a paged, searchable,
filterable table with the value set in place. The admin sees every unit of the instansi; a
leader sees the units they may set (below the unit they head) and their own unit."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from evaluasi import jendela, rules, selectors, services
from evaluasi.forms import KinerjaOrganisasiForm
from evaluasi.models import KinerjaOrganisasi
from evaluasi.views import _errors, _periode, _window
from kinerja import policy
from kinerja.daftar import Daftar, Kolom, Saring
from kinerja.masukan import id_dari
from kinerja.models import Pegawai, UnitKerja


def _daftar(request: HttpRequest, rows: list[dict]) -> Daftar:
    return Daftar(
        request,
        rows,
        kolom=[
            Kolom("unit", "Unit kerja", urut="unit", nilai=lambda r: r["unit"].nama),
            Kolom(
                "induk",
                "Di bawah",
                nilai=lambda r: r["unit"].induk.nama if r["unit"].induk else "",
            ),
            Kolom(
                "predikat",
                "Predikat",
                urut="predikat",
                nilai=lambda r: (
                    rules.PREDIKAT_ORG_LABEL.get(r["ko"].predikat, "") if r["ko"] else ""
                ),
                urut_kunci=lambda r: (
                    rules.PREDIKAT_ORG.index(r["ko"].predikat) if r["ko"] else None
                ),
            ),
            Kolom("capaian", "Capaian / dasar", nilai=lambda r: r["ko"].capaian if r["ko"] else ""),
            Kolom(
                "ditetapkan",
                "Ditetapkan",
                urut="ditetapkan",
                nilai=lambda r: (
                    r["ko"].ditetapkan_pada.date().isoformat()
                    if r["ko"] and r["ko"].ditetapkan_pada
                    else ""
                ),
            ),
        ],
        cari=[lambda r: r["unit"].nama, lambda r: r["unit"].induk.nama if r["unit"].induk else ""],
        saring=[
            Saring(
                "status",
                "Status",
                [("belum", "Belum ditetapkan"), ("sudah", "Sudah ditetapkan")],
                terapkan=lambda rows, v: [r for r in rows if bool(r["ko"]) == (v == "sudah")],
            ),
            Saring(
                "predikat",
                "Predikat",
                [(k, rules.PREDIKAT_ORG_LABEL[k]) for k in rules.PREDIKAT_ORG],
                terapkan=lambda rows, v: [r for r in rows if r["ko"] and r["ko"].predikat == v],
            ),
        ],
        tetap=["tahun", "jendela"],
        cari_label="Cari unit kerja",
        nama_berkas="kinerja-organisasi",
    )


@login_required
def kinerja_organisasi(request: HttpRequest) -> HttpResponse:
    periode = _periode(request)
    w = _window(request, periode)
    units = list(
        policy.scope(request.user, UnitKerja.objects.select_related("induk"))
        .filter(instansi_id=periode.instansi_id)
        .order_by("nama")
    )
    ko = {
        k.unit_kerja_id: k
        for k in KinerjaOrganisasi.objects.filter(
            periode=periode, jenis=w.jenis, urutan=w.urutan
        ).select_related("ditetapkan_oleh")
    }
    errors: dict[int, list[str]] = {}
    if request.method == "POST":
        unit = policy.get_for_user(
            request.user,
            UnitKerja.objects.all(),
            pk=id_dari(request.POST, "unit", label="Unit kerja"),
        )
        form = KinerjaOrganisasiForm(request.POST)
        if form.is_valid():
            try:
                services.kinerja_organisasi_tetapkan(
                    user=request.user,
                    unit_kerja=unit,
                    periode=periode,
                    jenis=w.jenis,
                    urutan=w.urutan,
                    predikat=form.cleaned_data["predikat"],
                    capaian=form.cleaned_data["capaian"],
                    row_version=form.cleaned_data["row_version"],
                )
                messages.success(request, f"Kinerja organisasi {unit.nama} ditetapkan.")
                kembali = request.POST.get("kembali", "")
                return redirect(
                    reverse("evaluasi:kinerja_organisasi")
                    + (
                        kembali
                        if kembali.startswith("?")
                        else f"?jendela={w.kode}&tahun={periode.tahun}"
                    )
                    + f"#ko-{unit.pk}"
                )
            except ValidationError as exc:
                errors[unit.pk] = _errors(exc)
        else:
            errors[unit.pk] = [m for errs in form.errors.values() for m in errs]
    # The units the user may set, and their own unit (to see what was set for it).
    unit_saya = (
        Pegawai.objects.filter(pk=policy.actor(request.user).pegawai_id)
        .values_list("unit_kerja_id", flat=True)
        .first()
    )
    rows = []
    for u in units:
        k = ko.get(u.pk)
        if k is not None:
            k.unit_kerja = u  # already read: the policy asks for it
        probe = k or KinerjaOrganisasi(
            unit_kerja=u, periode=periode, jenis=w.jenis, urutan=w.urutan
        )
        bisa = policy.can(request.user, "tetapkan", probe)
        if not bisa and u.pk != unit_saya:
            continue
        rows.append(
            {
                "unit": u,
                "ko": k,
                "bisa": bisa,
                "errors": errors.get(u.pk, []),
                "posted": request.POST if errors.get(u.pk) else None,
            }
        )
    daftar = _daftar(request, rows)
    if (resp := daftar.ekspor()) is not None:
        return resp
    return render(
        request,
        "evaluasi/kinerja_organisasi.html",
        {
            "periode": periode,
            "w": w,
            "jendela_list": jendela.daftar(periode),
            "tahun_list": selectors.tahun_list(request.user),
            "daftar": daftar,
            "pilihan": [(k, rules.PREDIKAT_ORG_LABEL[k]) for k in rules.PREDIKAT_ORG],
        },
    )
