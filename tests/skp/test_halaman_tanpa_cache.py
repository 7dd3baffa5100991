"""The SKP page at 100,000 pegawai without a page cache (bench/temuan.md, "Putaran keenam"): its
reads are plain SQL (skp/selectors_halaman.py) that give exactly what the ORM reading gave, with
the policy's scope inside the first statement. Each shape test fails if the old shape returns."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from skp import selectors, services
from skp.models import SKP, Indikator
from tests.skp.factories import rhk, skp_diajukan, skp_draft

pytestmark = pytest.mark.django_db
_VERSI = ("id", "versi", "status", "terkini", "alasan_perubahan", "disetujui_pada", "dibuat")


def _sama(a, b) -> None:
    """Same model, row and every concrete column's value and type."""
    assert type(a) is type(b) and a.pk == b.pk
    for f in type(a)._meta.concrete_fields:
        va, vb = getattr(a, f.attname), getattr(b, f.attname)
        assert va == vb and type(va) is type(vb), (type(a).__name__, f.name, va, vb)


def _penuh(org) -> SKP:
    """An SKP with every relation the page shows: a row under the penilai's row, a row given
    by an official, a team's row, several indicators, the penilai's ekspektasi khusus."""
    atasan = skp_draft(org, "kasubbid", n_rhk=1)
    skp = skp_draft(org, n_rhk=0)
    user = org.pegawai.user
    a = rhk(skp, user, rencana="Baris di bawah pimpinan", rhk_atasan=atasan.rencana_set.get())
    rhk(skp, user, rencana="Baris tugas", jenis="tambahan")
    rhk(skp, user, rencana="Baris tim", jenis="tambahan")
    rows = list(skp.rencana_set.order_by("jenis", "urutan", "id"))
    type(rows[1]).objects.filter(pk=rows[1].pk).update(pemberi_tugas=org.kabid)
    type(rows[2]).objects.filter(pk=rows[2].pk).update(tim=org.tim)
    for i, target in enumerate(["10 dokumen", "2 hari"]):
        Indikator.objects.create(
            rencana=a, aspek="waktu", indikator=f"Tambahan {i}", target=target, urutan=5 - i
        )
    skp = services.skp_ajukan(skp=skp, user=user)
    SKP.objects.filter(pk=skp.pk).update(atasan_pejabat_penilai=org.kabid)
    services.perilaku_atur(
        skp=skp, user=org.kasubbid.user, ekspektasi={"akuntabel": "Laporan tepat waktu"}
    )
    return skp


def test_the_skp_read_in_sql_is_the_orm_reading_and_needs_no_further_query(org):
    skp = _penuh(org)
    got = selectors.skp_for_user(org.pegawai.user, skp.pk)
    want = selectors.skp_detail_qs().get(pk=skp.pk)
    assert want.atasan_pejabat_penilai.unit_kerja  # not in skp_detail_qs; the page reads both
    with CaptureQueriesContext(connection) as ctx:
        _sama(got, want)
        _sama(got.periode, want.periode)
        for role in ("pegawai", "pejabat_penilai", "atasan_pejabat_penilai"):
            p, q = getattr(got, role), getattr(want, role)
            _sama(p, q)
            _sama(p.jabatan, q.jabatan)
            _sama(p.unit_kerja, q.unit_kerja)
        _sama(got.pegawai.instansi, want.pegawai.instansi)
        rows, orm = list(got.rencana_set.all()), list(want.rencana_set.all())
        assert [r.pk for r in rows] == [r.pk for r in orm] and len(rows) == 3
        for r, o in zip(rows, orm, strict=True):
            _sama(r, o)
            assert r.skp is got
            for rel in ("rhk_atasan", "pemberi_tugas", "tim"):
                assert (getattr(r, rel) is None) == (getattr(o, rel) is None), rel
                if getattr(o, rel) is not None:
                    _sama(getattr(r, rel), getattr(o, rel))
            if o.rhk_atasan is not None:
                _sama(r.rhk_atasan.skp, o.rhk_atasan.skp)
                _sama(r.rhk_atasan.skp.pegawai, o.rhk_atasan.skp.pegawai)
            inds, oinds = list(r.indikator_set.all()), list(o.indikator_set.all())
            assert [i.pk for i in inds] == [i.pk for i in oinds]
            for i, oi in zip(inds, oinds, strict=True):
                _sama(i, oi)
                assert i.rencana is r
        assert any(r.pemberi_tugas for r in rows) and any(r.tim for r in rows)
        assert any(len(r.indikator_set.all()) == 3 for r in rows)
        per = sorted(got.perilaku_set.all(), key=lambda e: e.pk)
        for e, o in zip(per, sorted(want.perilaku_set.all(), key=lambda e: e.pk), strict=True):
            _sama(e, o)
        assert any(e.ekspektasi_khusus for e in per)
    assert not ctx.captured_queries, [q["sql"] for q in ctx.captured_queries]


