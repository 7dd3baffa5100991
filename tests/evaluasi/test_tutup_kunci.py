"""The close job's first query: the year's PenutupanTahun row locked together with its period,
starter and the count per unit (one round trip on PostgreSQL); the count equals the ORM's."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from evaluasi.models import Evaluasi, PenutupanTahun
from evaluasi.services import tutup_tahun
from kinerja.models import Pegawai
from tests.evaluasi.conftest import final, ko

A, S, B = "diatas_ekspektasi", "sesuai_ekspektasi", "dibawah_ekspektasi"


def _orm(org) -> dict:
    return dict(
        tutup_tahun._tahunan_final(org.periode_a.pk)
        .filter(pegawai__instansi_id=org.instansi_a.pk)
        .order_by()
        .values_list("pegawai__unit_kerja_id")
        .annotate(n=Count("id"))
        .values_list("pegawai__unit_kerja_id", "n")
    )


@pytest.mark.django_db
def test_lock_reads_period_starter_and_units_in_one_query(org):
    ko(org, org.unit_dinas, "istimewa")
    final(org, "pegawai", A, A)
    final(org, "rekan", B, S)
    final(org, "staf_dinas", S, B)
    final(org, "kadis", S, A)
    # no unit: its own group (None); moved to another instansi: not this instansi's any more
    Pegawai.objects.filter(pk=org.rekan.pk).update(unit_kerja=None)
    Pegawai.objects.filter(pk=org.staf_dinas.pk).update(instansi=org.instansi_b)
    # a draft is not counted
    Evaluasi.objects.create(pegawai=org.fungsional, periode=org.periode_a, jenis="tahunan")
    PenutupanTahun.objects.create(periode=org.periode_a, dimulai_oleh=org.admin_a)
    expected = _orm(org)
    assert None in expected and sum(expected.values()) == 3
    with transaction.atomic(), CaptureQueriesContext(connection) as q:
        pen, per_unit = tutup_tahun._penutupan_kunci(org.periode_a.pk)
        assert pen.periode.tahun == org.periode_a.tahun  # no query: read with the lock
        assert pen.dimulai_oleh == org.admin_a
    assert per_unit == expected
    assert per_unit == tutup_tahun._dokumen_per_unit(org.periode_a.pk, org.instansi_a.pk)
    locks = [x["sql"] for x in q.captured_queries if "FOR UPDATE" in x["sql"]]
    one = connection.vendor == "postgresql"  # SQLite (`make run`): the count on its own
    assert len(q.captured_queries) == (1 if one else 2)
    assert len(locks) == (1 if one else 0)


@pytest.mark.django_db
def test_lock_without_a_started_close_makes_the_row(org):
    """A close run from a shell, without the admin's start: the row is made, then locked."""
    with transaction.atomic():
        pen, per_unit = tutup_tahun._penutupan_kunci(org.periode_a.pk)
    assert pen.periode_id == org.periode_a.pk and per_unit == {}
    assert PenutupanTahun.objects.filter(periode=org.periode_a).count() == 1


@pytest.mark.django_db
def test_count_per_unit_can_be_an_index_only_scan(org):
    """The count's filter is the partial index `evaluasi_tahunan_final`'s predicate, so the
    count reads the index alone (with every other way to the evaluations switched off, the plan
    still finds one); a change to the filter or to the index that breaks this fails here."""
    if connection.vendor != "postgresql":
        pytest.skip("partial index and EXPLAIN: PostgreSQL")
    final(org, "pegawai", A, A)
    q = connection.ops.quote_name
    sql = tutup_tahun._PER_UNIT.format(
        ev=q(Evaluasi._meta.db_table), peg=q(Pegawai._meta.db_table), periode="%s", instansi="%s"
    )
    params = [org.periode_a.pk, "tahunan", "final", org.instansi_a.pk]
    with transaction.atomic(), connection.cursor() as c:
        for off in ("seqscan", "bitmapscan", "indexscan"):
            c.execute(f"SET LOCAL enable_{off} = off")
        c.execute("EXPLAIN (COSTS OFF) " + sql, params)
        plan = "\n".join(r[0] for r in c.fetchall())
    assert "Index Only Scan using evaluasi_tahunan_final" in plan, plan
