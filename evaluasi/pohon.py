"""Pohon kinerja: the alignment tree of a year's rencana hasil kerja, and the gaps in it.

The tree starts at the top of the instansi (the JPT's rencana hasil kerja), a unit (its head's),
or a leader (their own). Under each node: the matriks peran-hasil cells of its owner for that
result, and every rencana hasil kerja that intervenes it, down to the last level. Each node shows
its owner, the status of the owner's SKP and the node's latest final periodic rating.

Links between levels follow the stable `kunci` of the leader's row, so a member who intervened
version 1 of the leader's SKP still hangs under the same result in version 3. Only the current
version (`terkini`) of each SKP is drawn.

Queries: the tree is built in Python level by level; every level costs two queries (its rencana
hasil kerja, annotated with their child counts and latest rating, and the cells under its
parents) whatever its width. The first page load draws the roots and, when it fits a node budget,
their children; deeper (or too wide) levels load on demand with htmx (`<details>` + a lazy
partial with a real href fallback). Each kind of gap is one query (rows capped, with a window
count). The xlsx has every level; a large one is built by a background job.

Access is the policy's (kinerja.policy.pohon): the instansi admin sees the whole instansi; a
leader (someone who rates others or leads a team) sees their own subtree; everyone else gets 404.
Lives in evaluasi because it reads both skp and evaluasi data (a later stage may import an
earlier one); it tolerates an evaluasi without PenilaianRHK (no ratings shown).
"""

from __future__ import annotations

import io
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Window,
)
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, path, reverse
from django.views.decorators.vary import vary_on_headers

from kinerja import policy
from kinerja.models import Instansi, Jabatan, Pegawai, Periode, TimKerja, UnitKerja
from kinerja.policy.pohon import pohon_akses, skp_terbuka_ids
from skp.models import SKP, MatriksPeranHasil, PeranHasil, RencanaHasilKerja

app_name = "pohon"

# Levels drawn on the first page load (roots and their children); deeper ones load on demand.
KEDALAMAN_AWAL = 2
# Nodes drawn on a first page load beyond the roots; a wider level loads on demand instead.
ANGGARAN_AWAL = 150
# Safety net against a cycle in bad data (A intervenes B intervenes A) and absurd depth.
KEDALAMAN_MAKS = 15
# Gap lists on the page are capped; the spreadsheet has them all.
BATAS_CELAH_HALAMAN = 100

PUNCAK_JENIS = (Jabatan.Jenis.PIMPINAN_INSTANSI,)
ROMAWI = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]
BULAN = ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"]


# --- data shapes ---------------------------------------------------------------------------
@dataclass
class Sel:
    """A matriks peran-hasil cell under a leader's result: what one member must produce."""

    id: int
    matriks_id: int
    peran_hasil: str
    anggota_id: int
    anggota_nama: str
    diterapkan: bool = False
    anak: list[Simpul] = field(default_factory=list)

    @property
    def sama(self) -> bool:
        """Applied as is: one rencana hasil kerja with the cell's own words (drawn once)."""
        return len(self.anak) == 1 and self.anak[0].rencana.strip() == self.peran_hasil.strip()


@dataclass
class Simpul:
    """One rencana hasil kerja in the tree."""

    id: int
    kunci: Any
    rencana: str
    jenis: str
    pemilik_id: int
    pemilik_nama: str
    pemilik_nip: str
    jabatan: str
    unit_kerja_id: int | None
    skp_id: int
    skp_status: str
    skp_versi: int
    peran_hasil_id: int | None
    n_intervensi: int
    n_sel: int
    atasan_kunci: Any = None
    rating: str = ""
    rating_urutan: int | None = None
    rating_teks: str = ""
    boleh_buka: bool = False
    tingkat: int = 0
    # None: not loaded yet (lazy); a list once loaded.
    sel: list[Sel] | None = None
    anak: list[Simpul] | None = None

    @property
    def punya_anak(self) -> bool:
        return bool(self.n_intervensi or self.n_sel)

    @property
    def dimuat(self) -> bool:
        return self.anak is not None

    @property
    def skp_status_label(self) -> str:
        return SKP.Status(self.skp_status).label if self.skp_status in SKP.Status.values else ""

    @property
    def jenis_label(self) -> str:
        return RencanaHasilKerja.Jenis(self.jenis).label if self.jenis else ""


