"""Reads of the planning stage. Lists for a user go through the policy; the two plain look-ups
(`skp_terkini`, `skp_disetujui`) are for other services, which check access themselves."""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.html import format_html, format_html_join

from kinerja import policy
from kinerja.models import Pegawai, Periode
from skp import rules, selectors_halaman
from skp.models import (
    SKP,
    EkspektasiPerilaku,
    Indikator,
    MatriksPeranHasil,
    PeranHasil,
    RencanaHasilKerja,
)


def skp_terkini(*, pegawai: Pegawai | int, periode: Periode | int) -> SKP | None:
    """The latest version of a pegawai's SKP for a year (any status), or None."""
    return (
        SKP.objects.select_related("pegawai", "periode")
        .filter(pegawai=pegawai, periode=periode, terkini=True)
        .first()
    )


def skp_pada(*, pegawai: Pegawai | int, periode: Periode | int, tanggal: dt.date) -> SKP | None:
    """The latest approved version of the SKP in force on `tanggal` (evaluations of a window or
    part of one), or None."""
    return (
        SKP.objects.select_related("pegawai", "periode")
        .filter(pegawai=pegawai, periode=periode, status=SKP.Status.DISETUJUI)
        .filter(Q(berlaku_mulai__isnull=True) | Q(berlaku_mulai__lte=tanggal))
        .filter(Q(berlaku_sampai__isnull=True) | Q(berlaku_sampai__gte=tanggal))
        .order_by("-versi")
        .first()
    )


def skp_disetujui(*, pegawai: Pegawai | int, periode: Periode | int) -> SKP | None:
    """The latest approved version of a pegawai's SKP for a year, or None."""
    return (
        SKP.objects.select_related("pegawai", "periode")
        .filter(pegawai=pegawai, periode=periode, status=SKP.Status.DISETUJUI)
        .order_by("-versi")
        .first()
    )


def periode_aktif(instansi_id: int | None) -> Periode | None:
    """The instansi's current year: the newest period not yet closed (else the newest)."""
    if not instansi_id:
        return None
    qs = Periode.objects.filter(instansi_id=instansi_id).order_by("-tahun")
    return qs.exclude(status=Periode.Status.DITUTUP).first() or qs.first()


def rencana_qs() -> QuerySet:
    return RencanaHasilKerja.objects.select_related(
        "rhk_atasan__skp__pegawai", "pemberi_tugas", "tim"
    ).prefetch_related(
        Prefetch("indikator_set", queryset=Indikator.objects.order_by("urutan", "id"))
    )


def skp_detail_qs() -> QuerySet:
    """An SKP with everything its page and its PDF show, in a fixed number of queries."""
    return SKP.objects.select_related(
        "pegawai__jabatan",
        "pegawai__unit_kerja",
        "pegawai__instansi",
        "periode",
        "pejabat_penilai__jabatan",
        "pejabat_penilai__unit_kerja",
        "atasan_pejabat_penilai__jabatan",
    ).prefetch_related(
        Prefetch("rencana_set", queryset=rencana_qs().order_by("jenis", "urutan", "id")),
        Prefetch("perilaku_set", queryset=EkspektasiPerilaku.objects.all()),
    )


def skp_for_user(user: Any, pk: int) -> SKP:
    """The SKP as skp_detail_qs reads it, or 404 when the user may not see it (the policy's
    scope is the first statement's condition). In plain SQL: selectors_halaman."""
    return selectors_halaman.skp_untuk(user, pk)


def perilaku_rows(skp: SKP) -> list[dict[str, Any]]:
    """The seven values in order with their guides and the leader's ekspektasi khusus; `kepala`
    is the value and its guides as the SKP page shows them (fixed text, escaped once)."""
    eks = {p.nilai: p.ekspektasi_khusus for p in skp.perilaku_set.all()}
    return [
        {
            "kode": k,
            "label": label,
            "panduan": panduan,
            "kepala": kepala,
            "ekspektasi_khusus": eks.get(k, ""),
        }
        for (k, label, panduan), kepala in zip(rules.BERAKHLAK, _perilaku_kepala(), strict=True)
    ]


