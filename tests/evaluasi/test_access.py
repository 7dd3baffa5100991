"""Who sees and does what with an evaluation: pages and API, as a table."""

from __future__ import annotations

import pytest

from tests.evaluasi.conftest import evaluasi_draft, final

# (persona, draft status, final status) for GET /evaluasi/<pk>/ of the pegawai's evaluation.
DETAIL = [
    ("pegawai", 404, 200),  # own: only once final
    ("kasubbid", 200, 200),  # penilai
    ("kabid", 200, 200),  # atasan penilai
    ("rekan", 404, 404),
    ("fungsional", 404, 404),  # ketua tim, not the penilai
    ("kadis", 404, 404),
    ("admin_a", 200, 200),
    ("admin_b", 404, 404),  # another instansi's admin
    ("pegawai_b", 404, 404),
    ("superuser", 200, 200),
]


@pytest.mark.parametrize(("who", "draft", "fin"), DETAIL)
def test_detail_page_access(org, client_as, who, draft, fin):
    ev = evaluasi_draft(org)
    c = client_as(org.user(who))
    assert c.get(f"/evaluasi/{ev.pk}/").status_code == draft
    assert c.get(f"/api/v1/evaluasi/{ev.pk}/").status_code == draft
    from evaluasi import services

    ev.refresh_from_db()
    ev = services.evaluasi_simpan(
        user=org.kasubbid.user,
        evaluasi=ev,
        row_version=ev.row_version,
        rating_hasil_kerja="sesuai_ekspektasi",
        rating_perilaku_kerja="sesuai_ekspektasi",
    )
    services.evaluasi_finalisasi(user=org.kasubbid.user, evaluasi=ev)
    assert c.get(f"/evaluasi/{ev.pk}/").status_code == fin
    assert c.get(f"/api/v1/evaluasi/{ev.pk}/").status_code == fin


@pytest.mark.parametrize(
    ("who", "expected"),
    [("kasubbid", 200), ("kabid", 302), ("rekan", 404), ("admin_b", 404), ("pegawai", 302)],
)
def test_rating_form_only_for_the_penilai(org, client_as, who, expected):
    """The atasan and the pegawai land on the read-only page (the pegawai then 404 while
    draft); everyone else: not found."""
    ev = evaluasi_draft(org)
    r = client_as(org.user(who)).get(f"/evaluasi/nilai/{org.pegawai.pk}/akhir/")
    if who == "pegawai":
        # the pegawai may look up themselves but may not see their draft evaluation
        assert r.status_code in (302, 404)
        return
    assert r.status_code == expected
    if expected == 302:
        assert r.url == f"/evaluasi/{ev.pk}/"


def test_pegawai_list_shows_only_final(org, client_as):
    ev = evaluasi_draft(org)
    c = client_as(org.pegawai.user)
    assert c.get("/api/v1/evaluasi/").json()["count"] == 0
    r = c.get("/evaluasi/saya/")
    assert "Belum ada evaluasi yang final" in r.content.decode()
    from evaluasi import services

    ev = services.evaluasi_simpan(
        user=org.kasubbid.user,
        evaluasi=ev,
        row_version=1,
        rating_hasil_kerja="diatas_ekspektasi",
        rating_perilaku_kerja="diatas_ekspektasi",
    )
    services.evaluasi_finalisasi(user=org.kasubbid.user, evaluasi=ev)
    assert c.get("/api/v1/evaluasi/").json()["count"] == 1
    assert "Sangat Baik" in c.get("/evaluasi/saya/").content.decode()


def test_reopen_needs_instansi_admin(org, client_as):
    ev = final(org)
    r = client_as(org.kasubbid.user).post(f"/evaluasi/{ev.pk}/buka-kembali/", {"alasan": "x"})
    assert r.status_code == 403
    r = client_as(org.admin_b).post(f"/evaluasi/{ev.pk}/buka-kembali/", {"alasan": "x"})
    assert r.status_code == 404
    r = client_as(org.admin_a).post(f"/evaluasi/{ev.pk}/buka-kembali/", {"alasan": "Salah input"})
    assert r.status_code == 302
    ev.refresh_from_db()
    assert ev.status == "draft" and ev.alasan_buka_kembali == "Salah input"


def test_admin_pages_not_for_others(org, client_as):
    for url in ("/evaluasi/tutup-tahun/", "/evaluasi/tindak-lanjut/"):
        assert client_as(org.kasubbid.user).get(url).status_code == 404
        assert client_as(org.admin_a).get(url).status_code == 200


def test_distribution_api_of_another_instansi_is_404(org, client_as):
    c = client_as(org.admin_b)
    r = c.get(f"/api/v1/distribusi/?unit_kerja={org.unit_bidang.pk}&periode={org.periode_a.pk}")
    assert r.status_code == 404


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("admin_a", 200),
        ("kepala_bkd", 200),
        ("kabid", 200),
        ("kasubbid", 200),
        ("gubernur", 200),
        ("pegawai", 403),
        ("kadis", 403),
        ("admin_b", 404),
    ],
)
def test_unit_distribution_for_leaders_penilai_and_admin(org, client_as, who, expected):
    c = client_as(org.user(who))
    r = c.get(f"/api/v1/distribusi/?unit_kerja={org.unit_bidang.pk}&periode={org.periode_a.pk}")
    assert r.status_code == expected
    if who != "admin_b":
        r = c.get(f"/evaluasi/distribusi/?cakupan=unit&unit={org.unit_bidang.pk}&jendela=akhir")
        assert r.status_code == expected
