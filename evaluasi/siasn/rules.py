"""SIASN's shapes and codes, as pure data and functions (no database).

Sources (public; read 2026-12), and what each one settles:

- BKN's web-service schema as generated into kanekescom/laravel-siasn-simpeg-api (README, "Add
  SKP 2022" / "Add Kinerja"): the field names and types of `POST /skp22/save` and
  `POST /kinerjaperiodik/save`. CONFIRMED, and agreeing with two independent working clients:
  a Go SIMPEG (`sendRiwayatKinerjaBKN`, which quotes SIASN's validation answer "PnsDinilaiId is
  required / KoefisienId is required / BulanMulaiPenilaian is required / ... / PeriodikId is
  required" for a periodic record) and a Node client (`postSkp2022`).
- black-coffee04/ws-siasn-php (README, examples/kinerja-periodik.php): the reference list each
  code comes from: hasil/perilakuKerjaNilai from `perilakuDanKinerja`, kuadranKinerjaNilai from
  `kuadranNilai`, penilaiGolongan from `golonganPns`, periodikId from `periodik`, koefisienId
  from `koefisien`; statusPenilai "ASN" / "NON ASN". CONFIRMED as names of the lists; their
  numeric contents are NOT published in text anywhere we could read.
- The Node client's `getKuadran(hasil, perilaku)`: equal ratings 1 -> 1, 2 -> 2, 3 -> 5, else
  the larger code. That only fits the quadrant if perilakuDanKinerja is 1 = di atas, 2 = sesuai,
  3 = di bawah ekspektasi and kuadranNilai is 1 = Sangat Baik ... 5 = Sangat Kurang. A GUESS
  from indirect evidence (and its one wrong cell, sesuai x di bawah, shows it was not checked
  against SIASN either): shipped as defaults marked "periksa dengan referensi SIASN".
- A Go SIMPEG's `master_jenjang_jabfung` (KoefisienId per jenjang jabatan fungsional): koefisien
  is chosen by the jenjang of the pegawai's jabatan fungsional. CONFIRMED as the key; the ids
  themselves are unknown (no default shipped).
- golonganPns ids "11" (I/a) ... "45" (IV/e): the two-digit golongan id of BKN's SAPK/SIASN data
  (first digit the golongan, second the ruang). A GUESS from common usage; PPPK golongan ids are
  unknown (no default shipped). periodikId ids are unknown (no default shipped).

Kinerja's API (api.md) promises the SKP22 record fields `pnsDinilaiId` and `penilaiJabatan`;
SIASN's own save schemas name the pegawai `pnsDinilaiOrang` in /skp22/save and the penilai's
position `penilaiJabatanNama` in /kinerjaperiodik/save. Records carry both spellings, so each
record is also exactly what SIASN's save takes (`payload`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from evaluasi import rules as ev_rules
from kinerja.rules import GOLONGAN_PPPK, PANGKAT

SKP22 = "skp22"
PERIODIK = "kinerja_periodik"
JENIS_REKAMAN = {SKP22: "SKP 2022 (tahunan)", PERIODIK: "Kinerja periodik"}

# The endpoints under SIASN's base URL (CONFIRMED: all three clients above).
ENDPOINT = {SKP22: "/skp22/save", PERIODIK: "/kinerjaperiodik/save"}
ENDPOINT_DATA_UTAMA = "/pns/data-utama/{nip}"

# SIASN's save schemas, field -> type (CONFIRMED, see the module docstring). `id` (SIASN's id of
# the record, to update it instead of adding a second one) is sent once SIASN has given one.
# `path` (the uploaded document) is not sent: Kinerja does not upload the PDF to SIASN.
SKEMA: dict[str, dict[str, type]] = {
    SKP22: {
        "hasilKinerjaNilai": int,
        "kuadranKinerjaNilai": int,
        "penilaiGolongan": str,
        "penilaiJabatan": str,
        "penilaiNama": str,
        "penilaiNipNrp": str,
        "penilaiUnorNama": str,
        "perilakuKerjaNilai": int,
        "pnsDinilaiOrang": str,
        "statusPenilai": str,
        "tahun": int,
    },
    PERIODIK: {
        "bulanMulaiPenilaian": int,
        "bulanSelesaiPenilaian": int,
        "hasilKinerjaNilai": int,
        "koefisienId": str,
        "kuadranKinerjaNilai": int,
        "penilaiGolongan": str,
        "penilaiJabatanNama": str,
        "penilaiNama": str,
        "penilaiNipNrp": str,
        "penilaiUnorNama": str,
        "perilakuKerjaNilai": int,
        "periodikId": str,
        "pnsDinilaiId": str,
        "statusPenilai": str,
        "tahun": int,
        "tahunMulaiPenilaian": int,
        "tahunSelesaiPenilaian": int,
    },
}
# A NON ASN penilai (a Kepala Daerah, a minister) has no NIP and no golongan: sent empty (a
# GUESS that SIASN accepts them so; its own "NipNrp" says the field is not only for NIPs).
BOLEH_KOSONG_NON_ASN = {"penilaiNipNrp", "penilaiGolongan"}

# Record fields in the order the API, the download and the spreadsheet show them: api.md's
# fields first, then the extras (Kinerja's ids, and SIASN's other spellings).
KOLOM_SKP22 = [
    "pnsDinilaiId",
    "tahun",
    "hasilKinerjaNilai",
    "perilakuKerjaNilai",
    "kuadranKinerjaNilai",
    "penilaiNipNrp",
    "penilaiNama",
    "penilaiGolongan",
    "penilaiJabatan",
    "penilaiUnorNama",
    "statusPenilai",
]
KOLOM_PERIODIK = [
    *KOLOM_SKP22,
    "periodikId",
    "bulanMulaiPenilaian",
    "bulanSelesaiPenilaian",
    "tahunMulaiPenilaian",
    "tahunSelesaiPenilaian",
]
KOLOM_TAMBAHAN = {
    SKP22: ["pnsDinilaiOrang", "nipBaru", "evaluasi"],
    PERIODIK: ["koefisienId", "penilaiJabatanNama", "pnsDinilaiOrang", "nipBaru", "evaluasi"],
}


def kolom(jenis: str) -> list[str]:
    base = KOLOM_SKP22 if jenis == SKP22 else KOLOM_PERIODIK
    return [*base, *KOLOM_TAMBAHAN[jenis]]


# --- reference tables -------------------------------------------------------------------------
PERILAKU_KINERJA = "perilaku_kinerja"
KUADRAN = "kuadran"
GOLONGAN = "golongan"
PERIODIK_REF = "periodik"
KOEFISIEN = "koefisien"
JENIS_REFERENSI = {
    PERILAKU_KINERJA: "Perilaku dan kinerja (rating hasil kerja / perilaku kerja)",
    KUADRAN: "Kuadran nilai (predikat kinerja)",
    GOLONGAN: "Golongan (golongan pejabat penilai)",
    PERIODIK_REF: "Periodik (frekuensi evaluasi periodik)",
    KOEFISIEN: "Koefisien (jenjang jabatan fungsional)",
}
# SIASN's name of each list (its /referensi/ and the SDKs), accepted in an import's Jenis column.
NAMA_SIASN = {
    PERILAKU_KINERJA: "perilakuDanKinerja",
    KUADRAN: "kuadranNilai",
    GOLONGAN: "golonganPns",
    PERIODIK_REF: "periodik",
    KOEFISIEN: "koefisien",
}
# Lists whose ids SIASN takes as integers (the others as strings).
REFERENSI_ANGKA = {PERILAKU_KINERJA, KUADRAN}

NON_JF = "non_jf"
JENJANG = {
    "pemula": "Pemula",
    "terampil": "Terampil",
    "mahir": "Mahir",
    "penyelia": "Penyelia",
    "ahli_pertama": "Ahli Pertama",
    "ahli_muda": "Ahli Muda",
    "ahli_madya": "Ahli Madya",
    "ahli_utama": "Ahli Utama",
}
FREKUENSI = {"bulanan": "Bulanan", "triwulanan": "Triwulanan", "semesteran": "Semesteran"}

# Kinerja's code -> its label, per list: the rows every instansi's table has (no more, no less).
KODE: dict[str, dict[str, str]] = {
    PERILAKU_KINERJA: {
        k: ev_rules.RATING_LABEL[k] for k in (ev_rules.DIATAS, ev_rules.SESUAI, ev_rules.DIBAWAH)
    },
    KUADRAN: {**ev_rules.PREDIKAT_LABEL, ev_rules.KURANG: "Kurang / Misconduct"},
    GOLONGAN: {
        **{g: f"{g} ({p})" for g, p in PANGKAT.items()},
        **{f"PPPK {g}": f"Golongan PPPK {g}" for g in GOLONGAN_PPPK},
    },
    PERIODIK_REF: dict(FREKUENSI),
    KOEFISIEN: {**JENJANG, NON_JF: "Bukan jabatan fungsional"},
}

_GOL_ID = {"I": 1, "II": 2, "III": 3, "IV": 4}
_RUANG = "abcde"

# Shipped defaults: "" where nothing public tells us the id (see the module docstring). Every
# default is shown as "periksa dengan referensi SIASN" until the admin confirms it.
BAWAAN: dict[str, dict[str, str]] = {
    PERILAKU_KINERJA: {ev_rules.DIATAS: "1", ev_rules.SESUAI: "2", ev_rules.DIBAWAH: "3"},
    KUADRAN: {
        ev_rules.SANGAT_BAIK: "1",
        ev_rules.BAIK: "2",
        ev_rules.BUTUH_PERBAIKAN: "3",
        ev_rules.KURANG: "4",
        ev_rules.SANGAT_KURANG: "5",
    },
    GOLONGAN: {
        **{g: f"{_GOL_ID[g.split('/')[0]]}{_RUANG.index(g.split('/')[1]) + 1}" for g in PANGKAT},
        **{f"PPPK {g}": "" for g in GOLONGAN_PPPK},
    },
    PERIODIK_REF: dict.fromkeys(FREKUENSI, ""),
    KOEFISIEN: dict.fromkeys(KODE[KOEFISIEN], ""),
}


def _norm(text: object) -> str:
    return " ".join(re.sub(r"[^0-9a-z/]+", " ", str(text or "").lower()).split())


# How SIASN's export names a row (normalised) -> Kinerja's code, per list; `nama_ke_kode` also
# takes Kinerja's own codes and labels.
_ALIAS: dict[str, dict[str, str]] = {
    PERILAKU_KINERJA: {
        "diatas ekspektasi": ev_rules.DIATAS,
        "di atas ekspektasi": ev_rules.DIATAS,
        "sesuai ekspektasi": ev_rules.SESUAI,
        "dibawah ekspektasi": ev_rules.DIBAWAH,
        "di bawah ekspektasi": ev_rules.DIBAWAH,
    },
    KUADRAN: {
        "kurang/misconduct": ev_rules.KURANG,
        "kurang / misconduct": ev_rules.KURANG,
        "kurang misconduct": ev_rules.KURANG,
        "sangat kurang/misconduct": ev_rules.SANGAT_KURANG,
        "sangat kurang / misconduct": ev_rules.SANGAT_KURANG,
        "cukup": ev_rules.BUTUH_PERBAIKAN,  # the older word for Butuh Perbaikan (domain.md)
    },
    PERIODIK_REF: {"bulan": "bulanan", "triwulan": "triwulanan", "semester": "semesteran"},
    KOEFISIEN: {"non jf": NON_JF, "bukan jf": NON_JF, "non fungsional": NON_JF},
}


def nama_ke_kode(jenis: str, nama: str) -> str | None:
    """Kinerja's code for a row of SIASN's reference export, by its name; None if unknown.

    Golongan rows may be written "III/a", "III/a (Penata Muda)" or by the pangkat's name;
    PPPK golongan as "PPPK IX" (a bare "IX" is ambiguous with nothing and accepted too)."""
    n = _norm(nama)
    if not n:
        return None
    kode = KODE[jenis]
    for k, label in kode.items():
        if n in {_norm(k), _norm(label)}:
            return k
    alias = _ALIAS.get(jenis, {})
    if n in alias:
        return alias[n]
    if jenis == GOLONGAN:
        head = n.split(" ")[0]
        for g, pangkat in PANGKAT.items():
            if head == g.lower() or n == _norm(pangkat):
                return g
        if n.upper() in GOLONGAN_PPPK:
            return f"PPPK {n.upper()}"
    return None


def jenis_referensi_dari(text: str) -> str | None:
    """A reference list named by Kinerja's code, its label or SIASN's name; None if unknown."""
    n = _norm(text).replace(" ", "")
    for k, label in JENIS_REFERENSI.items():
        if n in {k.replace("_", ""), _norm(label).replace(" ", ""), NAMA_SIASN[k].lower()}:
            return k
    return None


def nilai_error(jenis: str, nilai: str) -> str | None:
    """Why `nilai` cannot be a SIASN id of this list (Indonesian), or None."""
    v = (nilai or "").strip()
    if not v:
        return None
    if len(v) > 40:
        return "Kode SIASN paling panjang 40 karakter."
    if jenis in REFERENSI_ANGKA and not v.isdigit():
        return f"Kode SIASN untuk {NAMA_SIASN[jenis]} berupa bilangan bulat."
    if not re.fullmatch(r"[0-9A-Za-z_.\-]+", v):
        return "Kode SIASN hanya berisi huruf, angka, titik, garis bawah atau tanda hubung."
    return None


# --- a record's values --------------------------------------------------------------------------
def status_penilai(jenis_asn: str | None) -> str:
    """SIASN's statusPenilai: PNS and PPPK are ASN; a pejabat negara (Kepala Daerah) is not."""
    return "ASN" if jenis_asn in {"pns", "pppk"} else "NON ASN"


