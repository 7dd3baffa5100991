"""GET /api/v1/skp/<id>/ (api_baca.skp_untuk) with the scope as the policy's SQL (round ten):
for every persona and every SKP, the answer or the 404 is the one the ORM scope gave."""

from __future__ import annotations

import pytest
from django.http import Http404

from skp import api_baca, services
from skp.models import SKP
from tests.skp.factories import skp_diajukan, skp_draft

pytestmark = pytest.mark.django_db

ORANG = [
    "gubernur",
    "sekda",
    "kepala_bkd",
    "kabid",
    "kasubbid",
    "pegawai",
    "rekan",
    "fungsional",
    "kadis",
    "staf_dinas",
    "pegawai_b",
    "kepala_b",
    "admin_a",
    "admin_b",
    "superuser",
]


def _lama(user, pk):
    """skp_untuk before round ten: the ORM's scope compiled (`_lingkup`)."""
    sql, params = api_baca._lingkup(user, SKP, pk)
    return api_baca._skp_baca(f"s.id IN ({sql})", params)


def _jawab(fn, user, pk):
    try:
        return fn(user, pk)
    except Http404 as e:
        return ("404", str(e))


def test_every_persona_sees_or_misses_each_skp_as_before(org):
    semua = [
        skp_diajukan(org, who="pegawai", n_rhk=2),
        skp_draft(org, who="kasubbid", n_rhk=1),
        skp_draft(org, who="staf_dinas", n_rhk=1),
        services.skp_buat(pegawai=org.pegawai_b, periode=org.periode_b, user=org.pegawai_b.user),
    ]
    dilihat = 0
    for nama in ORANG:
        user = org.user(nama)
        for skp in semua:
            baru = _jawab(api_baca.skp_untuk, user, skp.pk)
            assert baru == _jawab(_lama, user, skp.pk), (nama, skp.pk)
            dilihat += not isinstance(baru, tuple)
        for pk in ("abc", 2**40, -1):
            assert _jawab(api_baca.skp_untuk, user, pk) == _jawab(_lama, user, pk), (nama, pk)
    assert 0 < dilihat < len(ORANG) * len(semua)  # some seen, some not
