"""Work the documents of one shared WeasyPrint pass (`kinerja.pdf.render_pdf_massal`) do once
for all of them instead of once each: the computed styles of elements that are the same in
every document and the anonymous styles of their text and lines, text measurements, table
cells' content widths, the layout of table cells laid out before at the same place, and the
drawing of lines of text drawn before.

WeasyPrint works per element and per box, so a pass of 50 documents did 50 times the work of
one (bench/temuan.md, issue 19 item 5). The documents of a pass come from one template: most
of their elements have the same matched rules under the same parents, and most of their text
(labels, headings, the unit, the officials) is the same. The hooks are active only inside
`kerja_bersama()` in the thread that entered it; everywhere else WeasyPrint runs as shipped.
They are checked by tests/kinerja/test_pdf_massal.py, tests/kinerja/test_pdf_bersama.py and
tests/evaluasi/test_pdf_massal.py: every file of a pass is the file rendered alone, byte for
byte. The hooks wrap WeasyPrint 66 internals (layout.preferred/inline.split_first_line,
preferred.table_cell_min_max_content_width, layout.block.block_container_layout,
css.computed_from_cascaded, boxes.Box.anonymous_from, draw.draw_text): under another major
version `kerja_bersama` shares nothing (VERSI_WEASYPRINT) until they are checked again.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator
from operator import itemgetter
from typing import Any

logger = logging.getLogger(__name__)

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


def _gaya_teks(style: Any, ingat: dict) -> tuple:
    """The text style values of a style, once per style object (kept alive in `ingat`)."""
    gaya = ingat.get(id(style))
    if gaya is None or gaya[0] is not style:
        gaya = ingat[id(style)] = (style, tuple(style[p] for p in _GAYA_TEKS))
    return gaya[1]


def _salin(layout: Any) -> Any:
    """A shallow copy of a WeasyPrint text Layout (what copy.copy makes of it, without the
    generic machinery: one per line laid out)."""
    salinan = object.__new__(type(layout))
    salinan.__dict__.update(layout.__dict__)
    return salinan


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
            kunci = (
                tata_letak, text, max_width, justification_spacing, a, tuple(sorted(kw.items())),
                _gaya_teks(style, ingat),
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
                hasil = (_salin(hasil[0]), *hasil[1:])
        elif tata_letak:
            hasil = (_salin(hasil[0]), *hasil[1:])
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


def _deklarasi(cascaded: dict, tw: tuple) -> tuple[int, frozenset]:
    """An element's cascaded declarations as a number (the same for the same declarations in
    any order) and the names of those that read the element (attr()). Elements that match the
    same rules hold the same value objects, so this is worked out once per set of objects; the
    objects are kept with it, so their ids stay theirs for the pass."""
    _, _, per_objek, nomor = tw
    nilai = list(map(itemgetter(0), cascaded.values()))
    kunci = (tuple(cascaded), tuple(map(id, nilai)))
    hasil = per_objek.get(kunci)
    if hasil is None:
        deklarasi = tuple(sorted(zip(cascaded, map(_beku, nilai), strict=True), key=itemgetter(0)))
        baca = frozenset(k for k, v in zip(cascaded, nilai, strict=True) if "attr()" in repr(v))
        hasil = per_objek[kunci] = (nomor.setdefault(deklarasi, len(nomor)), baca, nilai)
    return hasil[0], hasil[1]


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
        kanon, kembar = tw[0], tw[1]
        induk = kanon.get(id(parent_style), parent_style)
        if not cascaded:  # anonymous style: its parent's twin stands for it
            style = asli(element, cascaded, parent_style, pseudo_type, *a, **kw)
            kanon[id(style)] = kembar.setdefault((id(induk), pseudo_type, None), style)
            return style
        try:
            deklarasi, baca = _deklarasi(cascaded, tw)
        except TypeError:  # a value that cannot be a key: this element computes alone
            return asli(element, cascaded, parent_style, pseudo_type, *a, **kw)
        kunci = (id(induk), pseudo_type, deklarasi)
        twin = kembar.get(kunci)
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


def _anonymous_from(asli: Any) -> Any:
    """WeasyPrint's Box.anonymous_from for the text and line boxes of a pass: the anonymous
    style of a run of text or a line inherits everything from its element, so the text and
    lines of an element and of its twins share one (most boxes of a document are these).
    Only under an element's own style: WeasyPrint changes the anonymous style of a marker's
    or a leader's text in place, and those hang from pseudo-elements."""
    from weasyprint.css import ComputedStyle
    from weasyprint.formatting_structure import boxes

    jenis = (boxes.TextBox, boxes.LineBox)

    def anonymous_from(cls, parent, *args, **kwargs):
        tw = getattr(_aktif, "kembar", None)
        ps = parent.style
        if (
            tw is None or cls not in jenis or type(ps) is not ComputedStyle
            or ps.pseudo_type is not None or getattr(ps.element, "tag", None) is None
        ):  # fmt: skip
            return asli.__func__(cls, parent, *args, **kwargs)
        kunci = ("anonim", id(tw[0].get(id(ps), ps)))
        style = tw[1].get(kunci)
        if style is None:
            style = tw[1][kunci] = boxes.computed_from_cascaded(
                cascaded={}, parent_style=ps, element=None
            )
        return cls(parent.element_tag, style, parent.element, *args, **kwargs)

    anonymous_from.asli = asli
    return classmethod(anonymous_from)