@cache
def _perilaku_kepala() -> list[str]:
    # What the page's template rendered per value for every request: 0.3 ms of its render.
    return [
        format_html(
            '<strong>{}</strong><ul class="panduan">{}</ul>',
            label,
            format_html_join("", "<li>{}</li>", ((g,) for g in panduan)),
        )
        for _k, label, panduan in rules.BERAKHLAK
    ]


def rencana_grup(skp: SKP) -> dict[str, list[RencanaHasilKerja]]:
    rows = list(skp.rencana_set.all())
    return {
        "utama": [r for r in rows if r.jenis == RencanaHasilKerja.Jenis.UTAMA],
        "tambahan": [r for r in rows if r.jenis == RencanaHasilKerja.Jenis.TAMBAHAN],
    }


def versi_list(skp: SKP) -> list[SKP]:
    return selectors_halaman.versi_list(skp)


def skp_saya(user: Any) -> list[SKP]:
    """The pegawai's SKPs, newest year first: per year the current one and, when the penilai
    changed during the year, the one closed at the change (latest version of each stretch)."""
    a = policy.actor(user)
    out: dict[tuple, SKP] = {}
    for s in (
        SKP.objects.filter(pegawai_id=a.pegawai_id)
        .filter(Q(terkini=True) | Q(berlaku_sampai__isnull=False))
        .select_related("periode", "pejabat_penilai")
        .order_by("-periode__tahun", "berlaku_mulai", "-versi")
    ):
        out.setdefault((s.periode_id, s.berlaku_mulai), s)
    return sorted(out.values(), key=lambda s: (-s.periode.tahun, s.berlaku_mulai or dt.date.min))


def antrian_persetujuan(user: Any) -> QuerySet:
    """Submitted SKPs waiting for this user's decision as pejabat penilai."""
    a = policy.actor(user)
    if not a.pegawai_id:
        return SKP.objects.none()
    return (
        policy.scope(user, SKP.objects.all())
        .filter(status=SKP.Status.DIAJUKAN)
        .filter(Q(pejabat_penilai_id=a.pegawai_id) | Q(pegawai__pejabat_penilai_id=a.pegawai_id))
        .exclude(pegawai_id=a.pegawai_id)
        .select_related("pegawai__jabatan", "pegawai__unit_kerja", "periode")
        .annotate(jumlah_rhk=Count("rencana_set"))
        .order_by("diajukan_pada", "id")
    )


def skp_tim(user: Any, periode: Periode | None) -> QuerySet:
    """The current SKP of everyone the user rates, leads as atasan, or leads in a team."""
    a = policy.actor(user)
    qs = policy.scope(user, SKP.objects.filter(terkini=True)).exclude(pegawai_id=a.pegawai_id)
    if periode is not None:
        qs = qs.filter(periode=periode)
    return qs.select_related("pegawai__jabatan", "periode").order_by("pegawai__nama")


# --- version diff ---------------------------------------------------------------------------
def _rows_for_diff(skp: SKP) -> list[dict[str, Any]]:
    rows = []
    for r in skp.rencana_set.all():
        rows.append(
            {
                "kunci": str(r.kunci),
                "jenis": r.get_jenis_display(),
                "rencana": r.rencana,
                "rhk_atasan": r.rhk_atasan.rencana if r.rhk_atasan_id else "",
                "perspektif": r.get_perspektif_display() if r.perspektif else "",
                "uraian_hasil": r.uraian_hasil,
                "ukuran_keberhasilan": r.ukuran_keberhasilan,
                "indikator": "; ".join(
                    f"{i.get_aspek_display()}: {i.indikator} — {i.target}"
                    for i in r.indikator_set.all()
                ),
            }
        )
    return rows


FIELD_LABEL = {
    "jenis": "Jenis",
    "rencana": "Rencana hasil kerja",
    "rhk_atasan": "RHK pimpinan yang diintervensi",
    "perspektif": "Perspektif",
    "uraian_hasil": "Hasil yang diharapkan",
    "ukuran_keberhasilan": "Ukuran keberhasilan",
    "indikator": "Indikator & target",
    "ekspektasi_khusus": "Ekspektasi khusus",
    "pendekatan": "Pendekatan",
    "dukungan_sumber_daya": "Dukungan sumber daya",
    "skema_pertanggungjawaban": "Skema pertanggungjawaban",
    "konsekuensi": "Konsekuensi",
}