def test_a_filter_on_a_read_relation_still_queries_only_that_relation(org):
    # The prefetched querysets carry their relation's filter, as prefetch_related leaves them:
    # a .filter() on one reads that SKP's rows, not every SKP's.
    skp = _penuh(org)
    skp_draft(org, "rekan", n_rhk=2)
    got = selectors.skp_for_user(org.pegawai.user, skp.pk)
    assert got.rencana_set.filter(jenis="tambahan").count() == 2
    (row,) = got.rencana_set.filter(rencana="Baris di bawah pimpinan")
    assert row.indikator_set.filter(aspek="waktu").count() == 2


def test_versions_and_the_latest_pdf_read_in_sql_equal_the_orm(org):
    from django.contrib.contenttypes.models import ContentType

    from kinerja.models import Dokumen
    from skp import selectors_halaman

    skp = skp_diajukan(org)
    skp = services.skp_versi_baru(
        skp=services.skp_setujui(skp=skp, user=org.kasubbid.user),
        user=org.pegawai.user,
        alasan="Klarifikasi <target>",
    )
    vs = selectors.versi_list(skp)
    # skp_untuk reads them with the SKP (PostgreSQL): the same instances.
    dibaca = selectors.skp_for_user(org.pegawai.user, skp.pk)
    assert len(vs) == 2
    want = list(
        SKP.objects.filter(pegawai_id=skp.pegawai_id, periode_id=skp.periode_id)
        .only(*_VERSI)
        .order_by("-versi")
    )
    assert [v.pk for v in vs] == [v.pk for v in want]
    for got in (vs, selectors.versi_list(dibaca)):
        for v, w in zip(got, want, strict=True):
            assert v.get_deferred_fields() == w.get_deferred_fields()
            for f in _VERSI:
                va, vb = getattr(v, f), getattr(w, f)
                assert va == vb and type(va) is type(vb), (f, va, vb)
    assert selectors_halaman.dokumen_terakhir(skp) is None
    assert selectors_halaman.dokumen_terakhir(dibaca) is None
    ct = ContentType.objects.get_for_model(SKP)
    for judul in ("lama", "baru"):
        Dokumen.objects.create(
            jenis=Dokumen.Jenis.SKP,
            judul=judul,
            content_type=ct,
            object_id=skp.pk,
            instansi=org.instansi_a,
        )
    d = selectors_halaman.dokumen_terakhir(skp)
    _sama(d, Dokumen.objects.filter(object_id=skp.pk).order_by("-dibuat", "-id").first())
    assert d.judul == "baru"
    _sama(selectors_halaman.dokumen_terakhir(selectors.skp_for_user(org.pegawai.user, skp.pk)), d)


def test_the_scope_is_asked_in_the_first_statement_and_an_outsider_reads_nothing_else(
    org, client_as
):
    skp = _penuh(org)
    url = reverse("skp:detail", args=[skp.pk])
    client_as(org.user("rekan")).get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client_as(org.user("rekan")).get(url).status_code == 404
    sql = [q["sql"] for q in ctx.captured_queries]
    read = [q for q in sql if 'FROM "skp_skp"' in q]
    assert len(read) == 1 and "pejabat_penilai_id" in read[0], sql
    # Nothing else reads the SKP's parts (on PostgreSQL the rows are in that one statement).
    others = [q for q in sql if q != read[0]]
    assert not [q for q in others if "skp_rencanahasilkerja" in q or "skp_indikator" in q], sql


