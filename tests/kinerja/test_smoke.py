from __future__ import annotations

import pytest

from tests.personas import PASSWORD


@pytest.mark.django_db
def test_login_with_nip_shows_home_with_penilai(client, org):
    resp = client.post("/masuk/", {"username": org.pegawai.nip, "password": PASSWORD})
    assert resp.status_code == 302
    page = client.get("/")
    assert page.status_code == 200
    html = page.content.decode()
    assert org.pegawai.nama in html
    assert org.kasubbid.nama in html  # her pejabat penilai
    assert org.kabid.nama in html  # her atasan pejabat penilai


@pytest.mark.django_db
def test_derived_penilai_for_every_kind_of_position(org):
    assert org.pegawai.pejabat_penilai_id == org.kasubbid.pk
    assert org.pegawai.atasan_pejabat_penilai_id == org.kabid.pk
    assert org.kabid.pejabat_penilai_id == org.kepala_bkd.pk
    # JPT Pratama and JPT Madya in a daerah: the Kepala Daerah, not the Sekda.
    assert org.kepala_bkd.pejabat_penilai_id == org.gubernur.pk
    assert org.sekda.pejabat_penilai_id == org.gubernur.pk
    assert org.gubernur.pejabat_penilai_id is None