@dataclass
class Cakupan:
    """What the viewer asked for and may see."""

    jenis: str  # "instansi" | "unit" | "pemimpin"
    instansi: Instansi
    periode: Periode | None
    unit: UnitKerja | None = None
    pemimpin: Pegawai | None = None
    # None: the whole instansi; otherwise exactly these pegawai.
    pegawai_ids: set[int] | None = None
    unit_ids: set[int] | None = None
    admin: bool = False

    @property
    def judul(self) -> str:
        if self.jenis == "unit" and self.unit:
            return self.unit.nama
        if self.jenis == "pemimpin" and self.pemimpin:
            return f"{self.pemimpin.nama} dan jajarannya"
        return self.instansi.nama

    def pegawai_q(self, prefix: str) -> Q:
        """Q restricting a pegawai FK at `prefix` to this scope."""
        p = f"{prefix}__" if prefix else ""
        q = Q(**{f"{p}instansi_id": self.instansi.pk})
        if self.unit_ids is not None:
            q &= Q(**{f"{p}unit_kerja_id__in": self.unit_ids})
        if self.pegawai_ids is not None:
            q &= Q(**{f"{p}id__in": self.pegawai_ids})
        return q


# --- evaluasi, if it is there ---------------------------------------------------------------
def _penilaian_model():
    """evaluasi.models.PenilaianRHK, or None while the evaluation stage does not have it."""
    try:
        from evaluasi.models import PenilaianRHK
    except ImportError:
        return None
    needed = {"rhk_kunci", "rating", "evaluasi"}
    if not needed <= {f.name for f in PenilaianRHK._meta.get_fields()}:
        return None
    return PenilaianRHK


def label_jendela(periode: Periode, urutan: int | None) -> str:
    if not urutan:
        return ""
    if periode.frekuensi == Periode.Frekuensi.BULANAN:
        return BULAN[urutan - 1] if 1 <= urutan <= 12 else str(urutan)
    if periode.frekuensi == Periode.Frekuensi.SEMESTERAN:
        return f"Semester {ROMAWI[urutan - 1]}" if 1 <= urutan <= 2 else str(urutan)
    return f"Triwulan {ROMAWI[urutan - 1]}" if 1 <= urutan <= 4 else str(urutan)


def _rating_teks(periode: Periode, rating: str | None, urutan: int | None) -> str:
    if not rating:
        return ""
    return f"{label_jendela(periode, urutan)}: {label_rating(rating)}"


def label_rating(kode: str) -> str:
    try:
        from evaluasi.models import Rating

        return Rating(kode).label
    except (ImportError, ValueError):
        return kode.replace("_", " ").title()


# --- queries --------------------------------------------------------------------------------
def _rhk_terkini(periode: Periode) -> QuerySet:
    return RencanaHasilKerja.objects.filter(skp__periode=periode, skp__terkini=True)


def _rhk_nodes(qs: QuerySet, periode: Periode) -> list[Simpul]:
    """One query: the rows with their owner, SKP, child counts and latest final periodic rating."""
    out = []
    for r in _rhk_nodes_qs(qs, periode):
        out.append(
            Simpul(
                id=r["id"],
                kunci=r["kunci"],
                rencana=r["rencana"],
                jenis=r["jenis"],
                pemilik_id=r["skp__pegawai_id"],
                pemilik_nama=r["skp__pegawai__nama"],
                pemilik_nip=r["skp__pegawai__nip"] or "",
                jabatan=r["skp__pegawai__jabatan__nama"] or "",
                unit_kerja_id=r["skp__pegawai__unit_kerja_id"],
                skp_id=r["skp_id"],
                skp_status=r["skp__status"],
                skp_versi=r["skp__versi"],
                peran_hasil_id=r["peran_hasil_id"],
                n_intervensi=r["n_intervensi"],
                n_sel=r["n_sel"],
                atasan_kunci=r["rhk_atasan__kunci"],
                rating=r.get("r_rating") or "",
                rating_urutan=r.get("r_urutan"),
                rating_teks=_rating_teks(periode, r.get("r_rating"), r.get("r_urutan")),
            )
        )
    return out


