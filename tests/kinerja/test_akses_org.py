"""Access matrix of the organisation resources: persona x method x url -> expected status.

Personas (tests/personas.py): the pegawai, her penilai (kasubbid), a colleague (rekan), an
official of another unit (kadis), the admin of her instansi (admin_a), the admin of another
instansi (admin_b), a pegawai of another instansi (pegawai_b), the superuser, and anonymous.
Another instansi's objects are 404 (ids reveal nothing); visible but not allowed is 403.
"""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

PERSONAS = [
    "pegawai",
    "kasubbid",
    "rekan",
    "kadis",
    "admin_a",
    "admin_b",
    "pegawai_b",
    "superuser",
    "anonim",
]


def urls(org) -> dict[str, str]:
    return {
        "instansi_a": f"/api/v1/instansi/{org.instansi_a.pk}/",
        "unit_a": f"/api/v1/unit-kerja/{org.unit_bidang.pk}/",
        "jabatan_a": f"/api/v1/jabatan/{org.pegawai.jabatan_id}/",
        "pegawai_a": f"/api/v1/pegawai/{org.pegawai.pk}/",
        "periode_a": f"/api/v1/periode/{org.periode_a.pk}/",
        "pegawai_b": f"/api/v1/pegawai/{org.pegawai_b.pk}/",
        "upsert": "/api/v1/pegawai/upsert/",
        "impor": "/organisasi/impor/",
        "organisasi": "/organisasi/",
        "admin_pegawai_a": f"/admin/kinerja/pegawai/{org.pegawai.pk}/change/",
        "admin_unit_a": f"/admin/kinerja/unitkerja/{org.unit_bidang.pk}/change/",
        "admin_index": "/admin/",
    }


A_READ = {
    "pegawai": 200,
    "kasubbid": 200,
    "rekan": 200,
    "kadis": 200,
    "admin_a": 200,
    "admin_b": 404,
    "pegawai_b": 404,
    "superuser": 200,
    "anonim": 401,
}
B_READ = {
    "pegawai": 404,
    "kasubbid": 404,
    "rekan": 404,
    "kadis": 404,
    "admin_a": 404,
    "admin_b": 200,
    "pegawai_b": 200,
    "superuser": 200,
    "anonim": 401,
}
# The upsert body names a NIP in instansi A: only A's admin may write it; B's admin gets 400
# (the NIP belongs elsewhere), plain pegawai 403.
UPSERT = {
    "pegawai": 403,
    "kasubbid": 403,
    "rekan": 403,
    "kadis": 403,
    "admin_a": 200,
    "admin_b": 400,
    "pegawai_b": 403,
    "superuser": 403,
    "anonim": 401,
}
IMPOR = {
    "pegawai": 403,
    "kasubbid": 403,
    "rekan": 403,
    "kadis": 403,
    "admin_a": 200,
    "admin_b": 200,
    "pegawai_b": 403,
    "superuser": 403,
    "anonim": 302,
}
ORGANISASI = {
    "pegawai": 302,
    "kasubbid": 302,
    "rekan": 302,
    "kadis": 302,
    "admin_a": 200,
    "admin_b": 200,
    "pegawai_b": 302,
    "superuser": 200,
    "anonim": 302,
}
# The API has no PUT/DELETE on the organisation: 405 before any lookup, so it reveals nothing.
# Django admin: only staff admins; a foreign object is "not found" (admin redirects to index).
ADMIN_OBJ_A = {
    "pegawai": 302,
    "kasubbid": 302,
    "rekan": 302,
    "kadis": 302,
    "admin_a": 200,
    "admin_b": 302,
    "pegawai_b": 302,
    "superuser": 200,
    "anonim": 302,
}
ADMIN_INDEX = {
    "pegawai": 302,
    "kasubbid": 302,
    "rekan": 302,
    "kadis": 302,
    "admin_a": 200,
    "admin_b": 200,
    "pegawai_b": 302,
    "superuser": 200,
    "anonim": 302,
}

