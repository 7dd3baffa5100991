"""Pure rules of evaluation and follow-up (PermenPANRB 6/2022, PP 30/2019).

No database here: plain values in, plain values out, every table tested cell by cell. Codes are
the API's (../shared/api.md). The tables follow ../shared/domain.md where it corrects the deck.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from kinerja.rules import BULAN

# --- codes ---------------------------------------------------------------------------------
DIBAWAH = "dibawah_ekspektasi"
SESUAI = "sesuai_ekspektasi"
DIATAS = "diatas_ekspektasi"
RATING = (DIBAWAH, SESUAI, DIATAS)
RATING_LABEL = {
    DIBAWAH: "Di Bawah Ekspektasi",
    SESUAI: "Sesuai Ekspektasi",
    DIATAS: "Di Atas Ekspektasi",
}

SANGAT_BAIK = "sangat_baik"
BAIK = "baik"
BUTUH_PERBAIKAN = "butuh_perbaikan"
KURANG = "kurang"
SANGAT_KURANG = "sangat_kurang"
PREDIKAT = (SANGAT_BAIK, BAIK, BUTUH_PERBAIKAN, KURANG, SANGAT_KURANG)
PREDIKAT_LABEL = {
    SANGAT_BAIK: "Sangat Baik",
    BAIK: "Baik",
    BUTUH_PERBAIKAN: "Butuh Perbaikan",
    KURANG: "Kurang",
    SANGAT_KURANG: "Sangat Kurang",
}

ISTIMEWA = "istimewa"
PREDIKAT_ORG = (ISTIMEWA, BAIK, BUTUH_PERBAIKAN, KURANG, SANGAT_KURANG)
PREDIKAT_ORG_LABEL = {
    ISTIMEWA: "Istimewa",
    BAIK: "Baik",
    BUTUH_PERBAIKAN: "Butuh Perbaikan",
    KURANG: "Kurang",
    SANGAT_KURANG: "Sangat Kurang",
}


# --- the quadrant --------------------------------------------------------------------------
# Rows: rating hasil kerja; columns: rating perilaku kerja. Behaviour below expectation always
# lands in the misconduct column; with results also below it the predikat is Sangat Kurang.
KUADRAN: dict[tuple[str, str], str] = {
    (DIATAS, DIBAWAH): KURANG,
    (DIATAS, SESUAI): BAIK,
    (DIATAS, DIATAS): SANGAT_BAIK,
    (SESUAI, DIBAWAH): KURANG,
    (SESUAI, SESUAI): BAIK,
    (SESUAI, DIATAS): BAIK,
    (DIBAWAH, DIBAWAH): SANGAT_KURANG,
    (DIBAWAH, SESUAI): BUTUH_PERBAIKAN,
    (DIBAWAH, DIATAS): BUTUH_PERBAIKAN,
}


def predikat(rating_hasil: str, rating_perilaku: str) -> str:
    """Predikat kinerja pegawai from the two ratings (never typed)."""
    try:
        return KUADRAN[(rating_hasil, rating_perilaku)]
    except KeyError:
        raise ValueError(
            f"rating tidak dikenal: hasil={rating_hasil!r}, perilaku={rating_perilaku!r}"
        ) from None


def misconduct(rating_perilaku: str) -> bool:
    """The quadrant's misconduct column: behaviour below expectation."""
    return rating_perilaku == DIBAWAH


def rating_hasil_dari_organisasi(predikat_org: str) -> str:
    """A unit head's rating hasil kerja is their unit's Kinerja Organisasi.

    The regulation states the rule, not the mapping; this is its natural reading (domain.md) and
    the one place to change it.
    """
    if predikat_org == ISTIMEWA:
        return DIATAS
    if predikat_org == BAIK:
        return SESUAI
    if predikat_org in (BUTUH_PERBAIKAN, KURANG, SANGAT_KURANG):
        return DIBAWAH
    raise ValueError(f"predikat kinerja organisasi tidak dikenal: {predikat_org!r}")


