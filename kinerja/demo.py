"""Demo organisation: the Pemerintah Provinsi Nusa Tenggara Timur, its people and this year's
Periode. Called by `manage.py demo`; later stages add their part with `<app>.demo.seed(ctx)`.

- Deterministic for a given --seed: names, NIPs and assignments come from `random.Random(seed)`
  drawn in a fixed order.
- Idempotent: every row has a natural key (unit path, unit path + position name, NIP, username);
  a second run finds them all and writes nothing.
- Bulk-friendly: units and positions are created level by level, pegawai and logins with
  `bulk_create` in batches, one password hash shared by every demo login (hashing 100k
  passwords one by one would take hours), then who-rates-whom is derived once.
- The structure grows with --pegawai: about 60 more people add a dinas (from the real list of
  NTT perangkat daerah), and past that list numbered UPTD under them.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from kinerja import demo_org
from kinerja.models import Instansi, Jabatan, Pegawai, Periode, TimKerja, UnitKerja, User
from kinerja.rules import make_nip
from kinerja.services import penilai_refresh

PASSWORD = "kinerja2026"
KODE = "P53"
BATCH = 2000
J = Jabatan.Jenis

PRIA = [
    "Yohanes",
    "Fransiskus",
    "Agustinus",
    "Yosef",
    "Petrus",
    "Paulus",
    "Kristoforus",
    "Marselinus",
    "Benediktus",
    "Dominikus",
    "Aloysius",
    "Antonius",
    "Bernadus",
    "Hendrikus",
    "Gabriel",
    "Kornelis",
    "Markus",
    "Matheus",
    "Stefanus",
    "Wilhelmus",
    "Yakobus",
    "Ignasius",
    "Arnoldus",
    "Emanuel",
    "Rofinus",
    "Oktavianus",
    "Melkianus",
    "Obed",
    "Yermias",
    "Nikodemus",
    "Daniel",
    "Samuel",
    "Elias",
    "Simon",
    "Lukas",
    "Muhammad Ansor",
    "Abdul Rahman",
]
WANITA = [
    "Maria",
    "Yuliana",
    "Agustina",
    "Fransiska",
    "Elisabeth",
    "Margaretha",
    "Veronika",
    "Theresia",
    "Anastasia",
    "Helena",
    "Katarina",
    "Magdalena",
    "Regina",
    "Skolastika",
    "Yustina",
    "Ursula",
    "Imelda",
    "Natalia",
    "Mariana",
    "Adriana",
    "Martha",
    "Debora",
    "Ribka",
    "Lidia",
    "Sarlota",
    "Orpa",
    "Yohana",
    "Ester",
    "Dorkas",
    "Naomi",
    "Selfina",
    "Novita",
    "Getrudis",
    "Siti Aminah",
    "Nurhayati",
]
MARGA = [
    "Bria",
    "Nenobais",
    "Manafe",
    "Tallo",
    "Mbete",
    "Lana",
    "Kadja",
    "Lenggu",
    "Amalo",
    "Seran",
    "Nahak",
    "Bere",
    "Ndun",
    "Kewa",
    "Lelo",
    "Wuwur",
    "Djami",
    "Fanggidae",
    "Riwu Kaho",
    "Pello",
    "Foenay",
    "Tefa",
    "Nope",
    "Benu",
    "Nubatonis",
    "Taneo",
    "Missa",
    "Kolo",
    "Atok",
    "Taek",
    "Klau",
    "Mau",
    "Nalle",
    "Dethan",
    "Bataona",
    "Kelen",
    "Koten",
    "Making",
    "Beda",
    "Ola",
    "Lamanepa",
    "Hurek",
    "Sogen",
    "Lewar",
    "Bolen",
    "Naif",
    "Baun",
    "Henukh",
    "Adoe",
    "Haning",
    "Therik",
    "Ludji",
    "Huki",
    "Bessie",
    "Radja",
    "Mooy",
    "Dimu",
    "Keraf",
    "Wangge",
    "Djogo",
    "Woda",
    "Dapa",
    "Ndolu",
    "Pandie",
]
DINAS_LAIN = [
    "Dinas Pertanian dan Ketahanan Pangan",
    "Dinas Kelautan dan Perikanan",
    "Dinas Pariwisata dan Ekonomi Kreatif",
    "Dinas Sosial",
    "Dinas Perhubungan",
    "Badan Pendapatan dan Aset Daerah",
    "Badan Perencanaan Pembangunan Daerah",
    "Dinas Lingkungan Hidup dan Kehutanan",
    "Dinas Pemberdayaan Masyarakat dan Desa",
    "Dinas Perindustrian dan Perdagangan",
    "Dinas Peternakan",
    "Badan Penanggulangan Bencana Daerah",
    "Badan Kesatuan Bangsa dan Politik",
    "Dinas Pemuda dan Olahraga",
    "Dinas Perpustakaan dan Kearsipan",
    "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu",
    "Dinas Pemberdayaan Perempuan dan Perlindungan Anak",
    "Inspektorat Daerah",
    "Satuan Polisi Pamong Praja",
    "Dinas Koperasi, Tenaga Kerja dan Transmigrasi",
    "Dinas Energi dan Sumber Daya Mineral",
    "Dinas Kependudukan dan Pencatatan Sipil",
]
KABUPATEN = [
    "Kupang",
    "Timor Tengah Selatan",
    "Timor Tengah Utara",
    "Belu",
    "Malaka",
    "Alor",
    "Lembata",
    "Flores Timur",
    "Sikka",
    "Ende",
    "Nagekeo",
    "Ngada",
    "Manggarai Timur",
    "Manggarai",
    "Manggarai Barat",
    "Sumba Timur",
    "Sumba Tengah",
    "Sumba Barat",
    "Sumba Barat Daya",
    "Sabu Raijua",
    "Rote Ndao",
    "Kota Kupang",
]
GOLONGAN = {
    J.JPT_MADYA: ["IV/d"],
    J.JPT_PRATAMA: ["IV/c", "IV/d"],
    J.ADMINISTRATOR: ["IV/a", "IV/b"],
    J.PENGAWAS: ["III/d", "IV/a"],
    J.PELAKSANA: ["II/b", "II/c", "II/d", "III/a", "III/b"],
    J.FUNGSIONAL: ["III/a", "III/b", "III/c", "III/d", "IV/a"],
}
GOLONGAN_PPPK = {J.PELAKSANA: ["V", "VI", "VII"], J.FUNGSIONAL: ["IX", "X", "XI"]}


# --- the plan: what the demo organisation consists of ---------------------------------------
@dataclass
class UnitSpec:
    path: tuple[str, ...]
    singkatan: str = ""
    mandiri: bool = False
    penilai: tuple[tuple[str, ...], str] | None = None  # coordinating position key


@dataclass
class JabSpec:
    unit: tuple[str, ...]
    nama: str
    jenis: str
    atasan: tuple[tuple[str, ...], str] | None
    kepala: bool = False
    jenjang: str = ""

    @property
    def key(self) -> tuple[tuple[str, ...], str]:
        return (self.unit, self.nama)


@dataclass
class PegSpec:
    nama: str
    jabatan: tuple[tuple[str, ...], str]
    jenis_asn: str
    golongan: str
    nip: str | None
    username: str
    role: str = ""


@dataclass
class Plan:
    units: list[UnitSpec] = field(default_factory=list)
    jabatan: list[JabSpec] = field(default_factory=list)
    pegawai: list[PegSpec] = field(default_factory=list)
    slots: list[tuple[tuple[str, ...], str]] = field(default_factory=list)

    def unit(self, *path: str, **kw: Any) -> tuple[str, ...]:
        self.units.append(UnitSpec(tuple(path), **kw))
        return tuple(path)

    def jab(self, unit, nama, jenis, atasan=None, *, kepala=False, jenjang="", slot=False):
        spec = JabSpec(unit, nama, jenis, atasan, kepala, jenjang)
        self.jabatan.append(spec)
        if slot:
            self.slots.append(spec.key)
        return spec.key


class People:
    """Deterministic names and unique valid NIPs."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.nips: set[str] = set()
        self.names: set[str] = set()
        self.urut = 0

    def nama(self, pria: bool) -> str:
        for _ in range(50):
            first = self.rng.choice(PRIA if pria else WANITA)
            name = f"{first} {self.rng.choice(MARGA)}"
            if name not in self.names:
                break
            name = f"{first} {self.rng.choice(PRIA)[0]}. {self.rng.choice(MARGA)}"
            if name not in self.names:
                break
        self.names.add(name)
        return name

    def nip(self, pria: bool, *, pppk: bool, senior: bool) -> str:
        while True:
            self.urut += 1
            year = self.rng.randint(1966, 1978) if senior else self.rng.randint(1975, 2000)
            lahir = dt.date(year, self.rng.randint(1, 12), self.rng.randint(1, 28))
            if pppk:
                tmt = dt.date(self.rng.randint(max(2019, year + 20), 2024), 1, 1)
            else:
                tmt = dt.date(
                    self.rng.randint(year + 22, min(year + 32, 2024)), self.rng.randint(1, 12), 1
                )
            nip = make_nip(lahir, tmt, pria, self.urut, pppk=pppk)
            if nip not in self.nips:
                self.nips.add(nip)
                return nip


