"""The generator's tables and shapes: names, places, units, results, weights; the organisation
being built (Org, Inst, Peg) and small helpers.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass, field
from typing import TextIO

from django.apps import apps
from django.db import connection

MARKER_KODE = "G-000"  # kode of the first generated instansi: its presence means "already done"


PASSWORD = "Kinerja-Bench-2026"


FIRST = [
    "Agus",
    "Budi",
    "Siti",
    "Dewi",
    "Rina",
    "Andi",
    "Ahmad",
    "Nur",
    "Sri",
    "Eko",
    "Wahyu",
    "Putri",
    "Rizky",
    "Fajar",
    "Indah",
    "Yusuf",
    "Hendra",
    "Lestari",
    "Ratna",
    "Bambang",
    "Dian",
    "Fitri",
    "Gita",
    "Hadi",
    "Irfan",
    "Joko",
    "Kartika",
    "Lina",
    "Maya",
    "Nanda",
    "Oki",
    "Purnama",
    "Rahmat",
    "Sari",
    "Taufik",
    "Umar",
    "Vina",
    "Wulan",
    "Yanti",
    "Zainal",
    "Ketut",
    "Made",
    "Nyoman",
    "Wayan",
    "Yohanes",
    "Maria",
    "Petrus",
    "Theresia",
    "Fransiskus",
    "Anastasia",
    "Muhammad",
    "Aisyah",
    "Fatimah",
    "Hasan",
    "Husein",
    "Ridwan",
    "Syahrul",
    "Teguh",
]


LAST = [
    "Santoso",
    "Wijaya",
    "Saputra",
    "Pratama",
    "Hidayat",
    "Kusuma",
    "Nugroho",
    "Siregar",
    "Nasution",
    "Lubis",
    "Harahap",
    "Simanjuntak",
    "Sinaga",
    "Gunawan",
    "Setiawan",
    "Rahman",
    "Susanto",
    "Purba",
    "Hasibuan",
    "Tanjung",
    "Halim",
    "Wibowo",
    "Utami",
    "Permata",
    "Hakim",
    "Firmansyah",
    "Ramadhan",
    "Syahputra",
    "Kurniawan",
    "Maulana",
    "Tefa",
    "Manafe",
    "Lerik",
    "Bessie",
    "Ndun",
    "Sihombing",
    "Panjaitan",
    "Manurung",
    "Sitompul",
    "Ginting",
    "Tarigan",
    "Sembiring",
    "Daulay",
    "Batubara",
    "Pohan",
]


DAERAH = [
    "Deli Serdang",
    "Langkat",
    "Karo",
    "Simalungun",
    "Asahan",
    "Labuhanbatu",
    "Dairi",
    "Toba",
    "Samosir",
    "Nias",
    "Mandailing Natal",
    "Tapanuli Selatan",
    "Tapanuli Tengah",
    "Tapanuli Utara",
    "Humbang Hasundutan",
    "Pakpak Bharat",
    "Serdang Bedagai",
    "Batu Bara",
    "Padang Lawas",
    "Padang Lawas Utara",
    "Labuhanbatu Selatan",
    "Labuhanbatu Utara",
    "Nias Selatan",
    "Nias Utara",
    "Nias Barat",
    "Medan",
    "Binjai",
    "Tebing Tinggi",
    "Pematangsiantar",
    "Tanjungbalai",
    "Sibolga",
    "Padangsidimpuan",
    "Gunungsitoli",
]


DINAS = [
    "Dinas Pendidikan",
    "Dinas Kesehatan",
    "Dinas Pekerjaan Umum dan Penataan Ruang",
    "Dinas Sosial",
    "Dinas Perhubungan",
    "Dinas Komunikasi dan Informatika",
    "Dinas Pertanian",
    "Dinas Perindustrian dan Perdagangan",
    "Dinas Pariwisata",
    "Dinas Lingkungan Hidup",
    "Dinas Kependudukan dan Pencatatan Sipil",
    "Dinas Tenaga Kerja",
    "Badan Kepegawaian Daerah",
    "Badan Perencanaan Pembangunan Daerah",
    "Badan Pengelolaan Keuangan dan Aset Daerah",
    "Badan Pendapatan Daerah",
    "Inspektorat",
    "Satuan Polisi Pamong Praja",
    "Dinas Koperasi dan Usaha Kecil Menengah",
    "Dinas Kelautan dan Perikanan",
    "Dinas Pemuda dan Olahraga",
    "Dinas Perpustakaan dan Kearsipan",
    "Badan Penanggulangan Bencana Daerah",
    "Dinas Ketahanan Pangan",
    "Dinas Perumahan dan Kawasan Permukiman",
]


BIDANG = ["Perencanaan", "Pelayanan", "Pengembangan", "Pengendalian", "Pembinaan", "Data"]


SEKSI = ["Program", "Evaluasi", "Pelaporan", "Standardisasi"]


STAF = [
    ("Pengadministrasi Umum", "pelaksana", ""),
    ("Analis Kebijakan Ahli Pertama", "fungsional", "ahli_pertama"),
    ("Pranata Komputer Terampil", "fungsional", "terampil"),
    ("Pengolah Data", "pelaksana", ""),
    ("Analis Kebijakan Ahli Muda", "fungsional", "ahli_muda"),
]


BERAKHLAK = [
    "berorientasi_pelayanan",
    "akuntabel",
    "kompeten",
    "harmonis",
    "loyal",
    "adaptif",
    "kolaboratif",
]


HASIL = [
    "Tersusunnya dokumen {x}",
    "Terlaksananya layanan {x} tepat waktu",
    "Meningkatnya kualitas {x}",
    "Tersedianya data {x} yang mutakhir",
    "Terselesaikannya laporan {x}",
    "Terkelolanya arsip {x}",
]


OBJEK = [
    "perencanaan anggaran",
    "pelayanan publik",
    "kepegawaian",
    "pengadaan barang/jasa",
    "monitoring program",
    "pengelolaan aset",
    "pelaporan kinerja",
    "sistem informasi",
]


PREDIKAT_W = [
    ("sangat_baik", 0.12),
    ("baik", 0.70),
    ("butuh_perbaikan", 0.10),
    ("kurang", 0.05),
    ("sangat_kurang", 0.03),
]


@dataclass(slots=True)
class Peg:
    id: int
    user_id: int | None
    inst: int  # index into Org.instansi
    instansi_id: int
    unit_id: int
    jabatan_id: int | None
    jenis_jab: str
    nip: str | None
    nama: str
    jenis_asn: str
    golongan: str
    status: str = "aktif"
    penilai: int | None = None
    atasan: int | None = None
    # filled by the skp stage: (rhk_id, kunci, jenis) of the current SKP version
    rhk: list = field(default_factory=list)
    skp_id: int | None = None


@dataclass
class Inst:
    id: int
    kode: str
    nama: str
    periode_id: int | None = None
    admin_user_id: int | None = None
    pim_jab: int | None = None
    pegawai: list[int] = field(default_factory=list)  # indexes into Org.pegawai
    units: list[int] = field(default_factory=list)
    dinas: list[tuple[int, int]] = field(default_factory=list)  # (unit_id, kepala pegawai idx)


@dataclass
class Org:
    tahun: int
    clock: dt.datetime
    instansi: list[Inst] = field(default_factory=list)
    pegawai: list[Peg] = field(default_factory=list)
    by_id: dict[int, Peg] = field(default_factory=dict)
    unit_members: dict[int, list[int]] = field(default_factory=dict)  # unit id -> pegawai idx
    unit_kepala: dict[int, int] = field(default_factory=dict)  # unit id -> kepala pegawai id
    big_unit_id: int | None = None
    big_team_leader: int | None = None
    small_team_leader: int | None = None
    penugasan_rhk: dict[int, tuple[int, int]] = field(default_factory=dict)


class Progress:
    """A plain percentage on stderr (a carriage-return bar on a terminal)."""

    def __init__(self, total: float, out: TextIO | None):
        self.total = max(total, 1.0)
        self.done = 0.0
        self.out = out
        self.last = -1
        self.tty = bool(out is not None and hasattr(out, "isatty") and out.isatty())
        self.started = time.monotonic()
        self.label = ""

    def step(self, amount: float = 1.0, label: str | None = None) -> None:
        self.done += amount
        if label:
            self.label = label
        pct = int(min(self.done / self.total, 1.0) * 100)
        if self.out is None or pct == self.last:
            return
        if self.tty or pct % 5 == 0 or pct == 100:
            self.last = pct
            bar = "#" * (pct // 4)
            line = f"[generate] {pct:3d}% |{bar:<25}| {self.label} ({time.monotonic() - self.started:.0f}s)"
            self.out.write(("\r" + line) if self.tty else line + "\n")
            self.out.flush()

    def end(self) -> None:
        if self.out is not None and self.tty:
            self.out.write("\n")


_tables_cache: set[str] | None = None


def _model(label: str):
    """The model for `label` if it exists and its table has been migrated, else None."""
    try:
        m = apps.get_model(label)
    except LookupError:
        return None
    global _tables_cache
    if _tables_cache is None:
        _tables_cache = set(connection.introspection.table_names())
    return m if m._meta.db_table in _tables_cache else None


class StageMissing(Exception):
    pass


# --- stage: organisation --------------------------------------------------------------------
def _split(total: int, parts: int, rng: random.Random) -> list[int]:
    """Split `total` into `parts` positive-ish sizes that vary by about +-30%."""
    parts = max(1, min(parts, total)) if total > 0 else 1
    weights = [0.7 + 0.6 * rng.random() for _ in range(parts)]
    s = sum(weights)
    sizes = [int(total * w / s) for w in weights]
    for i in range(total - sum(sizes)):
        sizes[i % parts] += 1
    return sizes


def _name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(FIRST) if rng.random() < 0.3 else ''} {rng.choice(LAST)}".replace(
        "  ", " "
    )


def tahun_safe(t: int) -> int:
    return max(t, 1990)


def ROMAN(n: int) -> str:  # noqa: N802
    return (
        ["", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"][n] if n <= 10 else str(n)
    )


# --- stage: skp -----------------------------------------------------------------------------
def _ts(org: Org, rng: random.Random, lo: dt.date, hi: dt.date) -> dt.datetime:
    """A working-hours timestamp between two dates, never after the generator's clock."""
    hi = min(hi, org.clock.date())
    lo = min(lo, hi)
    day = lo + dt.timedelta(days=rng.randrange(0, (hi - lo).days + 1))
    t = dt.datetime(
        day.year, day.month, day.day, 1 + rng.randrange(0, 9), rng.randrange(60), tzinfo=dt.UTC
    )
    return min(t, org.clock)


# --- stage: evaluasi ------------------------------------------------------------------------
DIBAWAH, SESUAI, DIATAS = "dibawah_ekspektasi", "sesuai_ekspektasi", "diatas_ekspektasi"


KO_W = [
    ("istimewa", 0.10),
    ("baik", 0.70),
    ("butuh_perbaikan", 0.12),
    ("kurang", 0.05),
    ("sangat_kurang", 0.03),
]


# (rating hasil, rating perilaku) pairs that give each predikat through the quadrant.
PAIRS = {
    "sangat_baik": [(DIATAS, DIATAS)],
    "baik": [(SESUAI, SESUAI), (SESUAI, SESUAI), (DIATAS, SESUAI), (SESUAI, DIATAS)],
    "butuh_perbaikan": [(DIBAWAH, SESUAI), (DIBAWAH, DIATAS)],
    "kurang": [(SESUAI, DIBAWAH), (DIATAS, DIBAWAH)],
    "sangat_kurang": [(DIBAWAH, DIBAWAH)],
}


def _pick(rng: random.Random, weighted: list[tuple[str, float]]) -> str:
    x = rng.random()
    for code, w in weighted:
        x -= w
        if x < 0:
            return code
    return weighted[-1][0]
