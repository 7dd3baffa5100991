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

Rules of the import: nothing is written when any row is wrong (the report lists row, column and
message); pegawai are matched by NIP (upsert), so importing the same file twice changes nothing;
cells are read as values, never evaluated (openpyxl `data_only`), and text beginning with
= + - @ is stored with a leading apostrophe so it can never act as a formula when exported.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from kinerja import jobs, policy, rules
from kinerja.models import Instansi, Jabatan, Pegawai, UnitKerja
from kinerja.services import penilai_refresh

MAX_BYTES = 5 * 1024 * 1024
MAX_UNPACKED_BYTES = 100 * 1024 * 1024  # a 5 MB xlsx that inflates beyond this is a zip bomb
MAX_ROWS = 100_000
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
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

CONTOH_CSV = (
    "NIP,Nama,Jenis ASN,Golongan,Jabatan,Unit,Atasan,Jenis jabatan\n"
    "198203152006041002,Yohanes Bria,PNS,IV/a,Kepala Bidang Penilaian Kinerja,"
    "Bidang Penilaian Kinerja,,Administrator\n"
    "199005212015032001,Maria Kewa,PNS,III/c,Analis Kinerja,Bidang Penilaian Kinerja,"
    "198203152006041002,Pelaksana\n"
)


class BerkasDitolak(Exception):
    """The upload is not a spreadsheet Kinerja can read; the message says why (Indonesian)."""


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

    @property
    def jumlah(self) -> dict[str, int]:
        out = {"baru": 0, "diubah": 0, "tetap": 0}
        for b in self.baris:
            if b.status in out:
                out[b.status] += 1
        return out


# --- reading -----------------------------------------------------------------------------
def jenis_berkas(f: Any) -> str:
    """'xlsx' or 'csv' judged from the content (never the name); BerkasDitolak otherwise."""
    size = getattr(f, "size", None)
    if size is None:
        data = f.read()
        size = len(data)
        f.seek(0)
    if size == 0:
        raise BerkasDitolak("Berkas kosong.")
    if size > MAX_BYTES:
        raise BerkasDitolak(
            f"Berkas terlalu besar ({size / 1024 / 1024:.1f} MB); batasnya "
            f"{MAX_BYTES // 1024 // 1024} MB. Pecah menjadi beberapa berkas."
        )
    head = f.read(4096)
    f.seek(0)
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(f) as z:
                names = set(z.namelist())
                unpacked = sum(i.file_size for i in z.infolist())
        except zipfile.BadZipFile:
            raise BerkasDitolak("Berkas ZIP rusak; simpan ulang sebagai .xlsx.") from None
        finally:
            f.seek(0)
        if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
            raise BerkasDitolak(
                "Berkas ini arsip ZIP, bukan buku kerja Excel (.xlsx). Unggah .xlsx atau .csv."
            )
        if unpacked > MAX_UNPACKED_BYTES:
            raise BerkasDitolak("Isi buku kerja terlalu besar setelah dibuka; pecah berkasnya.")
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise BerkasDitolak(
            "Format Excel lama (.xls) tidak didukung; simpan ulang sebagai .xlsx atau .csv."
        )
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise BerkasDitolak(
            'Berkas teks UTF-16 ("Unicode Text") tidak didukung; simpan sebagai '
            '"CSV UTF-8 (Comma delimited)" atau .xlsx.'
        )
    if b"\x00" in head or head.startswith((b"%PDF", b"\x89PNG", b"\xff\xd8", b"GIF8")):
        raise BerkasDitolak("Berkas ini bukan lembar kerja .xlsx atau teks .csv.")
    try:
        _decode(head if len(head) < 4096 else head[:4000])
    except BerkasDitolak:
        raise BerkasDitolak("Berkas ini bukan lembar kerja .xlsx atau teks .csv.") from None
    return "csv"


def _decode(data: bytes) -> str:
    for enc in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise BerkasDitolak("Berkas CSV harus berupa teks (UTF-8).")


def _norm_header(text: Any) -> str:
    return " ".join(re.sub(r"[^0-9a-z]+", " ", str(text or "").lower()).split())


