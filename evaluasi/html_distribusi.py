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

from evaluasi import rules


def _angka(n: int) -> str:
    """`{{ n }}` of an int: localize() gives str(n) unless thousand separators are on."""
    return escape(str(localize(n))) if settings.USE_THOUSAND_SEPARATOR else str(n)


def baris_unit(units: list, w, periode) -> SafeString:
    """`{% for d in units %}<tr>…</tr>{% endfor %}` of the per-unit table. `d.jumlah`, `d.total`
    and `d.kecil` written out (a cached_property takes a lock on Python 3.11), the settings read
    once: ±0.45 ms of the admin page's CPU for 50 rows before (bench/temuan.md, "Putaran
    kesembilan")."""
    angka = _angka if settings.USE_THOUSAND_SEPARATOR else str
    ekor = f"&jendela={escape(str(w.kode))}&tahun={angka(periode.tahun)}"
    label = rules.PREDIKAT_ORG_LABEL
    predikat, batas = rules.PREDIKAT, rules.BATAS_UNIT_KECIL
    out = []
    for d in units:
        unit, counts = d.unit, d.counts
        induk = getattr(unit, "induk_nama", None)
        total = sum(counts.values())
        sel = "".join([f"<td>{angka(counts.get(kode, 0))}</td>" for kode in predikat])
        if d.pelanggaran:
            catatan = '<span class="badge badge-kurang">di luar pedoman'
            catatan += " · dijustifikasi</span>" if d.justifikasi else "</span>"
        elif 0 < total < batas:
            catatan = '<span class="muted">unit kecil</span>'
        elif d.predikat_org and total:
            catatan = '<span class="badge badge-disetujui">sesuai</span>'
        else:
            catatan = "-"
        out.append(
            f'<tr><td><a href="?cakupan=unit&unit={angka(unit.pk)}{ekor}">{escape(str(d.judul))}'
            "</a>"
            + (f'<br><small class="muted">{escape(str(induk))}</small>' if induk else "")
            + f"</td><td>{escape(label.get(d.predikat_org or '', '') or 'belum ditetapkan')}</td>"
            f"{sel}<td>{angka(total)}</td>\n<td>{catatan}</td></tr>"
        )
    return mark_safe("".join(out))
