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
