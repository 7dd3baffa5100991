"""Demo organisation (placeholder until the foundation demo lands)."""

from __future__ import annotations

from typing import Any


def seed(*, pegawai: int, seed: int, out: Any) -> dict:
    return {}


def print_logins(ctx: dict, out: Any) -> None:
    out.write("Data contoh belum tersedia.\n")
