from __future__ import annotations

from django import template
from django.utils.html import format_html

from evaluasi import rules

register = template.Library()


@register.simple_tag
def predikat_badge(kode: str) -> str:
    if not kode:
        return ""
    return format_html(
        '<span class="badge badge-{}">{}</span>', kode, rules.PREDIKAT_LABEL.get(kode, kode)
    )


@register.filter
def label_rating(kode: str | None) -> str:
    return rules.RATING_LABEL.get(kode or "", "")


@register.filter
def label_predikat(kode: str | None) -> str:
    return rules.PREDIKAT_LABEL.get(kode or "", "")


@register.filter
def label_org(kode: str | None) -> str:
    return rules.PREDIKAT_ORG_LABEL.get(kode or "", "")


@register.filter
def label_potensi(kode: str | None) -> str:
    return rules.POTENSI_LABEL.get(kode or "", "")


@register.filter
def label_langkah(kode: str | None) -> str:
    return rules.LANGKAH_LABEL.get(kode or "", kode or "")


@register.filter
def nama_user(user) -> str:
    if user is None:
        return "-"
    return user.get_full_name() or user.username
