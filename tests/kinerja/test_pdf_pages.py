"""The issued PDFs looked at as pages: rasterised with poppler, each page checked for being
A4, carrying content, and keeping everything inside its margins (nothing cut at an edge).

The PNGs are kept under test-results/pdf/ so a person can look at them after a run.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from evaluasi.dokumen import evaluasi_pdf_render
from skp import services
from skp.dokumen import skp_pdf_render
from skp.selectors import skp_detail_qs
from tests.evaluasi.conftest import final
from tests.skp.factories import skp_diajukan

OUT = Path(__file__).resolve().parents[2] / "test-results" / "pdf"
A4 = 297 / 210


def _pages(pdf: bytes, name: str, tmp_path: Path) -> list[Image.Image]:
    assert shutil.which("pdftoppm"), "poppler-utils (pdftoppm) is required"
    src = tmp_path / f"{name}.pdf"
    src.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(src), str(tmp_path / name)], check=True)
    files = sorted(tmp_path.glob(f"{name}*.png"))
    OUT.mkdir(parents=True, exist_ok=True)
    for f in files:
        shutil.copy(f, OUT / f.name)
    return [Image.open(f).convert("L") for f in files]


def _ink(img: Image.Image, box: tuple[int, int, int, int]) -> float:
    """Share of non-white pixels in a box."""
    region = img.crop(box)
    hist = region.histogram()
    dark = sum(hist[:200])
    return dark / max(region.width * region.height, 1)


def _check(pages: list[Image.Image]) -> None:
    assert pages
    for i, img in enumerate(pages, start=1):
        w, h = img.size
        ratio = max(w, h) / min(w, h)
        assert abs(ratio - A4) < 0.02, f"halaman {i} bukan A4: {w}x{h}"
        assert _ink(img, (0, 0, w, h)) > 0.005, f"halaman {i} kosong"
        # Margins stay white: a table or text running past the page would ink them.
        edge = max(w // 60, 3)
        for box in ((0, 0, edge, h), (w - edge, 0, w, h)):
            assert _ink(img, box) < 0.002, f"halaman {i}: isi terpotong di tepi {box}"


@pytest.mark.django_db
def test_skp_pdf_pages_are_a4_with_content_inside_the_margins(org, tmp_path):
    skp = skp_diajukan(org, n_rhk=6)
    services.skp_setujui(skp=skp, user=org.kasubbid.user)
    skp = skp_detail_qs().get(pk=skp.pk)
    pdf = skp_pdf_render(skp, {"kode": "HALAMANUJI1", "url": "http://x/v/", "qr": ""})
    pages = _pages(pdf, "skp", tmp_path)
    assert len(pages) >= 2  # the lampiran has its own page
    _check(pages)


@pytest.mark.django_db
def test_evaluation_pdf_pages_are_a4_with_content_inside_the_margins(org, tmp_path):
    ev = final(org)
    pdf, _ = evaluasi_pdf_render(ev)
    pages = _pages(pdf, "evaluasi", tmp_path)
    _check(pages)