# --- suggested rating hasil kerja ----------------------------------------------------------
@dataclass(frozen=True)
class Saran:
    rating: str | None
    alasan: tuple[str, ...] = ()


def saran_rating_hasil(rhk: Sequence[tuple[str, str | None]], umpan_balik: Iterable[str]) -> Saran:
    """Suggest the rating hasil kerja from per-RHK ratings and the feedback (domain.md guidance).

    `rhk`: (jenis `utama`|`tambahan`, rating or None when not yet rated) per rencana hasil kerja.
    `umpan_balik`: the `jenis` (`apresiasi`|`perbaikan`) of every feedback of the window,
    assigning officials' included (the penilai must weigh them).

    - Di atas: most or all hasil kerja above expectation, no utama below, feedback partly or
      wholly positive.
    - Di bawah: most or all utama below expectation, feedback mostly or wholly not positive
      (no feedback at all does not save poor results).
    - Sesuai otherwise.
    It is a suggestion: the penilai may change it, with a reason.
    """
    rated = [(j, r) for j, r in rhk if r in RATING]
    if not rated:
        return Saran(None, ("Belum ada rencana hasil kerja yang dinilai.",))
    fb = list(umpan_balik)
    positif = sum(1 for j in fb if j == "apresiasi")
    negatif = sum(1 for j in fb if j == "perbaikan")
    utama = [r for j, r in rated if j == "utama"] or [r for _, r in rated]
    n, n_utama = len(rated), len(utama)
    diatas = sum(1 for _, r in rated if r == DIATAS)
    utama_dibawah = sum(1 for r in utama if r == DIBAWAH)
    ringkas = (
        f"{diatas} dari {n} hasil kerja di atas ekspektasi; "
        f"{utama_dibawah} dari {n_utama} hasil kerja utama di bawah ekspektasi; "
        f"umpan balik {positif} apresiasi, {negatif} perbaikan."
    )
    if diatas * 2 > n and utama_dibawah == 0 and positif > 0:
        return Saran(DIATAS, (ringkas,))
    if utama_dibawah * 2 > n_utama and not positif > negatif:
        return Saran(DIBAWAH, (ringkas,))
    alasan = [ringkas]
    if utama_dibawah * 2 > n_utama:
        alasan.append(
            "Sebagian besar hasil kerja utama di bawah ekspektasi, tetapi umpan balik sebagian "
            "besar positif: periksa kembali."
        )
    elif diatas * 2 > n and utama_dibawah == 0:
        alasan.append("Hasil kerja sebagian besar di atas ekspektasi, tetapi belum ada apresiasi.")
    return Saran(SESUAI, tuple(alasan))


def rating_hasil_dari_predikat_ipk(predikat_ipk: str) -> str:
    """Tugas belajar: the IPK band (skp.rules.predikat_ipk) as a suggested rating hasil kerja."""
    if predikat_ipk == SANGAT_BAIK:
        return DIATAS
    if predikat_ipk == BAIK:
        return SESUAI
    if predikat_ipk in (BUTUH_PERBAIKAN, KURANG, SANGAT_KURANG):
        return DIBAWAH
    raise ValueError(f"predikat IPK tidak dikenal: {predikat_ipk!r}")


# --- distribution guidance (a guideline, not forced distribution) --------------------------
@dataclass(frozen=True)
class Batas:
    """One bound of the guidance over a group of predikat: share in [min, max] or >= min_orang."""

    kelompok: tuple[str, ...]
    min: Fraction | None = None
    max: Fraction | None = None
    min_orang: int | None = None
    modus: bool = False  # the mode: must also be the largest group

    @property
    def label(self) -> str:
        return " dan/atau ".join(PREDIKAT_LABEL[k] for k in self.kelompok)


@dataclass(frozen=True)
class Pedoman:
    predikat_org: str
    modus: str
    batas: tuple[Batas, ...]
    boleh: tuple[str, ...]
    uraian: str
    rentang: dict[str, tuple[Fraction, Fraction]] = field(default_factory=dict)


_P = Fraction


