"""Pohon kinerja as a spreadsheet: every level and every gap; a large one built by the `pohon.xlsx`
job (registered in evaluasi/tasks.py).
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from django.urls import reverse

from evaluasi.pohon.data import KEDALAMAN_MAKS, Cakupan, Simpul
from evaluasi.pohon.selectors import akar, cakupan_untuk, celah, pohon_bangun
from kinerja import policy
from kinerja.security import safe_cell

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _nama_berkas(c: Cakupan) -> str:
    return f"pohon-kinerja-{c.periode.tahun if c.periode else 'kosong'}.xlsx"


def pohon_unduh_jalankan(job: Any, *, unit_id: int | None, tahun: int, instansi_id: int) -> dict:
    """Background export: access is resolved again for the user who asked, at run time."""
    from kinerja import jobs
    from kinerja.pdf import dokumen_simpan

    user = job.dibuat_oleh
    c = cakupan_untuk(user, unit_id=unit_id, tahun=str(tahun), instansi_id=str(instansi_id))
    jobs.progress(job, 1, 3, "Menyusun pohon kinerja")
    data = pohon_xlsx(c)
    jobs.progress(job, 2, 3, "Menyimpan berkas")
    a = policy.actor(user)
    doc = dokumen_simpan(
        jenis="rekap",
        judul=f"Pohon kinerja {c.judul} tahun {c.periode.tahun}",
        data=data,
        nama_berkas=_nama_berkas(c),
        objek=None,
        instansi_id=c.instansi.pk,
        # Who may download it (kinerja.policy DokumenRules): the instansi admin, or this leader.
        pegawai_id=None if c.admin else a.pegawai_id,
    )
    return {"url": reverse("evaluasi:dokumen", args=[doc.pk]), "dokumen_id": doc.pk}


# --- spreadsheet ----------------------------------------------------------------------------
def pohon_baris(c: Cakupan) -> list[list[Any]]:
    """Every node of the whole tree, depth first, as spreadsheet rows (one level = 2 queries)."""
    roots = akar(c)
    if c.periode is None:
        return []
    pohon_bangun(c.periode, roots, KEDALAMAN_MAKS)
    rows: list[list[Any]] = []

    def tulis(n: Simpul, tingkat: int, induk: str, sel: str) -> None:
        rows.append(
            [
                tingkat,
                "Rencana hasil kerja",
                n.rencana,
                n.jenis_label,
                n.pemilik_nama,
                n.pemilik_nip,
                n.jabatan,
                f"{n.skp_status_label} (versi {n.skp_versi})",
                n.rating_teks,
                sel,
                induk,
            ]
        )
        for s in n.sel or []:
            if not s.anak:
                rows.append(
                    [
                        tingkat + 1,
                        "Peran-hasil (belum diterapkan)",
                        s.peran_hasil,
                        "",
                        s.anggota_nama,
                        "",
                        "",
                        "",
                        "",
                        "",
                        n.rencana,
                    ]
                )
            for a in s.anak:
                tulis(a, tingkat + 1, n.rencana, s.peran_hasil)
        for a in n.anak or []:
            tulis(a, tingkat + 1, n.rencana, "")

    for r in roots:
        tulis(r, 1, "", "")
    return rows


KOLOM_XLSX = [
    "Tingkat",
    "Jenis simpul",
    "Rencana hasil kerja / peran-hasil",
    "Utama/Tambahan",
    "Pemilik",
    "NIP",
    "Jabatan",
    "Status SKP",
    "Rating periodik terakhir",
    "Peran-hasil matriks",
    "Hasil kerja pimpinan yang diintervensi",
]


def _celah_baris(gaps: dict[str, list[dict]]) -> list[list[str]]:
    rows = []
    for r in gaps["tanpa_kontribusi"]:
        rows.append(
            [
                "Hasil kerja pimpinan tanpa kontributor",
                r["skp__pegawai__nama"],
                r["rencana"],
                r["tautan_label"],
            ]
        )
    for r in gaps["tanpa_intervensi"]:
        rows.append(
            [
                "Hasil kerja tidak mengintervensi atasan",
                r["skp__pegawai__nama"],
                r["rencana"],
                r["alasan"],
            ]
        )
    for r in gaps["tanpa_skp"]:
        rows.append(
            ["Belum ada SKP disetujui", r["nama"], r["jabatan__nama"] or "", r["tautan_label"]]
        )
    for r in gaps["matriks"]:
        rows.append(
            [
                "Matriks belum diterapkan",
                r["pemimpin__nama"],
                r["tim__nama"] or "Matriks bawahan langsung",
                r["tautan_label"],
            ]
        )
    return rows


def pohon_xlsx(c: Cakupan) -> bytes:
    """The whole tree and every gap as a workbook (streamed, write-only: fast and lean)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    tebal = Font(bold=True)

    def sheet(title: str, widths: list[int], header: list[str], rows: Iterable[list[Any]]):
        ws = wb.create_sheet(title)
        for i, w in enumerate(widths):
            ws.column_dimensions[chr(ord("A") + i)].width = w
        if title == "Pohon kinerja":
            tahun = c.periode.tahun if c.periode else "-"
            ws.append([safe_cell(f"Pohon kinerja — {c.judul} — tahun {tahun}")])
        cells = []
        for h in header:
            cell = WriteOnlyCell(ws, value=h)
            cell.font = tebal
            cells.append(cell)
        ws.append(cells)
        for row in rows:
            ws.append([safe_cell(v) for v in row])

    sheet("Pohon kinerja", [8, 26, 60, 14, 28, 20, 30, 20, 28, 40, 50], KOLOM_XLSX, pohon_baris(c))
    sheet(
        "Celah",
        [36, 28, 60, 36],
        ["Jenis celah", "Pegawai", "Uraian", "Tindak lanjut"],
        _celah_baris(celah(c, tautan=False)),
    )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