def skp_diff(lama: SKP, baru: SKP) -> dict[str, Any]:
    """What changed from one version to another: rows, perilaku, and the SKP's own fields."""
    lama = skp_detail_qs().get(pk=lama.pk)
    baru = skp_detail_qs().get(pk=baru.pk)
    rhk = rules.diff_versi(_rows_for_diff(lama), _rows_for_diff(baru))
    per = rules.diff_versi(
        [
            {"kunci": p["kode"], "label": p["label"], "ekspektasi_khusus": p["ekspektasi_khusus"]}
            for p in perilaku_rows(lama)
        ],
        [
            {"kunci": p["kode"], "label": p["label"], "ekspektasi_khusus": p["ekspektasi_khusus"]}
            for p in perilaku_rows(baru)
        ],
        label_field="label",
    )
    umum = [
        (FIELD_LABEL[f], getattr(lama, f), getattr(baru, f))
        for f in ("pendekatan", "dukungan_sumber_daya", "skema_pertanggungjawaban", "konsekuensi")
        if getattr(lama, f) != getattr(baru, f)
    ]
    return {"lama": lama, "baru": baru, "rencana": rhk, "perilaku": per, "umum": umum}


# --- matriks --------------------------------------------------------------------------------
def matriks_kolom(m: MatriksPeranHasil) -> list[RencanaHasilKerja]:
    """The leader's own rencana hasil kerja (the current version of their SKP)."""
    skp = skp_terkini(pegawai=m.pemimpin_id, periode=m.periode_id)
    if skp is None:
        return []
    return list(skp.rencana_set.prefetch_related("indikator_set").order_by("jenis", "urutan", "id"))


def matriks_baris(m: MatriksPeranHasil) -> list[Pegawai]:
    """Team members for a team matrix; otherwise the pegawai the leader rates directly."""
    if m.tim_id:
        qs = m.tim.anggota.all()
    else:
        qs = Pegawai.objects.filter(
            Q(pejabat_penilai_id=m.pemimpin_id) | Q(pk__in=m.anggota_tambahan.values("pk"))
        ).distinct()
    return list(
        qs.exclude(status=Pegawai.Status.BERHENTI)
        .exclude(pk=m.pemimpin_id)
        .select_related("jabatan", "user")
        .order_by("nama")
    )


def matriks_grid(m: MatriksPeranHasil) -> dict[str, Any]:
    kolom = matriks_kolom(m)
    baris = matriks_baris(m)
    sel: dict[tuple[int, str], list[PeranHasil]] = {}
    for s in m.sel_set.all().order_by("urutan", "id"):
        sel.setdefault((s.anggota_id, str(s.kolom_kunci)), []).append(s)
    grid = [
        {
            "anggota": p,
            "sel": [{"kolom": k, "isi": sel.get((p.pk, str(k.kunci)), [])} for k in kolom],
        }
        for p in baris
    ]
    return {"kolom": kolom, "baris": baris, "grid": grid}


def matriks_untuk(user: Any) -> list[dict[str, Any]]:
    """The matrices the user can build: their direct-report matrix and one per team they lead."""
    a = policy.actor(user)
    if not a.pegawai_id:
        return []
    from kinerja.models import TimKerja

    hasil: list[dict[str, Any]] = []
    if Pegawai.objects.filter(pejabat_penilai_id=a.pegawai_id).exists():
        hasil.append({"tim": None, "label": "Bawahan langsung"})
    for t in TimKerja.objects.filter(ketua_id=a.pegawai_id, aktif=True).order_by("nama"):
        hasil.append({"tim": t, "label": t.nama})
    return hasil


def matriks_qs() -> QuerySet:
    return MatriksPeranHasil.objects.select_related("pemimpin", "periode", "tim")


