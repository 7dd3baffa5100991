"""Walk the app as one persona in a real browser and check every page on the way.

One crawl per persona: log in, open every entry of the persona's menu and every page linked
from those pages (one level deep), and check each page at once for what issue 17 asks of all
of them: it answers 200, it is never wider than a 390 px phone, axe-core finds no serious or
critical violation, and no raw code or browser English reaches the screen. Used by the crawl
test (tests/e2e/test_jelajah.py) and by `make screenshots` (scripts/screenshots.py), which
takes a picture of each page at desktop and phone width on the same walk.

Pages of one shape (`/skp/12/` and `/skp/13/`) are rendered and checked once; every distinct
link still has its status checked by a plain request with the persona's cookies, which is what
"every link answers 200 for whoever sees it" needs without rendering hundreds of pages.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

# Words that must never reach a user's screen: job and module names, infrastructure, Python
# values, the browser's own English. Instansi codes where a name belongs are passed per run.
TERLARANG: tuple[str, ...] = (
    "kinerja.email_notifikasi",
    "evaluasi.pdf",
    "skp.pdf",
    "Celery",
    "Redis",
    "Traceback",
    "Please fill out this field",
    "Choose File",
    "No file chosen",
    "This field is required",
)
# Regular expressions of the same kind: a dotted job name, a Python literal shown as text.
TERLARANG_RE: tuple[str, ...] = (
    r"\b(?:kinerja|skp|dialog|evaluasi)\.[a-z]+_[a-z_]+\b",
    r"\bNone\b",
    r"\bTrue\b|\bFalse\b",
)

# Never followed: leaving, the admin site, the API, files, and the public verification pages
# (checked by their own tests).
LEWATI = re.compile(
    r"^/(?:keluar|admin|api|static|media|verifikasi)/|\.(?:pdf|xlsx|csv|zip|png|jpe?g)$"
)

UKUR = """() => ({
  lebar: document.documentElement.scrollWidth,
  layar: window.innerWidth,
  teks: document.body ? document.body.innerText : "",
  // Forms that would show the browser's English messages: a constraint without novalidate.
  validasi: [...document.querySelectorAll("form:not([novalidate])")].filter(f =>
    f.querySelector("[required],[pattern],[min],[max],[minlength],input[type=email],input[type=url],input[type=number]")
  ).map(f => f.getAttribute("action") || "(form)"),
  // A file input the browser draws itself ("Choose File"): visible and not ours.
  berkas: [...document.querySelectorAll("input[type=file]")].filter(i => {
    const r = i.getBoundingClientRect(); return r.width > 2 && r.height > 2;
  }).map(i => i.name),
  // Inputs without a label a screen reader can say.
  tanpaLabel: [...document.querySelectorAll("input:not([type=hidden]),select,textarea")].filter(i =>
    !(i.labels && i.labels.length) && !i.getAttribute("aria-label") && !i.getAttribute("aria-labelledby") && !i.title
  ).map(i => i.name || i.id || i.type),
})"""

TAUTAN = """() => [...document.querySelectorAll("main a[href], nav.mainnav a[href]")]
  .filter(a => !a.hasAttribute("download"))
  .map(a => a.getAttribute("href"))"""


@dataclass
class Temuan:
    url: str
    jenis: str
    rincian: str

    def __str__(self) -> str:
        return f"{self.url}: {self.jenis}: {self.rincian}"


@dataclass
class Hasil:
    halaman: list[str] = field(default_factory=list)  # rendered and checked
    tautan: int = 0  # distinct links whose status was checked
    temuan: list[Temuan] = field(default_factory=list)
    foto: list[Path] = field(default_factory=list)


def bentuk(url: str) -> str:
    """A page's shape: numbers in the path are one kind of page, and the query (a year, a
    window, a filter, a page number) shows the same page with other rows."""
    return re.sub(r"/\d+(?=/|$)", "/N", urlsplit(url).path)


def nama_berkas(url: str) -> str:
    parts = urlsplit(url)
    teks = (parts.path + ("_" + parts.query if parts.query else "")).strip("/")
    return re.sub(r"[^A-Za-z0-9]+", "_", teks).strip("_") or "beranda"


class Penjelajah:
    """Crawl as the user logged in on `page` (a Playwright sync Page)."""

    def __init__(
        self,
        page,
        base_url: str,
        *,
        lebar: int = 390,
        terlarang: Iterable[str] = (),
        axe: bool = True,
        foto: Path | None = None,
        foto_awalan: str = "",
        lebar_foto: Iterable[int] = (),
        batas: int = 120,
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.page = page
        self.base = base_url.rstrip("/")
        self.lebar = lebar
        self.terlarang = tuple(TERLARANG) + tuple(terlarang)
        self.pola = [re.compile(p) for p in TERLARANG_RE]
        self.axe = _axe() if axe else None
        self.foto = foto
        self.foto_awalan = foto_awalan
        self.lebar_foto = tuple(lebar_foto)
        self.batas = batas
        self.log = log or (lambda s: None)

    # --- the walk -------------------------------------------------------------------------
    def masuk(self, username: str, password: str) -> None:
        self.page.context.clear_cookies()
        self.page.set_viewport_size({"width": self.lebar, "height": 800})
        self.page.goto(f"{self.base}/masuk/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", password)
        self.page.click("button[type=submit]")
        self.page.wait_for_url(f"{self.base}/")

    def jelajah(self, awal: Iterable[str] = ("/",)) -> Hasil:
        hasil = Hasil()
        self.page.goto(f"{self.base}/")
        menu = ["/", *awal, *self._tautan()]
        menu = list(dict.fromkeys(u for u in (self._lokal(x) for x in menu) if u))
        dilihat: set[str] = set()
        diperiksa: set[str] = set()
        tingkat1: list[str] = []
        for url in menu:
            if bentuk(url) in dilihat:
                continue
            dilihat.add(bentuk(url))
            tautan = self._periksa(url, hasil)
            diperiksa.add(url)
            tingkat1.extend(tautan)
        for url in dict.fromkeys(tingkat1):
            if url in diperiksa:
                continue
            diperiksa.add(url)
            if bentuk(url) in dilihat or len(hasil.halaman) >= self.batas:
                self._status(url, hasil)
            else:
                dilihat.add(bentuk(url))
                self._periksa(url, hasil)
        if len(hasil.halaman) >= self.batas:
            self.log(f"batas {self.batas} halaman tercapai")
        return hasil

    # --- one page -------------------------------------------------------------------------
    def _periksa(self, url: str, hasil: Hasil) -> list[str]:
        """Render one page, check everything, return the links on it."""
        self.log(url)
        self.page.set_viewport_size({"width": self.lebar, "height": 800})
        try:
            resp = self.page.goto(self.base + url)
        except Exception as exc:  # noqa: BLE001 - a download (attachment) is not a page
            if "Download is starting" not in str(exc):
                raise
            self._status(url, hasil)
            return []
        hasil.tautan += 1
        status = resp.status if resp else 0
        jenis = (resp.headers.get("content-type", "") if resp else "").split(";")[0]
        if status != 200:
            hasil.temuan.append(Temuan(url, "status", str(status)))
            return []
        if jenis != "text/html":
            return []
        self.page.wait_for_load_state("networkidle")
        hasil.halaman.append(url)
        m = self.page.evaluate(UKUR)
        if m["lebar"] > m["layar"]:
            hasil.temuan.append(Temuan(url, "lebar", f"{m['lebar']} px > {m['layar']} px"))
        for kata in self.terlarang:
            if kata in m["teks"]:
                hasil.temuan.append(Temuan(url, "teks", kata))
        for pola in self.pola:
            cocok = pola.search(m["teks"])
            if cocok:
                hasil.temuan.append(Temuan(url, "teks", cocok.group(0)))
        for aksi in m["validasi"]:
            hasil.temuan.append(Temuan(url, "validasi-browser", aksi))
        for nama in m["berkas"]:
            hasil.temuan.append(Temuan(url, "berkas-polos", nama))
        for nama in m["tanpaLabel"]:
            hasil.temuan.append(Temuan(url, "tanpa-label", nama))
        if self.axe is not None:
            for v in self._axe_serius():
                hasil.temuan.append(Temuan(url, "axe", v))
        tautan = [u for u in (self._lokal(h) for h in self._tautan()) if u]
        self._foto(url, hasil)
        return tautan

    def _status(self, url: str, hasil: Hasil) -> None:
        hasil.tautan += 1
        r = self.page.request.get(self.base + url, max_redirects=5)
        if r.status != 200:
            hasil.temuan.append(Temuan(url, "status", str(r.status)))

    def _axe_serius(self) -> list[str]:
        hasil = self.axe.run(self.page).response
        return [
            f"{v['id']} ({v['impact']}): {v['nodes'][0]['html'][:160]}"
            for v in hasil.get("violations", [])
            if v.get("impact") in ("serious", "critical")
        ]

    def _foto(self, url: str, hasil: Hasil) -> None:
        if self.foto is None:
            return
        self.foto.mkdir(parents=True, exist_ok=True)
        for lebar in self.lebar_foto or (self.lebar,):
            self.page.set_viewport_size({"width": lebar, "height": 800})
            self.page.wait_for_timeout(150)
            path = self.foto / f"{self.foto_awalan}{nama_berkas(url)}-{lebar}.png"
            self.page.screenshot(path=str(path), full_page=True)
            hasil.foto.append(path)
        self.page.set_viewport_size({"width": self.lebar, "height": 800})

    def _tautan(self) -> list[str]:
        return self.page.evaluate(TAUTAN)

    def _lokal(self, href: str | None) -> str | None:
        """The path (and query) of a same-site link worth following, or None."""
        if not href or href.startswith(("#", "mailto:", "tel:", "javascript:")):
            return None
        mutlak = urljoin(self.page.url, href)
        if not mutlak.startswith(self.base + "/"):
            return None
        parts = urlsplit(mutlak)
        if LEWATI.search(parts.path):
            return None
        return parts.path + ("?" + parts.query if parts.query else "")


def _axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()