def _rhk_nodes_qs(qs: QuerySet, periode: Periode) -> QuerySet:
    anak = (
        _rhk_terkini(periode)
        .filter(rhk_atasan__kunci=OuterRef("kunci"))
        .order_by()
        .values("rhk_atasan__kunci")
        .annotate(c=Count("id"))
        .values("c")
    )
    sel = (
        PeranHasil.objects.filter(
            matriks__periode=periode,
            matriks__pemimpin_id=OuterRef("skp__pegawai_id"),
            kolom_kunci=OuterRef("kunci"),
            na=False,
        )
        .order_by()
        .values("kolom_kunci")
        .annotate(c=Count("id"))
        .values("c")
    )
    qs = qs.annotate(
        n_intervensi=Coalesce(Subquery(anak, output_field=IntegerField()), 0),
        n_sel=Coalesce(Subquery(sel, output_field=IntegerField()), 0),
    )
    fields = [
        "id",
        "kunci",
        "rencana",
        "jenis",
        "peran_hasil_id",
        "rhk_atasan__kunci",
        "skp_id",
        "skp__status",
        "skp__versi",
        "skp__pegawai_id",
        "skp__pegawai__nama",
        "skp__pegawai__nip",
        "skp__pegawai__jabatan__nama",
        "skp__pegawai__unit_kerja_id",
        "n_intervensi",
        "n_sel",
    ]
    PenilaianRHK = _penilaian_model()
    if PenilaianRHK is not None:
        terakhir = (
            PenilaianRHK.objects.filter(
                rhk_kunci=OuterRef("kunci"),
                evaluasi__pegawai_id=OuterRef("skp__pegawai_id"),
                evaluasi__periode_id=periode.pk,
                evaluasi__jenis="periodik",
                evaluasi__status="final",
            )
            .exclude(rating="")
            .order_by("-evaluasi__urutan")
        )
        qs = qs.annotate(
            r_rating=Subquery(terakhir.values("rating")[:1]),
            r_urutan=Subquery(terakhir.values("evaluasi__urutan")[:1]),
        )
        fields += ["r_rating", "r_urutan"]
    return qs.order_by("skp__pegawai__nama", "jenis", "urutan", "id").values(*fields)


def muat_anak(periode: Periode, induk: list[Simpul]) -> None:
    """Fill `sel` and `anak` of every parent in `induk` (one level): two queries in all.

    Everyone who intervenes a node is drawn under it, also in a leader's view and also from
    another unit: they are part of that node's cascade."""
    induk = [n for n in induk if not n.dimuat]
    if not induk:
        return
    kuncis = {n.kunci for n in induk}
    rows = _rhk_nodes(_rhk_terkini(periode).filter(rhk_atasan__kunci__in=kuncis), periode)
    cells = list(
        PeranHasil.objects.filter(
            matriks__periode=periode,
            matriks__pemimpin_id__in={n.pemilik_id for n in induk},
            kolom_kunci__in=kuncis,
            na=False,
        )
        .order_by("anggota__nama", "urutan", "id")
        .values(
            "id",
            "matriks_id",
            "matriks__pemimpin_id",
            "kolom_kunci",
            "peran_hasil",
            "anggota_id",
            "anggota__nama",
        )
    )
    per_kunci: dict[Any, list[Simpul]] = {}
    for r in rows:
        per_kunci.setdefault(r.atasan_kunci, []).append(r)
    sel_per_kolom: dict[tuple[int, Any], list[dict]] = {}
    for c in cells:
        sel_per_kolom.setdefault((c["matriks__pemimpin_id"], c["kolom_kunci"]), []).append(c)
    for n in induk:
        anak = per_kunci.get(n.kunci, [])
        for a in anak:
            a.tingkat = n.tingkat + 1
        n.sel = []
        by_cell: dict[int, Sel] = {}
        for c in sel_per_kolom.get((n.pemilik_id, n.kunci), []):
            s = Sel(
                id=c["id"],
                matriks_id=c["matriks_id"],
                peran_hasil=c["peran_hasil"],
                anggota_id=c["anggota_id"],
                anggota_nama=c["anggota__nama"],
            )
            by_cell[s.id] = s
            n.sel.append(s)
        langsung = []
        for a in anak:
            s = by_cell.get(a.peran_hasil_id)
            if s is not None:
                s.anak.append(a)
                s.diterapkan = True
            else:
                langsung.append(a)
        n.anak = langsung


