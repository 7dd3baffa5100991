"""The personal token's load (issue 19): its SQL is compiled once per process, as the session's
user load is (kinerja.akses.muat), and still read on every request: the same token, user,
pegawai and grant as the ORM gives, and every refusal as before."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models.sql.compiler import SQLCompiler
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from kinerja.akses.token import muat_token
from kinerja.policy.core import HIBAH_ANOTASI
from tests.personas import beri_plh

pytestmark = pytest.mark.django_db


def _nilai(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def _orm(key):
    from kinerja import policy

    return policy.dengan_actor(Token.objects.select_related("user"), "user").get(key=key)


def _api(key: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {key}")


@pytest.mark.parametrize("who", ["pegawai", "admin_a", "hibah"])
def test_the_compiled_load_gives_what_the_orm_gives(org, who):
    if who == "hibah":
        beri_plh(org)
    user = org.user("kadis" if who == "hibah" else who)
    key = Token.objects.create(user=user).key
    lama, baru = _orm(key), muat_token(key)
    assert type(baru) is Token and _nilai(baru) == _nilai(lama)
    assert getattr(baru, HIBAH_ANOTASI) == getattr(lama, HIBAH_ANOTASI) == (who == "hibah")
    assert _nilai(baru.user) == _nilai(lama.user)
    p_lama = lama.user._state.fields_cache["pegawai"]
    p_baru = baru.user._state.fields_cache["pegawai"]
    assert (p_baru is None) == (p_lama is None) == (who == "admin_a")
    if p_lama is not None:
        assert _nilai(p_baru) == _nilai(p_lama)
    assert muat_token("x" * 40) is None


def test_the_token_query_is_compiled_once_and_run_every_time(org, monkeypatch):
    key = Token.objects.create(user=org.pegawai.user).key
    assert _api(key).get("/api/v1/saya/").status_code == 200
    compiled = []
    as_sql = SQLCompiler.as_sql

    def spy(self, *args, **kwargs):
        compiled.append(self.query.model)
        return as_sql(self, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "as_sql", spy)
    assert _api(key).get("/api/v1/saya/").status_code == 200
    assert Token not in compiled
    # Still read every time: a grant given now counts at the next request.
    beri_plh(org)
    key_kadis = Token.objects.create(user=org.kadis.user).key
    assert getattr(muat_token(key_kadis), HIBAH_ANOTASI) is True
    assert getattr(muat_token(key), HIBAH_ANOTASI) is False


def test_refusals_are_unchanged_after_the_load_is_compiled(org, settings):
    settings.KINERJA_TOKEN_HARI = 30
    key = Token.objects.create(user=org.pegawai.user).key
    assert _api(key).get("/api/v1/saya/").status_code == 200
    # Unknown key.
    r = _api("0" * 40).get("/api/v1/saya/")
    assert r.status_code == 401 and r.json()["detail"] == "Token tidak valid."
    # Expired.
    Token.objects.filter(key=key).update(created=timezone.now() - dt.timedelta(days=31))
    r = _api(key).get("/api/v1/saya/")
    assert r.status_code == 401 and "kedaluwarsa" in r.json()["detail"]
    # Revoked (the password changed: the row is gone).
    Token.objects.filter(key=key).update(created=timezone.now())
    assert _api(key).get("/api/v1/saya/").status_code == 200
    user = org.pegawai.user
    user.set_password("Sandi-Baru-Kinerja-2026")
    user.save()
    r = _api(key).get("/api/v1/saya/")
    assert r.status_code == 401 and r.json()["detail"] == "Token tidak valid."
    # Deactivated account, and a pegawai who left.
    key = Token.objects.create(user=org.rekan.user).key
    assert _api(key).get("/api/v1/saya/").status_code == 200
    type(user).objects.filter(pk=org.rekan.user.pk).update(is_active=False)
    r = _api(key).get("/api/v1/saya/")
    assert r.status_code == 401 and "dinonaktifkan" in r.json()["detail"]
    from kinerja.models import Pegawai

    key = Token.objects.create(user=org.fungsional.user).key
    Pegawai.objects.filter(pk=org.fungsional.pk).update(status=Pegawai.Status.BERHENTI)
    r = _api(key).get("/api/v1/saya/")
    assert r.status_code == 401 and "berhenti" in r.json()["detail"]


def test_another_instansis_token_sees_nothing_of_this_one(org):
    from tests.skp.factories import skp_draft

    skp = skp_draft(org)
    key_b = Token.objects.create(user=org.pegawai_b.user).key
    key_a = Token.objects.create(user=org.kasubbid.user).key
    assert _api(key_a).get(f"/api/v1/skp/{skp.pk}/").status_code == 200
    assert _api(key_b).get(f"/api/v1/skp/{skp.pk}/").status_code == 404
    rv = skp.row_version
    r = _api(key_b).patch(
        f"/api/v1/skp/{skp.pk}/",
        {"konsekuensi": "x", "row_version": rv},
        content_type="application/json",
    )
    assert r.status_code == 404