class _TidakDiingat(Exception):
    """A box whose content widths are not remembered: worked out as shipped."""


def _sidik(box: Any, jenis: dict) -> tuple:
    """What a table cell's min- and max-content widths read of a box and its descendants
    (weasyprint.layout.preferred): its kind, its style object (twins share one, see
    `_computed_from_cascaded`), the used border widths of the collapsing-borders model, and
    the text. Only cells of blocks, lines, inline boxes and text are fingerprinted; anything
    else (images, nested tables, inline blocks…) is not remembered."""
    t = type(box)
    if t is jenis["teks"]:
        return (id(box.style), box.text, box.justification_spacing)
    if t not in jenis["wadah"] or box.is_table_wrapper:
        raise _TidakDiingat
    return (
        t, id(box.style), getattr(box, "border_left_width", None),
        getattr(box, "border_right_width", None), tuple(_sidik(c, jenis) for c in box.children),
    )  # fmt: skip


def _table_cell_min_max_content_width(asli: Any) -> Any:
    """WeasyPrint's table cell content widths, remembered per cell content during a pass: an
    automatic table layout measures every cell, and most cells of a unit's documents (labels,
    headings, numbers, the unit, the officials) are the same in each."""
    from weasyprint.formatting_structure import boxes

    jenis = {
        "teks": boxes.TextBox,
        "wadah": (boxes.TableCellBox, boxes.BlockBox, boxes.LineBox, boxes.InlineBox),
    }

    def table_cell_min_max_content_width(context, box, outer=True):
        ingat = getattr(_aktif, "lebar", None)
        if ingat is None:
            return asli(context, box, outer)
        try:
            kunci = (outer, _sidik(box, jenis))
        except _TidakDiingat:
            return asli(context, box, outer)
        hasil = ingat.get(kunci)
        if hasil is None:  # the cell is kept with it: its styles' ids stay theirs
            hasil = ingat[kunci] = (asli(context, box, outer), box)
        return hasil[0]

    table_cell_min_max_content_width.asli = asli
    return table_cell_min_max_content_width


# The box kinds whose laid-out table cells are remembered, and the box attributes that hold no
# layout input (the element: see `_sidik_sel`).
_JENIS_SEL = ("TableCellBox", "BlockBox", "LineBox", "InlineBox", "TextBox")


def _gaya_polos(style: Any, ingat: dict) -> bool:
    """Whether a style lays its box out in the flow and leaves nothing for later (no float,
    position, anchor, link, string, bookmark, form field or footnote): what a cell's layout
    reads and writes is then its boxes and the layout arguments only. Once per style object."""
    hasil = ingat.get(id(style))
    if hasil is None or hasil[0] is not style:
        hasil = ingat[id(style)] = (
            style,
            style["position"] == "static" and style["float"] == "none"
            and style["anchor"] is None and style["link"] is None
            and style["string_set"] == "none" and style["bookmark_level"] == "none"
            and style["appearance"] != "auto" and style["footnote_display"] == "block"
            and style["height"] == "auto" and style["continue"] == "auto"
            and style["max_lines"] == "none",
        )  # fmt: skip
    return hasil[1]


def _beku_nilai(v: Any) -> Any:
    t = type(v)
    if t is list or t is tuple:
        return (t, tuple(_beku_nilai(x) for x in v))
    if t is set or t is frozenset:
        return (t, frozenset(v))
    if t is dict:
        return (t, tuple(sorted((k, _beku_nilai(x)) for k, x in v.items())))
    hash(v)
    return v


