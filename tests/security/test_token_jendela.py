"""The API rate window of a personal token's user decided in the token's own Redis round trip
(kinerja.akses.token.jendela_dilipat, salinan._TOKEN): the same requests allowed and refused,
the same 429 and `Retry-After` as the throttle's own script, one round trip instead of two, and
a request whose authentication fails after the window was counted is taken back (real Redis:
KINERJA_TEST_REDIS_URL)."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.authtoken.models import Token

from kinerja.akses import token as token_mod
from tests.kinerja import test_sesi

redis_sesi = test_sesi.redis_sesi  # the fixture: the test Redis as the cache, commands counted

pytestmark = pytest.mark.django_db

SAYA = "/api/v1/saya/"


def _rates(settings, user: str) -> None:
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "user": user}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}


def _jendela(user_id: int) -> list[bytes]:
    key = cache.make_and_validate_key(f"laju_user_{user_id}")
    return cache._cache.get_client().lrange(key, 0, -1)


def _jalan(key: str, kali: int) -> list[tuple[int, str | None, bytes]]:
    c = Client(HTTP_AUTHORIZATION=f"Token {key}")
    hasil = []
    for _ in range(kali):
        r = c.get(SAYA)
        hasil.append(
            (
                r.status_code,
                r.headers.get("Retry-After"),
                r.content if r.status_code == 429 else b"",
            )
        )
    return hasil


def test_the_same_requests_refused_with_the_same_answer_in_one_round_trip(
    redis_sesi, org, settings, monkeypatch
):
    _rates(settings, "5/min")
    dilipat = Token.objects.create(user=org.pegawai.user).key
    sendiri = Token.objects.create(user=org.kasubbid.user).key
    # The token's own row warm first (pointer, then row), as in the January mix.
    baru = _jalan(dilipat, 7)
    asli = token_mod.jendela_dilipat
    monkeypatch.setattr(token_mod, "jendela_dilipat", lambda request: None)  # the old way
    lama = _jalan(sendiri, 7)
    monkeypatch.setattr(token_mod, "jendela_dilipat", asli)
    assert [s for s, _, _ in baru] == [200] * 5 + [429] * 2
    assert baru == lama  # statuses, Retry-After, the 429's body
    assert len(_jendela(org.pegawai.user.pk)) == len(_jendela(org.kasubbid.user.pk)) == 5
    # A warm request: the token's script alone (the old way: a second EVALSHA for the window).
    _rates(settings, "50/min")
    redis_sesi.clear()
    assert Client(HTTP_AUTHORIZATION=f"Token {dilipat}").get(SAYA).status_code == 200
    assert redis_sesi.count("EVALSHA") == 1 and "LREM" not in redis_sesi
    assert len(_jendela(org.pegawai.user.pk)) == 6


def test_a_failed_authentication_after_the_count_is_taken_back(redis_sesi, org, settings):
    _rates(settings, "50/min")
    key = Token.objects.create(user=org.pegawai.user).key
    _jalan(key, 3)  # warm: the third is counted in the token's trip
    assert len(_jendela(org.pegawai.user.pk)) == 3
    settings.KINERJA_TOKEN_HARI = 0  # expired, judged after the row was read (no write)
    redis_sesi.clear()
    r = Client(HTTP_AUTHORIZATION=f"Token {key}").get(SAYA)
    assert r.status_code == 401 and "kedaluwarsa" in r.json()["detail"]
    assert "LREM" in redis_sesi
    assert len(_jendela(org.pegawai.user.pk)) == 3  # as the old way: never reached the throttle


def test_only_views_whose_throttle_asks_next_are_folded(rf):
    from rest_framework.request import Request

    from kinerja.akses.api import TokenView
    from skp.api import RencanaHasilKerjaViewSet

    def untuk(view) -> object:
        req = Request(rf.get("/"))
        req.parser_context = {"view": view}
        return token_mod.jendela_dilipat(req)

    assert untuk(RencanaHasilKerjaViewSet()) is not None
    assert untuk(TokenView()) is None  # the sign-in's own window, its own permission

    class LainIzin(RencanaHasilKerjaViewSet):
        permission_classes = [*RencanaHasilKerjaViewSet.permission_classes, object]

    class TanpaLaju(RencanaHasilKerjaViewSet):
        throttle_classes = []

    assert untuk(LainIzin()) is None and untuk(TanpaLaju()) is None