def _semua_simpul(akar: Iterable[Simpul]) -> Iterable[Simpul]:
    for n in akar:
        yield n
        for s in n.sel or []:
            yield from _semua_simpul(s.anak)
        yield from _semua_simpul(n.anak or [])


def pohon_bangun(
    periode: Periode,
    akar: list[Simpul],
    kedalaman: int = KEDALAMAN_AWAL,
    *,
    anggaran: int | None = None,
    wajib: int = 0,
) -> None:
    """Load up to `kedalaman` levels, roots counting as level 1 (two queries per level).

    With `anggaran`, a level is loaded only while the nodes it would add (known beforehand from
    the counts on its parents) fit in the budget; the first `wajib` levels below the roots are
    loaded regardless. Unloaded nodes stay lazy (htmx). A cycle in the data is cut.
    """
    tingkat = list(akar)
    seen = {n.id for n in tingkat}
    for level in range(min(kedalaman, KEDALAMAN_MAKS) - 1):
        if not tingkat:
            break
        if anggaran is not None and level >= wajib:
            perkiraan = sum(n.n_intervensi + n.n_sel for n in tingkat)
            if perkiraan > anggaran:
                break
            anggaran -= perkiraan
        muat_anak(periode, tingkat)
        nxt = []
        for n in tingkat:
            n.anak = [a for a in n.anak or [] if a.id not in seen]
            for s in n.sel or []:
                s.anak = [a for a in s.anak if a.id not in seen]
            for a in [*n.anak, *(x for s in n.sel or [] for x in s.anak)]:
                seen.add(a.id)
                nxt.append(a)
        tingkat = nxt


def _puncak_q(prefix: str) -> Q:
    """The top of the instansi: rated by the pimpinan instansi (a non-ASN Kepala Daerah or
    minister), or by nobody in the application."""
    p = f"{prefix}__"
    return (
        Q(**{f"{p}pejabat_penilai__isnull": True})
        | Q(**{f"{p}pejabat_penilai__jabatan__jenis__in": PUNCAK_JENIS})
        | Q(**{f"{p}pejabat_penilai__jenis_asn": Pegawai.JenisASN.PEJABAT_NEGARA})
    )


def akar(c: Cakupan) -> list[Simpul]:
    """The roots of the requested tree (one query)."""
    if c.periode is None:
        return []
    qs = _rhk_terkini(c.periode)
    if c.jenis == "pemimpin":
        qs = qs.filter(skp__pegawai_id=c.pemimpin.pk)
    elif c.jenis == "unit":
        # The top of the unit: its pegawai rated by someone outside the unit (the head, or
        # whoever reports upward while the head's seat is vacant).
        qs = qs.filter(skp__pegawai__unit_kerja_id__in=c.unit_ids).exclude(
            skp__pegawai__pejabat_penilai__unit_kerja_id__in=c.unit_ids
        )
    else:
        qs = qs.filter(skp__pegawai__instansi_id=c.instansi.pk).filter(
            _puncak_q("skp__pegawai"), rhk_atasan__isnull=True
        )
    return _rhk_nodes(qs, c.periode)


# --- gaps -----------------------------------------------------------------------------------
def _ada_intervensi(periode: Periode) -> Exists:
    return Exists(_rhk_terkini(periode).filter(rhk_atasan__kunci=OuterRef("kunci")))


