"""The distribution page's per-unit table rows, written in Python (bench/temuan.md, "Putaran
ketujuh"): the template loop over 50 units × 9 cells was most of the page's render time (each
`{{ }}` resolves, localizes and escapes). The bytes are the old loop's (templates/evaluasi/
distribusi.html before this change); tests/evaluasi/test_distribusi_cepat.py renders the old loop
against this for several viewers and pages."""

from __future__ import annotations

from html import escape

from django.conf import settings
from django.utils.formats import localize
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from evaluasi import rules


def _angka(n: int) -> str:
    """`{{ n }}` of an int: localize() gives str(n) unless thousand separators are on."""
    return escape(str(localize(n))) if settings.USE_THOUSAND_SEPARATOR else str(n)


# A row is a function of what it shows: drawn once per process for each (a province's admin
# pages through the same units again and again; only the rows whose counts changed are drawn).
_BARIS: dict[tuple, str] = {}
_BARIS_BATAS = 8192


def baris_unit(units: list, w, periode) -> SafeString:
    """`{% for d in units %}<tr>…</tr>{% endfor %}` of the per-unit table. `d.jumlah`, `d.total`
    and `d.kecil` written out (a cached_property takes a lock on Python 3.11), the settings read
    once: ±0.45 ms of the admin page's CPU for 50 rows before (bench/temuan.md, "Putaran
    kesembilan"); each row remembered by what it shows (`_BARIS`, "Putaran kesebelas")."""
    sep = settings.USE_THOUSAND_SEPARATOR
    angka = _angka if sep else str
    ekor = f"&jendela={escape(str(w.kode))}&tahun={angka(periode.tahun)}"
    # localize() follows the active language only when thousand separators are on.
    dasar = (ekor, get_language() if sep else None)
    memo = _BARIS
    out = []
    for d in units:
        unit, counts = d.unit, d.counts
        induk = getattr(unit, "induk_nama", None)
        key = (
            dasar,
            unit.pk,
            d.judul,
            induk,
            d.predikat_org,
            tuple(counts.items()),
            bool(d.pelanggaran),
            bool(d.justifikasi),
        )
        row = memo.get(key)
        if row is None:
            if len(memo) >= _BARIS_BATAS:
                memo.clear()
            memo[key] = row = _baris(d, unit, counts, induk, angka, ekor)
        out.append(row)
    return mark_safe("".join(out))


def _baris(d, unit, counts, induk, angka, ekor) -> str:
    total = sum(counts.values())
    sel = "".join([f"<td>{angka(counts.get(kode, 0))}</td>" for kode in rules.PREDIKAT])
    if d.pelanggaran:
        catatan = '<span class="badge badge-kurang">di luar pedoman'
        catatan += " · dijustifikasi</span>" if d.justifikasi else "</span>"
    elif 0 < total < rules.BATAS_UNIT_KECIL:
        catatan = '<span class="muted">unit kecil</span>'
    elif d.predikat_org and total:
        catatan = '<span class="badge badge-disetujui">sesuai</span>'
    else:
        catatan = "-"
    label = rules.PREDIKAT_ORG_LABEL.get(d.predikat_org or "", "") or "belum ditetapkan"
    return (
        f'<tr><td><a href="?cakupan=unit&unit={angka(unit.pk)}{ekor}">{escape(str(d.judul))}'
        "</a>"
        + (f'<br><small class="muted">{escape(str(induk))}</small>' if induk else "")
        + f"</td><td>{escape(label)}</td>"
        f"{sel}<td>{angka(total)}</td>\n<td>{catatan}</td></tr>"
    )
