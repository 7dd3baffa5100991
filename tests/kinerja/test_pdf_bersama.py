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


# Table cells laid out once per pass (`_block_container_layout`). The documents differ in
# what sits above their table (an introduction of one to five lines), so the same cell sits at
# another height in some of them; in the units and officials their cells name (short and long
# names: one line or wrapped); and in length (a table running over two or three pages, broken
# at another row in each, with a tall cell that breaks inside).
UNIT = (
    "Bidang Umum",
    "Bagian Perencanaan, Evaluasi, Pelaporan dan Pengelolaan Keuangan Sekretariat Daerah",
    "Subbagian Kepegawaian",
)
SEL_KEMBAR = """
<p>{pengantar}</p>
<table class="grid">
<tr><th>NO</th><th>URAIAN</th><th>UNIT KERJA</th></tr>
{baris}
</table>
<p>Penutup dokumen {i}.</p>
"""


def _tabel(i: int, n_baris: int = 6, tinggi: int | None = None) -> str:
    pengantar = " ".join(["Dokumen ini memuat rincian penilaian kinerja pegawai."] * (1 + i % 5))
    baris = []
    for k in range(n_baris):
        uraian = "Rencana hasil kerja yang diintervensi" if k % 3 else "Target kuantitas"
        if tinggi is not None and k == tinggi:
            uraian = "<br>".join(f"Butir capaian {m}" for m in range(40))
        baris.append(f"<tr><td>{k + 1}</td><td>{uraian}</td><td>{UNIT[(i + k) % 3]}</td></tr>")
    isi = SEL_KEMBAR.format(pengantar=pengantar, baris="".join(baris), i=i)
    return HEAD.format(i=i, isi=isi).replace(
        "</style>", "table.grid td, table.grid th { border: 0.6pt solid #000; }\n</style>"
    )


def _sel_ditata(monkeypatch) -> list:
    """The table cells WeasyPrint really lays out (not those a pass copies)."""
    from weasyprint.formatting_structure import boxes
    from weasyprint.layout import block

    ditata = []

    def hitung(asli):
        def tata(context, box, index, *args, **kwargs):
            if type(box) is boxes.TableCellBox and index == 0:
                ditata.append(box)
            return asli(context, box, index, *args, **kwargs)

        return tata

    for nama in ("_in_flow_layout", "_linebox_layout"):  # a cell's first child, block or line
        monkeypatch.setattr(block, nama, hitung(getattr(block, nama)))
    return ditata


def test_a_cell_laid_out_before_at_the_same_place_is_not_laid_out_again(monkeypatch):
    # the same introduction (the same places) and units; the closing paragraph differs
    htmls = [_tabel(i) for i in (0, 15, 30, 45, 60)]
    ditata = _sel_ditata(monkeypatch)
    sendiri = [pdf.render_pdf(h) for h in htmls]
    satu = len(ditata) // len(htmls)
    del ditata[:]
    massal = pdf.render_pdf_massal(htmls, per_pass=50)
    assert massal == sendiri
    # as shipped, each document lays out each of its cells; in a pass only the first
    # document of each of the two page names does (their sections' styles differ)
    assert satu == 21
    assert len(ditata) == 2 * satu


def test_twin_cells_elsewhere_wrapped_otherwise_and_of_other_units_are_their_own():
    htmls = [_tabel(i) for i in range(7)]
    sendiri = [pdf.render_pdf(h) for h in htmls]
    massal = pdf.render_pdf_massal(htmls, per_pass=50)
    assert massal == sendiri


def test_a_table_over_pages_broken_at_other_rows_is_the_table_alone():
    htmls = [_tabel(i, n_baris=70, tinggi=20 + 3 * i) for i in range(5)]
    sendiri = [pdf.render_pdf(h) for h in htmls]
    halaman = {len(_isi_gambar(d)) for d in sendiri}
    assert min(halaman) > 2 and len(halaman) > 1
    massal = pdf.render_pdf_massal(htmls, per_pass=50)
    assert [isi_halaman(d) for d in massal] == [isi_halaman(d) for d in sendiri]
    assert massal == sendiri


def test_the_hooks_share_nothing_under_another_weasyprint(monkeypatch):
    import weasyprint

    from kinerja import pdf_bersama

    # written for the installed WeasyPrint: after an upgrade, check the wrapped internals
    # (kinerja/pdf_bersama.py) before raising VERSI_WEASYPRINT
    assert weasyprint.__version__.split(".")[0] == pdf_bersama.VERSI_WEASYPRINT
    assert pdf_bersama.kait_berlaku()
    monkeypatch.setattr(weasyprint, "__version__", "67.0")
    assert not pdf_bersama.kait_berlaku()
    with kerja_bersama():
        doc = HTML(string=HEAD.format(i=1, isi="<p>satu</p><p>dua</p>")).render()
    teks = _teks_dari(doc.pages[0]._page_box, [])
    assert teks[0].style is not teks[1].style  # rendered as shipped
    htmls = [_tabel(i) for i in (0, 5)]
    assert pdf.render_pdf_massal(htmls, per_pass=50) == [pdf.render_pdf(h) for h in htmls]
