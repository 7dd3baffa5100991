"""No module over 800 lines outside migrations and tests (style.md #1): split by noun first."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BATAS = 800
ABAIKAN = {".venv", ".git", "tests", "migrations", "node_modules", "test-results", "staticfiles"}


def modules() -> list[Path]:
    return [p for p in ROOT.rglob("*.py") if not ABAIKAN & set(p.relative_to(ROOT).parts[:-1])]


def test_the_scan_sees_every_app_and_the_bench():
    seen = {p.relative_to(ROOT).parts[0] for p in modules()}
    assert {"kinerja", "skp", "dialog", "evaluasi", "bench"} <= seen
    parts = [set(p.relative_to(ROOT).parts) for p in modules()]
    assert not any({"migrations", "tests"} & ps for ps in parts)


def test_no_module_is_over_800_lines():
    panjang = {
        p.relative_to(ROOT).as_posix(): n
        for p in modules()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > BATAS
    }
    assert not panjang, f"Modules over {BATAS} lines (split them by noun): {panjang}"
