from __future__ import annotations

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from kinerja.context_processors import nav_fakta
from kinerja.navigation import GRUP, NAV, NavItem, aktif_url, grup_of

MENU_TEMPLATE = "kinerja/partials/menu.html"

register = template.Library()


# The menu's HTML is a function of which entries show (the user's menu facts), the page's active
# entry and the URL prefix alone, so it is rendered once per such combination in each process
# (a handful: roles x entries) instead of on every page: about a third of the base template's
# cost per request (bench/temuan.md, "Lantai per permintaan"). Bounded; cleared when full.
_MENU_MAKS = 512
_menu_html: dict[tuple, str] = {}
_menu_tautan: dict[tuple, list[tuple[str, NavItem]]] = {}


def _tautan(kunci: tuple, tampil: tuple[str, ...]) -> list[tuple[str, NavItem]]:
    """(url, entry) of the entries that show, in menu order; reversed once per key."""
    items = _menu_tautan.get(kunci)
    if items is None:
        items = []
        for item in NAV:
            if item.url_name not in tampil:
                continue
            try:
                url = reverse(item.url_name)
            except NoReverseMatch:
                continue
            items.append((url, item))
        if len(_menu_tautan) >= _MENU_MAKS:
            _menu_tautan.clear()
        _menu_tautan[kunci] = items
    return items


def _menu(items: list[tuple[str, NavItem]], aktif: str | None) -> dict:
    per_grup: dict[str, list[dict]] = {}
    for url, item in items:
        per_grup.setdefault(grup_of(item), []).append(
            {"url": url, "label": item.label, "aktif": url == aktif}
        )
    grup = [
        {
            "key": key,
            "label": label,
            "tautan": per_grup[key],
            "aktif": any(t["aktif"] for t in per_grup[key]),
        }
        for key, label, _mulai in GRUP
        if key in per_grup
    ]
    return {"grup": grup, "beranda_aktif": aktif == "/"}


@register.simple_tag(takes_context=True)
def nav_links(context) -> str:
    """The main menu: Beranda, then one disclosure per group of entries (a group of one entry
    is a plain link), the group of the current page marked."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return render_to_string(MENU_TEMPLATE, {"grup": []})
    # Which entries show comes with the menu facts cached per user (context_processors).
    tampil = tuple(sorted(nav_fakta(request)["tautan"]))
    kunci = (get_script_prefix(), get_urlconf(), len(NAV), tampil)
    items = _tautan(kunci, tampil)
    aktif = aktif_url(request.path, ["/"] + [url for url, _ in items])  # longest prefix wins
    html = _menu_html.get((kunci, aktif))
    if html is None:
        html = mark_safe(render_to_string(MENU_TEMPLATE, _menu(items, aktif)))
        if len(_menu_html) >= _MENU_MAKS:
            _menu_html.clear()
        _menu_html[(kunci, aktif)] = html
    return html


# The URLs every page's frame shows (menu bar, account menu, bell, styles and scripts) are the
# same on every request of a process: `{% url %}` and `{% static %}` cost ±22 µs each in the
# template, ten of them per page; looked up once per URL configuration and prefix instead.
_tetap: dict[tuple, str] = {}


def _lupakan_tetap(**kwargs) -> None:
    _tetap.clear()  # a test changed ROOT_URLCONF, STATIC_URL or the storage


setting_changed.connect(_lupakan_tetap)


def _sekali(kunci: tuple, hitung) -> str:
    nilai = _tetap.get(kunci)
    if nilai is None:
        nilai = hitung()
        if len(_tetap) >= _MENU_MAKS:
            _tetap.clear()
        _tetap[kunci] = nilai
    return nilai


@register.simple_tag
def tautan(nama: str) -> str:
    """`{% url nama %}` for a URL without arguments."""
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    return _sekali(("url", get_script_prefix(), urlconf, nama), lambda: reverse(nama))


@register.simple_tag
def statis(path: str) -> str:
    """`{% static path %}`."""
    return _sekali(("static", get_script_prefix(), path), lambda: static(path))


@register.filter
def pangkat_golongan(pegawai) -> str:
    from kinerja.rules import pangkat_golongan_label

    return pangkat_golongan_label(getattr(pegawai, "golongan", "") or "")


@register.simple_tag
def badge(kode: str, label: str) -> str:
    return format_html('<span class="badge badge-{}">{}</span>', kode, label)


@register.simple_tag
def id_unik(form, *bagian) -> str:
    """Give a form's inputs ids of their own when the page shows the same form several times
    (one per window), so every label points at its own input. Names (what is posted) stay."""
    form.auto_id = "id_" + "_".join(str(b) for b in bagian) + "_%s"
    return ""


@register.simple_tag
def daftar_url(daftar, nomor) -> str:
    """The link to page `nomor` of a list (kinerja/daftar.py), keeping search and filters."""
    return daftar.url_halaman(nomor)


@register.simple_tag
def urut_kolom(daftar, kunci: str) -> str:
    """A sortable column header: a link that sorts by it (again: the other way), with
    aria-sort on the cell when the list is sorted by it."""
    kol = next((k for k in daftar.kolom if k.kunci == kunci), None)
    if kol is None:
        return ""
    if not kol.urut:
        return format_html('<th scope="col">{}</th>', kol.label)
    u = daftar.urut
    arah = "ascending" if u == kunci else "descending" if u == f"-{kunci}" else ""
    tanda = {"ascending": " ▲", "descending": " ▼"}.get(arah, "")
    return format_html(
        '<th scope="col"{}><a class="urut" href="{}">{}<span aria-hidden="true">{}</span></a></th>',
        format_html(' aria-sort="{}"', arah) if arah else "",
        daftar.url_urut(kunci),
        kol.label,
        tanda,
    )
