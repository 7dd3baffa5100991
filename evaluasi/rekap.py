"""Year-end outputs: the recap spreadsheet and the per-unit zip of evaluation PDFs."""

from __future__ import annotations

import io
import zipfile
from collections import Counter
from typing import Any

from django.db.models import Count

from evaluasi import rules
from evaluasi.models import Evaluasi, Jenis, KinerjaOrganisasi
from kinerja.models import Dokumen, Pegawai, Periode, UnitKerja

# A cell a spreadsheet would run as a formula (CSV/formula injection): prefixed with a quote.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def aman(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def data_rekap(periode: Periode) -> dict:
    """Everything the recap holds, as plain data (its hash decides whether to rewrite it)."""
    units = list(UnitKerja.objects.filter(instansi_id=periode.instansi_id).order_by("nama", "pk"))
    ko = {
        k.unit_kerja_id: k.predikat
        for k in KinerjaOrganisasi.objects.filter(periode=periode, jenis=Jenis.TAHUNAN)
    }
    counts: dict[int, Counter] = {}
    for row in (
        Evaluasi.objects.filter(periode=periode, jenis=Jenis.TAHUNAN, status=Evaluasi.Status.FINAL)
        .values("pegawai__unit_kerja_id", "predikat")
        .annotate(n=Count("id"))
    ):
        counts.setdefault(row["pegawai__unit_kerja_id"], Counter())[row["predikat"]] = row["n"]
    per_unit = []
    for u in units:
        c = counts.get(u.pk, Counter())
        org = ko.get(u.pk)
        per_unit.append(
            {
                "unit": u.nama,
                "ko": rules.PREDIKAT_ORG_LABEL.get(org, "belum ditetapkan")
                if org
                else "belum ditetapkan",
                "counts": [c.get(p, 0) for p in rules.PREDIKAT],
                "jumlah": sum(c.values()),
                "pedoman": rules.pedoman(org).uraian if org else "",
                "di_luar": "; ".join(p.pesan for p in rules.bandingkan(org, c)) if org else "",
                "diperingatkan": bool(org and rules.periksa_distribusi(org, c)),
            }
        )
    evs = {e.pegawai_id: e for e in Evaluasi.objects.filter(periode=periode, jenis=Jenis.TAHUNAN)}
    per_pegawai = []
    tanpa = 0
    for p in (
        Pegawai.objects.filter(instansi_id=periode.instansi_id)
        .exclude(status=Pegawai.Status.BERHENTI)
        .exclude(jenis_asn=Pegawai.JenisASN.PEJABAT_NEGARA)
        .select_related("unit_kerja", "jabatan")
        .order_by("unit_kerja__nama", "nama", "pk")
    ):
        e = evs.get(p.pk)
        final = e is not None and e.is_final
        tanpa += 0 if final else 1
        per_pegawai.append(
            {
                "nip": p.nip or "",
                "nama": p.nama,
                "jabatan": p.jabatan.nama if p.jabatan_id else "",
                "unit": p.unit_kerja.nama if p.unit_kerja_id else "",
                "hasil": rules.RATING_LABEL.get(e.rating_hasil_kerja, "") if e else "",
                "perilaku": rules.RATING_LABEL.get(e.rating_perilaku_kerja, "") if e else "",
                "predikat": rules.PREDIKAT_LABEL.get(e.predikat, "") if e else "",
                "kode": e.predikat if e else "",
                "status": ("final" if final else "draft") if e else "belum dievaluasi",
            }
        )
    return {
        "tahun": periode.tahun,
        "per_unit": per_unit,
        "per_pegawai": per_pegawai,
        "ringkas": {"tanpa_evaluasi_final": tanpa},
    }


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
                aman(v)
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
                aman(r[k])
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