def _sidik_sel(box: Any, jenis: tuple, gaya: dict, out: list) -> list:
    """Everything of a box and its descendants that their layout reads, flat in tree order:
    kind, style object (twins share one, see `_computed_from_cascaded`), the number of
    attributes, every attribute but the element (read after layout only by PDF tags, forms,
    bookmarks and anchors, which `_gaya_polos` keeps out) with its value's type (0 is not
    0.0 in a PDF), the number of children. Raises _TidakDiingat for anything else."""
    t = type(box)
    if t not in jenis or not _gaya_polos(box.style, gaya) or "::" in box.element_tag:
        raise _TidakDiingat
    d = box.__dict__
    out += (t, id(box.style), len(d))
    for k, v in d.items():
        if k == "element" or k == "style" or k == "children":
            continue
        tv = type(v)
        if tv is set or tv is list or tv is dict or tv is tuple:
            try:
                v = _beku_nilai(v)
            except TypeError:
                raise _TidakDiingat from None
        out += (k, tv, v)
    anak = d.get("children")
    if anak is None:
        out.append(None)
    else:
        out.append(len(anak))
        for c in anak:
            _sidik_sel(c, jenis, gaya, out)
    return out


def _kopi(box: Any) -> Any:
    """A laid-out box tree copied as deep as its layout made it: boxes, their children lists
    and other containers, each text's Layout (shallowly, as `_split_first_line` gives each
    line its own); styles and elements shared."""
    baru = object.__new__(type(box))
    d = baru.__dict__
    d.update(box.__dict__)
    for k, v in d.items():
        t = type(v)
        if t is list:
            d[k] = [_kopi(c) for c in v] if k == "children" else list(v)
        elif t is set or t is dict:
            d[k] = t(v)
    if "pango_layout" in d:
        d["pango_layout"] = _salin(d["pango_layout"])
    return baru


_POLOS = (int, float, str, bool, type(None))


def _keadaan(box: Any, out: list) -> list | None:
    """What a layout left in the attributes of the boxes it was given (WeasyPrint lays out
    copies but sets places and sizes on the originals too), box by box in tree order, or None
    if it changed their tree or left anything but plain values."""
    d = box.__dict__
    nilai = {k: v for k, v in d.items() if k != "element" and k != "style" and k != "children"}
    for v in nilai.values():
        if type(v) not in _POLOS and not (type(v) in (set, list) and not v):
            return None
    out.append((nilai, len(d.get("children", ()))))
    for c in d.get("children", ()):
        if _keadaan(c, out) is None:
            return None
    return out


def _pulihkan(box: Any, sesudah: Iterator) -> None:
    """Leave a twin cell's boxes as the layout of its twin left its own (`_keadaan`)."""
    nilai, n = next(sesudah)
    d = box.__dict__
    anak = d.get("children", ())
    if len(anak) != n:  # pragma: no cover - the key holds the tree: cannot happen
        raise RuntimeError("pohon sel kembar berbeda")
    d.update(nilai)
    for k, v in nilai.items():
        if type(v) not in _POLOS:  # an empty set or list (`_keadaan`): its own
            d[k] = type(v)()
    for c in anak:
        _pulihkan(c, sesudah)


