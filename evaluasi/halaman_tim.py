"""The team evaluation page's content (`/evaluasi/tim/`) drawn in Python, the same bytes the
templates gave (evaluasi/tim.html's content block with its partials: year and window tabs, the
list's toolbar, headers, rows and footer, the "as atasan" table, the distribution panel).

Every penilai opens this page in January, uncached once anything in their team changes. At
100,000 pegawai the template machinery was ±2 ms of the page's own ±8 ms of Python for ±15 KiB
of fixed markup (bench/temuan.md, "Putaran ketujuh"). The old template is kept as the test
oracle (tests/evaluasi/tim_lama.html): tests/evaluasi/test_halaman_tim.py renders both for
several viewers, windows, searches, filters, sorts and pages, an empty team and 500 members.
The page is still evaluasi/tim.html (base.html around `{{ isi }}`); phones show the same table
as cards (kinerja.js), from the same HTML.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.template.defaultfilters import date as date_filter
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from evaluasi import halaman_distribusi, jendela, rules
from evaluasi.chart import svg_distribusi
from evaluasi.halaman_distribusi import badge as _badge
from kinerja import daftar_html, url_pola
from kinerja.daftar_html import _v


@lru_cache(maxsize=64)
def _tanggal(d: Any, bahasa: str | None) -> str:
    """`{{ d|date:"j M Y" }}` for a date (no time zone), in the active language."""
    return _v(date_filter(d, "j M Y"))


# --- what depends only on a period's year and frequency, or on the counts: once per process ---
class _Tahun:
    __slots__ = ("tahun", "frekuensi")

    def __init__(self, tahun: int, frekuensi: str):
        self.tahun, self.frekuensi = tahun, frekuensi


@lru_cache(maxsize=256)
def _windows(tahun: int, frekuensi: str) -> tuple:
    return tuple(jendela.daftar(_Tahun(tahun, frekuensi)))


def jendela_list(periode: Any) -> list:
    """`jendela.daftar(periode)` (its windows are frozen: shared)."""
    return list(_windows(periode.tahun, periode.frekuensi))


@lru_cache(maxsize=1024)
def _window(tahun: int, frekuensi: str, kode: str | None, hari_ini: Any) -> Any:
    if not kode:
        from kinerja.rules import jendela_pada

        j = jendela_pada(tahun, frekuensi, hari_ini)
        kode = str(j.urutan) if j else jendela.AKHIR
    return jendela.dari_kode(_Tahun(tahun, frekuensi), kode)  # ValidationError: not cached


def window(periode: Any, kode: str | None) -> Any:
    """views._window's answer: the window asked for, by default the one today falls in (the
    annual one after the year); ValidationError for a code the period does not have."""
    from django.utils import timezone

    return _window(periode.tahun, periode.frekuensi, kode or None, timezone.localdate())


@lru_cache(maxsize=256)
def _grafik(counts: tuple, org: str | None, judul: str) -> SafeString:
    return svg_distribusi(dict(counts), rules.pedoman(org) if org else None, judul)


def grafik(d: Any) -> SafeString:
    """`svg_distribusi(d.counts, d.pedoman, d.judul)` (the guidance follows from `d.predikat_org`,
    selectors_distribusi._dist)."""
    return _grafik(tuple(d.counts.items()), d.predikat_org, d.judul)


def _url(name: str, *args: Any) -> tuple[str, str]:
    """The URL of `name` split around its first argument (the row's pk): kinerja.url_pola."""
    parts = url_pola.pola(name, (url_pola.ISI, *args))
    if parts is None:  # a fixed argument contains the sentinel
        raise ValueError(f"{name}: argumen {args!r}")
    return parts[0], parts[1]


def _tahun(tahun_list: list, periode: Any) -> str:
    """evaluasi/partials/tahun.html (no `extra`)."""
    return halaman_distribusi.tahun_tabs(tahun_list, periode)


def _jendela(jendela_list: list, periode: Any, w: Any) -> str:
    """evaluasi/partials/jendela_tabs.html (no `extra`)."""
    return halaman_distribusi.jendela_tabs(jendela_list, periode, w)


def _baris(rows: Any, periode: Any, w: Any) -> str:
    """The rows of the team table (`{% for r in daftar.halaman %}`)."""
    detail = _url("evaluasi:detail")
    nilai = _url("evaluasi:nilai", w.kode)
    tahun = _v(periode.tahun)
    out = []
    for r in rows:
        ev, p = r["evaluasi"], r["pegawai"]
        skp = (
            '<span class="badge badge-disetujui">disetujui</span>'
            if r["skp_disetujui"]
            else '<span class="badge badge-draft">belum disetujui</span>'
        )
        ub = _v(r["umpan_balik"])
        if r["umpan_balik_tugas"]:
            ub += f' <small class="muted">({_v(r["umpan_balik_tugas"])} dari pemberi tugas)</small>'
        if ev:
            hasil = rules.RATING_LABEL.get(ev.rating_hasil_kerja or "", "") or "-"
            perilaku = rules.RATING_LABEL.get(ev.rating_perilaku_kerja or "", "") or "-"
            predikat = _badge(ev.predikat) if ev.predikat else "-"
            status = (
                f'<span class="badge badge-{_v(ev.status)}">{_v(ev.get_status_display())}</span>'
            )
        else:
            hasil = perilaku = predikat = "-"
            status = '<span class="muted">belum</span>'
        if ev and ev.is_final:
            aksi = f'<a href="{detail[0]}{ev.pk}{detail[1]}">Lihat</a>'
        else:
            aksi = f'<a class="button" href="{nilai[0]}{p.pk}{nilai[1]}?tahun={tahun}">Nilai</a>'
        out.append(
            f'\n  <tr>\n    <td>{_v(p.nama)}<br><small class="muted">{_v(p.nip or "")}</small>'
            f"</td>\n    <td>{_v(p.jabatan or '-')}</td>\n    <td>{skp}</td>\n    <td>{ub}</td>\n"
            f"    <td>{_v(hasil)}</td>\n    <td>{_v(perilaku)}</td>\n    <td>{predikat}</td>\n"
            f"    <td>{status}</td>\n    <td>{aksi}</td>\n  </tr>\n  "
        )
    return "".join(out)


# A row's predikat and status cells from a handful of codes: drawn once per process for each
# (code, status, language), not per row (a head of an instansi has 50-130 "as atasan" rows).
_SEL: dict[tuple, str] = {}


def _sel(predikat: str, status: str, display: str, bahasa: str | None) -> str:
    key = (predikat, status, display, bahasa)
    got = _SEL.get(key)
    if got is None:
        if len(_SEL) >= 256:
            _SEL.clear()
        _SEL[key] = got = (
            f"<td>{_badge(predikat) if predikat else '-'}</td>"
            f'<td><span class="badge badge-{_v(status)}">{_v(display)}</span></td>'
        )
    return got


def _atasan(atasan_rows: list) -> str:
    """The "Sebagai atasan pejabat penilai" section."""
    if not atasan_rows:
        return ""
    detail = _url("evaluasi:detail")
    bahasa = get_language()
    rows = "".join(
        f"<tr><td>{_v(ev.pegawai.nama)}</td>"
        f"<td>{_v((ev.pejabat_penilai.nama if ev.pejabat_penilai else None) or '-')}</td>"
        f"{_sel(ev.predikat, ev.status, ev.get_status_display(), bahasa)}"
        f'<td><a href="{detail[0]}{ev.pk}{detail[1]}">Lihat</a></td></tr>'
        for ev in atasan_rows
    )
    return (
        '\n<section class="card" id="sebagai-atasan">\n  <h2>Sebagai atasan pejabat penilai</h2>\n'
        '  <table class="table"><thead><tr><th>Pegawai</th><th>Pejabat penilai</th>'
        "<th>Predikat</th><th>Status</th><th></th></tr></thead><tbody>\n"
        f"  {rows}\n  </tbody></table>\n</section>\n"
    )


def _distribusi(d: Any, periode: Any, w: Any, token: str) -> str:
    """evaluasi/partials/distribusi_panel.html with cakupan "tim", boleh_justifikasi, no loop:
    the distribution page's panel (drawn once per process for each content)."""
    return halaman_distribusi.panel(d, periode, w, token)


# The list's toolbar, sortable headers and footer are a function of the query string (search,
# filters, sort, page, year, window), the path and the counts: drawn once per process for each.
_PARAM = ("tahun", "jendela", "q", "status", "skp", "umpan_balik", "predikat", "urut", "page")
_KOLOM_TIM = ("pegawai", "jabatan", "skp", "umpan_balik", "hasil", "perilaku", "predikat", "status")
_ALAT: dict[tuple, tuple[str, str, str]] = {}
_ALAT_BATAS = 1024


def _alat(request: Any, daftar: Any) -> tuple[str, str, str]:
    """(toolbar, headers, footer) of the team list."""
    page = daftar.halaman
    get = request.GET
    key = (
        request.path,
        tuple(get.get(k) for k in _PARAM),
        page.paginator.count,
        page.number,
        get_language(),
    )
    got = _ALAT.get(key)
    if got is None:
        if len(_ALAT) >= _ALAT_BATAS:
            _ALAT.clear()
        _ALAT[key] = got = (
            daftar_html.alat(daftar, "tim-daftar", request.path),
            daftar_html.kepala(daftar, *_KOLOM_TIM),
            daftar_html.kaki(daftar),
        )
    return got


def isi(
    request: Any,
    *,
    periode: Any,
    w: Any,
    jendela_list: list,
    tahun_list: list,
    daftar: Any,
    dist: Any,
    atasan_rows: list,
    csrf_token: str,
) -> SafeString:
    """The content block of evaluasi/tim.html."""
    rows = _baris(daftar.halaman, periode, w)
    if not rows:
        kosong = (
            "Tidak ada pegawai yang cocok dengan pencarian ini."
            if daftar.ada_saringan
            else "Tidak ada pegawai yang Anda nilai."
        )
        rows = f'<tr><td colspan="9" class="muted">{kosong}</td></tr>'
    alat, kepala, kaki = _alat(request, daftar)
    mulai = _tanggal(w.jendela.mulai, get_language())
    selesai = _tanggal(w.jendela.selesai, get_language())
    html = (
        f"\n<h1>Evaluasi kinerja tim — {_v(periode.tahun)}</h1>\n"
        f"{_tahun(tahun_list, periode)}{_jendela(jendela_list, periode, w)}\n"
        f'<p class="muted">Periode: {_v(w.label_pendek)} ({mulai} – {selesai}). Predikat '
        "mengikuti kuadran hasil kerja × perilaku kerja.</p>\n"
        '<section class="card">\n'
        f"{alat}\n"
        '<div id="tim-daftar">\n<table class="table" id="tabel-tim">\n'
        f'  <thead><tr>{kepala}<th scope="col"><span class="sr-only">Tindakan</span></th></tr>'
        f"</thead>\n  <tbody>\n  {rows}\n  </tbody>\n</table>\n"
        f"{kaki}\n</div>\n</section>\n"
        f"{_atasan(atasan_rows)}\n"
        f"{_distribusi(dist, periode, w, csrf_token) if dist else ''}\n"
    )
    return mark_safe(html)  # noqa: S308  every value above is escaped (_v) or markup of our own
