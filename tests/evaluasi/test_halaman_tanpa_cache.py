"""The team and distribution pages and the pegawai list at 100,000 pegawai without a page cache
(bench/temuan.md, "Putaran kelima"): fewer statements per page, no province-wide join, the same
page. Each test checks the shape of what is read, so it fails if the old shape comes back."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _get(client, url: str) -> tuple[list[str], str]:
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url)
    assert r.status_code == 200, url
    return [q["sql"] for q in ctx.captured_queries], r.content.decode()


@pytest.mark.parametrize("url", ["evaluasi:tim", "evaluasi:distribusi"])
def test_period_and_year_tabs_are_one_read_of_the_periods(org, client_as, url):
    from kinerja.models import Periode

    Periode.objects.create(instansi=org.instansi_a, tahun=org.periode_a.tahun - 1, status="ditutup")
    sql, html = _get(client_as(org.user("kasubbid")), reverse(url))
    assert len([q for q in sql if 'FROM "kinerja_periode"' in q]) == 1, sql
    assert f"tahun={org.periode_a.tahun - 1}" in html  # the closed year is still a tab
    assert f"— {org.periode_a.tahun}</h1>" in html  # the open year is the page's


def test_distribution_units_read_their_parent_per_row_not_by_a_join(org, client_as):
    # A join to the parent unit was hashed over every unit of the province for a page of 50.
    from tests.evaluasi.conftest import ko

    ko(org, org.unit_bidang, "baik")
    sql, html = _get(client_as(org.admin_a), reverse("evaluasi:distribusi") + "?cakupan=unit")
    # The page of units is the plain-SQL statement of evaluasi.distribusi_admin (Putaran
    # ketujuh, kesembilan).
    page = [q for q in sql if q.startswith("WITH h AS (SELECT v.id, v.nama, v.r, (SELECT i.nama")]
    assert page, sql
    assert not any("JOIN kinerja_unitkerja" in q for q in page), page
    # No separate read of every unit's kinerja organisasi: it comes with the page's rows.
    assert not [q for q in sql if q.startswith('SELECT "evaluasi_kinerjaorganisasi"')], sql
    row = html.split(f"unit={org.unit_bidang.pk}&", 1)[1].split("</tr>", 1)[0]
    assert org.unit_bkd.nama in row and "Baik" in row


def test_team_unit_and_its_predikat_are_one_statement(org):
    from evaluasi import jendela, selectors
    from tests.evaluasi.conftest import ko

    ko(org, org.unit_bidang, "butuh_perbaikan")
    w = jendela.dari_jenis(org.periode_a, "tahunan", None)
    penilai = org.kasubbid.pk
    with CaptureQueriesContext(connection) as ctx:
        d = selectors.distribusi_tim(penilai, org.periode_a, w)
    assert d.predikat_org == "butuh_perbaikan"
    assert selectors.unit_tim(penilai, org.periode_a, w) == org.unit_bidang.pk
    assert not [q for q in ctx.captured_queries if "evaluasi_kinerjaorganisasi" in q["sql"][:60]]


def test_atasan_rows_are_one_statement_without_reading_the_atasans_people(org, client_as):
    from evaluasi.models import Evaluasi
    from tests.evaluasi.conftest import evaluasi_draft

    ev = evaluasi_draft(org, "pegawai")
    # Found through the pegawai's atasan penilai, not the row's own column.
    Evaluasi.objects.filter(pk=ev.pk).update(atasan_pejabat_penilai=None)
    sql, html = _get(client_as(org.user("kabid")), reverse("evaluasi:tim"))
    assert reverse("evaluasi:detail", args=[ev.pk]) in html.split('id="sebagai-atasan"', 1)[1]
    alone = [
        q
        for q in sql
        if q.startswith('SELECT "kinerja_pegawai"."id" AS "id" FROM "kinerja_pegawai"')
        and '"atasan_pejabat_penilai_id" =' in q
    ]
    assert not alone, alone
    rows = [q for q in sql if q.startswith('SELECT "evaluasi_evaluasi"."id"') and "T4" in q]
    assert any(" UNION " in q for q in sql if "atasan_pejabat_penilai_id" in q), rows


def test_pegawai_list_gives_what_the_serializer_gives_for_model_rows(org, client_as):
    from kinerja.api import PegawaiSerializer
    from kinerja.models import Pegawai

    r = client_as(org.admin_a).get("/api/v1/pegawai/?page_size=200")
    assert r.status_code == 200
    got = r.json()["results"]
    want = [
        PegawaiSerializer().to_representation(p)
        for p in Pegawai.objects.filter(instansi=org.instansi_a).order_by("nama", "id")
    ]
    assert got == want and len(got) > 3
    # keyset and incremental-sync modes page the same rows
    semua, url = [], "/api/v1/pegawai/?cursor=&page_size=2"
    while url:
        page = client_as(org.admin_a).get(url).json()
        semua += page["results"]
        url = page["next"]
    assert sorted(p["id"] for p in semua) == sorted(p["id"] for p in want)
    sinkron = client_as(org.admin_a).get("/api/v1/pegawai/?diubah_sejak=2000-01-01&page_size=200")
    assert sorted(p["id"] for p in sinkron.json()["results"]) == sorted(p["id"] for p in want)


# --- the hot aggregates in plain SQL against ORM oracles ----------------------------------------
def _oracle_counts(qs) -> dict[str, int]:
    from collections import Counter

    return dict(Counter(p for p in qs.values_list("predikat", flat=True) if p))


@pytest.fixture
def dinilai(org):
    from evaluasi.models import Evaluasi
    from tests.evaluasi.conftest import final

    for who, hasil in [
        ("pegawai", "diatas_ekspektasi"),
        ("rekan", "sesuai_ekspektasi"),
        ("fungsional", "dibawah_ekspektasi"),
        ("kasubbid", "sesuai_ekspektasi"),
        ("staf_dinas", "sesuai_ekspektasi"),
    ]:
        final(org, who, hasil=hasil)
    assert Evaluasi.objects.exclude(predikat="").count() == 5
    return org


def test_predikat_counts_in_sql_equal_the_orm_for_every_scope(dinilai):
    from evaluasi import jendela, selectors
    from evaluasi.models import Evaluasi

    org = dinilai
    w = jendela.dari_jenis(org.periode_a, "tahunan", None)
    semua = Evaluasi.objects.filter(periode=org.periode_a, jenis="tahunan")
    for penilai in (org.kasubbid, org.kabid, org.kadis, org.pegawai):
        got = selectors._hitung(org.periode_a, w, penilai_id=penilai.pk)
        assert got == _oracle_counts(semua.filter(pejabat_penilai=penilai)), penilai
    inst = selectors._hitung(org.periode_a, w, instansi_id=org.instansi_a.pk)
    assert inst == _oracle_counts(semua.filter(pegawai__instansi=org.instansi_a))
    assert sum(inst.values()) == 5
    units = [org.unit_bidang.pk, org.unit_dinas.pk, org.unit_bkd.pk]
    per = selectors._hitung(org.periode_a, w, instansi_id=org.instansi_a.pk, unit_ids=units)
    for u in units:
        want = _oracle_counts(semua.filter(pegawai__unit_kerja_id=u))
        assert per.get(u, {}) == want
        assert selectors._hitung(org.periode_a, w, unit_id=u) == want
    assert selectors._hitung(org.periode_a, w, instansi_id=org.instansi_a.pk, unit_ids=[]) == {}
    # Another window: nothing rated in it.
    w1 = jendela.dari_jenis(org.periode_a, "periodik", 1)
    assert selectors._hitung(org.periode_a, w1, instansi_id=org.instansi_a.pk) == {}


def test_team_unit_in_sql_is_the_most_common_unit_ties_to_the_lowest_id(dinilai):
    from collections import Counter

    from evaluasi import jendela, selectors
    from evaluasi.models import Evaluasi
    from kinerja.models import Pegawai
    from tests.evaluasi.conftest import ko

    org = dinilai
    w = jendela.dari_jenis(org.periode_a, "tahunan", None)

    def oracle(penilai_id):
        ids = set(
            Pegawai.objects.filter(pejabat_penilai_id=penilai_id).values_list("pk", flat=True)
        )
        ids |= set(
            Evaluasi.objects.filter(
                periode=org.periode_a, jenis="tahunan", pejabat_penilai_id=penilai_id
            ).values_list("pegawai_id", flat=True)
        )
        c = Counter(
            Pegawai.objects.filter(pk__in=ids)
            .exclude(unit_kerja_id=None)
            .values_list("unit_kerja_id", flat=True)
        )
        return min(c, key=lambda u: (-c[u], u)) if c else None

    penilai = [p.pk for p in (org.kasubbid, org.kabid, org.kadis, org.pegawai, org.gubernur)]
    assert any(oracle(p) for p in penilai)
    for p in penilai:
        assert selectors.unit_tim(p, org.periode_a, w) == oracle(p), p
    # A tie between two units goes to the lower id whichever is listed first.
    kabid_units = Counter(
        Pegawai.objects.filter(pejabat_penilai=org.kabid).values_list("unit_kerja_id", flat=True)
    )
    Pegawai.objects.filter(pejabat_penilai=org.kabid).update(unit_kerja=org.unit_dinas)
    satu = Pegawai.objects.filter(pejabat_penilai=org.kabid).order_by("pk").first()
    Pegawai.objects.filter(pk=satu.pk).update(unit_kerja=org.unit_bkd)
    assert kabid_units  # kabid rates someone
    assert selectors.unit_tim(org.kabid.pk, org.periode_a, w) == oracle(org.kabid.pk)
    ko(org, org.unit_dinas, "baik")
    d = selectors.distribusi_tim(org.kabid.pk, org.periode_a, w)
    want = oracle(org.kabid.pk)
    assert d.predikat_org == ("baik" if want == org.unit_dinas.pk else None)


def test_rows_read_in_plain_sql_have_the_types_the_orm_gives(dinilai):
    # On SQLite a raw cursor gives dates as text and booleans as 0/1: the ORM's converters apply.
    from evaluasi import jendela, selectors
    from evaluasi.models import Evaluasi

    org = dinilai
    w = jendela.dari_jenis(org.periode_a, "tahunan", None)
    rows = selectors.tim_evaluasi(org.kasubbid.user, org.periode_a, w)
    assert rows and all(r["evaluasi"] for r in rows)
    for r in rows:
        ev, orm = r["evaluasi"], Evaluasi.objects.get(pk=r["evaluasi"].pk)
        for f in Evaluasi._meta.concrete_fields:
            assert getattr(ev, f.attname) == getattr(orm, f.attname), f.name
        p = r["pegawai"]
        assert p.jabatan.nama and p.unit_kerja_id == p.unit_kerja.pk
        assert p.diubah == type(p).objects.get(pk=p.pk).diubah
        assert r["skp_disetujui"] is True
    Evaluasi.objects.filter(pegawai=org.pegawai).update(atasan_pejabat_penilai=None)
    (atasan,) = [
        e
        for e in selectors.evaluasi_sebagai_atasan(org.kabid.user, org.periode_a, w)
        if e.pegawai_id == org.pegawai.pk
    ]
    assert atasan.pejabat_penilai == org.kasubbid and atasan.pegawai.jabatan == org.pegawai.jabatan
    assert atasan.dibuat == Evaluasi.objects.get(pk=atasan.pk).dibuat
