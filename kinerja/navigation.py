"""Menus and home-page panels contributed by each stage, shown by role.

Each app registers its entries in its AppConfig.ready(); the kernel never imports a later stage.
Visibility here is cosmetic: the pages behind the links still ask the policy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from kinerja.policy import Actor


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    visible: Callable[[Actor], bool]
    order: int = 50


@dataclass(frozen=True)
class Panel:
    template: str
    visible: Callable[[Actor], bool]
    order: int = 50


NAV: list[NavItem] = []
PANELS: list[Panel] = []


def add_nav(label: str, url_name: str, visible: Callable[[Actor], bool], order: int = 50) -> None:
    if not any(i.url_name == url_name for i in NAV):
        NAV.append(NavItem(label, url_name, visible, order))
        NAV.sort(key=lambda i: i.order)


def add_panel(template: str, visible: Callable[[Actor], bool], order: int = 50) -> None:
    if not any(p.template == template for p in PANELS):
        PANELS.append(Panel(template, visible, order))
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


def is_pegawai(a: Actor) -> bool:
    return a.pegawai_id is not None


def is_penilai(a: Actor) -> bool:
    return bool(a.pegawai_id and a.dinilai_ids())


def is_admin(a: Actor) -> bool:
    return a.admin_instansi_id is not None or a.superuser
