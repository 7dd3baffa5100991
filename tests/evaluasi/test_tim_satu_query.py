"""The team page's rows (evaluasi.selectors.tim_evaluasi): the approved SKP and the feedback
counts come with the people in one statement; the same values as counting them one by one."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from evaluasi import jendela, selectors
from tests.evaluasi.conftest import skp_disetujui

pytestmark = pytest.mark.django_db


def _ub(org, penerima, pemberi, hubungan, urutan):
    from django.utils import timezone

    from dialog.models import UmpanBalik

    return UmpanBalik.objects.create(
        penerima=penerima,
        pemberi=pemberi,
        hubungan=hubungan,
        jenis="apresiasi",
        isi="Uji",
        periode=org.periode_a,
        urutan=urutan,
        dibuat=timezone.now(),
    )


def test_team_rows_match_counting_one_by_one(org):
    from dialog.models import UmpanBalik
    from skp.models import SKP

    w = jendela.daftar(org.periode_a)[0]
    skp_disetujui(org.pegawai, org.periode_a)
    urutan = w.urutan or 1
    _ub(org, org.pegawai, org.kasubbid, "pejabat_penilai", urutan)
    _ub(org, org.pegawai, org.kadis, "pemberi_tugas", urutan)
    _ub(org, org.pegawai, org.kadis, "pemberi_tugas", urutan + 1)  # another window
    _ub(org, org.rekan, org.kasubbid, "pejabat_penilai", urutan)
    with CaptureQueriesContext(connection) as ctx:
        rows = selectors.tim_evaluasi(org.kasubbid.user, org.periode_a, w)
    assert len(ctx.captured_queries) <= 3  # actor, the people with their facts, evaluations
    assert {r["pegawai"].pk for r in rows} == {org.pegawai.pk, org.rekan.pk}
    for r in rows:
        p = r["pegawai"]
        ub = UmpanBalik.objects.filter(penerima=p, periode=org.periode_a)
        if w.urutan:
            ub = ub.filter(urutan=w.urutan)
        assert r["umpan_balik"] == ub.count()
        assert r["umpan_balik_tugas"] == ub.filter(hubungan="pemberi_tugas").count()
        assert (
            r["skp_disetujui"]
            == SKP.objects.filter(
                pegawai=p, periode=org.periode_a, status=SKP.Status.DISETUJUI
            ).exists()
        )
    by = {r["pegawai"].pk: r for r in rows}
    assert by[org.pegawai.pk]["skp_disetujui"] and not by[org.rekan.pk]["skp_disetujui"]
    assert by[org.pegawai.pk]["umpan_balik_tugas"] >= 1
