"""Login with the NIP (NI PPPK), logout, password change, and the home page per role."""

from __future__ import annotations

import pytest

from tests.personas import PASSWORD


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["rekan", "pegawai"])  # a PNS NIP and a PPPK NI PPPK
def test_login_with_nip_lands_on_the_home_page(client, org, persona):
    p = getattr(org, persona)
    resp = client.post("/masuk/", {"username": p.nip, "password": PASSWORD})
    assert resp.status_code == 302 and resp["Location"] == "/"
    html = client.get("/").content.decode()
    assert "Data saya" in html and p.nip in html


@pytest.mark.django_db
def test_wrong_password_is_refused_without_losing_the_typed_nip(client, org):
    resp = client.post("/masuk/", {"username": org.rekan.nip, "password": "salah"})
    assert resp.status_code == 200
    html = resp.content.decode()
    assert 'class="errors"' in html and org.rekan.nip in html
    assert client.get("/").status_code == 302


@pytest.mark.django_db
def test_logout_ends_the_session(client, org):
    client.post("/masuk/", {"username": org.rekan.nip, "password": PASSWORD})
    resp = client.post("/keluar/")
    assert resp.status_code == 302 and resp["Location"].startswith("/masuk/")
    resp = client.get("/")
    assert resp.status_code == 302 and "/masuk/" in resp["Location"]
    assert client.get("/keluar/").status_code == 405  # logout only by POST (CSRF-protected)


@pytest.mark.django_db
def test_password_change_replaces_the_old_password(client, org):
    client.post("/masuk/", {"username": org.rekan.nip, "password": PASSWORD})
    assert client.get("/sandi/").status_code == 200
    bad = client.post(
        "/sandi/",
        {
            "old_password": "bukan",
            "new_password1": "Flobamora-2026!x",
            "new_password2": "Flobamora-2026!x",
        },
    )
    assert bad.status_code == 200 and "old_password" in bad.context["form"].errors
    resp = client.post(
        "/sandi/",
        {
            "old_password": PASSWORD,
            "new_password1": "Flobamora-2026!x",
            "new_password2": "Flobamora-2026!x",
        },
    )
    assert resp.status_code == 302 and resp["Location"] == "/sandi/selesai/"
    assert client.get("/sandi/selesai/").status_code == 200
    client.post("/keluar/")
    assert client.login(username=org.rekan.nip, password="Flobamora-2026!x")
    assert not client.login(username=org.rekan.nip, password=PASSWORD)


@pytest.mark.django_db
def test_password_change_refuses_a_weak_password(client, org):
    client.post("/masuk/", {"username": org.rekan.nip, "password": PASSWORD})
    resp = client.post(
        "/sandi/",
        {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert resp.status_code == 200 and "new_password2" in resp.context["form"].errors


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "visible", "hidden"),
    [
        (
            "pegawai",
            ["Data saya", "Pekerjaan saya"],
            ["Sebagai pejabat penilai", "Kemajuan siklus"],
        ),
        ("kasubbid", ["Data saya", "Sebagai pejabat penilai"], ["Kemajuan siklus"]),
        (
            "admin_a",
            ["Kemajuan siklus"],
            ["Data saya", "Pekerjaan saya", "Sebagai pejabat penilai"],
        ),
    ],
)
def test_home_page_shows_what_each_role_has(client_as, org, persona, visible, hidden):
    html = client_as(org.user(persona)).get("/").content.decode()
    for text in visible:
        assert text in html, text
    for text in hidden:
        assert f">{text}" not in html, text


@pytest.mark.django_db
def test_penilai_home_lists_exactly_the_people_they_rate(client_as, org):
    html = client_as(org.kasubbid.user).get("/").content.decode()
    assert org.pegawai.nama in html and org.rekan.nama in html
    assert org.staf_dinas.nama not in html


@pytest.mark.django_db
def test_admin_home_counts_only_their_instansi(client_as, org):
    # The admin's progress panel counts the pegawai of their own instansi only (B has two
    # active pegawai; A's units never appear).
    html = client_as(org.admin_b).get("/").content.decode()
    assert "(0 dari 2)" in html and "(0 dari 9)" not in html
    assert org.pegawai.unit_kerja.nama not in html
