"""What every part of the bench shares: a row of the table, the options, a rolled-back block."""

from __future__ import annotations

import contextlib
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from django.conf import settings
from django.db import transaction

BASE_DIR = Path(settings.BASE_DIR)


warnings.filterwarnings("ignore", message="No directory at")


QUEUE = "kinerja-bench"


class _Rollback(Exception):
    pass


@contextlib.contextmanager
def rolled_back() -> Iterator[None]:
    """Run a block in a transaction that is always rolled back (the bench leaves data as found)."""
    try:
        with transaction.atomic():
            yield
            raise _Rollback
    except _Rollback:
        pass


@dataclass
class Row:
    key: str
    work: str
    goal: str = ""
    kinerja: str = ""
    limit: str = ""
    ratio: str = ""
    ok: bool | None = None
    note: str = ""
    profile: str = ""

    def belum(self, reason: str) -> Row:
        self.kinerja = f"belum diukur: {reason}"
        self.limit = self.ratio = ""
        self.ok = None
        return self

    @property
    def measured(self) -> bool:
        return not self.kinerja.startswith("belum diukur") and bool(self.kinerja)

    @property
    def status(self) -> str:
        if not self.measured:
            return "—"
        if self.ok is None:
            return "dilaporkan"
        return "tercapai" if self.ok else "TIDAK tercapai"


@dataclass
class Options:
    pegawai: int = 100_000
    seed: int = 2026
    wrk_seconds: float = 10.0
    wrk_connections: int = 4
    bulk_limit: int = 0  # 0: the whole unit
    # Final evaluations (whole units) in the close measured on 1 and 2 worker processes;
    # 0: 1,000, or twice bulk_limit when that is set (the tiny bench); negative: not measured.
    close_limit: int = 0
    import_rows: int = 10_000
    pdf_repeat: int = 9
    redis_url: str = ""
    results: Path | None = None
    reset: bool = True  # drop and recreate a bench database whose data does not match
    profile: bool = True
    out: TextIO = sys.stdout
    # Which parts run (tutup, halaman, tanpa_cache, januari, nginx, query, pdf, impor,
    # restrukturisasi, sinkron); empty: all.
    # `manage.py bench --parts sinkron` (BENCH_PARTS) or, e.g. only the close:
    # runner.run(runner.Options(parts=("tutup",), results=None, ...)) from `manage.py shell`.
    parts: tuple[str, ...] = ()


def _say(opts: Options, msg: str) -> None:
    opts.out.write(f"[bench] {msg}\n")
    opts.out.flush()


def _fmt_s(sec: float) -> str:
    return f"{sec:.2f} s" if sec >= 0.995 else f"{sec * 1000:.0f} ms"


def _timed(fn: Callable[[], Any]) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def _trim(text: str, n: int) -> str:
    lines = [ln for ln in text.splitlines() if ln.strip()]
    return "\n".join(lines[:n]) + ("\n..." if len(lines) > n else "")
