"""A list's toolbar and footer (kinerja/partials/daftar_alat.html, daftar_halaman.html) and its
sortable headers (`{% urut_kolom %}`) drawn in Python, the same bytes as the templates.

For the hottest list page (the team evaluation page, read uncached by every penilai): the
templates cost ±0.5 ms of template machinery per request for a few hundred bytes
(bench/temuan.md, "Putaran ketujuh"). The other list pages keep the templates;
tests/evaluasi/test_halaman_tim.py renders both for searched, filtered, sorted and paged lists,
so a change to a template that is not made here fails there.
"""

from __future__ import annotations

import html
from typing import Any

from django.conf import settings
from django.utils.formats import localize
from django.utils.html import conditional_escape

from kinerja.daftar import Daftar

_TANDA = {"ascending": " ▲", "descending": " ▼"}


def _v(value: Any) -> str:
    """`{{ value }}` with autoescape on (render_value_in_context: localize, then
    conditional_escape), without Django's lazy-text wrappers for the common plain values."""
    t = type(value)
    if t is str:
        return html.escape(value)
    if t is int and not settings.USE_THOUSAND_SEPARATOR:
        return str(value)
    return conditional_escape(localize(value))


def kepala(daftar: Daftar, *kunci: str) -> str:
    """`{% urut_kolom daftar k %}` (kinerja_nav) for each column key."""
    out = []
    u = daftar.urut
    for k in kunci:
        kol = next((c for c in daftar.kolom if c.kunci == k), None)
        if kol is None:
            continue
        if not kol.urut:
            out.append(f'<th scope="col">{_v(kol.label)}</th>')
            continue
        arah = "ascending" if u == k else "descending" if u == f"-{k}" else ""
        sort = f' aria-sort="{arah}"' if arah else ""
        out.append(
            f'<th scope="col"{sort}><a class="urut" href="{_v(daftar.url_urut(k))}">'
            f'{_v(kol.label)}<span aria-hidden="true">{_TANDA.get(arah, "")}</span></a></th>'
        )
    return "".join(out)


def alat(daftar: Daftar, daftar_id: str, path: str) -> str:
    """kinerja/partials/daftar_alat.html (with `daftar_id`; `path` is request.path)."""
    i = _v(daftar_id)
    out = [
        '\n<form method="get" class="daftar-alat" role="search" novalidate\n'
        f'      hx-get="{_v(path)}" hx-target="#{i}" hx-select="#{i}" hx-swap="outerHTML" '
        'hx-push-url="true"\n'
        '      hx-trigger="input changed delay:400ms from:find input[name=q], change, submit">\n  '
    ]
    for k, v in daftar.parameter_tetap:
        out.append(f'<input type="hidden" name="{_v(k)}" value="{_v(v)}">')
    out.append("\n  ")
    if daftar.cari:
        out.append(
            f'<div class="alat-cari">\n    <label for="{i}-q">Cari</label>\n'
            f'    <input type="search" id="{i}-q" name="q" value="{_v(daftar.q)}" '
            f'placeholder="{_v(daftar.cari_label)}" autocomplete="off">\n  </div>'
        )
    out.append("\n  ")
    for s in daftar.saringan:
        kunci = _v(s["kunci"])
        pilihan = "".join(
            f'<option value="{_v(k)}"{" selected" if dipilih else ""}>{_v(label)}</option>'
            for k, label, dipilih in s["pilihan"]
        )
        out.append(
            f'<div class="alat-saring">\n    <label for="{i}-{kunci}">{_v(s["label"])}</label>\n'
            f'    <select id="{i}-{kunci}" name="{kunci}">\n'
            f'      <option value="">{_v(s["semua"])}</option>\n      {pilihan}\n'
            "    </select>\n  </div>"
        )
    out.append('\n  <div class="alat-tombol">\n    <button type="submit">Terapkan</button>\n    ')
    if daftar.ada_saringan:
        out.append(f'<a class="button" href="{_v(daftar.url_bersih)}">Hapus saringan</a>')
    out.append("\n  </div>\n</form>\n")
    return "".join(out)


def kaki(daftar: Daftar) -> str:
    """kinerja/partials/daftar_halaman.html."""
    page = daftar.halaman
    n = page.paginator.num_pages
    out = [
        '<div class="daftar-kaki"><p class="daftar-jumlah muted" aria-live="polite">'
        f"{_v(page.paginator.count)} baris"
    ]
    if n > 1:
        out.append(f" · halaman {_v(page.number)} dari {_v(n)}")
    out.append(
        '</p>\n<p class="alat-ekspor"><span class="muted">Unduh daftar ini:</span> '
        f'<a href="{_v(daftar.url_ekspor_xlsx)}" download>Excel (.xlsx)</a> '
        f'<a href="{_v(daftar.url_ekspor_csv)}" download>CSV</a></p></div>\n'
    )
    if page.has_other_pages():
        out.append('<nav class="paginasi" aria-label="Halaman">\n')
        if page.has_previous():
            out.append(
                f'<a href="{_v(daftar.url_pertama)}">&laquo; Pertama</a>'
                f'<a href="{_v(daftar.url_halaman(page.previous_page_number()))}" rel="prev">'
                "&lsaquo; Sebelumnya</a>"
            )
        out.append("\n\n")
        if page.has_next():
            out.append(
                f'<a href="{_v(daftar.url_halaman(page.next_page_number()))}" rel="next">'
                f'Berikutnya &rsaquo;</a><a href="{_v(daftar.url_halaman(n))}">'
                "Terakhir &raquo;</a>"
            )
        out.append("\n</nav>")
    out.append("\n")
    return "".join(out)
