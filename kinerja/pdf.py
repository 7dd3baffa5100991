"""PDF rendering and the issued-document store shared by every stage.

`render_pdf` is a pure function HTML -> bytes; `render_pdf_massal` renders many documents of one
template in one WeasyPrint pass and returns the same files page for page. Its URL fetcher refuses `file:` and every
non-data URL, so text a user typed can never make the server read a file or fetch an address;
templates inline their CSS and images (data: URIs).
`dokumen_simpan` keeps the bytes with their SHA-256 and an unguessable public code.
"""

from __future__ import annotations

import contextlib
import copy
import gc
import hashlib
import html as html_lib
import logging
import os
import re
import threading
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string

from kinerja.models import Dokumen
from kinerja.pdf_bersama import kerja_bersama

logger = logging.getLogger(__name__)


class FetchRefused(ValueError):
    pass


def safe_url_fetcher(url: str, timeout: int = 10, ssl_context: Any = None) -> dict:
    """Only data: URLs (inlined by our own templates) are fetched."""
    if url.startswith("data:"):
        from weasyprint.urls import default_url_fetcher

        return default_url_fetcher(url, timeout=timeout, ssl_context=ssl_context)
    raise FetchRefused(f"URL ditolak saat membuat PDF: {url[:80]}")


_fonts = threading.local()


def font_config() -> Any:
    """This process's and thread's WeasyPrint FontConfiguration. Building one (Pango's font
    map) is about a tenth of rendering a one-page evaluation document; our templates use the
    system fonts only (no @font-face), so nothing accumulates in it between documents. Per
    thread because a Pango font map is not meant to be shared across threads; per process
    because a forked pool process must not use its parent's."""
    fc = getattr(_fonts, "fc", None)
    if fc is None or _fonts.pid != os.getpid():
        from weasyprint.text.fonts import FontConfiguration

        _fonts.fc, _fonts.pid = FontConfiguration(), os.getpid()
    return _fonts.fc


_gc = threading.Lock()
_gc_state = {"renders": 0, "was_enabled": False}


@contextlib.contextmanager
def _tanpa_gc():
    """Python's cyclic GC off while WeasyPrint works, and the young generation collected once
    after. A render allocates hundreds of thousands of objects (boxes, styles, Pango wrappers)
    that live until it ends, so the collector ran thousands of times per document and walked
    them over and over: about a sixth of an evaluation document's CPU time (bench/temuan.md,
    Putaran kelima). The render's garbage (it has cycles) is all young and unreferenced when
    the block ends, so the one collection frees it: memory stays as it was. Counted, since the
    threads of a process share the switch: the last render out turns it back on (if on)."""
    with _gc:
        if _gc_state["renders"] == 0:
            _gc_state["was_enabled"] = gc.isenabled()
            gc.disable()
        _gc_state["renders"] += 1
    try:
        yield
    finally:
        with _gc:
            _gc_state["renders"] -= 1
            if _gc_state["renders"] == 0 and _gc_state["was_enabled"]:
                gc.collect(0)
                gc.enable()


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML

    with _tanpa_gc():
        return HTML(string=html, url_fetcher=safe_url_fetcher, base_url=None).write_pdf(
            font_config=font_config()
        )


# A whole document of our templates: head (style and title) and body, nothing else around them.
_DOKUMEN = re.compile(
    r"\A(?P<awal>.*?<head>)(?P<head>.*?)</head>\s*<body>(?P<body>.*)</body>\s*</html>\s*\Z",
    re.S,
)
_JUDUL = re.compile(r"<title>(.*?)</title>", re.S)

# Each document is a section that starts a page group of its own (two names taken in turn,
# since neighbours of one name would form one group): its first page resets the page counter,
# and "of N" reads the page of the document's end marker, so "Halaman X dari Y" counts pages
# per document, as a file rendered alone does. The section inherits the body's top margin,
# which a forced break keeps, so every document starts at the height it has alone. On named
# pages WeasyPrint 66 takes every break for a forced one and keeps the margins at the top of a
# continued page; inside a section they are discarded instead (what an unforced break does),
# and the empty first child makes a document's first page not empty, so its margins stay.
_MASSAL_CSS = """
@page :nth(1 of kinerja-dok-a) { counter-reset: page 1 }
@page :nth(1 of kinerja-dok-b) { counter-reset: page 1 }
.kinerja-dok { break-before: page; margin-top: inherit;
  string-set: kinerja-dari target-counter(attr(data-kinerja-akhir url), page) }
.kinerja-dok * { margin-break: discard }
.kinerja-dok-a { page: kinerja-dok-a }
.kinerja-dok-b { page: kinerja-dok-b }
"""


class PassTerpisah(ValueError):
    """The documents cannot share one pass (not the shape `render_pdf_massal` expects)."""


