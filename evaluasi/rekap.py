"""Year-end outputs: the recap spreadsheet and the per-unit zip of evaluation PDFs."""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import io
import operator
import zipfile
from collections import Counter

from django.db import connection

from evaluasi import rules
from evaluasi.models import Evaluasi, Jenis, KinerjaOrganisasi
from kinerja.models import Dokumen, Pegawai, Periode, UnitKerja
from kinerja.security import safe_cell


def data_rekap(periode: Periode) -> dict:
    """Everything the recap holds, as plain data (its hash decides whether to rewrite it).

    The close's finisher runs this over every pegawai of the instansi, so it reads plain rows in
    two statements: the instansi's units with their kinerja organisasi, and one row per pegawai
    with their annual evaluation, labels already applied (a LEFT JOIN, not a second list
    matched in Python). The per-unit counts of final evaluations come from those same pegawai
    rows: the pegawai statement also returns, unlisted, those who left (or are pejabat negara)
    but hold a final evaluation, so every final evaluation of the instansi's pegawai is read
    exactly once (a third pass over the year's evaluations, grouped in SQL, cost as much as the
    pegawai rows themselves at provincial scale)."""
    with _tanpa_gc():
        return _data_rekap(periode)


@contextlib.contextmanager
def _tanpa_gc():
    """The cyclic garbage collector paused: the rows (~113,000 tuples of strings for a
    province's 40 instansi) hold no cycles, yet made it collect 80-95 times in the bench's
    close (45-77 ms; bench/temuan.md, putaran kesembilan, "tutup"); paused, once per call,
    when it is re-enabled. Re-enabled after (if it was on); a concurrent thread that finds it
    paused leaves it to the one that paused it."""
    aktif = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if aktif:
            gc.enable()


def _data_rekap(periode: Periode) -> dict:
    params = {"periode": periode.pk, "instansi": periode.instansi_id}
    with connection.cursor() as c:
        c.execute(_UNIT_SQL, params)
        unit_rows = c.fetchall()
        c.execute(_PEGAWAI_SQL, params)  # no JIT: off for every app connection (settings)
        semua = c.fetchall()
    # Rows are (9 sheet values..., count key, listed). The key (`_hitung`) is one integer per
    # final evaluation: unit (0: none) and predikat position, negated (~) when not listed; NULL
    # otherwise. Counted in C by that integer (a 4-tuple key per row cost 4x as much), then once
    # per distinct key.
    seen = Counter(map(_KUNCI_HITUNG, semua))
    seen.pop(None, None)
    n = len(rules.PREDIKAT)
    vektor: dict[int, list[int]] = {}  # final evaluations per unit, per predikat
    total: dict[int, int] = {}  # per unit, whatever the code (as count(*) was)
    tidak_tampil = 0
    for kunci, k in seen.items():
        if kunci < 0:
            tidak_tampil += k
            kunci = ~kunci
        unit_id, i = divmod(kunci, _LEBAR)
        total[unit_id] = total.get(unit_id, 0) + k
        if i < n:
            vektor.setdefault(unit_id, [0] * n)[i] += k
    per_unit = []
    tanda = [str(periode.tahun)]  # what the fingerprint covers, one string per unit
    for unit_id, unit_nama, org in unit_rows:
        counts = vektor.get(unit_id) or [0] * n
        jumlah = total.get(unit_id, 0)
        ko, pedoman, di_luar, peringatan, nilai = _nilai_unit(org, tuple(counts), jumlah)
        tanda.append(f"{unit_nama}\x1f{nilai}")
        per_unit.append(
            {
                "unit": unit_nama,
                "ko": ko,
                "counts": counts,
                "jumlah": jumlah,
                "pedoman": pedoman,
                "di_luar": di_luar,
                "diperingatkan": peringatan,
            }
        )
    # The listed rows' sheet values, as tuples in KOLOM_PEGAWAI order (all rows, in C, when
    # nobody is unlisted); dicts for 100,000 rows cost more than reading them.
    rows = [r[:9] for r in semua if r[10]] if tidak_tampil else list(map(_NILAI, semua))
    # The fingerprint: of the sheets' values (the SQL applies the labels, every value is a
    # string; a unit's are joined once per distinct count vector), so it changes exactly when
    # the sheets would; joined in C, not serialised (json.dumps of 13,784 unit dicts took as
    # long as all the joins).
    h = hashlib.sha256("\x1e".join(tanda).encode())
    h.update(b"\x1d")
    h.update("\x1e".join(["\x1f".join(r) for r in rows]).encode())
    return {
        "tahun": periode.tahun,
        "per_unit": per_unit,
        "per_pegawai": rows,
        "ringkas": {
            # listed without a final evaluation (every unlisted row holds one)
            "tanpa_evaluasi_final": len(rows) - (sum(total.values()) - tidak_tampil),
            # final evaluations of pegawai without a unit (issued by the close job itself)
            "tanpa_unit": total.get(0, 0),
        },
        "sidik": h.hexdigest(),
    }


