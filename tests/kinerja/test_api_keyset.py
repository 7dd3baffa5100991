"""Keyset mode of the API's lists (`?cursor=`): page N costs what page 1 costs.

The contract's page numbers stay the default (`count`, `?page=`, `?page_size=` up to 200);
`?cursor=` (empty to start) walks the list by `id` with `next`/`previous` links and `count`
null.
"""

from __future__ import annotations

import base64
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from kinerja.api_base import CURSOR_INVALID
from kinerja.models import Pegawai

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    c = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    c.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return c


def _path(url: str | None) -> str | None:
    if url is None:
        return None
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def walk(c: APIClient, url: str, key: str = "next") -> list[dict]:
    """Follow the links from `url` until there is no more; every page is checked."""
    rows, pages = [], 0
    while url:
        r = c.get(url)
        assert r.status_code == 200, r.content
        body = r.json()
        assert set(body) == {"count", "next", "previous", "results"}
        assert body["count"] is None
        assert "page=" not in (body["next"] or "") + (body["previous"] or "")
        rows.extend(body["results"] if key == "next" else body["results"][::-1])
        url = _path(body[key])
        pages += 1
        assert pages < 100
    return rows


@pytest.fixture
def banyak(org):
    from tests.factories import PegawaiFactory

    PegawaiFactory.create_batch(23, instansi=org.instansi_a, jabatan=org.rekan.jabatan)
    return sorted(Pegawai.objects.filter(instansi=org.instansi_a).values_list("pk", flat=True))


def test_cursor_traversal_returns_every_row_once_forward_and_back(org, banyak):
    c = api(org.admin_a)
    maju = walk(c, "/api/v1/pegawai/?cursor=&page_size=4")
    assert [r["id"] for r in maju] == banyak  # every row once, in id order
    # The same fields as page-number mode.
    halaman = c.get("/api/v1/pegawai/?page_size=200").json()
    assert halaman["count"] == len(banyak)
    assert {r["id"]: r for r in halaman["results"]} == {r["id"]: r for r in maju}
    # From the last page back to the first through `previous`: every row once, in order.
    r = c.get("/api/v1/pegawai/?cursor=&page_size=4").json()
    while r["next"]:
        r = c.get(_path(r["next"])).json()
    pages = [r["results"]]
    while r["previous"]:
        r = c.get(_path(r["previous"])).json()
        assert r["count"] is None and r["next"]
        pages.append(r["results"])
    assert [x["id"] for page in reversed(pages) for x in page] == banyak


def test_cursor_mode_keeps_filters_and_the_scope(org, banyak):
    c = api(org.admin_a)
    rows = walk(c, f"/api/v1/pegawai/?cursor=&page_size=2&unit_kerja={org.unit_bidang.pk}")
    unit = set(Pegawai.objects.filter(unit_kerja=org.unit_bidang).values_list("pk", flat=True))
    assert {org.kabid.pk, org.pegawai.pk} <= unit < set(banyak)
    assert [r["id"] for r in rows] == sorted(unit)
    # Another instansi's staff never appear, whatever the cursor says.
    lain = Pegawai.objects.filter(instansi=org.instansi_b).order_by("pk").first()
    token = base64.urlsafe_b64encode(f"a:{lain.pk - 1}".encode()).decode().rstrip("=")
    ids = {r["id"] for r in walk(c, f"/api/v1/pegawai/?cursor={token}&page_size=50")}
    assert not ids & set(
        Pegawai.objects.filter(instansi=org.instansi_b).values_list("pk", flat=True)
    )


def _queries(c: APIClient, url: str) -> tuple[list[str], dict]:
    with CaptureQueriesContext(connection) as ctx:
        r = c.get(url)
    assert r.status_code == 200
    return [q["sql"] for q in ctx.captured_queries], r.json()