def _pedoman_tabel() -> dict[str, Pedoman]:
    sb, b, bp, k, sk = SANGAT_BAIK, BAIK, BUTUH_PERBAIKAN, KURANG, SANGAT_KURANG
    rows = {
        ISTIMEWA: Pedoman(
            ISTIMEWA,
            sb,
            (Batas((sb,), max=_P(70, 100), modus=True),),
            (b, bp, k, sk),
            "Pada umumnya Sangat Baik (kelompok terbesar, paling banyak 70%); dapat ada Baik, "
            "Butuh Perbaikan, Kurang, Sangat Kurang.",
        ),
        BAIK: Pedoman(
            BAIK,
            b,
            (Batas((b,), max=_P(70, 100), modus=True), Batas((bp, k), min_orang=1)),
            (sb, sk),
            "Pada umumnya Baik (kelompok terbesar, paling banyak 70%); harus ada paling sedikit "
            "satu Butuh Perbaikan dan/atau Kurang; dapat ada Sangat Baik, Sangat Kurang.",
        ),
        BUTUH_PERBAIKAN: Pedoman(
            BUTUH_PERBAIKAN,
            bp,
            (Batas((bp,), min=_P(60, 100), modus=True), Batas((sb,), max=_P(10, 100))),
            (b, k, sk),
            "Pada umumnya Butuh Perbaikan (paling sedikit 60%); Sangat Baik paling banyak 10%; "
            "dapat ada Baik, Kurang, Sangat Kurang.",
        ),
        KURANG: Pedoman(
            KURANG,
            k,
            (
                Batas((k,), min=_P(60, 100), modus=True),
                Batas((bp,), min=_P(10, 100)),
                Batas((sb,), max=_P(10, 100)),
            ),
            (b, sk),
            "Pada umumnya Kurang (paling sedikit 60%); Butuh Perbaikan paling sedikit 10%; "
            "Sangat Baik paling banyak 10%; dapat ada Baik, Sangat Kurang.",
        ),
        SANGAT_KURANG: Pedoman(
            SANGAT_KURANG,
            sk,
            (
                Batas((sk,), min=_P(60, 100), modus=True),
                Batas((k, bp), min=_P(10, 100)),
                Batas((sb,), max=_P(0)),
            ),
            (b,),
            "Pada umumnya Sangat Kurang (paling sedikit 60%); Kurang dan/atau Butuh Perbaikan "
            "bersama paling sedikit 10%; dapat ada Baik; tidak ada Sangat Baik.",
        ),
    }
    # Per-predikat share ranges for the API's `pedoman` map and the chart: single-predikat bounds
    # narrow [0, 1]; group bounds are reported on the group, not spread over its members.
    for p in rows.values():
        for kode in PREDIKAT:
            lo, hi = _P(0), _P(1)
            for bt in p.batas:
                if bt.kelompok == (kode,):
                    lo = bt.min if bt.min is not None else lo
                    hi = bt.max if bt.max is not None else hi
            p.rentang[kode] = (lo, hi)
    return rows


PEDOMAN = _pedoman_tabel()
BATAS_UNIT_KECIL = 5  # under this many pegawai: comparison shown, no warning (domain.md)


def pedoman(predikat_org: str) -> Pedoman:
    try:
        return PEDOMAN[predikat_org]
    except KeyError:
        raise ValueError(f"predikat kinerja organisasi tidak dikenal: {predikat_org!r}") from None


def persen(part: int, total: int) -> str:
    """'15%', '33,3%' (Indonesian decimal comma)."""
    if not total:
        return "0%"
    v = round(part * 100 / total, 1)
    s = f"{v:.1f}".rstrip("0").rstrip(".")
    return s.replace(".", ",") + "%"


@functools.lru_cache(maxsize=64)  # a handful of bounds, formatted for thousands of units
def _pct(fr: Fraction) -> str:
    v = fr * 100
    return (f"{int(v)}" if v.denominator == 1 else f"{float(v):.1f}".replace(".", ",")) + "%"


@dataclass(frozen=True)
class Pelanggaran:
    kode: str  # machine-readable: "<kelompok>:max" / ":min" / ":min_orang" / ":modus"
    pesan: str


