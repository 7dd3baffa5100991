from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e


def test_pegawai_logs_in_with_nip_and_sees_her_penilai(e2e_org, login, shot, live_server):
    page = login(e2e_org.pegawai.user)
    assert page.locator("#data-saya").is_visible()
    text = page.inner_text("#data-saya")
    assert e2e_org.pegawai.nip in text
    assert e2e_org.kasubbid.nama in text
    shot("beranda-pegawai")


def test_wrong_password_is_refused_in_bahasa_indonesia(e2e_org, page, live_server):
    page.goto(f"{live_server.url}/masuk/")
    page.fill("#id_username", e2e_org.pegawai.nip)
    page.fill("#id_password", "salah-sekali")
    page.click("button[type=submit]")
    assert "/masuk/" in page.url
    assert "benar" in page.inner_text(".errors").lower()  # Django's Indonesian message