def test_deep_page_costs_the_same_queries_as_the_first(org, banyak):
    c = api(org.admin_a)
    c.get("/api/v1/pegawai/?cursor=")  # warm per-process caches
    first_sql, body = _queries(c, "/api/v1/pegawai/?cursor=&page_size=3")
    url = _path(body["next"])
    for _ in range(5):  # five pages deep
        url = _path(c.get(url).json()["next"])
    deep_sql, deep = _queries(c, url)
    assert len(deep["results"]) == 3
    assert len(deep_sql) == len(first_sql)
    rows_sql = deep_sql[-1].upper()
    # No COUNT over the list and no OFFSET that grows with the page: WHERE id > x LIMIT n.
    assert not any("COUNT(" in q.upper() for q in deep_sql)
    assert "OFFSET" not in rows_sql and "LIMIT 4" in rows_sql
    assert '"KINERJA_PEGAWAI"."ID" >' in rows_sql
    # Page numbers, by contrast, count and skip.
    _sql, numbered = _queries(c, "/api/v1/pegawai/?page=3&page_size=3")
    assert numbered["count"] == len(banyak)
    assert any("OFFSET" in q.upper() for q in _sql)


@pytest.mark.parametrize(
    "cursor",
    [
        "bukan-kursor",
        "%%%",
        base64.urlsafe_b64encode(b"x:12").decode(),
        base64.urlsafe_b64encode(b"a:-1").decode(),
        base64.urlsafe_b64encode(b"a:12abc").decode(),
        base64.urlsafe_b64encode(b"a:" + b"9" * 30).decode(),
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),
        "YTox====x",
    ],
)
def test_invalid_cursor_is_a_400_in_bahasa_indonesia(org, cursor):
    r = api(org.admin_a).get("/api/v1/pegawai/", {"cursor": cursor})
    assert r.status_code == 400
    assert r.json() == {"cursor": [CURSOR_INVALID]}
    assert CURSOR_INVALID.startswith("Kursor tidak valid")


def test_cursor_mode_on_the_evaluasi_and_skp_lists(org):
    from evaluasi.models import Evaluasi
    from skp.models import SKP

    staf = list(Pegawai.objects.filter(instansi=org.instansi_a).order_by("pk"))
    for p in staf:
        SKP.objects.create(pegawai=p, periode=org.periode_a, versi=1, status=SKP.Status.DRAFT)
        Evaluasi.objects.create(pegawai=p, periode=org.periode_a, jenis="tahunan")
        for urutan in (1, 2):
            Evaluasi.objects.create(
                pegawai=p, periode=org.periode_a, jenis="periodik", urutan=urutan
            )
    c = api(org.admin_a)
    for url, n in (
        ("/api/v1/evaluasi/?cursor=&page_size=4", 3 * len(staf)),
        ("/api/v1/skp/?cursor=&page_size=4", len(staf)),
    ):
        rows = walk(c, url)
        ids = [r["id"] for r in rows]
        assert len(ids) == n and ids == sorted(set(ids)), url
        assert c.get(url.replace("cursor=&", "")).json()["count"] == n


def test_schema_documents_the_cursor_and_a_nullable_count(org, client):
    import json

    schema = json.loads(client.get("/api/v1/schema/?format=json").content)
    op = schema["paths"]["/api/v1/pegawai/"]["get"]
    names = {p["name"] for p in op["parameters"]}
    assert {"page", "page_size", "cursor"} <= names
    page = schema["components"]["schemas"]["PaginatedPegawaiList"]
    assert page["properties"]["count"]["nullable"] is True
    assert "cursor" in schema["info"]["description"]


def test_next_link_is_opaque_and_drops_the_page_number(org, banyak):
    body = api(org.admin_a).get("/api/v1/pegawai/?page=2&cursor=&page_size=5").json()
    q = parse_qs(urlsplit(body["next"]).query)
    assert "page" not in q and q["page_size"] == ["5"]
    assert base64.urlsafe_b64decode(q["cursor"][0] + "==").decode() == (
        f"a:{body['results'][-1]['id']}"
    )
    assert body["previous"] is None


def test_an_index_serves_the_keyset_order_within_an_instansi():
    # An admin's list is WHERE instansi_id = x AND id > last ORDER BY id LIMIT n: with the
    # (instansi, id) index it reads n entries on any page (without it, every row of the
    # instansi is sorted for each page).
    with connection.cursor() as cur:
        cons = connection.introspection.get_constraints(cur, "kinerja_pegawai")
    assert any(c["index"] and c["columns"] == ["instansi_id", "id"] for c in cons.values())