def _block_container_layout(asli: Any) -> Any:
    """WeasyPrint's layout of a block container, remembered for table cells during a pass: a
    cell whose boxes (`_sidik_sel`), place, width and page are those of a cell laid out
    before gets a copy of that layout. The documents of a pass start their pages at the same
    place, so most cells of their tables (labels, headings, numbers, the unit, the
    officials) sit where the cell of the document before sat. Only a cell laid out whole
    (no break inside it) is remembered; the layout arguments and every context value block
    layout reads are part of the key: the page bottom, and on an empty page whether it is
    the first and follows a forced break (read only there: `page_is_empty` passes down to a
    cell's content narrowed, never widened); outside columns and footnotes. The boxes given
    keep what layout writes on them (`_keadaan`), as if laid out."""
    from weasyprint.formatting_structure import boxes

    sel = boxes.TableCellBox
    jenis = tuple(getattr(boxes, n) for n in _JENIS_SEL)

    def block_container_layout(
        context, box, bottom_space, skip_stack, page_is_empty, absolute_boxes, fixed_boxes,
        adjoining_margins, discard, max_lines,
    ):  # fmt: skip
        ingat = getattr(_aktif, "sel", None)
        if (
            ingat is None or type(box) is not sel or skip_stack is not None
            or adjoining_margins is not None or discard or max_lines is not None
            or context.footnotes or context.reported_footnotes or context.in_column
        ):  # fmt: skip
            return asli(
                context, box, bottom_space, skip_stack, page_is_empty, absolute_boxes,
                fixed_boxes, adjoining_margins, discard, max_lines,
            )  # fmt: skip
        try:
            kunci = (
                *_sidik_sel(box, jenis, _aktif.polos, []), type(bottom_space), bottom_space,
                type(context.page_bottom), context.page_bottom, page_is_empty,
                page_is_empty and (context.current_page > 1, context.forced_break),
            )  # fmt: skip
            ingatan = ingat.get(kunci)
        except (_TidakDiingat, TypeError):  # TypeError: a value that cannot be a key
            kunci = ingatan = None
        if ingatan is not None:
            hasil, sesudah, _ = ingatan
            _pulihkan(box, iter(sesudah))
            return (_kopi(hasil[0]), None, dict(hasil[2]), list(hasil[3]), *hasil[4:])
        hasil = asli(
            context, box, bottom_space, skip_stack, page_is_empty, absolute_boxes,
            fixed_boxes, adjoining_margins, discard, max_lines,
        )  # fmt: skip
        if kunci is not None and hasil[0] is not None and hasil[1] is None:
            sesudah = _keadaan(box, [])
            if sesudah is not None:
                # the input box is kept with it: its styles' ids stay theirs
                ingat[kunci] = ((_kopi(hasil[0]), *hasil[1:]), sesudah, box)
        return hasil

    block_container_layout.asli = asli
    return block_container_layout


# What WeasyPrint's draw_first_line calls on the stream, replayed in this order.
_GAMBAR_TEKS = ("set_text_matrix", "add_font", "show_text", "set_font_size", "set_text_rise")


def _draw_text(asli: Any) -> Any:
    """WeasyPrint's draw_text for the plain text of a pass (no ellipsis, no decoration, no
    emoji): a line whose text and text style were drawn before is drawn again from what that
    drawing did to the stream (text position, fonts, glyph strings), without laying the text
    out in Pango again. The glyphs each line uses go into each file's fonts (widths and the
    text each glyph stands for) as drawing them does: first use in the file wins."""
    from weasyprint.matrix import Matrix

    def draw_text(*args):
        ingat = getattr(_aktif, "gambar", None)
        if ingat is None or len(args) != 5:
            return asli(*args)
        stream, textbox, _, text_overflow, block_ellipsis = args
        style = textbox.style
        garis = style["text_decoration_line"]
        if (
            text_overflow == "ellipsis" or block_ellipsis != "none"
            or style["visibility"] != "visible" or not style["font_size"]
            or any(d in garis for d in ("underline", "overline", "line-through"))
        ):  # fmt: skip
            return asli(*args)
        layout = textbox.pango_layout
        try:
            kunci = (layout.text, layout.justification_spacing, _gaya_teks(style, _aktif.ukuran))
            rekaman = ingat.get(kunci)
        except TypeError:
            return asli(*args)
        fonts = stream._fonts
        if rekaman is None or not rekaman[1] <= fonts.keys():
            rekaman = _rekam(asli, args, fonts)
            if rekaman is not None:
                ingat[kunci] = rekaman
            return None
        ops, _, glyf = rekaman
        stream.set_color(style["color"])
        stream.begin_text()
        for nama, nilai in ops:
            if nama == "set_text_matrix":
                x, y = textbox.position_x, textbox.position_y + textbox.baseline
                stream.set_text_matrix(*Matrix(d=-1, e=x, f=y).values)
            elif nama != "add_font":
                getattr(stream, nama)(*nilai)
        stream.end_text()
        for k, (lebar, cmap) in glyf.items():
            font = fonts[k]
            for g, w in lebar.items():
                font.widths.setdefault(g, w)
            for g, t in cmap.items():
                font.cmap.setdefault(g, t)
        return None

    draw_text.asli = asli
    return draw_text


