"""Reading an uploaded spreadsheet (.xlsx or .csv) safely, for every import (staff, SIASN units).

The type is judged from the content, never the name; a workbook that inflates too much is refused
(zip bomb); cells are read as values, never evaluated (openpyxl `data_only`), and formula-like
text is kept with a leading apostrophe (kinerja.security.safe_cell, the one formula guard) so it
can never act as a formula when exported.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable
from typing import Any

from kinerja.security import safe_cell

MAX_BYTES = 5 * 1024 * 1024
MAX_UNPACKED_BYTES = 100 * 1024 * 1024  # a 5 MB xlsx that inflates beyond this is a zip bomb
MAX_ROWS = 100_000


class BerkasDitolak(Exception):
    """The upload is not a spreadsheet Kinerja can read; the message says why (Indonesian)."""


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


def judul(text: Any) -> str:
    return " ".join(re.sub(r"[^0-9a-z]+", " ", str(text or "").lower()).split())


def sel(value: Any) -> str:
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
    return safe_cell(text)


PESAN_DTD = (
    "Buku kerja .xlsx ini memuat deklarasi DTD/entitas XML yang tidak diizinkan (bisa dipakai "
    "untuk membaca berkas server atau membebani server). Simpan ulang dari Excel lalu unggah lagi."
)


def tolak_dtd(data: bytes) -> None:
    """Refuse a workbook any XML part of which declares a DTD (an external entity, the billion
    laughs): Excel never writes one. Each part is read only up to its root element, through
    defusedxml with DTDs forbidden, before openpyxl parses anything."""
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import iterparse

    try:
        z = zipfile.ZipFile(io.BytesIO(data))
        names = [n for n in z.namelist() if n.endswith((".xml", ".rels", ".vml"))]
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # not a zip: openpyxl's own "cannot be read" answers
    for name in names:
        try:
            with z.open(name) as part:
                for _event, _elem in iterparse(part, events=("start",), forbid_dtd=True):
                    break  # the prolog (where a DTD must be) is behind us
        except DefusedXmlException:
            raise BerkasDitolak(PESAN_DTD) from None
        except (ParseError, zipfile.BadZipFile, OSError, ValueError, RuntimeError):
            continue  # a broken part: openpyxl's own error answers


def _rows_xlsx(data: bytes) -> Iterable[tuple[int, list[Any]]]:
    from openpyxl import load_workbook

    tolak_dtd(data)
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