def bandingkan(predikat_org: str, counts: Mapping[str, int]) -> list[Pelanggaran]:
    """Every bound of the guidance the actual counts break (regardless of the unit's size).

    Runs for every unit of an instansi at the year-end close: shares are compared in integers
    (n/total > a/b as n*b > a*total) and messages are only written for broken bounds."""
    p = pedoman(predikat_org)
    c = {k: int(counts.get(k, 0) or 0) for k in PREDIKAT}
    total = sum(c.values())
    if total == 0:
        return []
    out: list[Pelanggaran] = []
    for bt in p.batas:
        n = sum(c[k] for k in bt.kelompok)

        def frasa(bt: Batas = bt, n: int = n) -> str:
            return f"{bt.label} {n} dari {total} = {persen(n, total)}"

        if bt.max is not None and n * bt.max.denominator > bt.max.numerator * total:
            kode = "+".join(bt.kelompok)
            if bt.max == 0:
                out.append(Pelanggaran(f"{kode}:max", f"{frasa()} > 0% (tidak boleh ada)"))
            else:
                out.append(Pelanggaran(f"{kode}:max", f"{frasa()} > {_pct(bt.max)}"))
        if bt.min is not None and n * bt.min.denominator < bt.min.numerator * total:
            out.append(Pelanggaran(f"{'+'.join(bt.kelompok)}:min", f"{frasa()} < {_pct(bt.min)}"))
        if bt.min_orang is not None and n < bt.min_orang:
            out.append(
                Pelanggaran(
                    f"{'+'.join(bt.kelompok)}:min_orang",
                    f"{frasa()}; pedoman: paling sedikit {bt.min_orang} orang",
                )
            )
        if bt.modus:
            lebih = [k for k in PREDIKAT if k not in bt.kelompok and c[k] > n]
            if lebih:
                terbesar = max(lebih, key=lambda k: c[k])
                out.append(
                    Pelanggaran(
                        f"{'+'.join(bt.kelompok)}:modus",
                        f"{bt.label} ({n} dari {total}) bukan kelompok terbesar: "
                        f"{PREDIKAT_LABEL[terbesar]} {c[terbesar]} dari {total} = "
                        f"{persen(c[terbesar], total)}",
                    )
                )
    return out


def diperingatkan(pelanggaran: list[Pelanggaran], total: int) -> bool:
    """Whether the broken bounds `bandingkan` found call for a justification: the same answer as
    `periksa_distribusi`, without comparing again (the close asks it for every unit)."""
    return bool(pelanggaran) and total >= BATAS_UNIT_KECIL


def periksa_distribusi(predikat_org: str, counts: Mapping[str, int]) -> list[Pelanggaran]:
    """The broken bounds that call for a justification: none for units under 5 pegawai.

    In a unit of one, "at least one Butuh Perbaikan and/or Kurang" cannot hold together with the
    mode, so small units get the comparison (`bandingkan`) shown but no warning.
    """
    total = sum(int(v or 0) for v in counts.values())
    if total < BATAS_UNIT_KECIL:
        return []
    return bandingkan(predikat_org, counts)


# --- follow-up: penghargaan ----------------------------------------------------------------
TALENT_POOL = "talent_pool"
PENGEMBANGAN = "pengembangan_kompetensi"
PENGHARGAAN_LABEL = {
    TALENT_POOL: "Prioritas kelompok rencana suksesi (talent pool)",
    PENGEMBANGAN: "Prioritas pengembangan kompetensi",
}


def penghargaan(riwayat: Mapping[int, str], tahun: int) -> str | None:
    """PP 30/2019 art. 53 from the annual predikat per year: two years running, ending `tahun`."""
    ini, lalu = riwayat.get(tahun), riwayat.get(tahun - 1)
    if ini == lalu == SANGAT_BAIK:
        return TALENT_POOL
    if ini == lalu == BAIK:
        return PENGEMBANGAN
    return None


