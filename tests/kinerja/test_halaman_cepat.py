"""The cheap page fixes from bench/results.md ("Halaman"): menu facts cached per user, one
kinerja organisasi row instead of the instansi's map, the SKP page's `.get()`, the lean pegawai
list serializer. Each keeps what the page shows; the first saves queries per page."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _nav_cache(settings):
    settings.KINERJA_NAV_DETIK = 30  # off in tests/settings.py; on as in production here


def _get(client, url: str) -> tuple[list[str], str]:
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url)
    assert r.status_code == 200, url
    return [q["sql"] for q in ctx.captured_queries], r.content.decode()


def _nav(html: str) -> list[str]:
    return re.findall(r'<a href="([^"]+)" class="navlink', html)


def _belum(sql: list[str]) -> list[str]:
    # The menu's unread count (the page's own paginator counts all of the user's rows).
    return [q for q in sql if "kinerja_notifikasi" in q and "COUNT(" in q and '"dibaca"' in q]


@pytest.mark.parametrize("who", ["kasubbid", "pegawai", "admin_a"])
def test_second_page_load_costs_fewer_queries_and_shows_the_same_menu(org, client_as, who):
    user = org.user(who) if who != "admin_a" else org.admin_a
    c = client_as(user)
    url = reverse("notifikasi_list")
    first_sql, first = _get(c, url)
    second_sql, second = _get(c, url)
    # The menu facts come from the per-user cache: no unread count, no "whom do I rate".
    assert _belum(first_sql) and not _belum(second_sql)
    dinilai = [q for q in second_sql if '"pejabat_penilai_id" =' in q and "kinerja_pegawai" in q]
    assert not dinilai
    assert len(second_sql) <= len(first_sql) - 1
    if who == "kasubbid":  # a penilai and ketua tim: count, dinilai, ketua tim all saved
        assert len(second_sql) <= len(first_sql) - 2
    assert _nav(first) == _nav(second) and _nav(first)


def test_menu_links_match_the_roles(org, client_as):
    penilai = _nav(_get(client_as(org.user("kasubbid")), "/notifikasi/")[1])
    pegawai = _nav(_get(client_as(org.user("pegawai")), "/notifikasi/")[1])
    assert reverse("skp:persetujuan") in penilai and reverse("skp:persetujuan") not in pegawai
    assert reverse("evaluasi:tim") in penilai and reverse("evaluasi:tim") not in pegawai
    assert reverse("skp:index") in pegawai


def _badge(html: str) -> int:
    m = re.search(r'class="badge" data-jumlah="(\d+)"', html)
    return int(m.group(1)) if m else 0


def test_a_new_or_read_notification_updates_the_cached_count_at_once(
    org, client_as, django_capture_on_commit_callbacks
):
    from kinerja import notifikasi as svc
    from kinerja.models import Notifikasi

    user = org.user("pegawai")
    c = client_as(user)
    _get(c, "/notifikasi/")
    assert _badge(_get(c, "/notifikasi/")[1]) == 0  # cached: zero
    with django_capture_on_commit_callbacks(execute=True):
        svc.notifikasi_kirim(penerima=user, jenis="uji", pesan="Satu")
        svc.notifikasi_kirim(penerima=user, jenis="uji", pesan="Dua")
    assert _badge(_get(c, "/notifikasi/")[1]) == 2
    n = Notifikasi.objects.filter(penerima=user).first()
    svc.notifikasi_baca(user=user, notifikasi=n)
    assert _badge(_get(c, "/notifikasi/")[1]) == 1
    svc.notifikasi_baca_semua(user=user)
    assert _badge(_get(c, "/notifikasi/")[1]) == 0
    # Another user's notification does not touch this user's cached facts (still one query
    # fewer), and that user sees their own count.
    rekan = org.user("rekan")
    svc.notifikasi_kirim(penerima=rekan, jenis="uji", pesan="Untuk rekan")
    sql, html = _get(c, "/notifikasi/")
    assert not _belum(sql) and _badge(html) == 0
    assert _badge(_get(client_as(rekan), "/notifikasi/")[1]) == 1


def test_pages_render_when_the_cache_is_down(org, client_as, settings):
    # A real Redis cache at an address where nothing listens (kinerja.redis_cache absorbs it).
    settings.KINERJA_NAV_DETIK = 30
    settings.CACHES = {
        "default": {
            "BACKEND": "kinerja.redis_cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    c = client_as(org.user("kasubbid"))
    sql, html = _get(c, "/notifikasi/")
    assert _belum(sql) and reverse("evaluasi:tim") in _nav(html)
    from kinerja import notifikasi as svc

    svc.notifikasi_kirim(penerima=org.user("kasubbid"), jenis="uji", pesan="x")  # no error


# --- evaluasi: one kinerja organisasi row --------------------------------------------------
def test_ko_of_one_unit_is_read_as_one_row(org):
    from evaluasi import jendela, selectors
    from tests.evaluasi.conftest import ko

    ko(org, org.unit_bidang, "baik")
    ko(org, org.unit_bkd, "istimewa")
    w = jendela.dari_jenis(org.periode_a, "tahunan", None)
    semua = selectors._ko_map(org.periode_a, w)
    for unit in (org.unit_bidang, org.unit_bkd, org.unit_dinas):
        assert selectors._ko_satu(org.periode_a, w, unit.pk) == semua.get(unit.pk)
    assert selectors._ko_satu(org.periode_a, w, None) is None
    with CaptureQueriesContext(connection) as ctx:
        selectors._ko_satu(org.periode_a, w, org.unit_bidang.pk)
    (sql,) = [q["sql"] for q in ctx.captured_queries]
    assert f'"unit_kerja_id" = {org.unit_bidang.pk}' in sql and "LIMIT 1" in sql


def test_distribusi_of_the_team_and_the_unit_use_the_units_predikat(org):
    from evaluasi import jendela, selectors
    from tests.evaluasi.conftest import ko

    w = jendela.dari_jenis(org.periode_a, "tahunan", None)
    ko(org, org.unit_bidang, "butuh_perbaikan")
    d = selectors.distribusi_unit(org.unit_bidang, org.periode_a, w)
    assert d.predikat_org == "butuh_perbaikan" and d.pedoman
    assert selectors.distribusi_unit(org.unit_dinas, org.periode_a, w).predikat_org is None


# --- SKP page: .get() on the scoped queryset ------------------------------------------------
def test_skp_page_fetches_its_skp_without_order_by_and_404s_outside_the_scope(org, client_as):
    from django.http import Http404

    from skp import selectors
    from tests.skp.factories import skp_diajukan

    skp = skp_diajukan(org, n_rhk=2)
    with CaptureQueriesContext(connection) as ctx:
        got = selectors.skp_for_user(org.pegawai.user, skp.pk)
    assert got.pk == skp.pk and len(got.rencana_set.all()) == 2
    main = next(q["sql"] for q in ctx.captured_queries if 'FROM "skp_skp"' in q["sql"])
    # No ordering of the statement itself (the aggregates inside it order their arrays).
    assert "ORDER BY" not in main.rsplit(")", 1)[-1]
    for outsider in (org.user("rekan"), org.admin_b):
        with pytest.raises(Http404):
            selectors.skp_for_user(outsider, skp.pk)
    with pytest.raises(Http404):
        selectors.skp_for_user(org.pegawai.user, skp.pk + 10_000)
    assert client_as(org.pegawai.user).get(reverse("skp:detail", args=[skp.pk])).status_code == 200
    assert client_as(org.user("rekan")).get(reverse("skp:detail", args=[skp.pk])).status_code == 404


# --- pegawai list API: lean serializer, same output -----------------------------------------
def test_lean_pegawai_serializer_gives_exactly_what_model_serializer_gives(org):
    from rest_framework import serializers

    from kinerja.api import PegawaiSerializer
    from kinerja.models import Pegawai

    rows = list(Pegawai.objects.order_by("pk"))
    assert any(p.pejabat_penilai_id for p in rows) and any(
        p.atasan_pejabat_penilai_id for p in rows
    )
    ser = PegawaiSerializer()
    for p in rows:
        lean = ser.to_representation(p)
        generic = serializers.ModelSerializer.to_representation(ser, p)
        assert lean == dict(generic), p
        assert list(lean) == list(PegawaiSerializer.Meta.fields)


def test_app_connections_run_without_jit():
    # bench/temuan.md: PostgreSQL's JIT compiled the team page's member query for 2 s.
    if connection.vendor != "postgresql":
        pytest.skip("JIT is PostgreSQL's")
    with connection.cursor() as c:
        c.execute("SHOW jit")
        assert c.fetchone()[0] == "off"


def test_team_members_are_one_union_not_an_or_over_a_subquery(org, client_as):
    # `penilai = x OR id IN (subquery)` cannot use the two indexes: a scan of every pegawai.
    sql, _html = _get(client_as(org.user("kasubbid")), reverse("evaluasi:tim"))
    members = [q for q in sql if 'FROM "kinerja_pegawai"' in q and "kinerja_masapenilai" in q]
    assert members, sql
    for q in members:
        assert " UNION " in q
        # (the rows seen as atasan have no OR at all since round thirteen: two index-driven
        # parts, tests/evaluasi/test_tim_atasan_rencana.py)
        assert not re.search(r'(?<![a-z_])"?pejabat_penilai_id"? = \S+ OR', q), q
