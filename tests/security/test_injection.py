"""Bad input: uploads that lie, overflow or explode; text that tries to become HTML, a formula
or a server-side fetch."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import socket
import threading
import time
import zipfile
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from kinerja.security import is_dangerous_cell, safe_cell

XSS = '<script>alert("xss")</script><img src=x onerror=alert(1)>'
XSS_ESCAPED = "&lt;script&gt;alert(&quot;xss&quot;)&lt;/script&gt;"
FORMULA = '=HYPERLINK("http://evil.example/x","klik")'


# --- safe_cell: the one formula guard ----------------------------------------------------------
@pytest.mark.parametrize(
    "value, expected",
    [
        ("=1+1", "'=1+1"),
        ("+62 812", "'+62 812"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        # tab, CR, LF at the start (some importers strip them), whatever follows
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("\n=HYPERLINK(1)", "'\n=HYPERLINK(1)"),
        ("\tBaik", "'\tBaik"),
        # Unicode look-alikes (NFKC): full-width, small, superscript forms; the minus sign
        ("\uff1dHYPERLINK(1)", "'\uff1dHYPERLINK(1)"),
        ("\uff0b1", "'\uff0b1"),
        ("\uff0d1", "'\uff0d1"),
        ("\uff20SUM(A1)", "'\uff20SUM(A1)"),
        ("\ufe661", "'\ufe661"),
        ("\u207c1", "'\u207c1"),
        ("\u22121", "'\u22121"),
        # leading whitespace and invisible characters before the formula
        ("  =1+1", "'  =1+1"),
        ("\u00a0=1", "'\u00a0=1"),
        ("\u3000\uff1d1", "'\u3000\uff1d1"),
        ("\u200b=1", "'\u200b=1"),
        ("\ufeff+1", "'\ufeff+1"),
        ("\x00@x", "'\x00@x"),
        ("\x1b-1", "'\x1b-1"),
        # ordinary text and typed values pass unchanged
        ("Baik", "Baik"),
        ("Analis SDM - Ahli Muda", "Analis SDM - Ahli Muda"),
        ("e-Kinerja", "e-Kinerja"),
        ("'=sudah aman", "'=sudah aman"),
        ("  Baik", "  Baik"),
        ("", ""),
        (12, 12),
        (-3.5, -3.5),  # a real number is a number, never a formula
        (Decimal("-1.5"), Decimal("-1.5")),
        (dt.date(2026, 1, 2), dt.date(2026, 1, 2)),
        (None, None),
        (True, True),
    ],
)
def test_safe_cell_neutralises_exactly_what_a_spreadsheet_would_run(value, expected):
    assert safe_cell(value) == expected
    assert not is_dangerous_cell(safe_cell(value))
    assert is_dangerous_cell(value) == (expected != value)


def test_every_export_uses_the_one_guard_and_no_other_exists():
    """Every module that writes a spreadsheet or CSV calls kinerja.security.safe_cell, and no
    module keeps a neutraliser of its own (a tuple of formula starts)."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    writers, others = [], []
    for app in ("kinerja", "skp", "dialog", "evaluasi"):
        for path in (root / app).rglob("*.py"):
            rel = path.relative_to(root).as_posix()
            if "/migrations/" in rel or rel == "kinerja/security.py":
                continue
            tree = ast.parse(path.read_text())
            names = {getattr(n, "attr", getattr(n, "id", None)) for n in ast.walk(tree)}
            imports = {
                n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module
            }
            writes = "Workbook" in names and "openpyxl" in imports
            writes |= bool({"writer", "DictWriter"} & names) and "csv" in {
                a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names
            }
            if writes or "load_workbook" in names:
                writers.append(rel)
                if "safe_cell" not in names:
                    others.append(f"{rel}: writes or reads spreadsheets without safe_cell")
            for n in ast.walk(tree):
                if isinstance(n, ast.Tuple | ast.Set | ast.List):
                    consts = {e.value for e in n.elts if isinstance(e, ast.Constant)}
                    if {"=", "@"} <= consts:
                        others.append(f"{rel}:{n.lineno}: a formula-start table of its own")
    assert {"evaluasi/rekap.py", "evaluasi/pohon/xlsx.py", "kinerja/berkas.py"} <= set(writers)
    assert not others, others


