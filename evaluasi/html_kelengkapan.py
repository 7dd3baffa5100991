"""The completeness page's lists (templates/evaluasi/tutup_tahun.html) drawn in Python: the
pegawai without an approved SKP, without a final annual evaluation, and the units without an
annual kinerja organisasi. At 7,000 pegawai in January these are hundreds of rows, and the
template's loops (each `{{ }}` resolved, localized and escaped) were most of the page's Python
(bench/temuan.md, "Putaran kesebelas"). The bytes are the old loops' (tests/evaluasi/
tutup_tahun_lama.html): tests/evaluasi/test_kelengkapan_halaman.py renders both."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from django.utils.safestring import SafeString, mark_safe

from kinerja.daftar_html import _v

_LENGKAP = '<li class="muted">Lengkap.</li>'
_SEKILAS = 30  # shown before "Tampilkan … lainnya"


def _tanpa_skp(nama: str, unit: str, _p) -> str:
    # {{ p.unit_kerja|default:"" }}: the unit's name, or nothing without a unit.
    return f'<li>{nama} <small class="muted">{unit}</small></li>'


def _tanpa_evaluasi(nama: str, unit: str, p) -> str:
    penilai = escape(p.penilai_nama) if p.penilai_nama else "-"
    return f'<li>{nama} <small class="muted">{unit} · penilai: {penilai}</small></li>'


def _daftar(rows: list, item: Callable, teks: dict) -> str:
    """`<ul>` of the first 30 (or "Lengkap."), the rest behind a `<details>`."""
    awal = "".join([item(*teks[p.pk], p) for p in rows[:_SEKILAS]]) or _LENGKAP
    out = f'<ul class="ringkas">{awal}</ul>'
    if len(rows) > _SEKILAS:
        sisa = "".join([item(*teks[p.pk], p) for p in rows[_SEKILAS:]])
        out += (
            f'<details class="lainnya"><summary>Tampilkan {_v(len(rows) - _SEKILAS)} lainnya'
            f'</summary><ul class="ringkas">{sisa}</ul></details>'
        )
    return out


def daftar(lengkap: dict) -> dict[str, SafeString]:
    """The three lists of `selectors.kelengkapan`'s report, as the page shows them."""
    # Each row's name and unit escaped once (both lists show them; units repeat).
    unit_teks: dict = {}
    teks = {}
    for p in lengkap["tanpa_evaluasi"]:
        unit = unit_teks.get(p.unit_nama)
        if unit is None:
            unit = unit_teks[p.unit_nama] = escape(p.unit_nama or "")
        teks[p.pk] = (escape(p.nama), unit)
    units = "".join([f"<li>{escape(u.nama)}</li>" for u in lengkap["unit_tanpa_ko"]])
    # Every value is escaped above; the rest is markup of our own.
    return {
        "tanpa_skp": mark_safe(_daftar(lengkap["tanpa_skp"], _tanpa_skp, teks)),  # noqa: S308
        "tanpa_evaluasi": mark_safe(  # noqa: S308
            _daftar(lengkap["tanpa_evaluasi"], _tanpa_evaluasi, teks)
        ),
        "unit_tanpa_ko": mark_safe(f'<ul class="ringkas">{units or _LENGKAP}</ul>'),  # noqa: S308
    }
