"""The close row measures both sides alike (bench/temuan.md, putaran kedelapan, "tutup").

The old row gave the SQL an untimed warm-up and none to the close (whose first run paid the
process's first reverse(), ~0.4 s), and measured all SQL runs before all close runs: a
disturbance between them hit one side only. Checked on a tiny generated province.
"""

from __future__ import annotations

import shutil

import pytest
from django.db import connection

from bench import runner, ukur_tutup
from bench.dasar import Row

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="bench dan generator memakai PostgreSQL"
)


@pytest.mark.django_db
def test_both_sides_warm_up_then_alternate(tmp_path, monkeypatch):
    from bench.generate import generate
    from evaluasi.services import tutup_tahun as services

    generate(pegawai=200, seed=3, out=None)
    order: list[str] = []
    first: list[int] = []
    real = services.tutup_tahun_jalankan

    def jalankan(*, periode_id, job=None):
        if not first or first[0] == periode_id:
            first[:1] = [periode_id]
            order.append("kinerja")
        return real(periode_id=periode_id, job=job)

    def rekam(execute, sql, params, many, context):
        if sql == ukur_tutup.RECAP_SQL:
            order.append("sql")
        elif sql == "CHECKPOINT":
            order.append("checkpoint")
        return execute(sql, params, many, context)

    monkeypatch.setattr(services, "tutup_tahun_jalankan", jalankan)
    bench = runner.Bench(runner.Options(pegawai=200, close_limit=-1, profile=False))
    row = Row("tutup", "Tutup tahun, fase data", "≤ 2.0x")
    try:
        with connection.execute_wrapper(rekam):
            bench.close_data_phase(row)
    finally:
        shutil.rmtree(bench.media, ignore_errors=True)
        shutil.rmtree(bench.bare_dir, ignore_errors=True)
    # CHECKPOINT, one warm-up each, then SQL/close alternating three times; the recap check
    # (`_recap_check`) reads through data_rekap, not the SQL.
    assert order == ["checkpoint", "sql", "kinerja"] + ["sql", "kinerja"] * 3, order
    assert "diukur bergantian SQL/Kinerja (3x masing-masing" in row.note
    assert "CHECKPOINT lebih dulu" in row.note
    assert row.measured and row.ratio.endswith("x")


def test_above_the_goal_the_note_names_what_cannot_come_closer():
    best = {"jalankan": 0.6, "periksa": 1.2, "rekap": 1.0, "cpu": 2.0}
    text = ukur_tutup._sebab(best, 0.8)
    assert "langkah job (0.75x SQL)" in text and "data rekap (1.25x SQL)" in text
    assert "sisanya (0.25x SQL)" in text
