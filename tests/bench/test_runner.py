"""The bench runner computes every row (tiny mode: 200 pegawai, 1-second wrk runs, a handful of
PDFs). It checks that the machinery works end to end, not how fast anything is.

It needs what `make bench` needs: PostgreSQL, Redis (KINERJA_TEST_REDIS_URL), wrk and gunicorn;
the data is committed (transactional test) so gunicorn and the Celery worker see it.
"""

from __future__ import annotations

import io
import os
import shutil
import sys

import pytest
from django.db import connection

from bench import runner

REDIS_URL = os.environ.get("KINERJA_TEST_REDIS_URL") or "redis://127.0.0.1:6379/0"

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="bench memerlukan PostgreSQL"),
    pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk tidak terpasang"),
    pytest.mark.skipif(not runner._redis_ok(REDIS_URL), reason="Redis tidak tersedia"),
]


class _Tee(io.StringIO):
    def write(self, s: str) -> int:
        if os.environ.get("BENCH_VERBOSE"):
            sys.__stdout__.write(s)
        return super().write(s)


@pytest.mark.django_db(transaction=True)
def test_tiny_bench_computes_every_row_and_writes_the_results(tmp_path, monkeypatch):
    monkeypatch.setenv("BENCH_JANUARI_SECONDS", "3")
    monkeypatch.setenv("BENCH_JANUARI_USERS", "3")
    monkeypatch.setenv("BENCH_UNCACHED_N", "5")
    out = _Tee()
    results = tmp_path / "results.md"
    opts = runner.Options(
        pegawai=200,
        seed=3,
        wrk_seconds=1,
        wrk_connections=2,
        bulk_limit=4,
        import_rows=300,
        pdf_repeat=1,
        redis_url=REDIS_URL,
        results=results,
        reset=False,
        profile=True,
        out=out,
    )
    bench = runner.run(opts)
    keys = [r.key for r in bench.rows]
    assert keys == [
        "tutup", "tim", "distribusi", "skp", "api",
        "tim_tanpa_cache", "distribusi_tanpa_cache", "skp_tanpa_cache", "api_tanpa_cache",
        "lantai_tanpa_cache",
        "januari_on", "januari_off", "nginx",
        "q_tim", "q_distribusi", "q_skp", "q_api", "jelajah",
        "pdf_skp", "pdf_evaluasi", "pdf_massal", "pdf_satu_pass", "impor",
        "restrukturisasi", "sinkron",
    ]  # fmt: skip
    not_measured = {r.key: r.kinerja for r in bench.rows if not r.measured}
    assert not_measured == {}
    for r in bench.rows:
        assert r.limit and r.ratio, r
    # query rows: the same page at a small and a large size
    assert all(bench.rows[keys.index(k)].ok is not None for k in ("q_tim", "q_skp", "q_api"))
    md = results.read_text()
    assert "| pekerjaan | Kinerja | batas (limit) | rasio | sasaran | hasil |" in md
    assert "Commit:" in md and "Mesin:" in md and "200 pegawai" in md
    # the wrk rows are cache hits with nothing written: reported, never judged
    assert all(bench.rows[keys.index(k)].ok is None for k in ("tim", "distribusi", "skp", "api"))
    # the crawl: many pages of four personas, none failing, the slowest named
    jelajah = bench.rows[keys.index("jelajah")]
    assert jelajah.ok is not None and " 0 galat 5xx" in jelajah.kinerja, jelajah
    assert int(jelajah.kinerja.split(" halaman")[0]) > 20 and "paling lambat" in jelajah.profile
    # the floor (the lightest signed-in page) is measured and reported, never judged
    lantai = bench.rows[keys.index("lantai_tanpa_cache")]
    assert lantai.ok is None and lantai.kinerja.startswith("median "), lantai
    # the January mix: judged, with the Locust table; writes happened, none failed
    for k in ("januari_on", "januari_off"):
        r = bench.rows[keys.index(k)]
        assert r.ok is not None and "tulisan" in r.kinerja and " 0 galat" in r.kinerja, r
        assert "Locust per permintaan" in r.profile
        # the admins of the mix open the completeness page too (the mix names it)
        assert "\nkelengkapan |" in r.profile, r.profile
    # a row that misses its goal carries its profile
    for r in bench.rows:
        if r.ok is False and r.key in ("tim", "distribusi", "skp", "api", "tutup"):
            assert "pyinstrument" in r.profile
    assert "| pekerjaan |" in out.getvalue()


def test_a_missing_page_is_reported_not_measured():
    row = runner.Row("x", "Halaman yang belum ada", "≥ 40%")
    row.belum("halaman/URL belum ada")
    assert row.kinerja == "belum diukur: halaman/URL belum ada"
    assert not row.measured and row.status == "—"


@pytest.mark.django_db
def test_make_bench_creates_its_database_on_a_fresh_server():
    import uuid

    import psycopg

    from bench.runner import _server_conninfo, ensure_database

    name = f"kinerja_bench_uji_{uuid.uuid4().hex[:8]}"
    try:
        assert ensure_database(name) is True
        assert ensure_database(name) is False  # there now: left alone
        with psycopg.connect(**_server_conninfo(), autocommit=True) as c:
            assert c.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
    finally:
        with psycopg.connect(**_server_conninfo(), autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}"')
