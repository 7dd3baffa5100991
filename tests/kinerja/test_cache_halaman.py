"""The whole-page cache (kinerja/cache_halaman.py): served again only to the same user and
session while no write was committed; never across users, flash messages or a Redis outage."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kinerja import cache_halaman
from kinerja.cache_halaman import HEADER, VERSI_KEY
from tests.kinerja.cache_bantu import tanpa_tertunda as _tanpa_tertunda

pytestmark = pytest.mark.django_db


def _cookie(client):
    """A signed-in browser has its CSRF cookie from the login form; force_login does not."""
    client.get(reverse("notifikasi_list"))
    assert "csrftoken" in client.cookies
    return client


def _get(client, url: str, **headers):
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url, headers=headers)
    assert r.status_code == 200, (url, r.status_code)
    return r, len(ctx.captured_queries)


def test_second_view_is_served_from_the_cache_with_only_the_session_and_user_queries(
    org, client_as, on
):
    c = _cookie(client_as(org.user("kasubbid")))
    first, n_first = _get(c, reverse("evaluasi:tim"))
    second, n_second = _get(c, reverse("evaluasi:tim"))
    assert first[HEADER] == "miss" and second[HEADER] == "hit"
    assert second.content == first.content
    assert n_second == 1 < n_first  # the session row, nothing else: not even the user
    assert second["Content-Type"] == first["Content-Type"]


def test_a_committed_write_ends_the_cached_page(
    org, client_as, on, django_capture_on_commit_callbacks
):
    user = org.user("pegawai")
    c = _cookie(client_as(user))
    from tests.evaluasi.conftest import skp_disetujui

    _tanpa_tertunda()
    with django_capture_on_commit_callbacks(execute=True):
        skp = skp_disetujui(org.pegawai, org.periode_a)
    url = reverse("skp:detail", args=[skp.pk])
    _get(c, url)
    assert _get(c, url)[0][HEADER] == "hit"
    from skp.models import RencanaHasilKerja

    rhk = RencanaHasilKerja.objects.filter(skp=skp).order_by("urutan").first()
    _tanpa_tertunda()
    with django_capture_on_commit_callbacks(execute=True):
        RencanaHasilKerja.objects.filter(pk=rhk.pk).update(rencana="Laporan yang baru diubah")
    r, _ = _get(c, url)
    assert r[HEADER] == "miss"
    assert "Laporan yang baru diubah" in r.content.decode()


def test_a_write_that_is_not_committed_keeps_the_version(
    org, on, django_capture_on_commit_callbacks
):
    from kinerja.models import Pegawai

    cache_halaman.versi_naik()
    before = on.get(VERSI_KEY)
    # A write inside a transaction registers one bump for its commit; a test's transaction never
    # commits, so without running the callbacks the version stays.
    _tanpa_tertunda()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        Pegawai.objects.filter(pk=org.pegawai.pk).update(nama="Nama Sementara")
        Pegawai.objects.filter(pk=org.rekan.pk).update(nama="Nama Lain")
    assert on.get(VERSI_KEY) == before
    pending = [cb for cb in callbacks if isinstance(cb, cache_halaman._Tertunda)]
    assert len(pending) == 1 and pending[0].kunci == {VERSI_KEY}  # pegawai: organisation data
    for cb in callbacks:
        cb()
    assert on.get(VERSI_KEY) == before + 1


def test_session_writes_and_reads_do_not_bump(org, on, django_capture_on_commit_callbacks):
    from kinerja.models import Pegawai

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        list(Pegawai.objects.all()[:5])
        with connection.cursor() as cur:
            cur.execute('DELETE FROM "django_session" WHERE "expire_date" < now()')
    assert not [cb for cb in callbacks if isinstance(cb, cache_halaman._Tertunda)]


@pytest.mark.django_db(transaction=True)
def test_real_commits_bump_and_rollbacks_do_not(settings):
    from django.core.cache import cache

    from kinerja.models import Instansi

    cache.clear()
    settings.KINERJA_HALAMAN_DETIK = 120
    cache_halaman.versi_naik()
    v0 = cache.get(VERSI_KEY)
    # Autocommit: each statement (the row, its history row) bumps at once.
    Instansi.objects.create(kode="UJI1", nama="Instansi Uji Satu")
    v1 = cache.get(VERSI_KEY)
    assert v1 > v0
    with pytest.raises(RuntimeError), transaction.atomic():
        Instansi.objects.create(kode="UJI2", nama="Instansi Uji Dua")
        raise RuntimeError("batal")
    assert cache.get(VERSI_KEY) == v1
    with transaction.atomic():
        Instansi.objects.create(kode="UJI3", nama="Instansi Uji Tiga")
        Instansi.objects.filter(kode="UJI3").update(nama="Instansi Uji Tiga Baru")
        assert cache.get(VERSI_KEY) == v1  # not before the commit
    assert cache.get(VERSI_KEY) == v1 + 1  # one bump per transaction


def test_another_user_never_gets_the_cached_page(org, client_as, on):
    from tests.evaluasi.conftest import skp_disetujui

    skp = skp_disetujui(org.pegawai, org.periode_a)
    url = reverse("skp:detail", args=[skp.pk])
    owner = _cookie(client_as(org.user("pegawai")))
    _get(owner, url)
    assert _get(owner, url)[0][HEADER] == "hit"
    owner.logout()
    other = client_as(org.user("staf_dinas"))  # another unit: the policy says no
    assert other.get(url).status_code == 404
    colleague = client_as(org.user("rekan"))
    assert colleague.get(url).status_code == 404


@pytest.mark.parametrize("change", ["nonaktif", "sandi"])
def test_a_deactivated_user_or_a_changed_password_is_not_served_the_cached_page(
    org, client_as, on, django_capture_on_commit_callbacks, change
):
    user = org.user("kasubbid")
    c = _cookie(client_as(user))
    url = reverse("evaluasi:tim")
    _get(c, url)
    assert _get(c, url)[0][HEADER] == "hit"
    _tanpa_tertunda()
    with django_capture_on_commit_callbacks(execute=True):
        if change == "nonaktif":
            user.is_active = False
        else:
            user.set_password("Sandi-Baru-2026-x")
        user.save()
    r = c.get(url)
    assert r.status_code == 302 and "/masuk/" in r["Location"]


def test_signed_out_or_anonymous_requests_never_reach_the_cache(org, client_as, on):
    c = _cookie(client_as(org.user("kasubbid")))
    url = reverse("evaluasi:tim")
    _get(c, url)
    assert _get(c, url)[0][HEADER] == "hit"
    c.logout()
    r = c.get(url)
    assert r.status_code == 302 and HEADER not in r


def test_a_new_session_of_the_same_user_renders_again(org, client_as, on):
    user = org.user("kasubbid")
    c = _cookie(client_as(user))
    _get(c, reverse("evaluasi:tim"))
    c.logout()
    c = _cookie(client_as(user))
    assert _get(c, reverse("evaluasi:tim"))[0][HEADER] == "miss"


def test_flash_messages_are_shown_and_never_cached(org, client_as, on):
    from django.contrib.messages import constants
    from django.contrib.messages.storage.base import Message
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.test import RequestFactory

    c = _cookie(client_as(org.user("kasubbid")))
    url = reverse("evaluasi:tim")
    _get(c, url)
    assert _get(c, url)[0][HEADER] == "hit"
    storage = CookieStorage(RequestFactory().get("/"))
    c.cookies["messages"] = storage._encode([Message(constants.SUCCESS, "Pesan uji tersimpan.")])
    r, _ = _get(c, url)
    assert r.get(HEADER) != "hit" and "Pesan uji tersimpan." in r.content.decode()
    # Shown once: the next view is the cached page again, without the message.
    r, _ = _get(c, url)
    assert r[HEADER] == "hit" and "Pesan uji tersimpan." not in r.content.decode()


def test_htmx_and_query_strings_are_separate_entries(org, client_as, on):
    c = _cookie(client_as(org.user("kasubbid")))
    url = reverse("evaluasi:tim")
    _get(c, url)
    assert _get(c, url, **{"HX-Request": "true"})[0][HEADER] == "miss"
    assert _get(c, url + "?tahun=" + str(org.periode_a.tahun))[0][HEADER] == "miss"
    assert _get(c, url)[0][HEADER] == "hit"


def test_htmx_target_and_accept_are_in_the_key(org, client_as, on):
    # The key reads these headers from META (not request.headers): each still its own entry.
    c = _cookie(client_as(org.user("kasubbid")))
    url = reverse("evaluasi:tim")
    _get(c, url)
    assert _get(c, url, **{"HX-Request": "true", "HX-Target": "isi"})[0][HEADER] == "miss"
    assert _get(c, url, **{"HX-Request": "true", "HX-Target": "lain"})[0][HEADER] == "miss"
    assert _get(c, url, **{"HX-Request": "true", "HX-Target": "isi"})[0][HEADER] == "hit"
    assert _get(c, url, Accept="text/html")[0][HEADER] == "miss"
    assert _get(c, url, Accept="text/html")[0][HEADER] == "hit"
    assert _get(c, url)[0][HEADER] == "hit"


def test_redis_down_renders_the_page_and_stores_nothing(org, client_as, settings):
    settings.KINERJA_HALAMAN_DETIK = 120
    settings.CACHES = {
        "default": {
            "BACKEND": "kinerja.redis_cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    c = _cookie(client_as(org.user("kasubbid")))
    first = c.get(reverse("evaluasi:tim"))
    second = c.get(reverse("evaluasi:tim"))
    assert first.status_code == second.status_code == 200
    assert HEADER not in second  # rendered without the cache both times
    assert "Evaluasi" in second.content.decode()


def test_api_list_is_cached_per_user(org, client_as, on):
    c = client_as(org.admin_a)  # JSON: no CSRF token in it
    url = "/api/v1/pegawai/?page_size=50"
    first, _ = _get(c, url)
    second, n = _get(c, url)
    assert first[HEADER] == "miss" and second[HEADER] == "hit"
    assert second.json() == first.json() and second["Content-Type"].startswith("application/json")
    assert n == 1
    other = client_as(org.admin_b)
    r, _ = _get(other, url)
    assert r[HEADER] == "miss"
    names_a = {p["nama"] for p in first.json()["results"]}
    names_b = {p["nama"] for p in r.json()["results"]}
    assert names_a and names_b and not names_a & names_b  # each instansi sees its own


def test_off_means_no_lookup_and_no_header(org, client_as, settings):
    settings.KINERJA_HALAMAN_DETIK = 0
    c = _cookie(client_as(org.user("kasubbid")))
    c.get(reverse("evaluasi:tim"))
    assert HEADER not in c.get(reverse("evaluasi:tim"))


def test_api_token_requests_are_cached_per_token_and_a_wrong_token_is_refused(
    org, on, django_capture_on_commit_callbacks
):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    url = "/api/v1/pegawai/?page_size=50"
    token_a = Token.objects.create(user=org.admin_a).key
    token_b = Token.objects.create(user=org.admin_b).key
    a = APIClient()
    a.credentials(HTTP_AUTHORIZATION=f"Token {token_a}")
    first = a.get(url)
    second = a.get(url)
    assert first.status_code == second.status_code == 200
    assert first[HEADER] == "miss" and second[HEADER] == "hit"
    assert second.json() == first.json()
    # Someone guessing: no token, a wrong token, another instansi's token.
    anon = APIClient()
    assert anon.get(url).status_code in (401, 403)
    anon.credentials(HTTP_AUTHORIZATION="Token salah")
    r = anon.get(url)
    assert r.status_code == 401 and r.get(HEADER) != "hit"
    b = APIClient()
    b.credentials(HTTP_AUTHORIZATION=f"Token {token_b}")
    rb = b.get(url)
    assert rb.status_code == 200 and rb[HEADER] == "miss"
    names_a = {p["nama"] for p in first.json()["results"]}
    assert names_a and not names_a & {p["nama"] for p in rb.json()["results"]}
    # A revoked token: the delete is a write, so the cached page is not served to it.
    _tanpa_tertunda()
    with django_capture_on_commit_callbacks(execute=True):
        Token.objects.filter(key=token_a).delete()
    r = a.get(url)
    assert r.status_code == 401 and r.get(HEADER) != "hit"