# --- follow-up: the nine-box (PermenPANRB 3/2020) ------------------------------------------
RENDAH, MENENGAH, TINGGI = "rendah", "menengah", "tinggi"
POTENSI = (RENDAH, MENENGAH, TINGGI)
POTENSI_LABEL = {RENDAH: "Rendah", MENENGAH: "Menengah", TINGGI: "Tinggi"}


def kinerja_talenta(predikat_tahunan: str) -> str:
    """The nine-box's kinerja axis from the annual predikat."""
    if predikat_tahunan == SANGAT_BAIK:
        return DIATAS
    if predikat_tahunan == BAIK:
        return SESUAI
    if predikat_tahunan in (BUTUH_PERBAIKAN, KURANG, SANGAT_KURANG):
        return DIBAWAH
    raise ValueError(f"predikat tidak dikenal: {predikat_tahunan!r}")


@dataclass(frozen=True)
class Kotak:
    nomor: int
    rekomendasi: tuple[str, ...]
    sanksi: bool = False  # box 1: processed under the rules (the sanction path)


KOTAK: dict[tuple[str, str], Kotak] = {
    (TINGGI, DIBAWAH): Kotak(
        6, ("Penempatan yang sesuai", "Bimbingan kinerja", "Konseling kinerja")
    ),
    (TINGGI, SESUAI): Kotak(
        8,
        (
            "Dipertahankan",
            "Masuk kelompok rencana suksesi",
            "Rotasi atau perluasan jabatan (job enlargement)",
            "Bimbingan kinerja",
        ),
    ),
    (TINGGI, DIATAS): Kotak(
        9,
        (
            "Dipromosikan dan dipertahankan",
            "Masuk kelompok rencana suksesi",
            "Mendapat penghargaan",
        ),
    ),
    (MENENGAH, DIBAWAH): Kotak(
        3,
        (
            "Bimbingan kinerja",
            "Konseling kinerja",
            "Pengembangan kompetensi",
            "Penempatan yang sesuai",
        ),
    ),
    (MENENGAH, SESUAI): Kotak(
        5, ("Penempatan yang sesuai", "Bimbingan kinerja", "Pengembangan kompetensi")
    ),
    (MENENGAH, DIATAS): Kotak(
        7,
        (
            "Dipertahankan",
            "Masuk kelompok rencana suksesi",
            "Rotasi atau pengayaan jabatan (job enrichment)",
            "Pengembangan kompetensi",
            "Tugas belajar",
        ),
    ),
    (RENDAH, DIBAWAH): Kotak(1, ("Diproses sesuai ketentuan peraturan perundang-undangan",), True),
    (RENDAH, SESUAI): Kotak(
        2, ("Bimbingan kinerja", "Pengembangan kompetensi", "Penempatan yang sesuai")
    ),
    (RENDAH, DIATAS): Kotak(4, ("Rotasi", "Pengembangan kompetensi")),
}


def kotak_talenta(predikat_tahunan: str, potensi: str) -> Kotak:
    if potensi not in POTENSI:
        raise ValueError(f"potensi tidak dikenal: {potensi!r}")
    return KOTAK[(potensi, kinerja_talenta(predikat_tahunan))]


# --- follow-up: sanctions when performance is not met (PP 30/2019) -------------------------
JALUR_JPT = "jpt"
JALUR_JA_JF = "ja_jf"
JALUR_LABEL = {
    JALUR_JPT: "Jabatan Pimpinan Tinggi",
    JALUR_JA_JF: "Jabatan Administrasi / Fungsional",
}

PERBAIKAN = "perbaikan"
UJI_KOMPETENSI = "uji_kompetensi"
PEMINDAHAN = "pemindahan"
PENURUNAN = "penurunan"
PENEMPATAN_SEMENTARA = "penempatan_sementara"
DIBERHENTIKAN = "diberhentikan"
KINERJA_TERPENUHI = "kinerja_terpenuhi"

