"""Reminders (issue 6). Each reminder kind is a function returning how many it sent."""

from __future__ import annotations


def jalankan_semua() -> int:
    return 0