def _cell(value: Any) -> str:
    """A cell as text; numbers as written; formula-like text neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    text = str(value).strip()
    if text in {"-", "–"}:
        return ""  # a dash is how spreadsheets say "empty"
    if text.startswith(FORMULA_START):
        return "'" + text
    return text


def _rows_xlsx(data: bytes) -> Iterable[tuple[int, list[Any]]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a broken workbook
        raise BerkasDitolak(
            "Buku kerja .xlsx tidak dapat dibaca; simpan ulang dari Excel."
        ) from None
    try:
        ws = wb.worksheets[0]
        for i, row in enumerate(ws.iter_rows(values_only=True), start=1):
            yield i, list(row)
    finally:
        wb.close()


def _rows_csv(data: bytes) -> Iterable[tuple[int, list[Any]]]:
    text = _decode(data)
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    yield from enumerate(reader, start=1)


def baris_mentah(data: bytes, jenis: str) -> Iterable[tuple[int, list[Any]]]:
    """Every row of the first sheet (xlsx) or of the text (csv), as raw cells, numbered from 1;
    shared with the other imports (kinerja.siasn_unor)."""
    return _rows_xlsx(data) if jenis == "xlsx" else _rows_csv(data)


# Shared with the other imports: a cell as safe text, a header as lowercase words.
sel = _cell
judul = _norm_header


def baca(data: bytes, jenis: str) -> tuple[list[tuple[int, dict[str, str]]], list[Galat]]:
    """Rows as {canonical column: text} with their spreadsheet row number, or file errors."""
    rows = _rows_xlsx(data) if jenis == "xlsx" else _rows_csv(data)
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
                key = alias.get(_norm_header(title))
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
        values = {key: _cell(row[idx]) if idx < len(row) else "" for idx, key in header.items()}
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
        for rb in rows_by_jabatan.get(key, []):
            if rb.status == "tetap":
                rb.status = "diubah"
                rb.perubahan.append("Atasan")
    plan.baris.sort(key=lambda b: b.nomor)
    plan.galat.sort(key=lambda g: (g.baris, g.kolom))
    return plan


# --- writing ------------------------------------------------------------------------------
@transaction.atomic
def terapkan(*, user: Any, instansi: Instansi, data: bytes, jenis: str) -> Rencana:
    """Check the file again against the current data and, when every row is right, write it:
    new positions, the positions' atasan, new and changed pegawai (with a login each, username
    = NIP, no usable password until the admin sets one), then who rates whom. All or nothing."""
    policy.require(user, "import", instansi)
    rows, file_errors = baca(data, jenis)
    if file_errors:
        return Rencana(galat=file_errors)
    # Serialise imports of one instansi: two confirmations at once must not both create rows.
    Instansi.objects.select_for_update().filter(pk=instansi.pk).first()
    plan = periksa(instansi=instansi, rows=rows)
    if plan.galat:
        return plan
    jabatan = {}
    for j in Jabatan.objects.filter(unit_kerja__instansi=instansi).order_by("id"):
        jabatan.setdefault((j.unit_kerja_id, j.nama.lower().strip()), j)
    baru = [
        Jabatan(unit_kerja_id=spec["unit_id"], nama=spec["nama"], jenis=spec["jenis"])
        for key, spec in plan.jabatan_baru.items()
        if key not in jabatan
    ]
    if baru:
        bulk_create_with_history(baru, Jabatan, batch_size=BATCH, default_user=user)
        for j in Jabatan.objects.filter(unit_kerja__instansi=instansi).order_by("id"):
            jabatan.setdefault((j.unit_kerja_id, j.nama.lower().strip()), j)
    ubah_jab = []
    for key, (target, _nomor) in plan.atasan_jabatan.items():
        j, tj = jabatan[key], jabatan[target]
        if j.atasan_id != tj.id:
            j.atasan_id = tj.id
            ubah_jab.append(j)
    if ubah_jab:
        bulk_update_with_history(ubah_jab, Jabatan, ["atasan"], batch_size=BATCH, default_user=user)

    def fill(p: Pegawai, nilai: dict[str, Any]) -> None:
        for k, val in nilai.items():
            if k == "jabatan_key":
                p.jabatan_id = jabatan[val].id
            elif k != "id":
                setattr(p, k, val)

    create = []
    update = []
    ids = [rb.nilai["id"] for rb in plan.baris if rb.status == "diubah"]
    current = Pegawai.objects.in_bulk(ids)
    fields: set[str] = set()
    for rb in plan.baris:
        if rb.status == "baru":
            p = Pegawai(instansi=instansi, nip=rb.nip)
            fill(p, rb.nilai)
            create.append(p)
        elif rb.status == "diubah":
            p = current[rb.nilai["id"]]
            fill(p, rb.nilai)
            fields |= {k if k != "jabatan_key" else "jabatan_id" for k in rb.nilai if k != "id"}
            update.append(p)
    if create:
        _logins(create)
        bulk_create_with_history(create, Pegawai, batch_size=BATCH, default_user=user)
    if update:
        bulk_update_with_history(
            update,
            Pegawai,
            sorted(f.removesuffix("_id") for f in fields),
            batch_size=BATCH,
            default_user=user,
        )
    penilai_refresh(instansi=instansi)
    plan.jabatan_dibuat = len(baru)
    plan.jabatan_diubah = len(ubah_jab)
    return plan


def _logins(pegawai: list[Pegawai]) -> None:
    """A login per new pegawai (username = NIP, no usable password), created in bulk before
    the pegawai rows so each row is inserted with its user id (no second pass of updates).
    An existing account of that name is reused only when no pegawai holds it."""
    User = get_user_model()
    by_nip = {p.nip: p for p in pegawai if p.nip}
    existing = dict(
        User.objects.filter(username__in=list(by_nip), pegawai__isnull=True).values_list(
            "username", "id"
        )
    )
    taken = set(User.objects.filter(username__in=list(by_nip)).values_list("username", flat=True))
    unusable = make_password(None)
    User.objects.bulk_create(
        [
            User(username=nip, first_name=p.nama[:150], email=p.email, password=unusable)
            for nip, p in by_nip.items()
            if nip not in taken
        ],
        batch_size=BATCH,
    )
    ids = dict(
        User.objects.filter(username__in=list(by_nip), pegawai__isnull=True).values_list(
            "username", "id"
        )
    )
    ids.update(existing)
    for nip, p in by_nip.items():
        p.user_id = ids.get(nip)


def ringkasan(plan: Rencana, nama: str) -> str:
    """The one-line result an admin reads after an import (Indonesian)."""
    if plan.galat:
        g = plan.galat[0]
        return (
            f"Impor {nama} dibatalkan, tidak ada data yang disimpan: {len(plan.galat)} "
            f"kesalahan, antara lain baris {g.baris} kolom {g.kolom}: {g.pesan}"
        )
    j = plan.jumlah
    return (
        f"Impor {nama} selesai: {j['baru']} pegawai baru, {j['diubah']} diubah, {j['tetap']} "
        f"tetap; {plan.jabatan_dibuat} jabatan baru, {plan.jabatan_diubah} atasan jabatan "
        "diubah."
    )


@jobs.handler("kinerja.impor_pegawai")
def impor_latar(
    job: Any, *, instansi_id: int, user_id: int, path: str, jenis: str, nama: str
) -> dict[str, Any]:
    """Background import of a large file confirmed by the admin. Safe to retry: the import is
    an upsert by NIP and all-or-nothing, so a second attempt finds the rows the first wrote."""
    from django.core.files.storage import default_storage

    if not default_storage.exists(path):
        return {"pesan": "Berkas impor tidak ditemukan lagi; unggah ulang."}
    jobs.progress(job, 0, 1, f"Mengimpor {nama}")
    with default_storage.open(path, "rb") as fh:
        data = fh.read()
    plan = terapkan(
        user=get_user_model().objects.get(pk=user_id),
        instansi=Instansi.objects.get(pk=instansi_id),
        data=data,
        jenis=jenis,
    )
    pesan = ringkasan(plan, nama)
    jobs.progress(job, 1, 1, pesan)
    if not plan.galat:
        default_storage.delete(path)
    return {
        "pesan": pesan,
        **plan.jumlah,
        "galat": [[g.baris, g.kolom, g.pesan] for g in plan.galat[:50]],
    }