def _pemimpin_q(prefix: str) -> Q:
    """Owner rates someone active, or leads an active team with members."""
    p = f"{prefix}__" if prefix else ""
    rates = Exists(
        Pegawai.objects.filter(pejabat_penilai_id=OuterRef(f"{p}id")).exclude(
            status=Pegawai.Status.BERHENTI
        )
    )
    tim = Exists(
        TimKerja.objects.filter(ketua_id=OuterRef(f"{p}id"), aktif=True, anggota__isnull=False)
    )
    return Q(rates) | Q(tim)


JENIS_CELAH = ("tanpa_kontribusi", "tanpa_intervensi", "tanpa_skp", "matriks")


def _ambil(qs: QuerySet, kolom: list[str], batas: int | None) -> tuple[list[dict], int]:
    """Rows (at most `batas`) and the total, in one query (a window count over the filter)."""
    qs = qs.annotate(jumlah_total=Window(Count("id"))).values(*kolom, "jumlah_total")
    rows = list(qs[:batas] if batas else qs)
    return rows, (rows[0]["jumlah_total"] if rows else 0)


def celah(c: Cakupan, *, batas: int | None = None, tautan: bool = True) -> dict[str, Any]:
    """The four kinds of gap in the scope: lists of dicts (each with a `tautan` to the page that
    fixes it and a `tautan_label`), at most `batas` per kind, and `jumlah` = the full counts.
    Five queries whatever the size."""
    hasil: dict[str, Any] = {k: [] for k in JENIS_CELAH}
    hasil["jumlah"] = dict.fromkeys(JENIS_CELAH, 0)
    p = c.periode
    if p is None:
        return hasil
    url = _url if tautan else (lambda *a: "")
    base = (
        _rhk_terkini(p)
        .filter(jenis=RencanaHasilKerja.Jenis.UTAMA)
        .filter(c.pegawai_q("skp__pegawai"))
    )
    kolom = ["id", "rencana", "skp_id", "skp__pegawai_id", "skp__pegawai__nama"]
    n = hasil["jumlah"]
    # 1. A leader's hasil kerja nobody contributes to; the fix is their matrix.
    matriks_bawahan = MatriksPeranHasil.objects.filter(
        periode=p, tim__isnull=True, pemimpin_id=OuterRef("skp__pegawai_id")
    )
    rows, n["tanpa_kontribusi"] = _ambil(
        base.filter(_pemimpin_q("skp__pegawai"))
        .exclude(_ada_intervensi(p))
        .annotate(matriks_id=Subquery(matriks_bawahan.values("id")[:1]))
        .order_by("skp__pegawai__nama", "urutan", "id"),
        [*kolom, "matriks_id"],
        batas,
    )
    for r in rows:
        mid = r["matriks_id"]
        r["tautan"] = (url("skp:matriks", mid) if mid else url("skp:matriks_index")) or url(
            "skp:detail", r["skp_id"]
        )
        r["tautan_label"] = "Isi matriks peran-hasil" if mid else "Buat matriks peran-hasil"
    hasil["tanpa_kontribusi"] = rows
    # 2. A pegawai hasil kerja that intervenes nothing above (the top level excepted), or
    #    intervenes a leader's row that is no longer in the leader's current SKP.
    atasan_ada = Exists(_rhk_terkini(p).filter(kunci=OuterRef("rhk_atasan__kunci")))
    rows, n["tanpa_intervensi"] = _ambil(
        base.exclude(_puncak_q("skp__pegawai"))
        .exclude(skp__jenis=SKP.Jenis.TUGAS_BELAJAR)
        .filter(Q(rhk_atasan__isnull=True) | ~Q(atasan_ada))
        .order_by("skp__pegawai__nama", "urutan", "id"),
        [*kolom, "rhk_atasan_id"],
        batas,
    )
    for r in rows:
        r["tautan"] = url("skp:detail", r["skp_id"])
        r["tautan_label"] = "Pilih hasil kerja pimpinan yang diintervensi"
        r["alasan"] = (
            "Tidak mengintervensi hasil kerja pimpinan"
            if r["rhk_atasan_id"] is None
            else "Hasil kerja pimpinan yang diintervensi sudah tidak ada di SKP terkini pimpinan"
        )
    hasil["tanpa_intervensi"] = rows
    # 3. Pegawai (ASN, not stopped) with no approved SKP for the year.
    terkini = SKP.objects.filter(pegawai_id=OuterRef("id"), periode=p, terkini=True)
    disetujui = SKP.objects.filter(
        pegawai_id=OuterRef("id"), periode=p, status=SKP.Status.DISETUJUI
    )
    rows, n["tanpa_skp"] = _ambil(
        Pegawai.objects.filter(c.pegawai_q(""))
        .exclude(status=Pegawai.Status.BERHENTI)
        .exclude(jenis_asn=Pegawai.JenisASN.PEJABAT_NEGARA)
        .exclude(Exists(disetujui))
        .annotate(
            skp_id=Subquery(terkini.values("id")[:1]),
            skp_status=Subquery(terkini.values("status")[:1]),
        )
        .order_by("nama", "id"),
        ["id", "nama", "nip", "jabatan__nama", "skp_id", "skp_status"],
        batas,
    )
    for r in rows:
        if r["skp_id"]:
            r["tautan"] = url("skp:detail", r["skp_id"])
            r["tautan_label"] = {
                SKP.Status.DRAFT: "SKP masih draf",
                SKP.Status.DIAJUKAN: "Menunggu persetujuan pejabat penilai",
            }.get(r["skp_status"], "Buka SKP")
        else:
            r["tautan"] = url("skp:index")
            r["tautan_label"] = "Belum menyusun SKP"
    hasil["tanpa_skp"] = rows
    # 4. Matrices not yet applied (never, or edited since), with at least one filled cell.
    rows, n["matriks"] = _ambil(
        MatriksPeranHasil.objects.filter(periode=p)
        .filter(c.pegawai_q("pemimpin"))
        .filter(Exists(PeranHasil.objects.filter(matriks_id=OuterRef("id"), na=False)))
        .filter(Q(diterapkan_pada__isnull=True) | Q(diperbarui__gt=F("diterapkan_pada")))
        .order_by("pemimpin__nama", "id"),
        ["id", "pemimpin_id", "pemimpin__nama", "tim__nama", "diterapkan_pada"],
        batas,
    )
    for m in rows:
        m["tautan"] = url("skp:matriks", m["id"]) or url("skp:matriks_index")
        m["tautan_label"] = "Terapkan matriks"
    hasil["matriks"] = rows
    return hasil


