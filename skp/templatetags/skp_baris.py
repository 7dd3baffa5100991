"""The SKP page's rows (templates/skp/partials/rhk_baris.html) drawn in Python.

The page included rhk_baris.html once per row: per row a template include, a context push, a
dozen variable lookups and up to seven `{% url %}` reversals (the owner's buttons). At 500 rows
that was most of the page's render. `{% rhk_baris_semua rows %}` gives the same bytes as
`{% for r in rows %}{% with nomor=forloop.counter %}{% include "skp/partials/rhk_baris.html" %}
{% endwith %}{% endfor %}`: tests/skp/test_baris_python.py renders both over every branch of the
template. The template stays the single row's answer (rhk_baris, rhk_tambah_ok) and the
reference; change both together.
"""

from __future__ import annotations

from html import escape as _escape
from typing import Any

from django import template
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils.formats import localize
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

from kinerja import url_pola

register = template.Library()


def _v(value: Any) -> str:
    """`{{ value }}` with autoescape on (the template engine's render_value_in_context). A plain
    str (not safe) is what django.utils.html.escape does to it, an int (ids, numbers) what
    localize gives it, without their calls."""
    if type(value) is str:
        return _escape(value)
    if type(value) is int and not settings.USE_THOUSAND_SEPARATOR:
        return str(value)  # numberformat.format's fast path for an int without grouping
    return conditional_escape(localize(value))


def _br(value: Any) -> str:
    """`{{ value|default:"—"|linebreaksbr }}`."""
    return linebreaksbr(value or "—", autoescape=True)


def _url(name: str, skp_pk: int, *rest: str):
    """A function of the row id giving `{% url name skp.pk r.pk *rest %}` (escaped as the tag
    does), reversing once for all rows."""
    parts = url_pola.pola(name, (skp_pk, url_pola.ISI, *rest))
    if parts is None:  # the SKP's own id contains the sentinel: reverse every row
        return lambda rid: conditional_escape(reverse(name, args=[skp_pk, rid, *rest]))
    before, after = conditional_escape(parts[0]), conditional_escape(parts[1])
    return lambda rid: f"{before}{rid}{after}"


def _nama(obj: Any, *path: str) -> str:
    """`{{ obj.a.b }}`: the template's silent "" when a step is None."""
    for attr in path:
        if obj is None:
            return ""
        try:
            obj = getattr(obj, attr)
        except ObjectDoesNotExist:  # silent_variable_failure in a template
            return ""
    return _v(obj) if obj is not None else "None"


def _csrf(context: template.Context) -> str:
    """`{% csrf_token %}` (django.template.defaulttags.CsrfTokenNode)."""
    token = context.get("csrf_token")
    if not token or token == "NOTPROVIDED":
        return ""
    return format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', token)


