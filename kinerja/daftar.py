"""Lists that scale: search, filters, sort, paging and a CSV/XLSX export, the same way on every
list page (issue 17, item 3). A view describes its columns and filters once; the page, its
htmx refresh and the export all read the same filtered queryset, so what is downloaded is what
is shown (every page of it). Every exported cell goes through kinerja.security.safe_cell.

    daftar = Daftar(
        request,
        qs,                                     # already scoped by the policy
        kolom=[Kolom("nama", "Nama", urut="pegawai__nama", nilai=lambda e: e.pegawai.nama), ...],
        cari=["pegawai__nama", "pegawai__nip"],
        saring=[Saring("status", "Status", Evaluasi.Status.choices)],
        urut_bawaan="pegawai__nama",
        nama_berkas="evaluasi-tim",
    )
    if (resp := daftar.ekspor()) is not None:
        return resp
    return render(request, "...", {"daftar": daftar})

The template shows `{% include "kinerja/partials/daftar_alat.html" %}` (search, filters,
export), sortable headers with `{% urut_kolom daftar "nama" %}`, the rows of `daftar.halaman`
and `{% include "kinerja/partials/daftar_halaman.html" %}` (pages). The table itself becomes
stacked cards on a phone (kinerja.js). A page costs a count and the page's rows: the same
queries for 5 rows or 500.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils.text import slugify

from kinerja.security import safe_cell

PER_HALAMAN = 25
BATAS_EKSPOR_XLSX = 50_000  # an xlsx is built in memory; larger lists go out as CSV


@dataclass(frozen=True)
class Kolom:
    """One column: its label, how to sort by it (an ORM path; None: not sortable) and the
    value it exports (default: the attribute `kunci` of the row, dotted paths allowed)."""

    kunci: str
    label: str
    urut: str | None = None
    nilai: Callable[[Any], Any] | None = None
    ekspor: bool = True
    # For a list read in Python: what to sort by, when not the shown value (a rank).
    urut_kunci: Callable[[Any], Any] | None = None

    def ambil(self, row: Any) -> Any:
        if self.nilai is not None:
            return self.nilai(row)
        return _dari(row, self.kunci)


def _dari(row: Any, kunci: str) -> Any:
    v: Any = row
    for bagian in kunci.split("."):
        v = v.get(bagian) if isinstance(v, dict) else getattr(v, bagian, None)
        if v is None:
            return None
    return v


@dataclass(frozen=True)
class Saring:
    """A filter: a GET parameter with a few choices. `terapkan(qs, nilai)` narrows the list;
    by default the parameter is a field of the queryset (`field=nilai`)."""

    kunci: str
    label: str
    pilihan: Sequence[tuple[str, str]]
    terapkan: Callable[[QuerySet, str], QuerySet] | None = None
    semua: str = "Semua"

    def saring(self, qs: QuerySet | list, nilai: str) -> QuerySet | list:
        if self.terapkan is not None:
            return self.terapkan(qs, nilai)
        if isinstance(qs, list):
            return [r for r in qs if str(_dari(r, self.kunci)) == nilai]
        return qs.filter(**{self.kunci: nilai})


@dataclass
class Daftar:
    """A list page's rows: a queryset (searched, filtered and sorted by the database), or a
    list already read by a selector in a fixed number of queries (then searched, filtered and
    sorted in Python: `cari` holds functions row -> text, a column sorts by its value)."""

    request: HttpRequest
    qs: QuerySet | list
    kolom: Sequence[Kolom]
    cari: Sequence[str | Callable[[Any], str]] = ()
    saring: Sequence[Saring] = ()
    urut_bawaan: str = "pk"
    per_halaman: int = PER_HALAMAN
    nama_berkas: str = "daftar"
    # Parameters of the page that the list keeps in its links (year, window, ...).
    tetap: Sequence[str] = ()
    cari_label: str = "Cari nama atau NIP"
    _halaman: Page | None = field(default=None, init=False, repr=False)

    # --- what was asked ---------------------------------------------------------------------
    @property
    def q(self) -> str:
        return self.request.GET.get("q", "").strip()[:100]

    def nilai(self, kunci: str) -> str:
        return self.request.GET.get(kunci, "")

    @property
    def urut(self) -> str:
        """The sort asked (`nama` or `-nama`), if it names a sortable column."""
        u = self.request.GET.get("urut", "")
        kunci = u.removeprefix("-")
        return u if any(k.kunci == kunci and k.urut for k in self.kolom) else ""

    # --- the rows ------------------------------------------------------------------------------
    def tersaring(self) -> QuerySet | list:
        """The rows narrowed by the search and the filters, in the asked order."""
        if isinstance(self.qs, list):
            return self._tersaring_list()
        qs = self.qs
        if self.q and self.cari:
            cond = Q()
            for f in self.cari:
                lookup = f if "__" in f and f.rsplit("__", 1)[1] in _LOOKUPS else f"{f}__icontains"
                cond |= Q(**{lookup: self.q})
            qs = qs.filter(cond)
        for s in self.saring:
            v = self.nilai(s.kunci)
            if v and v in {k for k, _ in s.pilihan}:
                qs = s.saring(qs, v)
        return qs.order_by(*self._urutan())

    def _tersaring_list(self) -> list:
        rows = list(self.qs)
        if self.q and self.cari:
            q = self.q.casefold()
            rows = [
                r
                for r in rows
                if any(
                    q in str((f(r) if callable(f) else _dari(r, f)) or "").casefold()
                    for f in self.cari
                )
            ]
        for s in self.saring:
            v = self.nilai(s.kunci)
            if v and v in {k for k, _ in s.pilihan}:
                rows = s.saring(rows, v)
        u = self.urut
        if u:
            kol = next(k for k in self.kolom if k.kunci == u.removeprefix("-"))
            # Empty values last whichever way: a list sorted by predikat starts with the rated.
            nilai = kol.urut_kunci or kol.ambil
            kosong = [r for r in rows if nilai(r) in (None, "")]
            isi = [r for r in rows if nilai(r) not in (None, "")]
            isi.sort(key=lambda r: _kunci_urut(nilai(r)), reverse=u.startswith("-"))
            rows = isi + kosong
        return rows

    def _urutan(self) -> list[str]:
        u = self.urut
        if not u:
            return [self.urut_bawaan, "pk"]
        kol = next(k for k in self.kolom if k.kunci == u.removeprefix("-"))
        arah = "-" if u.startswith("-") else ""
        return [f"{arah}{kol.urut}", f"{arah}pk"]

    @property
    def halaman(self) -> Page:
        if self._halaman is None:
            paginator = Paginator(self.tersaring(), self.per_halaman)
            self._halaman = paginator.get_page(self.request.GET.get("page"))
        return self._halaman

    # --- links ---------------------------------------------------------------------------------
    def _param(self, **ganti: Any) -> str:
        p: dict[str, str] = {}
        for k in (*self.tetap, "q", *(s.kunci for s in self.saring), "urut", "page"):
            v = self.request.GET.get(k, "")
            if v:
                p[k] = v
        for k, v in ganti.items():
            if v in ("", None):
                p.pop(k, None)
            else:
                p[k] = str(v)
        return "?" + urlencode(p) if p else "?"

    def url_halaman(self, nomor: int) -> str:
        return self._param(page=nomor)

    def url_urut(self, kunci: str) -> str:
        """Sort by `kunci` ascending, or descending when it is already ascending."""
        baru = f"-{kunci}" if self.urut == kunci else kunci
        return self._param(urut=baru, page="")

    def url_ekspor(self, format: str) -> str:
        return self._param(ekspor=format, page="")

    @property
    def url_ekspor_xlsx(self) -> str:
        return self.url_ekspor("xlsx")

    @property
    def url_ekspor_csv(self) -> str:
        return self.url_ekspor("csv")

    @property
    def url_halaman_ini(self) -> str:
        """This view of the list (search, filters, sort, page): where a form on it returns."""
        return self._param()

    @property
    def url_pertama(self) -> str:
        return self._param(page="")

    @property
    def parameter_tetap(self) -> list[tuple[str, str]]:
        """Hidden inputs of the search form: what the page keeps (year, window, sort)."""
        return [(k, self.request.GET[k]) for k in (*self.tetap, "urut") if self.request.GET.get(k)]

    @property
    def ada_saringan(self) -> bool:
        return bool(self.q or any(self.nilai(s.kunci) for s in self.saring))

    @property
    def url_bersih(self) -> str:
        p = {k: self.request.GET[k] for k in self.tetap if self.request.GET.get(k)}
        return "?" + urlencode(p) if p else "?"

    @property
    def saringan(self) -> list[dict[str, Any]]:
        return [
            {
                "kunci": s.kunci,
                "label": s.label,
                "semua": s.semua,
                "pilihan": [(k, lbl, self.nilai(s.kunci) == k) for k, lbl in s.pilihan],
            }
            for s in self.saring
        ]

    # --- export --------------------------------------------------------------------------------
    def ekspor(self) -> HttpResponse | None:
        """The whole filtered list as CSV or XLSX when `?ekspor=csv|xlsx` was asked, else None."""
        format = self.request.GET.get("ekspor", "")
        if format not in ("csv", "xlsx"):
            return None
        kolom = [k for k in self.kolom if k.ekspor]
        rows = self.tersaring()
        nama = slugify(self.nama_berkas) or "daftar"
        if isinstance(rows, list):
            return _xlsx(nama, kolom, rows) if format == "xlsx" else _csv(nama, kolom, rows)
        if format == "xlsx" and rows.count() <= BATAS_EKSPOR_XLSX:
            return _xlsx(nama, kolom, rows.iterator(chunk_size=2000))
        return _csv(nama, kolom, rows.iterator(chunk_size=2000))


_LOOKUPS = {"exact", "iexact", "startswith", "istartswith", "icontains", "contains"}


def _kunci_urut(v: Any) -> Any:
    # Numbers by value, text without regard to case; mixed kinds never compared.
    if isinstance(v, int | float):
        return (0, v, "")
    return (1, 0, str(v).casefold())


def _baris(kolom: Sequence[Kolom], rows: Iterable[Any]) -> Iterable[list[Any]]:
    yield [k.label for k in kolom]
    for r in rows:
        yield [safe_cell(_teks(k.ambil(r))) for k in kolom]


def _teks(v: Any) -> Any:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "ya" if v else "tidak"
    if hasattr(v, "_meta"):  # a model row: its name
        return str(v)
    return v


class _Gema:
    def write(self, value: str) -> str:
        return value


def _csv(nama: str, kolom: Sequence[Kolom], rows: Iterable[Any]) -> StreamingHttpResponse:
    # Streamed: a list of 100,000 rows never sits in memory. A BOM so Excel reads UTF-8.
    tulis = csv.writer(_Gema())

    def isi() -> Iterable[str]:
        yield "\ufeff"
        for b in _baris(kolom, rows):
            yield tulis.writerow(b)

    resp = StreamingHttpResponse(isi(), content_type="text/csv; charset=utf-8")
    resp["Content-Disposition"] = f'attachment; filename="{nama}.csv"'
    return resp


def _xlsx(nama: str, kolom: Sequence[Kolom], rows: Iterable[Any]) -> HttpResponse:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(nama[:31] or "daftar")
    for b in _baris(kolom, rows):
        ws.append(b)
    buf = io.BytesIO()
    wb.save(buf)
    resp = HttpResponse(
        buf.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    resp["Content-Disposition"] = f'attachment; filename="{nama}.xlsx"'
    return resp
