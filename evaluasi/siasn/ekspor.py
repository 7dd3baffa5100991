"""The records of a year as a spreadsheet for a manual upload to SIASN (.xlsx or .csv).

Columns are the records' field names (SIASN's own), one row per record. Every cell goes
through the one spreadsheet formula guard, kinerja.security.safe_cell: a name a user typed
("=HYPERLINK(...)") can never run as a formula in the admin's Excel.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from evaluasi.siasn import rules
from evaluasi.siasn.rekaman import rekaman
from kinerja.security import safe_cell

POTONG = 2000  # records built per batch: constant queries per 2,000 rows, bounded memory


def _baris(qs, jenis: str) -> Iterator[list]:
    cols = rules.kolom(jenis)
    ids = list(qs.values_list("pk", flat=True))
    for i in range(0, len(ids), POTONG):
        evs = list(qs.filter(pk__in=ids[i : i + POTONG]))
        for rec in rekaman(evs, jenis):
            yield [safe_cell(rec[c]) for c in cols]


def nama_berkas(jenis: str, tahun: int | None, fmt: str) -> str:
    return f"siasn-{jenis.replace('_', '-')}-{tahun or 'semua'}.{fmt}"


def csv_bytes(qs, jenis: str) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(rules.kolom(jenis))
    for row in _baris(qs, jenis):
        w.writerow(["" if v is None else v for v in row])
    return buf.getvalue().encode("utf-8-sig")


def xlsx_bytes(qs, jenis: str) -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=("SKP22" if jenis == rules.SKP22 else "Kinerja periodik"))
    ws.append(rules.kolom(jenis))
    for row in _baris(qs, jenis):
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