FIXED = {
    # role: (name, male)
    "sekda": ("Kosmas Dominikus Lana", True),
    "kepala_bkd": ("Maria Goreti Wuwur", False),
    "kabid": ("Yohanes Bria", True),
    "kasubbid": ("Fransiska Nenobais", False),
    "pegawai": ("Agustina Mbete", False),
    "rekan": ("Daniel Tallo", True),
    "fungsional": ("Elisabeth Manafe", False),
    "kadis": ("Aba Maulaka", True),
    "staf_dinas": ("Rudolf Amalo", True),
}


def build_plan(n_pegawai: int, seed: int) -> Plan:
    rng = random.Random(seed)
    people = People(rng)
    p = Plan()
    root = p.unit("Pemerintah Provinsi Nusa Tenggara Timur", singkatan="Pemprov NTT")
    gub = p.jab(root, "Gubernur Nusa Tenggara Timur", J.PIMPINAN_INSTANSI, kepala=True)

    setda = p.unit(*root, "Sekretariat Daerah", singkatan="Setda")
    sekda = p.jab(setda, "Sekretaris Daerah", J.JPT_MADYA, gub, kepala=True)
    asisten = p.jab(setda, "Asisten Pemerintahan dan Kesejahteraan Rakyat", J.JPT_PRATAMA, sekda)
    biro = p.unit(*setda, "Biro Organisasi")
    kabiro = p.jab(biro, "Kepala Biro Organisasi", J.JPT_PRATAMA, asisten, kepala=True)
    p.jab(
        biro, "Analis Kelembagaan Ahli Muda", J.FUNGSIONAL, kabiro, jenjang="ahli_muda", slot=True
    )
    p.jab(biro, "Pengadministrasi Perkantoran", J.PELAKSANA, kabiro, slot=True)

    bkd = p.unit(*root, "Badan Kepegawaian Daerah", singkatan="BKD")
    kbkd = p.jab(bkd, "Kepala Badan Kepegawaian Daerah", J.JPT_PRATAMA, sekda, kepala=True)
    sekban = p.jab(bkd, "Sekretaris Badan Kepegawaian Daerah", J.ADMINISTRATOR, kbkd)
    subbag = p.unit(*bkd, "Subbagian Umum dan Kepegawaian")
    kasubbag = p.jab(
        subbag, "Kepala Subbagian Umum dan Kepegawaian", J.PENGAWAS, sekban, kepala=True
    )
    p.jab(subbag, "Pengadministrasi Umum", J.PELAKSANA, kasubbag, slot=True)
    bidpk = p.unit(*bkd, "Bidang Penilaian Kinerja dan Penghargaan")
    kabid = p.jab(
        bidpk, "Kepala Bidang Penilaian Kinerja dan Penghargaan", J.ADMINISTRATOR, kbkd, kepala=True
    )
    subbid = p.unit(*bidpk, "Subbidang Evaluasi Kinerja")
    kasubbid = p.jab(subbid, "Kepala Subbidang Evaluasi Kinerja", J.PENGAWAS, kabid, kepala=True)
    pengolah = p.jab(subbid, "Pengolah Data Kinerja Pegawai", J.PELAKSANA, kasubbid, slot=True)
    analis = p.jab(subbid, "Analis Kinerja Pegawai", J.PELAKSANA, kasubbid)
    jf = p.jab(bidpk, "Analis SDM Aparatur Ahli Muda", J.FUNGSIONAL, kabid, jenjang="ahli_muda")
    p.jab(
        bidpk,
        "Analis SDM Aparatur Ahli Pertama",
        J.FUNGSIONAL,
        kabid,
        jenjang="ahli_pertama",
        slot=True,
    )
    bidmutasi = p.unit(*bkd, "Bidang Mutasi dan Promosi")
    kabidm = p.jab(
        bidmutasi, "Kepala Bidang Mutasi dan Promosi", J.ADMINISTRATOR, kbkd, kepala=True
    )
    p.jab(
        bidmutasi,
        "Analis SDM Aparatur Ahli Pertama",
        J.FUNGSIONAL,
        kabidm,
        jenjang="ahli_pertama",
        slot=True,
    )
    p.jab(bidmutasi, "Pengelola Data Mutasi", J.PELAKSANA, kabidm, slot=True)

    def dinas(nama: str, singkatan: str, bidang: list[tuple[str, str, str]]) -> dict:
        u = p.unit(*root, nama, singkatan=singkatan)
        kadis = p.jab(u, f"Kepala {nama}", J.JPT_PRATAMA, sekda, kepala=True)
        sek = p.jab(u, f"Sekretaris {nama}", J.ADMINISTRATOR, kadis)
        sub = p.unit(*u, "Subbagian Umum dan Kepegawaian")
        ks = p.jab(sub, "Kepala Subbagian Umum dan Kepegawaian", J.PENGAWAS, sek, kepala=True)
        p.jab(sub, "Pengadministrasi Umum", J.PELAKSANA, ks, slot=True)
        keys = {"unit": u, "kadis": kadis}
        for bid, fungsional, pelaksana in bidang:
            b = p.unit(*u, bid)
            kb = p.jab(b, f"Kepala {bid}", J.ADMINISTRATOR, kadis, kepala=True)
            p.jab(b, fungsional, J.FUNGSIONAL, kb, jenjang="ahli_pertama", slot=True)
            p.jab(b, pelaksana, J.PELAKSANA, kb, slot=True)
            keys[bid] = kb
        return keys

    kominfo = dinas(
        "Dinas Komunikasi dan Informatika",
        "Diskominfo",
        [
            (
                "Bidang Aplikasi Informatika",
                "Pranata Komputer Ahli Pertama",
                "Pengelola Sistem Informasi",
            ),
            (
                "Bidang Informasi dan Komunikasi Publik",
                "Pranata Humas Ahli Pertama",
                "Pengelola Konten Publikasi",
            ),
        ],
    )
    pranata = (kominfo["unit"] + ("Bidang Aplikasi Informatika",), "Pranata Komputer Ahli Pertama")
    dinkes = dinas(
        "Dinas Kesehatan",
        "Dinkes",
        [
            (
                "Bidang Pelayanan Kesehatan",
                "Administrator Kesehatan Ahli Pertama",
                "Pengelola Layanan Kesehatan",
            ),
            (
                "Bidang Pencegahan dan Pengendalian Penyakit",
                "Epidemiolog Kesehatan Ahli Pertama",
                "Pengelola Data Surveilans",
            ),
        ],
    )
    dikbud = dinas(
        "Dinas Pendidikan dan Kebudayaan",
        "Dikbud",
        [
            (
                "Bidang Pembinaan SMA",
                "Pengembang Teknologi Pembelajaran Ahli Pertama",
                "Pengelola Data Pendidikan",
            ),
            ("Bidang Kebudayaan", "Pamong Budaya Ahli Pertama", "Pengelola Cagar Budaya"),
        ],
    )
    dinas(
        "Dinas Pekerjaan Umum dan Perumahan Rakyat",
        "Dinas PUPR",
        [
            ("Bidang Bina Marga", "Teknik Jalan dan Jembatan Ahli Pertama", "Pengawas Lapangan"),
            ("Bidang Sumber Daya Air", "Teknik Pengairan Ahli Pertama", "Pengelola Irigasi"),
        ],
    )
    del dinkes

    # Unit kerja mandiri: a hospital rated by the Governor, and a branch office of the
    # education service coordinated by its Kepala Dinas (domain.md: the instansi chooses).
    rsud = p.unit(
        *root, "RSUD Prof. Dr. W. Z. Johannes Kupang", singkatan="RSUD Johannes", mandiri=True
    )
    direktur = p.jab(
        rsud, "Direktur RSUD Prof. Dr. W. Z. Johannes", J.JPT_PRATAMA, sekda, kepala=True
    )
    p.jab(rsud, "Dokter Ahli Madya", J.FUNGSIONAL, direktur, jenjang="ahli_madya", slot=True)
    p.jab(rsud, "Perawat Ahli Pertama", J.FUNGSIONAL, direktur, jenjang="ahli_pertama", slot=True)
    p.jab(rsud, "Pengadministrasi Rekam Medis", J.PELAKSANA, direktur, slot=True)
    cabdin = p.unit(
        *root, "Cabang Dinas Pendidikan Wilayah Sumba Timur", mandiri=True, penilai=dikbud["kadis"]
    )
    kacab = p.jab(
        cabdin,
        "Kepala Cabang Dinas Pendidikan Wilayah Sumba Timur",
        J.ADMINISTRATOR,
        dikbud["kadis"],
        kepala=True,
    )
    p.jab(cabdin, "Pengawas Sekolah Ahli Muda", J.FUNGSIONAL, kacab, jenjang="ahli_muda", slot=True)
    p.jab(cabdin, "Pengelola Data Sekolah", J.PELAKSANA, kacab, slot=True)

    # More people, more structure: a dinas per ~60 beyond the base, then UPTD under them.
    extra = max(0, math.ceil((n_pegawai - 150) / 60))
    extra_dinas = []
    for i in range(min(extra, len(DINAS_LAIN))):
        extra_dinas.append(
            dinas(
                DINAS_LAIN[i],
                "",
                [
                    (
                        "Bidang Program dan Perencanaan",
                        "Perencana Ahli Pertama",
                        "Penyusun Program",
                    ),
                    ("Bidang Pelayanan", "Analis Kebijakan Ahli Pertama", "Pengelola Layanan"),
                ],
            )
        )
    for k in range(max(0, extra - len(DINAS_LAIN))):
        parent = extra_dinas[k % len(extra_dinas)]
        wilayah = KABUPATEN[k % len(KABUPATEN)]
        u = p.unit(*parent["unit"], f"UPTD Wilayah {wilayah} {k // len(KABUPATEN) + 1}")
        kep = p.jab(u, f"Kepala {u[-1]}", J.PENGAWAS, parent["kadis"], kepala=True)
        p.jab(u, "Pengelola Layanan Wilayah", J.PELAKSANA, kep, slot=True)
        p.jab(u, "Penyuluh Ahli Pertama", J.FUNGSIONAL, kep, jenjang="ahli_pertama", slot=True)

    jab_by_key = {j.key: j for j in p.jabatan}

    def person(key, role="", *, fixed=None, pppk=False):
        spec = jab_by_key[key]
        pria = fixed[1] if fixed else rng.random() < 0.55
        nama = fixed[0] if fixed else people.nama(pria)
        if fixed:
            people.names.add(nama)
        senior = spec.jenis not in (J.PELAKSANA, J.FUNGSIONAL)
        nip = people.nip(pria, pppk=pppk, senior=senior)
        gol = rng.choice((GOLONGAN_PPPK if pppk else GOLONGAN)[spec.jenis])
        p.pegawai.append(PegSpec(nama, key, "pppk" if pppk else "pns", gol, nip, nip, role))

    p.pegawai.append(
        PegSpec("Melkianus Ndun", gub, "pejabat_negara", "", None, "gubernur", "gubernur")
    )
    person(sekda, "sekda", fixed=FIXED["sekda"])
    person(kbkd, "kepala_bkd", fixed=FIXED["kepala_bkd"])
    person(kabid, "kabid", fixed=FIXED["kabid"])
    person(kasubbid, "kasubbid", fixed=FIXED["kasubbid"])
    person(pengolah, "pegawai", fixed=FIXED["pegawai"], pppk=True)
    person(analis, "rekan", fixed=FIXED["rekan"])
    person(jf, "fungsional", fixed=FIXED["fungsional"])
    person(kominfo["kadis"], "kadis", fixed=FIXED["kadis"])
    person(pranata, "staf_dinas", fixed=FIXED["staf_dinas"])
    holders = {s.jabatan for s in p.pegawai}
    # Every other structural position has one holder, except one left vacant on purpose
    # (its staff are rated one level up) - the Kepala Bidang Mutasi.
    for spec in p.jabatan:
        if spec.key in holders or spec.key in p.slots or spec.key == kabidm:
            continue
        if spec.jenis in (J.PELAKSANA, J.FUNGSIONAL):
            continue
        person(spec.key)
    filler = max(0, n_pegawai - len(p.pegawai))
    for i in range(filler):
        slot = p.slots[i % len(p.slots)]
        person(slot, pppk=rng.random() < 0.2)
    return p