def test_the_skp_its_people_versions_and_pdf_are_one_statement_on_postgresql(org, client_as):
    # Each read was a round trip of its own (SKP with expectations, people, versions, latest
    # PDF): prepared, one statement plans once per connection however many tables it joins.
    # The expectations and versions come as one array per column: one row whatever their
    # number.
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    from django.contrib.contenttypes.models import ContentType

    from kinerja.models import Dokumen

    skp = _penuh(org)
    Dokumen.objects.create(
        jenis=Dokumen.Jenis.SKP,
        judul="pdf",
        content_type=ContentType.objects.get_for_model(SKP),
        object_id=skp.pk,
        instansi=org.instansi_a,
    )
    c = client_as(org.pegawai.user)
    url = reverse("skp:detail", args=[skp.pk])
    c.get(url)
    with CaptureQueriesContext(connection) as ctx:
        html = c.get(url).content.decode()
    sql = [q["sql"] for q in ctx.captured_queries]
    (main,) = [q for q in sql if 'FROM "skp_skp" s' in q]
    assert (
        main.count("array_agg(e.") and main.count("array_agg(v.") and '"kinerja_dokumen" d' in main
    )
    # The page's own statements (an alias each); the policy's id sets are the ORM's, unaliased.
    for table in ("kinerja_pegawai", "skp_ekspektasiperilaku", "kinerja_dokumen", "skp_skp"):
        first = [q.split(" FROM ", 1)[1] for q in sql if q != main]
        alone = [q for q in first if re.match(rf'"{table}" [a-z]+ ', q)]
        assert not alone, alone
    assert "Laporan tepat waktu" in html and "Unduh PDF terakhir" in html
    assert "Riwayat versi (1)" in html
    for p in (org.pegawai, org.kasubbid, org.kabid):
        assert p.nama in html
    assert "Baris di bawah pimpinan" in html and "Tim kerja: " + org.tim.nama in html
    assert "Penugasan dari: " + org.kabid.nama in html


@pytest.mark.parametrize("siapa", ["admin_b", "pegawai_b", "kepala_b", "rekan"])
def test_another_instansi_or_an_outsider_reads_no_person_version_or_pdf(org, client_as, siapa):
    # The people, versions and PDF are read by the statement the scope guards: for whoever may
    # not see the SKP it returns no row, so nothing of them reaches Python, and the page is 404.
    from django.contrib.contenttypes.models import ContentType

    from kinerja.models import Dokumen

    skp = _penuh(org)
    Dokumen.objects.create(
        jenis=Dokumen.Jenis.SKP,
        judul="pdf",
        content_type=ContentType.objects.get_for_model(SKP),
        object_id=skp.pk,
        instansi=org.instansi_a,
    )
    c = client_as(org.user(siapa))
    url = reverse("skp:detail", args=[skp.pk])
    for _ in range(6):  # past psycopg's prepare threshold: the prepared statement too
        assert c.get(url).status_code == 404
    with pytest.raises(Http404):
        selectors.skp_for_user(org.user(siapa), skp.pk)
    assert c.get(reverse("skp:versi", args=[skp.pk])).status_code == 404


def test_the_rows_are_lateral_and_in_the_first_statement_on_postgresql(org):
    # Plain joins over six tables: 0.63 ms of planning for 0.2 ms of work at 100,000 pegawai.
    # Since round nine the rows are one array of records in the SKP's statement: the page is
    # one round trip.
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    skp = _penuh(org)
    with CaptureQueriesContext(connection) as ctx:
        got = selectors.skp_for_user(org.pegawai.user, skp.pk)
    (main,) = [q["sql"] for q in ctx.captured_queries]
    rows = main.split('FROM "skp_rencanahasilkerja" r', 1)[1].split(" b ON true", 1)[0]
    assert rows.count("LEFT JOIN LATERAL") == 6 and " JOIN " not in rows.replace("JOIN LATERAL", "")
    assert "array_agg(ROW(" in main
    # The rows' indicators come with them: no statement of their own.
    assert '"skp_indikator" i' in rows
    assert len(got.rencana_set.all()) == 3


