"""Staff import from a spreadsheet (.xlsx or .csv): read, check every row, then write all or none.

Columns (first row = headers, case and punctuation ignored; aliases in `KOLOM`):

    NIP | Nama | Jenis ASN | Golongan | Jabatan | Unit | Atasan   [| Jenis jabatan | Status | Email]

- NIP: 18 digits (NI PPPK for PPPK), checked like everywhere else (`rules.validate_nip`).
- Jenis ASN: PNS or PPPK.  Golongan: III/a ... for PNS, I ... XVII for PPPK (may be empty).
- Unit: the unit kerja's name or abbreviation; when a name is used in several places, write the
  path from a parent: "Dinas Kesehatan > Sekretariat".
- Jabatan: the position's name inside that unit. A position that does not exist yet is created
  when the optional column "Jenis jabatan" says its kind (JPT Pratama, Administrator, Pengawas,
  Pelaksana, Fungsional, ...).
- Atasan: the NIP of the atasan langsung (a person in this file or already in the instansi).
  It sets which position the row's position reports to (Jabatan.atasan), from which the
  pejabat penilai is derived; empty leaves the structure as it is. A NIP rather than a position
  name because that is what SIASN exports carry and it is unambiguous.
- Status (aktif, tugas belajar, cuti, berhenti) and Email are optional; absent, they are kept.
- TMT (optional): the date a change of position takes effect (2026-08-01, 01-08-2026 or
  01/08/2026, or a date cell). A pegawai whose position changes gets a Mutasi with that TMT
  (today when empty), exactly as if the admin had recorded it: dated today or earlier it takes
  effect at once and who rated them before stays recorded; dated later it is scheduled and the
  pegawai keeps the old position until then. For a new pegawai it is the date they took the
  position. The preview says per row which it will be; importing the file again finds the change
  already recorded (or scheduled) and does nothing.

Rules of the import: nothing is written when any row is wrong (the report lists row, column and
message); pegawai are matched by NIP (upsert), so importing the same file twice changes nothing;
cells are read as values, never evaluated (openpyxl `data_only`), and text beginning with
= + - @ is stored with a leading apostrophe so it can never act as a formula when exported.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from kinerja import rules, waktu
from kinerja.berkas import (  # noqa: F401  re-exported: the pages and the bench read them here
    MAX_BYTES,
    MAX_ROWS,
    BerkasDitolak,
    baris_mentah,
    jenis_berkas,
    judul,
    sel,
)
from kinerja.models import Instansi, Jabatan, Mutasi, Pegawai, Periode, RiwayatJabatan, UnitKerja

_FORMAT_TANGGAL = ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%Y-%m-%d %H:%M:%S")


def tanggal(text: str) -> dt.date | None:
    """A TMT as typed or as a date cell reads (None: not a date)."""
    text = (text or "").strip()
    for fmt in _FORMAT_TANGGAL:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


BATCH = 2000
# Files with more rows than this are written by a background job (settings may override).
LATAR_BARIS = 2000

# canonical column -> accepted header spellings (normalised: lowercase words)
KOLOM: dict[str, tuple[str, ...]] = {
    "nip": ("nip", "nip ni pppk", "ni pppk", "nip nipppk", "nomor induk pegawai"),
    "nama": ("nama", "nama lengkap", "nama pegawai"),
    "jenis_asn": ("jenis asn", "jenis pegawai", "asn"),
    "golongan": ("golongan", "gol", "golongan ruang", "gol ruang"),
    "jabatan": ("jabatan", "nama jabatan"),
    "unit": ("unit", "unit kerja", "unit organisasi"),
    "atasan": ("atasan", "nip atasan", "nip atasan langsung", "atasan langsung"),
    "jenis_jabatan": ("jenis jabatan",),
    "status": ("status", "status pegawai"),
    "email": ("email", "e mail", "surel"),
    "tmt": ("tmt", "tmt jabatan", "terhitung mulai tanggal", "tanggal mulai"),
}
WAJIB = ("nip", "nama", "jenis_asn", "golongan", "jabatan", "unit", "atasan")
LABEL = {
    "nip": "NIP",
    "nama": "Nama",
    "jenis_asn": "Jenis ASN",
    "golongan": "Golongan",
    "jabatan": "Jabatan",
    "unit": "Unit",
    "atasan": "Atasan",
    "jenis_jabatan": "Jenis jabatan",
    "status": "Status",
    "email": "Email",
    "tmt": "TMT",
    "berkas": "Berkas",
}
JENIS_ASN = {"pns": Pegawai.JenisASN.PNS, "pppk": Pegawai.JenisASN.PPPK}
STATUS = {
    "aktif": Pegawai.Status.AKTIF,
    "tugas belajar": Pegawai.Status.TUGAS_BELAJAR,
    "tugas_belajar": Pegawai.Status.TUGAS_BELAJAR,
    "cuti": Pegawai.Status.CUTI,
    "berhenti": Pegawai.Status.BERHENTI,
}
JENIS_JABATAN = {
    **{j.value.replace("_", " "): j.value for j in Jabatan.Jenis},
    **{j.label.lower(): j.value for j in Jabatan.Jenis},
    "jpt": Jabatan.Jenis.JPT_PRATAMA,
}

CONTOH_CSV = (
    "NIP,Nama,Jenis ASN,Golongan,Jabatan,Unit,Atasan,Jenis jabatan\n"
    "198203152006041002,Yohanes Bria,PNS,IV/a,Kepala Bidang Penilaian Kinerja,"
    "Bidang Penilaian Kinerja,,Administrator\n"
    "199005212015032001,Maria Kewa,PNS,III/c,Analis Kinerja,Bidang Penilaian Kinerja,"
    "198203152006041002,Pelaksana\n"
)


@dataclass(frozen=True)
class Galat:
    baris: int  # spreadsheet row number (headers are row 1); 0 for the whole file
    kolom: str
    pesan: str


@dataclass
class RencanaBaris:
    nomor: int
    nip: str
    nama: str
    status: str = ""  # "baru" | "diubah" | "tetap"
    perubahan: list[str] = field(default_factory=list)
    nilai: dict[str, Any] = field(default_factory=dict)
    tmt: dt.date | None = None
    # A change of position: "berlaku" (takes effect at once) or "dijadwalkan" (on its TMT).
    mutasi: str = ""


@dataclass
class Rencana:
    """What an import would do; `galat` non-empty means it will do nothing."""

    baris: list[RencanaBaris] = field(default_factory=list)
    galat: list[Galat] = field(default_factory=list)
    jabatan_baru: dict[tuple[int, str], dict[str, Any]] = field(default_factory=dict)
    # jabatan key -> (key of the position it will report to, row that said so)
    atasan_jabatan: dict[tuple[int, str], tuple[tuple[int, str], int]] = field(default_factory=dict)
    jabatan_dibuat: int = 0
    jabatan_diubah: int = 0
    mutasi_dibuat: int = 0

    @property
    def mutasi(self) -> dict[str, int]:
        """Changes of position the import records: at once, and scheduled for later."""
        out = {"berlaku": 0, "dijadwalkan": 0}
        for b in self.baris:
            if b.mutasi:
                out[b.mutasi] += 1
        return out

    @property
    def jumlah(self) -> dict[str, int]:
        out = {"baru": 0, "diubah": 0, "tetap": 0}
        for b in self.baris:
            if b.status in out:
                out[b.status] += 1
        return out


# --- reading -----------------------------------------------------------------------------
def baca(data: bytes, jenis: str) -> tuple[list[tuple[int, dict[str, str]]], list[Galat]]:
    """Rows as {canonical column: text} with their spreadsheet row number, or file errors."""
    rows = baris_mentah(data, jenis)
    header: dict[int, str] | None = None
    out: list[tuple[int, dict[str, str]]] = []
    raw_nip: dict[int, Any] = {}
    for nomor, row in rows:
        if header is None:
            if not any(c not in (None, "") for c in row):
                continue
            alias = {a: k for k, names in KOLOM.items() for a in names}
            header = {}
            for idx, title in enumerate(row):
                key = alias.get(judul(title))
                if key and key not in header.values():
                    header[idx] = key
            missing = [LABEL[k] for k in WAJIB if k not in header.values()]
            if missing:
                return [], [
                    Galat(
                        nomor,
                        LABEL["berkas"],
                        f"Kolom wajib tidak ada: {', '.join(missing)}. "
                        f"Baris judul harus memuat: {', '.join(LABEL[k] for k in WAJIB)}.",
                    )
                ]
            continue
        values = {key: sel(row[idx]) if idx < len(row) else "" for idx, key in header.items()}
        if not any(values.values()):
            continue
        nip_idx = next(i for i, k in header.items() if k == "nip")
        if nip_idx < len(row):
            raw_nip[nomor] = row[nip_idx]
        out.append((nomor, values))
        if len(out) > MAX_ROWS:
            return [], [Galat(0, LABEL["berkas"], f"Paling banyak {MAX_ROWS} baris per berkas.")]
    if header is None:
        return [], [Galat(0, LABEL["berkas"], "Berkas tidak berisi baris judul kolom.")]
    if not out:
        return [], [Galat(0, LABEL["berkas"], "Berkas tidak berisi baris data pegawai.")]
    for nomor, values in out:
        # An 18-digit NIP typed into a number cell keeps only 15 significant digits in Excel.
        if isinstance(raw_nip.get(nomor), float):
            values["nip"] = "#angka"
    return out, []


# --- checking -----------------------------------------------------------------------------
class _Units:
    """Units of one instansi found by name, abbreviation or a 'Parent > Child' path."""

    def __init__(self, instansi: Instansi) -> None:
        self.by_id = {u.id: u for u in UnitKerja.objects.filter(instansi=instansi)}
        self.by_name: dict[str, list[UnitKerja]] = {}
        for u in self.by_id.values():
            for n in {u.nama.lower().strip(), u.singkatan.lower().strip()} - {""}:
                self.by_name.setdefault(n, []).append(u)

    def _matches(self, u: UnitKerja, name: str) -> bool:
        return name in {u.nama.lower().strip(), u.singkatan.lower().strip()}

    def find(self, text: str) -> tuple[UnitKerja | None, str | None]:
        parts = [p.strip().lower() for p in text.split(">") if p.strip()]
        if not parts:
            return None, "Unit wajib diisi."
        found = []
        for u in self.by_name.get(parts[-1], []):
            node, ok = u, True
            for name in reversed(parts[:-1]):
                node = self.by_id.get(node.induk_id) if node.induk_id else None
                while node is not None and not self._matches(node, name):
                    node = self.by_id.get(node.induk_id) if node.induk_id else None
                if node is None:
                    ok = False
                    break
            if ok:
                found.append(u)
        if not found:
            return None, f"Unit kerja '{text}' tidak ditemukan di instansi ini."
        if len(found) > 1:
            tempat = ", ".join(
                sorted(self.by_id[u.induk_id].nama if u.induk_id else "-" for u in found)
            )
            return None, (
                f"Nama unit '{text}' ada di beberapa tempat ({tempat}); tulis dengan induknya, "
                f"misalnya 'Induk > {found[0].nama}'."
            )
        return found[0], None


def periksa(*, instansi: Instansi, rows: list[tuple[int, dict[str, str]]]) -> Rencana:
    """Check every row against the instansi as it is now; say what applying would change."""
    plan = Rencana()
    err = plan.galat.append
    units = _Units(instansi)
    jabatan: dict[tuple[int, str], Jabatan] = {}
    for j in Jabatan.objects.filter(unit_kerja__instansi=instansi).order_by("id"):
        jabatan.setdefault((j.unit_kerja_id, j.nama.lower().strip()), j)
    jab_by_id = {j.id: j for j in jabatan.values()}
    nips = {rules.normalize_nip(v.get("nip")) for _, v in rows}
    existing = {
        p.nip: p
        for p in Pegawai.objects.filter(nip__in=[n for n in nips if n]).only(
            "id",
            "nip",
            "instansi_id",
            "nama",
            "jenis_asn",
            "golongan",
            "jabatan_id",
            "unit_kerja_id",
            "status",
            "email",
        )
    }
    hari_ini = waktu.hari_ini()
    tahun_tutup = set(
        Periode.objects.filter(instansi=instansi, status=Periode.Status.DITUTUP).values_list(
            "tahun", flat=True
        )
    )
    # Each pegawai's last recorded change of position, and the changes already scheduled: a
    # change is recorded in order, and one already scheduled is not scheduled twice.
    terakhir: dict[int, dt.date] = {}
    for pid, mulai in RiwayatJabatan.objects.filter(
        pegawai__instansi=instansi, mulai__gt=waktu.MULAI_CATATAN
    ).values_list("pegawai_id", "mulai"):
        terakhir[pid] = max(mulai, terakhir.get(pid, mulai))
    jadwal: dict[int, dict[dt.date, int | None]] = {}
    for pid, tmt_j, jid in Mutasi.objects.filter(
        pegawai__instansi=instansi, status=Mutasi.Status.DIJADWALKAN
    ).values_list("pegawai_id", "tmt", "jabatan_baru_id"):
        jadwal.setdefault(pid, {})[tmt_j] = jid
    seen: dict[str, int] = {}
    row_jab: dict[str, tuple[int, str]] = {}  # nip -> jabatan key of its row
    pending_atasan: list[tuple[int, str, tuple[int, str]]] = []

    for nomor, v in rows:
        errors_before = len(plan.galat)
        nip = rules.normalize_nip(v.get("nip"))
        jenis_asn = JENIS_ASN.get(v.get("jenis_asn", "").strip().lower())
        if not v.get("jenis_asn"):
            err(Galat(nomor, LABEL["jenis_asn"], "Jenis ASN wajib diisi (PNS atau PPPK)."))
        elif jenis_asn is None:
            err(
                Galat(
                    nomor,
                    LABEL["jenis_asn"],
                    f"Jenis ASN '{v['jenis_asn']}' tidak dikenal; isi PNS atau PPPK.",
                )
            )
        if nip == "#angka":
            err(
                Galat(
                    nomor,
                    LABEL["nip"],
                    "NIP tersimpan sebagai angka sehingga digit "
                    "terakhirnya hilang; format kolom NIP sebagai Teks lalu ketik ulang.",
                )
            )
        elif jenis_asn is not None:
            msg = rules.nip_error(nip, pppk=jenis_asn == Pegawai.JenisASN.PPPK)
            if msg:
                err(Galat(nomor, LABEL["nip"], msg))
        elif not nip:
            err(Galat(nomor, LABEL["nip"], "NIP wajib diisi."))
        if nip and nip in seen:
            err(Galat(nomor, LABEL["nip"], f"NIP {nip} sudah ada pada baris {seen[nip]}."))
        elif nip:
            seen[nip] = nomor
        current = existing.get(nip)
        if current is not None and current.instansi_id != instansi.pk:
            err(
                Galat(
                    nomor,
                    LABEL["nip"],
                    "NIP ini terdaftar pada instansi lain; pindah "
                    "instansi dilakukan oleh admin instansi asal.",
                )
            )
            current = None
        nama = v.get("nama", "")
        if not nama:
            err(Galat(nomor, LABEL["nama"], "Nama wajib diisi."))
        elif len(nama) > 200:
            err(Galat(nomor, LABEL["nama"], "Nama paling panjang 200 karakter."))
        golongan = rules.normalize_golongan(v.get("golongan", ""), jenis_asn or "pns")
        if golongan and jenis_asn is not None:
            msg = rules.golongan_error(golongan, jenis_asn)
            if msg:
                err(Galat(nomor, LABEL["golongan"], msg))
        unit, msg = units.find(v.get("unit", ""))
        if msg:
            err(Galat(nomor, LABEL["unit"], msg))
        jab_key = None
        nama_jab = v.get("jabatan", "")
        if not nama_jab:
            err(Galat(nomor, LABEL["jabatan"], "Jabatan wajib diisi."))
        elif unit is not None:
            jab_key = (unit.id, nama_jab.lower())
            if jab_key not in jabatan and jab_key not in plan.jabatan_baru:
                jenis_jab = JENIS_JABATAN.get(v.get("jenis_jabatan", "").strip().lower())
                if not v.get("jenis_jabatan"):
                    err(
                        Galat(
                            nomor,
                            LABEL["jabatan"],
                            (
                                f"Jabatan '{nama_jab}' belum ada di unit '{unit.nama}'. Periksa "
                                "ejaannya, atau isi kolom Jenis jabatan agar jabatan itu dibuat."
                            ),
                        )
                    )
                    jab_key = None
                elif jenis_jab is None:
                    err(
                        Galat(
                            nomor,
                            LABEL["jenis_jabatan"],
                            (
                                f"Jenis jabatan '{v['jenis_jabatan']}' tidak dikenal; isi salah satu: "
                                "JPT Utama, JPT Madya, JPT Pratama, Administrator, Pengawas, "
                                "Pelaksana, Fungsional."
                            ),
                        )
                    )
                    jab_key = None
                else:
                    plan.jabatan_baru[jab_key] = {
                        "unit_id": unit.id,
                        "nama": nama_jab,
                        "jenis": jenis_jab,
                        "baris": nomor,
                    }
        status = None
        if v.get("status"):
            status = STATUS.get(v["status"].strip().lower())
            if status is None:
                err(
                    Galat(
                        nomor,
                        LABEL["status"],
                        f"Status '{v['status']}' tidak dikenal; isi "
                        "aktif, tugas belajar, cuti atau berhenti.",
                    )
                )
        email = v.get("email", "")
        if email:
            try:
                validate_email(email)
            except ValidationError:
                err(Galat(nomor, LABEL["email"], f"Alamat email '{email}' tidak sah."))
        atasan_nip = rules.normalize_nip(v.get("atasan", ""))
        if atasan_nip and atasan_nip == nip:
            err(Galat(nomor, LABEL["atasan"], "Atasan tidak boleh pegawai itu sendiri."))
        elif atasan_nip and jab_key is not None:
            pending_atasan.append((nomor, atasan_nip, jab_key))
        if jab_key is not None and nip:
            row_jab[nip] = jab_key
        tmt = None
        if v.get("tmt"):
            tmt = tanggal(v["tmt"])
            if tmt is None:
                err(
                    Galat(
                        nomor,
                        LABEL["tmt"],
                        f"TMT '{v['tmt']}' bukan tanggal; tulis seperti 2026-08-01 atau "
                        "01-08-2026.",
                    )
                )
            elif tmt < waktu.MULAI_CATATAN:
                err(Galat(nomor, LABEL["tmt"], "TMT tidak boleh sebelum 1 Januari 2022."))
            elif tmt.year in tahun_tutup:
                err(
                    Galat(
                        nomor,
                        LABEL["tmt"],
                        f"Tahun {tmt.year} sudah ditutup; TMT harus di tahun yang terbuka.",
                    )
                )
            elif current is None and tmt > hari_ini:
                err(
                    Galat(
                        nomor,
                        LABEL["tmt"],
                        "Pegawai baru tidak dapat dijadwalkan; isi TMT hari ini atau "
                        "sebelumnya (tanggal ia memangku jabatan ini).",
                    )
                )
        if len(plan.galat) > errors_before:
            continue
        nilai = {
            "nama": nama,
            "jenis_asn": jenis_asn,
            "golongan": golongan,
            "jabatan_key": jab_key,
            "unit_kerja_id": unit.id,
        }
        if status is not None:
            nilai["status"] = status
        if "email" in v:
            nilai["email"] = email
        rb = RencanaBaris(nomor=nomor, nip=nip, nama=nama, nilai=nilai)
        if current is None:
            rb.status = "baru"
            rb.tmt = tmt
        else:
            jab = jabatan.get(jab_key)
            same_jabatan = jab is not None and jab.id == current.jabatan_id
            compare = {
                "nama": current.nama,
                "jenis_asn": current.jenis_asn,
                "golongan": current.golongan,
                "jabatan_key": jab_key if same_jabatan else ("id", current.jabatan_id),
                "unit_kerja_id": current.unit_kerja_id,
                "status": current.status,
                "email": current.email,
            }
            rb.perubahan = [
                LABEL.get(k, k) if k != "jabatan_key" else "Jabatan"
                for k, val in nilai.items()
                if compare[k] != val
            ]
            rb.nilai["id"] = current.id
            if "Jabatan" in rb.perubahan and not _pindah(
                rb, current, jab, tmt or hari_ini, hari_ini, terakhir, jadwal, err
            ):
                continue
            rb.status = "diubah" if rb.perubahan else "tetap"
        plan.baris.append(rb)

    # Atasan: the row's position reports to the atasan's position (from the file or the DB).
    atasan_db = {
        p.nip: p.jabatan_id
        for p in Pegawai.objects.filter(
            instansi=instansi, nip__in=[a for _, a, _ in pending_atasan]
        ).only("nip", "jabatan_id")
    }
    for nomor, atasan_nip, jab_key in pending_atasan:
        if atasan_nip in row_jab:
            target = row_jab[atasan_nip]
        elif atasan_nip in atasan_db:
            jid = atasan_db[atasan_nip]
            if jid is None:
                err(Galat(nomor, LABEL["atasan"], f"Atasan {atasan_nip} tidak memegang jabatan."))
                continue
            j = jab_by_id.get(jid) or Jabatan.objects.get(pk=jid)
            target = (j.unit_kerja_id, j.nama.lower().strip())
            jabatan.setdefault(target, j)
        else:
            err(
                Galat(
                    nomor,
                    LABEL["atasan"],
                    f"Atasan dengan NIP {atasan_nip} tidak ada di berkas ini maupun di instansi.",
                )
            )
            continue
        if target == jab_key:
            err(
                Galat(
                    nomor,
                    LABEL["atasan"],
                    "Atasan memegang jabatan yang sama dengan "
                    "pegawai ini; atasan harus jabatan di atasnya.",
                )
            )
            continue
        earlier = plan.atasan_jabatan.get(jab_key)
        if earlier is not None and earlier[0] != target:
            err(
                Galat(
                    nomor,
                    LABEL["atasan"],
                    (
                        f"Jabatan ini sudah diberi atasan lain pada baris {earlier[1]}; pemegang "
                        "jabatan yang sama harus memiliki atasan yang sama."
                    ),
                )
            )
            continue
        plan.atasan_jabatan[jab_key] = (target, nomor)

    # A row whose position gets a new atasan is a change even when its own fields are not.
    rows_by_jabatan: dict[tuple[int, str], list[RencanaBaris]] = {}
    for rb in plan.baris:
        rows_by_jabatan.setdefault(rb.nilai.get("jabatan_key"), []).append(rb)
    for key, (target, _nomor) in plan.atasan_jabatan.items():
        j = jabatan.get(key)
        tj = jabatan.get(target)
        if j is not None and tj is not None and j.atasan_id == tj.id:
            continue
        # What terapkan() will count: a new position, or one whose atasan moves.
        plan.jabatan_diubah += 1
        for rb in rows_by_jabatan.get(key, []):
            if rb.status == "tetap":
                rb.status = "diubah"
                rb.perubahan.append("Atasan")
    plan.jabatan_dibuat = sum(1 for key in plan.jabatan_baru if key not in jabatan)
    # A row with an error (also one found only when its atasan was looked up) is listed with
    # its errors, never also among the rows without one.
    salah = {g.baris for g in plan.galat}
    plan.baris = sorted((b for b in plan.baris if b.nomor not in salah), key=lambda b: b.nomor)
    plan.galat.sort(key=lambda g: (g.baris, g.kolom))
    return plan


def _pindah(
    rb: RencanaBaris,
    current: Pegawai,
    jab: Jabatan | None,
    tmt: dt.date,
    hari_ini: dt.date,
    terakhir: dict[int, dt.date],
    jadwal: dict[int, dict[dt.date, int | None]],
    err: Any,
) -> bool:
    """A row that changes the pegawai's position: the change becomes a Mutasi with its TMT
    (the position is not written with the other columns). False when the row is wrong."""
    sudah = jadwal.get(current.id, {})
    if jab is not None and sudah.get(tmt) == jab.id:
        # Scheduled by an earlier import or by the admin: nothing new to record.
        rb.perubahan.remove("Jabatan")
        if "Unit" in rb.perubahan:
            rb.perubahan.remove("Unit")
        rb.nilai.pop("jabatan_key")
        rb.nilai.pop("unit_kerja_id")
        return True
    if tmt in sudah:
        err(
            Galat(
                rb.nomor,
                LABEL["tmt"],
                "Sudah ada perubahan jabatan lain yang dijadwalkan untuk pegawai ini pada TMT "
                f"{tmt:%d-%m-%Y}; batalkan dulu atau pilih TMT lain.",
            )
        )
        return False
    if current.id in terakhir and tmt < terakhir[current.id]:
        err(
            Galat(
                rb.nomor,
                LABEL["tmt"],
                f"TMT lebih awal dari perubahan jabatan terakhir yang tercatat "
                f"({terakhir[current.id]:%d-%m-%Y}); catat perubahan secara berurutan.",
            )
        )
        return False
    rb.tmt = tmt
    rb.mutasi = "dijadwalkan" if tmt > hari_ini else "berlaku"
    rb.nilai["mutasi_jabatan_key"] = rb.nilai.pop("jabatan_key")
    rb.nilai.pop("unit_kerja_id")
    label = "dijadwalkan TMT" if rb.mutasi == "dijadwalkan" else "mutasi TMT"
    rb.perubahan = [
        f"Jabatan ({label} {tmt:%d-%m-%Y})" if p == "Jabatan" else p
        for p in rb.perubahan
        if p != "Unit"
    ]
    return True


# Writing is in its own module; its names stay reachable here (pages, jobs, bench, tests).
from kinerja.impor_tulis import impor_latar, ringkasan, terapkan  # noqa: E402,F401