# --- writing the plan (idempotent) ----------------------------------------------------------
def _unit_paths(instansi: Instansi) -> dict[tuple[str, ...], UnitKerja]:
    units = {u.id: u for u in UnitKerja.objects.filter(instansi=instansi)}
    out: dict[tuple[str, ...], UnitKerja] = {}
    for u in units.values():
        path, node, seen = [], u, set()
        while node is not None and node.id not in seen:
            seen.add(node.id)
            path.append(node.nama)
            node = units.get(node.induk_id) if node.induk_id else None
        out[tuple(reversed(path))] = u
    return out


def seed(*, pegawai: int = 150, seed: int = 2026, out: Any = None) -> dict:
    """Create what is missing of the demo organisation and return the context later stages use:
    instansi, periode, tim, password, seed, and the personas by role (Pegawai objects; `admin`
    is the admin BKD's User)."""
    plan = build_plan(pegawai, seed)
    year = timezone.localdate().year
    instansi, _ = Instansi.objects.get_or_create(
        kode=KODE,
        defaults={
            "nama": "Pemerintah Provinsi Nusa Tenggara Timur",
            "jenis": "daerah",
            "kota": "Kupang",
        },
    )
    created = 0

    # Units, level by level so each parent has its id.
    units = _unit_paths(instansi)
    for depth in sorted({len(u.path) for u in plan.units}):
        new = [
            UnitKerja(
                instansi=instansi,
                induk=units.get(u.path[:-1]),
                nama=u.path[-1],
                singkatan=u.singkatan,
                mandiri=u.mandiri,
            )
            for u in plan.units
            if len(u.path) == depth and u.path not in units
        ]
        UnitKerja.objects.bulk_create(new, batch_size=BATCH)
        created += len(new)
        if new:
            units = _unit_paths(instansi)

    def jab_map() -> dict[tuple[tuple[str, ...], str], Jabatan]:
        path_of = {u.id: path for path, u in units.items()}
        return {
            (path_of[j.unit_kerja_id], j.nama): j
            for j in Jabatan.objects.filter(unit_kerja__instansi=instansi).order_by("-id")
        }

    # Positions: roots first, then those whose atasan exists, until all are there.
    jabatan = jab_map()
    pending = [j for j in plan.jabatan if j.key not in jabatan]
    while pending:
        ready = [j for j in pending if j.atasan is None or j.atasan in jabatan]
        if not ready:
            raise RuntimeError("struktur jabatan demo melingkar")
        Jabatan.objects.bulk_create(
            [
                Jabatan(
                    unit_kerja=units[j.unit],
                    nama=j.nama,
                    jenis=j.jenis,
                    jenjang=j.jenjang,
                    atasan=jabatan.get(j.atasan) if j.atasan else None,
                    kepala_unit=j.kepala,
                )
                for j in ready
            ],
            batch_size=BATCH,
        )
        created += len(ready)
        jabatan = jab_map()
        pending = [j for j in pending if j.key not in jabatan]
    for u in plan.units:
        if u.penilai and units[u.path].penilai_jabatan_id is None:
            UnitKerja.objects.filter(pk=units[u.path].pk).update(penilai_jabatan=jabatan[u.penilai])
            created += 1

    # Logins, then pegawai (one shared hash; see module docstring).
    hashed = make_password(PASSWORD)
    by_username = {s.username: s for s in plan.pegawai}
    have_users = set(
        User.objects.filter(username__in=list(by_username)).values_list("username", flat=True)
    )
    new_users = [
        User(
            username=s.username,
            password=hashed,
            first_name=s.nama[:150],
            email=f"{s.username}@ntt.go.id",
        )
        for s in plan.pegawai
        if s.username not in have_users
    ]
    User.objects.bulk_create(new_users, batch_size=BATCH)
    created += len(new_users)
    user_ids = dict(
        User.objects.filter(username__in=list(by_username)).values_list("username", "id")
    )
    have_peg = set(
        Pegawai.objects.filter(user_id__in=list(user_ids.values())).values_list(
            "user__username", flat=True
        )
    )
    new_peg = [
        Pegawai(
            instansi=instansi,
            user_id=user_ids[s.username],
            nip=s.nip,
            nama=s.nama,
            jenis_asn=s.jenis_asn,
            golongan=s.golongan,
            jabatan=jabatan[s.jabatan],
            unit_kerja=units[s.jabatan[0]],
            email=f"{s.username}@ntt.go.id",
        )
        for s in plan.pegawai
        if s.username not in have_peg
    ]
    Pegawai.objects.bulk_create(new_peg, batch_size=BATCH)
    created += len(new_peg)

    roles = {s.role: s.username for s in plan.pegawai if s.role}
    persona = {
        role: Pegawai.objects.select_related("user", "jabatan").get(user__username=username)
        for role, username in roles.items()
    }
    admin, made = User.objects.get_or_create(
        username="admin.bkd",
        defaults={
            "first_name": "Admin BKD Provinsi NTT",
            "email": "admin.bkd@ntt.go.id",
            "is_staff": True,
            "admin_instansi": instansi,
            "password": hashed,
        },
    )
    created += made

    tim, made = TimKerja.objects.get_or_create(
        instansi=instansi,
        nama="Tim Transformasi Digital Manajemen Kinerja",
        defaults={"ketua": persona["fungsional"]},
    )
    created += made
    anggota = [persona["pegawai"], persona["rekan"], persona["staf_dinas"]]
    missing = [a for a in anggota if not tim.anggota.filter(pk=a.pk).exists()]
    if missing:
        tim.anggota.add(*missing)
        created += len(missing)

    periode, made = Periode.objects.get_or_create(
        instansi=instansi,
        tahun=year,
        defaults={
            "frekuensi": Periode.Frekuensi.TRIWULANAN,
            "status": Periode.Status.BERJALAN,
            "batas_perencanaan": dt.date(year, 1, 31),
        },
    )
    created += made
    if instansi.pejabat_keberatan_id is None:
        # Objections against the Governor's ratings go to the Sekda's office.
        Instansi.objects.filter(pk=instansi.pk).update(pejabat_keberatan=persona["sekda"])
        created += 1

    if created:
        penilai_refresh(instansi=instansi)
    persona = {
        role: Pegawai.objects.select_related("user", "jabatan", "unit_kerja").get(pk=p.pk)
        for role, p in persona.items()
    }
    if out is not None:
        total = Pegawai.objects.filter(instansi=instansi).count()
        status = f"{created} baris baru" if created else "tidak ada perubahan"
        out.write(
            f"Organisasi contoh: {instansi.nama}, {len(units)} unit kerja, {len(jabatan)} "
            f"jabatan, {total} pegawai ({status}).\n"
        )
    ctx = {
        "instansi": Instansi.objects.get(pk=instansi.pk),
        "periode": periode,
        "tim": tim,
        "admin": admin,
        "password": PASSWORD,
        "seed": seed,
        "dibuat": created,
        **persona,
    }
    demo_org.tugas_belajar(ctx)  # a PNS on study leave, a persona too (ctx["tugas_belajar"])
    return ctx