def _url(name: str, *args: Any) -> str:
    try:
        return reverse(name, args=[a for a in args if a is not None])
    except NoReverseMatch:
        return ""


# --- access (decided by kinerja.policy.pohon) -----------------------------------------------
def _periode(instansi: Instansi, tahun: str | None) -> Periode | None:
    qs = Periode.objects.filter(instansi=instansi).order_by("-tahun")
    if tahun and tahun.isdigit():
        return qs.filter(tahun=int(tahun)).first()
    return qs.exclude(status=Periode.Status.DITUTUP).first() or qs.first()


def cakupan_untuk(
    user: Any,
    *,
    unit_id: int | None = None,
    tahun: str | None = None,
    instansi_id: str | None = None,
) -> Cakupan:
    """What this user asked for and may see (the policy decides), or raise Http404."""
    akses = pohon_akses(user, unit_id=unit_id, instansi_id=instansi_id)
    periode = _periode(akses.instansi, tahun)
    unit_ids = set(akses.unit_ids) if akses.unit_ids is not None else None
    pegawai_ids = set(akses.pegawai_ids) if akses.pegawai_ids is not None else None
    if akses.admin or akses.unit is not None:
        return Cakupan(
            jenis="unit" if akses.unit else "instansi",
            instansi=akses.instansi,
            periode=periode,
            unit=akses.unit,
            unit_ids=unit_ids,
            pegawai_ids=pegawai_ids,
            admin=akses.admin,
        )
    return Cakupan(
        jenis="pemimpin",
        instansi=akses.instansi,
        periode=periode,
        pemimpin=Pegawai.objects.select_related("jabatan").get(pk=akses.pemimpin_id),
        pegawai_ids=pegawai_ids,
    )


