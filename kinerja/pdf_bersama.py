"""Work the documents of one shared WeasyPrint pass (`kinerja.pdf.render_pdf_massal`) do once
for all of them instead of once each: text measurements for table column widths, and the
computed styles of elements that are the same in every document.

WeasyPrint works per element and per box, so a pass of 50 documents did 50 times the work of
one (bench/temuan.md, issue 19 item 5). The documents of a pass come from one template: most
of their elements have the same matched rules under the same parents, and most of their text
(labels, headings, the unit, the officials) is the same. Both hooks are active only inside
`kerja_bersama()` in the thread that entered it; everywhere else WeasyPrint runs as shipped.
Each is checked by tests/kinerja/test_pdf_massal.py and tests/evaluasi/test_pdf_massal.py:
every file of a pass is the file rendered alone, page for page, text run for text run and
drawing operator for operator. The hooks wrap three WeasyPrint 66 module functions
(layout.preferred/inline.split_first_line, css.computed_from_cascaded): after a WeasyPrint
upgrade those tests say whether they still hold.
"""

from __future__ import annotations

import contextlib
import copy
import threading
from collections.abc import Iterator
from operator import itemgetter
from typing import Any

_aktif = threading.local()

# The style properties a text measurement reads (weasyprint.text: Layout, split_first_line,
# line_size, get_font_description): two runs of text with the same text and these values
# measure the same.
_GAYA_TEKS = (
    "direction", "font_family", "font_feature_settings", "font_kerning",
    "font_language_override", "font_size", "font_stretch", "font_style",
    "font_variant_alternates", "font_variant_caps", "font_variant_east_asian",
    "font_variant_ligatures", "font_variant_numeric", "font_variant_position",
    "font_variation_settings", "font_weight", "hyphenate_character", "hyphenate_limit_chars",
    "hyphenate_limit_zone", "hyphens", "lang", "letter_spacing", "overflow_wrap", "tab_size",
    "text_decoration_line", "white_space", "word_break", "word_spacing",
)  # fmt: skip


def _split_first_line(asli: Any, *, tata_letak: bool) -> Any:
    """WeasyPrint's split_first_line, remembered per text, width and text style during a pass:
    a column's widths measure every cell's text at least twice, and a unit's documents repeat
    most of their text. The preferred-width code reads only the widths and break positions;
    line layout (`tata_letak`) also keeps the returned Layout for drawing, which by then holds
    only its text and settings (Pango's objects are dropped and made again when drawn), so
    each line gets its own shallow copy."""

    def split_first_line(text, style, context, max_width, justification_spacing, *a, **kw):
        ingat = getattr(_aktif, "ukuran", None)
        if ingat is None:
            return asli(text, style, context, max_width, justification_spacing, *a, **kw)
        try:
            gaya = ingat.get(id(style))
            if gaya is None or gaya[0] is not style:  # once per style object (kept alive here)
                gaya = ingat[id(style)] = (style, tuple(style[p] for p in _GAYA_TEKS))
            kunci = (
                tata_letak, text, max_width, justification_spacing, a, tuple(sorted(kw.items())),
                gaya[1],
            )  # fmt: skip
            hasil = ingat.get(kunci)
        except TypeError:  # a value that cannot be a key: measured, not remembered
            return asli(text, style, context, max_width, justification_spacing, *a, **kw)
        if hasil is None:
            hasil = asli(text, style, context, max_width, justification_spacing, *a, **kw)
            if not tata_letak:
                ingat[kunci] = (None, *hasil[1:])
            elif not hasattr(hasil[0], "layout"):  # still holding Pango objects: not shared
                ingat[kunci] = hasil
                hasil = (copy.copy(hasil[0]), *hasil[1:])
        elif tata_letak:
            hasil = (copy.copy(hasil[0]), *hasil[1:])
        return hasil

    split_first_line.asli = asli
    return split_first_line


def _beku(v: Any) -> Any:
    """A declared value as a key: lists (the UA sheet's `content` of ::marker and the
    footnote pseudo-elements, on every element) as tuples tagged with their type."""
    try:
        hash(v)
        return v
    except TypeError:
        if isinstance(v, list | tuple):
            return (type(v), tuple(_beku(x) for x in v))
        if isinstance(v, set | frozenset):
            return (type(v), frozenset(_beku(x) for x in v))
        raise


def _computed_from_cascaded(asli: Any) -> Any:
    """WeasyPrint's computed_from_cascaded for the elements of a pass. An element whose matched
    declarations are those of an element seen before (its twin), under a parent whose style
    is the twin's parent's or that parent's twin, gets the twin's computed style itself: every
    value of it would compute the same, and WeasyPrint computes a style's values lazily, once
    per style object, so the second document on computes almost nothing. Not shared: an
    element with a declaration that reads the element (attr(): the UA sheet's anchor, link
    and lang from id, href, lang): its style is its own. It still stands for its twin as the
    parent of the next elements, unless what it reads is inherited (lang)."""
    from weasyprint.css.properties import INHERITED

    def computed_from_cascaded(element, cascaded, parent_style, pseudo_type=None, *a, **kw):
        tw = getattr(_aktif, "kembar", None)
        if tw is None or parent_style is None or getattr(element, "tag", None) is None:
            # pages and their margin boxes: as shipped (their styles get adjusted in place)
            return asli(element, cascaded, parent_style, pseudo_type, *a, **kw)
        kanon, kembar = tw
        induk = kanon.get(id(parent_style), parent_style)
        if not cascaded:  # anonymous style: its parent's twin stands for it
            style = asli(element, cascaded, parent_style, pseudo_type, *a, **kw)
            kanon[id(style)] = kembar.setdefault((id(induk), pseudo_type, None), style)
            return style
        try:
            deklarasi = tuple(
                sorted(((k, _beku(v[0])) for k, v in cascaded.items()), key=itemgetter(0))
            )
            kunci = (id(induk), pseudo_type, deklarasi)
            twin = kembar.get(kunci)
        except TypeError:  # a value that cannot be a key: this element computes alone
            return asli(element, cascaded, parent_style, pseudo_type, *a, **kw)
        baca = {k for k, (v, _) in cascaded.items() if "attr()" in repr(v)}
        if twin is not None and not baca:
            return twin
        style = asli(element, cascaded, parent_style, pseudo_type, *a, **kw)
        if twin is None:
            kembar[kunci] = twin = style
        if not (baca & INHERITED):
            kanon[id(style)] = twin
        return style

    computed_from_cascaded.asli = asli
    return computed_from_cascaded


_pasang = threading.Lock()


@contextlib.contextmanager
def kerja_bersama() -> Iterator[None]:
    """While inside, this thread's WeasyPrint renders share text measurements and computed
    styles between the documents of the render (one shared pass)."""
    import weasyprint.css
    from weasyprint.layout import inline, preferred

    with _pasang:
        if not hasattr(preferred.split_first_line, "asli"):
            preferred.split_first_line = _split_first_line(
                preferred.split_first_line, tata_letak=False
            )
        if not hasattr(inline.split_first_line, "asli"):
            inline.split_first_line = _split_first_line(inline.split_first_line, tata_letak=True)
        if not hasattr(weasyprint.css.computed_from_cascaded, "asli"):
            weasyprint.css.computed_from_cascaded = _computed_from_cascaded(
                weasyprint.css.computed_from_cascaded
            )
    _aktif.ukuran, _aktif.kembar = {}, ({}, {})
    try:
        yield
    finally:
        _aktif.ukuran = _aktif.kembar = None