LANGKAH_LABEL = {
    PERBAIKAN: "Kesempatan perbaikan kinerja (6 bulan)",
    UJI_KOMPETENSI: "Uji kompetensi kembali",
    PEMINDAHAN: "Dipindahkan ke jabatan lain yang sesuai kompetensi",
    PENURUNAN: "Ditempatkan pada jabatan yang lebih rendah",
    PENEMPATAN_SEMENTARA: "Ditempatkan sementara pada jabatan tertentu (paling lama 1 tahun)",
    DIBERHENTIKAN: "Diberhentikan (tidak ada lowongan setelah 1 tahun)",
    KINERJA_TERPENUHI: "Kinerja terpenuhi — kasus ditutup",
}
# How long a step lasts at most, in months (the deadline tracked on the case).
LANGKAH_BULAN = {PERBAIKAN: 6, PENEMPATAN_SEMENTARA: 12}
LANGKAH_AKHIR = {PEMINDAHAN, PENURUNAN, DIBERHENTIKAN, KINERJA_TERPENUHI}

_ALUR: dict[str, dict[str | None, tuple[str, ...]]] = {
    JALUR_JPT: {
        None: (PERBAIKAN,),
        PERBAIKAN: (KINERJA_TERPENUHI, UJI_KOMPETENSI),
        UJI_KOMPETENSI: (PEMINDAHAN, PENURUNAN),
    },
    JALUR_JA_JF: {
        None: (PERBAIKAN,),
        PERBAIKAN: (KINERJA_TERPENUHI, UJI_KOMPETENSI),
        UJI_KOMPETENSI: (PEMINDAHAN, PENURUNAN, PENEMPATAN_SEMENTARA),
        # After at most a year: a vacancy matching competence, or dismissal.
        PENEMPATAN_SEMENTARA: (PEMINDAHAN, DIBERHENTIKAN),
    },
}


def jalur_sanksi(jenis_jabatan: str) -> str:
    """JPT path for jpt_utama/madya/pratama, JA/JF path for everyone else."""
    return JALUR_JPT if jenis_jabatan in {"jpt_utama", "jpt_madya", "jpt_pratama"} else JALUR_JA_JF


def langkah_berikut(jalur: str, langkah_terakhir: str | None) -> tuple[str, ...]:
    """The steps allowed after the last one recorded (empty when the case is over)."""
    if jalur not in _ALUR:
        raise ValueError(f"jalur tidak dikenal: {jalur!r}")
    return _ALUR[jalur].get(langkah_terakhir, ())


def tambah_bulan(tanggal, bulan: int):
    """`tanggal` plus whole months, clamped to the month's last day."""
    import calendar
    import datetime as dt

    m = tanggal.month - 1 + bulan
    y, m = tanggal.year + m // 12, m % 12 + 1
    return dt.date(y, m, min(tanggal.day, calendar.monthrange(y, m)[1]))


def batas_langkah(langkah: str, mulai):
    """The deadline of a timed step (6 months to improve; temporary placement at most a year)."""
    bulan = LANGKAH_BULAN.get(langkah)
    return tambah_bulan(mulai, bulan) if bulan else None


# --- follow-up: which predikat trigger what -----------------------------------------------
PERLU_SANKSI = {KURANG, SANGAT_KURANG}  # "performance not met": candidates for a sanction case


def calon_sanksi(predikat_tahunan: str, potensi: str | None) -> bool:
    """May a sanction case be opened? Performance not met (Kurang, Sangat Kurang), or the
    nine-box's box 1 (below expectation with low potential: "processed under the rules")."""
    if predikat_tahunan in PERLU_SANKSI:
        return True
    if predikat_tahunan in PREDIKAT and potensi in POTENSI:
        return kotak_talenta(predikat_tahunan, potensi).sanksi
    return False


# A step that follows a timed one waits for its deadline: competence is re-tested only after
# the six months to improve, and dismissal only after the year of temporary placement. Closing
# the case (performance met) or a vacancy found during the placement may come earlier.
MENUNGGU_TENGGAT = {UJI_KOMPETENSI, DIBERHENTIKAN}


def mulai_paling_awal(langkah: str, batas_sebelumnya):
    """The earliest start of `langkah` after a step whose deadline is `batas_sebelumnya`."""
    return batas_sebelumnya if langkah in MENUNGGU_TENGGAT else None


