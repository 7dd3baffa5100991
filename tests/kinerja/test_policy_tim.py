"""Actor.anggota_tim_ids: members of the active teams the user leads, read through the join."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kinerja import policy
from kinerja.models import TimKerja
from tests.factories import PegawaiFactory

pytestmark = pytest.mark.django_db


def _orm(pegawai_id: int) -> set[int]:
    """The reading through the many-to-many the policy used before (the reference)."""
    return set(
        TimKerja.objects.filter(ketua_id=pegawai_id, aktif=True)
        .values_list("anggota", flat=True)
        .exclude(anggota=None)
    )


def test_members_of_active_led_teams_only(org) -> None:
    ketua = org.fungsional
    a, b, c, d = (PegawaiFactory(instansi=org.instansi_a) for _ in range(4))
    aktif = TimKerja.objects.create(instansi=org.instansi_a, nama="Tim A", ketua=ketua)
    aktif.anggota.add(a, b)
    lain = TimKerja.objects.create(instansi=org.instansi_a, nama="Tim B", ketua=ketua)
    lain.anggota.add(b, c)  # a member of two teams counts once
    mati = TimKerja.objects.create(instansi=org.instansi_a, nama="Tim C", ketua=ketua, aktif=False)
    mati.anggota.add(d)
    TimKerja.objects.create(instansi=org.instansi_a, nama="Tim kosong", ketua=ketua)
    TimKerja.objects.create(instansi=org.instansi_a, nama="Tim orang lain", ketua=a).anggota.add(d)

    got = policy.actor(ketua.user).anggota_tim_ids()
    assert a.pk in got and b.pk in got and c.pk in got
    assert d.pk not in got
    assert got == _orm(ketua.pk)
    assert _orm(a.pk) == {d.pk}


def test_no_exists_subquery(org) -> None:
    a = policy.actor(org.fungsional.user)
    with CaptureQueriesContext(connection) as q:
        a.anggota_tim_ids()
    sql = [x["sql"].upper() for x in q.captured_queries]
    assert len(sql) == 1 and "TIMKERJA" in sql[0]
    assert "EXISTS" not in sql[0]