# --- PDF: no fetch of files or addresses -------------------------------------------------------
@pytest.fixture
def listener():
    """A TCP server on loopback that records every connection it receives."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(5)
    srv.settimeout(0.2)
    hits: list[bytes] = []
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                conn, _ = srv.accept()
            except OSError:
                continue
            hits.append(conn.recv(200))
            conn.close()

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    yield srv.getsockname()[1], hits
    stop.set()
    t.join(1)
    srv.close()


def test_render_pdf_fetches_no_file_and_no_address(listener, monkeypatch):
    from weasyprint import urls

    from kinerja import pdf

    port, hits = listener
    fetched: list[str] = []
    real = urls.default_url_fetcher
    monkeypatch.setattr(
        urls,
        "default_url_fetcher",
        lambda url, *a, **k: (fetched.append(url), real(url, *a, **k))[1],
    )
    html = (
        f'<html><head><link rel="stylesheet" href="http://127.0.0.1:{port}/s.css">'
        f"<style>@import url(http://127.0.0.1:{port}/i.css); "
        f"body {{ background: url(file:///etc/passwd) }}</style></head><body>"
        f'<img src="file:///etc/passwd"><img src="http://127.0.0.1:{port}/x">'
        f'<iframe src="http://127.0.0.1:{port}/f"></iframe><p>isi</p></body></html>'
    )
    data = pdf.render_pdf(html)
    time.sleep(0.3)
    assert data.startswith(b"%PDF")
    assert hits == [], "the PDF renderer connected to a local address"
    assert not any(u.startswith(("file:", "http")) for u in fetched), fetched


def test_safe_url_fetcher_refuses_everything_but_data(monkeypatch):
    from kinerja.pdf import FetchRefused, safe_url_fetcher

    for url in (
        "file:///etc/passwd",
        "http://127.0.0.1:9/x",
        "https://example.com/",
        "ftp://x/y",
        "//127.0.0.1/x",
        "/etc/passwd",
        "FILE:///etc/passwd",
    ):
        with pytest.raises(FetchRefused):
            safe_url_fetcher(url)
    assert safe_url_fetcher("data:text/plain,abc")  # our own inlined data is allowed


def test_user_text_in_the_skp_pdf_is_text_not_markup(org, listener):
    """A rencana hasil kerja typed as HTML appears literally in the PDF; nothing is fetched."""
    from pypdf import PdfReader

    from skp import services
    from skp.dokumen import skp_pdf_render

    port, hits = listener
    payload = f'<img src="http://127.0.0.1:{port}/x"><img src="file:///etc/passwd"> {XSS}'
    peg = org.pegawai
    skp = services.skp_buat(pegawai=peg, periode=org.periode_a, user=peg.user)
    services.rhk_tambah(
        skp=skp,
        user=peg.user,
        jenis="utama",
        rencana=payload,
        indikator=[{"aspek": "kualitas", "indikator": FORMULA, "target": "90 %"}],
    )
    data = skp_pdf_render(
        skp, {"kode": "UJI123", "url": "https://kinerja.example/verifikasi/UJI123/"}
    )
    time.sleep(0.3)
    assert hits == []
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert "<img" in text.replace("\n", "")  # shown as typed, not interpreted


# --- HTML pages and htmx fragments escape what users type -----------------------------------
def test_feedback_payload_is_escaped_in_pages_and_fragments(org, client_as):
    from dialog import services

    ub = services.umpan_balik_beri(
        user=org.kasubbid.user, penerima=org.pegawai, jenis="apresiasi", isi=XSS
    )
    c = client_as(org.pegawai.user)
    for url, headers in [
        (f"/dialog/umpan-balik/{ub.pk}/", {}),
        ("/dialog/umpan-balik/", {}),
        ("/dialog/umpan-balik/", {"HX-Request": "true"}),
    ]:
        r = c.get(url, headers=headers)
        html = r.content.decode()
        assert r.status_code == 200, url
        assert "<script>alert" not in html and "<img src=x onerror" not in html, url
    assert XSS_ESCAPED in html or "&lt;script&gt;" in html


def test_skp_text_payload_is_escaped_on_the_skp_page_and_row_fragment(org, client_as):
    from skp import services

    peg = org.pegawai
    skp = services.skp_buat(pegawai=peg, periode=org.periode_a, user=peg.user)
    rhk = services.rhk_tambah(
        skp=skp,
        user=peg.user,
        jenis="utama",
        rencana=XSS,
        indikator=[{"aspek": "kualitas", "indikator": XSS, "target": "90 %"}],
    )
    for who in ("pegawai", "kasubbid"):
        c = client_as(org.user(who))
        for url, headers in [
            (f"/skp/{skp.pk}/", {}),
            (f"/skp/{skp.pk}/rhk/{rhk.pk}/", {"HX-Request": "true"}),
        ]:
            r = c.get(url, headers=headers)
            html = r.content.decode()
            assert "<script>alert" not in html, (who, url)
            assert "<img src=x onerror" not in html, (who, url)


def test_dialog_catatan_and_evaluation_notes_are_escaped(org, client_as):
    import datetime as dt

    from django.utils import timezone

    from dialog import services

    d = services.dialog_catat(
        user=org.kasubbid.user,
        pegawai=org.pegawai,
        jenis="check_in",
        waktu=timezone.now(),
        agenda=XSS,
        catatan=XSS,
        tindak_lanjut=[(XSS, timezone.localdate() + dt.timedelta(days=3), None)],
    )
    for who in ("pegawai", "kasubbid"):
        html = client_as(org.user(who)).get(f"/dialog/dialog-kinerja/{d.pk}/").content.decode()
        assert "<script>alert" not in html and "&lt;script&gt;" in html


# --- uploads: the staff import ----------------------------------------------------------------
def _xlsx(rows: list[list]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    for r in rows:
        wb.active.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _zip_bomb(inflated: int = 300 * 1024 * 1024) -> bytes:
    """A valid-looking .xlsx whose one sheet inflates to `inflated` bytes of zeros (~300 KB)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        z.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook/>')
        chunk = b"\0" * (4 * 1024 * 1024)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            for _ in range(inflated // len(chunk)):
                member.write(chunk)
    return buf.getvalue()


@pytest.fixture
def inflated_bytes(monkeypatch):
    """Counts every byte any zip member yields while the test runs."""
    counter = [0]
    real = zipfile.ZipExtFile.read

    def read(self, n=-1):
        out = real(self, n)
        counter[0] += len(out)
        return out

    monkeypatch.setattr(zipfile.ZipExtFile, "read", read)
    return counter


def _impor(client, name: str, data: bytes, ctype: str = "application/octet-stream"):
    return client.post(
        "/organisasi/impor/", {"berkas": SimpleUploadedFile(name, data, content_type=ctype)}
    )


def test_import_refuses_a_zip_bomb_disguised_as_xlsx_without_inflating_it(
    org, client_as, inflated_bytes
):
    from kinerja.models import Pegawai

    bomb = _zip_bomb()
    assert len(bomb) < 2 * 1024 * 1024
    before = Pegawai.objects.count()
    t = time.perf_counter()
    r = _impor(client_as(org.admin_a), "pegawai.xlsx", bomb)
    assert time.perf_counter() - t < 5
    assert r.status_code in (200, 400)
    assert "terlalu besar" in r.content.decode()
    assert inflated_bytes[0] < 10 * 1024 * 1024, "the importer inflated the bomb"
    assert Pegawai.objects.count() == before


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("pegawai.xlsx", b"", "kosong"),
        ("pegawai.xlsx", b"%PDF-1.4 not a sheet" + b"\0" * 100, "bukan lembar kerja"),
        ("pegawai.csv", b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "bukan lembar kerja"),
        ("pegawai.xlsx", b"PK\x03\x04 broken zip" * 10, "rusak"),
        ("pegawai.xlsx", b"\xd0\xcf\x11\xe0" + b"\0" * 100, ".xls"),
    ],
)
def test_import_refuses_lying_empty_and_broken_files_with_a_message(
    org, client_as, name, data, message
):
    from kinerja.models import Pegawai

    before = Pegawai.objects.count()
    r = _impor(client_as(org.admin_a), name, data)
    assert r.status_code in (200, 400)
    assert message in r.content.decode()
    assert Pegawai.objects.count() == before


