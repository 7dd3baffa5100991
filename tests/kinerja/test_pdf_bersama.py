"""kinerja.pdf_bersama inside one shared pass: what the documents of a pass share (the anonymous
styles of text and lines, the content widths of table cells), and what stays each document's
own (the text of list markers and leaders, whose styles WeasyPrint changes in place; a cell
whose collapsed border is another document's)."""

from __future__ import annotations

from weasyprint import HTML

from bench.ukur_pdf import isi_halaman
from kinerja import pdf
from kinerja.pdf_bersama import kerja_bersama
from tests.kinerja.test_pdf_massal import _isi_gambar

HEAD = """<!doctype html>
<html lang="id">
<head>
<meta charset="utf-8">
<title>Dokumen {i}</title>
<style>
@page {{ size: A5 portrait; margin: 12mm; }}
body {{ font-family: "DejaVu Sans", sans-serif; font-size: 10pt; }}
table {{ border-collapse: collapse; }}
td {{ border: 0.6pt solid #000; padding: 2pt; }}
td.tebal {{ border-right: 6pt solid #000; }}
li.titik::after {{ content: leader('.') "  hal.    " counter(list-item); }}
</style>
</head>
<body>
{isi}
</body>
</html>
"""


def _teks_dari(box, out):
    for anak in getattr(box, "children", []):
        if type(anak).__name__ == "TextBox":
            out.append(anak)
        _teks_dari(anak, out)
    return out


def test_text_and_lines_of_twin_elements_share_one_style():
    html = "<p>satu</p><p>dua</p>"
    with kerja_bersama():
        doc = HTML(string=HEAD.format(i=1, isi=html)).render()
    teks = _teks_dari(doc.pages[0]._page_box, [])
    assert [t.text for t in teks] == ["satu", "dua"]
    assert teks[0].style is teks[1].style
    # outside a pass, WeasyPrint as shipped: one anonymous style per box
    doc = HTML(string=HEAD.format(i=1, isi=html)).render()
    teks = _teks_dari(doc.pages[0]._page_box, [])
    assert teks[0].style is not teks[1].style


# Lists with markers (inside and outside) and a leader: WeasyPrint sets white-space on the
# marker's and the leader's text and position on the outside marker's box, in place. Shared
# with the text after the leader, its spaces would not collapse.
DAFTAR = """
<ul><li>butir pertama</li><li>butir kedua yang lebih panjang</li></ul>
<ol style="list-style-position: inside"><li>nomor satu</li><li>nomor dua</li></ol>
<ol><li class="titik">Bab {i}</li><li class="titik">Lampiran</li></ol>
<p>  teks   dengan   spasi  </p>
"""


def test_markers_and_leaders_stay_each_documents_own():
    htmls = [HEAD.format(i=i, isi=DAFTAR.format(i=i)) for i in range(3)]
    sendiri = [pdf.render_pdf(h) for h in htmls]
    massal = pdf.render_pdf_massal(htmls, per_pass=50)
    assert [isi_halaman(d) for d in massal] == [isi_halaman(d) for d in sendiri]
    assert [_isi_gambar(d) for d in massal] == [_isi_gambar(d) for d in sendiri]


# The same cell (style and text) in two documents, next to a cell whose thick right border
# wins the collapsed border in one of them only: its width is not the other's. (Documents
# 0 and 2: the sections of a pass take turns between two page names, so twins are found
# among every other document.)
SEL = """<table><tr><td{kelas}>a</td><td>sama sama sama</td><td>{i}</td></tr>
<tr><td>b</td><td>sama sama sama</td><td>ujung</td></tr></table>"""


def test_a_cells_width_follows_its_own_collapsed_borders():
    htmls = [
        HEAD.format(i=i, isi=SEL.format(kelas=' class="tebal"' if i == 2 else "", i=i))
        for i in range(4)
    ]
    sendiri = [pdf.render_pdf(h) for h in htmls]
    massal = pdf.render_pdf_massal(htmls, per_pass=50)
    assert _isi_gambar(sendiri[0]) != _isi_gambar(sendiri[2])
    assert [_isi_gambar(d) for d in massal] == [_isi_gambar(d) for d in sendiri]
    assert [isi_halaman(d) for d in massal] == [isi_halaman(d) for d in sendiri]


# Lines drawn again from an earlier document's drawing: bold and italic runs in one line,
# spacing, justified lines (their word spacing differs line by line), an underline (drawn as
# WeasyPrint does), and glyphs one document uses first that the other uses only later.
TEKS = """
<p style="text-align: justify; width: 60mm">{awal} Penilaian kinerja pegawai dilakukan
oleh pejabat penilai kinerja berdasarkan rencana hasil kerja dan perilaku kerja.</p>
<p>Nama: <strong>Budi {i}</strong> <em>(penata muda)</em></p>
<p style="letter-spacing: 1pt">SESUAI EKSPEKTASI</p>
<p><u>Predikat</u>: BAIK</p>
<p>{akhir}</p>
<ol>{butir}</ol>
"""


def _teks(i: int) -> str:
    awal, akhir = ("Jumat", "xyz 0123") if i % 2 else ("Senin", "qwv 4567 ÄÖ")
    butir = "".join(f"<li>Butir penilaian nomor {k}</li>" for k in range(12))
    return HEAD.format(i=i, isi=TEKS.format(i=i, awal=awal, akhir=akhir, butir=butir))


def test_each_file_of_a_pass_is_byte_for_byte_the_file_alone():
    htmls = [_teks(i) for i in range(5)]
    sendiri = [pdf.render_pdf(h) for h in htmls]
    massal = pdf.render_pdf_massal(htmls, per_pass=50)
    assert massal == sendiri  # fonts too: each file's glyph widths and text map


def test_a_line_drawn_before_is_drawn_again_without_pango(monkeypatch):
    from weasyprint.text.line_break import Layout

    dibuat = []
    reactivate = Layout.reactivate
    monkeypatch.setattr(
        Layout, "reactivate", lambda self, style: dibuat.append(1) or reactivate(self, style)
    )
    htmls = [_teks(i) for i in (0, 2, 4, 6)]  # the same text but the name
    pdf.render_pdf(htmls[0])
    satu = len(dibuat)
    pdf.render_pdf_massal(htmls, per_pass=50)
    # as shipped: each document lays out each line again. In a pass, the later documents
    # lay out only the line that differs, the underlined one, and each font's first line
    # in their own file.
    assert len(dibuat) - satu < 2 * satu
