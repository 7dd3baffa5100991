"""Reads of the evaluation stage: the distribution of predikat against the guidance, for a
team, a unit, the instansi and the per-unit table (split from evaluasi.selectors, which
re-exports these names). A fixed number of queries whatever the size of the instansi."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import Count, OuterRef, Q, Subquery

from evaluasi import jendela, rules
from evaluasi.models import Evaluasi, JustifikasiDistribusi, KinerjaOrganisasi
from kinerja import policy
from kinerja.models import Pegawai, Periode, UnitKerja


def _window_filter(w: jendela.Window) -> Q:
    return Q(jenis=w.jenis, urutan=w.urutan) if w.urutan else Q(jenis=w.jenis)


@dataclass
class Distribusi:
    judul: str
    counts: dict[str, int]
    predikat_org: str | None
    pedoman: rules.Pedoman | None = None
    pelanggaran: list[rules.Pelanggaran] = field(default_factory=list)  # needing justification
    banding: list[rules.Pelanggaran] = field(default_factory=list)  # every broken bound
    justifikasi: list[JustifikasiDistribusi] = field(default_factory=list)
    unit: UnitKerja | None = None

    # Computed once: the per-unit table reads them for 50 units, each several times per row.
    @cached_property
    def total(self) -> int:
        return sum(self.counts.values())

    @cached_property
    def kecil(self) -> bool:
        return 0 < self.total < rules.BATAS_UNIT_KECIL

    @cached_property
    def jumlah(self) -> list[int]:
        """The counts in the order of rules.PREDIKAT (the per-unit table's cells)."""
        return [self.counts.get(kode, 0) for kode in rules.PREDIKAT]

    @cached_property
    def baris(self) -> list[dict]:
        out = []
        for kode in rules.PREDIKAT:
            n = self.counts.get(kode, 0)
            lo, hi = self.pedoman.rentang[kode] if self.pedoman else (None, None)
            out.append(
                {
                    "kode": kode,
                    "label": rules.PREDIKAT_LABEL[kode],
                    "n": n,
                    "persen": rules.persen(n, self.total),
                    "pedoman": _rentang_teks(lo, hi) if self.pedoman else "-",
                    "modus": bool(self.pedoman and self.pedoman.modus == kode),
                }
            )
        return out


def _rentang_teks(lo, hi) -> str:
    if lo == 0 and hi == 1:
        return "boleh ada"
    if lo == 0 and hi == 0:
        return "tidak ada"
    if lo and hi == 1:
        return f"≥ {int(lo * 100)}%"
    if hi < 1 and not lo:
        return f"≤ {int(hi * 100)}%"
    return f"{int(lo * 100)}–{int(hi * 100)}%"


def _counts(qs) -> dict[str, int]:
    return {
        r["predikat"]: r["n"]
        for r in qs.exclude(predikat="").values("predikat").annotate(n=Count("id"))
    }


def _ko_map(periode: Periode, w: jendela.Window) -> dict[int, str]:
    return dict(
        KinerjaOrganisasi.objects.filter(_window_filter(w), periode=periode).values_list(
            "unit_kerja_id", "predikat"
        )
    )


def _ko_kolom(periode: Periode, w: jendela.Window, unit_ref: str = "pk") -> Subquery:
    """The unit's kinerja organisasi predikat as a column of the query that reads the unit (the
    row `_ko_satu` reads, without a round trip of its own)."""
    return Subquery(
        KinerjaOrganisasi.objects.filter(
            _window_filter(w), periode=periode, unit_kerja_id=OuterRef(unit_ref)
        ).values("predikat")[:1]
    )


def _ko_satu(periode: Periode, w: jendela.Window, unit_id: int | None) -> str | None:
    """One unit's kinerja organisasi predikat: one indexed row, not every unit of the instansi."""
    if not unit_id:
        return None
    return (
        KinerjaOrganisasi.objects.filter(_window_filter(w), periode=periode, unit_kerja_id=unit_id)
        .values_list("predikat", flat=True)
        .first()
    )


def _dist(judul, counts, org, unit=None, just=None) -> Distribusi:
    d = Distribusi(judul=judul, counts=counts, predikat_org=org, unit=unit, justifikasi=just or [])
    if org:
        d.pedoman = rules.pedoman(org)
        d.banding = rules.bandingkan(org, counts)
        d.pelanggaran = rules.periksa_distribusi(org, counts)
    return d


def _unit_tim_qs(penilai_id: int, periode: Periode, w: jendela.Window):
    """The team's units with their head counts, the one the team is judged by first."""
    sekarang = Pegawai.objects.filter(pejabat_penilai_id=penilai_id).values("pk")
    dinilai_ev = Evaluasi.objects.filter(
        _window_filter(w), periode=periode, pejabat_penilai_id=penilai_id
    ).values("pegawai_id")
    return (
        Pegawai.objects.filter(policy.id_salah_satu(sekarang, dinilai_ev))
        .exclude(unit_kerja_id=None)
        .values("unit_kerja_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "unit_kerja_id")
    )


def unit_tim(penilai_id: int | None, periode: Periode, w: jendela.Window) -> int | None:
    """The unit a penilai's team is judged by, for the team page and for finalisation alike: the
    unit most of the team belongs to (those the penilai rates now and those they evaluated in the
    window), ties to the lowest unit id, so the answer never depends on who is finalised first."""
    if not penilai_id:
        return None
    row = _unit_tim_qs(penilai_id, periode, w).first()
    return row["unit_kerja_id"] if row else None


def distribusi_tim(penilai_id: int, periode: Periode, w: jendela.Window) -> Distribusi:
    """The penilai's team, judged by the guidance of the unit most of the team belongs to."""
    base = Evaluasi.objects.filter(
        _window_filter(w), periode=periode, pejabat_penilai_id=penilai_id
    )
    counts = _counts(base)
    # unit_tim's unit and its kinerja organisasi predikat in one statement.
    unit = _unit_tim_qs(penilai_id, periode, w).annotate(ko=_ko_kolom(periode, w, "unit_kerja_id"))
    org = next((r["ko"] for r in unit[:1]), None)
    just = list(
        JustifikasiDistribusi.objects.filter(
            _window_filter(w), periode=periode, cakupan="tim", pejabat_penilai_id=penilai_id
        )
    )
    return _dist("Tim yang saya nilai", counts, org, just=just)


def distribusi_unit(unit: UnitKerja, periode: Periode, w: jendela.Window) -> Distribusi:
    """Pegawai whose unit kerja is this unit (its sub-units have their own kinerja organisasi)."""
    counts = _counts(
        Evaluasi.objects.filter(_window_filter(w), periode=periode, pegawai__unit_kerja=unit)
    )
    org = _ko_satu(periode, w, unit.pk)
    just = list(
        JustifikasiDistribusi.objects.filter(
            _window_filter(w), periode=periode, cakupan="unit", unit_kerja=unit
        )
    )
    return _dist(unit.nama, counts, org, unit=unit, just=just)


def unit_instansi(periode: Periode, w: jendela.Window | None = None):
    """The instansi's units in the order the distribution page lists them, each with its parent's
    name (`induk_nama`); with a window, also its kinerja organisasi predikat (`ko`).

    Both are correlated subqueries, evaluated for the page's rows only: a join to the parent
    (select_related) was hashed over all 13,784 units of the province, 3 ms for a page of 50."""
    induk = UnitKerja.objects.filter(pk=OuterRef("induk_id")).values("nama")
    qs = (
        UnitKerja.objects.filter(instansi_id=periode.instansi_id)
        .annotate(induk_nama=Subquery(induk[:1]))
        .order_by("nama", "pk")
    )
    return qs.annotate(ko=_ko_kolom(periode, w)) if w is not None else qs


def distribusi_per_unit(
    periode: Periode, w: jendela.Window, units: list[UnitKerja] | None = None
) -> list[Distribusi]:
    """The given units of the instansi (default: all of them) in three queries; with a page of
    units, the counts are read for that page only."""
    if units is None:
        units = list(unit_instansi(periode))
    ids = [u.pk for u in units]
    # Units read by unit_instansi(periode, w) carry their predikat; others: one query for all.
    ko = (
        {u.pk: u.ko for u in units} if all(hasattr(u, "ko") for u in units) else _ko_map(periode, w)
    )
    per: dict[int, dict[str, int]] = defaultdict(dict)
    for r in (
        Evaluasi.objects.filter(
            _window_filter(w),
            periode=periode,
            pegawai__instansi_id=periode.instansi_id,
            pegawai__unit_kerja_id__in=ids,
        )
        .exclude(predikat="")
        .values("pegawai__unit_kerja_id", "predikat")
        .annotate(n=Count("id"))
    ):
        per[r["pegawai__unit_kerja_id"]][r["predikat"]] = r["n"]
    just: dict[int, list] = defaultdict(list)
    for j in JustifikasiDistribusi.objects.filter(
        _window_filter(w), periode=periode, cakupan="unit", unit_kerja_id__in=ids
    ):
        just[j.unit_kerja_id].append(j)
    return [_dist(u.nama, per.get(u.pk, {}), ko.get(u.pk), unit=u, just=just[u.pk]) for u in units]


def distribusi_instansi(periode: Periode, w: jendela.Window) -> Distribusi:
    """The whole instansi, judged by the kinerja organisasi of its top unit when set."""
    counts = _counts(
        Evaluasi.objects.filter(
            _window_filter(w), periode=periode, pegawai__instansi_id=periode.instansi_id
        )
    )
    top = (
        UnitKerja.objects.filter(instansi_id=periode.instansi_id, induk__isnull=True)
        .annotate(ko=_ko_kolom(periode, w))
        .first()
    )
    org = top.ko if top else None
    just = list(
        JustifikasiDistribusi.objects.filter(_window_filter(w), periode=periode, cakupan="instansi")
    )
    return _dist(periode.instansi.nama, counts, org, unit=top, just=just)