def test_import_refuses_an_oversized_file(org, client_as, settings):
    from kinerja import impor

    big = b"NIP,Nama\n" + b"1," + b"x" * (impor.MAX_BYTES + 10)
    r = _impor(client_as(org.admin_a), "pegawai.csv", big)
    assert "terlalu besar" in r.content.decode()


def test_imported_formulas_are_never_evaluated_nor_kept_as_formulas():
    from kinerja import impor

    head = ["NIP", "Nama", "Jenis ASN", "Golongan", "Jabatan", "Unit", "Atasan"]
    # xlsx: a formula cell is read as its cached value (never computed by us): none here.
    data = _xlsx([head, ["199001012015031001", FORMULA, "PNS", "III/a", "@x", "-1+1", ""]])
    rows, errors = impor.baca(data, "xlsx")
    values = [v for _, r in rows for v in r.values()]
    assert not any(is_dangerous_cell(v) for v in values), values
    assert not any("HYPERLINK" in v for v in values)
    # csv: formula-looking text is kept as text with a leading apostrophe.
    csv = (
        ",".join(head)
        + "\n"
        + f'199001012015031002,"{FORMULA.replace(chr(34), chr(34) * 2)}",PNS,III/a,+x,@y,\n'
        # look-alikes: full-width equals, a zero-width space before an at sign
        + "199001012015031003,\uff1dHYPERLINK(1),PNS,III/a,\u200b@x,\uff0d1,\n"
    )
    rows, errors = impor.baca(csv.encode(), "csv")
    values = [v for _, r in rows for v in r.values()]
    assert any(v.startswith("'=HYPERLINK") for v in values), values
    assert "'\uff1dHYPERLINK(1)" in values and "'\u200b@x" in values, values
    assert not any(is_dangerous_cell(v) for v in values), values