def rhk_atasan_pilihan(skp: SKP) -> list[RencanaHasilKerja]:
    """The leaders' rencana hasil kerja a row may intervene: the pejabat penilai's and the ketua
    of each team the pegawai belongs to (their current SKP versions)."""
    from kinerja.models import TimKerja

    pemimpin = set(
        TimKerja.objects.filter(anggota=skp.pegawai_id, aktif=True).values_list(
            "ketua_id", flat=True
        )
    )
    if skp.pegawai.pejabat_penilai_id:
        pemimpin.add(skp.pegawai.pejabat_penilai_id)
    pemimpin.discard(skp.pegawai_id)
    return list(
        RencanaHasilKerja.objects.filter(
            skp__pegawai_id__in=pemimpin, skp__periode_id=skp.periode_id, skp__terkini=True
        )
        .select_related("skp__pegawai")
        .order_by("skp__pegawai__nama", "jenis", "urutan", "id")
    )


def matriks_kandidat_ketua(m: MatriksPeranHasil) -> list[Pegawai]:
    """Ketua of the instansi's active teams who could be added as rows of a leader's matrix."""
    from kinerja.models import TimKerja

    if m.tim_id:
        return []
    sudah = {p.pk for p in matriks_baris(m)} | {m.pemimpin_id}
    ids = set(
        TimKerja.objects.filter(instansi_id=m.pemimpin.instansi_id, aktif=True).values_list(
            "ketua_id", flat=True
        )
    )
    return list(
        Pegawai.objects.filter(pk__in=ids - sudah).select_related("jabatan").order_by("nama")
    )


def matriks_ringkas(ms: list[MatriksPeranHasil]) -> dict[int, dict[str, Any]]:
    """Owner SKP, columns and rows of many matrices at once (the API list), in a fixed number
    of queries whatever the number of matrices."""
    from kinerja.models import TimKerja

    if not ms:
        return {}
    pemimpin = {m.pemimpin_id for m in ms}
    skps = {
        (s.pegawai_id, s.periode_id): s
        for s in SKP.objects.filter(
            terkini=True, pegawai_id__in=pemimpin, periode_id__in={m.periode_id for m in ms}
        ).only("id", "pegawai_id", "periode_id")
    }
    rows: dict[int, list[RencanaHasilKerja]] = {}
    for r in RencanaHasilKerja.objects.filter(skp__in=list(skps.values())).order_by(
        "jenis", "urutan", "id"
    ):
        rows.setdefault(r.skp_id, []).append(r)
    tambahan: dict[int, set[int]] = {}
    through = MatriksPeranHasil.anggota_tambahan.through
    fk = next(f.attname for f in through._meta.fields if f.related_model is MatriksPeranHasil)
    for mid, pid in through.objects.filter(**{f"{fk}__in": [m.pk for m in ms]}).values_list(
        fk, "pegawai_id"
    ):
        tambahan.setdefault(mid, set()).add(pid)
    tim_anggota: dict[int, set[int]] = {}
    tim_through = TimKerja.anggota.through
    for tid, pid in tim_through.objects.filter(
        timkerja_id__in={m.tim_id for m in ms if m.tim_id}
    ).values_list("timkerja_id", "pegawai_id"):
        tim_anggota.setdefault(tid, set()).add(pid)
    orang = list(
        Pegawai.objects.filter(
            Q(pejabat_penilai_id__in=pemimpin)
            | Q(pk__in=set().union(*tambahan.values(), *tim_anggota.values()))
        )
        .exclude(status=Pegawai.Status.BERHENTI)
        .only("id", "nip", "nama", "pejabat_penilai_id")
        .order_by("nama")
    )
    hasil = {}
    for m in ms:
        skp = skps.get((m.pemimpin_id, m.periode_id))
        if m.tim_id:
            ids = tim_anggota.get(m.tim_id, set())
            baris = [p for p in orang if p.pk in ids and p.pk != m.pemimpin_id]
        else:
            extra = tambahan.get(m.pk, set())
            baris = [
                p
                for p in orang
                if (p.pejabat_penilai_id == m.pemimpin_id or p.pk in extra)
                and p.pk != m.pemimpin_id
            ]
        hasil[m.pk] = {
            "pemilik": skp.pk if skp else None,
            "kolom": rows.get(skp.pk, []) if skp else [],
            "baris": baris,
        }
    return hasil
