"""The distribution page's content (`/evaluasi/distribusi/`) drawn in Python, the same bytes the
template gave (evaluasi/distribusi.html's content block with its partials: the scope tabs, year
and window tabs, the panels, a unit's evaluations, the per-unit table and its pages).

The admin opens this page uncached whenever anything in the instansi changed; at 100,000 pegawai
the template machinery was ±1.2 ms of the page's ±4.7 ms of Python once its reads were one
statement (bench/temuan.md, "Putaran kesembilan"). The old template is kept as the test oracle
(tests/evaluasi/distribusi_lama.html): tests/evaluasi/test_distribusi_satu.py renders both for
every scope, pages, windows and viewers. The panel is also the team page's (evaluasi/halaman_tim).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.template.defaultfilters import date as date_filter
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import get_current_timezone_name, template_localtime
from django.utils.translation import get_language

from evaluasi import rules
from evaluasi.templatetags.evaluasi_tags import predikat_badge
from kinerja.daftar_html import _v

_AKTIF = ' class="aktif" aria-current="page"'
_AKTIF_TAB = ' class="aktif"'
_MODUS = ' <small class="muted">(pada umumnya)</small>'


@cache
def badge(kode: str) -> str:
    """`{% predikat_badge kode %}` (a handful of codes: drawn once per process)."""
    return str(predikat_badge(kode))


def tahun_tabs(tahun_list: list, periode: Any, extra: str = "") -> str:
    """evaluasi/partials/tahun.html (`extra`: the query string's first part, escaped here)."""
    if len(tahun_list) <= 1:
        return "\n"
    awal = f"{_v(extra)}&" if extra else ""
    tabs = "".join(
        f'<a href="?{awal}tahun={_v(t)}"{_AKTIF if t == periode.tahun else ""}>{_v(t)}</a>'
        for t in tahun_list
    )
    return f'<nav class="tabs tahun" aria-label="Tahun">{tabs}</nav>\n'


def jendela_tabs(jendela_list: list, periode: Any, w: Any, extra: str = "") -> str:
    """evaluasi/partials/jendela_tabs.html."""
    awal = f"{_v(extra)}&" if extra else ""
    tahun = _v(periode.tahun)
    tabs = "".join(
        f'<a href="?{awal}jendela={_v(j.kode)}&tahun={tahun}"{_AKTIF if j.kode == w.kode else ""}>'
        f"{_v(j.label_pendek)}</a>"
        for j in jendela_list
    )
    return f'<nav class="tabs" aria-label="Jendela evaluasi">{tabs}</nav>\n'


# A panel is a function of what it shows (counts, kinerja organisasi, justifications, the window,
# the scope): drawn once per process for each, the CSRF token put in per request.
_TOKEN = "\x00token\x00"
_PANEL: dict[tuple, str] = {}
_PANEL_BATAS = 1024


def panel(
    d: Any,
    periode: Any,
    w: Any,
    token: str,
    *,
    nomor: int = 0,
    cakupan: str = "tim",
    boleh_justifikasi: bool = True,
    batas_kecil: Any = None,
) -> str:
    """evaluasi/partials/distribusi_panel.html for `d` (its `grafik` drawn), as the `nomor`th
    panel of a loop (0: outside one)."""
    key = (
        get_current_timezone_name(),
        d.judul,
        tuple(d.counts.items()),
        d.predikat_org,
        tuple((j.isi, j.dibuat) for j in d.justifikasi),
        w.kode,
        periode.tahun,
        nomor,
        cakupan,
        boleh_justifikasi,
        batas_kecil,
        d.unit.pk if d.unit is not None and cakupan == "unit" else None,
        get_script_prefix(),
        get_urlconf(),
        get_language(),
    )
    html = _PANEL.get(key)
    if html is None:
        if len(_PANEL) >= _PANEL_BATAS:
            _PANEL.clear()
        _PANEL[key] = html = _panel_html(
            d, periode, w, nomor, cakupan, boleh_justifikasi, batas_kecil
        )
    return html.replace(_TOKEN, _v(token)) if _TOKEN in html else html


def _panel_html(d, periode, w, nomor, cakupan, boleh_justifikasi, batas_kecil) -> str:
    if d.predikat_org:
        org = f"<strong>{_v(rules.PREDIKAT_ORG_LABEL.get(d.predikat_org, ''))}</strong>"
    else:
        org = '<span class="muted">belum ditetapkan — pedoman tidak dapat dibandingkan</span>'
    catatan = (
        '<p class="muted grafik-catatan">Batang: jumlah aktual. Kotak abu-abu bergaris: rentang '
        "pedoman (batas bawah/atas); predikat tanpa kotak boleh ada.</p>"
        if d.pedoman
        else ""
    )
    baris = "".join(
        f"<tr><td>{badge(b['kode'])}"
        f"{_MODUS if b['modus'] else ''}</td>"
        f"<td>{_v(b['n'])}</td><td>{_v(b['persen'])}</td><td>{_v(b['pedoman'])}</td></tr>"
        for b in d.baris
    )
    out = [
        f'\n<section class="card distribusi" id="distribusi-{nomor}">\n'
        f"  <h2>{_v(d.judul)}</h2>\n"
        f"  <p>Kinerja organisasi: {org} · {_v(d.total)} pegawai dinilai</p>\n"
        f'  <div class="grafik-wrap">{_v(d.grafik)}{catatan}</div>\n'
        '  <table class="table">\n'
        "    <thead><tr><th>Predikat</th><th>Jumlah</th><th>Persentase</th><th>Pedoman</th>"
        f"</tr></thead>\n    <tbody>{baris}</tbody>\n  </table>\n  "
    ]
    if d.pedoman:
        out.append(f'<p class="muted">{_v(d.pedoman.uraian)}</p>')
    out.append("\n  ")
    if d.pelanggaran:
        items = "".join(f"<li>{_v(p.pesan)}</li>" for p in d.pelanggaran)
        out.append(
            '\n  <div class="warning" role="alert"><strong>Di luar pedoman distribusi — mohon '
            f"catat justifikasi:</strong>\n    <ul>{items}</ul>\n"
            "    <small>Pedoman bukan distribusi paksa: evaluasi tetap dapat difinalisasi."
            "</small></div>\n  "
        )
    elif d.kecil and d.banding:
        banding = "; ".join(_v(p.pesan) for p in d.banding)
        batas = _v(batas_kecil) if batas_kecil else "5"  # {{ batas_kecil|default:5 }}
        out.append(
            f'\n  <p class="muted">Unit/tim dengan kurang dari {batas} pegawai: perbandingan '
            f"ditampilkan tanpa peringatan ({banding}).</p>\n  "
        )
    elif d.kecil:
        out.append(
            '<p class="muted">Unit/tim dengan kurang dari 5 pegawai: perbandingan ditampilkan '
            "tanpa peringatan.</p>\n  "
        )
    out.append("\n  ")
    if d.justifikasi:
        items = "".join(
            f'<li>{_v(j.isi)} <small class="muted">— '
            f"{_v(date_filter(template_localtime(j.dibuat), 'j M Y H:i'))}</small></li>"
            for j in d.justifikasi
        )
        out.append(f"<h3>Justifikasi tercatat</h3><ul>{items}</ul>")
    out.append("\n  ")
    if d.pelanggaran and boleh_justifikasi:
        unit = (
            f'<input type="hidden" name="unit" value="{_v(d.unit.pk)}">'
            if d.unit and cakupan == "unit"
            else ""
        )
        out.append(
            f'\n  <form method="post" action="{_v(reverse("evaluasi:justifikasi"))}" novalidate>'
            f'<input type="hidden" name="csrfmiddlewaretoken" value="{_TOKEN}">\n'
            f'    <input type="hidden" name="cakupan" value="{_v(cakupan)}"><input type="hidden" '
            f'name="jendela" value="{_v(w.kode)}"><input type="hidden" name="tahun" '
            f'value="{_v(periode.tahun)}">{unit}\n'
            f'    <label for="isi-{nomor}">Justifikasi</label><textarea id="isi-{nomor}" '
            'name="isi" rows="2" required></textarea>\n'
            '    <button class="primary">Catat justifikasi</button>\n'
            "  </form>\n  "
        )
    out.append("\n</section>\n")
    return "".join(out)


def _daftar(daftar: list) -> str:
    """The "Evaluasi pegawai unit ini" section (a unit's evaluations)."""
    if not daftar:
        return ""
    from evaluasi.halaman_tim import _url

    detail = _url("evaluasi:detail")
    rows = []
    for ev in daftar:
        p, penilai = ev.pegawai, ev.pejabat_penilai
        jabatan = p.jabatan
        nama_penilai = penilai.nama if penilai is not None else ""
        rows.append(
            f"<tr><td>{_v(p.nama)}</td><td>{_v(str(jabatan)) if jabatan else '-'}</td>"
            f"<td>{_v(nama_penilai) if nama_penilai else '-'}</td>"
            f"<td>{badge(ev.predikat) if ev.predikat else '-'}</td>"
            f'<td><span class="badge badge-{_v(ev.status)}">{_v(ev.get_status_display())}'
            f'</span></td><td><a href="{detail[0]}{ev.pk}{detail[1]}">Lihat</a></td></tr>'
        )
    return (
        '\n<section class="card gulir-x" id="daftar-evaluasi">\n'
        "<h2>Evaluasi pegawai unit ini</h2>\n"
        '<table class="table"><thead><tr><th>Pegawai</th><th>Jabatan</th><th>Pejabat penilai'
        "</th><th>Predikat</th><th>Status</th><th></th></tr></thead><tbody>\n"
        f"{''.join(rows)}\n</tbody></table></section>\n"
    )


def _per_unit(cakupan, w, periode, luar, units, baris_unit, halaman) -> str:
    """The "Per unit kerja" section: its filter tabs, the table and its pages."""
    if not (units or luar):
        return ""
    dasar = f"?cakupan={_v(cakupan)}&amp;jendela={_v(w.kode)}&amp;tahun={_v(periode.tahun)}"
    out = [
        '\n<section class="card" id="per-unit">\n<h2>Per unit kerja</h2>\n'
        '<nav class="tabs" aria-label="Saring unit">\n'
        f'  <a href="{dasar}#per-unit"{"" if luar else _AKTIF}>Semua unit</a>\n'
        f'  <a href="{dasar}&amp;luar=1#per-unit"{_AKTIF if luar else ""}>Di luar pedoman</a>\n'
        "</nav>\n"
    ]
    if luar and not units:
        out.append(
            '<p class="muted">Tidak ada unit di luar pedoman distribusi pada '
            f"{_v(w.label_pendek)}.</p>"
        )
    out.append("\n")
    if units:
        out.append(
            '<table class="table"><thead><tr><th>Unit kerja</th><th>Kinerja organisasi</th>'
            "<th>Sangat Baik</th><th>Baik</th><th>Butuh Perbaikan</th><th>Kurang</th>"
            "<th>Sangat Kurang</th><th>Jumlah</th><th>Pedoman</th></tr></thead><tbody>\n"
            f"{_v(baris_unit)}\n</tbody></table>"
        )
    out.append("\n")
    if halaman is not None and halaman.has_other_pages():
        ekor = "&amp;luar=1" if luar else ""
        out.append('<nav class="paginasi" aria-label="Halaman unit kerja">\n')
        if halaman.has_previous():
            out.append(
                f'<a href="{dasar}{ekor}&amp;page={_v(halaman.previous_page_number())}'
                '#per-unit">&laquo; Sebelumnya</a>'
            )
        out.append(
            f"\n<span>Unit {_v(halaman.start_index())}–{_v(halaman.end_index())} dari "
            f"{_v(halaman.paginator.count)} · halaman {_v(halaman.number)} dari "
            f"{_v(halaman.paginator.num_pages)}</span>\n"
        )
        if halaman.has_next():
            out.append(
                f'<a href="{dasar}{ekor}&amp;page={_v(halaman.next_page_number())}'
                '#per-unit">Berikutnya &raquo;</a>'
            )
        out.append("\n</nav>")
    out.append("\n</section>\n")
    return "".join(out)


def isi(
    *,
    periode: Any,
    w: Any,
    jendela_list: list,
    tahun_list: list,
    cakupan: str,
    luar: bool,
    panels: list,
    units: list,
    baris_unit: Any,
    halaman_unit: Any,
    daftar: list,
    admin: bool,
    punya_tim: bool,
    boleh_justifikasi: bool,
    batas_kecil: Any,
    csrf_token: str,
    **_lain: Any,
) -> SafeString:
    """The content block of evaluasi/distribusi.html."""
    kode, tahun = _v(w.kode), _v(periode.tahun)
    tabs = []
    if punya_tim:
        tabs.append(
            f'<a href="?cakupan=tim&jendela={kode}&tahun={tahun}"'
            f"{_AKTIF_TAB if cakupan == 'tim' else ''}>Tim saya</a>"
        )
    tabs.append("\n  ")
    if admin:
        tabs.append(
            f'<a href="?cakupan=unit&jendela={kode}&tahun={tahun}"'
            f"{_AKTIF_TAB if cakupan == 'unit' else ''}>Per unit</a>\n  "
            f'<a href="?cakupan=instansi&jendela={kode}&tahun={tahun}"'
            f"{_AKTIF_TAB if cakupan == 'instansi' else ''}>Instansi</a>"
        )
    extra = f"cakupan={cakupan}"
    panel_html = "".join(
        panel(
            d,
            periode,
            w,
            csrf_token,
            nomor=i,
            cakupan=cakupan,
            boleh_justifikasi=boleh_justifikasi,
            batas_kecil=batas_kecil,
        )
        for i, d in enumerate(panels, 1)
    )
    html = (
        f"\n<h1>Distribusi predikat kinerja — {tahun}</h1>\n"
        f'<nav class="tabs" aria-label="Cakupan">\n  {"".join(tabs)}\n</nav>\n'
        f"{tahun_tabs(tahun_list, periode, extra)}{jendela_tabs(jendela_list, periode, w, extra)}"
        f'\n<p class="muted">Pedoman distribusi adalah acuan, bukan distribusi paksa. Unit/tim '
        f"dengan kurang dari {_v(batas_kecil)} pegawai ditampilkan perbandingannya tanpa "
        f"peringatan.</p>\n{panel_html}\n{_daftar(daftar)}\n"
        f"{_per_unit(cakupan, w, periode, luar, units, baris_unit, halaman_unit)}\n"
    )
    return mark_safe(html)  # noqa: S308  every value above is escaped (_v) or markup of our own
