"""The top menu in a real browser: Beranda and a few groups under the brand, one active entry
(its group marked), on a phone one line that fits (it used to be a 15-entry sideways strip),
and usable with the keyboard alone (Tab to a group, Enter opens it, Escape closes it)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e

UKUR = """() => {
  const nav = document.querySelector("nav.mainnav");
  const puncak = [...nav.querySelectorAll(".menu > li")];
  return {
    baris: new Set(puncak.map(l => Math.round(l.getBoundingClientRect().top))).size,
    aktif: [...nav.querySelectorAll("a.aktif")].map(l => l.textContent.trim()),
    grupAktif: [...nav.querySelectorAll("summary.aktif")].map(s => s.textContent.trim()),
    navAtas: nav.getBoundingClientRect().top,
    brandBawah: document.querySelector(".brand").getBoundingClientRect().bottom,
    halamanLebar: document.documentElement.scrollWidth,
    tinggiTopbar: document.querySelector(".topbar").getBoundingClientRect().height,
  };
}"""


def test_menu_is_grouped_one_active_entry_and_fits_a_phone(e2e_org, login, shot, live_server):
    page = login(e2e_org.kasubbid.user)  # a penilai and ketua tim: the longest menu
    for lebar, path, label, grup in (
        (1280, "/skp/matriks/", "Matriks peran-hasil", "Perencanaan"),
        (390, "/skp/matriks/", "Matriks peran-hasil", "Perencanaan"),
        (390, "/evaluasi/tim/", "Evaluasi tim", "Evaluasi"),
    ):
        page.set_viewport_size({"width": lebar, "height": 640})
        page.goto(f"{live_server.url}{path}")
        m = page.evaluate(UKUR)
        assert m["aktif"] == [label] and m["grupAktif"] == [grup], m
        assert m["navAtas"] >= m["brandBawah"] - 1, m  # never a block beside the brand
        assert m["halamanLebar"] <= lebar, m  # the page itself never scrolls sideways
        assert m["baris"] == 1, m  # Beranda and the groups on one line, also on a phone
        assert m["tinggiTopbar"] < 110, m
        # The group opens as a panel that stays on screen.
        page.locator("nav.mainnav summary", has_text=grup).click()
        panel = page.locator("nav.mainnav details[open] .menu-isi")
        kotak = panel.bounding_box()
        assert kotak["x"] >= 0 and kotak["x"] + kotak["width"] <= lebar, kotak
        assert panel.get_by_role("link", name=label, exact=True).get_attribute("aria-current") == (
            "page"
        )
        shot(f"navigasi_{lebar}_{label.split()[0].lower()}")
        page.keyboard.press("Escape")
        assert page.locator("nav.mainnav details[open]").count() == 0


def test_menu_works_with_the_keyboard_alone(e2e_org, login, live_server):
    page = login(e2e_org.pegawai.user)
    page.set_viewport_size({"width": 390, "height": 700})
    page.goto(f"{live_server.url}/")
    # Tab from the top: the skip link, the brand, Beranda, then the first group.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Lewati ke isi"
    for _ in range(3):
        page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # the second group: Pemantauan (SKP is a single link)
    assert page.evaluate("document.activeElement.textContent.trim()") == "Pemantauan"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # Umpan balik, then Penugasan
    assert page.evaluate("document.activeElement.textContent.trim()") == "Penugasan"
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/dialog/penugasan/")
    # Escape closes an open group and gives the focus back to it.
    page.locator("nav.mainnav summary", has_text="Pemantauan").focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.locator("nav.mainnav details[open]").count() == 1
    page.keyboard.press("Escape")
    assert page.locator("nav.mainnav details[open]").count() == 0
    assert page.evaluate("document.activeElement.textContent.trim()") == "Pemantauan"