@register.simple_tag(takes_context=True)
def rhk_baris_semua(context: template.Context, rows: Any) -> SafeString:
    skp = context.get("skp")
    kualitatif, draft = skp.is_kualitatif, skp.is_draft
    boleh_setujui, boleh_ubah = context.get("boleh_setujui"), context.get("boleh_ubah")
    if boleh_ubah:
        csrf = _csrf(context)
        ubah = _url("skp:rhk_ubah", skp.pk)
        naik = _url("skp:rhk_pindah", skp.pk, "naik")
        turun = _url("skp:rhk_pindah", skp.pk, "turun")
        hapus = _url("skp:rhk_hapus", skp.pk)
    out: list[str] = []
    add = out.append
    for nomor, r in enumerate(rows, 1):
        pk = _v(r.pk)
        add(
            f'<article class="rhk" id="rhk-{pk}">\n  <div class="rhk-kepala">\n'
            f'    <span class="rhk-no">{_v(nomor)}</span>\n    <div class="rhk-teks">\n'
            f"      <strong>{_v(r.rencana)}</strong>\n      "
        )
        if r.sumber != "manual":
            add(f'<span class="badge badge-sumber">{_v(r.get_sumber_display())}</span>')
        add("\n      ")
        if r.perspektif:
            add(f'<span class="badge">{_v(r.get_perspektif_display())}</span>')
        add("\n      ")
        atasan = r.rhk_atasan
        if atasan:
            add(
                '<div class="muted kecil">Mengintervensi RHK pimpinan: “'
                f"{_v(atasan.rencana)}” — {_nama(atasan, 'skp', 'pegawai', 'nama')}</div>"
            )
        add("\n      ")
        if r.pemberi_tugas:
            add(f'<div class="muted kecil">Penugasan dari: {_v(r.pemberi_tugas.nama)}</div>')
        elif r.tim:
            add(f'<div class="muted kecil">Tim kerja: {_v(r.tim.nama)}</div>')
        add("\n    </div>\n  </div>\n  ")
        if kualitatif:
            add(
                '\n  <dl class="kv kv-rhk">\n'
                f"    <dt>Hasil yang diharapkan</dt><dd>{_br(r.uraian_hasil)}</dd>\n"
                "    <dt>Ukuran keberhasilan &amp; target</dt>"
                f"<dd>{_br(r.ukuran_keberhasilan)}</dd>\n  </dl>\n  "
            )
        add("\n  ")
        inds = r.indikator_set.all()
        if inds:
            add(
                '\n  <table class="table indikator">\n    <thead><tr><th>Aspek</th>'
                "<th>Indikator kinerja individu</th><th>Target</th><th>Sumber data</th></tr>"
                "</thead>\n    <tbody>"
            )
            for i in inds:
                add(
                    f"<tr><td>{_v(i.get_aspek_display())}</td><td>{_v(i.indikator)}</td>"
                    f"<td>{_v(i.target)}</td><td>{_v(i.sumber_data or '—')}</td></tr>"
                )
            add("</tbody>\n  </table>\n  ")
        elif not kualitatif:
            add('<p class="warning kecil">Belum ada indikator kinerja individu dan target.</p>')
        add("\n  ")
        if r.catatan_penilai and draft:
            add(
                f'<p class="warning kecil catatan-penilai" id="catatan-rhk-{pk}"><strong>'
                f"Catatan pejabat penilai:</strong> {_v(r.catatan_penilai)}</p>"
            )
        add("\n  ")
        if boleh_setujui:
            add(
                '\n  <div class="catatan-kembalikan">\n'
                f'    <label for="catatan-rhk-{pk}-isi">Catatan untuk baris ini '
                '<span class="muted">(bila SKP dikembalikan)</span></label>\n'
                f'    <textarea id="catatan-rhk-{pk}-isi" name="catatan-rhk-{pk}" '
                'form="form-kembalikan" rows="1" placeholder="Mis. target belum terukur">'
                "</textarea>\n  </div>\n  "
            )
        add("\n  ")
        if boleh_ubah:
            u, n, t, h = ubah(pk), naik(pk), turun(pk), hapus(pk)
            add(
                f'\n  <div class="rhk-aksi">\n    <a class="button" href="{u}" hx-get="{u}'
                f'?n={_v(nomor)}" hx-target="#rhk-{pk}" hx-swap="outerHTML">Ubah</a>\n'
                f'    <form method="post" action="{n}" class="inline" novalidate>{csrf}'
                f'<button title="Naikkan" aria-label="Naikkan" hx-post="{n}">▲</button></form>\n'
                f'    <form method="post" action="{t}" class="inline" novalidate>{csrf}'
                f'<button title="Turunkan" aria-label="Turunkan" hx-post="{t}">▼</button></form>\n'
                f'    <form method="post" action="{h}" class="inline" novalidate>{csrf}'
                f'<button class="danger-link" hx-post="{h}" '
                'hx-confirm="Hapus rencana hasil kerja ini?">Hapus</button></form>\n  </div>\n  '
            )
        add("\n</article>\n")
    return mark_safe("".join(out))
