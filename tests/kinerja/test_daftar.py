"""Lists that scale (kinerja/daftar.py and the lists built on it): search, filters, sort, paging
and export agree with each other; exported text is neutralised by safe_cell; every list costs
the same queries for 5 rows and 500."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from evaluasi.models import Evaluasi, KinerjaOrganisasi
from kinerja.daftar import Daftar, Kolom, Saring
from kinerja.models import Pegawai, UnitKerja
from skp.models import SKP
from tests.evaluasi.conftest import skp_disetujui

pytestmark = pytest.mark.django_db


def _baca_csv(resp) -> list[list[str]]:
    teks = b"".join(resp.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(teks)))


# --- the helper ------------------------------------------------------------------------------
def _daftar(get: dict, qs=None, **kw) -> Daftar:
    req = RequestFactory().get("/x/", get)
    return Daftar(
        req,
        qs if qs is not None else Pegawai.objects.select_related("jabatan"),
        kolom=[
            Kolom("nama", "Nama", urut="nama"),
            Kolom("nip", "NIP"),
            Kolom("jabatan", "Jabatan", urut="jabatan__nama"),
        ],
        cari=["nama", "nip__startswith"],
        saring=[Saring("jenis_asn", "Jenis ASN", Pegawai.JenisASN.choices)],
        urut_bawaan="nama",
        per_halaman=2,
        **kw,
    )


def test_search_filter_sort_and_paging_work_together(org):
    semua = _daftar({})
    assert semua.halaman.paginator.count == Pegawai.objects.count()
    d = _daftar({"q": org.pegawai.nama.split()[0].lower()})
    assert [p.pk for p in d.tersaring()] == [org.pegawai.pk]
    d = _daftar({"jenis_asn": "pppk"})
    assert {p.jenis_asn for p in d.tersaring()} == {"pppk"}
    turun = [p.nama for p in _daftar({"urut": "-nama"}).tersaring()]
    assert turun == sorted(turun, reverse=True)
    # An unknown sort or filter value is ignored, never an error.
    assert _daftar({"urut": "password", "jenis_asn": "raja"}).halaman.paginator.count == (
        Pegawai.objects.count()
    )
    d = _daftar({"q": "a", "urut": "-nama", "page": "2"})
    assert "q=a" in d.url_halaman(3) and "urut=-nama" in d.url_halaman(3)
    assert "page" not in d.url_urut("nama")  # a new order starts at page 1
    assert d.url_urut("nama") == "?q=a&urut=nama"  # and flips the direction


def test_export_is_the_whole_filtered_list_with_formulas_neutralised(org):
    Pegawai.objects.filter(pk=org.rekan.pk).update(nama='=HYPERLINK("http://x")')
    d = _daftar({"ekspor": "csv", "jenis_asn": "pns"})
    baris = _baca_csv(d.ekspor())
    assert baris[0] == ["Nama", "NIP", "Jabatan"]
    assert len(baris) - 1 == Pegawai.objects.filter(jenis_asn="pns").count()  # not one page
    assert '\'=HYPERLINK("http://x")' in [b[0] for b in baris]
    d = _daftar({"ekspor": "xlsx", "jenis_asn": "pns"})
    wb = load_workbook(io.BytesIO(d.ekspor().content), read_only=True)
    sel = [r[0] for r in wb.active.iter_rows(values_only=True)]
    assert '\'=HYPERLINK("http://x")' in sel and len(sel) == len(baris)
    assert _daftar({}).ekspor() is None


def test_a_list_read_in_python_searches_filters_and_sorts_the_same_way(org):
    rows = [{"nama": n, "n": i} for i, n in enumerate(["Budi", "ani", "Citra", "dedi"])]
    req = RequestFactory().get("/x/", {"urut": "nama", "q": "d"})
    d = Daftar(
        req,
        rows,
        kolom=[Kolom("nama", "Nama", urut="nama"), Kolom("n", "N", urut="n")],
        cari=[lambda r: r["nama"]],
        saring=[
            Saring(
                "genap",
                "Genap",
                [("1", "ya")],
                terapkan=lambda rs, v: [r for r in rs if r["n"] % 2 == 0],
            )
        ],
    )
    assert [r["nama"] for r in d.tersaring()] == ["Budi", "dedi"]  # case-insensitive order
    req = RequestFactory().get("/x/", {"genap": "1", "urut": "-n"})
    d = Daftar(req, rows, kolom=d.kolom, cari=d.cari, saring=d.saring)
    assert [r["n"] for r in d.tersaring()] == [2, 0]


# --- the lists: the same queries for 5 rows and 500 -------------------------------------------
def _staf(org, n: int, mulai: int) -> list[Pegawai]:
    return Pegawai.objects.bulk_create(
        Pegawai(
            instansi=org.instansi_a,
            nama=f"Staf {mulai + i:04d}",
            jabatan=org.pegawai.jabatan,
            unit_kerja=org.pegawai.unit_kerja,
            pejabat_penilai=org.kasubbid,
            atasan_pejabat_penilai=org.kabid,
        )
        for i in range(n)
    )


def _skp(org, orang, status):
    SKP.objects.bulk_create(
        SKP(
            pegawai=p,
            periode=org.periode_a,
            status=status,
            pejabat_penilai=org.kasubbid,
            diajukan_pada=timezone.now() - dt.timedelta(days=10),
        )
        for p in orang
    )


def _evaluasi(org, orang):
    Evaluasi.objects.bulk_create(
        Evaluasi(
            pegawai=p,
            periode=org.periode_a,
            jenis="tahunan",
            pejabat_penilai=org.kasubbid,
            rating_hasil_kerja="sesuai_ekspektasi",
            rating_perilaku_kerja="sesuai_ekspektasi",
            predikat="baik",
            status="final",
            finalisasi_pada=timezone.now(),
        )
        for p in orang
    )


def _unit(org, n: int, mulai: int):
    units = UnitKerja.objects.bulk_create(
        UnitKerja(instansi=org.instansi_a, nama=f"Unit {mulai + i:04d}", induk=org.unit_bkd)
        for i in range(n)
    )
    # Five people each (smaller units are never warned), all rated Sangat Kurang in a Baik
    # unit: outside the guidance.
    orang = Pegawai.objects.bulk_create(
        Pegawai(instansi=org.instansi_a, nama=f"Orang {u.nama} {i}", unit_kerja=u)
        for u in units
        for i in range(5)
    )
    KinerjaOrganisasi.objects.bulk_create(
        KinerjaOrganisasi(unit_kerja=u, periode=org.periode_a, jenis="tahunan", predikat="baik")
        for u in units
    )
    Evaluasi.objects.bulk_create(
        Evaluasi(
            pegawai=p,
            periode=org.periode_a,
            jenis="tahunan",
            predikat="sangat_kurang",
            status="final",
            finalisasi_pada=timezone.now(),
        )
        for p in orang
    )


LISTS = {
    # name: (who, url, grow(org, n, start))
    "persetujuan": (
        "kasubbid",
        "/skp/persetujuan/?urut=-diajukan&q=staf",
        lambda org, n, m: _skp(org, _staf(org, n, m), "diajukan"),
    ),
    "skp_tim": (
        "kasubbid",
        "/skp/?status=draft",
        lambda org, n, m: _skp(org, _staf(org, n, m), "draft"),
    ),
    "evaluasi_tim": (
        "kasubbid",
        "/evaluasi/tim/?jendela=akhir&status=final&urut=-predikat",
        lambda org, n, m: _evaluasi(org, _staf(org, n, m)),
    ),
    "tindak_lanjut": (
        "admin_a",
        "/evaluasi/tindak-lanjut/?predikat=baik&urut=nama",
        lambda org, n, m: _evaluasi(org, _staf(org, n, m)),
    ),
    "kinerja_organisasi": (
        "admin_a",
        "/evaluasi/kinerja-organisasi/?jendela=akhir&status=sudah&urut=-predikat",
        _unit,
    ),
    # A leader: the units below the one she heads (the policy reads the unit tree once).
    "kinerja_organisasi_pimpinan": (
        "kepala_bkd",
        "/evaluasi/kinerja-organisasi/?jendela=akhir&status=sudah",
        _unit,
    ),
    "distribusi_luar": (
        "admin_a",
        "/evaluasi/distribusi/?cakupan=unit&jendela=akhir&luar=1",
        _unit,
    ),
}


@pytest.mark.parametrize("nama", sorted(LISTS))
def test_every_list_costs_the_same_queries_for_5_and_500_rows(org, client_as, nama):
    who, url, tumbuh = LISTS[nama]
    skp_disetujui(org.pegawai, org.periode_a)
    c = client_as(org.admin_a if who == "admin_a" else getattr(org, who).user)
    tumbuh(org, 5, 0)
    url = url.replace("tahun=", f"tahun={org.periode_a.tahun}")
    assert c.get(url).status_code == 200
    with CaptureQueriesContext(connection) as kecil:
        r = c.get(url)
    tumbuh(org, 495, 5)
    with CaptureQueriesContext(connection) as besar:
        r2 = c.get(url)
    assert r.status_code == r2.status_code == 200
    assert len(besar) == len(kecil), [q["sql"][:150] for q in besar.captured_queries]
    assert r.content != r2.content  # more rows: the count and the pages changed
    if nama == "distribusi_luar":
        assert r2.content.decode().count("di luar pedoman</span>") == 50  # a full page of them
        return
    # The export of the same list: every row the list counts, not one page.
    jumlah = int(re.search(r"(\d+) baris", r2.content.decode()).group(1))
    assert jumlah >= 500
    assert len(_baca_csv(c.get(url + "&ekspor=csv"))) - 1 == jumlah