def simpul_untuk(user: Any, rhk_id: int) -> tuple[Simpul, Periode]:
    """One node, if the policy lets the user see it (kinerja.policy.pohon); otherwise 404."""
    rhk = policy.get_for_user(
        user,
        RencanaHasilKerja.objects.filter(skp__terkini=True).select_related("skp__periode"),
        action="pohon",
        pk=rhk_id,
    )
    periode = rhk.skp.periode
    nodes = _rhk_nodes(RencanaHasilKerja.objects.filter(pk=rhk.pk), periode)
    return nodes[0], periode


# --- views ----------------------------------------------------------------------------------
def _tandai_akses(user: Any, akar: list[Simpul]) -> None:
    """Set `boleh_buka` on every loaded node: may the viewer open the owner's SKP page? The SKP
    policy itself answers, for all loaded nodes in one query (a leader higher up sees the node
    in the tree but not the SKP)."""
    semua = list(_semua_simpul(akar))
    terbuka = skp_terbuka_ids(user, {n.skp_id for n in semua})
    for n in semua:
        n.boleh_buka = n.skp_id in terbuka


def _konteks(request: HttpRequest, c: Cakupan) -> dict:
    roots = akar(c)
    if c.periode is not None:
        pohon_bangun(c.periode, roots, KEDALAMAN_AWAL, anggaran=ANGGARAN_AWAL)
    _tandai_akses(request.user, roots)
    gaps = celah(c, batas=BATAS_CELAH_HALAMAN)
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


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Above this many rencana hasil kerja in scope the export runs as a background job.
BATAS_UNDUH_LANGSUNG = 3000


def _jumlah_rhk(c: Cakupan) -> int:
    return _rhk_terkini(c.periode).filter(c.pegawai_q("skp__pegawai")).count()


def _nama_berkas(c: Cakupan) -> str:
    return f"pohon-kinerja-{c.periode.tahun if c.periode else 'kosong'}.xlsx"


def _unduh_job(job: Any, *, unit_id: int | None, tahun: int, instansi_id: int) -> dict:
    """Background export: access is resolved again for the user who asked, at run time."""
    from kinerja import jobs
    from kinerja.pdf import dokumen_simpan

    user = job.dibuat_oleh
    c = cakupan_untuk(user, unit_id=unit_id, tahun=str(tahun), instansi_id=str(instansi_id))
    jobs.progress(job, 1, 3, "Menyusun pohon kinerja")
    data = pohon_xlsx(c)
    jobs.progress(job, 2, 3, "Menyimpan berkas")
    a = policy.actor(user)
    doc = dokumen_simpan(
        jenis="rekap",
        judul=f"Pohon kinerja {c.judul} tahun {c.periode.tahun}",
        data=data,
        nama_berkas=_nama_berkas(c),
        objek=None,
        instansi_id=c.instansi.pk,
        # Who may download it (kinerja.policy DokumenRules): the instansi admin, or this leader.
        pegawai_id=None if c.admin else a.pegawai_id,
    )
    return {"url": reverse("evaluasi:dokumen", args=[doc.pk]), "dokumen_id": doc.pk}


def _daftarkan_job() -> None:
    from kinerja import jobs

    jobs.handler("pohon.xlsx")(_unduh_job)


_daftarkan_job()


# --- spreadsheet ----------------------------------------------------------------------------
_FORMULA_AWAL = ("=", "+", "-", "@", "\t", "\r", "\n")


def aman(v: Any) -> Any:
    """Neutralise text a spreadsheet would run as a formula (CSV/formula injection)."""
    if isinstance(v, str) and v.startswith(_FORMULA_AWAL):
        return "'" + v
    return v


