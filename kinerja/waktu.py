"""The clock every dated rule asks (TMT, window ends), so tests can set "today" in one place."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

# Kinerja keeps periods from 2022 on (domain.md, Transition): a pegawai with no recorded change
# is taken to have held their position, and their penilai, since then.
MULAI_CATATAN = dt.date(2022, 1, 1)


def hari_ini() -> dt.date:
    return timezone.localdate()


def sekarang() -> dt.datetime:
    return timezone.now()
