"""Year-end outputs: the recap spreadsheet and the per-unit zip of evaluation PDFs."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections import Counter

from django.db import connection
from django.db.models import Count

from evaluasi import rules
from evaluasi.models import Evaluasi, Jenis, KinerjaOrganisasi
from kinerja.models import Dokumen, Pegawai, Periode, UnitKerja
from kinerja.security import safe_cell


def data_rekap(periode: Periode) -> dict:
    """Everything the recap holds, as plain data (its hash decides whether to rewrite it).

    The close's finisher runs this over every pegawai of the instansi, so it reads plain rows in
    three statements: the units with their kinerja organisasi, the predikat counts per unit (the
    evaluations reached through the instansi's pegawai, so PostgreSQL uses the instansi index
    instead of scanning every pegawai), and one row per pegawai with their annual evaluation
    (a LEFT JOIN, not a second list matched in Python)."""
    units = list(
        UnitKerja.objects.filter(instansi_id=periode.instansi_id)
        .order_by("nama", "pk")
        .values_list("pk", "nama")
    )
    ko = dict(
        KinerjaOrganisasi.objects.filter(periode=periode, jenis=Jenis.TAHUNAN)
        .order_by("pk")
        .values_list("unit_kerja_id", "predikat")
    )
    counts: dict[int, Counter] = {}
    for unit_id, predikat, n in (
        Evaluasi.objects.filter(
            periode=periode,
            jenis=Jenis.TAHUNAN,
            status=Evaluasi.Status.FINAL,
            pegawai__instansi_id=periode.instansi_id,
        )
        .order_by()
        .values_list("pegawai__unit_kerja_id", "predikat")
        .annotate(n=Count("id"))
    ):
        counts.setdefault(unit_id, Counter())[predikat] = n
    per_unit = []
    for unit_id, unit_nama in units:
        c = counts.get(unit_id, Counter())
        org = ko.get(unit_id)
        pel = rules.bandingkan(org, c) if org else []
        per_unit.append(
            {
                "unit": unit_nama,
                "ko": rules.PREDIKAT_ORG_LABEL.get(org, "belum ditetapkan")
                if org
                else "belum ditetapkan",
                "counts": [c.get(p, 0) for p in rules.PREDIKAT],
                "jumlah": sum(c.values()),
                "pedoman": rules.pedoman(org).uraian if org else "",
                "di_luar": "; ".join(p.pesan for p in pel),
                "diperingatkan": rules.diperingatkan(pel, sum(c.values())),
            }
        )
    per_pegawai = []
    tanpa = 0
    rating, predikat_label = rules.RATING_LABEL, rules.PREDIKAT_LABEL
    final_status = Evaluasi.Status.FINAL
    with connection.cursor() as c:
        c.execute(_PEGAWAI_SQL, {"periode": periode.pk, "instansi": periode.instansi_id})
        rows = c.fetchall()
    # The fingerprint: of the rows as read and the labels they are shown with (cheaper than
    # serialising 100k row dicts, and it changes exactly when the sheets would).
    h = hashlib.sha256(
        json.dumps([periode.tahun, per_unit, rating, predikat_label], default=str).encode()
    )
    h.update(json.dumps(rows, default=str).encode())
    for nip, nama, jabatan, unit, hasil, perilaku, predikat, status in rows:
        final = status == final_status
        tanpa += 0 if final else 1
        per_pegawai.append(
            {
                "nip": nip or "",
                "nama": nama,
                "jabatan": jabatan or "",
                "unit": unit or "",
                "hasil": rating.get(hasil or "", ""),
                "perilaku": rating.get(perilaku or "", ""),
                "predikat": predikat_label.get(predikat or "", ""),
                "kode": predikat or "",
                "status": ("final" if final else "draft") if status else "belum dievaluasi",
            }
        )
    return {
        "tahun": periode.tahun,
        "per_unit": per_unit,
        "per_pegawai": per_pegawai,
        "ringkas": {"tanpa_evaluasi_final": tanpa},
        "sidik": h.hexdigest(),
    }


def _sql_pegawai() -> str:
    p, u, j, e = (
        Pegawai._meta.db_table,
        UnitKerja._meta.db_table,
        Pegawai._meta.get_field("jabatan").related_model._meta.db_table,
        Evaluasi._meta.db_table,
    )
    # Every pegawai who is still serving (not berhenti, not a pejabat negara), by unit name (no
    # unit last), name and id; their annual evaluation of the year if there is one (one at most).
    # The names of jabatan and unit by primary key per row: as joins, PostgreSQL hashed every
    # jabatan and unit of the province (39k + 14k rows) for each instansi's 2,500 pegawai.
    return f"""
        SELECT p.nip, p.nama,
               (SELECT j.nama FROM {j} j WHERE j.id = p.jabatan_id),
               (SELECT u.nama FROM {u} u WHERE u.id = p.unit_kerja_id) AS unit,
               e.rating_hasil_kerja, e.rating_perilaku_kerja, e.predikat, e.status
        FROM {p} p
        LEFT JOIN {e} e
               ON e.pegawai_id = p.id AND e.periode_id = %(periode)s AND e.jenis = '{Jenis.TAHUNAN}'
        WHERE p.instansi_id = %(instansi)s
          AND p.status <> '{Pegawai.Status.BERHENTI}'
          AND p.jenis_asn <> '{Pegawai.JenisASN.PEJABAT_NEGARA}'
        ORDER BY unit, p.nama, p.id
    """


_PEGAWAI_SQL = _sql_pegawai()


def xlsx_bytes(data: dict) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "Per unit"
    head = [
        "Unit kerja",
        "Kinerja organisasi",
        *[rules.PREDIKAT_LABEL[p] for p in rules.PREDIKAT],
        "Jumlah",
        "Pedoman",
        "Di luar pedoman",
    ]
    ws.append(head)
    for row in data["per_unit"]:
        ws.append(
            [
                safe_cell(v)
                for v in [
                    row["unit"],
                    row["ko"],
                    *row["counts"],
                    row["jumlah"],
                    row["pedoman"],
                    row["di_luar"],
                ]
            ]
        )
    ws2 = wb.create_sheet("Per pegawai")
    ws2.append(
        [
            "NIP",
            "Nama",
            "Jabatan",
            "Unit kerja",
            "Rating hasil kerja",
            "Rating perilaku kerja",
            "Predikat",
            "Kode predikat",
            "Status",
        ]
    )
    for r in data["per_pegawai"]:
        ws2.append(
            [
                safe_cell(r[k])
                for k in (
                    "nip",
                    "nama",
                    "jabatan",
                    "unit",
                    "hasil",
                    "perilaku",
                    "predikat",
                    "kode",
                    "status",
                )
            ]
        )
    for sheet in (ws, ws2):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
    # NIP are text, never numbers (18 digits would lose precision).
    for (cell,) in ws2.iter_rows(min_row=2, min_col=1, max_col=1):
        cell.number_format = "@"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def xlsx_rekap(*, periode: Periode, data: dict, penutupan) -> Dokumen:
    from kinerja.pdf import dokumen_simpan

    return dokumen_simpan(
        jenis=Dokumen.Jenis.REKAP,
        judul=f"Rekapitulasi Evaluasi Kinerja {periode.tahun} — {periode.instansi.nama}",
        data=xlsx_bytes(data),
        nama_berkas=f"rekap-evaluasi-{periode.instansi.kode}-{periode.tahun}.xlsx",
        objek=penutupan,
        instansi_id=periode.instansi_id,
    )


def zip_unit(*, arsip, items: list) -> Dokumen:
    """A zip of the unit's PDFs (fixed timestamps: the same PDFs give the same bytes)."""
    from kinerja.pdf import dokumen_simpan

    penutupan, unit = arsip.penutupan, arsip.unit_kerja
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for ev, doc in sorted(items, key=lambda t: (t[0].pegawai.nama, t[0].pk)):
            info = zipfile.ZipInfo(
                f"{ev.pegawai.nip or ev.pegawai_id}-{_slug(ev.pegawai.nama)}.pdf",
                date_time=(penutupan.periode.tahun, 12, 31, 0, 0, 0),
            )
            info.compress_type = zipfile.ZIP_DEFLATED
            with doc.berkas.open("rb") as fh:
                zf.writestr(info, fh.read())
    return dokumen_simpan(
        jenis=Dokumen.Jenis.ZIP,
        judul=f"Dokumen Evaluasi Kinerja {penutupan.periode.tahun} — {unit.nama}",
        data=buf.getvalue(),
        nama_berkas=f"evaluasi-{penutupan.periode.tahun}-unit-{unit.pk}.zip",
        objek=arsip,
        instansi_id=unit.instansi_id,
    )


def _slug(text: str) -> str:
    from django.utils.text import slugify

    return slugify(text)[:60] or "pegawai"
