"""The unit tree from SIASN's unit reference export (Id, DiatasanId, NamaUnor, NamaJabatan):
preview, then write; idempotent by SIASN id (issue 16 item 6)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kinerja import siasn_unor
from kinerja.models import Jabatan, UnitKerja
from tests.kinerja.test_impor import csv_bytes, xlsx_bytes

pytestmark = pytest.mark.django_db

HEADER = ["Id", "DiatasanId", "NamaUnor", "NamaJabatan"]


def _rows():
    return [
        HEADER,
        # The province hangs under a national unit that is not in the file: a top unit.
        ["8ae4", "NASIONAL-1", "Pemerintah Provinsi NTT", "Gubernur"],
        ["8ae5", "8ae4", "Dinas Kesehatan", "Kepala Dinas Kesehatan"],
        ["8ae6", "8ae5", "Bidang Pelayanan Kesehatan", "Kepala Bidang Pelayanan Kesehatan"],
        ["8ae7", "8ae6", "Seksi Rujukan", "Kepala Seksi Rujukan"],
    ]


def _plan(org, rows, jenis="csv"):
    data = csv_bytes(rows) if jenis == "csv" else xlsx_bytes(rows)
    got, galat = siasn_unor.baca(data, jenis)
    assert not galat, galat
    return data, siasn_unor.periksa(instansi=org.instansi_a, rows=got)


def _tulis(org, data, jenis="csv"):
    return siasn_unor.unor_impor_terapkan(
        user=org.admin_a, instansi=org.instansi_a, data=data, jenis=jenis
    )


def test_the_tree_is_built_with_head_positions_reporting_up_and_a_second_import_changes_nothing(
    org,
):
    # The province's top unit exists, typed by hand: it is linked by name, not doubled.
    data, plan = _plan(org, _rows(), "xlsx")
    assert plan.jumlah == {"baru": 3, "diubah": 1, "tetap": 0}
    assert any("unit teratas" in c for c in plan.catatan)
    _tulis(org, data, "xlsx")
    prov = UnitKerja.objects.get(instansi=org.instansi_a, siasn_id="8ae4")
    assert prov.nama == "Pemerintah Provinsi NTT"
    seksi = UnitKerja.objects.get(siasn_id="8ae7")
    bidang = UnitKerja.objects.get(siasn_id="8ae6")
    assert seksi.induk_id == bidang.pk and bidang.induk.siasn_id == "8ae5"
    kasi = Jabatan.objects.get(siasn_id="8ae7")
    kabid = Jabatan.objects.get(siasn_id="8ae6")
    assert (kasi.nama, kasi.kepala_unit, kasi.unit_kerja_id, kasi.atasan_id) == (
        "Kepala Seksi Rujukan",
        True,
        seksi.pk,
        kabid.pk,
    )
    assert kasi.jenis == "pengawas"  # guessed from its depth, shown in the preview
    assert UnitKerja.history.filter(siasn_id="8ae7").latest().history_user_id == org.admin_a.pk
    counts = (UnitKerja.history.count(), Jabatan.history.count(), UnitKerja.objects.count())
    _, again = _plan(org, _rows(), "xlsx")
    assert again.jumlah == {"baru": 0, "diubah": 0, "tetap": 4}
    _tulis(org, data, "xlsx")
    assert (UnitKerja.history.count(), Jabatan.history.count(), UnitKerja.objects.count()) == (
        counts
    )


def test_a_later_export_renames_and_moves_in_place(org):
    data, _ = _plan(org, _rows())
    _tulis(org, data)
    rows = _rows()
    rows[4] = ["8ae7", "8ae5", "Seksi Rujukan dan Kemitraan", "Kepala Seksi Rujukan"]
    data, plan = _plan(org, rows)
    (b,) = [x for x in plan.baris if x.status == "diubah"]
    assert set(b.perubahan) == {"Nama", "Induk"}
    _tulis(org, data)
    seksi = UnitKerja.objects.get(siasn_id="8ae7")
    assert (seksi.nama, seksi.induk.siasn_id) == ("Seksi Rujukan dan Kemitraan", "8ae5")
    # Its head now reports to the head of its new parent.
    assert Jabatan.objects.get(siasn_id="8ae7").atasan.siasn_id == "8ae5"


@pytest.mark.parametrize(
    ("rows", "kolom", "pesan"),
    [
        ([HEADER, ["1", "", "", "Kepala"]], "NamaUnor", "wajib"),
        ([HEADER, ["1", "", "A", "Ka A"], ["1", "", "B", "Ka B"]], "Id", "sudah ada pada baris 2"),
        ([HEADER, ["1", "2", "A", "Ka A"], ["2", "1", "B", "Ka B"]], "DiatasanId", "lingkaran"),
    ],
)
def test_a_wrong_row_is_named_and_nothing_is_written(org, rows, kolom, pesan):
    data, plan = _plan(org, rows)
    assert any(g.kolom == kolom and pesan in g.pesan for g in plan.galat), plan.galat
    before = UnitKerja.objects.count()
    assert _tulis(org, data).galat
    assert UnitKerja.objects.count() == before


def test_a_file_without_the_columns_is_refused(org):
    _, galat = siasn_unor.baca(csv_bytes([["Nama", "Induk"], ["A", ""]]), "csv")
    assert "Kolom wajib tidak ada" in galat[0].pesan


def test_the_page_previews_then_writes_on_confirmation(org, client_as):
    c = client_as(org.admin_a)
    r = c.post(
        "/organisasi/unit/impor-siasn/",
        {"berkas": SimpleUploadedFile("unor.csv", csv_bytes(_rows()))},
    )
    html = r.content.decode()
    assert r.status_code == 200 and "3 unit baru, 1 diubah, 0 tetap" in html
    assert not UnitKerja.objects.filter(siasn_id="8ae7").exists()  # the preview wrote nothing
    token = c.session["impor_unor"]["token"]
    r = c.post("/organisasi/unit/impor-siasn/", {"token": token})
    assert r.status_code == 302
    assert UnitKerja.objects.filter(siasn_id="8ae7").exists()