ROLES = [
    ("admin", "Admin BKD (kelola organisasi, impor)"),
    ("pegawai", "Pegawai (PPPK, pelaksana)"),
    ("rekan", "Rekan kerja (pelaksana)"),
    ("tugas_belajar", "Pegawai tugas belajar"),
    ("kasubbid", "Pejabat penilai (Kasubbid)"),
    ("kabid", "Atasan pejabat penilai (Kabid)"),
    ("fungsional", "Ketua tim (JF Analis SDM)"),
    ("kepala_bkd", "Kepala BKD (JPT Pratama)"),
    ("kadis", "Kepala dinas lain (Kominfo)"),
    ("sekda", "Sekretaris Daerah (JPT Madya)"),
    ("gubernur", "Gubernur (pimpinan instansi)"),
]


def print_logins(ctx: dict, out: Any) -> None:
    """One login per role, as a table someone can read from a terminal."""
    if not ctx:
        return
    rows = []
    for role, label in ROLES:
        obj = ctx.get(role)
        if obj is None:
            continue
        user = obj if isinstance(obj, User) else obj.user
        nama = obj.first_name if isinstance(obj, User) else obj.nama
        rows.append((label, nama, user.username, ctx["password"]))
    widths = [
        max(len(r[i]) for r in [("Peran", "Nama", "Login (NIP)", "Kata sandi"), *rows])
        for i in range(4)
    ]
    line = "+".join("-" * (w + 2) for w in widths)
    out.write("\nAkun contoh (masuk di /masuk/):\n")
    out.write(f"+{line}+\n")
    for r in [("Peran", "Nama", "Login (NIP)", "Kata sandi"), None, *rows]:
        if r is None:
            out.write(f"+{line}+\n")
            continue
        out.write("| " + " | ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)) + " |\n")
    out.write(f"+{line}+\n")
