"""kinerja.pdf.render_pdf_massal: many documents in one WeasyPrint pass give, per document, the
file `render_pdf` gives alone, page for page (size, text, and where each run of text sits),
with "Halaman X dari Y" counted per document."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from bench.ukur_pdf import isi_halaman
from kinerja import pdf

# A document shaped like ours (style and title in the head), with what moves at a page break:
# the body's margin above a first heading that has none (as in our templates), margins at the
# top of a page after an unforced break, a block kept whole, page numbers.
TPL = """<!doctype html>
<html lang="id">
<head>
<meta charset="utf-8">
<title>Dokumen {i} &amp; O&#x27;Neil</title>
<style>
@page {{ size: A4 portrait; margin: 15mm;
  @bottom-right {{ content: "Halaman " counter(page) " dari " counter(pages); }} }}
body {{ font-family: "DejaVu Sans", sans-serif; font-size: 10pt; }}
.kotak {{ margin: 12pt 0; border: 1pt solid #000; padding: 3pt; }}
h1 {{ margin: 0; font-size: 12pt; }}
h2 {{ margin: 14pt 0 4pt; }}
.ttd {{ page-break-inside: avoid; margin-top: 20pt; }}
</style>
</head>
<body>
<h1>Dokumen {i}</h1>
<div class="kotak">Pegawai yang dinilai</div>
{isi}
<table class="ttd"><tr><td>Pejabat Penilai Kinerja {i}</td></tr></table>
</body>
</html>
"""


def dokumen(i: int, paragraf: int) -> str:
    isi = "".join(
        f"<p>dokumen {i} paragraf {k}</p>"
        + (f"<h2>Bagian {k}</h2><div class='kotak'><p>isi {k}</p></div>" if k % 7 == 3 else "")
        for k in range(paragraf)
    )
    return TPL.format(i=i, isi=isi)


# 1, 4, 1, 2 and 1 pages: documents that end mid-page, span pages, and follow a long one.
HTMLS = [dokumen(1, 3), dokumen(2, 80), dokumen(3, 2), dokumen(4, 40), dokumen(5, 1)]


@pytest.fixture(scope="module")
def sendiri() -> list[bytes]:
    return [pdf.render_pdf(h) for h in HTMLS]


def _kaki(data: bytes) -> list[str]:
    return [p.extract_text().splitlines()[-1] for p in PdfReader(io.BytesIO(data)).pages]


def test_each_file_of_one_pass_is_the_file_rendered_alone(sendiri):
    massal = pdf.render_pdf_massal(HTMLS, per_pass=50)
    assert [len(isi_halaman(d)) for d in sendiri] == [1, 4, 1, 2, 1]
    for i, (a, b) in enumerate(zip(sendiri, massal, strict=True)):
        assert isi_halaman(b) == isi_halaman(a), f"dokumen {i + 1}"
    # page numbers count per document, as alone
    assert _kaki(massal[1]) == [f"Halaman {k} dari 4" for k in (1, 2, 3, 4)]
    assert _kaki(massal[2]) == ["Halaman 1 dari 1"]
    # each file keeps its own title
    titles = [PdfReader(io.BytesIO(d)).metadata.title for d in massal]
    assert titles == [f"Dokumen {i} & O'Neil" for i in range(1, 6)]


def test_passes_of_a_few_documents_give_the_same_files(sendiri):
    massal = pdf.render_pdf_massal(HTMLS, per_pass=2)
    assert [isi_halaman(d) for d in massal] == [isi_halaman(d) for d in sendiri]


def test_the_comparison_sees_a_page_boundary_one_page_off(monkeypatch, sendiri):
    """The check above can fail: a split one page late moves a page to the wrong file."""
    benar = pdf._awal_dokumen

    def geser(pages, n):
        batas = benar(pages, n)
        return [batas[0], batas[1] + 1, *batas[2:]]  # document 2 starts a page late

    monkeypatch.setattr(pdf, "_awal_dokumen", geser)
    massal = pdf.render_pdf_massal(HTMLS, per_pass=50)
    assert len(isi_halaman(massal[0])) == 2
    assert isi_halaman(massal[0]) != isi_halaman(sendiri[0])
    assert isi_halaman(massal[1]) != isi_halaman(sendiri[1])


def test_a_document_of_another_shape_is_rendered_alone(sendiri):
    lain = "<p>tanpa head dan body</p>"
    massal = pdf.render_pdf_massal([HTMLS[0], lain, HTMLS[1]], per_pass=50)
    assert isi_halaman(massal[0]) == isi_halaman(sendiri[0])
    assert isi_halaman(massal[1]) == isi_halaman(pdf.render_pdf(lain))
    assert isi_halaman(massal[2]) == isi_halaman(sendiri[1])


def test_documents_whose_styles_differ_share_no_pass():
    merah = HTMLS[2].replace("font-size: 10pt;", "font-size: 10pt; color: #b42318;")
    sendiri = [pdf.render_pdf(h) for h in (HTMLS[0], merah)]
    massal = pdf.render_pdf_massal([HTMLS[0], merah], per_pass=50)
    assert [isi_halaman(d) for d in massal] == [isi_halaman(d) for d in sendiri]


def test_the_default_of_one_renders_each_document_alone(settings, monkeypatch):
    settings.KINERJA_PDF_PER_PASS = 1
    monkeypatch.setattr(pdf, "_satu_pass", None)  # never reached
    assert len(pdf.render_pdf_massal(HTMLS[:2])) == 2


# Documents of one template whose elements differ only in attributes the style reads: the
# language (hyphenation, inherited by the text inside), the link target, the anchor. A shared
# pass gives elements that match the same rules one computed style (kinerja.pdf_bersama);
# these must stay each document's own.
TPL_ATRIBUT = """<!doctype html>
<html lang="id">
<head>
<meta charset="utf-8">
<title>Atribut {i}</title>
<style>
@page {{ size: A5 portrait; margin: 15mm; }}
body {{ font-family: "DejaVu Sans", sans-serif; font-size: 11pt; }}
.sempit {{ width: 28mm; hyphens: auto; text-align: justify; }}
</style>
</head>
<body>
<p class="sempit" lang="{lang}"><span>{kata}</span></p>
<p id="{id}"><a href="https://contoh.go.id/{id}">tautan {i}</a></p>
</body>
</html>
"""
KATA = "pertanggungjawaban administrasi kepegawaian kesejahteraan " * 3
HTMLS_ATRIBUT = [
    TPL_ATRIBUT.format(i=i, lang=lang, kata=KATA, id=f"bagian-{i}")
    for i, lang in enumerate(["id", "en", "en", "id"])
]


def _tautan(data: bytes) -> list[list[str]]:
    return [
        [a.get_object()["/A"]["/URI"] for a in p.get("/Annots", [])]
        for p in PdfReader(io.BytesIO(data)).pages
    ]


def _isi_gambar(data: bytes) -> list[bytes]:
    """Each page's drawing operators, byte for byte (borders, fills and text alike)."""
    return [p.get_contents().get_data() for p in PdfReader(io.BytesIO(data)).pages]


def test_what_an_element_reads_from_its_attributes_stays_its_own(caplog):
    sendiri = [pdf.render_pdf(h) for h in HTMLS_ATRIBUT]
    massal = pdf.render_pdf_massal(HTMLS_ATRIBUT, per_pass=50)
    assert "satu per satu" not in caplog.text  # one shared pass, not the fallback
    teks = [isi_halaman(d) for d in sendiri]
    baris = [t[0][1].splitlines()[:3] for t in teks]
    assert baris[0] == baris[3] != baris[1] == baris[2]  # the language moves the hyphenation
    assert [isi_halaman(d) for d in massal] == teks
    assert [_isi_gambar(d) for d in massal] == [_isi_gambar(d) for d in sendiri]
    assert [_tautan(d) for d in massal] == [
        [[f"https://contoh.go.id/bagian-{i}"]] for i in range(4)
    ]


def test_the_drawing_of_each_file_is_the_file_rendered_alone(sendiri):
    massal = pdf.render_pdf_massal(HTMLS, per_pass=50)
    assert [_isi_gambar(d) for d in massal] == [_isi_gambar(d) for d in sendiri]
