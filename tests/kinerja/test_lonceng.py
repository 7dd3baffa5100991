"""The notification bell that every open page polls: an unchanged count costs an empty 304
(the browser keeps the bell), a new notification shows at the next poll."""

from __future__ import annotations

import pytest
from django.test import Client

from kinerja.notifikasi import notifikasi_baca_semua, notifikasi_kirim

pytestmark = pytest.mark.django_db

URL = "/notifikasi/lonceng/"


def _poll(c, etag=None):
    extra = {"HTTP_HX_REQUEST": "true"}
    if etag:
        extra["HTTP_IF_NONE_MATCH"] = etag
    return c.get(URL, **extra)


def test_unchanged_bell_answers_304_without_rendering(org, client_as):
    c = client_as(org.user("pegawai"))
    first = _poll(c)
    assert first.status_code == 200 and first["ETag"]
    cc = first["Cache-Control"]
    assert "private" in cc and "no-cache" in cc  # kept by the browser, asked again each poll
    again = _poll(c, first["ETag"])
    assert again.status_code == 304 and again.content == b""
    assert again.templates == []


def test_new_notification_shows_at_the_next_poll(org, client_as):
    user = org.user("pegawai")
    c = client_as(user)
    etag = _poll(c)["ETag"]
    notifikasi_kirim(penerima=user, jenis="skp_disetujui", pesan="SKP Anda disetujui.")
    r = _poll(c, etag)
    assert r.status_code == 200 and 'data-jumlah="1"' in r.content.decode()
    assert r["ETag"] != etag
    notifikasi_baca_semua(user=user)
    r2 = _poll(c, r["ETag"])
    assert r2.status_code == 200 and "data-jumlah" not in r2.content.decode()


def _masuk(user):
    c = Client()
    c.force_login(user)
    return c


def test_the_etag_is_the_users_own(org):
    """Two users with the same count never share a bell (one browser, another login)."""
    a = _poll(_masuk(org.user("pegawai")))["ETag"]
    assert _poll(_masuk(org.user("rekan")), a).status_code == 200


def test_signed_out_poll_is_not_answered_from_the_etag(org):
    etag = _poll(_masuk(org.user("pegawai")))["ETag"]
    r = _poll(Client(), etag)
    assert r.status_code == 302