def pohon_baris(c: Cakupan) -> list[list[Any]]:
    """Every node of the whole tree, depth first, as spreadsheet rows (one level = 2 queries)."""
    roots = akar(c)
    if c.periode is None:
        return []
    pohon_bangun(c.periode, roots, KEDALAMAN_MAKS)
    rows: list[list[Any]] = []

    def tulis(n: Simpul, tingkat: int, induk: str, sel: str) -> None:
        rows.append(
            [
                tingkat,
                "Rencana hasil kerja",
                n.rencana,
                n.jenis_label,
                n.pemilik_nama,
                n.pemilik_nip,
                n.jabatan,
                f"{n.skp_status_label} (versi {n.skp_versi})",
                n.rating_teks,
                sel,
                induk,
            ]
        )
        for s in n.sel or []:
            if not s.anak:
                rows.append(
                    [
                        tingkat + 1,
                        "Peran-hasil (belum diterapkan)",
                        s.peran_hasil,
                        "",
                        s.anggota_nama,
                        "",
                        "",
                        "",
                        "",
                        "",
                        n.rencana,
                    ]
                )
            for a in s.anak:
                tulis(a, tingkat + 1, n.rencana, s.peran_hasil)
        for a in n.anak or []:
            tulis(a, tingkat + 1, n.rencana, "")

    for r in roots:
        tulis(r, 1, "", "")
    return rows


KOLOM_XLSX = [
    "Tingkat",
    "Jenis simpul",
    "Rencana hasil kerja / peran-hasil",
    "Utama/Tambahan",
    "Pemilik",
    "NIP",
    "Jabatan",
    "Status SKP",
    "Rating periodik terakhir",
    "Peran-hasil matriks",
    "Hasil kerja pimpinan yang diintervensi",
]


def _celah_baris(gaps: dict[str, list[dict]]) -> list[list[str]]:
    rows = []
    for r in gaps["tanpa_kontribusi"]:
        rows.append(
            [
                "Hasil kerja pimpinan tanpa kontributor",
                r["skp__pegawai__nama"],
                r["rencana"],
                r["tautan_label"],
            ]
        )
    for r in gaps["tanpa_intervensi"]:
        rows.append(
            [
                "Hasil kerja tidak mengintervensi atasan",
                r["skp__pegawai__nama"],
                r["rencana"],
                r["alasan"],
            ]
        )
    for r in gaps["tanpa_skp"]:
        rows.append(
            ["Belum ada SKP disetujui", r["nama"], r["jabatan__nama"] or "", r["tautan_label"]]
        )
    for r in gaps["matriks"]:
        rows.append(
            [
                "Matriks belum diterapkan",
                r["pemimpin__nama"],
                r["tim__nama"] or "Matriks bawahan langsung",
                r["tautan_label"],
            ]
        )
    return rows


def pohon_xlsx(c: Cakupan) -> bytes:
    """The whole tree and every gap as a workbook (streamed, write-only: fast and lean)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    tebal = Font(bold=True)

    def sheet(title: str, widths: list[int], header: list[str], rows: Iterable[list[Any]]):
        ws = wb.create_sheet(title)
        for i, w in enumerate(widths):
            ws.column_dimensions[chr(ord("A") + i)].width = w
        if title == "Pohon kinerja":
            tahun = c.periode.tahun if c.periode else "-"
            ws.append([aman(f"Pohon kinerja — {c.judul} — tahun {tahun}")])
        cells = []
        for h in header:
            cell = WriteOnlyCell(ws, value=h)
            cell.font = tebal
            cells.append(cell)
        ws.append(cells)
        for row in rows:
            ws.append([aman(v) for v in row])

    sheet("Pohon kinerja", [8, 26, 60, 14, 28, 20, 30, 20, 28, 40, 50], KOLOM_XLSX, pohon_baris(c))
    sheet(
        "Celah",
        [36, 28, 60, 36],
        ["Jenis celah", "Pegawai", "Uraian", "Tindak lanjut"],
        _celah_baris(celah(c, tautan=False)),
    )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


urlpatterns = [
    path("", pohon_instansi, name="instansi"),
    path("unit/<int:unit_id>/", pohon_unit, name="unit"),
    path("simpul/<int:rhk_id>/", pohon_simpul, name="simpul"),
    path("unduh.xlsx", pohon_unduh, name="unduh"),
]
