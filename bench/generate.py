"""The scale generator: `generate(pegawai=100_000, seed=7)` fills a database with a realistic
provincial government and a year of performance work, in minutes, with COPY.

Structure (deterministic for a seed):
- about one instansi per 2,500 pegawai: a province (instansi 0, three times the weight, with a
  1,000-pegawai hospital unit kerja mandiri whose nursing head rates 500 staff) and regencies;
- per instansi: the Kepala Daerah (pejabat negara), the Sekretariat Daerah, dinas/badan
  (JPT Pratama) with bidang (administrator), seksi (pengawas) and pelaksana/fungsional staff,
  TimKerja across units, an admin BKD login and a triwulanan Periode in `evaluasi`;
- pejabat penilai / atasan pejabat penilai computed with the kernel's own `rules.derive_penilai`;
- skp: one approved SKP per ASN (a second version where a penugasan was accepted), rencana hasil
  kerja cascaded from the penilai's, indikator, the seven BerAKHLAK expectations;
- dialog: feedback, feedback requests, opportunities and penugasan with klarifikasi, realisasi
  per RHK per window with bukti dukung links, dialog kinerja with follow-ups;
- evaluasi: (filled in as the stage's models land) kinerja organisasi per unit, periodic and
  annual evaluations across every predikat.

Each later stage is written defensively: a stage whose models are missing, or whose models gained
a required column this generator does not know, is skipped and the output says so.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from bench.copy import MissingValue, Tables
from kinerja import rules

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


# ---------------------------------------------------------------------------------------------
def generate(
    *,
    pegawai: int,
    seed: int = 2026,
    out: TextIO | None = sys.stderr,
    tahun: int | None = None,
    fast: bool | None = None,
    big_unit: int | None = None,
) -> dict[str, Any]:
    """Generate about `pegawai` employees with a year of work. Returns counts per model and the
    ids the bench needs (big unit, the leaders of a 500- and a 5-person team).

    `fast` (default: on PostgreSQL as superuser, for >= 5,000 pegawai) turns off foreign-key
    triggers while writing (`session_replication_role = replica`); the small runs in the test
    suite keep them on, so the same code is checked by the database's own constraints.
    """
    from kinerja.models import Instansi

    if pegawai < 50:
        raise ValueError("generator skala butuh minimal 50 pegawai")
    existing = Instansi.objects.filter(kode=MARKER_KODE).first()
    if existing is not None:
        if out:
            out.write(f"[generate] data skala sudah ada (instansi {MARKER_KODE}); dilewati.\n")
        return {"dilewati": True, "counts": {}, "skipped": {}}
    started = time.monotonic()
    global _tables_cache
    _tables_cache = None
    rng = random.Random(seed)
    tahun = tahun or timezone.localdate().year
    # The generator's "now" is the start of today (not the current second): the same seed gives
    # the same rows all day, including dates clamped to "now" in the running window.
    now = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    clock = min(now, dt.datetime(tahun, 12, 31, 12, 0, tzinfo=dt.UTC))
    clock = clock.replace(microsecond=0)
    if fast is None:
        fast = connection.vendor == "postgresql" and pegawai >= 5000 and _is_superuser()
    T = Tables(rng=rng, now=clock)
    org = Org(tahun=tahun, clock=clock)
    progress = Progress(pegawai * 4.0, out)
    skipped: dict[str, str] = {}
    stages: list[tuple[str, Callable[..., None]]] = [
        ("organisasi", _stage_org),
        ("skp", _stage_skp),
        ("dialog", _stage_dialog),
        ("evaluasi", _stage_evaluasi),
    ]
    with transaction.atomic():
        if fast:
            with connection.cursor() as c:
                c.execute("SET LOCAL session_replication_role = replica")
        for name, fn in stages:
            sid = transaction.savepoint()
            before = progress.done
            try:
                fn(T, org, rng, progress, pegawai=pegawai, big_unit=big_unit)
                T.close()
            except (MissingValue, StageMissing) as exc:
                transaction.savepoint_rollback(sid)
                T = Tables(rng=rng, now=clock)  # drop half-written buffers of this stage
                skipped[name] = str(exc)
                if name == "organisasi":
                    raise
                if out:
                    out.write(f"[generate] tahap {name} dilewati: {exc}\n")
            else:
                transaction.savepoint_commit(sid)
            progress.done = before + pegawai
            progress.step(0, f"{name} selesai")
        if fast:
            with connection.cursor() as c:
                c.execute("SET LOCAL session_replication_role = origin")
    progress.end()
    if connection.vendor == "postgresql":
        with connection.cursor() as c:
            c.execute("ANALYZE")
    counts = _counts(org)
    if out:
        out.write(
            f"[generate] {len(org.pegawai)} pegawai, {len(org.instansi)} instansi, "
            f"{time.monotonic() - started:.0f} s\n"
        )
    return {
        "dilewati": False,
        "counts": counts,
        "skipped": skipped,
        "pegawai": len(org.pegawai),
        "instansi": len(org.instansi),
        "big_unit_id": org.big_unit_id,
        "big_team_leader": org.big_team_leader,
        "small_team_leader": org.small_team_leader,
        "tahun": tahun,
        "seconds": time.monotonic() - started,
    }


class StageMissing(Exception):
    pass


def _is_superuser() -> bool:
    with connection.cursor() as c:
        c.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        row = c.fetchone()
    return bool(row and row[0])


def _counts(org: Org) -> dict[str, int]:
    out = {}
    for label in [
        "kinerja.Instansi",
        "kinerja.UnitKerja",
        "kinerja.Jabatan",
        "kinerja.Pegawai",
        "kinerja.TimKerja",
        "kinerja.Periode",
        "skp.SKP",
        "skp.RencanaHasilKerja",
        "skp.Indikator",
        "skp.EkspektasiPerilaku",
        "dialog.UmpanBalik",
        "dialog.Penugasan",
        "dialog.Realisasi",
        "dialog.DialogKinerja",
        "evaluasi.Evaluasi",
        "evaluasi.KinerjaOrganisasi",
    ]:
        m = _model(label)
        if m is not None:
            out[label] = m.objects.count()
    return out


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


def _stage_org(
    T: Tables,
    org: Org,
    rng: random.Random,
    progress: Progress,
    *,
    pegawai: int,
    big_unit: int | None,
    **_: Any,
) -> None:
    from kinerja.models import Instansi, Jabatan, Pegawai, Periode, TimKerja, UnitKerja, User

    J = Jabatan.Jenis
    password = make_password(PASSWORD, salt="kinerjabench")
    n_inst = max(1, round(pegawai / 2500))
    if pegawai >= 400:
        n_inst = max(n_inst, 2)
    weights = [3.0] + [0.7 + 0.6 * rng.random() for _ in range(n_inst - 1)]
    sizes = [int(pegawai * w / sum(weights)) for w in weights]
    sizes[0] += pegawai - sum(sizes)
    if big_unit is None:
        big_unit = min(1000, max(20, pegawai // 5))
    big_unit = min(big_unit, sizes[0] - 20)
    used_nip: set[str] = set()
    tmt_base = dt.date(tahun_safe(org.tahun) - 30, 1, 1)

    def nip_for(jenis_asn: str) -> str | None:
        if jenis_asn == Pegawai.JenisASN.PEJABAT_NEGARA:
            return None
        pppk = jenis_asn == Pegawai.JenisASN.PPPK
        while True:
            lahir = dt.date(1966, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 33))
            tmt_year = max(lahir.year + 19 + rng.randrange(0, 10), tmt_base.year)
            tmt_year = min(tmt_year, org.tahun - 1)
            if tmt_year < lahir.year + 18:
                continue
            tmt = dt.date(tmt_year, rng.randrange(1, 13), 1)
            nip = rules.make_nip(lahir, tmt, rng.random() < 0.5, rng.randrange(0, 999), pppk=pppk)
            if nip not in used_nip:
                used_nip.add(nip)
                return nip

    def golongan_for(jenis_jab: str, jenis_asn: str) -> str:
        if jenis_asn == "pppk":
            return rng.choice(["V", "VII", "IX", "X", "XI"])
        if jenis_asn == "pejabat_negara":
            return ""
        return {
            "jpt_madya": "IV/d",
            "jpt_pratama": rng.choice(["IV/c", "IV/d"]),
            "administrator": rng.choice(["IV/a", "IV/b"]),
            "pengawas": rng.choice(["III/c", "III/d", "IV/a"]),
        }.get(jenis_jab, rng.choice(["II/c", "II/d", "III/a", "III/b", "III/c", "III/d"]))

    jab_info: dict[int, rules.JabatanInfo] = {}
    unit_info: dict[int, rules.UnitInfo] = {}

    def unit(
        inst: Inst, nama: str, induk: int | None, mandiri: bool = False, singkatan: str = ""
    ) -> int:
        uid = T[UnitKerja].add(
            {
                "instansi_id": inst.id,
                "induk_id": induk,
                "nama": nama,
                "mandiri": mandiri,
                "singkatan": singkatan,
                "penilai_jabatan_id": None,
            }
        )
        inst.units.append(uid)
        unit_info[uid] = rules.UnitInfo(uid, mandiri, None)
        org.unit_members[uid] = []
        return uid

    def jab(
        unit_id: int,
        nama: str,
        jenis: str,
        atasan: int | None,
        kepala: bool = False,
        jenjang: str = "",
    ) -> int:
        jid = T[Jabatan].add(
            {
                "unit_kerja_id": unit_id,
                "nama": nama,
                "jenis": jenis,
                "jenjang": jenjang,
                "atasan_id": atasan,
                "kepala_unit": kepala,
            }
        )
        jab_info[jid] = rules.JabatanInfo(jid, jenis, atasan, unit_id, kepala)
        return jid

    def peg(
        inst: Inst,
        i_inst: int,
        unit_id: int,
        jabatan_id: int,
        jenis_jab: str,
        jenis_asn: str | None = None,
    ) -> Peg:
        if jenis_asn is None:
            jenis_asn = (
                "pppk" if jenis_jab in ("pelaksana", "fungsional") and rng.random() < 0.2 else "pns"
            )
        nip = nip_for(jenis_asn)
        nama = _name(rng)
        pid = T[Pegawai].new_id()
        username = nip or f"pn{pid}"
        uid = T[User].add(
            {
                "username": username,
                "password": password,
                "first_name": nama[:150],
                "email": f"{username}@contoh.go.id",
                "is_active": True,
                "date_joined": org.clock,
                "admin_instansi_id": None,
            }
        )
        status = "aktif"
        if jenis_jab in ("pelaksana", "fungsional") and rng.random() < 0.01:
            status = "cuti"
        p = Peg(
            pid,
            uid,
            i_inst,
            inst.id,
            unit_id,
            jabatan_id,
            jenis_jab,
            nip,
            nama,
            jenis_asn,
            golongan_for(jenis_jab, jenis_asn),
            status,
        )
        org.pegawai.append(p)
        org.by_id[pid] = p
        inst.pegawai.append(len(org.pegawai) - 1)
        org.unit_members[unit_id].append(len(org.pegawai) - 1)
        progress.step(1, "organisasi")
        return p

    def staff(
        inst: Inst, i_inst: int, unit_id: int, atasan_jab: int, n: int, names=STAF
    ) -> list[Peg]:
        kinds = rng.sample(names, k=min(len(names), 2 + rng.randrange(0, 2)))
        jids = [jab(unit_id, nm, jenis, atasan_jab, jenjang=jj) for nm, jenis, jj in kinds]
        out = []
        for k in range(n):
            w = k % len(jids)
            out.append(peg(inst, i_inst, unit_id, jids[w], kinds[w][1]))
        return out

    small_done = False
    for i, size in enumerate(sizes):
        prov = i == 0
        daerah = "Sumatera Utara" if prov else DAERAH[(i - 1) % len(DAERAH)]
        suffix = "" if prov or i <= len(DAERAH) else f" {ROMAN((i - 1) // len(DAERAH) + 1)}"
        kota = i > 1 and daerah in (
            "Medan",
            "Binjai",
            "Tebing Tinggi",
            "Pematangsiantar",
            "Tanjungbalai",
            "Sibolga",
            "Padangsidimpuan",
            "Gunungsitoli",
        )
        nama = (
            f"Pemerintah Provinsi {daerah}"
            if prov
            else f"Pemerintah {'Kota' if kota else 'Kabupaten'} {daerah}{suffix}"
        )
        kode = f"G-{i:03d}"
        iid = T[Instansi].add(
            {
                "kode": kode,
                "nama": nama,
                "jenis": "daerah",
                "kota": "Medan" if prov else daerah,
                "pejabat_keberatan_id": None,
            }
        )
        inst = Inst(iid, kode, nama)
        org.instansi.append(inst)
        inst.admin_user_id = T[User].add(
            {
                "username": f"admin.{kode.lower()}",
                "password": password,
                "first_name": "Admin BKD",
                "email": f"admin.{kode.lower()}@contoh.go.id",
                "is_active": True,
                "date_joined": org.clock,
                "admin_instansi_id": iid,
            }
        )
        inst.periode_id = T[Periode].add(
            {
                "instansi_id": iid,
                "tahun": org.tahun,
                "frekuensi": "triwulanan",
                "status": "evaluasi",
                "batas_perencanaan": dt.date(org.tahun, 1, 31),
            }
        )
        root = unit(inst, nama, None)
        pim_title = "Gubernur" if prov else ("Wali Kota" if kota else "Bupati")
        j_pim = jab(root, pim_title, J.PIMPINAN_INSTANSI, None, kepala=True)
        inst.pim_jab = j_pim
        peg(inst, i, root, j_pim, J.PIMPINAN_INSTANSI, jenis_asn="pejabat_negara")
        setda = unit(inst, "Sekretariat Daerah", root, singkatan="Setda")
        j_sekda = jab(
            setda, "Sekretaris Daerah", J.JPT_MADYA if prov else J.JPT_PRATAMA, j_pim, kepala=True
        )
        sekda = peg(inst, i, setda, j_sekda, J.JPT_MADYA if prov else J.JPT_PRATAMA)
        org.unit_kepala[setda] = sekda.id
        remaining = size - 2
        if prov and big_unit:
            # A hospital: one unit kerja of `big_unit` pegawai; the nursing head rates half.
            rs = unit(
                inst,
                f"Rumah Sakit Umum Daerah Provinsi {daerah}",
                root,
                mandiri=True,
                singkatan="RSUD",
            )
            org.big_unit_id = rs
            j_dir = jab(rs, "Direktur RSUD", J.JPT_PRATAMA, j_sekda, kepala=True)
            d = peg(inst, i, rs, j_dir, J.JPT_PRATAMA)
            org.unit_kepala[rs] = d.id
            j_kep = jab(rs, "Kepala Bidang Keperawatan", J.ADMINISTRATOR, j_dir)
            j_yan = jab(rs, "Kepala Bidang Pelayanan Medik", J.ADMINISTRATOR, j_dir)
            kep = peg(inst, i, rs, j_kep, J.ADMINISTRATOR)
            peg(inst, i, rs, j_yan, J.ADMINISTRATOR)
            org.big_team_leader = kep.id
            team = (big_unit - 3) // 2 + (big_unit - 3) % 2
            staff(
                inst,
                i,
                rs,
                j_kep,
                team,
                names=[
                    ("Perawat Ahli Pertama", "fungsional", "ahli_pertama"),
                    ("Perawat Terampil", "fungsional", "terampil"),
                ],
            )
            staff(
                inst,
                i,
                rs,
                j_yan,
                big_unit - 3 - team,
                names=[
                    ("Dokter Ahli Pertama", "fungsional", "ahli_pertama"),
                    ("Dokter Ahli Muda", "fungsional", "ahli_muda"),
                    ("Pengadministrasi Umum", "pelaksana", ""),
                ],
            )
            remaining -= big_unit
        n_dinas = max(1, min(len(DINAS) + 1, remaining // 120))
        parts = _split(remaining, n_dinas, rng)
        for d_i, dsize in enumerate(parts):
            if d_i == 0:
                # Biro under the Sekretariat Daerah, headed by the Sekda.
                du, j_head, head_pid = setda, j_sekda, sekda.id
                rest = dsize
            else:
                dn = DINAS[(d_i - 1) % len(DINAS)]
                du = unit(inst, dn, root)
                j_head = jab(du, f"Kepala {dn}", J.JPT_PRATAMA, j_sekda, kepala=True)
                head = peg(inst, i, du, j_head, J.JPT_PRATAMA)
                head_pid = head.id
                org.unit_kepala[du] = head.id
                rest = dsize - 1
            inst.dinas.append((du, head_pid))
            if rest <= 0:
                continue
            n_bid = max(1, min(5, rest // 30))
            for b_i, bsize in enumerate(_split(rest, n_bid, rng)):
                if bsize <= 0:
                    continue
                if d_i == 0:
                    bnama = f"Biro {BIDANG[b_i % len(BIDANG)]}"
                elif b_i == 0:
                    bnama = "Sekretariat"
                else:
                    bnama = f"Bidang {BIDANG[(b_i - 1) % len(BIDANG)]}"
                bu = unit(inst, bnama, du)
                j_kb = jab(
                    bu,
                    "Sekretaris" if bnama == "Sekretariat" else f"Kepala {bnama}",
                    J.ADMINISTRATOR,
                    j_head,
                    kepala=True,
                )
                kb = peg(inst, i, bu, j_kb, J.ADMINISTRATOR)
                org.unit_kepala[bu] = kb.id
                brest = bsize - 1
                if brest <= 0:
                    continue
                n_sek = max(1, min(4, brest // 8))
                sparts = _split(brest, n_sek, rng)
                if not small_done and prov and len(sparts) > 1 and sparts[0] > 6:
                    sparts[1] += sparts[0] - 6
                    sparts[0] = 6
                for s_i, ssize in enumerate(sparts):
                    if ssize <= 0:
                        continue
                    snama = f"{'Subbagian' if bnama == 'Sekretariat' else 'Seksi'} {SEKSI[s_i % len(SEKSI)]}"
                    su = unit(inst, snama, bu)
                    j_ks = jab(su, f"Kepala {snama}", J.PENGAWAS, j_kb, kepala=True)
                    vacant = ssize > 3 and rng.random() < 0.01 and small_done
                    if not vacant:
                        ks = peg(inst, i, su, j_ks, J.PENGAWAS)
                        org.unit_kepala[su] = ks.id
                    n_staff = ssize if vacant else ssize - 1
                    staff(inst, i, su, j_ks, n_staff)
                    if not small_done and prov and n_staff == 5 and not vacant:
                        org.small_team_leader = ks.id
                        small_done = True

    # Who rates whom, with the kernel's own rule, per instansi.
    for inst in org.instansi:
        members = [org.pegawai[k] for k in inst.pegawai]
        holder: dict[int, int] = {}
        for p in members:
            if p.jabatan_id:
                holder.setdefault(p.jabatan_id, p.id)
        derived = rules.derive_penilai(
            {p.id: p.jabatan_id for p in members},
            jabatan_by_id=jab_info,
            unit_by_id=unit_info,
            holder_by_jabatan=holder,
            acting_by_jabatan={},
            instansi_daerah=True,
            pimpinan_jabatan_id=inst.pim_jab,
        )
        for p in members:
            p.penilai, p.atasan = derived[p.id]

    for p in org.pegawai:
        T[Pegawai].add(
            {
                "id": p.id,
                "user_id": p.user_id,
                "instansi_id": p.instansi_id,
                "nip": p.nip,
                "nama": p.nama,
                "jenis_asn": p.jenis_asn,
                "golongan": p.golongan,
                "jabatan_id": p.jabatan_id,
                "unit_kerja_id": p.unit_id,
                "status": p.status,
                "email": f"{p.nip or 'pn' + str(p.id)}@contoh.go.id",
                "plt_jabatan_id": None,
                "plt_jenis": "",
                "penilai_override_id": None,
                "pejabat_penilai_id": p.penilai,
                "atasan_pejabat_penilai_id": p.atasan,
            }
        )

    # TimKerja: one or two per dinas, ketua a fungsional, members across the dinas' units.
    through = TimKerja.anggota.through
    for inst in org.instansi:
        idxs = list(inst.pegawai)
        fung = [k for k in idxs if org.pegawai[k].jenis_jab == "fungsional"]
        if not fung:
            continue
        n_tim = max(1, len(inst.dinas))
        for t_i in range(n_tim):
            ketua = org.pegawai[rng.choice(fung)]
            tid = T[TimKerja].add(
                {
                    "instansi_id": inst.id,
                    "nama": f"Tim Kerja {rng.choice(OBJEK).title()} {t_i + 1}",
                    "ketua_id": ketua.id,
                    "aktif": True,
                }
            )
            members = {
                org.pegawai[k].id for k in rng.sample(idxs, k=min(len(idxs), 6 + rng.randrange(6)))
            }
            members.discard(ketua.id)
            for mid in sorted(members):
                T[through].add({"timkerja_id": tid, "pegawai_id": mid})


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


def _stage_skp(T: Tables, org: Org, rng: random.Random, progress: Progress, **_: Any) -> None:
    SKP = _model("skp.SKP")
    RHK = _model("skp.RencanaHasilKerja")
    Indikator = _model("skp.Indikator")
    Perilaku = _model("skp.EkspektasiPerilaku")
    if not all((SKP, RHK, Indikator, Perilaku)):
        raise StageMissing("model skp belum ada")
    y = org.tahun
    rated = [p for p in org.pegawai if p.jenis_asn != "pejabat_negara"]
    # Pass 1: ids, so a member's RHK can point at the penilai's (cascading).
    plan: dict[int, dict] = {}
    for p in rated:
        two = p.jenis_jab in ("pelaksana", "fungsional") and rng.random() < 0.04
        jpt = p.jenis_jab.startswith("jpt")
        n_utama = 3 if jpt else 2
        n_tambahan = 0 if jpt else 1
        kunci = [
            uuid.UUID(int=rng.getrandbits(128), version=4) for _ in range(n_utama + n_tambahan)
        ]
        skp_v1 = T[SKP].new_id()
        skp_v2 = T[SKP].new_id() if two else None
        rhk_v1 = [T[RHK].new_id() for _ in kunci]
        rhk_v2 = [T[RHK].new_id() for _ in kunci] if two else None
        extra = (T[RHK].new_id(), uuid.UUID(int=rng.getrandbits(128), version=4)) if two else None
        plan[p.id] = {
            "two": two,
            "jpt": jpt,
            "n_utama": n_utama,
            "kunci": kunci,
            "skp": (skp_v1, skp_v2),
            "rhk": (rhk_v1, rhk_v2),
            "extra": extra,
        }
        cur_rhk = rhk_v2 or rhk_v1
        p.rhk = [
            (cur_rhk[k], kunci[k], "utama" if k < n_utama else "tambahan")
            for k in range(len(kunci))
        ]
        if extra:
            p.rhk.append((extra[0], extra[1], "tambahan"))
            org.penugasan_rhk[p.id] = (extra[0], skp_v2)
        p.skp_id = skp_v2 or skp_v1
    diajukan = _ts(org, rng, dt.date(y, 1, 10), dt.date(y, 1, 25))
    for p in rated:
        pl = plan[p.id]
        penilai_rhk = org.by_id[p.penilai].rhk if p.penilai and p.penilai in plan else []
        obj = rng.choice(OBJEK)
        versions = [(pl["skp"][0], pl["rhk"][0], 1, not pl["two"])]
        if pl["two"]:
            versions.append((pl["skp"][1], pl["rhk"][1], 2, True))
        for skp_id, rhk_ids, versi, terkini in versions:
            disetujui = diajukan + dt.timedelta(days=2 + rng.randrange(5))
            if versi == 2:
                diajukan_v = _ts(org, rng, dt.date(y, 4, 1), dt.date(y, 6, 30))
                disetujui = diajukan_v + dt.timedelta(days=1 + rng.randrange(3))
            else:
                diajukan_v = diajukan
            T[SKP].add(
                {
                    "id": skp_id,
                    "pegawai_id": p.id,
                    "periode_id": org.instansi[p.inst].periode_id,
                    "versi": versi,
                    "status": "disetujui",
                    "pendekatan": "kualitatif" if rng.random() < 0.08 else "kuantitatif",
                    "jenis": "jpt" if pl["jpt"] else "ja_jf",
                    "pejabat_penilai_id": p.penilai,
                    "atasan_pejabat_penilai_id": p.atasan,
                    "terkini": terkini,
                    "alasan_perubahan": "Penugasan baru disetujui" if versi == 2 else "",
                    "diajukan_pada": diajukan_v,
                    "disetujui_pada": disetujui,
                    "dibuat": diajukan_v - dt.timedelta(days=3),
                    "diperbarui": disetujui,
                    "dibuat_oleh_id": p.user_id,
                    "row_version": 1,
                    "dukungan_sumber_daya": "Anggaran DPA, sarana kerja kantor",
                    "skema_pertanggungjawaban": "Laporan bulanan kepada atasan langsung",
                    "konsekuensi": "Sesuai ketentuan disiplin dan penilaian kinerja",
                }
            )
            for k, rid in enumerate(rhk_ids):
                utama = k < pl["n_utama"]
                atas = penilai_rhk[k % len(penilai_rhk)][0] if (utama and penilai_rhk) else None
                T[RHK].add(
                    {
                        "id": rid,
                        "skp_id": skp_id,
                        "jenis": "utama" if utama else "tambahan",
                        "urutan": k + 1,
                        "rencana": rng.choice(HASIL).format(x=obj if k == 0 else rng.choice(OBJEK)),
                        "rhk_atasan_id": atas,
                        "kunci": pl["kunci"][k],
                        "perspektif": rng.choice(
                            ["penerima_layanan", "proses_bisnis", "penguatan_internal", "anggaran"]
                        )
                        if pl["jpt"]
                        else "",
                        "pemberi_tugas_id": None,
                        "tim_id": None,
                        "sumber": "matriks" if atas else "manual",
                        "peran_hasil_id": None,
                        "row_version": 1,
                    }
                )
                for a_i in range(1 + (rng.random() < 0.5)):
                    aspek = ("kuantitas", "kualitas", "waktu")[
                        a_i if a_i < 1 else rng.randrange(1, 3)
                    ]
                    T[Indikator].add(
                        {
                            "rencana_id": rid,
                            "aspek": aspek,
                            "indikator": {
                                "kuantitas": "Jumlah dokumen yang diselesaikan",
                                "kualitas": "Persentase dokumen tanpa revisi",
                                "waktu": "Ketepatan waktu penyelesaian",
                            }[aspek],
                            "target": {
                                "kuantitas": f"{rng.randrange(2, 24)} dokumen",
                                "kualitas": f"{rng.choice([80, 85, 90, 95])} %",
                                "waktu": f"{rng.choice([3, 6, 12])} bulan",
                            }[aspek],
                            "sumber_data": "Aplikasi e-Kinerja",
                            "urutan": a_i + 1,
                        }
                    )
            if versi == 2 and pl["extra"]:
                rid, kunci = pl["extra"]
                T[RHK].add(
                    {
                        "id": rid,
                        "skp_id": skp_id,
                        "jenis": "tambahan",
                        "urutan": len(rhk_ids) + 1,
                        "rencana": f"Terlaksananya penugasan {rng.choice(OBJEK)}",
                        "rhk_atasan_id": None,
                        "kunci": kunci,
                        "perspektif": "",
                        "sumber": "penugasan",
                        "row_version": 1,
                        "pemberi_tugas_id": None,
                        "tim_id": None,
                        "peran_hasil_id": None,
                    }
                )
                T[Indikator].add(
                    {
                        "rencana_id": rid,
                        "aspek": "kuantitas",
                        "indikator": "Jumlah keluaran penugasan",
                        "target": "1 laporan",
                        "sumber_data": "Laporan penugasan",
                        "urutan": 1,
                    }
                )
            for nilai in BERAKHLAK:
                T[Perilaku].add(
                    {
                        "skp_id": skp_id,
                        "nilai": nilai,
                        "ekspektasi_khusus": "Menyelesaikan layanan paling lambat 3 hari kerja"
                        if rng.random() < 0.15
                        else "",
                    }
                )
        progress.step(1, "skp")


# --- stage: dialog --------------------------------------------------------------------------
def _stage_dialog(T: Tables, org: Org, rng: random.Random, progress: Progress, **_: Any) -> None:
    UB = _model("dialog.UmpanBalik")
    Permintaan = _model("dialog.PermintaanUmpanBalik")
    Peluang = _model("dialog.Peluang")
    Penugasan = _model("dialog.Penugasan")
    Klar = _model("dialog.KlarifikasiEkspektasi")
    Realisasi = _model("dialog.Realisasi")
    Bukti = _model("dialog.BuktiDukung")
    Dialog = _model("dialog.DialogKinerja")
    TL = _model("dialog.TindakLanjut")
    if not all((UB, Realisasi, Penugasan)):
        raise StageMissing("model dialog belum ada")
    y = org.tahun
    windows = [j for j in rules.jendela_periodik(y, "triwulanan") if j.mulai <= org.clock.date()]
    peluang_by_inst: dict[int, list[int]] = {}
    if Peluang is not None:
        for inst in org.instansi:
            ids = []
            for du, head in inst.dinas[1:4]:
                ids.append(
                    T[Peluang].add(
                        {
                            "unit_kerja_id": du,
                            "pemberi_id": head,
                            "periode_id": inst.periode_id,
                            "judul": f"Tim percepatan {rng.choice(OBJEK)}",
                            "uraian": "Membantu penyelesaian pekerjaan lintas unit.",
                            "hasil_diharapkan": "Laporan akhir kegiatan",
                            "terbuka": True,
                            "batas_pendaftaran": dt.date(y, 6, 30),
                            "dibuat": org.clock,
                        }
                    )
                )
            peluang_by_inst[inst.id] = ids
    for p in org.pegawai:
        if p.jenis_asn == "pejabat_negara":
            progress.step(1, "dialog")
            continue
        inst = org.instansi[p.inst]
        periode = inst.periode_id
        peers = org.unit_members.get(p.unit_id, [])
        # Feedback: from the penilai on a RHK, from a peer on a BerAKHLAK value.
        if p.penilai and p.rhk:
            w = rng.choice(windows)
            T[UB].add(
                {
                    "penerima_id": p.id,
                    "pemberi_id": p.penilai,
                    "hubungan": "pejabat_penilai",
                    "rencana_hasil_kerja_id": rng.choice(p.rhk)[0],
                    "perilaku": "",
                    "jenis": "apresiasi" if rng.random() < 0.7 else "perbaikan",
                    "cara": rng.choice(["langsung", "tertulis"]),
                    "isi": "Capaian sudah baik, pertahankan ketepatan waktu laporan.",
                    "periode_id": periode,
                    "urutan": w.urutan,
                    "permintaan_id": None,
                    "dibuat": _ts(org, rng, w.mulai, w.selesai),
                }
            )
        if len(peers) > 1:
            q = org.pegawai[rng.choice(peers)]
            if q.id != p.id and q.jenis_asn != "pejabat_negara":
                w = rng.choice(windows)
                pid = None
                if Permintaan is not None and rng.random() < 0.3:
                    pid = T[Permintaan].add(
                        {
                            "peminta_id": p.id,
                            "diminta_id": q.id,
                            "rencana_hasil_kerja_id": None,
                            "perilaku": "kolaboratif",
                            "pesan": "Mohon masukan kerja sama tim.",
                            "status": "dijawab",
                            "dibuat": _ts(org, rng, w.mulai, w.selesai),
                        }
                    )
                hub = (
                    "bawahan"
                    if q.penilai == p.id
                    else ("pejabat_penilai" if p.penilai == q.id else "rekan")
                )
                T[UB].add(
                    {
                        "penerima_id": p.id,
                        "pemberi_id": q.id,
                        "hubungan": hub,
                        "rencana_hasil_kerja_id": None,
                        "perilaku": rng.choice(BERAKHLAK),
                        "jenis": "apresiasi" if rng.random() < 0.8 else "perbaikan",
                        "cara": "tertulis",
                        "isi": "Terima kasih atas bantuannya.",
                        "periode_id": periode,
                        "urutan": w.urutan,
                        "permintaan_id": pid,
                        "dibuat": _ts(org, rng, w.mulai, w.selesai),
                    }
                )
        # Penugasan (assignments) routed through the penilai.
        if p.id in org.penugasan_rhk or (p.penilai and rng.random() < 0.02):
            heads = [h for _, h in inst.dinas if h not in (p.id, p.penilai)]
            if heads and p.penilai:
                pemberi = rng.choice(heads)
                accepted = p.id in org.penugasan_rhk
                status = "disetujui" if accepted else rng.choice(["ditolak", "diusulkan"])
                rhk_id, skp_v2 = org.penugasan_rhk.get(p.id, (None, None))
                dibuat = _ts(org, rng, dt.date(y, 3, 1), dt.date(y, 5, 30))
                pen = T[Penugasan].add(
                    {
                        "pemberi_id": pemberi,
                        "penerima_id": p.id,
                        "periode_id": periode,
                        "uraian": f"Membantu kegiatan {rng.choice(OBJEK)}",
                        "hasil_diharapkan": "Laporan kegiatan",
                        "sukarela": False,
                        "peluang_id": None,
                        "tim_id": None,
                        "kelompok": None,
                        "status": status,
                        "alasan": "Beban kerja sudah penuh" if status == "ditolak" else "",
                        "jenis_rhk": "tambahan",
                        "diusulkan_oleh_id": org.by_id[pemberi].user_id,
                        "diputuskan_oleh_id": p.penilai if status != "diusulkan" else None,
                        "diputuskan": dibuat + dt.timedelta(days=2)
                        if status != "diusulkan"
                        else None,
                        "rencana_hasil_kerja_id": rhk_id,
                        "dibuat": dibuat,
                        "row_version": 1,
                    }
                )
                if accepted and Klar is not None:
                    T[Klar].add(
                        {
                            "penugasan_id": pen,
                            "ekspektasi": "Laporan selesai akhir triwulan.",
                            "catatan": "",
                            "waktu": dibuat + dt.timedelta(days=3),
                            "dicatat_oleh_id": p.penilai,
                            "skp_id": skp_v2,
                        }
                    )
        # Realisasi per RHK per window, some with a link as bukti dukung.
        for rid, kunci, _jenis in p.rhk:
            for w in windows:
                real = T[Realisasi].add(
                    {
                        "pegawai_id": p.id,
                        "periode_id": periode,
                        "urutan": w.urutan,
                        "rencana_hasil_kerja_id": rid,
                        "rhk_kunci": kunci,
                        "uraian": f"Realisasi {w.label.lower()}: kegiatan terlaksana sesuai rencana",
                        "angka": rng.randrange(1, 20),
                        "satuan": "dokumen",
                        "diperbarui": _ts(org, rng, w.mulai, w.selesai),
                        "row_version": 1,
                    }
                )
                if Bukti is not None and rng.random() < 0.25:
                    T[Bukti].add(
                        {
                            "realisasi_id": real,
                            "judul": "Tautan laporan",
                            "berkas": "",
                            "tautan": f"https://drive.contoh.go.id/laporan/{real}",
                            "diunggah_oleh_id": p.user_id,
                            "dibuat": org.clock,
                        }
                    )
        # Dialog kinerja (check-in) with the penilai.
        if Dialog is not None and p.penilai and rng.random() < 0.25:
            w = rng.choice(windows)
            did = T[Dialog].add(
                {
                    "pegawai_id": p.id,
                    "pemimpin_id": p.penilai,
                    "periode_id": periode,
                    "jenis": rng.choice(["check_in", "check_in", "bimbingan", "konseling"]),
                    "waktu": _ts(org, rng, w.mulai, w.selesai),
                    "agenda": "Tinjauan capaian triwulan",
                    "catatan": "Sepakat mempercepat laporan.",
                    "dibuat": org.clock,
                    "row_version": 1,
                }
            )
            if TL is not None and rng.random() < 0.5:
                T[TL].add(
                    {
                        "dialog_id": did,
                        "uraian": "Menyerahkan draf laporan",
                        "penanggung_jawab_id": p.id,
                        "tenggat": min(w.selesai, dt.date(y, 12, 31)),
                        "selesai": rng.random() < 0.6,
                        "selesai_pada": None,
                    }
                )
        progress.step(1, "dialog")


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


def _stage_evaluasi(T: Tables, org: Org, rng: random.Random, progress: Progress, **_: Any) -> None:
    Evaluasi = _model("evaluasi.Evaluasi")
    KO = _model("evaluasi.KinerjaOrganisasi")
    PRHK = _model("evaluasi.PenilaianRHK")
    Catatan = _model("evaluasi.CatatanPerilaku")
    if Evaluasi is None or KO is None:
        raise StageMissing("model evaluasi belum ada")
    from evaluasi import rules as erules

    y = org.tahun
    windows = [("periodik", j.urutan, j) for j in rules.jendela_periodik(y, "triwulanan")]
    windows.append(("tahunan", None, rules.jendela_tahunan(y, "triwulanan")))
    # Kinerja organisasi of every headed unit, every window.
    ko: dict[tuple[int, str, int | None], str] = {}
    for inst in org.instansi:
        admin = inst.admin_user_id
        for uid in inst.units:
            if uid not in org.unit_kepala:
                continue
            for jenis, urutan, j in windows:
                pred = _pick(rng, KO_W)
                ko[(uid, jenis, urutan)] = pred
                T[KO].add(
                    {
                        "unit_kerja_id": uid,
                        "periode_id": inst.periode_id,
                        "jenis": jenis,
                        "urutan": urutan,
                        "predikat": pred,
                        "capaian": "Capaian perjanjian kinerja unit sesuai laporan triwulan.",
                        "ditetapkan_oleh_id": admin,
                        "ditetapkan_pada": _ts(
                            org, rng, j.selesai, j.selesai + dt.timedelta(days=10)
                        ),
                        "row_version": 1,
                    }
                )
    kepala_ids = set(org.unit_kepala.values())
    for p in org.pegawai:
        if p.jenis_asn == "pejabat_negara" or not p.penilai or p.skp_id is None:
            progress.step(1, "evaluasi")
            continue
        periode = org.instansi[p.inst].periode_id
        penilai_user = org.by_id[p.penilai].user_id
        for jenis, urutan, j in windows:
            pred = _pick(rng, PREDIKAT_W)
            hasil, perilaku = rng.choice(PAIRS[pred])
            saran = hasil
            if p.id in kepala_ids and (p.unit_id, jenis, urutan) in ko:
                hasil = erules.rating_hasil_dari_organisasi(ko[(p.unit_id, jenis, urutan)])
                saran = hasil
                pred = erules.predikat(hasil, perilaku)
            elif rng.random() < 0.1:
                saran = SESUAI if hasil != SESUAI else DIATAS
            final = jenis == "periodik" or rng.random() < 0.95
            when = _ts(org, rng, j.selesai, j.selesai + dt.timedelta(days=14))
            eid = T[Evaluasi].add(
                {
                    "pegawai_id": p.id,
                    "periode_id": periode,
                    "skp_id": p.skp_id,
                    "jenis": jenis,
                    "urutan": urutan,
                    "pejabat_penilai_id": p.penilai,
                    "atasan_pejabat_penilai_id": p.atasan,
                    "rating_hasil_kerja": hasil,
                    "rating_perilaku_kerja": perilaku,
                    "predikat": pred,
                    "saran_rating_hasil_kerja": saran,
                    "alasan_ubah_rating": ""
                    if saran == hasil
                    else "Capaian melampaui target utama.",
                    "ipk": None,
                    "predikat_ipk": "",
                    "catatan": "Pertahankan kinerja.",
                    "status": "final" if final else "draft",
                    "finalisasi_pada": when if final else None,
                    "finalisasi_oleh_id": penilai_user if final else None,
                    "alasan_buka_kembali": "",
                    "dokumen_id": None,
                    "dokumen_row_version": None,
                    "dibuat": when - dt.timedelta(days=2),
                    "diperbarui": when,
                    "row_version": 1,
                }
            )
            if PRHK is not None:
                for _rid, kunci, rjenis in p.rhk:
                    r = hasil if rng.random() < 0.7 else rng.choice((DIBAWAH, SESUAI, DIATAS))
                    T[PRHK].add(
                        {
                            "evaluasi_id": eid,
                            "rhk_kunci": kunci,
                            "jenis": rjenis,
                            "rencana": "",
                            "rating": r,
                            "catatan": "",
                        }
                    )
            if Catatan is not None and jenis == "tahunan":
                for nilai in BERAKHLAK:
                    T[Catatan].add(
                        {
                            "evaluasi_id": eid,
                            "nilai": nilai,
                            "catatan": "Sesuai ekspektasi." if rng.random() < 0.8 else "",
                        }
                    )
        progress.step(1, "evaluasi")
