"""Pure rules of the organisation: NIP structure, who rates whom, evaluation windows, pangkat.

No database here: the functions take plain values so they can be tested exhaustively.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

# --- NIP / NI PPPK -------------------------------------------------------------------------
# NIP PNS (18 digits): YYYYMMDD birth date | YYYYMM TMT CPNS | gender (1 pria, 2 wanita) | 3-digit
# sequence. NI PPPK has the same shape, but the TMT month position holds "21" (the PPPK marker).

PPPK_MARKER = "21"


class NIPError(ValueError):
    """A NIP that is wrong; the message names the part that is wrong (Bahasa Indonesia)."""


def validate_nip(nip: str, *, pppk: bool = False, today: dt.date | None = None) -> dt.date:
    """Check a NIP (or NI PPPK when `pppk`); return the embedded birth date or raise NIPError."""
    label = "NI PPPK" if pppk else "NIP"
    # Spreadsheets and APIs hand over numbers and odd spacing; a NIP is text of ASCII digits
    # ("١٢٣".isdigit() is True, so isdigit alone would let non-Latin digits through).
    nip = normalize_nip(nip)
    if len(nip) != 18:
        raise NIPError(f"{label} harus terdiri atas 18 digit (tertulis {len(nip)}).")
    if not (nip.isascii() and nip.isdigit()):
        raise NIPError(f"{label} hanya boleh berisi angka 0–9.")
    today = today or dt.date.today()
    try:
        lahir = dt.date(int(nip[0:4]), int(nip[4:6]), int(nip[6:8]))
    except ValueError:
        raise NIPError(
            f"{label} digit 1–8 (tanggal lahir {nip[0:4]}-{nip[4:6]}-{nip[6:8]}) bukan tanggal yang sah."
        ) from None
    if lahir.year < 1930 or lahir > today:
        raise NIPError(f"{label} digit 1–8: tahun lahir {lahir.year} tidak masuk akal.")
    tmt_tahun, tmt_bulan = int(nip[8:12]), nip[12:14]
    if pppk:
        if tmt_bulan != PPPK_MARKER:
            raise NIPError(
                f"NI PPPK digit 13–14 harus '{PPPK_MARKER}' (penanda PPPK), tertulis '{tmt_bulan}'."
            )
        tmt = dt.date(tmt_tahun, 1, 1) if 1 <= tmt_tahun <= 9999 else None
    else:
        if not 1 <= int(tmt_bulan) <= 12:
            hint = (
                " (angka 21 adalah penanda NI PPPK: pilih jenis ASN PPPK)"
                if tmt_bulan == PPPK_MARKER
                else ""
            )
            raise NIPError(f"NIP digit 13–14 (bulan TMT CPNS '{tmt_bulan}') harus 01–12{hint}.")
        tmt = dt.date(tmt_tahun, int(tmt_bulan), 1) if 1 <= tmt_tahun <= 9999 else None
    if tmt is None or tmt > today:
        raise NIPError(
            f"{label} digit 9–14: TMT {nip[8:12]}-{tmt_bulan} tidak sah (tidak boleh di masa "
            "depan)."
        )
    if tmt_tahun < lahir.year + 17:
        # A relation between two parts: name both, since either may be the mistyped one.
        raise NIPError(
            f"{label} digit 9–14: TMT {nip[8:12]}-{tmt_bulan} tidak sesuai dengan tanggal lahir "
            f"pada digit 1–8 ({lahir:%Y-%m-%d}): pengangkatan harus sesudah usia 17 tahun."
        )
    if nip[14] not in "12":
        raise NIPError(f"{label} digit 15 (jenis kelamin) harus 1 atau 2, tertulis '{nip[14]}'.")
    if nip[15:18] == "000":
        raise NIPError(f"{label} digit 16–18 (nomor urut) tidak boleh 000.")
    return lahir


def normalize_nip(nip: object) -> str:
    """The NIP as stored: digits only, no spaces (people type '19800101 200501 1 001')."""
    return "".join(str(nip if nip is not None else "").split())


def nip_error(nip: str | None, *, pppk: bool = False) -> str | None:
    """The Indonesian message for a wrong or missing NIP (NI PPPK), or None when it is right."""
    if not nip:
        return "NI PPPK wajib diisi untuk PPPK." if pppk else "NIP wajib diisi untuk PNS."
    try:
        validate_nip(nip, pppk=pppk)
    except NIPError as exc:
        return str(exc)
    return None


def make_nip(lahir: dt.date, tmt: dt.date, pria: bool, urut: int, *, pppk: bool = False) -> str:
    """Compose a NIP (used by demo data and tests)."""
    bulan = PPPK_MARKER if pppk else f"{tmt.month:02d}"
    return f"{lahir:%Y%m%d}{tmt.year:04d}{bulan}{1 if pria else 2}{urut % 999 + 1:03d}"


# --- Pangkat ------------------------------------------------------------------------------
PANGKAT = {
    "I/a": "Juru Muda",
    "I/b": "Juru Muda Tingkat I",
    "I/c": "Juru",
    "I/d": "Juru Tingkat I",
    "II/a": "Pengatur Muda",
    "II/b": "Pengatur Muda Tingkat I",
    "II/c": "Pengatur",
    "II/d": "Pengatur Tingkat I",
    "III/a": "Penata Muda",
    "III/b": "Penata Muda Tingkat I",
    "III/c": "Penata",
    "III/d": "Penata Tingkat I",
    "IV/a": "Pembina",
    "IV/b": "Pembina Tingkat I",
    "IV/c": "Pembina Utama Muda",
    "IV/d": "Pembina Utama Madya",
    "IV/e": "Pembina Utama",
}
# PPPK have a golongan (I–XVII) but no pangkat.
GOLONGAN_PPPK = [
    "I",
    "II",
    "III",
    "IV",
    "V",
    "VI",
    "VII",
    "VIII",
    "IX",
    "X",
    "XI",
    "XII",
    "XIII",
    "XIV",
    "XV",
    "XVI",
    "XVII",
]


def normalize_golongan(golongan: str, jenis_asn: str) -> str:
    """'iii/a', 'III / A' -> 'III/a'; 'ix' -> 'IX' (PPPK)."""
    g = "".join(str(golongan or "").split())
    if not g:
        return ""
    if "/" in g:
        roman, _, ruang = g.partition("/")
        return f"{roman.upper()}/{ruang.lower()}"
    return g.upper()


def golongan_error(golongan: str, jenis_asn: str) -> str | None:
    if not golongan:
        return None
    if jenis_asn == "pppk":
        if golongan not in GOLONGAN_PPPK:
            return f"Golongan PPPK '{golongan}' tidak dikenal (I sampai XVII)."
    elif golongan not in PANGKAT:
        return f"Golongan/ruang PNS '{golongan}' tidak dikenal (I/a sampai IV/e)."
    return None


def pangkat_for_golongan(golongan: str) -> str:
    return PANGKAT.get(golongan, "")


def pangkat_golongan_label(golongan: str) -> str:
    pangkat = pangkat_for_golongan(golongan)
    return f"{pangkat}, {golongan}" if pangkat else golongan


# --- Who rates whom ----------------------------------------------------------------------
@dataclass(frozen=True)
class JabatanInfo:
    id: int
    jenis: str
    atasan_id: int | None
    unit_id: int
    kepala_unit: bool


@dataclass(frozen=True)
class UnitInfo:
    id: int
    mandiri: bool
    penilai_jabatan_id: int | None


JPT_DAERAH_RATED_BY_KEPALA = {"jpt_madya", "jpt_pratama"}


def penilai_jabatan(
    jabatan: JabatanInfo,
    *,
    jabatan_by_id: Mapping[int, JabatanInfo],
    unit_by_id: Mapping[int, UnitInfo],
    instansi_daerah: bool,
    pimpinan_jabatan_id: int | None,
) -> int | None:
    """The position whose holder rates the holder of `jabatan` (domain.md, Pejabat Penilai).

    - pimpinan instansi: rated by no one in the instansi;
    - JPT Utama: the pimpinan instansi;
    - JPT Madya and Pratama in a daerah: the Kepala Daerah (the deck wins over guides naming the
      Sekda);
    - the head of a unit kerja mandiri: the coordinating position set on the unit, else the
      pimpinan instansi;
    - everyone else (JPT Madya pusat included): the position they report to.
    """
    if jabatan.jenis == "pimpinan_instansi":
        return None
    unit = unit_by_id.get(jabatan.unit_id)
    if jabatan.kepala_unit and unit is not None and unit.mandiri:
        return unit.penilai_jabatan_id or pimpinan_jabatan_id
    if jabatan.jenis == "jpt_utama":
        return pimpinan_jabatan_id
    if instansi_daerah and jabatan.jenis in JPT_DAERAH_RATED_BY_KEPALA:
        return pimpinan_jabatan_id
    if jabatan.atasan_id is not None:
        return jabatan.atasan_id
    return pimpinan_jabatan_id if jabatan.id != pimpinan_jabatan_id else None


def derive_penilai(
    pegawai_jabatan: Mapping[int, int | None],
    *,
    jabatan_by_id: Mapping[int, JabatanInfo],
    unit_by_id: Mapping[int, UnitInfo],
    holder_by_jabatan: Mapping[int, int],
    acting_by_jabatan: Mapping[int, int],
    instansi_daerah: bool,
    pimpinan_jabatan_id: int | None,
    override: Mapping[int, int] | None = None,
) -> dict[int, tuple[int | None, int | None]]:
    """For each pegawai id: (pejabat penilai id, atasan pejabat penilai id).

    A vacant position passes the role upward; a Plt/Plh acting in a position holds it when it has
    no definitive holder. An admin's override wins. The atasan is the penilai's own penilai,
    except when the penilai only acts (Plt/Plh) in the position that rates: then it is the
    penilai of the position they act in, not of their own position (domain.md, "Acting
    officials").
    """
    override = override or {}

    def holder(jid: int) -> int | None:
        return holder_by_jabatan.get(jid) or acting_by_jabatan.get(jid)

    def naik(jid: int | None, exclude: set[int]) -> tuple[int | None, int | None]:
        """(person, position) of the first held position that rates the holder of `jid`."""
        seen: set[int] = set()
        current = jid
        while current is not None and current not in seen:
            seen.add(current)
            info = jabatan_by_id.get(current)
            if info is None:
                return None, None
            target = penilai_jabatan(
                info,
                jabatan_by_id=jabatan_by_id,
                unit_by_id=unit_by_id,
                instansi_daerah=instansi_daerah,
                pimpinan_jabatan_id=pimpinan_jabatan_id,
            )
            if target is None:
                return None, None
            h = holder(target)
            if h is not None and h not in exclude:
                return h, target
            current = target  # vacant (or held by someone excluded): pass upward
        return None, None

    penilai: dict[int, tuple[int | None, int | None]] = {}
    for pid, jid in pegawai_jabatan.items():
        penilai[pid] = (override[pid], None) if pid in override else naik(jid, {pid})

    result: dict[int, tuple[int | None, int | None]] = {}
    for pid, (p, posisi) in penilai.items():
        if p is None:
            result[pid] = (None, None)
            continue
        if posisi is not None and holder_by_jabatan.get(posisi) is None:
            # The penilai acts in `posisi`: its own superior decides, not the Plt's.
            atasan, _ = naik(posisi, {p, pid})
        elif p in penilai:
            atasan = penilai[p][0]
        else:
            atasan = override.get(p)
        result[pid] = (p, atasan if atasan != pid else None)
    return result


# --- Evaluation windows --------------------------------------------------------------------
@dataclass(frozen=True)
class Jendela:
    """One evaluation window of a year: periodic (urutan 1..n) or the annual one (urutan None)."""

    urutan: int | None
    mulai: dt.date
    selesai: dt.date
    label: str


BULAN = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
]
# The one table of month names (pages, documents, labels); short forms are its first three
# letters ("Jan", "Agu", "Des").
BULAN_SINGKAT = [b[:3] for b in BULAN]
ROMAWI = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]
MONTHS_PER_WINDOW = {"bulanan": 1, "triwulanan": 3, "semesteran": 6}


def jendela_periodik(tahun: int, frekuensi: str) -> list[Jendela]:
    step = MONTHS_PER_WINDOW[frekuensi]
    out = []
    for i, start in enumerate(range(1, 13, step), start=1):
        end_month = start + step - 1
        last = calendar.monthrange(tahun, end_month)[1]
        if frekuensi == "bulanan":
            label = f"BULAN {BULAN[start - 1].upper()}"
        elif frekuensi == "triwulanan":
            label = f"TRIWULAN {ROMAWI[i - 1]}"
        else:
            label = f"SEMESTER {ROMAWI[i - 1]}"
        out.append(Jendela(i, dt.date(tahun, start, 1), dt.date(tahun, end_month, last), label))
    return out


def jendela_tahunan(tahun: int, frekuensi: str) -> Jendela:
    """The AKHIR evaluation: the last window's, rated once for the year ("TRIWULAN IV-AKHIR",
    "SEMESTER II-AKHIR", "DESEMBER-AKHIR")."""
    last = jendela_periodik(tahun, frekuensi)[-1]
    label = last.label.removeprefix("BULAN ")
    return Jendela(None, dt.date(tahun, 1, 1), dt.date(tahun, 12, 31), f"{label}-AKHIR")


def jendela_pada(tahun: int, frekuensi: str, tanggal: dt.date) -> Jendela | None:
    """The periodic window containing `tanggal`, or None outside the year."""
    for j in jendela_periodik(tahun, frekuensi):
        if j.mulai <= tanggal <= j.selesai:
            return j
    return None
