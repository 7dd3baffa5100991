from __future__ import annotations

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html, format_html_join

from kinerja.context_processors import nav_fakta
from kinerja.navigation import NAV, aktif_url

register = template.Library()


@register.simple_tag(takes_context=True)
def nav_links(context) -> str:
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return ""
    # Which entries show comes with the menu facts cached per user (context_processors).
    tampil = set(nav_fakta(request)["tautan"])
    items = []
    for item in NAV:
        if item.url_name not in tampil:
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        items.append((url, item.label))
    aktif = aktif_url(request.path, [url for url, _ in items])  # longest prefix wins
    return format_html_join(
        "",
        '<a href="{}" class="navlink{}">{}</a>',
        ((url, " aktif" if url == aktif else "", label) for url, label in items),
    )


@register.filter
def pangkat_golongan(pegawai) -> str:
    from kinerja.rules import pangkat_golongan_label

    return pangkat_golongan_label(getattr(pegawai, "golongan", "") or "")


@register.simple_tag
def badge(kode: str, label: str) -> str:
    return format_html('<span class="badge badge-{}">{}</span>', kode, label)