def test_the_page_statements_are_prepared_once_per_connection_on_postgresql(org, client_as):
    # Planning cost more than running: at 100,000 pegawai the page's six statements spent
    # ±0.9 ms in the planner for ±0.3 ms of work. Bound on the server, psycopg prepares them
    # after five runs on the connection and PostgreSQL keeps a generic plan.
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    skp = _penuh(org)
    c = client_as(org.pegawai.user)
    url = reverse("skp:detail", args=[skp.pk])
    for _ in range(7):
        assert c.get(url).status_code == 200
    with connection.cursor() as cur:
        cur.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [r[0] for r in cur.fetchall()]
    for start in ('FROM "skp_skp" s', 'FROM "kinerja_pegawai" p', 'FROM "skp_rencanahasilkerja" r'):
        assert [q for q in prepared if start in q], (start, prepared)
    # Django's own statements (the user's load among them) bind on the client and are not
    # prepared: once prepared, Django's query log would record them as None.
    assert not [q for q in prepared if '"kinerja_user"' in q], prepared


_PEMBACA = (
    "gubernur", "sekda", "kepala_bkd", "kabid", "kasubbid", "pegawai", "rekan", "fungsional",
    "kadis", "staf_dinas", "pegawai_b", "kepala_b", "admin_a", "admin_b", "superuser",
)  # fmt: skip


def _terlihat_sql(user) -> set[int]:
    from kinerja import policy

    syarat = policy.skp_syarat_sql(user, "s")
    if syarat is None:
        return set()
    with connection.cursor() as cur:
        cur.execute(f'SELECT s.id FROM "skp_skp" s WHERE {syarat[0]}', syarat[1])
        return {r[0] for r in cur.fetchall()}


def _terlihat_orm(user) -> set[int]:
    from kinerja import policy

    return set(policy.scope(user, SKP.objects.all()).values_list("pk", flat=True))


def test_the_scope_in_sql_is_the_policy_scope_for_every_reader(org):
    # The page's first statement carries the scope as SQL (kinerja.policy.skp.skp_syarat_sql):
    # for every reader, with and without explicit grants and an active team, it must select
    # exactly the SKPs the policy's ORM scope selects.
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only (= ANY(array))")
    from kinerja import waktu
    from kinerja.akses import hibah
    from kinerja.models import User
    from tests.personas import beri_plh

    _penuh(org)
    tim = skp_draft(org, "staf_dinas", n_rhk=0)  # seen by the team's ketua (fungsional) only so
    skp_draft(org, "rekan", n_rhk=0)
    services.skp_buat(pegawai=org.pegawai_b, periode=org.periode_b, user=org.pegawai_b.user)

    def semua() -> dict[str, set[int]]:
        out = {}
        for name in _PEMBACA:
            user = User.objects.get(pk=org.user(name).pk)  # a fresh Actor: no cached id sets
            out[name] = _terlihat_sql(user)
            assert out[name] == _terlihat_orm(User.objects.get(pk=user.pk)), name
        return out

    awal = semua()
    assert tim.pk in awal["fungsional"] and tim.pk not in awal["rekan"]
    assert not awal["rekan"] & {tim.pk} and awal["superuser"] == set(
        SKP.objects.values_list("pk", flat=True)
    )
    beri_plh(org)
    hibah.hak_khusus_beri(
        user=org.admin_a,
        instansi=org.instansi_a,
        jenis="auditor",
        penerima=org.kadis,
        objek_id=org.unit_bidang.pk,
        mulai=waktu.hari_ini(),
        selesai=None,
        alasan="Surat tugas Inspektorat",
    )
    hibah_ = semua()
    assert hibah_["kadis"] > awal["kadis"]  # the grants widen what the kadis sees
    type(org.tim).objects.filter(pk=org.tim.pk).update(aktif=False)
    assert tim.pk not in semua()["fungsional"]
