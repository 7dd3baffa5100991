"""A URL reversed once for many rows: `reverse()` with a sentinel id in each slot a row fills,
cut around the sentinels. The hot pages draw hundreds of row links; reversing each costs more
than the rest of the row (skp rows, the SKP page's links, the team page).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.urls import get_script_prefix, get_urlconf, reverse

# Ids no row has; slot i gets SENTINEL + i (all the same length: none is part of another).
SENTINEL = 918273645546372819
ISI = None  # marks a slot the caller fills per row


def pola(name: str, args: tuple = ()) -> tuple[str, ...] | None:
    """The parts of `reverse(name, args=...)` around each `ISI` slot of `args` (the other args
    fixed), unescaped: k slots give k + 1 parts. None when a fixed arg contains a sentinel (then
    reverse per row). Cached per name, args, script prefix and URLconf, which reverse() reads."""
    return _pola(name, args, get_script_prefix(), get_urlconf())


@lru_cache(maxsize=512)
def _pola(name: str, args: tuple, _prefix: str, _urlconf: Any) -> tuple[str, ...] | None:
    slots = [i for i, a in enumerate(args) if a is ISI]
    isi = list(args)
    for k, i in enumerate(slots):
        isi[i] = SENTINEL + k
    bagian = [reverse(name, args=isi)]
    for k in range(len(slots)):
        *awal, akhir = bagian
        potong = akhir.split(str(SENTINEL + k))
        if len(potong) != 2:
            return None
        bagian = [*awal, *potong]
    return tuple(bagian)
