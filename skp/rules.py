"""Pure rules of the planning stage (PermenPANRB 6/2022): no database, tested cell by cell.

- BERAKHLAK: the seven core values with their guide behaviours (domain.md wins over the deck,
  which repeats Berorientasi Pelayanan's guides under Harmonis).
- IPK bands for the tugas belajar SKP (domestic by university accreditation, and abroad).
- diff_versi: what changed between two SKP versions, row by row (rows matched by `kunci`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

BERAKHLAK: list[tuple[str, str, list[str]]] = [
    (
        "berorientasi_pelayanan",
        "Berorientasi Pelayanan",
        [
            "Memahami dan memenuhi kebutuhan masyarakat",
            "Ramah, cekatan, solutif, dan dapat diandalkan",
            "Melakukan perbaikan tiada henti",
        ],
    ),
    (
        "akuntabel",
        "Akuntabel",
        [
            "Melaksanakan tugas dengan jujur, bertanggung jawab, cermat, disiplin dan "
            "berintegritas tinggi",
            "Menggunakan kekayaan dan barang milik negara secara bertanggung jawab, efektif, "
            "dan efisien",
            "Tidak menyalahgunakan kewenangan jabatan",
        ],
    ),
    (
        "kompeten",
        "Kompeten",
        [
            "Meningkatkan kompetensi diri untuk menjawab tantangan yang selalu berubah",
            "Membantu orang lain belajar",
            "Melaksanakan tugas dengan kualitas terbaik",
        ],
    ),
    (
        "harmonis",
        "Harmonis",
        [
            "Menghargai setiap orang apa pun latar belakangnya",
            "Suka menolong orang lain",
            "Membangun lingkungan kerja yang kondusif",
        ],
    ),
    (
        "loyal",
        "Loyal",
        [
            "Memegang teguh ideologi Pancasila, UUD 1945, setia kepada NKRI serta pemerintahan "
            "yang sah",
            "Menjaga nama baik sesama ASN, pimpinan, instansi, dan negara",
            "Menjaga rahasia jabatan dan negara",
        ],
    ),
    (
        "adaptif",
        "Adaptif",
        [
            "Cepat menyesuaikan diri menghadapi perubahan",
            "Terus berinovasi dan mengembangkan kreativitas",
            "Bertindak proaktif",
        ],
    ),
    (
        "kolaboratif",
        "Kolaboratif",
        [
            "Memberi kesempatan kepada berbagai pihak untuk berkontribusi",
            "Terbuka dalam bekerja sama untuk menghasilkan nilai tambah",
            "Menggerakkan pemanfaatan berbagai sumber daya untuk tujuan bersama",
        ],
    ),
]

BERAKHLAK_KODE: list[str] = [k for k, _, _ in BERAKHLAK]
BERAKHLAK_LABEL: dict[str, str] = {k: label for k, label, _ in BERAKHLAK}
BERAKHLAK_PANDUAN: dict[str, list[str]] = {k: g for k, _, g in BERAKHLAK}


# --- Tugas belajar: IPK bands ---------------------------------------------------------------
PREDIKAT_IPK: list[tuple[str, str]] = [
    ("sangat_baik", "Sangat Baik"),
    ("baik", "Baik"),
    ("butuh_perbaikan", "Butuh Perbaikan"),
    ("kurang", "Kurang/misconduct"),
]
PREDIKAT_IPK_LABEL = dict(PREDIKAT_IPK)

D = Decimal
IPK_MAKS = D("4.00")

# Lower bound of Sangat Baik, Baik, Butuh Perbaikan; below the last is Kurang/misconduct.
# Keys: (jenjang, lokasi, akreditasi universitas); abroad has no accreditation.
_BATAS: dict[tuple[str, str, str], tuple[Decimal, Decimal, Decimal]] = {
    ("s1", "dalam_negeri", "A"): (D("3.51"), D("3.01"), D("2.76")),
    ("s1", "dalam_negeri", "B"): (D("3.61"), D("3.10"), D("2.76")),
    ("s1", "dalam_negeri", "C"): (D("3.71"), D("3.20"), D("2.76")),
    ("profesi_s2_s3", "dalam_negeri", "A"): (D("3.51"), D("3.20"), D("3.00")),
    ("profesi_s2_s3", "dalam_negeri", "B"): (D("3.61"), D("3.25"), D("3.00")),
    ("profesi_s2_s3", "dalam_negeri", "C"): (D("3.71"), D("3.30"), D("3.00")),
    ("s1", "luar_negeri", ""): (D("3.51"), D("3.01"), D("2.76")),
    ("profesi_s2_s3", "luar_negeri", ""): (D("3.51"), D("3.20"), D("3.00")),
}

# Minimum programme accreditation per university accreditation (domestic).
AKREDITASI_PRODI_MIN = {"A": "C", "B": "C", "C": "B"}
_PERINGKAT = {"A": 3, "B": 2, "C": 1}


@dataclass(frozen=True)
class Band:
    predikat: str
    label: str
    bawah: Decimal | None  # inclusive; None for the open lower end
    atas: Decimal | None  # inclusive

    @property
    def teks(self) -> str:
        if self.bawah is None:
            return f"< {self.atas + D('0.01'):.2f}" if self.atas is not None else "-"
        return f"{self.bawah:.2f}–{self.atas:.2f}"


def _key(jenjang: str, lokasi: str, akreditasi_univ: str) -> tuple[str, str, str]:
    if jenjang not in {"s1", "profesi_s2_s3"}:
        raise ValueError(f"jenjang tidak dikenal: {jenjang!r}")
    if lokasi == "luar_negeri":
        return (jenjang, lokasi, "")
    if lokasi != "dalam_negeri":
        raise ValueError(f"lokasi tidak dikenal: {lokasi!r}")
    if akreditasi_univ not in {"A", "B", "C"}:
        raise ValueError(f"akreditasi universitas tidak dikenal: {akreditasi_univ!r}")
    return (jenjang, lokasi, akreditasi_univ)


def ipk_bands(*, jenjang: str, lokasi: str, akreditasi_univ: str = "") -> list[Band]:
    """The band table for one study: Sangat Baik, Baik, Butuh Perbaikan, Kurang/misconduct."""
    sb, b, bp = _BATAS[_key(jenjang, lokasi, akreditasi_univ)]
    sen = D("0.01")
    return [
        Band("sangat_baik", PREDIKAT_IPK_LABEL["sangat_baik"], sb, IPK_MAKS),
        Band("baik", PREDIKAT_IPK_LABEL["baik"], b, sb - sen),
        Band("butuh_perbaikan", PREDIKAT_IPK_LABEL["butuh_perbaikan"], bp, b - sen),
        Band("kurang", PREDIKAT_IPK_LABEL["kurang"], None, bp - sen),
    ]


def predikat_ipk(ipk: Decimal, *, jenjang: str, lokasi: str, akreditasi_univ: str = "") -> str:
    """The predikat code an IPK earns in the study described (thresholds are lower bounds, so
    an IPK between two tabled values, e.g. 3.505, falls in the lower band)."""
    ipk = D(str(ipk))
    if ipk < 0 or ipk > IPK_MAKS:
        raise ValueError("IPK harus di antara 0,00 dan 4,00.")
    sb, b, bp = _BATAS[_key(jenjang, lokasi, akreditasi_univ)]
    if ipk >= sb:
        return "sangat_baik"
    if ipk >= b:
        return "baik"
    if ipk >= bp:
        return "butuh_perbaikan"
    return "kurang"


def prodi_memenuhi(akreditasi_univ: str, akreditasi_prodi: str) -> bool:
    """Domestic study counts only if the programme has at least the tabled accreditation
    (min. C at an A or B university, min. B at a C university)."""
    minimum = AKREDITASI_PRODI_MIN.get(akreditasi_univ)
    if minimum is None or akreditasi_prodi not in _PERINGKAT:
        return False
    return _PERINGKAT[akreditasi_prodi] >= _PERINGKAT[minimum]


def target_ipk_teks(bands: list[Band]) -> str:
    """The suggested target text for the IPK row: the Baik band and above."""
    sb, b = bands[0], bands[1]
    return f"IPK {b.bawah:.2f}–{sb.atas:.2f} (Baik: {b.teks}; Sangat Baik: {sb.teks})"


# --- Version diff -----------------------------------------------------------------------------
@dataclass
class Perubahan:
    jenis: str  # "tambah" | "hapus" | "ubah"
    kunci: str
    label: str
    field: list[tuple[str, Any, Any]]  # (field, lama, baru) for "ubah"


def diff_versi(
    lama: list[dict[str, Any]], baru: list[dict[str, Any]], *, label_field: str = "rencana"
) -> list[Perubahan]:
    """Row changes between two versions. Rows are dicts with a "kunci" and comparable fields;
    rows match by kunci, so a reworded row is a change, not a removal plus an addition."""
    lama_by = {str(r["kunci"]): r for r in lama}
    baru_by = {str(r["kunci"]): r for r in baru}
    hasil: list[Perubahan] = []
    for k, r in baru_by.items():
        if k not in lama_by:
            hasil.append(Perubahan("tambah", k, str(r.get(label_field, "")), []))
            continue
        o = lama_by[k]
        fields = [(f, o.get(f), r.get(f)) for f in r if f != "kunci" and o.get(f) != r.get(f)]
        if fields:
            hasil.append(Perubahan("ubah", k, str(r.get(label_field, "")), fields))
    for k, o in lama_by.items():
        if k not in baru_by:
            hasil.append(Perubahan("hapus", k, str(o.get(label_field, "")), []))
    return hasil


def sidik_perilaku(ekspektasi: Mapping[str, str]) -> str:
    """The leader's BerAKHLAK expectations (value code -> text) as a short fingerprint. They have
    no row version of their own: the form carries the fingerprint it was drawn from, and a save
    over expectations changed since is refused instead of silently overwriting them. An empty
    text and a missing row are the same."""
    isi = "\x1e".join(f"{k}\x1f{ekspektasi[k]}" for k in sorted(ekspektasi) if ekspektasi[k])
    return hashlib.sha256(isi.encode()).hexdigest()[:16]
