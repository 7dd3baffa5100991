"""The admin's distribution page in one statement (evaluasi/distribusi_admin.py, bench/temuan.md
"Putaran kesembilan"): the same bytes as the reading it replaced (the selectors
`ringkasan_instansi`, `HalamanUnit`, `pasang_justifikasi`, `distribusi_per_unit`, counting
afresh), for the panel, pages of units (also pages the Paginator corrects), `?luar=1`, windows and
viewers; one statement for the panel, the units and the justifications; `?luar=1` no longer counts
the instansi's evaluations."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.db import connection
from django.template import engines
from django.test.utils import CaptureQueriesContext

from evaluasi.models import JustifikasiDistribusi
from kinerja.models import UnitKerja
from tests.evaluasi.test_distribusi_cepat import _unit, ragam  # noqa: F401 (fixture)
from tests.orakel import tangkap_render

pytestmark = pytest.mark.django_db

_CSRF = re.compile(
    r'(csrfmiddlewaretoken" value="|"X-CSRFToken": "|name="csrf-token" content=")[^"]*'
)

_URLS = [
    "",
    "?cakupan=instansi",
    "?cakupan=unit",
    "?luar=1",
    "?cakupan=unit&luar=1",
    "?page=2",
    "?page=3",  # past the end: the last page
    "?page=0",
    "?page=x",
    "?page=2.0",
    "?page=99999999999999999999",  # beyond a bigint OFFSET: the last page, never a 500
    "?luar=1&page=2",
    "?cakupan=unit&page=2",
    "?jendela=1",
    "?jendela=1&cakupan=unit&luar=1",
]


@pytest.fixture
def banyak(ragam):  # noqa: F811
    """ragam's units and enough more for three pages, some outside the guidance, one of those
    justified, and a second instansi-wide justification."""
    org = ragam
    for i in range(52):
        orang = ["sangat_kurang"] * 5 if i % 7 == 0 else ["baik"] * 4 + ["sangat_baik"]
        u = _unit(org, f"Unit {i:03d}", org.unit_bkd if i % 2 else None, orang, ko="baik")
        if i == 14:
            JustifikasiDistribusi.objects.create(
                periode=org.periode_a, jenis="tahunan", cakupan="unit", unit_kerja=u, isi="Unit 14"
            )
    JustifikasiDistribusi.objects.create(
        periode=org.periode_a, jenis="tahunan", cakupan="instansi", isi="Alasan kedua"
    )
    return org


def _halaman(client, url: str) -> str:
    r = client.get("/evaluasi/distribusi/" + url)
    assert r.status_code == 200, url
    return _CSRF.sub(r"\1-", r.content.decode())


@pytest.mark.parametrize("siapa", ["admin_a", "admin_b"])
def test_page_is_the_old_readings_byte_for_byte(banyak, client_as, monkeypatch, siapa):
    from evaluasi import hitung_predikat

    org = banyak
    _unit(org, "Unit Kupang", None, ["baik"] * 5, instansi=org.instansi_b)
    c = client_as(getattr(org, siapa))
    baru = {url: _halaman(c, url) for url in _URLS}
    # The old reading: the three selectors, and `?luar=1` from distribusi_per_unit, counting
    # the evaluations afresh (what the kept counts stand for).
    monkeypatch.setattr(hitung_predikat, "dipelihara", lambda conn=None: False)
    for url in _URLS:
        assert _halaman(c, url) == baru[url], url
    if siapa == "admin_a":
        assert "Alasan kedua" in baru[""] and "Alasan se-instansi" in baru[""]
        assert "dijustifikasi" in baru["?luar=1"] and "Unit 049" in baru["?page=2"]
        assert "Unit 049" in baru["?page=3"] and "Unit 049" not in baru["?page=x"]


def test_luar_is_distribusi_per_unit(banyak):
    from evaluasi import distribusi_admin, jendela, selectors

    org = banyak
    periode = type(org.periode_a).objects.select_related("instansi").get(pk=org.periode_a.pk)
    for kode in ("akhir", "1"):
        w = jendela.dari_kode(periode, kode)
        lama = selectors.distribusi_per_unit(periode, w)
        baru = distribusi_admin.baca(periode, w, 0, None).units

        def bentuk(ds):
            return [
                (
                    d.judul,
                    d.counts,
                    d.predikat_org,
                    d.unit.pk,
                    d.unit.induk_nama,
                    [p.pesan for p in d.pelanggaran],
                    [p.kode for p in d.banding],
                    [(j.pk, j.isi, j.dibuat) for j in d.justifikasi],
                )
                for d in ds
            ]

        assert bentuk(baru) == bentuk(lama), kode
        assert len(baru) == UnitKerja.objects.filter(instansi=org.instansi_a).count()


@pytest.mark.parametrize("url", ["", "?cakupan=unit", "?luar=1", "?page=2"])
def test_panel_units_and_justifications_are_one_statement(banyak, client_as, url):
    org = banyak
    c = client_as(org.admin_a)
    c.get("/evaluasi/distribusi/" + url)
    with CaptureQueriesContext(connection) as ctx:
        r = c.get("/evaluasi/distribusi/" + url)
    assert r.status_code == 200
    sql = [q["sql"] for q in ctx.captured_queries]
    dibaca = [
        q
        for q in sql
        if "kinerja_unitkerja" in q or "justifikasidistribusi" in q or "hitungpredikat" in q
    ]
    assert len(dibaca) == 1, dibaca
    # The kept counts, not the instansi's evaluations (`?luar=1` counted them until now).
    assert not [q for q in sql if "evaluasi_evaluasi" in q], sql


# --- the content drawn in Python (evaluasi/halaman_distribusi.py) ------------------------------
LAMA = (Path(__file__).parent / "distribusi_lama.html").read_text()


def _lama_dan_baru(client, url: str, monkeypatch) -> tuple[str, str] | None:
    """The page as served, and the old template rendered with the same context (None: the
    viewer may not open it)."""
    from evaluasi import views

    dipakai = tangkap_render(monkeypatch, views)
    r = client.get("/evaluasi/distribusi/" + url)
    if r.status_code != 200:
        return None
    ctx = {k: v for k, v in dipakai["ctx"].items() if k != "isi"}
    lama = engines["django"].from_string(LAMA).render(ctx, dipakai["request"])
    return _CSRF.sub(r"\1-", lama), _CSRF.sub(r"\1-", r.content.decode())


def test_content_is_the_old_template_byte_for_byte(banyak, client_as, monkeypatch):
    from tests.evaluasi.conftest import final, ko

    org = banyak
    ko(org, org.unit_bidang, "baik")
    final(org, "pegawai", hasil="diatas_ekspektasi")
    final(org, "kasubbid")
    luar = UnitKerja.objects.get(nama__startswith='Bagian "A"')
    kecil = UnitKerja.objects.get(nama="Bagian Kecil")
    unit_urls = [f"?cakupan=unit&unit={u.pk}" for u in (luar, kecil, org.unit_bidang, org.unit_bkd)]
    dilihat = 0
    for siapa in (org.admin_a, org.admin_b, org.user("kasubbid"), org.user("kabid")):
        c = client_as(siapa)
        for url in [*_URLS, *unit_urls, "?cakupan=tim", "?cakupan=tim&luar=1&jendela=1"]:
            got = _lama_dan_baru(c, url, monkeypatch)
            if got is None:
                continue
            lama, baru = got
            assert baru == lama, (siapa, url)
            dilihat += 1
            if siapa == org.admin_a and url == unit_urls[0]:
                # The unit's own panel: outside the guidance, its justification form names it.
                assert f'name="unit" value="{luar.pk}"' in baru and "daftar-evaluasi" in baru
    assert dilihat > 40