MATRIX = [
    *[
        ("GET", key, persona, table[persona])
        for key, table in [
            ("instansi_a", A_READ),
            ("unit_a", A_READ),
            ("jabatan_a", A_READ),
            ("pegawai_a", A_READ),
            ("periode_a", A_READ),
            ("pegawai_b", B_READ),
            ("impor", IMPOR),
            ("organisasi", ORGANISASI),
            ("admin_pegawai_a", ADMIN_OBJ_A),
            ("admin_unit_a", ADMIN_OBJ_A),
            ("admin_index", ADMIN_INDEX),
        ]
        for persona in PERSONAS
    ],
    *[("POST", "upsert", persona, UPSERT[persona]) for persona in PERSONAS],
    *[
        (
            "PUT",
            "pegawai_a",
            persona,
            {"anonim": 401}.get(persona, 405),
        )
        for persona in PERSONAS
    ],
    *[
        (
            "DELETE",
            "unit_a",
            persona,
            {"anonim": 401}.get(persona, 405),
        )
        for persona in PERSONAS
    ],
]


def _client(org, persona: str, api: bool):
    if persona == "anonim":
        return APIClient()
    user = org.user(persona)
    if persona.startswith("admin_"):
        user.is_staff = True  # admin BKD users are staff (see demo); the policy does the rest
        user.save(update_fields=["is_staff"])
    c = APIClient()
    if api:
        token, _ = Token.objects.get_or_create(user=user)
        c.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    else:
        c.force_login(user)
    return c


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "key", "persona", "expected"), MATRIX, ids=[f"{m}-{k}-{p}" for m, k, p, _ in MATRIX]
)
def test_access_matrix(org, method, key, persona, expected):
    url = urls(org)[key]
    c = _client(org, persona, api=url.startswith("/api/"))
    body = {"nip": org.pegawai.nip, "nama": org.pegawai.nama} if key == "upsert" else {}
    resp = getattr(c, method.lower())(url, body, format="json") if method != "GET" else c.get(url)
    assert resp.status_code == expected, resp.content[:300]


@pytest.mark.django_db
@pytest.mark.parametrize("resource", ["instansi", "unit-kerja", "jabatan", "pegawai", "periode"])
def test_lists_never_cross_instansi(org, resource):
    from kinerja.models import Instansi, Jabatan, Pegawai, Periode, UnitKerja

    model = {
        "instansi": Instansi,
        "unit-kerja": UnitKerja,
        "jabatan": Jabatan,
        "pegawai": Pegawai,
        "periode": Periode,
    }[resource]
    path = {Instansi: "pk", Jabatan: "unit_kerja__instansi_id"}.get(model, "instansi_id")
    for persona, instansi in [
        ("admin_b", org.instansi_b),
        ("pegawai", org.instansi_a),
        ("pegawai_b", org.instansi_b),
    ]:
        c = _client(org, persona, api=True)
        got = {r["id"] for r in c.get(f"/api/v1/{resource}/?page_size=200").json()["results"]}
        mine = set(model.objects.filter(**{path: instansi.pk}).values_list("id", flat=True))
        assert got == mine, (persona, resource)
    c = _client(org, "superuser", api=True)
    assert c.get(f"/api/v1/{resource}/").json()["count"] == model.objects.count()


@pytest.mark.django_db
def test_admin_changelist_of_another_instansi_is_empty_of_our_people(org):
    c = _client(org, "admin_b", api=False)
    html = c.get("/admin/kinerja/pegawai/").content.decode()
    assert org.pegawai_b.nama in html
    assert org.pegawai.nama not in html and org.kasubbid.nama not in html
    html = c.get(f"/admin/kinerja/pegawai/?q={org.pegawai.nip}").content.decode()
    assert org.pegawai.nama not in html
