"""A 404 from the API says so in Indonesian, with one answer for a row that does not exist and a
row the caller may not see (ids reveal nothing), on DRF's path and the hand-written ones alike;
before, DRF's English words named the model ("No SKP matches the given query.")."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from skp.models import RencanaHasilKerja
from tests.skp.factories import skp_draft

TIDAK_ADA = b'{"detail":"Tidak ditemukan."}'


def _client(user) -> APIClient:
    c = APIClient()
    c.force_authenticate(user)
    return c


@pytest.mark.django_db
def test_not_found_and_not_yours_get_the_same_indonesian_answer(org):
    skp = skp_draft(org)  # instansi A
    rhk = RencanaHasilKerja.objects.filter(skp=skp).first()
    lain = _client(org.admin_b)  # instansi B: may see none of these
    sendiri = _client(org.pegawai.user)
    paths = {
        "skp": skp.pk,
        "rencana-hasil-kerja": rhk.pk,
        "pegawai": org.pegawai.pk,
        "periode": org.periode_a.pk,
        "unit-kerja": org.unit_bkd.pk,
    }
    for resource, pk in paths.items():
        r = lain.get(f"/api/v1/{resource}/{pk}/")
        assert (r.status_code, r.content) == (404, TIDAK_ADA), resource
        r = sendiri.get(f"/api/v1/{resource}/999999999/")
        assert (r.status_code, r.content) == (404, TIDAK_ADA), resource
    # An unknown path answers the same bytes.
    r = sendiri.get("/api/v1/tidak-ada/")
    assert (r.status_code, r.content) == (404, TIDAK_ADA)
    # A write on a row out of scope changes nothing and answers alike.
    r = lain.patch(
        f"/api/v1/rencana-hasil-kerja/{rhk.pk}/",
        {"rencana": "diubah", "row_version": rhk.row_version},
        format="json",
    )
    assert (r.status_code, r.content) == (404, TIDAK_ADA)
    rhk.refresh_from_db()
    assert rhk.rencana != "diubah"
