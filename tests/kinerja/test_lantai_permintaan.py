"""What every signed-in request pays (the floor, bench row "lantai"): the user's load is one
query by its key without ORDER BY, and still reads the account's state on every request."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.personas import beri_plh

pytestmark = pytest.mark.django_db


def _muat_user(sql: list[str]) -> list[str]:
    return [q for q in sql if q.startswith('SELECT "kinerja_user"."id"') and "LIMIT 1" in q]


def test_the_users_load_is_one_unordered_query(org, client_as):
    c = client_as(org.user("pegawai"))
    with CaptureQueriesContext(connection) as ctx:
        assert c.get("/sandi/").status_code == 200
    muat = _muat_user([q["sql"] for q in ctx.captured_queries])
    assert len(muat) == 1
    assert "ORDER BY" not in muat[0]  # a key lookup needs none; ordering costs compilation
    assert "kinerja_hakakseskhusus" in muat[0] and "kinerja_pegawai" in muat[0]


def test_a_deactivated_account_is_signed_out_at_the_next_request(org, client_as):
    user = org.user("pegawai")
    c = client_as(user)
    assert c.get("/sandi/").status_code == 200
    type(user).objects.filter(pk=user.pk).update(is_active=False)
    assert c.get("/sandi/").status_code == 302


def _nilai(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def _orm(user_id):
    from django.contrib.auth import get_user_model

    from kinerja import policy

    return policy.dengan_actor(get_user_model().objects.filter(pk=user_id)).get()


@pytest.mark.parametrize("who", ["pegawai", "admin_a", "superuser", "hibah"])
def test_the_compiled_load_gives_what_the_orm_gives(org, who, django_user_model):
    from kinerja import policy
    from kinerja.akses.muat import muat_user
    from kinerja.policy.core import HIBAH_ANOTASI

    if who == "superuser":
        user = django_user_model.objects.create_superuser("root_muat", "r@x.id", "x")
    elif who == "admin_a":
        user = org.admin_a
    elif who == "hibah":
        user = org.kadis.user
        beri_plh(org)
    else:
        user = org.user(who)
    lama, baru = _orm(user.pk), muat_user(user.pk)
    assert type(baru) is type(lama) and _nilai(baru) == _nilai(lama)
    assert getattr(baru, HIBAH_ANOTASI) == getattr(lama, HIBAH_ANOTASI)
    assert getattr(baru, HIBAH_ANOTASI) is (who == "hibah")
    p_lama = lama._state.fields_cache["pegawai"]
    p_baru = baru._state.fields_cache["pegawai"]
    assert (p_baru is None) == (p_lama is None) == (who in ("admin_a", "superuser"))
    if p_lama is not None:
        assert _nilai(p_baru) == _nilai(p_lama)
    with CaptureQueriesContext(connection) as ctx:
        a = policy.actor(baru)
    assert len(ctx.captured_queries) == 0 and a.user is baru  # the actor needs nothing more
    assert baru._state.adding is False and baru._state.db == "default"
    assert muat_user(987_654) is None and muat_user(str(user.pk)).pk == user.pk


def test_each_request_runs_the_users_query_without_compiling_it(org, client_as, monkeypatch):
    """The user is read from the database on every request; its SQL is compiled once."""
    from django.db.models.sql.compiler import SQLCompiler

    from kinerja.akses.backends import KinerjaBackend

    user = org.user("pegawai")
    KinerjaBackend().get_user(user.pk)  # compiled here, once per process
    dikompilasi = []
    asli = SQLCompiler.as_sql

    def catat(self, *args, **kwargs):
        dikompilasi.append(self.query.model)
        return asli(self, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "as_sql", catat)
    with CaptureQueriesContext(connection) as ctx:
        got = KinerjaBackend().get_user(user.pk)
    assert got.pk == user.pk
    assert len(ctx.captured_queries) == 1 and dikompilasi == []


def test_the_pages_frame_reverses_and_resolves_its_urls_once(org, client_as, monkeypatch):
    """The frame's URLs (brand, account menu, bell, styles, scripts) are the same on every
    request: the second request of a page looks none of them up again."""
    from django.urls.resolvers import URLResolver

    c = client_as(org.user("pegawai"))
    first = c.get("/sandi/").content.decode()
    dicari = []
    asli = URLResolver._reverse_with_prefix

    def catat(self, lookup_view, *args, **kwargs):
        dicari.append(lookup_view)
        return asli(self, lookup_view, *args, **kwargs)

    monkeypatch.setattr(URLResolver, "_reverse_with_prefix", catat)
    second = c.get("/sandi/").content.decode()
    assert dicari == []
    for href in (
        'href="/"',
        'href="/notifikasi/"',
        'action="/keluar/"',
        'hx-get="/notifikasi/lonceng/"',
    ):
        assert href in second
    assert 'href="/static/css/kinerja.css"' in second and first.count("/static/") == second.count(
        "/static/"
    )


def test_frame_urls_follow_a_changed_configuration(settings):
    from django.template import engines

    tpl = engines["django"].from_string(
        "{% load static kinerja_nav %}{% tautan 'beranda' %} {% url 'beranda' %} "
        "{% statis 'css/kinerja.css' %} {% static 'css/kinerja.css' %}"
    )
    a, b, c, d = tpl.render({}).split()
    assert a == b and c == d
    settings.STATIC_URL = "/aset/"
    a, b, c, d = tpl.render({}).split()
    assert a == b and c == d == "/aset/css/kinerja.css"


@pytest.mark.parametrize("bahasa", ["", "en-US,en;q=0.9", "id-ID,id;q=0.9", "fr"])
def test_the_one_language_middleware_answers_as_djangos_locale_middleware(rf, bahasa):
    from django.http import HttpResponse
    from django.middleware.locale import LocaleMiddleware
    from django.utils import translation

    from kinerja.middleware import BahasaMiddleware

    def jawab(mw_cls):
        request = rf.get("/masuk/", HTTP_ACCEPT_LANGUAGE=bahasa)
        request.COOKIES["django_language"] = "en"
        response = HttpResponse("x")
        response["Vary"] = "HX-Request"
        mw = mw_cls(lambda r: response)
        mw.process_request(request)
        aktif = translation.get_language()
        mw.process_response(request, response)
        translation.deactivate()
        return request.LANGUAGE_CODE, aktif, response["Vary"], response["Content-Language"]

    assert (
        jawab(BahasaMiddleware)
        == jawab(LocaleMiddleware)
        == (
            "id",
            "id",
            "HX-Request, Accept-Language",
            "id",
        )
    )


def test_one_language_reads_nothing_of_the_request_and_two_read_as_django(
    org, client_as, monkeypatch, settings
):
    from django.utils import translation

    assert "kinerja.middleware.BahasaMiddleware" in settings.MIDDLEWARE
    dibaca = []
    asli = translation.get_language_from_request

    def catat(*args, **kwargs):
        dibaca.append(1)
        return asli(*args, **kwargs)

    monkeypatch.setattr(translation, "get_language_from_request", catat)
    client = client_as(org.user("pegawai"))
    r = client.get("/sandi/", HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 200 and r["Content-Language"] == "id" and dibaca == []
    settings.LANGUAGES = [("id", "Bahasa Indonesia"), ("en", "English")]
    r = client.get("/sandi/", HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 200 and dibaca == [1] and r["Content-Language"] == "en"
