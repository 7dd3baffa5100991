"""kinerja.pdf.font_config: one WeasyPrint font configuration per process and thread, and a
document rendered with the shared one is the same document."""

from __future__ import annotations

import io
import threading

from pypdf import PdfReader

from kinerja import pdf

HTML = (
    "<html><body><h1>DOKUMEN EVALUASI KINERJA PEGAWAI</h1>"
    "<p style='font-family: \"Liberation Sans\"'>Ketepatan waktu 95 % — Baik</p></body></html>"
)


def _teks(data: bytes) -> str:
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def test_the_same_configuration_serves_every_document_of_a_thread():
    assert pdf.font_config() is pdf.font_config()
    other = []
    t = threading.Thread(target=lambda: other.append(pdf.font_config()))
    t.start()
    t.join()
    assert other and other[0] is not pdf.font_config()


def test_a_shared_configuration_renders_the_same_document():
    from weasyprint import HTML as WP

    first = pdf.render_pdf(HTML)
    second = pdf.render_pdf(HTML)  # the configuration of the first, reused
    fresh = WP(string=HTML).write_pdf()
    assert _teks(first) == _teks(second) == _teks(fresh)
    assert "Ketepatan waktu 95 % — Baik" in _teks(first)
    fonts = {
        str(f["/BaseFont"])
        for page in PdfReader(io.BytesIO(second)).pages
        for f in page["/Resources"]["/Font"].values()
    }
    fresh_fonts = {
        str(f["/BaseFont"])
        for page in PdfReader(io.BytesIO(fresh)).pages
        for f in page["/Resources"]["/Font"].values()
    }
    # the same fonts embedded (subset prefixes aside)
    assert {f.split("+")[-1] for f in fonts} == {f.split("+")[-1] for f in fresh_fonts}
