"""The site address in PDFs and emails (kinerja/situs.py): the configured KINERJA_SITE_URL, and
without it (development) the address the server was asked on, so a QR code made on a server at
another port than 8000 still points at that server."""

from __future__ import annotations

import pytest

from kinerja import situs
from kinerja.verifikasi import verifikasi_konteks

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _lupa(monkeypatch):
    monkeypatch.setattr(situs, "_terakhir", "")
    from django.core.cache import cache

    cache.delete(situs._KUNCI)


def test_configured_address_is_used_whatever_the_request(settings, client):
    settings.SITE_URL = "https://kinerja.nttprov.go.id"
    client.get("/masuk/", HTTP_HOST="localhost")
    assert verifikasi_konteks("ABCDEFGH12")["url"] == (
        "https://kinerja.nttprov.go.id/verifikasi/ABCDEFGH12/"
    )


def test_without_configuration_the_address_comes_from_the_request(settings, client):
    settings.SITE_URL = ""
    settings.ALLOWED_HOSTS = ["localhost"]
    assert situs.alamat() == "http://127.0.0.1:8000"  # nothing asked yet: the runserver default
    client.get("/masuk/", HTTP_HOST="localhost:8106")
    assert verifikasi_konteks("ABCDEFGH12")["url"] == "http://localhost:8106/verifikasi/ABCDEFGH12/"
    # Another process (a worker) reads it through the cache.
    situs._terakhir = ""
    assert situs.alamat() == "http://localhost:8106"


def test_a_refused_host_is_not_remembered(settings, client):
    settings.SITE_URL = ""
    settings.ALLOWED_HOSTS = ["localhost"]
    client.get("/masuk/", HTTP_HOST="localhost:8106")
    client.get("/masuk/", HTTP_HOST="penyerang.example")
    assert situs.alamat() == "http://localhost:8106"
