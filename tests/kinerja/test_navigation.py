"""The menu's active entry: the longest entry URL that prefixes the path wins, so exactly one
entry is lit (before, /skp/matriks/ lit both "SKP" and "Matriks peran-hasil")."""

from __future__ import annotations

import re

import pytest

from kinerja.navigation import aktif_url

URLS = ["/", "/skp/", "/skp/persetujuan/", "/skp/matriks/", "/dialog/umpan-balik/"]


@pytest.mark.parametrize(
    ("path", "aktif"),
    [
        ("/", "/"),
        ("/skp/", "/skp/"),
        ("/skp/12/", "/skp/"),
        ("/skp/matriks/", "/skp/matriks/"),
        ("/skp/matriks/3/sel/", "/skp/matriks/"),
        ("/skp/persetujuan/", "/skp/persetujuan/"),
        ("/dialog/umpan-balik/7/", "/dialog/umpan-balik/"),
        ("/dialog/penugasan/", None),  # "/" is the home page only, never a prefix
        ("/skpx/", None),
    ],
)
def test_longest_matching_prefix_wins(path, aktif):
    assert aktif_url(path, URLS) == aktif
    assert aktif_url(path, list(reversed(URLS))) == aktif  # whatever the menu order


def _aktif(html: str) -> list[str]:
    return re.findall(
        r'class="navlink aktif" aria-current="page">(?:<svg.*?</svg>)?(?:<span class="navlabel">)?([^<]+)<',
        html,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "label"),
    [
        ("/", "Beranda"),
        ("/skp/", "SKP"),
        ("/skp/matriks/", "Matriks peran-hasil"),
        ("/skp/persetujuan/", "Persetujuan SKP"),
        ("/dialog/umpan-balik/", "Umpan balik"),
    ],
)
def test_exactly_one_menu_entry_is_active(org, client_as, path, label):
    html = client_as(org.kasubbid.user).get(path).content.decode()
    assert _aktif(html) == [label]


@pytest.fixture
def _menu_dihitung(monkeypatch):
    """Counts the menu renders (kinerja_nav keeps each menu's HTML per roles and active entry)."""
    from kinerja.templatetags import kinerja_nav

    kinerja_nav._menu_html.clear()
    kinerja_nav._menu_tautan.clear()
    asli, n = kinerja_nav.render_to_string, []

    def hitung(*args, **kwargs):
        n.append(args[0])
        return asli(*args, **kwargs)

    monkeypatch.setattr(kinerja_nav, "render_to_string", hitung)
    return n


@pytest.mark.django_db
def test_menu_is_rendered_once_per_roles_and_active_entry(org, client, _menu_dihitung):
    # Two pegawai with the same roles on the same page: one render, the same menu.
    client.force_login(org.user("pegawai"))
    first = client.get("/skp/").content.decode()
    client.force_login(org.user("rekan"))
    second = client.get("/skp/").content.decode()
    assert len(_menu_dihitung) == 1
    assert _aktif(first) == _aktif(second) == ["SKP"]
    # Another active entry, or other roles: rendered for them, each with its own marks.
    assert _aktif(client.get("/").content.decode()) == ["Beranda"]
    client.force_login(org.kasubbid.user)
    penilai = client.get("/skp/persetujuan/").content.decode()
    assert _aktif(penilai) == ["Persetujuan SKP"] and len(_menu_dihitung) == 3
