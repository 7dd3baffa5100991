"""The account box of every page's top bar (base.html): the bell and the account menu, drawn in
Python. As `{% include %}` of the bell's template, two `{{ user.get_full_name|default:... }}`
and `{% csrf_token %}` it was about half of what base.html costs per request (bench/temuan.md,
"lantai"); the bytes are the same (tests/kinerja/test_bingkai.py renders the template text it
replaces beside it). The bell's own poll (kinerja.views) still renders
kinerja/partials/lonceng.html: keep the two in step.
"""

from __future__ import annotations

from django import template
from django.template.base import render_value_in_context
from django.template.defaulttags import CsrfTokenNode
from django.utils.safestring import SafeString, mark_safe

from kinerja.templatetags.kinerja_nav import tautan

register = template.Library()

_LONCENG_SVG = (
    '<svg width="20" height="20" viewBox="0 0 24 24" fill="currentColor" aria-hidden="true" '
    'focusable="false"><path d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22zm7-6V11a7 '
    '7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2z"/></svg>'
)
_AKUN_SVG = (
    '<svg width="20" height="20" viewBox="0 0 24 24" fill="currentColor" aria-hidden="true" '
    'focusable="false"><path d="M12 12a5 5 0 1 0 0-10 5 5 0 0 0 0 10zm0 2c-4.4 0-9 2.2-9 '
    '5.5V22h18v-2.5C21 16.2 16.4 14 12 14z"/></svg>'
)
_CSRF = CsrfTokenNode()


def lonceng_html(context) -> str:
    """kinerja/partials/lonceng.html for this context (its trailing newline included)."""
    jumlah = context.get("jumlah_belum_dibaca")
    teks = render_value_in_context(jumlah, context) if jumlah else ""
    title = f": {teks} belum dibaca" if jumlah else ""
    aria = teks if jumlah else render_value_in_context(0, context)
    badge = f'<span class="badge" data-jumlah="{teks}">{teks}</span>' if jumlah else ""
    return (
        f'<a class="lonceng" id="lonceng" href="{tautan("notifikasi_list")}" '
        f'title="Notifikasi{title}"\n'
        f'   hx-get="{tautan("notifikasi_lonceng")}" hx-trigger="every 30s" hx-swap="outerHTML" '
        f'aria-label="Notifikasi, {aria} belum dibaca">{_LONCENG_SVG}{badge}</a>\n'
    )


@register.simple_tag(takes_context=True)
def kotak_akun(context) -> SafeString:
    """`<div class="userbox">` ... `</div>` of base.html for the signed-in user."""
    user = context.get("user")
    nama = user.get_full_name() if user is not None else ""
    nama = render_value_in_context(nama or getattr(user, "username", ""), context)
    return mark_safe(
        '<div class="userbox">\n'
        f"    {lonceng_html(context)}\n"
        '    <details class="akun" data-menu>\n'
        f'      <summary>{_AKUN_SVG}<span class="sr-only">Akun: </span><span class="username">'
        f"{nama}</span></summary>\n"
        '      <ul class="menu-isi">\n'
        f'        <li class="muted akun-nama">{nama}</li>\n'
        f'        <li><a href="{tautan("notifikasi_list")}">Notifikasi</a></li>\n'
        f'        <li><a href="{tautan("password_change")}">Ubah sandi</a></li>\n'
        f'        <li><form method="post" action="{tautan("logout")}" novalidate>'
        f'{_CSRF.render(context)}<button class="link">Keluar</button></form></li>\n'
        "      </ul>\n"
        "    </details>\n"
        "  </div>"
    )