def render_pdf_massal(htmls: Sequence[str], *, per_pass: int | None = None) -> list[bytes]:
    """Many whole HTML documents of one template -> one PDF each, the same page for page as
    `render_pdf` gives for each alone, in one WeasyPrint pass per `per_pass` documents (the
    template's stylesheet is parsed once per pass; what the documents repeat is worked out
    once, see kinerja.pdf_bersama: bench/temuan.md, issue 19 item 5). The documents' heads must be the same except for the title (each file keeps its
    own), and their CSS must not name pages or set the string `kinerja-dari`; documents whose
    heads differ go in passes of their own. `per_pass` (default: the setting
    KINERJA_PDF_PER_PASS) of 1 renders each document alone."""
    if per_pass is None:
        per_pass = settings.KINERJA_PDF_PER_PASS
    if per_pass <= 1:
        return [render_pdf(h) for h in htmls]
    out: list[bytes | None] = [None] * len(htmls)
    kelompok: dict[str, list[int]] = {}
    keping = {}
    for i, h in enumerate(htmls):
        try:
            keping[i] = _keping(h)
        except PassTerpisah:
            out[i] = render_pdf(h)  # not our templates' shape: alone, as before
            continue
        kelompok.setdefault(keping[i][0], []).append(i)
    for idx in kelompok.values():
        for mulai in range(0, len(idx), per_pass):
            bagian = idx[mulai : mulai + per_pass]
            try:
                hasil = _satu_pass([keping[i] for i in bagian])
            except PassTerpisah:
                logger.warning("PDF massal: %d dokumen dibuat satu per satu", len(bagian))
                hasil = [render_pdf(htmls[i]) for i in bagian]
            for i, data in zip(bagian, hasil, strict=True):
                out[i] = data
    return out  # type: ignore[return-value]


def _keping(html: str) -> tuple[str, str | None, str, str]:
    m = _DOKUMEN.match(html)
    if m is None:
        raise PassTerpisah("dokumen HTML tidak berbentuk <head>…</head><body>…</body>")
    judul = _JUDUL.search(m["head"])
    head = _JUDUL.sub("", m["head"], count=1)
    return head, html_lib.unescape(judul[1]) if judul else None, m["body"], m["awal"]


def _satu_pass(keping: list[tuple[str, str | None, str, str]]) -> list[bytes]:
    head, _, _, awal = keping[0]
    bagian = [
        f'<section class="kinerja-dok kinerja-dok-{"ab"[i % 2]}" id="kinerja-dok-{i}" '
        f'data-kinerja-akhir="#kinerja-akhir-{i}"><div></div>{body}'
        f'<div id="kinerja-akhir-{i}"></div></section>'
        for i, (_, _, body, _) in enumerate(keping)
    ]
    gabungan = (
        f"{awal}{head.replace('counter(pages)', 'string(kinerja-dari)')}"
        f"<style>{_MASSAL_CSS}</style></head><body>{''.join(bagian)}</body></html>"
    )
    with _tanpa_gc(), kerja_bersama():
        # in a function of its own: the pass's boxes and pages are unreferenced before the
        # collection at the end (alive then, they would be promoted and outlive it)
        return _render_bagi(gabungan, [judul for _, judul, _, _ in keping])


def _render_bagi(gabungan: str, judul: list[str | None]) -> list[bytes]:
    from weasyprint import HTML

    doc = HTML(string=gabungan, url_fetcher=safe_url_fetcher, base_url=None).render(
        font_config=font_config()
    )
    awal_hal = _awal_dokumen(doc.pages, len(judul))
    out = []
    for i, j in enumerate(judul):
        pages = doc.pages[awal_hal[i] : awal_hal[i + 1]]
        meta = copy.copy(doc.metadata)
        meta.title = j
        satu = doc.copy(pages)
        satu.metadata = meta
        out.append(satu.write_pdf())
    return out


def _awal_dokumen(pages: list[Any], n: int) -> list[int]:
    """Index of each document's first page (and the page count at the end), from the anchor
    its section leaves on the page it starts on; the markers are then dropped, so the files
    carry no named destinations a file rendered alone would not."""
    awal = {}
    for k, page in enumerate(pages):
        for nama in [a for a in page.anchors if a.startswith("kinerja-")]:
            if nama.startswith("kinerja-dok-"):
                awal.setdefault(int(nama.removeprefix("kinerja-dok-")), k)
            del page.anchors[nama]
    batas = [awal.get(i, -1) for i in range(n)] + [len(pages)]
    if any(a >= b for a, b in zip(batas, batas[1:], strict=False)) or batas[0] != 0:
        raise PassTerpisah(f"{n} dokumen, awal halamannya tidak berurutan: {batas[:-1]}")
    return batas


def render_template_pdf(template: str, context: dict) -> bytes:
    return render_pdf(render_to_string(template, context))


def qr_data_uri(text: str) -> str:
    """A QR code as an inline PNG data URI (no network, no files), one pixel per module: the
    templates size it and draw it with `image-rendering: pixelated`, so it prints as sharp as
    the SVG path it was until issue 19 (WeasyPrint parsed and drew that path, ±1,100 segments,
    in Python for every document: ±4 % of an evaluation document's time)."""
    import segno

    return segno.make(text, error="m").png_data_uri(scale=1)


@transaction.atomic
def dokumen_simpan(
    *,
    jenis: str,
    judul: str,
    data: bytes,
    nama_berkas: str,
    objek: Any,
    instansi_id: int,
    pegawai_id: int | None = None,
    versi: int = 1,
    kode: str | None = None,
) -> Dokumen:
    """Store an issued document; earlier documents for the same object become superseded."""
    ct = ContentType.objects.get_for_model(type(objek)) if objek is not None else None
    if ct is not None:
        Dokumen.objects.filter(content_type=ct, object_id=objek.pk, jenis=jenis).update(
            digantikan=True
        )
    doc = Dokumen(
        jenis=jenis,
        judul=judul[:300],
        sha256=hashlib.sha256(data).hexdigest(),
        content_type=ct,
        object_id=objek.pk if objek is not None else None,
        instansi_id=instansi_id,
        pegawai_id=pegawai_id,
        versi=versi,
    )
    if kode:
        doc.kode = kode
    doc.berkas.save(nama_berkas, ContentFile(data), save=False)
    doc.save()
    return doc