# --- uploads: bukti dukung --------------------------------------------------------------------
@pytest.fixture
def realisasi(org):
    from tests.security.objects import realisasi as make

    return make(org)


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("laporan.pdf", b"", "kosong"),
        ("laporan.pdf", b"\x89PNG\r\n\x1a\n" + b"\0" * 200, "tidak sesuai"),  # a PNG named .pdf
        ("laporan.pdf", b"MZ\x90\x00" + b"\0" * 200, "tidak diizinkan"),  # a Windows program
        ("laporan.pdf", b"<html><script>alert(1)</script></html>", "tidak diizinkan"),
        ("laporan.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>', "tidak"),
    ],
)
def test_bukti_dukung_is_judged_by_content(org, realisasi, name, data, message):
    from dialog import services
    from dialog.models import BuktiDukung

    with pytest.raises(ValidationError) as e:
        services.bukti_unggah(
            user=org.pegawai.user,
            realisasi=realisasi,
            judul="x",
            berkas=SimpleUploadedFile(name, data),
        )
    assert message in str(e.value)
    assert not BuktiDukung.objects.exists()


def test_bukti_dukung_refuses_an_oversized_file(org, realisasi, settings):
    from dialog import services

    settings.KINERJA_UPLOAD_MAX_BYTES = 1024
    pdf = b"%PDF-1.4\n" + b"0" * 4096
    with pytest.raises(ValidationError, match="melebihi batas"):
        services.bukti_unggah(
            user=org.pegawai.user,
            realisasi=realisasi,
            judul="x",
            berkas=SimpleUploadedFile("besar.pdf", pdf),
        )


def test_bukti_zip_bomb_named_xlsx_is_never_inflated(org, realisasi, inflated_bytes, settings):
    from dialog import services

    settings.KINERJA_UPLOAD_MAX_BYTES = 10 * 1024 * 1024
    # Refused is fine too; what matters is that nothing was inflated.
    with contextlib.suppress(ValidationError):
        services.bukti_unggah(
            user=org.pegawai.user,
            realisasi=realisasi,
            judul="x",
            berkas=SimpleUploadedFile("bom.xlsx", _zip_bomb(100 * 1024 * 1024)),
        )
    assert inflated_bytes[0] < 10 * 1024 * 1024


def test_bukti_is_downloaded_as_attachment_or_safe_inline_type(org, client_as):
    from tests.security.objects import bukti

    b = bukti(org)
    r = client_as(org.pegawai.user).get(f"/dialog/bukti/{b.pk}/unduh/")
    assert r.status_code == 200
    assert r["Content-Type"] in ("application/pdf", "image/png", "image/jpeg") or r[
        "Content-Disposition"
    ].startswith("attachment")
    assert r["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in r["Cache-Control"]


# --- exports never emit an executable cell -----------------------------------------------------
def _cells(xlsx: bytes) -> list:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(xlsx), read_only=True)
    return [c for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row]


def _poison(org) -> None:
    """Every text a user controls that an export may carry starts with a formula."""
    from kinerja.models import Jabatan, Pegawai, UnitKerja

    Pegawai.objects.filter(pk=org.pegawai.pk).update(nama=FORMULA)
    Pegawai.objects.filter(pk=org.rekan.pk).update(nama="+62 812 000")
    # Look-alikes and hidden starts: they passed every neutraliser the exports used before.
    Pegawai.objects.filter(pk=org.kasubbid.pk).update(nama='\uff1dHYPERLINK("http://x")')
    Pegawai.objects.filter(pk=org.fungsional.pk).update(nama="\n=1+1")
    Jabatan.objects.filter(pk=org.pegawai.jabatan_id).update(nama="\u200b@SUM(1)")
    UnitKerja.objects.filter(pk=org.unit_bidang.pk).update(nama="@SUM(1+1)")


def test_pohon_kinerja_export_has_no_formula_cells(org, client_as):
    from tests.evaluasi.conftest import skp_disetujui

    s = skp_disetujui(org.pegawai, org.periode_a)
    s.rencana_set.update(rencana=FORMULA)
    _poison(org)
    r = client_as(org.admin_a).get("/pohon/unduh.xlsx")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxml")
    cells = _cells(r.content)
    assert any(isinstance(c, str) and "HYPERLINK" in c for c in cells), "payload not exported"
    bad = [c for c in cells if is_dangerous_cell(c)]
    assert not bad, bad


def test_year_end_recap_export_has_no_formula_cells(org):
    from evaluasi import rekap
    from tests.evaluasi.conftest import final

    final(org)
    _poison(org)
    cells = _cells(rekap.xlsx_bytes(rekap.data_rekap(org.periode_a)))
    assert any(isinstance(c, str) and "HYPERLINK" in c for c in cells), "payload not exported"
    bad = [c for c in cells if is_dangerous_cell(c)]
    assert not bad, bad
