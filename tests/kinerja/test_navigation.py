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
