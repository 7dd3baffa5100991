"""Staff import with the optional TMT column (issue 16): a change of position in the file is
recorded as a Mutasi with that TMT (today when empty; a future TMT schedules it); the preview
says so per row and in its summary, and the import does what the preview said."""

from __future__ import annotations

import datetime as dt

import pytest

from kinerja import impor, masa, waktu
from kinerja.models import MasaPenilai, Mutasi, Pegawai, Periode, RiwayatJabatan
from tests.kinerja.test_impor import NEW1, csv_bytes, upload

pytestmark = pytest.mark.django_db

HEADER = ["NIP", "Nama", "Jenis ASN", "Golongan", "Jabatan", "Unit", "Atasan", "TMT"]


@pytest.fixture
def hari(monkeypatch, org):
    d = dt.date(org.periode_a.tahun, 8, 20)
    monkeypatch.setattr(waktu, "hari_ini", lambda: d)
    return d


def _d(org, m, d):
    return dt.date(org.periode_a.tahun, m, d)


def _baris(org, tmt_rekan="", tmt_pegawai="", tmt_baru=""):
    """The rekan moves to Diskominfo's Pranata Komputer post; the pegawai moves to the
    Analis post; a new pegawai joins."""
    return [
        HEADER,
        [
            org.rekan.nip,
            org.rekan.nama,
            "PNS",
            org.rekan.golongan,
            "Pranata Komputer",
            "Diskominfo",
            "",
            tmt_rekan,
        ],
        [
            org.pegawai.nip,
            org.pegawai.nama,
            "PPPK",
            org.pegawai.golongan,
            "Analis SDM Aparatur Ahli Muda",
            "Bidang Penilaian Kinerja",
            "",
            tmt_pegawai,
        ],
        [
            NEW1,
            "Yuliana Seran",
            "PNS",
            "III/b",
            "Pengolah Data Kinerja",
            "Bidang Penilaian Kinerja",
            "",
            tmt_baru,
        ],
    ]


def _plan(org, rows):
    data = csv_bytes(rows)
    got, galat = impor.baca(data, "csv")
    assert not galat
    return data, impor.periksa(instansi=org.instansi_a, rows=got)


def test_a_past_tmt_takes_effect_and_a_future_one_is_scheduled_as_the_preview_said(org, hari):
    data, plan = _plan(
        org,
        _baris(
            org,
            tmt_rekan=f"01-08-{hari.year}",
            tmt_pegawai=f"{hari.year}-09-01",
            tmt_baru=f"15/07/{hari.year}",
        ),
    )
    assert not plan.galat
    by_nip = {b.nip: b for b in plan.baris}
    assert by_nip[org.rekan.nip].mutasi == "berlaku"
    assert any("mutasi TMT 01-08" in p for p in by_nip[org.rekan.nip].perubahan)
    assert by_nip[org.pegawai.nip].mutasi == "dijadwalkan"
    assert any("dijadwalkan TMT 01-09" in p for p in by_nip[org.pegawai.nip].perubahan)
    assert plan.mutasi == {"berlaku": 1, "dijadwalkan": 1}

    hasil = impor.terapkan(user=org.admin_a, instansi=org.instansi_a, data=data, jenis="csv")
    assert not hasil.galat
    # The result agrees with the preview.
    assert hasil.mutasi == plan.mutasi and hasil.mutasi_dibuat == 2
    m_rekan = Mutasi.objects.get(pegawai=org.rekan)
    assert (m_rekan.status, m_rekan.tmt) == ("berlaku", _d(org, 8, 1))
    m_peg = Mutasi.objects.get(pegawai=org.pegawai)
    assert (m_peg.status, m_peg.tmt) == ("dijadwalkan", _d(org, 9, 1))
    rekan = Pegawai.objects.get(pk=org.rekan.pk)
    assert rekan.jabatan_id == org.staf_dinas.jabatan_id
    # Who rated the rekan before the TMT stays recorded.
    assert masa.penilai_pada(rekan.pk, _d(org, 7, 31)).pejabat_penilai_id == org.kasubbid.pk
    assert masa.penilai_pada(rekan.pk, _d(org, 8, 1)).pejabat_penilai_id == org.kadis.pk
    # The pegawai keeps her post until 1 September.
    assert Pegawai.objects.get(pk=org.pegawai.pk).jabatan_id == org.pegawai.jabatan_id
    # The new pegawai holds her post since her TMT, and her penilai from then.
    baru = Pegawai.objects.get(nip=NEW1)
    (r,) = RiwayatJabatan.objects.filter(pegawai=baru)
    assert (r.jabatan_id, r.mulai) == (org.pegawai.jabatan_id, _d(org, 7, 15))
    assert MasaPenilai.objects.get(pegawai=baru).mulai == _d(org, 7, 15)