def _rekam(asli: Any, args: tuple, fonts: dict) -> tuple | None:
    """Draw a text box as WeasyPrint does, noting the stream calls and, per font, the glyphs
    the line uses (each font's widths and text map start empty for the call, then what was
    there comes back first)."""
    stream = args[0]
    simpan = {k: (f.widths, f.cmap) for k, f in fonts.items()}
    for f in fonts.values():
        f.widths, f.cmap = {}, {}
    ops: list[tuple[str, tuple]] = []

    def catat(nama: str, fungsi: Any) -> Any:
        def panggil(*a):
            hasil = fungsi(*a)
            if nama == "add_font":  # the font by its key in the file's fonts
                ops.append((nama, next(k for k, f in fonts.items() if f is hasil[0])))
            else:
                ops.append((nama, a))
            return hasil

        return panggil

    for nama in _GAMBAR_TEKS:
        setattr(stream, nama, catat(nama, getattr(stream, nama)))
    try:
        asli(*args)
    finally:
        for nama in _GAMBAR_TEKS:
            delattr(stream, nama)
        glyf = {}
        for k, f in fonts.items():
            glyf[k] = (f.widths, f.cmap)
            f.widths, f.cmap = simpan.get(k, ({}, {}))
            for g, w in glyf[k][0].items():
                f.widths.setdefault(g, w)
            for g, t in glyf[k][1].items():
                f.cmap.setdefault(g, t)
    dipakai = {k for nama, k in ops if nama == "add_font"}
    if [nama for nama, _ in ops].count("set_text_matrix") != 1 or any(
        fonts[k].svg or fonts[k].png for k in dipakai
    ):  # not one plain line, or emoji (drawn as images): not replayed
        return None
    return ops, dipakai, {k: v for k, v in glyf.items() if v[0] or v[1]}


_pasang = threading.Lock()

# The WeasyPrint major version whose internals the hooks wrap. With any other, a pass renders
# as shipped (each file still the file alone; only slower) until the hooks are checked again.
VERSI_WEASYPRINT = "66"


def kait_berlaku() -> bool:
    """Whether the installed WeasyPrint is the one the hooks were written for."""
    import weasyprint

    return weasyprint.__version__.split(".")[0] == VERSI_WEASYPRINT


@contextlib.contextmanager
def kerja_bersama() -> Iterator[None]:
    """While inside, this thread's WeasyPrint renders share text measurements, computed
    styles and table cell layouts between the documents of the render (one shared pass).
    Under a WeasyPrint other than VERSI_WEASYPRINT, nothing is shared."""
    import weasyprint

    if not kait_berlaku():
        logger.warning(
            "PDF massal: WeasyPrint %s, kait ditulis untuk %s: dibuat tanpa kerja bersama",
            weasyprint.__version__, VERSI_WEASYPRINT,
        )  # fmt: skip
        yield
        return
    import weasyprint.css
    import weasyprint.draw
    from weasyprint.formatting_structure import boxes
    from weasyprint.layout import block, inline, preferred

    with _pasang:
        if not hasattr(preferred.split_first_line, "asli"):
            preferred.split_first_line = _split_first_line(
                preferred.split_first_line, tata_letak=False
            )
        if not hasattr(inline.split_first_line, "asli"):
            inline.split_first_line = _split_first_line(inline.split_first_line, tata_letak=True)
        if not hasattr(boxes.Box.anonymous_from, "asli"):
            boxes.Box.anonymous_from = _anonymous_from(boxes.Box.__dict__["anonymous_from"])
        if not hasattr(preferred.table_cell_min_max_content_width, "asli"):
            preferred.table_cell_min_max_content_width = _table_cell_min_max_content_width(
                preferred.table_cell_min_max_content_width
            )
        if not hasattr(weasyprint.draw.draw_text, "asli"):
            weasyprint.draw.draw_text = _draw_text(weasyprint.draw.draw_text)
        if not hasattr(block.block_container_layout, "asli"):
            block.block_container_layout = _block_container_layout(block.block_container_layout)
        if not hasattr(weasyprint.css.computed_from_cascaded, "asli"):
            weasyprint.css.computed_from_cascaded = _computed_from_cascaded(
                weasyprint.css.computed_from_cascaded
            )
    _aktif.ukuran, _aktif.kembar, _aktif.lebar, _aktif.gambar = {}, ({}, {}, {}, {}), {}, {}
    _aktif.sel, _aktif.polos = {}, {}
    try:
        yield
    finally:
        _aktif.ukuran = _aktif.kembar = _aktif.lebar = _aktif.gambar = None
        _aktif.sel = _aktif.polos = None
