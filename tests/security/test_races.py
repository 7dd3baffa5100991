"""Issue 15 item 10: concurrent creates of one new object answer the existing row's 400, never a
500 (the unique constraint), through the API, with real concurrent transactions on PostgreSQL.

Each test holds every request between "it does not exist yet" and the insert (a short sleep in
a function the service calls there), so the requests really overlap; then exactly one creates
and every other is told the winner's id."""

from __future__ import annotations

import json
import threading
import time

import pytest
from django.db import connection
from django.test import Client
from rest_framework.authtoken.models import Token

N = 4


def _race(monkeypatch, module, name: str, user, url: str, body: dict) -> list:
    original = getattr(module, name)

    def slow(*args, **kwargs):
        time.sleep(0.4)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, slow)
    token = Token.objects.get_or_create(user=user)[0].key
    barrier = threading.Barrier(N)
    out: list = [None] * N

    def go(i: int) -> None:
        try:
            c = Client(HTTP_AUTHORIZATION=f"Token {token}", raise_request_exception=False)
            barrier.wait()
            r = c.post(url, json.dumps(body), content_type="application/json")
            out[i] = (r.status_code, r.content.decode())
        finally:
            connection.close()

    threads = [threading.Thread(target=go, args=(i,)) for i in range(N)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return out


def _one_winner(out: list, created: int = 201) -> int:
    codes = sorted(code for code, _ in out)
    assert 500 not in codes, out
    assert codes.count(created) == 1, out
    win = json.loads(next(body for code, body in out if code == created))["id"]
    for code, body in out:
        if code != created:
            assert code == 400 and f"id {win}" in body, (code, body)
    return win


@pytest.mark.django_db(transaction=True)
def test_concurrent_posts_of_one_new_evaluation_one_201_others_400_with_its_id(org, monkeypatch):
    from evaluasi.services import evaluasi as services  # patched where it is called
    from tests.evaluasi.conftest import skp_disetujui

    skp_disetujui(org.pegawai, org.periode_a)
    body = {
        "pegawai": org.pegawai.pk,
        "periode": org.periode_a.pk,
        "jenis": "periodik",
        "urutan": 2,
    }
    out = _race(
        monkeypatch, services, "_skp_disetujui", org.kasubbid.user, "/api/v1/evaluasi/", body
    )
    _one_winner(out)


@pytest.mark.django_db(transaction=True)
def test_concurrent_posts_of_one_new_kinerja_organisasi(org, monkeypatch):
    from evaluasi.models import KinerjaOrganisasi
    from evaluasi.services import distribusi as services  # patched where it is called

    body = {"unit_kerja": org.unit_bidang.pk, "periode": org.periode_a.pk, "predikat": "baik"}
    out = _race(monkeypatch, services, "_require", org.admin_a, "/api/v1/kinerja-organisasi/", body)
    win = _one_winner(out)
    assert list(KinerjaOrganisasi.objects.values_list("pk", flat=True)) == [win]


@pytest.mark.django_db(transaction=True)
def test_concurrent_posts_of_one_new_skp(org, monkeypatch):
    from skp.services import skp as services  # patched where it is called

    body = {"pegawai": org.pegawai.pk, "periode": org.periode_a.pk}
    out = _race(monkeypatch, services, "jenis_untuk", org.pegawai.user, "/api/v1/skp/", body)
    _one_winner(out)


@pytest.mark.django_db(transaction=True)
def test_concurrent_upserts_of_one_new_nip(org, monkeypatch):
    from kinerja import services
    from kinerja.models import Pegawai

    nip = "199001012015031001"
    body = {"nip": nip, "nama": "Pegawai Baru", "jabatan": org.rekan.jabatan_id}
    out = _race(
        monkeypatch, services, "organisasi_simpan", org.admin_a, "/api/v1/pegawai/upsert/", body
    )
    codes = sorted(code for code, _ in out)
    assert 500 not in codes, out
    assert codes.count(201) == 1, out
    win = Pegawai.objects.get(nip=nip).pk
    for code, text in out:
        if code != 201:
            assert code == 400 and "nip" in json.loads(text), text
            assert f"id {win}" in text or "sudah" in text, text