def test_importing_the_same_file_again_finds_the_changes_recorded_and_does_nothing(org, hari):
    rows = _baris(org, tmt_rekan="", tmt_pegawai=f"{hari.year}-09-01")
    data, _ = _plan(org, rows)
    impor.terapkan(user=org.admin_a, instansi=org.instansi_a, data=data, jenis="csv")
    counts = (Mutasi.objects.count(), RiwayatJabatan.objects.count(), MasaPenilai.objects.count())
    history = Pegawai.history.count()
    _, again = _plan(org, rows)
    assert again.mutasi == {"berlaku": 0, "dijadwalkan": 0}
    assert {b.status for b in again.baris} == {"tetap"}
    impor.terapkan(user=org.admin_a, instansi=org.instansi_a, data=data, jenis="csv")
    assert (
        Mutasi.objects.count(),
        RiwayatJabatan.objects.count(),
        MasaPenilai.objects.count(),
    ) == counts
    assert Pegawai.history.count() == history
    # An empty TMT is today.
    assert Mutasi.objects.get(pegawai=org.rekan).tmt == hari


@pytest.mark.parametrize(
    ("tmt", "pesan"),
    [
        ("kemarin", "bukan tanggal"),
        ("2021-12-31", "2022"),
    ],
)
def test_a_wrong_tmt_is_refused_with_its_row_and_nothing_is_written(org, hari, tmt, pesan):
    _, plan = _plan(org, _baris(org, tmt_rekan=tmt))
    (g,) = plan.galat
    assert (g.kolom, g.baris) == ("TMT", 2) and pesan in g.pesan


def test_a_closed_year_an_out_of_order_tmt_and_a_future_new_pegawai_are_refused(org, hari):
    from kinerja import mutasi

    mutasi.mutasi_catat(
        user=org.admin_a,
        pegawai=org.rekan,
        jenis="rotasi",
        tmt=_d(org, 8, 10),
        jabatan_baru=org.fungsional.jabatan,
    )
    _, plan = _plan(
        org,
        _baris(org, tmt_rekan=f"{hari.year}-08-01", tmt_baru=f"{hari.year}-12-01"),
    )
    pesan = {(g.baris, g.kolom): g.pesan for g in plan.galat}
    assert "berurutan" in pesan[(2, "TMT")]
    assert "Pegawai baru tidak dapat dijadwalkan" in pesan[(4, "TMT")]
    Periode.objects.filter(pk=org.periode_a.pk).update(status="ditutup")
    _, plan = _plan(org, _baris(org, tmt_pegawai=f"{hari.year}-08-15"))
    assert any("sudah ditutup" in g.pesan for g in plan.galat)


def test_the_preview_page_says_which_changes_take_effect_and_which_wait(org, hari, client_as):
    c = client_as(org.admin_a)
    r = upload(c, csv_bytes(_baris(org, tmt_pegawai=f"{hari.year}-09-01")))
    html = r.content.decode()
    assert r.status_code == 200
    assert 'id="impor-mutasi"' in html
    assert "<strong>1</strong> berlaku saat disimpan, <strong>1</strong> dijadwalkan" in html
    assert "dijadwalkan TMT 01-09" in html
