"""REST API of the organisation: token auth, codes of shared/api.md, scoping, upsert, schema."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from kinerja.models import Pegawai
from kinerja.rules import make_nip
from tests.personas import PASSWORD

NEW = make_nip(dt.date(1993, 3, 3), dt.date(2021, 6, 1), False, 44)


def api(user=None) -> APIClient:
    c = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        c.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return c


@pytest.mark.django_db
def test_token_from_nip_and_password_opens_the_api(org):
    c = APIClient()
    resp = c.post(
        "/api/v1/auth/token/", {"username": org.pegawai.nip, "password": PASSWORD}, format="json"
    )
    assert resp.status_code == 200
    c.credentials(HTTP_AUTHORIZATION=f"Token {resp.json()['token']}")
    me = c.get(f"/api/v1/pegawai/{org.pegawai.pk}/").json()
    assert me["nip"] == org.pegawai.nip
    bad = APIClient().post(
        "/api/v1/auth/token/", {"username": org.pegawai.nip, "password": "salah"}, format="json"
    )
    assert bad.status_code == 400
    assert APIClient().get("/api/v1/pegawai/").status_code == 401


@pytest.mark.django_db
def test_fields_and_codes_are_those_promised_in_api_md(org):
    c = api(org.pegawai.user)
    p = c.get(f"/api/v1/pegawai/{org.pegawai.pk}/").json()
    assert {
        "id",
        "nip",
        "nama",
        "jenis_asn",
        "golongan",
        "jabatan",
        "unit_kerja",
        "status",
        "pejabat_penilai",
    } <= set(p)
    assert p["jenis_asn"] == "pppk" and p["status"] == "aktif"
    assert p["pejabat_penilai"] == org.kasubbid.pk
    i = c.get(f"/api/v1/instansi/{org.instansi_a.pk}/").json()
    assert {"id", "kode", "nama", "jenis"} <= set(i) and i["jenis"] == "daerah"
    u = c.get(f"/api/v1/unit-kerja/{org.unit_bidang.pk}/").json()
    assert u["induk"] == org.unit_bkd.pk and u["mandiri"] is False and u["instansi"]
    j = c.get(f"/api/v1/jabatan/{org.kabid.jabatan_id}/").json()
    assert {"id", "unit_kerja", "nama", "jenis", "atasan"} <= set(j)
    assert j["jenis"] == "administrator" and j["atasan"] == org.kepala_bkd.jabatan_id
    per = c.get(f"/api/v1/periode/{org.periode_a.pk}/").json()
    assert per["frekuensi"] == "triwulanan" and per["status"] == "berjalan"
    assert {"id", "instansi", "tahun"} <= set(per)


@pytest.mark.django_db
def test_lists_are_paginated_and_page_size_is_capped_at_200(org):
    c = api(org.admin_a)
    body = c.get("/api/v1/pegawai/?page_size=2").json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 10 and len(body["results"]) == 2 and body["next"]
    body = c.get("/api/v1/pegawai/?page_size=100000").json()
    assert len(body["results"]) == 10  # capped, not refused


@pytest.mark.django_db
def test_filters_narrow_the_list(org):
    c = api(org.admin_a)
    ids = lambda url: {r["id"] for r in c.get(url).json()["results"]}  # noqa: E731
    assert ids(f"/api/v1/pegawai/?unit_kerja={org.unit_bidang.pk}") == {
        org.kabid.pk,
        org.kasubbid.pk,
        org.pegawai.pk,
        org.rekan.pk,
        org.fungsional.pk,
    }
    assert ids(f"/api/v1/pegawai/?nip={org.rekan.nip}") == {org.rekan.pk}
    assert ids(f"/api/v1/pegawai/?pejabat_penilai={org.kasubbid.pk}") == {
        org.pegawai.pk,
        org.rekan.pk,
    }
    assert ids("/api/v1/pegawai/?jenis_asn=pppk") == {org.pegawai.pk}
    assert ids("/api/v1/pegawai/?status=cuti") == set()
    assert ids(f"/api/v1/jabatan/?unit_kerja={org.unit_dinas.pk}") == {
        org.kadis.jabatan_id,
        org.staf_dinas.jabatan_id,
    }
    assert ids(f"/api/v1/unit-kerja/?induk={org.unit_bkd.pk}") == {org.unit_bidang.pk}
    # An id from another instansi matches nothing rather than revealing anything.
    assert ids(f"/api/v1/pegawai/?unit_kerja={org.kepala_b.unit_kerja_id}") == set()


@pytest.mark.django_db
def test_pegawai_list_query_count_does_not_grow_with_rows(org, django_assert_max_num_queries):
    from tests.factories import PegawaiFactory

    c = api(org.admin_a)
    c.get("/api/v1/pegawai/")  # warm the token and actor caches' code paths
    with django_assert_max_num_queries(6) as small:
        c.get("/api/v1/pegawai/?page_size=200")
    PegawaiFactory.create_batch(60, instansi=org.instansi_a, jabatan=org.rekan.jabatan)
    with django_assert_max_num_queries(len(small.captured_queries)):
        body = c.get("/api/v1/pegawai/?page_size=200").json()
    assert body["count"] == 70


@pytest.mark.django_db
def test_admin_upserts_staff_by_nip_and_a_repeat_changes_nothing(org):
    c = api(org.admin_a)
    payload = {
        "nip": NEW,
        "nama": "Paulus Lelo",
        "jenis_asn": "pns",
        "golongan": "iii/b",
        "jabatan": org.rekan.jabatan_id,
    }
    resp = c.post("/api/v1/pegawai/upsert/", payload, format="json")
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["hasil"] == "dibuat" and body["golongan"] == "III/b"
    assert body["unit_kerja"] == org.unit_bidang.pk  # the unit follows the position
    assert body["pejabat_penilai"] == org.kasubbid.pk  # derived right away
    history = Pegawai.history.count()
    again = c.post("/api/v1/pegawai/upsert/", payload, format="json")
    assert again.status_code == 200 and again.json()["hasil"] == "tetap"
    assert Pegawai.history.count() == history
    moved = c.post(
        "/api/v1/pegawai/upsert/", {"nip": NEW, "jabatan": org.fungsional.jabatan_id}, format="json"
    )
    assert moved.json()["hasil"] == "diperbarui"
    assert moved.json()["pejabat_penilai"] == org.kabid.pk
    assert Pegawai.objects.get(nip=NEW).user.username == NEW


@pytest.mark.django_db
def test_upsert_reports_a_wrong_nip_in_indonesian_per_field(org):
    resp = api(org.admin_a).post(
        "/api/v1/pegawai/upsert/",
        {"nip": NEW[:14] + "7" + NEW[15:], "nama": "X", "jenis_asn": "pns"},
        format="json",
    )
    assert resp.status_code == 400
    assert resp.json() == {"nip": ["NIP digit 15 (jenis kelamin) harus 1 atau 2, tertulis '7'."]}
    assert not Pegawai.objects.filter(nama="X").exists()


@pytest.mark.django_db
def test_upsert_cannot_reach_into_another_instansi(org):
    c = api(org.admin_b)
    # A position of instansi A does not exist for B's admin.
    resp = c.post(
        "/api/v1/pegawai/upsert/",
        {"nip": NEW, "nama": "Y", "jenis_asn": "pns", "jabatan": org.rekan.jabatan_id},
        format="json",
    )
    assert resp.status_code == 400 and "jabatan" in resp.json()
    resp = c.post(
        "/api/v1/pegawai/upsert/",
        {"nip": NEW, "nama": "Y", "jenis_asn": "pns", "instansi": org.instansi_a.pk},
        format="json",
    )
    assert resp.status_code == 400 and "instansi" in resp.json()
    # A NIP already in instansi A cannot be taken over.
    resp = c.post(
        "/api/v1/pegawai/upsert/", {"nip": org.rekan.nip, "nama": "Curian"}, format="json"
    )
    assert resp.status_code == 400 and "instansi lain" in resp.json()["nip"][0]
    assert Pegawai.objects.get(pk=org.rekan.pk).nama == "Daniel Tallo"


@pytest.mark.django_db
def test_pejabat_penilai_is_read_only_through_the_api(org):
    c = api(org.admin_a)
    resp = c.post(
        "/api/v1/pegawai/upsert/",
        {"nip": org.pegawai.nip, "pejabat_penilai": org.kepala_bkd.pk},
        format="json",
    )
    assert resp.status_code == 200 and resp.json()["hasil"] == "tetap"
    assert Pegawai.objects.get(pk=org.pegawai.pk).pejabat_penilai_id == org.kasubbid.pk
    assert (
        c.patch(f"/api/v1/pegawai/{org.pegawai.pk}/", {"nama": "Z"}, format="json").status_code
        == 405
    )


@pytest.mark.django_db
def test_schema_is_valid_openapi_with_the_organisation_paths(org, client):
    from drf_spectacular.validation import validate_schema

    resp = client.get("/api/v1/schema/?format=json")
    assert resp.status_code == 200
    schema = json.loads(resp.content)
    validate_schema(schema)
    assert schema["openapi"].startswith("3.")
    for path in (
        "/api/v1/instansi/",
        "/api/v1/unit-kerja/{id}/",
        "/api/v1/jabatan/",
        "/api/v1/pegawai/",
        "/api/v1/pegawai/{id}/",
        "/api/v1/pegawai/upsert/",
        "/api/v1/periode/",
        "/api/v1/auth/token/",
    ):
        assert path in schema["paths"], path
    upsert = schema["paths"]["/api/v1/pegawai/upsert/"]["post"]
    assert "NIP" in upsert["description"] and {"200", "201"} <= set(upsert["responses"])
    pegawai = schema["components"]["schemas"]["Pegawai"]
    assert "pejabat_penilai" in pegawai["properties"]
    assert pegawai["properties"]["pejabat_penilai"].get("readOnly") is True
    ref = pegawai["properties"]["jenis_asn"]["allOf"][0]["$ref"].rsplit("/", 1)[1]
    assert {"pns", "pppk"} <= set(schema["components"]["schemas"][ref]["enum"])


@pytest.mark.django_db
def test_docs_page_loads_with_locally_served_assets(client, settings):
    resp = client.get("/api/v1/docs/")
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn." not in html and "unpkg" not in html
    from django.contrib.staticfiles import finders

    assert finders.find("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")


@pytest.mark.django_db
def test_superuser_upserts_into_a_named_instansi_only(org):
    c = api(org.superuser)
    payload = {"nip": NEW, "nama": "Paulus Lelo", "jenis_asn": "pns"}
    assert c.post("/api/v1/pegawai/upsert/", payload, format="json").status_code == 403
    resp = c.post(
        "/api/v1/pegawai/upsert/", {**payload, "instansi": org.instansi_b.pk}, format="json"
    )
    assert resp.status_code == 201 and resp.json()["instansi"] == org.instansi_b.pk


@pytest.mark.django_db
def test_upsert_refuses_pejabat_negara(org):
    resp = api(org.admin_a).post(
        "/api/v1/pegawai/upsert/",
        {"nip": NEW, "nama": "X", "jenis_asn": "pejabat_negara"},
        format="json",
    )
    assert resp.status_code == 400 and "jenis_asn" in resp.json()
