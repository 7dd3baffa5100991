"""Staff import (/organisasi/impor/): preview, per-row errors, all-or-nothing, idempotent upsert,
refusal of files that are not spreadsheets, formulas never evaluated."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from kinerja import impor
from kinerja.models import Jabatan, Pegawai, User
from kinerja.rules import make_nip

URL = "/organisasi/impor/"
HEADER = ["NIP", "Nama", "Jenis ASN", "Golongan", "Jabatan", "Unit", "Atasan", "Jenis jabatan"]
NEW1 = make_nip(dt.date(1992, 4, 5), dt.date(2019, 3, 1), False, 7)
NEW2 = make_nip(dt.date(1990, 8, 17), dt.date(2023, 1, 1), True, 12, pppk=True)
NEW3 = make_nip(dt.date(1996, 12, 1), dt.date(2020, 2, 1), True, 33)


def rows_good(org) -> list[list[str]]:
    return [
        HEADER,
        [
            NEW1,
            "Yuliana Seran",
            "PNS",
            "III/b",
            "Pengolah Data Kinerja",
            "Bidang Penilaian Kinerja",
            org.kasubbid.nip,
            "",
        ],
        [
            NEW2,
            "Marselinus Nahak",
            "PPPK",
            "IX",
            "Pranata Humas",
            "Diskominfo",
            org.kadis.nip,
            "Pelaksana",
        ],
        [
            org.rekan.nip,
            "Daniel Tallo",
            "PNS",
            "iii/c",
            "Analis Kinerja Pegawai",
            "Bidang Penilaian Kinerja",
            org.kasubbid.nip,
            "",
        ],
        [NEW3, "Kristoforus Bere", "pns", "II/c", "Staf Humas", "Diskominfo", NEW2, "pelaksana"],
    ]


def csv_bytes(rows, sep=",") -> bytes:
    buf = io.StringIO()
    csv.writer(buf, delimiter=sep).writerows(rows)
    return buf.getvalue().encode()


def xlsx_bytes(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def upload(client, data: bytes, name="pegawai.csv"):
    return client.post(URL, {"berkas": SimpleUploadedFile(name, data)})


def confirm(client):
    token = client.session["impor_pegawai"]["token"]
    return client.post(URL, {"token": token}, follow=True)


def snapshot():
    return (
        sorted(
            Pegawai.objects.order_by("id").values_list(
                "id", "nip", "nama", "golongan", "jabatan_id", "pejabat_penilai_id"
            )
        ),
        sorted(Jabatan.objects.values_list("id", "nama", "atasan_id")),
        Pegawai.history.count(),
        Jabatan.history.count(),
        User.objects.count(),
    )


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "csv;", "xlsx"])
def test_good_file_previews_then_writes_and_derives_penilai(org, client_as, fmt):
    client = client_as(org.admin_a)
    rows = rows_good(org)
    data = xlsx_bytes(rows) if fmt == "xlsx" else csv_bytes(rows, ";" if fmt == "csv;" else ",")
    before = snapshot()
    resp = upload(client, data, name=f"pegawai.{fmt[:4]}")
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "3 pegawai baru, 1 diubah, 0 tetap" in html
    assert "Simpan ke data pegawai" in html
    assert snapshot() == before  # a preview writes nothing

    resp = confirm(client)
    assert "3 pegawai baru, 1 diubah, 0 tetap; 2 jabatan baru" in resp.content.decode()
    new1 = Pegawai.objects.get(nip=NEW1)
    new2 = Pegawai.objects.get(nip=NEW2)
    new3 = Pegawai.objects.get(nip=NEW3)
    assert new1.pejabat_penilai == org.kasubbid and new1.atasan_pejabat_penilai == org.kabid
    assert new2.jenis_asn == "pppk" and new2.pejabat_penilai == org.kadis
    assert new3.pejabat_penilai == new2 and new3.atasan_pejabat_penilai == org.kadis
    assert new3.jabatan.atasan == new2.jabatan
    assert Pegawai.objects.get(pk=org.rekan.pk).golongan == "III/c"
    # Everyone imported can be given a password: a login named by the NIP exists.
    assert new1.user.username == NEW1 and not new1.user.has_usable_password()
    assert new2.history.first().history_user == org.admin_a


@pytest.mark.django_db
def test_reimporting_the_same_file_changes_nothing(org, client_as):
    client = client_as(org.admin_a)
    data = xlsx_bytes(rows_good(org))
    upload(client, data, "a.xlsx")
    confirm(client)
    before = snapshot()
    resp = upload(client, data, "a.xlsx")
    assert "0 pegawai baru, 0 diubah, 4 tetap" in resp.content.decode()
    resp = confirm(client)
    assert "0 pegawai baru, 0 diubah, 4 tetap; 0 jabatan baru, 0 atasan jabatan diubah" in (
        resp.content.decode()
    )
    assert snapshot() == before


@pytest.mark.django_db
def test_bad_rows_are_reported_by_row_and_column_and_nothing_is_written(org, client_as):
    client = client_as(org.admin_a)
    rows = rows_good(org)
    rows[1][0] = NEW1[:14] + "3" + NEW1[15:]  # gender digit
    rows[2][5] = "Dinas Pariwisata"  # no such unit
    rows[3][3] = "V/a"
    rows.append([NEW3, "Dobel", "PNS", "II/a", "Staf Humas", "Diskominfo", "", ""])
    rows.append(
        [
            make_nip(dt.date(1991, 1, 1), dt.date(2015, 1, 1), True, 5),
            "Tanpa Atasan",
            "PNS",
            "III/a",
            "Pengolah Data Kinerja",
            "Bidang Penilaian Kinerja",
            "199101012015011999",
            "",
        ]
    )
    rows.append(
        [
            org.pegawai_b.nip,
            "Pindahan",
            "PNS",
            "III/a",
            "Pengolah Data Kinerja",
            "Bidang Penilaian Kinerja",
            "",
            "",
        ]
    )
    before = snapshot()
    resp = upload(client, csv_bytes(rows))
    assert resp.status_code == 200
    plan_errors = {(g.baris, g.kolom) for g in resp.context["plan"].galat}
    assert {
        (2, "NIP"),
        (3, "Unit"),
        (4, "Golongan"),
        (6, "NIP"),
        (7, "Atasan"),
        (8, "NIP"),
    } <= plan_errors
    html = resp.content.decode()
    assert "NIP digit 15 (jenis kelamin) harus 1 atau 2" in html
    assert "Unit kerja &#x27;Dinas Pariwisata&#x27; tidak ditemukan" in html
    assert "sudah ada pada baris 5" in html
    assert "terdaftar pada instansi lain" in html
    assert "Tidak ada data yang disimpan" in html
    assert "Simpan ke data pegawai" not in html
    assert "impor_pegawai" not in client.session
    assert snapshot() == before


@pytest.mark.django_db
def test_one_wrong_row_after_good_ones_writes_nothing_even_when_applied_directly(org):
    rows = rows_good(org)
    rows.append(
        ["123", "Salah", "PNS", "", "Pengolah Data Kinerja", "Bidang Penilaian Kinerja", "", ""]
    )
    before = snapshot()
    plan = impor.terapkan(
        user=org.admin_a, instansi=org.instansi_a, data=csv_bytes(rows), jenis="csv"
    )
    assert [(g.baris, g.kolom, g.pesan) for g in plan.galat] == [
        (6, "NIP", "NIP harus terdiri atas 18 digit (tertulis 3).")
    ]
    assert snapshot() == before


@pytest.mark.django_db
def test_a_position_given_two_different_atasan_is_refused(org):
    rows = [
        HEADER,
        [
            NEW1,
            "A",
            "PNS",
            "III/a",
            "Pengolah Data Kinerja",
            "Bidang Penilaian Kinerja",
            org.kasubbid.nip,
            "",
        ],
        [
            NEW3,
            "B",
            "PNS",
            "III/a",
            "Pengolah Data Kinerja",
            "Bidang Penilaian Kinerja",
            org.kabid.nip,
            "",
        ],
    ]
    rows_, _ = impor.baca(csv_bytes(rows), "csv")
    plan = impor.periksa(instansi=org.instansi_a, rows=rows_)
    assert [(g.baris, g.kolom) for g in plan.galat] == [(3, "Atasan")]
    assert "baris 2" in plan.galat[0].pesan


@pytest.mark.django_db
def test_missing_columns_and_unknown_position_are_explained(org):
    rows_, galat = impor.baca(csv_bytes([["NIP", "Nama"], [NEW1, "X"]]), "csv")
    assert galat and "Kolom wajib tidak ada: Jenis ASN, Golongan, Jabatan, Unit, Atasan" in (
        galat[0].pesan
    )
    rows = [HEADER, [NEW1, "A", "PNS", "III/a", "Penyuluh Entah", "BKD", "", ""]]
    plan = impor.periksa(instansi=org.instansi_a, rows=impor.baca(csv_bytes(rows), "csv")[0])
    assert plan.galat[0].kolom == "Jabatan"
    assert "isi kolom Jenis jabatan" in plan.galat[0].pesan


@pytest.mark.django_db
def test_ambiguous_unit_names_ask_for_the_parent_path(org):
    from kinerja.models import UnitKerja

    UnitKerja.objects.create(instansi=org.instansi_a, induk=org.unit_bkd, nama="Sekretariat")
    UnitKerja.objects.create(instansi=org.instansi_a, induk=org.unit_dinas, nama="Sekretariat")
    base = [NEW1, "A", "PNS", "III/a", "Pengadministrasi", "", "", "Pelaksana"]
    plan = impor.periksa(
        instansi=org.instansi_a,
        rows=impor.baca(csv_bytes([HEADER, base[:5] + ["Sekretariat"] + base[6:]]), "csv")[0],
    )
    assert "ada di beberapa tempat" in plan.galat[0].pesan
    plan = impor.periksa(
        instansi=org.instansi_a,
        rows=impor.baca(
            csv_bytes([HEADER, base[:5] + ["Diskominfo > Sekretariat"] + base[6:]]), "csv"
        )[0],
    )
    assert plan.galat == []


@pytest.mark.django_db
def test_formulas_are_not_evaluated_and_formula_text_is_neutralised(org, client_as):
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    ws.append(
        [
            NEW1,
            '=CONCATENATE("Yul","iana")',
            "PNS",
            "III/a",
            "Pengolah Data Kinerja",
            "Bidang Penilaian Kinerja",
            "",
            "",
        ]
    )
    buf = io.BytesIO()
    wb.save(buf)
    rows_, _ = impor.baca(buf.getvalue(), "xlsx")
    plan = impor.periksa(instansi=org.instansi_a, rows=rows_)
    # The formula has no cached value and is never computed: the name is simply missing.
    assert [(g.baris, g.kolom, g.pesan) for g in plan.galat] == [(2, "Nama", "Nama wajib diisi.")]

    rows = [
        HEADER,
        [
            NEW1,
            '=HYPERLINK("http://x";"klik")',
            "PNS",
            "-",
            "Pengolah Data Kinerja",
            "Bidang Penilaian Kinerja",
            "",
            "",
        ],
        [
            NEW3,
            "@SUM(A1)",
            "PNS",
            "III/a",
            "Pengolah Data Kinerja",
            "Bidang Penilaian Kinerja",
            "",
            "",
        ],
    ]
    plan = impor.terapkan(
        user=org.admin_a, instansi=org.instansi_a, data=csv_bytes(rows, ";"), jenis="csv"
    )
    assert plan.galat == []
    assert Pegawai.objects.get(nip=NEW1).nama == '\'=HYPERLINK("http://x";"klik")'
    assert Pegawai.objects.get(nip=NEW1).golongan == ""  # "-" means empty
    assert Pegawai.objects.get(nip=NEW3).nama == "'@SUM(A1)"


@pytest.mark.django_db
def test_nip_typed_as_a_number_in_excel_is_reported_not_silently_rounded(org):
    rows = [
        HEADER,
        [
            float(NEW1),
            "A",
            "PNS",
            "III/a",
            "Pengolah Data Kinerja",
            "Bidang Penilaian Kinerja",
            "",
            "",
        ],
    ]
    rows_, _ = impor.baca(xlsx_bytes(rows), "xlsx")
    plan = impor.periksa(instansi=org.instansi_a, rows=rows_)
    assert plan.galat[0].kolom == "NIP"
    assert "format kolom NIP sebagai Teks" in plan.galat[0].pesan


def _zip_not_xlsx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("foto.txt", "bukan excel")
    return buf.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("kosong.csv", b"", "Berkas kosong."),
        ("besar.csv", b"a" * (5 * 1024 * 1024 + 1), "Berkas terlalu besar"),
        ("arsip.xlsx", _zip_not_xlsx(), "bukan buku kerja Excel"),
        ("lama.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "Excel lama (.xls)"),
        ("gambar.csv", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "bukan lembar kerja"),
        ("rusak.xlsx", b"PK\x03\x04" + b"\x00" * 100, "ZIP rusak"),
        ("unicode.csv", "NIP\tNama\n".encode("utf-16"), "CSV UTF-8"),
    ],
)
def test_files_that_are_not_spreadsheets_are_refused_by_content(
    org, client_as, name, data, message
):
    client = client_as(org.admin_a)
    resp = upload(client, data, name)
    assert resp.status_code == 400
    assert message in resp.content.decode()
    assert "impor_pegawai" not in client.session


@pytest.mark.django_db
def test_the_extension_does_not_decide_the_format(org, client_as):
    client = client_as(org.admin_a)
    resp = upload(client, csv_bytes(rows_good(org)), "pegawai.xlsx")
    assert resp.status_code == 200
    assert resp.context["plan"].jumlah == {"baru": 3, "diubah": 1, "tetap": 0}


@pytest.mark.django_db
def test_htmx_upload_returns_only_the_preview_partial(org, client_as):
    client = client_as(org.admin_a)
    resp = client.post(
        URL,
        {"berkas": SimpleUploadedFile("p.csv", csv_bytes(rows_good(org)))},
        HTTP_HX_REQUEST="true",
    )
    html = resp.content.decode()
    assert html.lstrip().startswith('<div id="pratinjau">')
    assert "<html" not in html
    assert resp["Vary"].count("HX-Request") == 1


@pytest.mark.django_db
def test_a_stale_or_foreign_token_writes_nothing(org, client_as):
    client = client_as(org.admin_a)
    upload(client, csv_bytes(rows_good(org)))
    before = snapshot()
    resp = client.post(URL, {"token": "bukan-token"}, follow=True)
    assert "kedaluwarsa" in resp.content.decode()
    assert snapshot() == before


@pytest.mark.django_db
def test_sample_file_can_be_downloaded(org, client_as):
    resp = client_as(org.admin_a).get(URL + "?contoh=csv")
    assert resp["Content-Type"].startswith("text/csv")
    rows_, galat = impor.baca(resp.content, "csv")
    assert galat == [] and len(rows_) == 2


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["pegawai", "kasubbid", "kepala_bkd", "superuser"])
def test_only_the_instansi_admin_may_import(org, client_as, persona):
    client = client_as(org.user(persona))
    assert client.get(URL).status_code == 403
    assert upload(client, csv_bytes(rows_good(org))).status_code == 403


@pytest.mark.django_db
def test_admin_of_another_instansi_cannot_touch_instansi_a(org, client_as):
    client = client_as(org.admin_b)
    resp = upload(client, csv_bytes(rows_good(org)))
    # Instansi B's admin sees A's units and people as unknown: nothing of A is reachable.
    plan = resp.context["plan"]
    assert plan.galat and all(g.kolom in {"Unit", "NIP", "Atasan"} for g in plan.galat)
    assert "Bidang Penilaian Kinerja&#x27; tidak ditemukan" in resp.content.decode()


def test_anonymous_is_sent_to_login(client):
    resp = client.get(URL)
    assert resp.status_code == 302 and "/masuk/" in resp["Location"]


@pytest.mark.django_db
def test_a_large_file_is_written_by_a_background_job_with_progress(
    org, client_as, settings, django_capture_on_commit_callbacks
):
    from kinerja.models import Job

    settings.KINERJA_IMPOR_LATAR_BARIS = 2
    client = client_as(org.admin_a)
    upload(client, csv_bytes(rows_good(org)))
    token = client.session["impor_pegawai"]["token"]
    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post(URL, {"token": token})
    assert resp.status_code == 302 and "?job=" in resp["Location"]
    job = Job.objects.get(task="kinerja.impor_pegawai")
    assert job.status == "sukses", job.galat
    assert job.hasil["baru"] == 3 and job.hasil["diubah"] == 1
    assert Pegawai.objects.get(nip=NEW1).pejabat_penilai == org.kasubbid
    html = client.get(resp["Location"]).content.decode()
    assert f'id="job-{job.pk}"' in html and "3 pegawai baru, 1 diubah" in html
    # Another admin cannot watch it.
    other = client_as(org.admin_b).get(resp["Location"])
    assert other.status_code == 404


@pytest.mark.django_db
def test_a_new_upload_replaces_the_unconfirmed_one(org, client_as, settings):
    from django.core.files.storage import default_storage

    client = client_as(org.admin_a)
    upload(client, csv_bytes(rows_good(org)))
    first = client.session["impor_pegawai"]["path"]
    assert default_storage.exists(first)
    upload(client, csv_bytes(rows_good(org)))
    assert not default_storage.exists(first)
    assert default_storage.exists(client.session["impor_pegawai"]["path"])


@pytest.mark.django_db
def test_a_row_refused_for_its_atasan_is_not_also_listed_as_a_row_without_errors(org, client_as):
    rows = rows_good(org)
    tanpa = make_nip(dt.date(1991, 1, 1), dt.date(2015, 1, 1), True, 5)
    rows[1][6] = tanpa  # an atasan nobody knows: found only after every row was read
    html = upload(client_as(org.admin_a), csv_bytes(rows)).content.decode()
    galat = html.split('id="impor-galat"')[1].split("</table>")[0]
    baik = html.split("Baris tanpa kesalahan")[1].split("</table>")[0]
    assert tanpa in galat and NEW1 not in baik and NEW2 in baik


@pytest.mark.django_db
def test_the_preview_says_what_the_import_then_reports(org, client_as):
    client = client_as(org.admin_a)
    rows = rows_good(org)
    # An existing pegawai whose position now reports to another position: no field of the
    # pegawai changes, but the position's atasan does.
    rows.append(
        [
            org.kasubbid.nip,
            org.kasubbid.nama,
            "PNS",
            org.kasubbid.golongan,
            org.kasubbid.jabatan.nama,
            org.kasubbid.unit_kerja.nama,
            org.kadis.nip,
            "",
        ]
    )
    pratinjau = upload(client, csv_bytes(rows)).content.decode()
    ringkas = pratinjau.split('id="impor-ringkasan">')[1].split("</p>")[0]
    hasil = confirm(client).content.decode()
    m = re.search(r"Impor [^:]+ selesai: ([^<]+?)\.", hasil)
    assert m, hasil
    # Word for word what the result reports, atasan changes included.
    assert f"Bila disimpan: {m.group(1)}." == ringkas, (ringkas, m.group(1))
    assert " 0 atasan jabatan diubah" not in ringkas
