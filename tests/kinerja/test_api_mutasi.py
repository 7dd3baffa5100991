"""API of the organisation over time (shared/api.md): `mutasi/` and
`pegawai/<id>/riwayat-jabatan/`, exactly as promised to integrators."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from kinerja import mutasi, waktu
from kinerja.models import MasaPenilai, Mutasi, Pegawai, RiwayatJabatan

pytestmark = pytest.mark.django_db
URL = "/api/v1/mutasi/"


@pytest.fixture
def hari(monkeypatch, org):
    d = dt.date(org.periode_a.tahun, 8, 20)
    monkeypatch.setattr(waktu, "hari_ini", lambda: d)
    return d


def api(user):
    c = APIClient()
    c.force_authenticate(user)
    return c


def test_the_admin_records_a_change_now_or_for_later(org, hari):
    c = api(org.admin_a)
    r = c.post(
        URL,
        {
            "pegawai": org.rekan.pk,
            "jenis": "mutasi",
            "jabatan_baru": org.staf_dinas.jabatan_id,
            "tmt": f"{hari.year}-08-01",
            "keterangan": "SK 1",
        },
        format="json",
    )
    assert r.status_code == 201, r.json()
    body = r.json()
    assert set(body) >= {
        "id",
        "pegawai",
        "jabatan_baru",
        "unit_kerja_baru",
        "tmt",
        "jenis",
        "sampai",
        "status",
    }
    assert (body["status"], body["unit_kerja_baru"], body["tmt"]) == (
        "berlaku",
        org.unit_dinas.pk,
        f"{hari.year}-08-01",
    )
    r = c.post(
        URL,
        {
            "pegawai": org.fungsional.pk,
            "jenis": "plh",
            "jabatan_baru": org.kabid.jabatan_id,
            "tmt": f"{hari.year}-09-01",
            "sampai": f"{hari.year}-09-14",
        },
        format="json",
    )
    assert (r.status_code, r.json()["status"]) == (201, "dijadwalkan")


def test_a_wrong_change_is_400_naming_the_field_and_writes_nothing(org, hari):
    c = api(org.admin_a)
    r = c.post(
        URL,
        {
            "pegawai": org.fungsional.pk,
            "jenis": "plt",
            "jabatan_baru": org.kabid.jabatan_id,
            "tmt": f"{hari.year}-08-01",
        },
        format="json",
    )
    assert r.status_code == 400 and "sampai" in r.json()
    r = c.post(URL, {"pegawai": org.pegawai_b.pk, "jenis": "berhenti", "tmt": "2026-01-01"})
    assert r.status_code == 400 and "pegawai" in r.json()  # another instansi's: no such id
    assert not Mutasi.objects.exists()


def test_lists_filter_by_pegawai_status_and_jenis_and_refuse_unknown_parameters(org, hari):
    c = api(org.admin_a)
    m1 = mutasi.mutasi_catat(
        user=org.admin_a,
        pegawai=org.rekan,
        jenis="rotasi",
        tmt=dt.date(hari.year, 10, 1),
        jabatan_baru=org.pegawai.jabatan,
    )
    m2 = mutasi.mutasi_catat(
        user=org.admin_a, pegawai=org.kasubbid, jenis="berhenti", tmt=dt.date(hari.year, 8, 1)
    )
    ids = lambda q: {x["id"] for x in c.get(URL + q).json()["results"]}  # noqa: E731
    assert ids("") == {m1.pk, m2.pk}
    assert ids(f"?pegawai={org.rekan.pk}") == {m1.pk}
    assert ids("?status=berlaku") == {m2.pk}
    assert ids("?jenis=rotasi&status=dijadwalkan") == {m1.pk}
    r = c.get(URL + "?urut=tmt")
    assert r.status_code == 400 and "urut" in r.json()
    r = c.get(URL + "?status=selesai")
    assert r.status_code == 400 and "status" in r.json()
    # Another instansi sees none of it; the pegawai sees her own only.
    assert api(org.admin_b).get(URL).json()["count"] == 0
    assert {x["id"] for x in api(org.rekan.user).get(URL).json()["results"]} == {m1.pk}
    assert api(org.admin_b).get(f"{URL}{m1.pk}/").status_code == 404


def test_batalkan_needs_the_version_and_a_reason_and_only_before_the_tmt(org, hari):
    c = api(org.admin_a)
    m = mutasi.mutasi_catat(
        user=org.admin_a,
        pegawai=org.rekan,
        jenis="rotasi",
        tmt=dt.date(hari.year, 10, 1),
        jabatan_baru=org.pegawai.jabatan,
    )
    url = f"{URL}{m.pk}/batalkan/"
    r = c.post(url, {"alasan": "SK ditarik"}, format="json")
    assert r.status_code == 400 and "row_version" in r.json()
    r = c.post(url, {"alasan": "SK ditarik", "row_version": m.row_version + 5}, format="json")
    assert r.status_code == 400 and "row_version" in r.json()
    assert (
        api(org.rekan.user)
        .post(url, {"alasan": "x", "row_version": m.row_version}, format="json")
        .status_code
        == 403
    )
    r = c.post(url, {"alasan": "SK ditarik", "row_version": m.row_version}, format="json")
    assert (r.status_code, r.json()["status"]) == (200, "dibatalkan")
    r = c.post(url, {"alasan": "lagi", "row_version": r.json()["row_version"]}, format="json")
    assert r.status_code == 400 and "status" in r.json()


def test_riwayat_jabatan_lists_positions_with_dates_and_the_penilai_of_each(org, hari):
    mutasi.mutasi_catat(
        user=org.admin_a,
        pegawai=org.rekan,
        jenis="mutasi",
        tmt=dt.date(hari.year, 8, 1),
        jabatan_baru=org.staf_dinas.jabatan,
    )
    r = api(org.admin_a).get(f"/api/v1/pegawai/{org.rekan.pk}/riwayat-jabatan/")
    assert r.status_code == 200
    baru, lama = r.json()["results"]
    assert (baru["jabatan"], baru["mulai"], baru["selesai"], baru["jenis"]) == (
        org.staf_dinas.jabatan_id,
        f"{hari.year}-08-01",
        None,
        "definitif",
    )
    assert [p["pejabat_penilai"] for p in baru["penilai"]] == [org.kadis.pk]
    assert (lama["jabatan"], lama["selesai"]) == (org.rekan.jabatan_id, f"{hari.year}-07-31")
    assert [p["pejabat_penilai"] for p in lama["penilai"]] == [org.kasubbid.pk]
    assert api(org.admin_b).get(f"/api/v1/pegawai/{org.rekan.pk}/riwayat-jabatan/").status_code == (
        404
    )


def _riwayat(org, n: int) -> None:
    p = org.rekan
    start = dt.date(2022, 1, 1)
    RiwayatJabatan.objects.filter(pegawai=p).delete()
    MasaPenilai.objects.filter(pegawai=p).delete()
    RiwayatJabatan.objects.bulk_create(
        [
            RiwayatJabatan(
                pegawai=p,
                jabatan=p.jabatan,
                mulai=start + dt.timedelta(days=2 * i),
                selesai=start + dt.timedelta(days=2 * i + 1),
            )
            for i in range(n)
        ]
    )
    MasaPenilai.objects.bulk_create(
        [
            MasaPenilai(
                pegawai=p,
                pejabat_penilai=org.kasubbid,
                mulai=start + dt.timedelta(days=2 * i),
                selesai=start + dt.timedelta(days=2 * i + 1),
            )
            for i in range(n)
        ]
    )


def _mutasi(org, n: int) -> None:
    Mutasi.objects.bulk_create(
        [
            Mutasi(
                pegawai=org.rekan,
                jenis="rotasi",
                jabatan_baru=org.pegawai.jabatan,
                tmt=dt.date(2030, 1, 1) + dt.timedelta(days=i),
            )
            for i in range(n)
        ]
    )


@pytest.mark.parametrize(
    ("url", "isi"),
    [
        (URL + "?page_size=200", _mutasi),
        ("/api/v1/pegawai/{rekan}/riwayat-jabatan/?page_size=200", _riwayat),
    ],
)
def test_lists_cost_the_same_queries_at_5_and_500_rows(org, url, isi):
    from kinerja.models import User

    url = url.format(rekan=org.rekan.pk)

    def hitung() -> int:
        c = api(User.objects.get(pk=org.admin_a.pk))  # a fresh user: nothing cached on it
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(url).status_code == 200
        return len(ctx.captured_queries)

    isi(org, 5)
    kecil = hitung()
    isi(org, 500)
    assert hitung() == kecil
    assert Pegawai.objects.filter(pk=org.rekan.pk).exists()


def test_an_upsert_that_changes_the_position_records_a_mutasi_dated_today(org, hari):
    r = api(org.admin_a).post(
        "/api/v1/pegawai/upsert/",
        {"nip": org.rekan.nip, "jabatan": org.staf_dinas.jabatan_id, "golongan": "III/c"},
        format="json",
    )
    assert r.status_code == 200, r.json()
    (m,) = Mutasi.objects.filter(pegawai=org.rekan)
    assert (m.jenis, m.status, m.tmt, m.jabatan_baru_id) == (
        "mutasi",
        "berlaku",
        hari,
        org.staf_dinas.jabatan_id,
    )
    p = Pegawai.objects.get(pk=org.rekan.pk)
    assert (p.golongan, p.jabatan_id, p.pejabat_penilai_id) == (
        "III/c",
        org.staf_dinas.jabatan_id,
        org.kadis.pk,
    )
