"""Menus and home-page panels contributed by each stage, shown by role.

Each app registers its entries in its AppConfig.ready(); the kernel never imports a later stage.
Visibility here is cosmetic: the pages behind the links still ask the policy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from kinerja.policy import Actor


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    visible: Callable[[Actor], bool]
    order: int = 50
    grup: str = ""  # a key of GRUP; empty: by order


# The menu is a few groups (a disclosure each) so that it fits one line on a phone; an entry
# belongs to the group of its order range unless it names one. A group of one entry shows as a
# plain link.
GRUP: tuple[tuple[str, str, int], ...] = (
    # (key, label, first order of the group)
    ("perencanaan", "Perencanaan", 0),
    ("pemantauan", "Pemantauan", 30),
    ("evaluasi", "Evaluasi", 40),
    ("kelola", "Kelola", 90),
)


def grup_of(item: NavItem) -> str:
    if item.grup:
        return item.grup
    key = GRUP[0][0]
    for k, _label, mulai in GRUP:
        if item.order >= mulai:
            key = k
    return key


@dataclass(frozen=True)
class Panel:
    template: str
    visible: Callable[[Actor], bool]
    order: int = 50
    # What the template shows, read once for the page: konteks(user) -> dict (optional).
    konteks: Callable[[Any], dict] | None = None


NAV: list[NavItem] = []
PANELS: list[Panel] = []


def add_nav(
    label: str,
    url_name: str,
    visible: Callable[[Actor], bool],
    order: int = 50,
    grup: str = "",
) -> None:
    if not any(i.url_name == url_name for i in NAV):
        NAV.append(NavItem(label, url_name, visible, order, grup))
        NAV.sort(key=lambda i: i.order)


def add_panel(
    template: str,
    visible: Callable[[Actor], bool],
    order: int = 50,
    konteks: Callable[[Any], dict] | None = None,
) -> None:
    if not any(p.template == template for p in PANELS):
        PANELS.append(Panel(template, visible, order, konteks))
        PANELS.sort(key=lambda p: p.order)


def aktif_url(path: str, urls: Iterable[str]) -> str | None:
    """The one menu entry a page belongs to: the longest entry URL that is a prefix of the
    path ("/" only for the home page itself). /skp/matriks/3/ lights "Matriks peran-hasil",
    not also "SKP"."""
    terpilih: str | None = None
    for url in urls:
        cocok = path == url if url == "/" else path.startswith(url)
        if cocok and (terpilih is None or len(url) > len(terpilih)):
            terpilih = url
    return terpilih


def boleh(capability: str) -> Callable[[Actor], bool]:
    """A visibility test that asks the policy for one capability (kinerja.policy.may)."""
    from kinerja import policy

    def visible(a: Actor) -> bool:
        return policy.may(a, capability)

    visible.__name__ = f"boleh_{capability}"
    return visible


is_pegawai = boleh("pegawai")
is_penilai = boleh("menilai")
is_admin = boleh("kelola_instansi")