@functools.lru_cache(maxsize=4096)
def _nilai_unit(org: str | None, counts: tuple[int, ...], jumlah: int) -> tuple:
    """A unit's kinerja organisasi label, guidance, broken bounds and warning, and all its sheet
    values but the name as one string (for the fingerprint): pure in its arguments, and most of
    a province's 13,000 small units share a handful of count vectors."""
    if not org:
        ko, pedoman, di_luar, peringatan = "belum ditetapkan", "", "", False
    else:
        pel = rules.bandingkan(org, dict(zip(rules.PREDIKAT, counts, strict=True)))
        ko = rules.PREDIKAT_ORG_LABEL.get(org, "belum ditetapkan")
        pedoman = rules.pedoman(org).uraian
        di_luar = "; ".join(p.pesan for p in pel)
        peringatan = rules.diperingatkan(pel, jumlah)
    nilai = "\x1f".join([ko, *map(str, counts), str(jumlah), pedoman, di_luar, str(peringatan)])
    return ko, pedoman, di_luar, peringatan, nilai


def _sql_unit() -> str:
    u, ko = UnitKerja._meta.db_table, KinerjaOrganisasi._meta.db_table
    # The instansi's units by name and id, each with its annual kinerja organisasi.
    return f"""
        SELECT u.id, u.nama, ko.predikat
        FROM {u} u
        LEFT JOIN {ko} ko ON ko.unit_kerja_id = u.id AND ko.periode_id = %(periode)s
                         AND ko.jenis = '{Jenis.TAHUNAN}'
        WHERE u.instansi_id = %(instansi)s
        ORDER BY u.nama, u.id
    """


