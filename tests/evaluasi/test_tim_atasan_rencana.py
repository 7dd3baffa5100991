"""The team page's "as atasan" rows (kind 4 of evaluasi/selectors_tim.py) without an OR.

Until "Putaran ketiga belas" (bench/temuan.md) the rows were read with
`atasan_pejabat_penilai_id = x OR pegawai_id = ANY(ARRAY(...))`. For most instansi PostgreSQL
planned that as a scan of the whole period's evaluations with the OR as a filter (11,000-13,000
rows thrown away, 3-15 ms for a head of an instansi), in custom plans, and the BitmapOr only
where its estimates favoured it. The rows are now two index-driven parts. The plan's choice
depends on the data (the test database is small), but no plan of the prepared statement, custom
or generic, may carry that OR: with it, the period scan is always one estimate away.
"""

from __future__ import annotations

import json

import pytest
from django.db import connection

from evaluasi import jendela
from evaluasi import selectors_tim as st
from tests.evaluasi.conftest import final

pytestmark = pytest.mark.django_db


def _kondisi(node: dict) -> list[str]:
    """Every condition of a plan node and of the nodes below it."""
    out = [v for k, v in node.items() if k.endswith(("Cond", "Filter")) and isinstance(v, str)]
    for sub in node.get("Plans", []):
        out += _kondisi(sub)
    return out


def _rencana(penilai_id: int, periode, w, mode: str) -> list[str]:
    sql, params = st._sql(penilai_id, periode, w, True)
    bagian = sql.split("%s")
    teks = bagian[0] + "".join(f"${i}{s}" for i, s in enumerate(bagian[1:], 1))
    with connection.cursor() as cur:
        cur.execute(f"SET LOCAL plan_cache_mode = {mode}")
        cur.execute(f"PREPARE tim_atasan AS {teks}")
        try:
            isi = ", ".join(["%s"] * len(params))
            cur.execute(f"EXPLAIN (FORMAT JSON) EXECUTE tim_atasan({isi})", list(params))
            plan = cur.fetchone()[0]
        finally:
            cur.execute("DEALLOCATE tim_atasan")
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return _kondisi(plan[0]["Plan"])


@pytest.mark.parametrize("mode", ["force_custom_plan", "force_generic_plan"])
def test_the_atasan_rows_plan_has_no_or_to_filter_a_whole_period(org, mode):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's plans")
    final(org, "rekan")
    final(org, "fungsional")
    periode = org.periode_a
    w = jendela.dari_kode(periode, jendela.AKHIR)
    kepala = org.kabid  # an atasan of the team's members, and a penilai himself
    kondisi = _rencana(kepala.pk, periode, w, mode)
    assert any("atasan_pejabat_penilai_id" in k for k in kondisi), kondisi
    # (the old shape: "(atasan_pejabat_penilai_id = $32) OR (... pegawai_id = ANY ($6))", in
    # a Filter or a BitmapOr's Recheck Cond)
    assert not [k for k in kondisi if "atasan_pejabat_penilai_id" in k and " OR " in k], kondisi
