"""The top menu in a real browser: its own row under the brand, one active entry, and on a
phone one sideways-scrolling line (it used to wrap into a block nine lines tall) with the
active entry brought into view."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e

UKUR = """() => {
  const nav = document.querySelector("nav.mainnav");
  const links = [...nav.querySelectorAll("a")];
  const aktif = nav.querySelector("a.aktif");
  const n = nav.getBoundingClientRect(), a = aktif.getBoundingClientRect();
  return {
    baris: new Set(links.map(l => Math.round(l.getBoundingClientRect().top))).size,
    aktif: [...nav.querySelectorAll("a.aktif")].map(l => l.textContent),
    navAtas: n.top,
    brandBawah: document.querySelector(".brand").getBoundingClientRect().bottom,
    aktifTerlihat: a.left >= n.left - 1 && a.right <= n.right + 1,
    halamanLebar: document.documentElement.scrollWidth,
    tinggiTopbar: document.querySelector(".topbar").getBoundingClientRect().height,
  };
}"""


def test_menu_has_its_row_one_active_entry_and_scrolls_on_a_phone(
    e2e_org, login, shot, live_server
):
    page = login(e2e_org.kasubbid.user)  # a penilai: the longest menu (16 entries)
    for lebar, path, label in (
        (1280, "/skp/matriks/", "Matriks peran-hasil"),
        (390, "/skp/matriks/", "Matriks peran-hasil"),
        (390, "/evaluasi/tim/", "Evaluasi tim"),  # far right of the strip
    ):
        page.set_viewport_size({"width": lebar, "height": 640})
        page.goto(f"{live_server.url}{path}")
        m = page.evaluate(UKUR)
        assert m["aktif"] == [label], m
        assert m["navAtas"] >= m["brandBawah"] - 1, m  # never a block beside the brand
        assert m["halamanLebar"] <= lebar, m  # the page itself never scrolls sideways
        if lebar < 900:
            assert m["baris"] == 1 and m["aktifTerlihat"], m
            assert m["tinggiTopbar"] < 110, m
        else:
            assert m["baris"] <= 2, m
        shot(f"navigasi_{lebar}_{label.split()[0].lower()}")
