"""The API integrators rely on: codes and shapes exactly as ../shared/api.md."""

from __future__ import annotations

import pytest

from evaluasi.models import Evaluasi
from tests.evaluasi.conftest import ko, skp_disetujui
from tests.evaluasi.test_rules import NINE


def test_client_posting_two_ratings_reads_back_the_predikat_for_all_nine(org, client_as):
    skp_disetujui(org.pegawai, org.periode_a)
    c = client_as(org.kasubbid.user)
    r = c.post(
        "/api/v1/evaluasi/",
        {"pegawai": org.pegawai.pk, "periode": org.periode_a.pk, "jenis": "periodik", "urutan": 1},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    assert r.json()["predikat"] is None and r.json()["status"] == "draft"
    versi = r.json()["row_version"]
    for hasil, perilaku, expected in NINE:
        r = c.patch(
            f"/api/v1/evaluasi/{pk}/",
            {"rating_hasil_kerja": hasil, "rating_perilaku_kerja": perilaku, "row_version": versi},
            content_type="application/json",
        )
        assert r.status_code == 200, r.content
        assert r.json()["predikat"] == expected, (hasil, perilaku)
        versi = r.json()["row_version"]
    # predikat is read-only: a client cannot type it
    r = c.patch(
        f"/api/v1/evaluasi/{pk}/",
        {"predikat": "sangat_baik", "row_version": versi},
        content_type="application/json",
    )
    assert r.json()["predikat"] == NINE[-1][2]


def test_an_edit_without_row_version_is_refused_with_a_clear_message(org, client_as):
    skp_disetujui(org.pegawai, org.periode_a)
    c = client_as(org.kasubbid.user)
    r = c.post(
        "/api/v1/evaluasi/",
        {"pegawai": org.pegawai.pk, "periode": org.periode_a.pk, "jenis": "tahunan"},
        content_type="application/json",
    )
    pk = r.json()["id"]
    for method in (c.patch, c.put):
        r = method(
            f"/api/v1/evaluasi/{pk}/",
            {
                "pegawai": org.pegawai.pk,
                "periode": org.periode_a.pk,
                "jenis": "tahunan",
                "rating_hasil_kerja": "sesuai_ekspektasi",
                "rating_perilaku_kerja": "sesuai_ekspektasi",
            },
            content_type="application/json",
        )
        assert r.status_code == 400, r.content
        assert "row_version" in r.json()
        assert "wajib dikirim" in r.json()["row_version"][0]
    assert Evaluasi.objects.get(pk=pk).rating_hasil_kerja == ""


def test_create_with_ratings_and_finalise(org, client_as):
    skp_disetujui(org.pegawai, org.periode_a)
    c = client_as(org.kasubbid.user)
    r = c.post(
        "/api/v1/evaluasi/",
        {
            "pegawai": org.pegawai.pk,
            "periode": org.periode_a.pk,
            "jenis": "tahunan",
            "rating_hasil_kerja": "diatas_ekspektasi",
            "rating_perilaku_kerja": "sesuai_ekspektasi",
        },
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["predikat"] == "baik"
    assert r.json()["urutan"] is None
    pk = r.json()["id"]
    r = c.post(f"/api/v1/evaluasi/{pk}/finalisasi/", {}, content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "final"
    r = c.patch(
        f"/api/v1/evaluasi/{pk}/",
        {"rating_hasil_kerja": "dibawah_ekspektasi", "row_version": r.json()["row_version"]},
        content_type="application/json",
    )
    assert r.status_code == 403
    assert Evaluasi.objects.get(pk=pk).predikat == "baik"


def test_validation_errors_are_400_in_indonesian(org, client_as):
    skp_disetujui(org.pegawai, org.periode_a)
    c = client_as(org.kasubbid.user)
    r = c.post(
        "/api/v1/evaluasi/",
        {"pegawai": org.pegawai.pk, "periode": org.periode_a.pk, "jenis": "periodik", "urutan": 9},
        content_type="application/json",
    )
    assert r.status_code == 400 and "jendela" in r.json()
    r = c.post(
        "/api/v1/evaluasi/",
        {
            "pegawai": org.pegawai.pk,
            "periode": org.periode_a.pk,
            "jenis": "tahunan",
            "rating_hasil_kerja": "baik",
        },
        content_type="application/json",
    )
    assert r.status_code == 400
    pk = c.post(
        "/api/v1/evaluasi/",
        {"pegawai": org.pegawai.pk, "periode": org.periode_a.pk, "jenis": "tahunan"},
        content_type="application/json",
    ).json()["id"]
    r = c.post(f"/api/v1/evaluasi/{pk}/finalisasi/", {}, content_type="application/json")
    assert r.status_code == 400 and "belum diisi" in r.json()["rating_hasil_kerja"][0]


def test_someone_elses_staff_cannot_be_evaluated_over_the_api(org, client_as):
    c = client_as(org.kadis.user)
    r = c.post(
        "/api/v1/evaluasi/",
        {"pegawai": org.pegawai.pk, "periode": org.periode_a.pk, "jenis": "tahunan"},
        content_type="application/json",
    )
    assert r.status_code in (403, 404)
    assert not Evaluasi.objects.exists()


def test_kinerja_organisasi_api(org, client_as):
    c = client_as(org.admin_a)
    r = c.post(
        "/api/v1/kinerja-organisasi/",
        {"unit_kerja": org.unit_bidang.pk, "periode": org.periode_a.pk, "predikat": "baik"},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    assert r.json()["predikat"] == "baik" and r.json()["jenis"] == "tahunan"
    pk = r.json()["id"]
    r = c.patch(
        f"/api/v1/kinerja-organisasi/{pk}/",
        {"predikat": "istimewa", "row_version": 1},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["predikat"] == "istimewa"
    r = c.patch(
        f"/api/v1/kinerja-organisasi/{pk}/",
        {"predikat": "kurang", "row_version": 1},
        content_type="application/json",
    )
    assert r.status_code == 400
    assert client_as(org.pegawai.user).get("/api/v1/kinerja-organisasi/").json()["count"] == 1
    assert client_as(org.admin_b).get(f"/api/v1/kinerja-organisasi/{pk}/").status_code == 404
    r = client_as(org.pegawai.user).post(
        "/api/v1/kinerja-organisasi/",
        {"unit_kerja": org.unit_bidang.pk, "periode": org.periode_a.pk, "predikat": "baik"},
        content_type="application/json",
    )
    assert r.status_code == 403


@pytest.mark.parametrize(
    "org_predikat", ["istimewa", "baik", "butuh_perbaikan", "kurang", "sangat_kurang"]
)
def test_distribusi_shape(org, client_as, org_predikat):
    ko(org, org.unit_bidang, org_predikat)
    Evaluasi.objects.create(
        pegawai=org.pegawai,
        periode=org.periode_a,
        jenis="tahunan",
        predikat="baik",
        rating_hasil_kerja="sesuai_ekspektasi",
        rating_perilaku_kerja="sesuai_ekspektasi",
    )
    r = client_as(org.admin_a).get(
        f"/api/v1/distribusi/?unit_kerja={org.unit_bidang.pk}&periode={org.periode_a.pk}"
    )
    assert r.status_code == 200
    d = r.json()
    assert d["predikat_organisasi"] == org_predikat
    assert d["jumlah_pegawai"] == 1
    assert d["aktual"] == {
        "sangat_baik": 0,
        "baik": 1,
        "butuh_perbaikan": 0,
        "kurang": 0,
        "sangat_kurang": 0,
    }
    assert set(d["pedoman"]) == set(d["aktual"])
    assert all(set(v) == {"min", "max"} for v in d["pedoman"].values())
    assert d["peringatan"] == []  # a unit of one is never warned


def test_distribusi_without_kinerja_organisasi(org, client_as):
    r = client_as(org.kasubbid.user).get(
        f"/api/v1/distribusi/?unit_kerja={org.unit_bidang.pk}&periode={org.periode_a.pk}&jenis=periodik&urutan=2"
    )
    assert r.status_code == 200
    assert r.json()["predikat_organisasi"] is None and r.json()["pedoman"] is None
    assert client_as(org.kasubbid.user).get("/api/v1/distribusi/").status_code == 400


def test_integration_pulls_the_years_predikat_with_a_token(org, client):
    from rest_framework.authtoken.models import Token

    from tests.evaluasi.conftest import final

    final(org, "pegawai", "diatas_ekspektasi", "diatas_ekspektasi")
    final(org, "rekan")
    Evaluasi.objects.create(pegawai=org.pegawai_b, periode=org.periode_b, jenis="tahunan")
    token = Token.objects.create(user=org.admin_a)
    r = client.get(
        f"/api/v1/evaluasi/?periode={org.periode_a.pk}&jenis=tahunan&page_size=200",
        HTTP_AUTHORIZATION=f"Token {token.key}",
    )
    assert r.status_code == 200
    got = {row["pegawai"]: row["predikat"] for row in r.json()["results"]}
    assert got == {org.pegawai.pk: "sangat_baik", org.rekan.pk: "baik"}