_UNIT_SQL = _sql_unit()
_KUNCI_HITUNG = operator.itemgetter(9)
_LEBAR = 8  # count key = unit id * _LEBAR + predikat position (len(PREDIKAT): another code)
# The columns of a row of `data_rekap(...)["per_pegawai"]` (the sheet "Per pegawai").
KOLOM_PEGAWAI = (
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
_NILAI = operator.itemgetter(slice(0, 9))
_FINAL = Evaluasi.Status.FINAL.value


def _label(kolom: str, labels: dict[str, str]) -> str:
    q = lambda t: "'" + t.replace("'", "''") + "'"  # noqa: E731  (constants of rules.py)
    whens = " ".join(f"WHEN {q(k)} THEN {q(v)}" for k, v in labels.items())
    return f"CASE {kolom} {whens} ELSE '' END"


def _hitung() -> str:
    """The count key of a row (see `_data_rekap`): for a final evaluation, its pegawai's unit id
    (0: none; ids start at 1) times `_LEBAR` plus its predikat's position in rules.PREDIKAT
    (len(PREDIKAT) for another code or none), bitwise-negated when the pegawai is not listed;
    NULL for anything else."""
    posisi = " ".join(f"WHEN '{k}' THEN {i}" for i, k in enumerate(rules.PREDIKAT))
    assert len(rules.PREDIKAT) < _LEBAR
    kunci = (
        f"CAST(COALESCE(p.unit_kerja_id, 0) AS bigint) * {_LEBAR} "  # CAST: SQLite has no ::
        f"+ CASE e.predikat {posisi} ELSE {len(rules.PREDIKAT)} END"
    )
    tampil = (
        f"p.status <> '{Pegawai.Status.BERHENTI}' "
        f"AND p.jenis_asn <> '{Pegawai.JenisASN.PEJABAT_NEGARA}'"
    )
    return (
        f"CASE WHEN e.status = '{_FINAL}' THEN "
        f"CASE WHEN {tampil} THEN {kunci} ELSE ~({kunci}) END END"
    )


def _sql_pegawai() -> str:
    p, u, j, e = (
        Pegawai._meta.db_table,
        UnitKerja._meta.db_table,
        Pegawai._meta.get_field("jabatan").related_model._meta.db_table,
        Evaluasi._meta.db_table,
    )
    status = (
        f"CASE WHEN e.status IS NULL THEN 'belum dievaluasi' "
        f"WHEN e.status = '{_FINAL}' THEN 'final' ELSE 'draft' END"
    )
    # Every pegawai who is still serving (not berhenti, not a pejabat negara), by unit name (no
    # unit last), name and id; their annual evaluation of the year if there is one (one at most),
    # as the sheet shows it (labels applied here, every value a string), then their unit's id
    # and whether they are listed. Among them, unlisted, those not serving who hold a final
    # evaluation: they count in their unit. (Sorting the listed first cost 25 % more: PostgreSQL
    # abbreviates only the first sort key, and a text one there is the cheap case.) Unit names
    # from the instansi's own units (a hash of ~400 rows; a unit elsewhere by its key), jabatan
    # names by primary key per row: joined unfiltered, PostgreSQL hashed every jabatan and unit
    # of the province (39k + 14k rows) for each instansi's 2,500 pegawai.
    return f"""
        SELECT nip, nama, jabatan, unit, hasil, perilaku, predikat, kode, status, hitung, tampil
        FROM (
            SELECT COALESCE(p.nip, '') AS nip, p.nama,
                   COALESCE((SELECT j.nama FROM {j} j WHERE j.id = p.jabatan_id), '') AS jabatan,
                   COALESCE(
                       uu.nama, (SELECT u.nama FROM {u} u WHERE u.id = p.unit_kerja_id), ''
                   ) AS unit,
                   {_label("e.rating_hasil_kerja", rules.RATING_LABEL)} AS hasil,
                   {_label("e.rating_perilaku_kerja", rules.RATING_LABEL)} AS perilaku,
                   {_label("e.predikat", rules.PREDIKAT_LABEL)} AS predikat,
                   COALESCE(e.predikat, '') AS kode, {status} AS status,
                   {_hitung()} AS hitung, p.unit_kerja_id IS NULL AS tanpa_unit, p.id,
                   (p.status <> '{Pegawai.Status.BERHENTI}'
                    AND p.jenis_asn <> '{Pegawai.JenisASN.PEJABAT_NEGARA}') AS tampil
            FROM {p} p
            LEFT JOIN (SELECT id, nama FROM {u} WHERE instansi_id = %(instansi)s) uu
                   ON uu.id = p.unit_kerja_id
            LEFT JOIN {e} e
                   ON e.pegawai_id = p.id AND e.periode_id = %(periode)s
                  AND e.jenis = '{Jenis.TAHUNAN}'
            WHERE p.instansi_id = %(instansi)s
        ) r
        WHERE tampil OR status = 'final'
        ORDER BY tanpa_unit, unit, nama, id
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
        ws2.append([safe_cell(v) for v in r])
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
