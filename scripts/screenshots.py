"""`make screenshots`: the whole product in one folder, for a reviewer to see in a minute.

Runs after `make run`'s setup (the SQLite database with the demo): starts the app on a free
port, logs in as each persona of the demo, walks their menu and the pages one link away
(scripts/jelajah.py, one page per kind) and photographs each at desktop and phone width; renders
an SKP and an evaluation document as PDF and rasterises their pages with pdftoppm. Everything
lands in one folder (default `screenshots/`, gitignored) with an index.html that shows it all.

    make screenshots                        # or:
    .venv/bin/python scripts/screenshots.py --keluar /tmp/galeri --persona pegawai,admin
"""

from __future__ import annotations

import argparse
import contextlib
import html
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# The demo's logins, in the order a reviewer meets them (kinerja/demo.py ROLES).
PERSONA = {
    "pegawai": "Pegawai (PPPK, pelaksana)",
    "kasubbid": "Pejabat penilai (Kasubbid)",
    "kabid": "Atasan pejabat penilai (Kabid)",
    "fungsional": "Ketua tim (JF Analis SDM)",
    "kepala_bkd": "Kepala BKD (JPT Pratama)",
    "admin": "Admin BKD",
}


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tunggu(url: str, detik: float = 60) -> None:
    akhir = time.monotonic() + detik
    while time.monotonic() < akhir:
        with contextlib.suppress(OSError):
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 - our own server on loopback
            return
        time.sleep(0.5)
    raise SystemExit(f"Server tidak menjawab di {url}")


def _chromium() -> str | None:
    for path in ("/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if os.path.exists(path):
            return path
    return None  # Playwright's own, when installed


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--keluar", default=str(ROOT / "screenshots"))
    ap.add_argument("--persona", default=",".join(PERSONA))
    ap.add_argument("--lebar", default="1280,390")
    ap.add_argument("--batas", type=int, default=40, help="halaman per persona")
    ap.add_argument("--readme", default="", help="folder for the README's four pictures")
    args = ap.parse_args()
    keluar = Path(args.keluar)
    shutil.rmtree(keluar, ignore_errors=True)
    keluar.mkdir(parents=True)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kinerja.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    from kinerja import demo

    ctx = demo.seed()  # idempotent: reads the personas `make run` created
    pilih = [p for p in args.persona.split(",") if p in PERSONA]
    lebar = tuple(int(w) for w in args.lebar.split(","))

    port = _port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env={**os.environ, "KINERJA_SITE_URL": base},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    galeri: dict[str, list[Path]] = {}
    try:
        _tunggu(f"{base}/masuk/")
        from playwright.sync_api import sync_playwright

        from scripts.jelajah import Penjelajah

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=_chromium())
            for persona in pilih:
                obj = ctx[persona]
                username = obj.username if persona == "admin" else obj.user.username
                page = browser.new_context(locale="id-ID", timezone_id="Asia/Jakarta").new_page()
                j = Penjelajah(
                    page,
                    base,
                    lebar=min(lebar),
                    axe=False,
                    foto=keluar / persona,
                    lebar_foto=lebar,
                    batas=args.batas,
                    log=lambda url, persona=persona: print(f"{persona}: {url}", flush=True),
                )
                j.masuk(username, demo.PASSWORD)
                galeri[persona] = j.jelajah().foto
                page.context.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=20)
    galeri["pdf"] = _pdf(ctx, keluar / "pdf")
    _indeks(keluar, galeri)
    if args.readme:
        _readme(keluar, Path(args.readme))
    n = sum(len(v) for v in galeri.values())
    print(f"{n} gambar di {keluar}/ (buka {keluar}/index.html)")
    return 0


def _pdf(ctx: dict, folder: Path) -> list[Path]:
    """An SKP and an evaluation document as the pegawai would download them, page by page."""
    from evaluasi.dokumen import evaluasi_pdf_render
    from evaluasi.models import Evaluasi
    from kinerja.verifikasi import verifikasi_konteks
    from skp.dokumen import skp_pdf_render
    from skp.models import SKP

    folder.mkdir(parents=True, exist_ok=True)
    berkas: list[tuple[str, bytes]] = []
    skp = (
        SKP.objects.filter(pegawai__in=[ctx["kasubbid"], ctx["pegawai"]], status="disetujui")
        .order_by("-versi")
        .first()
    )
    if skp is not None:
        berkas.append(("skp", skp_pdf_render(skp, verifikasi_konteks())))
    ev = (
        Evaluasi.objects.filter(pegawai=ctx["pegawai"], status="final")
        .order_by("-periode__tahun", "-jenis", "-urutan")
        .first()
    )
    if ev is not None:
        berkas.append(("evaluasi", evaluasi_pdf_render(ev)[0]))
    out = []
    for nama, data in berkas:
        pdf = folder / f"{nama}.pdf"
        pdf.write_bytes(data)
        if shutil.which("pdftoppm"):
            subprocess.run(  # noqa: S603,S607 - poppler-utils on PATH
                ["pdftoppm", "-png", "-r", "80", str(pdf), str(folder / nama)], check=True
            )
            out += sorted(folder.glob(f"{nama}-*.png"))
        else:
            print("pdftoppm tidak ada (apt install poppler-utils): PDF disimpan tanpa gambar")
    return out


# The README's four: (picture in the gallery, name under docs/, width, height kept).
README = (
    ("kasubbid/beranda-1280.png", "beranda-penilai.png", 760, 900),
    ("admin/beranda-1280.png", "kemajuan-admin.png", 760, 820),
    ("pegawai/beranda-390.png", "beranda-pegawai-ponsel.png", 300, 640),
    ("kasubbid/evaluasi_tim-390.png", "evaluasi-tim-ponsel.png", 300, 640),
)


def _readme(keluar: Path, folder: Path) -> None:
    """Small copies of four gallery pictures for the README (top of the page, 256 colours)."""
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    for sumber, nama, lebar, tinggi in README:
        path = keluar / sumber
        if not path.exists():
            print(f"{sumber} tidak ada: {nama} tidak diperbarui")
            continue
        im = Image.open(path).convert("RGB")
        skala = lebar / im.width
        im = im.resize((lebar, round(im.height * skala)), Image.LANCZOS)
        im = im.crop((0, 0, lebar, min(tinggi, im.height)))
        im.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(folder / nama, optimize=True)


def _indeks(keluar: Path, galeri: dict[str, list[Path]]) -> None:
    bagian = []
    for persona, foto in galeri.items():
        judul = PERSONA.get(persona, "Dokumen PDF")
        isi = "".join(
            f'<figure><a href="{html.escape(str(f.relative_to(keluar)))}">'
            f'<img loading="lazy" src="{html.escape(str(f.relative_to(keluar)))}" alt=""></a>'
            f"<figcaption>{html.escape(f.stem)}</figcaption></figure>"
            for f in foto
        )
        bagian.append(f"<h2>{html.escape(judul)}</h2><div class=g>{isi}</div>")
    (keluar / "index.html").write_text(
        "<!doctype html><meta charset=utf-8><title>Kinerja: galeri</title><style>"
        "body{font-family:sans-serif;margin:1rem}.g{display:flex;flex-wrap:wrap;gap:1rem}"
        "figure{margin:0;width:220px}img{width:220px;height:260px;object-fit:cover;"
        "object-position:top;border:1px solid #ccc}figcaption{font-size:12px;"
        "overflow-wrap:anywhere}</style><h1>Kinerja: setiap halaman setiap persona</h1>"
        + "".join(bagian),
        encoding="utf-8",
    )


if __name__ == "__main__":
    raise SystemExit(main())
