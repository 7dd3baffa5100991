"""The pegawai list's rows written as JSON by PostgreSQL (kinerja.api_base.BarisJson) give the
same bytes as the serializer and JSONRenderer: every mode (page numbers, cursor, diubah_sejak),
filters, first/middle/last page, an empty instansi, a 500-row instansi, awkward text, nulls and
times in several time zones. The serializer path is the oracle (`json_polos` switched off); a
second oracle renders model rows through PegawaiSerializer directly."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.renderers import JSONRenderer

import kinerja.api as api_mod
from kinerja.api import PegawaiSerializer
from kinerja.models import Instansi, Pegawai, User

pytestmark = pytest.mark.django_db

ANEH = [
    'Kutip "ganda" dan \\ garis miring',
    "Baris\nbaru\ttab\rCR\bBS\fFF",
    "Kendali \x01\x02\x1f\x7f akhir",
    "Pemisah \u2028 baris \u2029 paragraf",
    "Dengan aksen é ñ ü — dan 中文 serta 😀",
    "  spasi di tepi  ",
    "</script><b>&amp;</b>",
]


@pytest.fixture(autouse=True)
def _postgres():
    if connection.vendor != "postgresql":
        pytest.skip("BarisJson is PostgreSQL's")


def _get(client, url: str, **extra):
    r = client.get(url, **extra)
    return r.status_code, r.content, r.get("Content-Type"), r.get("ETag")


def _kedua(client, url: str, monkeypatch, **extra):
    """(fast, serializer) answers to the same request."""
    cepat = _get(client, url, **extra)
    with monkeypatch.context() as m:
        m.setattr(api_mod, "json_polos", lambda *a: False)
        lama = _get(client, url, **extra)
    return cepat, lama


def _ikuti(client, url: str, monkeypatch) -> int:
    """Follow `next` from url in both ways, comparing each page; the number of pages."""
    import json

    n = 0
    while url:
        cepat, lama = _kedua(client, url, monkeypatch)
        assert cepat == lama, url
        assert cepat[0] == 200
        n += 1
        url = json.loads(cepat[1])["next"]
    return n


@pytest.fixture
def banyak(org):
    """A fourth instansi with 500 pegawai: awkward names, nulls, varied times."""
    inst = Instansi.objects.create(kode="T500", nama="Kabupaten Lima Ratus", jenis="daerah")
    rows = []
    for i in range(500):
        rows.append(
            Pegawai(
                instansi=inst,
                nip=None if i % 7 == 0 else f"1990010120200{i:05d}",
                nama=ANEH[i % len(ANEH)] + f" {i:03d}" if i % 5 == 0 else f"Pegawai {i % 37:02d}",
                jenis_asn="pppk" if i % 3 == 0 else "pns",
                golongan="" if i % 4 == 0 else "III/a",
                unit_kerja=org.unit_bkd if i % 2 else None,
                jabatan=org.rekan.jabatan if i % 6 == 1 else None,
                status="cuti" if i % 11 == 0 else "aktif",
            )
        )
    Pegawai.objects.bulk_create(rows)
    pks = list(Pegawai.objects.filter(instansi=inst).order_by("pk").values_list("pk", flat=True))
    utc = dt.UTC
    waktu = [
        dt.datetime(2026, 1, 15, 3, 4, 5, 123456, tzinfo=utc),
        dt.datetime(2026, 7, 1, 12, 0, 0, 0, tzinfo=utc),  # no microseconds
        dt.datetime(2026, 3, 8, 6, 59, 59, 999999, tzinfo=utc),  # around a DST change
        dt.datetime(2026, 11, 1, 5, 30, 0, 10, tzinfo=utc),
        dt.datetime(1900, 6, 1, 0, 0, 0, 500000, tzinfo=utc),  # local mean time: +07:07:12
        dt.datetime(2025, 12, 31, 17, 0, 0, 0, tzinfo=utc),  # local midnight in Jakarta
    ]
    for k, w in enumerate(waktu):
        Pegawai.objects.filter(pk__in=pks[k :: len(waktu)]).update(diubah=w)
    # penilai in the same instansi (ids in the rows) for some
    Pegawai.objects.filter(pk__in=pks[1::9]).update(
        pejabat_penilai_id=pks[0], atasan_pejabat_penilai_id=pks[2]
    )
    admin = User.objects.create_user(username="admin500", password="x", admin_instansi=inst)
    return inst, admin


def test_rows_come_as_json_text_from_postgresql_not_through_the_serializer(
    org, client_as, monkeypatch
):
    # Fails on the old code: the serializer turned every row into a dict.
    def dilarang(*a, **k):
        raise AssertionError("serializer per baris dipanggil")

    c = client_as(org.admin_a)
    with monkeypatch.context() as m:
        m.setattr(PegawaiSerializer, "to_representation", dilarang)
        with CaptureQueriesContext(connection) as ctx:
            r = c.get("/api/v1/pegawai/?page_size=200")
    assert r.status_code == 200
    page = [q["sql"] for q in ctx.captured_queries if 'FROM "kinerja_pegawai"' in q["sql"]]
    assert any("to_json(" in q and "LIMIT" in q for q in page), page
    # The rows' time column is not read as a timestamptz: it is inside the text.
    assert not any('"kinerja_pegawai"."diubah" AS' in q for q in page), page
    assert r.json()["results"][0]["id"]


def test_no_filterset_is_built_when_no_filter_is_asked(org, client_as, monkeypatch):
    # Fails on the old code: django-filter built (deep-copied) the FilterSet on every list.
    dibuat = []
    asli = api_mod.PegawaiFilter.__init__

    def catat(self, *a, **k):
        dibuat.append(1)
        asli(self, *a, **k)

    monkeypatch.setattr(api_mod.PegawaiFilter, "__init__", catat)
    c = client_as(org.admin_a)
    assert c.get("/api/v1/pegawai/?page_size=200&page=1").status_code == 200
    assert c.get("/api/v1/pegawai/?cursor=").status_code == 200
    assert dibuat == []
    semua = c.get("/api/v1/pegawai/?page_size=200").json()["count"]
    r = c.get("/api/v1/pegawai/?status=cuti")
    assert r.status_code == 200 and dibuat == [1]
    assert r.json()["count"] < semua
    assert c.get("/api/v1/pegawai/?status=bukan").status_code == 400  # still validated


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?page_size=200",
        "?page_size=3&page=2",
        "?page_size=3&page=last",
        "?nama=pegawai",
        "?status=aktif&jenis_asn=pns",
        "?jenis_asn=pppk",
        "?page=999",
        "?page=abc",
        "?page_size=0",
        "?format=json",
    ],
)
def test_persona_org_pages_are_byte_identical(org, client_as, monkeypatch, query):
    c = client_as(org.admin_a)
    cepat, lama = _kedua(c, f"/api/v1/pegawai/{query}", monkeypatch)
    assert cepat == lama


def test_500_rows_every_page_and_mode_byte_identical(banyak, client_as, monkeypatch):
    _inst, admin = banyak
    c = client_as(admin)
    assert _ikuti(c, "/api/v1/pegawai/?page_size=200", monkeypatch) == 3  # 200, 200, 100
    assert _ikuti(c, "/api/v1/pegawai/?page_size=7&page=70", monkeypatch) == 3  # 70, 71, 72 (last)
    assert _ikuti(c, "/api/v1/pegawai/?cursor=&page_size=200", monkeypatch) == 3
    assert _ikuti(c, "/api/v1/pegawai/?diubah_sejak=1900-01-01&page_size=150", monkeypatch) == 4
    assert _ikuti(c, "/api/v1/pegawai/?status=cuti&page_size=20", monkeypatch) == 3
    assert _ikuti(c, "/api/v1/pegawai/?nama=kutip", monkeypatch) == 1
    # cursor backwards: the previous link of a later page
    import json

    page2 = json.loads(c.get("/api/v1/pegawai/?cursor=&page_size=200").content)["next"]
    page3 = json.loads(c.get(page2).content)["next"]
    kembali = json.loads(c.get(page3).content)["previous"]
    cepat, lama = _kedua(c, kembali, monkeypatch)
    assert cepat == lama and json.loads(cepat[1])["results"]


def test_page_equals_the_serializer_on_model_rows(banyak, client_as):
    # The second oracle: model instances through PegawaiSerializer, rendered by JSONRenderer.
    inst, admin = banyak
    got = client_as(admin).get("/api/v1/pegawai/?page_size=200&page=2").content
    rows = Pegawai.objects.filter(instansi=inst).order_by("nama", "id")[200:400]
    want = JSONRenderer().render(
        {
            "count": 500,
            "next": "http://testserver/api/v1/pegawai/?page=3&page_size=200",
            "previous": "http://testserver/api/v1/pegawai/?page_size=200",
            "results": [PegawaiSerializer(p).data for p in rows],
        }
    )
    assert got == want
    body = client_as(admin).get("/api/v1/pegawai/?nama=pemisah&page_size=200").content
    assert b"\\u2028" in body and "\u2028".encode() not in body


@pytest.mark.parametrize(
    "zona", ["Asia/Jakarta", "UTC", "America/New_York", "Asia/Kolkata", "America/St_Johns"]
)
def test_times_in_each_time_zone_byte_identical(banyak, client_as, monkeypatch, zona):
    _inst, admin = banyak
    c = client_as(admin)
    with timezone.override(zoneinfo.ZoneInfo(zona)):
        assert _ikuti(c, "/api/v1/pegawai/?page_size=200", monkeypatch) == 3


def test_a_zone_without_a_name_goes_through_the_serializer(banyak, client_as, monkeypatch):
    _inst, admin = banyak
    c = client_as(admin)
    with (
        timezone.override(dt.timezone(dt.timedelta(hours=7))),
        CaptureQueriesContext(connection) as ctx,
    ):
        cepat, lama = _kedua(c, "/api/v1/pegawai/?page_size=200", monkeypatch)
    assert cepat == lama
    assert not any("to_json(" in q["sql"] for q in ctx.captured_queries)


def test_other_renderings_keep_the_serializer(org, client_as, monkeypatch):
    c = client_as(org.admin_a)
    pretty = c.get("/api/v1/pegawai/", HTTP_ACCEPT="application/json; indent=4")
    assert pretty.status_code == 200 and b'\n    "count"' in pretty.content
    cepat, lama = _kedua(
        c, "/api/v1/pegawai/", monkeypatch, HTTP_ACCEPT="application/json; indent=4"
    )
    assert cepat == lama
    html = c.get("/api/v1/pegawai/?format=api")
    assert html.status_code == 200 and b"<html" in html.content.lower()


def test_an_empty_instansi_is_an_empty_page(org, client_as, monkeypatch):
    inst = Instansi.objects.create(kode="T000", nama="Kabupaten Kosong", jenis="daerah")
    admin = User.objects.create_user(username="adminkosong", password="x", admin_instansi=inst)
    c = client_as(admin)
    for url in ("/api/v1/pegawai/?page_size=200", "/api/v1/pegawai/?cursor=", "/api/v1/pegawai/"):
        cepat, lama = _kedua(c, url, monkeypatch)
        assert cepat == lama
        assert b'"results":[]' in cepat[1]
    assert c.get("/api/v1/pegawai/").json()["count"] == 0


def test_query_count_is_the_same_for_5_and_500_rows(org, banyak, client_as):
    inst, admin = banyak
    c = client_as(admin)
    c.get("/api/v1/pegawai/?page_size=5")
    with CaptureQueriesContext(connection) as kecil:
        assert len(c.get("/api/v1/pegawai/?page_size=5").json()["results"]) == 5
    with CaptureQueriesContext(connection) as besar:
        r = c.get("/api/v1/pegawai/?page_size=200&page=2")
    assert len(r.json()["results"]) == 200
    assert len(kecil.captured_queries) == len(besar.captured_queries)


def test_other_instansi_and_the_unauthenticated_see_nothing(org, banyak, client_as, client):
    inst, _admin = banyak
    # Another instansi's admin: none of these rows, even when asking for them by instansi.
    c = client_as(org.admin_b)
    r = c.get(f"/api/v1/pegawai/?instansi={inst.pk}&page_size=200")
    assert r.status_code == 200 and r.json() == {
        "count": 0,
        "next": None,
        "previous": None,
        "results": [],
    }
    ids = {p["id"] for p in c.get("/api/v1/pegawai/?page_size=200").json()["results"]}
    assert ids and not ids & set(Pegawai.objects.filter(instansi=inst).values_list("pk", flat=True))
    assert ids <= set(Pegawai.objects.filter(instansi=org.instansi_b).values_list("pk", flat=True))
    # A user with no instansi and no admin role: the policy's scope is empty, nothing is read.
    nobody = User.objects.create_user(username="tanpaperan", password="x")
    with CaptureQueriesContext(connection) as ctx:
        r = client_as(nobody).get("/api/v1/pegawai/?page_size=200")
    assert r.status_code == 200 and r.json()["count"] == 0
    assert not any('FROM "kinerja_pegawai"' in q["sql"] for q in ctx.captured_queries)
    # Not signed in: refused before any pegawai row is read.
    client.logout()
    with CaptureQueriesContext(connection) as ctx:
        r = client.get("/api/v1/pegawai/?page_size=200")
    assert r.status_code in (401, 403)
    assert not any('FROM "kinerja_pegawai"' in q["sql"] for q in ctx.captured_queries)


@pytest.mark.parametrize(
    "zona",
    [
        "Asia/Jakarta",
        "Asia/Makassar",
        "Asia/Jayapura",
        "UTC",
        "America/New_York",
        "America/St_Johns",  # -03:30, and -03:30:52 local mean time
        "Europe/Dublin",  # -00:25:21: a negative offset under one hour
        "Africa/Monrovia",  # -00:44:30
        "Pacific/Chatham",  # +12:45 / +13:45
        "Australia/Lord_Howe",  # half-hour summer time
        "Asia/Kathmandu",  # +05:45
        "Etc/GMT+12",
    ],
)
def test_time_text_equals_drf_datetime_field(zona):
    # Every year, season, hour and microsecond case against DRF's own DateTimeField.
    from rest_framework.fields import DateTimeField

    from kinerja.api_base import WAKTU, _sql_baris

    times = [
        dt.datetime(y, m, 15, h, 7, 9, us, tzinfo=dt.UTC)
        for y in (1850, 1900, 1915, 1950, 1972, 2000, 2026)
        for m in (1, 7)
        for h in (0, 13)
        for us in (0, 5, 999999)
    ]
    with timezone.override(zoneinfo.ZoneInfo(zona)):
        want = [DateTimeField().to_representation(t) for t in times]
    sql = _sql_baris((("w", "x", WAKTU),), zona)
    with connection.cursor() as c:
        got = []
        for t in times:
            c.execute(f"SELECT {sql} FROM (SELECT %s::timestamptz AS x) s", [t])
            got.append(c.fetchone()[0])
    assert got == ['{"w":"' + w + '"}' for w in want]


def test_page_and_its_count_are_one_statement(banyak, client_as, monkeypatch):
    # Fails on the old code: a COUNT statement, then the page.
    inst, admin = banyak
    c = client_as(admin)
    for query, want in [
        ("?page_size=200&page=2", 500),
        ("?status=cuti&page_size=5", Pegawai.objects.filter(instansi=inst, status="cuti").count()),
        ("?nama=pegawai%2001&jenis_asn=pns", None),
    ]:
        with CaptureQueriesContext(connection) as ctx:
            r = c.get(f"/api/v1/pegawai/{query}")
        sql = [q["sql"] for q in ctx.captured_queries if '"kinerja_pegawai"' in q["sql"]]
        sql = [q for q in sql if not q.startswith('SELECT "kinerja_user"')]
        assert len(sql) == 1 and "(SELECT COUNT(*) FROM" in sql[0], sql
        if want is not None:
            assert r.json()["count"] == want
        cepat, lama = _kedua(c, f"/api/v1/pegawai/{query}", monkeypatch)
        assert cepat == lama


def test_superuser_counts_every_pegawai(org, banyak, client_as, monkeypatch):
    # No WHERE at all (the policy's scope is everything): the count is the table's.
    c = client_as(org.superuser)
    cepat, lama = _kedua(c, "/api/v1/pegawai/?page_size=200&page=2", monkeypatch)
    assert cepat == lama
    assert c.get("/api/v1/pegawai/").json()["count"] == Pegawai.objects.count()


def test_count_column_refuses_a_join():
    from django.db import NotSupportedError

    from kinerja.api_base import JumlahSemua

    qs = Pegawai.objects.filter(unit_kerja__nama="x").annotate(n=JumlahSemua())
    with pytest.raises(NotSupportedError):
        list(qs)
    distinct = Pegawai.objects.distinct().annotate(n=JumlahSemua())
    with pytest.raises(NotSupportedError):
        list(distinct)


@pytest.mark.parametrize(
    "resource",
    [
        "instansi",
        "unit-kerja",
        "jabatan",
        "periode",
        "skp",
        "rencana-hasil-kerja",
        "matriks-peran-hasil",
        "kinerja-organisasi",
        "evaluasi",
        "keberatan",
        "umpan-balik",
        "penugasan",
        "notifikasi",
        "mutasi",
        "token-integrasi",
        "siasn/kiriman",
        "perubahan",
    ],
)
def test_other_lists_without_filters_are_unchanged(org, client_as, monkeypatch, resource):
    # The FilterSet is skipped on every list when no filter is asked: the same bytes.
    from kinerja.api_base import PolicyScopedMixin

    for user in (org.admin_a, org.kasubbid.user):
        c = client_as(user)
        for query in ("", "?page_size=2", "?cursor="):
            url = f"/api/v1/{resource}/{query}"
            cepat = _get(c, url)
            with monkeypatch.context() as m:
                m.setattr(PolicyScopedMixin, "_tanpa_saringan", lambda self: False)
                lama = _get(c, url)
            assert cepat == lama, url


# --- the page statement written around the queryset's WHERE (kinerja.api_base.HalamanJson) -----
def test_page_numbers_do_not_compile_an_orm_select_of_pegawai(banyak, client_as, monkeypatch):
    # Fails on the old code: the annotated values_list was built and compiled by the ORM for
    # every page (about 1 ms of the request's Python at 200 rows).
    from django.db.models.sql.compiler import SQLCompiler

    inst, admin = banyak
    c = client_as(admin)
    dikompilasi = []
    asli = SQLCompiler.as_sql

    def catat(self, *a, **k):
        if self.query.model is Pegawai:
            dikompilasi.append(self.query)
        return asli(self, *a, **k)

    monkeypatch.setattr(SQLCompiler, "as_sql", catat)
    for query in ("?page_size=200", "?page_size=200&page=2", "?status=cuti&nama=pegawai"):
        r = c.get(f"/api/v1/pegawai/{query}")
        assert r.status_code == 200 and r.json()["results"], query
    assert dikompilasi == []
    monkeypatch.setattr(SQLCompiler, "as_sql", asli)
    # The same bytes as the serializer for a page past the middle, the last page and filters.
    for query in (
        "?page_size=200&page=3",
        "?page=last",
        "?nama=%22ganda%22",
        "?page_size=7&page=9",
    ):
        cepat, lama = _kedua(c, f"/api/v1/pegawai/{query}", monkeypatch)
        assert cepat == lama, query


def _halaman(qs, zona: str = "Asia/Jakarta"):
    from kinerja.api import _KOLOM_JSON
    from kinerja.api_base import HalamanJson

    return HalamanJson(qs, _KOLOM_JSON, zona)


@pytest.mark.parametrize("zona", ["Asia/Jakarta", "UTC", "America/St_Johns"])
def test_the_written_statement_reads_the_orm_statements_rows(banyak, org, zona):
    inst, _admin = banyak
    base = Pegawai.objects.order_by("nama", "id")
    for qs in (
        base.filter(instansi_id__in={inst.pk}),
        base.filter(instansi_id__in={inst.pk, org.instansi_a.pk}, nama__icontains="pegawai 0"),
        base.filter(instansi=inst, status="cuti"),
        Pegawai.objects.order_by("-diubah", "pk").filter(instansi=inst),
        base,  # no WHERE (the superuser's scope)
        base.filter(instansi=inst, nama__icontains="tidak ada"),
    ):
        h = _halaman(qs, zona)
        for offset, limit in ((0, 200), (200, 200), (490, 50), (0, 1)):
            want = [tuple(r) for r in h.orm()[offset : offset + limit]]
            assert h.ambil(offset, limit) == want, (str(qs.query), offset)


def test_an_empty_scope_reads_nothing(org):
    with CaptureQueriesContext(connection) as ctx:
        assert _halaman(Pegawai.objects.order_by("nama", "id").filter(pk__in=[])).ambil(0, 50) == []
    assert ctx.captured_queries == []


def test_what_the_statement_cannot_write_goes_through_the_orm(banyak, org):
    inst, _admin = banyak
    base = Pegawai.objects.filter(instansi=inst)
    for qs in (
        base.filter(unit_kerja__nama="x").order_by("nama"),  # a join
        base.order_by("unit_kerja__nama", "id"),  # ordered by another table
        base.order_by("nama").distinct(),
        base.order_by("nama").reverse(),
        base.order_by("nama")[:10],
        base,  # no ordering
        base.order_by("nama").annotate(n=Count("id")),
    ):
        assert _halaman(qs).ambil(0, 50) is None, str(qs.query)


def test_pegawai_and_penilai_see_their_instansi_only(org, banyak, client_as, monkeypatch):
    inst, _admin = banyak
    for persona in (org.pegawai, org.kabid, org.pegawai_b):
        c = client_as(persona.user)
        cepat, lama = _kedua(c, "/api/v1/pegawai/?page_size=200", monkeypatch)
        assert cepat == lama
        ids = {p["id"] for p in c.get("/api/v1/pegawai/?page_size=200").json()["results"]}
        mine = set(Pegawai.objects.filter(instansi=persona.instansi).values_list("pk", flat=True))
        assert persona.pk in ids and ids <= mine
        r = c.get(f"/api/v1/pegawai/?instansi={inst.pk}")
        assert r.json()["count"] == 0


def test_an_ordering_expression_goes_through_the_orm(banyak):
    from django.db.models import F

    inst, _admin = banyak
    qs = Pegawai.objects.filter(instansi=inst).order_by(F("nama").desc(), "id")
    h = _halaman(qs)
    assert h.ambil(0, 50) is None
    assert len(h.orm()[:50]) == 50


def _disiapkan() -> list[str]:
    """The statements this connection has prepared (psycopg, kinerja.db_siap)."""
    with connection.cursor() as cur:
        cur.execute("SELECT statement FROM pg_prepared_statements")
        return [s for (s,) in cur.fetchall()]


@pytest.mark.parametrize(
    "query", ["?page_size=200", "?page_size=200&page=2", "?nama=pegawai&page_size=7&page=2"]
)
def test_the_page_statement_is_prepared_and_stays_byte_identical(
    banyak, client_as, monkeypatch, query
):
    # Fails on the old code: the page's statement went through Django's client-side cursor,
    # planned on every request, never prepared. Prepared (after five runs on the connection),
    # the page is still the serializer's, byte for byte.
    _inst, admin = banyak
    c = client_as(admin)
    for _ in range(7):
        cepat, lama = _kedua(c, f"/api/v1/pegawai/{query}", monkeypatch)
        assert cepat == lama and cepat[0] == 200
    halaman = [s for s in _disiapkan() if "baris_json" in s and "kinerja_pegawai" in s]
    assert halaman, _disiapkan()


def test_the_ordered_reads_have_their_indexes():
    # kinerja 0014_api_indeks_urut: the pegawai list in (nama, id) order with its columns (an
    # index-only scan whatever the plan), the distribution page's units in (nama, id) order.
    with connection.cursor() as cur:
        cur.execute(
            "SELECT indexname, indexdef FROM pg_indexes "
            "WHERE indexname IN ('api_pegawai_daftar', 'api_unitkerja_urut')"
        )
        got = dict(cur.fetchall())
    assert (
        "(instansi_id, nama, id) INCLUDE (nip, jenis_asn, golongan, jabatan_id,"
        in (got["api_pegawai_daftar"])
    )
    assert "diubah)" in got["api_pegawai_daftar"]
    assert "(instansi_id, nama, id) INCLUDE (induk_id)" in got["api_unitkerja_urut"]
