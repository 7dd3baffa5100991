"""SIASN's reference export (.xlsx or .csv) -> a plan of what the import would change.

Columns (first row = headers; case and punctuation ignored):

    Jenis | ID | Nama        [| Kode Kinerja]

- Jenis: which list the row belongs to, by SIASN's name (perilakuDanKinerja, kuadranNilai,
  golonganPns, periodik, koefisien) or Kinerja's (perilaku_kinerja, kuadran, golongan, ...).
  It may be left out when the whole file is one list chosen on the form.
- ID: SIASN's id of the row (what records send).  Nama: SIASN's name of the row, which tells
  which of Kinerja's codes it is ("Diatas Ekspektasi", "Sangat Baik", "III/a", "Ahli Muda").
- Kode Kinerja (optional): Kinerja's code, when the name is spelled differently.

Rows of lists Kinerja does not use, and rows whose name matches none of Kinerja's codes, are
listed as ignored (SIASN's lists hold more than Kinerja needs). A wrong row (no ID, an ID that is
no code, one of Kinerja's codes given twice) is an error: then nothing is written. Importing the
same file twice changes nothing. Every imported row counts as checked against SIASN.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from evaluasi.siasn import rules
from kinerja.impor import BerkasDitolak, Galat, jenis_berkas  # noqa: F401  (re-exported)
from kinerja.security import safe_cell

MAKS_BARIS = 5000
KOLOM = {
    "jenis": ("jenis", "referensi", "jenis referensi", "tabel"),
    "id": ("id", "kode", "kode siasn", "id siasn", "kode referensi"),
    "nama": ("nama", "nama siasn", "uraian", "keterangan", "nama referensi"),
    "kode": ("kode kinerja",),
}


@dataclass
class BarisRencana:
    nomor: int
    jenis: str
    kode: str
    nilai: str
    nama: str
    lama: str = ""
    status: str = ""  # "baru" | "diubah" | "tetap"


@dataclass
class Rencana:
    baris: list[BarisRencana] = field(default_factory=list)
    diabaikan: list[tuple[int, str]] = field(default_factory=list)
    galat: list[Galat] = field(default_factory=list)

    @property
    def jumlah(self) -> dict[str, int]:
        out = {"baru": 0, "diubah": 0, "tetap": 0}
        for b in self.baris:
            out[b.status] += 1
        return out

    def untuk_sesi(self) -> list[dict[str, Any]]:
        return [
            {"jenis": b.jenis, "kode": b.kode, "nilai": b.nilai, "nama": b.nama} for b in self.baris
        ]


def _norm(text: Any) -> str:
    return " ".join(re.sub(r"[^0-9a-z]+", " ", str(text or "").lower()).split())


def _teks(value: Any) -> str:
    """A cell as text; formula-like text kept with a leading apostrophe (the one guard,
    kinerja.security.safe_cell, as in the staff import)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return safe_cell(str(value).strip())


def _baris_xlsx(data: bytes) -> Iterable[list[Any]]:
    from openpyxl import load_workbook

    from kinerja.berkas import tolak_dtd

    tolak_dtd(data)
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a broken workbook
        raise BerkasDitolak(
            "Buku kerja .xlsx tidak dapat dibaca; simpan ulang dari Excel."
        ) from None
    try:
        for row in wb.worksheets[0].iter_rows(values_only=True):
            yield list(row)
    finally:
        wb.close()


def _baris_csv(data: bytes) -> Iterable[list[Any]]:
    for enc in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise BerkasDitolak("Berkas CSV harus berupa teks (UTF-8).")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    yield from csv.reader(io.StringIO(text, newline=""), dialect)


def baca(data: bytes, jenis_file: str) -> tuple[list[tuple[int, dict[str, str]]], list[Galat]]:
    """Rows as {column: text} with their spreadsheet row number, or errors about the file."""
    rows = _baris_xlsx(data) if jenis_file == "xlsx" else _baris_csv(data)
    header: dict[int, str] | None = None
    out: list[tuple[int, dict[str, str]]] = []
    for nomor, row in enumerate(rows, start=1):
        cells = [_teks(c) for c in row]
        if header is None:
            if not any(cells):
                continue
            header = {}
            for i, c in enumerate(cells):
                n = _norm(c)
                for key, names in KOLOM.items():
                    if n in names and key not in header.values():
                        header[i] = key
            missing = [k for k in ("id", "nama") if k not in header.values()]
            if "kode" in header.values() and "nama" in missing:
                missing.remove("nama")
            if missing:
                return [], [
                    Galat(
                        0,
                        "berkas",
                        "Baris judul harus memuat kolom ID dan Nama (atau Kode Kinerja); "
                        "boleh ditambah Jenis.",
                    )
                ]
            continue
        if not any(cells):
            continue
        if len(out) >= MAKS_BARIS:
            return [], [Galat(0, "berkas", f"Berkas lebih dari {MAKS_BARIS} baris.")]
        out.append((nomor, {key: cells[i] if i < len(cells) else "" for i, key in header.items()}))
    if header is None:
        return [], [Galat(0, "berkas", "Berkas tidak berisi baris judul.")]
    return out, []


def periksa(
    *, rows: list[tuple[int, dict[str, str]]], jenis_default: str | None, sekarang: dict
) -> Rencana:
    """What importing `rows` would do to an instansi's table (`sekarang`: (jenis, kode) ->
    NilaiReferensi, from rekaman.referensi)."""
    plan = Rencana()
    seen: dict[tuple[str, str], int] = {}
    for nomor, r in rows:
        if r.get("jenis"):
            jenis = rules.jenis_referensi_dari(r["jenis"])
            if jenis is None:
                plan.diabaikan.append((nomor, f"daftar '{r['jenis'][:60]}' tidak dipakai Kinerja"))
                continue
        elif jenis_default:
            jenis = jenis_default
        else:
            plan.galat.append(
                Galat(nomor, "Jenis", "Kolom Jenis kosong; isi, atau pilih jenis pada formulir.")
            )
            continue
        nilai, nama = r.get("id", ""), r.get("nama", "")[:200]
        if r.get("kode"):
            kode = r["kode"] if r["kode"] in rules.KODE[jenis] else None
            if kode is None:
                plan.galat.append(
                    Galat(nomor, "Kode Kinerja", f"Kode '{r['kode'][:40]}' tidak dikenal.")
                )
                continue
        else:
            kode = rules.nama_ke_kode(jenis, nama)
            if kode is None:
                plan.diabaikan.append((nomor, f"'{nama[:60]}' tidak dipakai Kinerja"))
                continue
        if not nilai:
            plan.galat.append(Galat(nomor, "ID", "ID SIASN kosong."))
            continue
        err = rules.nilai_error(jenis, nilai)
        if err:
            plan.galat.append(Galat(nomor, "ID", err))
            continue
        if (jenis, kode) in seen:
            plan.galat.append(
                Galat(
                    nomor,
                    "Nama",
                    f"{rules.KODE[jenis][kode]} sudah ada di baris {seen[(jenis, kode)]}.",
                )
            )
            continue
        seen[(jenis, kode)] = nomor
        cur = sekarang[(jenis, kode)]
        if not cur.tersimpan:
            status = "baru"
        elif (cur.nilai, cur.nama_siasn, cur.diperiksa) == (nilai, nama, True):
            status = "tetap"
        else:
            status = "diubah"
        plan.baris.append(BarisRencana(nomor, jenis, kode, nilai, nama, cur.nilai, status))
    return plan
