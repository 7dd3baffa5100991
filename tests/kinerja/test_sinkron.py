"""Incremental sync (issue 18 item 1, api.md "Incremental sync"): `diubah` on every write,
however it is made; tombstones for deletions, seen only by who could see the row; the API's
`?diubah_sejak=` with a (diubah, id) cursor, and ETag/304."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from kinerja.models import Jabatan, Pegawai, Penghapusan, UnitKerja
from kinerja.sinkron import Sinkron

pytestmark = pytest.mark.django_db

LAMA = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)


def api(user) -> APIClient:
    c = APIClient()
    c.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return c


def _path(url: str | None) -> str | None:
    if url is None:
        return None
    p = urlsplit(url)
    return f"{p.path}?{p.query}"


def _tua(model, **lookup) -> None:
    """Make rows look unchanged for years (the clock of the test is one instant)."""
    model.objects.filter(**lookup).update(diubah=LAMA)


# --- every write sets diubah -------------------------------------------------------------------
def test_every_api_resource_model_carries_an_indexed_diubah():
    models = {m._meta.label for m in apps.get_models() if issubclass(m, Sinkron)}
    assert models >= {
        "kinerja.Instansi",
        "kinerja.UnitKerja",
        "kinerja.Jabatan",
        "kinerja.Pegawai",
        "kinerja.Periode",
        "kinerja.Notifikasi",
        "skp.SKP",
        "skp.RencanaHasilKerja",
        "skp.MatriksPeranHasil",
        "dialog.UmpanBalik",
        "dialog.Penugasan",
        "evaluasi.KinerjaOrganisasi",
        "evaluasi.Evaluasi",
        "evaluasi.Keberatan",
    }
    for label in models:
        field = apps.get_model(label)._meta.get_field("diubah")
        assert field.db_index, label
        assert apps.get_model(label).sinkron_jenis, label


def test_save_update_bulk_and_raw_insert_all_set_diubah(org):
    p = org.rekan
    _tua(Pegawai, pk=p.pk)
    p.nama = "Nama Baru"
    p.save(update_fields=["nama"])  # update_fields without diubah still moves it
    p.refresh_from_db()
    assert p.diubah > LAMA

    _tua(Pegawai, instansi=org.instansi_a)
    Pegawai.objects.filter(pk=org.pegawai.pk).update(golongan="III/b")
    assert Pegawai.objects.get(pk=org.pegawai.pk).diubah > LAMA
    assert Pegawai.objects.get(pk=org.kabid.pk).diubah == LAMA  # only the rows updated

    _tua(Pegawai, instansi=org.instansi_a)
    rows = list(Pegawai.objects.filter(pk__in=[org.kabid.pk, org.kasubbid.pk]))
    for r in rows:
        r.golongan = "IV/a"
    Pegawai.objects.bulk_update(rows, ["golongan"])
    assert all(
        d > LAMA
        for d in Pegawai.objects.filter(pk__in=[r.pk for r in rows]).values_list(
            "diubah", flat=True
        )
    )

    Pegawai.objects.filter(pk=org.rekan.pk).update(diubah=LAMA)  # given explicitly: kept
    assert Pegawai.objects.get(pk=org.rekan.pk).diubah == LAMA

    unit = UnitKerja.objects.bulk_create([UnitKerja(instansi=org.instansi_a, nama="Unit Curah")])[0]
    assert UnitKerja.objects.get(pk=unit.pk).diubah > LAMA
    with connection.cursor() as c:  # hand-written SQL that names no diubah: the column default
        c.execute(
            f"INSERT INTO {UnitKerja._meta.db_table} (instansi_id, nama, singkatan, mandiri) "
            "VALUES (%s, 'Unit SQL', '', false)",
            [org.instansi_a.pk],
        )
    assert UnitKerja.objects.get(nama="Unit SQL").diubah > LAMA


def test_a_part_bumps_its_parent(org):
    from skp.models import SKP, Indikator
    from tests.evaluasi.conftest import skp_disetujui

    skp = skp_disetujui(org.pegawai, org.periode_a)
    rhk = skp.rencana_set.first()
    _tua(SKP, pk=skp.pk)
    rhk.__class__.objects.filter(pk=rhk.pk).update(diubah=LAMA)
    Indikator.objects.filter(rencana=rhk).update(target="100 %")  # a bulk edit of a part
    rhk.refresh_from_db()
    skp.refresh_from_db()
    assert rhk.diubah > LAMA and skp.diubah > LAMA  # indikator -> rencana -> SKP
    _tua(SKP, pk=skp.pk)
    skp.perilaku_set.first().save()
    skp.refresh_from_db()
    assert skp.diubah > LAMA


def test_a_deletion_that_nulls_a_reference_bumps_the_referring_row(org):
    j = Jabatan.objects.create(
        unit_kerja=org.unit_bidang, nama="Analis Sementara", jenis="pelaksana"
    )
    org.rekan.plt_jabatan = j
    org.rekan.plt_jenis = "plt"
    org.rekan.save()
    _tua(Pegawai, pk=org.rekan.pk)
    j.delete()
    org.rekan.refresh_from_db()
    assert org.rekan.plt_jabatan_id is None and org.rekan.diubah > LAMA


def test_keberatan_decision_moves_the_evaluation_and_names_itself(org):
    from evaluasi import services
    from evaluasi.models import Evaluasi
    from tests.evaluasi.conftest import final

    ev = final(org)
    k = services.keberatan_ajukan(user=org.pegawai.user, evaluasi=ev, alasan="Di atas target.")
    _tua(Evaluasi, pk=ev.pk)
    ev.refresh_from_db()
    sebelum = ev.finalisasi_pada
    body = api(org.kasubbid.user).get(f"/api/v1/evaluasi/{ev.pk}/").json()
    assert body["keberatan"] is None
    services.keberatan_putuskan(
        user=org.kabid.user,
        keberatan=k,
        keputusan="diubah",
        alasan_keputusan="Capaian memang di atas target.",
        rating_hasil_kerja="diatas_ekspektasi",
        rating_perilaku_kerja="sesuai_ekspektasi",
        row_version=k.row_version,
    )
    ev.refresh_from_db()
    assert ev.finalisasi_pada == sebelum  # what the issue saw: this alone did not move
    assert ev.diubah > LAMA
    c = api(org.kasubbid.user)
    body = c.get(f"/api/v1/evaluasi/{ev.pk}/").json()
    assert body["keberatan"] == k.pk and body["rating_hasil_kerja"] == "diatas_ekspektasi"
    since = (timezone.now() - dt.timedelta(minutes=5)).isoformat()
    rows = c.get("/api/v1/evaluasi/", {"diubah_sejak": since}).json()["results"]
    assert [(r["id"], r["keberatan"]) for r in rows] == [(ev.pk, k.pk)]


# --- tombstones ------------------------------------------------------------------------------
def test_deleting_a_rencana_hasil_kerja_leaves_a_tombstone_seen_only_by_who_saw_it(org):
    from skp import services
    from tests.skp.factories import rhk, skp_draft

    skp = skp_draft(org)
    row = rhk(skp, org.pegawai.user)
    mulai = timezone.now() - dt.timedelta(seconds=1)
    c = api(org.pegawai.user)
    r = c.delete(f"/api/v1/rencana-hasil-kerja/{row.pk}/")
    assert r.status_code == 204
    t = Penghapusan.objects.get(jenis="rencana-hasil-kerja", objek_id=row.pk)
    assert t.dihapus >= mulai and t.induk_model == "skp.skp" and t.induk_id == skp.pk
    q = {"diubah_sejak": mulai.isoformat()}
    expected = [{"jenis": "rencana-hasil-kerja", "id": row.pk}]
    for who in ("pegawai", "kasubbid", "kabid", "admin_a"):  # she, her penilai and atasan, admin
        rows = api(org.user(who)).get("/api/v1/perubahan/", q).json()["results"]
        assert [{"jenis": x["jenis"], "id": x["id"]} for x in rows] == expected, who
    for who in ("rekan", "kadis", "admin_b", "pegawai_b"):  # could not see it: learn nothing
        assert api(org.user(who)).get("/api/v1/perubahan/", q).json()["results"] == [], who
    # The SKP itself moved too (its list of rencana hasil kerja changed).
    skp.refresh_from_db()
    assert skp.diubah >= mulai
    assert services  # the service did the delete (rhk_hapus) through the API


def test_organisation_deletions_are_seen_inside_their_instansi_only(org):
    from kinerja import services

    j = Jabatan.objects.create(unit_kerja=org.unit_bidang, nama="Dihapus", jenis="pelaksana")
    pk = j.pk
    services.organisasi_hapus(user=org.admin_a, obj=j)
    q = {"diubah_sejak": "2000-01-01", "jenis": "jabatan"}
    assert [
        x["id"] for x in api(org.rekan.user).get("/api/v1/perubahan/", q).json()["results"]
    ] == [pk]
    assert api(org.pegawai_b.user).get("/api/v1/perubahan/", q).json()["results"] == []
    assert api(org.admin_b).get("/api/v1/perubahan/", q).json()["results"] == []


def test_perubahan_refuses_unknown_kinds_and_times(org):
    c = api(org.pegawai.user)
    assert "jenis" in c.get("/api/v1/perubahan/", {"jenis": "tidak-ada"}).json()
    assert "diubah_sejak" in c.get("/api/v1/perubahan/", {"diubah_sejak": "kemarin"}).json()


# --- the API: diubah_sejak, cursor, ETag -------------------------------------------------------
def test_diubah_sejak_returns_only_changes_in_diubah_id_order_with_a_cursor(org):
    from tests.factories import PegawaiFactory

    PegawaiFactory.create_batch(7, instansi=org.instansi_a, jabatan=org.rekan.jabatan)
    _tua(Pegawai)
    batas = timezone.now()
    ubah = list(Pegawai.objects.filter(instansi=org.instansi_a).order_by("id")[:5])
    for i, p in enumerate(reversed(ubah)):  # changed in reverse id order
        Pegawai.objects.filter(pk=p.pk).update(diubah=batas + dt.timedelta(seconds=i))
    Pegawai.objects.filter(pk=ubah[0].pk).update(diubah=batas + dt.timedelta(seconds=1))  # a tie
    c = api(org.admin_a)
    url = "/api/v1/pegawai/?" + f"diubah_sejak={batas.isoformat().replace('+', '%2B')}&page_size=2"
    rows, pages = [], 0
    while url:
        body = c.get(url).json()
        assert body["count"] is None and body["previous"] is None
        rows += body["results"]
        url = _path(body["next"])
        pages += 1
    expected = sorted(
        Pegawai.objects.filter(instansi=org.instansi_a, diubah__gte=batas).values_list(
            "diubah", "id"
        )
    )
    assert [r["id"] for r in rows] == [pk for _d, pk in expected]
    assert {r["id"] for r in rows} == {p.pk for p in ubah} and pages == 3
    # A '+' that arrived unencoded (a space) is still read.
    r = c.get("/api/v1/pegawai/?diubah_sejak=" + batas.isoformat().replace("+00:00", " 00:00"))
    assert r.status_code == 200 and len(r.json()["results"]) == 5


@pytest.mark.parametrize(
    "path",
    [
        "instansi",
        "unit-kerja",
        "jabatan",
        "pegawai",
        "periode",
        "skp",
        "rencana-hasil-kerja",
        "matriks-peran-hasil",
        "umpan-balik",
        "penugasan",
        "kinerja-organisasi",
        "evaluasi",
        "keberatan",
        "notifikasi",
        "perubahan",
    ],
)
def test_every_list_takes_diubah_sejak_and_refuses_a_bad_time(org, path):
    c = api(org.admin_a)
    r = c.get(f"/api/v1/{path}/", {"diubah_sejak": "2000-01-01T00:00:00Z"})
    assert r.status_code == 200, r.content
    assert r.json()["count"] is None
    for bad in ("zzz", "2026-13-45", "99999-01-01"):
        r = c.get(f"/api/v1/{path}/", {"diubah_sejak": bad})
        assert r.status_code == 400 and "diubah_sejak" in r.json(), (path, bad)


def test_etag_gives_304_until_something_shown_changes(org):
    c = api(org.admin_a)
    for url in ("/api/v1/pegawai/", f"/api/v1/pegawai/{org.rekan.pk}/", "/api/v1/jabatan/"):
        r = c.get(url)
        etag = r["ETag"]
        assert r.status_code == 200 and etag.startswith('"')
        r2 = c.get(url, HTTP_IF_NONE_MATCH=etag)
        assert r2.status_code == 304 and r2.content == b"" and r2["ETag"] == etag
        assert c.get(url, HTTP_IF_NONE_MATCH='"lain"').status_code == 200
    r = c.get(f"/api/v1/pegawai/{org.rekan.pk}/")
    Pegawai.objects.filter(pk=org.rekan.pk).update(nama="Berubah")
    assert (
        c.get(f"/api/v1/pegawai/{org.rekan.pk}/", HTTP_IF_NONE_MATCH=r["ETag"]).status_code == 200
    )
    # Another caller sees another list: another tag.
    assert (
        api(org.pegawai_b.user).get("/api/v1/pegawai/")["ETag"] != c.get("/api/v1/pegawai/")["ETag"]
    )


# --- the change summary ------------------------------------------------------------------------
def test_ringkasan_counts_changes_and_deletions_the_caller_may_see_in_one_request(org):
    from kinerja import services

    _tua(Pegawai)
    _tua(Jabatan)
    mulai = timezone.now() - dt.timedelta(seconds=1)
    Pegawai.objects.filter(pk__in=[org.rekan.pk, org.pegawai.pk]).update(nama="Diubah")
    j = Jabatan.objects.create(unit_kerja=org.unit_bidang, nama="Dihapus", jenis="pelaksana")
    services.organisasi_hapus(user=org.admin_a, obj=j)
    q = {"diubah_sejak": mulai.isoformat(), "jenis": "pegawai,jabatan"}
    body = api(org.admin_a).get("/api/v1/perubahan/ringkasan/", q).json()
    assert body["berubah"] == {"jabatan": 0, "pegawai": 2}
    assert body["dihapus"] == {"jabatan": 1, "pegawai": 0}
    # Another instansi learns nothing of A's changes.
    other = api(org.admin_b).get("/api/v1/perubahan/ringkasan/", q).json()
    assert other["berubah"] == {"jabatan": 0, "pegawai": 0} and other["dihapus"]["jabatan"] == 0
    # Without `jenis`: every synced resource is counted.
    semua = api(org.admin_a).get(
        "/api/v1/perubahan/ringkasan/", {"diubah_sejak": q["diubah_sejak"]}
    )
    assert {"pegawai", "evaluasi", "skp", "periode"} <= set(semua.json()["berubah"])


def test_ringkasan_refuses_what_it_does_not_know(org):
    c = api(org.admin_a)
    r = c.get("/api/v1/perubahan/ringkasan/")
    assert r.status_code == 400 and "diubah_sejak" in r.json()
    r = c.get("/api/v1/perubahan/ringkasan/", {"diubah_sejak": "2026-01-01", "jenis": "x,pegawai"})
    assert r.status_code == 400 and "x" in r.json()["jenis"][0]
    r = c.get("/api/v1/perubahan/ringkasan/", {"diubah_sejak": "2026-01-01", "halaman": "1"})
    assert r.status_code == 400 and "halaman" in r.json()
    assert c.get("/api/v1/perubahan/ringkasan/", {"diubah_sejak": "kemarin"}).status_code == 400
    assert APIClient().get("/api/v1/perubahan/ringkasan/").status_code in (401, 403)
