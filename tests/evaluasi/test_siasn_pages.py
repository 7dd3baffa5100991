"""The admin instansi's SIASN pages: records and their download, the reference table (edit,
check, import with a preview), the send log with kirim ulang."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from evaluasi.siasn import rules
from evaluasi.siasn.models import Kiriman, ReferensiSiasn
from kinerja.models import Job, Pegawai
from tests.evaluasi.conftest import final

PERIKSA = "periksa dengan referensi SIASN"


@pytest.mark.parametrize(
    "url", ["/siasn/", "/siasn/referensi/", "/siasn/referensi/impor/", "/siasn/kiriman/"]
)
@pytest.mark.parametrize("who", ["pegawai", "kasubbid", "kabid", "pegawai_b"])
def test_siasn_pages_are_not_found_for_anyone_but_admins(org, client_as, url, who):
    assert client_as(org.user(who)).get(url).status_code == 404


def test_the_records_page_lists_final_evaluations_and_warns_about_unchecked_codes(org, client_as):
    final(org)
    r = client_as(org.admin_a).get("/siasn/")
    html = r.content.decode()
    assert r.status_code == 200
    assert "Agustina Mbete" in html and "Fransiska Nenobais" in html
    assert PERIKSA in html and 'id="referensi-periksa"' in html
    assert 'id="siasn-nonaktif"' in html  # push off here
    # Admin B sees her own (empty) instansi.
    assert "Agustina Mbete" not in client_as(org.admin_b).get("/siasn/").content.decode()


def test_checking_the_table_removes_the_warning_and_keeps_history(org, client_as):
    c = client_as(org.admin_a)
    r = c.post("/siasn/referensi/", {"aksi": "periksa"})
    assert r.status_code == 302
    total = sum(len(k) for k in rules.KODE.values())
    assert ReferensiSiasn.objects.filter(instansi=org.instansi_a, diperiksa=True).count() == total
    assert 'id="referensi-periksa"' not in c.get("/siasn/").content.decode()
    row = ReferensiSiasn.objects.get(instansi=org.instansi_a, jenis="kuadran", kode="baik")
    assert row.nilai == "2" and row.history.latest().history_user_id == org.admin_a.pk


def test_a_wrong_code_shows_the_form_again_with_everything_typed_and_saves_nothing(org, client_as):
    c = client_as(org.admin_a)
    r = c.post(
        "/siasn/referensi/",
        {
            "aksi": "simpan",
            "nilai-kuadran-baik": "dua",
            "nilai-kuadran-kurang": "9",
            "nama-kuadran-kurang": "KURANG/MISCONDUCT",
        },
    )
    assert r.status_code == 400
    html = r.content.decode()
    assert 'value="dua"' in html and 'value="9"' in html and "bilangan bulat" in html
    assert not ReferensiSiasn.objects.exists()
    r = c.post(
        "/siasn/referensi/",
        {"aksi": "simpan", "nilai-kuadran-kurang": "9", "nama-kuadran-kurang": "KURANG/MISCONDUCT"},
    )
    assert r.status_code == 302
    row = ReferensiSiasn.objects.get()
    assert (row.kode, row.nilai, row.nama_siasn, row.diperiksa) == (
        "kurang",
        "9",
        "KURANG/MISCONDUCT",
        True,
    )


def _csv(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("referensi.csv", text.encode(), "text/csv")


EKSPOR = (
    "Jenis,ID,Nama\n"
    "perilakuDanKinerja,1,DIATAS EKSPEKTASI\n"
    "perilakuDanKinerja,2,SESUAI EKSPEKTASI\n"
    "perilakuDanKinerja,3,DIBAWAH EKSPEKTASI\n"
    "kuadranNilai,1,SANGAT BAIK\n"
    "kuadranNilai,4,KURANG/MISCONDUCT\n"
    "kuadranNilai,9,ISTIMEWA SEKALI\n"
    "golonganPns,34,III/d\n"
    "agama,1,Islam\n"
)


def test_a_siasn_export_is_previewed_then_imported_once(org, client_as):
    c = client_as(org.admin_a)
    r = c.post("/siasn/referensi/impor/", {"berkas": _csv(EKSPOR)})
    html = r.content.decode()
    assert r.status_code == 200 and 'id="impor-ringkasan"' in html
    assert "6 kode baru, 0 diubah, 0 tetap; 2 baris diabaikan" in html
    assert not ReferensiSiasn.objects.exists()  # a preview writes nothing
    token = c.session["impor_referensi_siasn"]["token"]
    r = c.post("/siasn/referensi/impor/", {"token": token})
    assert r.status_code == 302
    got = dict(ReferensiSiasn.objects.filter(diperiksa=True).values_list("kode", "nilai"))
    assert got == {
        "diatas_ekspektasi": "1",
        "sesuai_ekspektasi": "2",
        "dibawah_ekspektasi": "3",
        "sangat_baik": "1",
        "kurang": "4",
        "III/d": "34",
    }
    assert ReferensiSiasn.objects.get(kode="kurang").nama_siasn == "KURANG/MISCONDUCT"
    # The same file again changes nothing.
    r = c.post("/siasn/referensi/impor/", {"berkas": _csv(EKSPOR)})
    assert "0 kode baru, 0 diubah, 6 tetap" in r.content.decode()
    # A token used once is gone.
    assert c.post("/siasn/referensi/impor/", {"token": token}).status_code == 302


def test_an_xlsx_export_of_one_list_is_imported_with_the_list_chosen_on_the_form(org, client_as):
    wb = Workbook()
    ws = wb.active
    ws.append(["ID", "Nama"])
    ws.append([101, "Ahli Muda"])
    ws.append([100, "Non JF"])
    buf = io.BytesIO()
    wb.save(buf)
    f = SimpleUploadedFile("koef.xlsx", buf.getvalue())
    c = client_as(org.admin_a)
    r = c.post("/siasn/referensi/impor/", {"berkas": f, "jenis": "koefisien"})
    assert "2 kode baru" in r.content.decode()
    c.post("/siasn/referensi/impor/", {"token": c.session["impor_referensi_siasn"]["token"]})
    assert dict(ReferensiSiasn.objects.values_list("kode", "nilai")) == {
        "ahli_muda": "101",
        "non_jf": "100",
    }


@pytest.mark.parametrize(
    "text, pesan",
    [
        ("Jenis,ID,Nama\nkuadranNilai,,SANGAT BAIK\n", "ID SIASN kosong"),
        ("Jenis,ID,Nama\nkuadranNilai,1a,SANGAT BAIK\n", "bilangan bulat"),
        ("Jenis,ID,Nama\nkuadranNilai,1,SANGAT BAIK\nkuadranNilai,2,Sangat Baik\n", "sudah ada"),
        ("ID,Nama\n1,SANGAT BAIK\n", "Kolom Jenis kosong"),
        ("Kode,Uraian Panjang\n1,x\n", "ID dan Nama"),
    ],
)
def test_a_wrong_import_file_is_refused_whole_with_the_row_and_reason(org, client_as, text, pesan):
    c = client_as(org.admin_a)
    r = c.post("/siasn/referensi/impor/", {"berkas": _csv(text)})
    assert r.status_code == 400
    assert pesan in r.content.decode()
    assert "impor_referensi_siasn" not in c.session
    assert not ReferensiSiasn.objects.exists()


def test_a_file_that_is_not_a_spreadsheet_is_refused(org, client_as):
    f = SimpleUploadedFile("x.csv", b"%PDF-1.4 bukan lembar kerja")
    r = client_as(org.admin_a).post("/siasn/referensi/impor/", {"berkas": f})
    assert r.status_code == 400 and "bukan lembar kerja" in r.content.decode()


def _set_penilai_name(org, nama):
    Pegawai.objects.filter(pk=org.kasubbid.pk).update(nama=nama)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_download_holds_every_record_in_siasns_columns_and_no_formula(org, client_as, fmt):
    final(org)
    final(org, who="rekan")
    _set_penilai_name(org, '=HYPERLINK("http://x.example/","klik")')
    r = client_as(org.admin_a).get("/siasn/", {"jenis": "skp22", "unduh": fmt})
    assert r.status_code == 200
    assert f"siasn-skp22-{org.periode_a.tahun}.{fmt}" in r["Content-Disposition"]
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    else:
        ws = load_workbook(io.BytesIO(r.content)).active
        rows = [
            ["" if v is None else str(v) for v in row] for row in ws.iter_rows(values_only=True)
        ]
    assert rows[0] == rules.kolom("skp22")
    assert len(rows) == 3
    body = {row[rows[0].index("nipBaru")]: row for row in rows[1:]}
    row = body[org.pegawai.nip]
    assert row[rows[0].index("penilaiNama")] == '\'=HYPERLINK("http://x.example/","klik")'
    assert row[rows[0].index("kuadranKinerjaNilai")] == "2"


def test_the_send_log_page_filters_and_asks_for_a_resend(org, client_as, settings):
    ev = final(org)
    k = Kiriman.objects.create(
        instansi=org.instansi_a,
        evaluasi=ev,
        pegawai=org.pegawai,
        jenis="skp22",
        tahun=org.periode_a.tahun,
        sidik="x",
        status="ditolak",
        kode_status=400,
        jawaban="NIP penilai tidak terdaftar",
    )
    c = client_as(org.admin_a)
    html = c.get("/siasn/kiriman/", {"status": "ditolak"}).content.decode()
    assert f'id="kiriman-{k.pk}"' in html and "NIP penilai tidak terdaftar" in html
    assert (
        f'id="kiriman-{k.pk}"'
        not in c.get("/siasn/kiriman/", {"status": "terkirim"}).content.decode()
    )
    assert (
        f'id="kiriman-{k.pk}"' not in client_as(org.admin_b).get("/siasn/kiriman/").content.decode()
    )
    c = client_as(org.admin_a)  # one test client: log the admin of her instansi back in
    # Push off: a resend is refused with a message, nothing recorded.
    r = c.post(f"/siasn/kiriman/{k.pk}/kirim-ulang/", follow=True)
    assert "belum diaktifkan" in r.content.decode()
    assert not Job.objects.filter(task="siasn.kirim").exists()
    settings.KINERJA_SIASN_URL = "http://127.0.0.1:9/apisiasn/1.0"
    r = c.post(f"/siasn/kiriman/{k.pk}/kirim-ulang/")
    assert r.status_code == 302
    assert Job.objects.filter(task="siasn.kirim", kwargs__paksa=True).count() == 1
    assert client_as(org.admin_b).post(f"/siasn/kiriman/{k.pk}/kirim-ulang/").status_code == 404


def test_kirim_susulan_schedules_each_final_evaluation_once(org, client_as, settings):
    final(org)
    final(org, who="rekan")  # push off: nothing scheduled at finalisation
    assert not Job.objects.filter(task="siasn.kirim").exists()
    settings.KINERJA_SIASN_URL = "http://127.0.0.1:9/apisiasn/1.0"
    c = client_as(org.admin_a)
    for _ in range(2):
        r = c.post("/siasn/kirim/", {"tahun": org.periode_a.tahun})
        assert r.status_code == 302
    assert Job.objects.filter(task="siasn.kirim").count() == 2
    assert {j.kwargs["alasan"] for j in Job.objects.filter(task="siasn.kirim")} == {"susulan"}


def test_the_django_admin_edits_the_table_through_the_service(org, client_as):
    from django.contrib.auth import get_user_model

    get_user_model().objects.filter(pk=org.admin_a.pk).update(is_staff=True)
    c = client_as(org.admin_a)
    r = c.post(
        "/admin/evaluasi/referensisiasn/add/",
        {"jenis": "kuadran", "kode": "bagus", "nilai": "1", "nama_siasn": ""},
    )
    assert r.status_code == 200 and "Kode tidak ada" in r.content.decode()
    r = c.post(
        "/admin/evaluasi/referensisiasn/add/",
        {"jenis": "kuadran", "kode": "baik", "nilai": "7", "nama_siasn": "BAIK", "diperiksa": "on"},
    )
    assert r.status_code == 302
    row = ReferensiSiasn.objects.get()
    assert (row.instansi_id, row.kode, row.nilai) == (org.instansi_a.pk, "baik", "7")
    assert row.history.latest().history_user_id == org.admin_a.pk


@pytest.mark.parametrize("url", ["/siasn/", "/siasn/kiriman/"])
def test_a_page_of_the_lists_costs_the_same_queries_at_5_and_500_rows(org, client_as, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from evaluasi.models import Evaluasi
    from tests.evaluasi.test_siasn_api import _banyak

    c = client_as(org.admin_a)

    def count(n):
        _banyak(org, n)
        evs = Evaluasi.objects.filter(status="final").exclude(kiriman_siasn__isnull=False)
        Kiriman.objects.bulk_create(
            [
                Kiriman(
                    instansi=org.instansi_a,
                    evaluasi=ev,
                    pegawai_id=ev.pegawai_id,
                    jenis="skp22",
                    tahun=org.periode_a.tahun,
                    sidik="x",
                    status="terkirim",
                    kode_status=200,
                )
                for ev in evs
            ]
        )
        with CaptureQueriesContext(connection) as q:
            r = c.get(url)
        assert r.status_code == 200
        return len(q), r.content.decode().count("<tr")

    (small, rows_small), (large, rows_large) = count(5), count(495)
    assert rows_small == 6 and rows_large == 51  # header + a page of 50
    assert small == large, (small, large)