# --- keberatan (PP 30/2019 art. 59) ---------------------------------------------------------
# The pegawai may object within 14 days of receiving the result: the moment the evaluation
# became final and was shown to them (Evaluasi.finalisasi_pada), to the minute.
BATAS_KEBERATAN_HARI = 14
# The instansi's default time for the atasan to decide (PengaturanPengingat.hari_putus_keberatan).
BATAS_PUTUSAN_HARI = 14
# The pemutus is reminded from this many days before the decision deadline (and after it).
PENGINGAT_PUTUSAN_HARI_SEBELUM = 3

DIAJUKAN = "diajukan"
DIPERIKSA = "diperiksa"
DIPUTUS = "diputus"
TETAP = "tetap"
DIUBAH = "diubah"
KEPUTUSAN_LABEL = {TETAP: "Hasil evaluasi tetap", DIUBAH: "Hasil evaluasi diubah"}

# Indonesia's three time zones by their IANA names (anything else: the zone's own abbreviation).
ZONA_WAKTU = {
    "Asia/Jakarta": "WIB",
    "Asia/Pontianak": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Ujung_Pandang": "WITA",
    "Asia/Jayapura": "WIT",
}


def batas_keberatan(finalisasi_pada: dt.datetime) -> dt.datetime:
    """The last moment a keberatan may be filed against a result final at `finalisasi_pada`."""
    return finalisasi_pada + dt.timedelta(days=BATAS_KEBERATAN_HARI)


def keberatan_masih_dibuka(finalisasi_pada: dt.datetime | None, sekarang: dt.datetime) -> bool:
    """A keberatan may be filed from the moment the result is final until the deadline."""
    return finalisasi_pada is not None and finalisasi_pada <= sekarang <= batas_keberatan(
        finalisasi_pada
    )


def batas_putusan(diajukan: dt.datetime, hari: int = BATAS_PUTUSAN_HARI) -> dt.datetime:
    """When the pemutus should have decided a keberatan filed at `diajukan`."""
    return diajukan + dt.timedelta(days=hari)


def sisa_hari(batas: dt.datetime, sekarang: dt.datetime) -> int:
    """Days left before `batas`, counting a started day as one (0 once it has passed)."""
    detik = (batas - sekarang).total_seconds()
    if detik <= 0:
        return 0
    return int(-(-detik // 86400))


def sisa_label(batas: dt.datetime, sekarang: dt.datetime) -> str:
    """The countdown in words: '14 hari lagi' (a started day counts, as in `sisa_hari`), then
    on the last day '5 jam lagi', 'kurang dari 1 jam lagi'."""
    detik = (batas - sekarang).total_seconds()
    if detik <= 0:
        return "sudah berakhir"
    if detik > 86400:
        return f"{sisa_hari(batas, sekarang)} hari lagi"
    if detik >= 3600:
        return f"{int(detik // 3600)} jam lagi"
    return "kurang dari 1 jam lagi"


def waktu_label(waktu: dt.datetime, zona: str = "Asia/Jakarta") -> str:
    """'9 Desember 2026 pukul 10.00 WIB' for a datetime already in the local zone `zona`."""
    singkatan = ZONA_WAKTU.get(zona) or (waktu.tzname() or zona)
    return (
        f"{waktu.day} {BULAN[waktu.month - 1]} {waktu.year} pukul "
        f"{waktu.hour:02d}.{waktu.minute:02d} {singkatan}"
    )


def tanggal_label(tanggal: dt.date) -> str:
    """'9 Desember 2026'."""
    return f"{tanggal.day} {BULAN[tanggal.month - 1]} {tanggal.year}"


# Notification kinds of the keberatan (registered with their labels for the preferences page).
KEBERATAN_NOTIFIKASI = {
    "keberatan_diajukan": "Keberatan atas evaluasi kinerja diajukan",
    "keberatan_penjelasan_diminta": "Penjelasan atas keberatan diminta",
    "keberatan_penjelasan_diberikan": "Penjelasan atas keberatan diberikan",
    "keberatan_diputus": "Keberatan atas evaluasi kinerja diputus",
}
