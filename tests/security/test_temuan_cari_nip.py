"""Issue 15, finding 5: any pegawai could look staff of any instansi up by NIP, unthrottled.
Only who may propose an assignment looks up (the policy's 'menugaskan'), at most
KINERJA_CARI_NIP_PER_MENIT a minute per account, then a 429 in Indonesian."""

from __future__ import annotations

import pytest
from django.core.cache import cache

pytestmark = pytest.mark.django_db

URL = "/dialog/penugasan/cari-nip/?nip="


@pytest.fixture(autouse=True)
def _cache_bersih():
    cache.clear()
    yield
    cache.clear()


@pytest.mark.parametrize("who", ["pegawai", "rekan", "pegawai_b"])
def test_pegawai_who_may_not_assign_learns_nothing(org, client_as, who):
    c = client_as(org.user(who))
    r = c.get(URL + org.kadis.nip)
    assert r.status_code in (403, 404)
    assert org.kadis.nama not in r.content.decode()


def test_official_looks_up_and_is_throttled_per_account(org, client_as, settings):
    settings.KINERJA_CARI_NIP_PER_MENIT = 3
    c = client_as(org.user("kepala_b"))
    for _ in range(3):
        r = c.get(URL + org.pegawai.nip)
        assert r.status_code == 200 and org.pegawai.nama in r.content.decode()
    r = c.get(URL + org.pegawai.nip)
    assert r.status_code == 429
    body = r.content.decode()
    assert "Terlalu banyak permintaan" in body and org.pegawai.nama not in body
    assert r["Retry-After"] == "60"
    # Another account has its own allowance.
    r = client_as(org.user("kasubbid")).get(URL + org.pegawai.nip)
    assert r.status_code == 200