def kode_golongan(golongan: str, jenis_asn: str | None) -> str:
    """The key of the golongan reference for a pegawai's golongan ('' when none)."""
    g = "".join(str(golongan or "").split())
    if not g or jenis_asn not in {"pns", "pppk"}:
        return ""
    if jenis_asn == "pppk":
        return f"PPPK {g.upper()}"
    roman, _, ruang = g.partition("/")
    return f"{roman.upper()}/{ruang.lower()}" if ruang else g.upper()


_JENJANG_NAMA = re.compile(
    r"\b(ahli utama|ahli madya|ahli muda|ahli pertama|penyelia|mahir|terampil|pemula)\s*$", re.I
)


def kode_koefisien(jenis_jabatan: str | None, jenjang: str | None, nama_jabatan: str) -> str:
    """The key of the koefisien reference: the jenjang of a jabatan fungsional (its recorded
    jenjang, else the last words of its name, "Analis SDM Aparatur Ahli Muda"), or non_jf."""
    if jenis_jabatan != "fungsional":
        return NON_JF
    if jenjang in JENJANG:
        return jenjang
    m = _JENJANG_NAMA.search(nama_jabatan or "")
    return m.group(1).lower().replace(" ", "_") if m else NON_JF


@dataclass(frozen=True)
class Masa:
    """The stretch a record covers (SIASN's bulan/tahun mulai and selesai penilaian)."""

    mulai: dt.date
    selesai: dt.date


def payload(jenis: str, rekaman: dict) -> dict:
    """What SIASN's save takes for a record: exactly its schema's fields (plus `id` when known),
    text fields as strings ('' for none). Raises KeyError when the record lacks a field (never
    happens for records of rekaman.py)."""
    out = {
        k: ("" if rekaman[k] is None and typ is str else rekaman[k])
        for k, typ in SKEMA[jenis].items()
    }
    if rekaman.get("id"):
        out["id"] = rekaman["id"]
    return out


def kosong(jenis: str, isi: dict) -> list[str]:
    """Fields of a payload SIASN would refuse as missing (None or '')."""
    boleh = BOLEH_KOSONG_NON_ASN if isi.get("statusPenilai") == "NON ASN" else set()
    return [k for k in SKEMA[jenis] if k not in boleh and isi.get(k) in (None, "")]
