"""Restructuring (SOTK, issue 16 item 5): a draft with an effective date, a preview that lists
every pegawai whose penilai changes and the SKPs and open evaluations touched (and writes
nothing), applied as an outbox job like a mutasi on that date for everyone affected; a future one
waits for the beat and may be changed or dropped before."""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kinerja import masa, restrukturisasi, services
from kinerja import restrukturisasi_terapan as terapan
from kinerja.models import (
    Jabatan,
    Job,
    LangkahRestrukturisasi,
    Mutasi,
    Pegawai,
    Restrukturisasi,
    RiwayatJabatan,
    UnitKerja,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def jalan(django_capture_on_commit_callbacks):
    """Jobs are sent after commit: run those callbacks (eager Celery runs the job in-process)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _d(org, m, d):
    return dt.date(org.periode_a.tahun, m, d)


def _draf(org, tmt):
    return restrukturisasi.restrukturisasi_buat(
        user=org.admin_a, instansi=org.instansi_a, nama="Perda SOTK Baru", tmt=tmt
    )


def _bidang_ke_dinas(org, r):
    """The Bidang moves under Diskominfo; its Kabid now reports to the Kepala Dinas."""
    restrukturisasi.langkah_tambah(
        user=org.admin_a,
        restrukturisasi=r,
        jenis="unit_ubah",
        unit=org.unit_bidang,
        unit_ke=org.unit_dinas,
    )
    restrukturisasi.langkah_tambah(
        user=org.admin_a,
        restrukturisasi=r,
        jenis="jabatan_ubah",
        jabatan=org.kabid.jabatan,
        jabatan_ke=org.kadis.jabatan,
    )


def _tabel():
    return {
        m._meta.db_table: m.objects.count()
        for m in apps.get_app_config("kinerja").get_models()
        if not m._meta.proxy
    }


def test_preview_lists_every_penilai_change_with_skp_and_open_evaluations_and_writes_nothing(
    org, hari
):
    from tests.security.objects import evaluasi
    from tests.skp.factories import skp_draft

    skp_draft(org, "kabid")
    evaluasi(org)  # the pegawai's draft annual evaluation (her penilai does not change)
    r = _draf(org, _d(org, 9, 1))
    _bidang_ke_dinas(org, r)
    before = _tabel()
    with CaptureQueriesContext(connection) as ctx:
        hasil = restrukturisasi.restrukturisasi_pratinjau(user=org.admin_a, restrukturisasi=r)
    writes = [
        q["sql"]
        for q in ctx.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []
    assert _tabel() == before
    assert not hasil.masalah
    by = {p.pegawai_id: p for p in hasil.perubahan}
    # The Kabid: rated by the Kepala BKD, now by the Kepala Dinas.
    assert (by[org.kabid.pk].penilai_lama, by[org.kabid.pk].penilai_baru) == (
        org.kepala_bkd.pk,
        org.kadis.pk,
    )
    # The Kasubbid keeps her penilai (the Kabid); her atasan pejabat penilai changes.
    k = by[org.kasubbid.pk]
    assert (k.penilai_lama, k.penilai_baru) == (org.kabid.pk, org.kabid.pk)
    assert (k.atasan_lama, k.atasan_baru) == (org.kepala_bkd.pk, org.kadis.pk)
    assert {p.pegawai_id for p in hasil.penilai_berganti} == {org.kabid.pk}
    assert hasil.jumlah_skp == 1 and hasil.skp_per_pegawai == {org.kabid.pk: 1}
    assert hasil.jumlah_evaluasi_terbuka == 0  # the pegawai's draft is not affected
    assert Pegawai.objects.get(pk=org.kabid.pk).pejabat_penilai_id == org.kepala_bkd.pk


def test_applying_records_the_structure_and_who_rates_whom_from_the_tmt(org, hari, jalan):
    received = []

    def terima(**kw):
        received.append(kw)

    services.penilai_berubah.connect(terima, weak=False)
    try:
        r = _draf(org, _d(org, 8, 1))
        _bidang_ke_dinas(org, r)
        r.refresh_from_db()  # each step bumped the draft's version
        with jalan():
            r = terapan.restrukturisasi_terapkan(
                user=org.admin_a, restrukturisasi=r, row_version=r.row_version
            )
    finally:
        services.penilai_berubah.disconnect(terima)
    r.refresh_from_db()
    assert r.status == Restrukturisasi.Status.DITERAPKAN
    assert Job.objects.get(pk=r.job_id).status == Job.Status.SUKSES
    assert UnitKerja.objects.get(pk=org.unit_bidang.pk).induk_id == org.unit_dinas.pk
    assert Jabatan.objects.get(pk=org.kabid.jabatan_id).atasan_id == org.kadis.jabatan_id
    kabid = Pegawai.objects.get(pk=org.kabid.pk)
    # The Kepala Dinas (JPT Pratama of a daerah) is rated by the Kepala Daerah.
    assert (kabid.pejabat_penilai_id, kabid.atasan_pejabat_penilai_id) == (
        org.kadis.pk,
        org.gubernur.pk,
    )
    assert masa.penilai_pada(kabid.pk, _d(org, 7, 31)).pejabat_penilai_id == org.kepala_bkd.pk
    assert masa.penilai_pada(kabid.pk, _d(org, 8, 1)).pejabat_penilai_id == org.kadis.pk
    (kw,) = received  # later stages hear of it once, with the TMT
    assert kw["tmt"] == _d(org, 8, 1)
    assert r.hasil["penilai_berganti"] == 1
    # History: the moved unit and the re-pointed position keep who did it.
    h = UnitKerja.history.filter(id=org.unit_bidang.pk).latest("history_date")
    assert h.history_user_id == org.admin_a.pk and h.induk_id == org.unit_dinas.pk


def test_new_units_positions_and_placements_become_mutasi_naming_the_restructuring(
    org, hari, jalan
):
    r = _draf(org, _d(org, 8, 1))
    add = restrukturisasi.langkah_tambah
    u = add(
        user=org.admin_a,
        restrukturisasi=r,
        jenis="unit_baru",
        nama="Bidang Statistik",
        unit_ke=org.unit_dinas,
    )
    j = add(
        user=org.admin_a,
        restrukturisasi=r,
        jenis="jabatan_baru",
        nama="Kepala Bidang Statistik",
        jenis_jabatan="administrator",
        kepala_unit=True,
        unit_ke_langkah=u,
        jabatan_ke=org.kadis.jabatan,
    )
    add(
        user=org.admin_a,
        restrukturisasi=r,
        jenis="penempatan",
        pegawai=org.rekan,
        jabatan_ke_langkah=j,
        jenis_mutasi="promosi",
    )
    hasil = restrukturisasi.restrukturisasi_pratinjau(user=org.admin_a, restrukturisasi=r)
    assert [(p, b) for p, _lama, b in hasil.penempatan] == [(org.rekan.pk, -j.pk)]
    assert {p.pegawai_id for p in hasil.penilai_berganti} == {org.rekan.pk}
    with jalan():
        terapan.restrukturisasi_terapkan(user=org.admin_a, restrukturisasi=r)
    r.refresh_from_db()
    assert r.status == Restrukturisasi.Status.DITERAPKAN, r.hasil
    jab = Jabatan.objects.get(nama="Kepala Bidang Statistik")
    assert jab.unit_kerja.nama == "Bidang Statistik"
    assert jab.unit_kerja.induk_id == org.unit_dinas.pk
    m = Mutasi.objects.get(pegawai=org.rekan)
    assert (m.jenis, m.status, m.tmt, m.restrukturisasi_id, m.jabatan_baru_id) == (
        "promosi",
        "berlaku",
        _d(org, 8, 1),
        r.pk,
        jab.pk,
    )
    rekan = Pegawai.objects.get(pk=org.rekan.pk)
    assert (rekan.jabatan_id, rekan.pejabat_penilai_id) == (jab.pk, org.kadis.pk)
    riwayat = list(RiwayatJabatan.objects.filter(pegawai=rekan).order_by("mulai"))
    assert [(x.jabatan_id, x.selesai) for x in riwayat] == [
        (org.rekan.jabatan_id, _d(org, 7, 31)),
        (jab.pk, None),
    ]
    # Applying twice does nothing more.
    assert terapan.restrukturisasi_jalankan(restrukturisasi_id=r.pk)["pesan"].startswith(
        "Restrukturisasi sudah"
    )
    assert Mutasi.objects.filter(restrukturisasi_id=r.pk).count() == 1


def test_a_closed_post_still_held_blocks_applying_until_its_holder_is_placed(org, hari, jalan):
    r = _draf(org, _d(org, 8, 1))
    restrukturisasi.langkah_tambah(
        user=org.admin_a,
        restrukturisasi=r,
        jenis="jabatan_ubah",
        jabatan=org.rekan.jabatan,
        tutup=True,
    )
    hasil = restrukturisasi.restrukturisasi_pratinjau(user=org.admin_a, restrukturisasi=r)
    assert any(org.rekan.nama in m and "ditutup" in m for m in hasil.masalah)
    with pytest.raises(ValidationError) as e:
        terapan.restrukturisasi_terapkan(user=org.admin_a, restrukturisasi=r)
    assert "belum dapat diterapkan" in str(e.value)
    assert Restrukturisasi.objects.get(pk=r.pk).status == Restrukturisasi.Status.DRAF
    restrukturisasi.langkah_tambah(
        user=org.admin_a,
        restrukturisasi=r,
        jenis="penempatan",
        pegawai=org.rekan,
        jabatan_ke=org.pegawai.jabatan,
        jenis_mutasi="rotasi",
    )
    with jalan():
        terapan.restrukturisasi_terapkan(user=org.admin_a, restrukturisasi=r)
    assert Jabatan.objects.get(pk=org.rekan.jabatan_id).ditutup == _d(org, 8, 1)
    assert Pegawai.objects.get(pk=org.rekan.pk).jabatan_id == org.pegawai.jabatan_id


def test_a_future_restructuring_waits_for_the_beat_and_can_be_changed_or_dropped_before(
    org, hari, jalan
):
    r = _draf(org, _d(org, 9, 1))
    _bidang_ke_dinas(org, r)
    r = terapan.restrukturisasi_terapkan(user=org.admin_a, restrukturisasi=r)
    assert r.status == Restrukturisasi.Status.DIJADWALKAN
    assert terapan.restrukturisasi_jatuh_tempo(hari_ini=_d(org, 8, 31)) == 0
    # Changed before its date: back to draft, to be previewed and applied again.
    r = restrukturisasi.restrukturisasi_ubah(
        user=org.admin_a,
        restrukturisasi=r,
        nama=r.nama,
        tmt=_d(org, 9, 2),
        row_version=r.row_version,
    )
    assert r.status == Restrukturisasi.Status.DRAF
    assert terapan.restrukturisasi_jatuh_tempo(hari_ini=_d(org, 9, 5)) == 0
    r = terapan.restrukturisasi_terapkan(user=org.admin_a, restrukturisasi=r)
    hari(_d(org, 9, 2))
    with jalan():
        assert terapan.restrukturisasi_jatuh_tempo(hari_ini=_d(org, 9, 2)) == 1
    r.refresh_from_db()
    assert r.status == Restrukturisasi.Status.DITERAPKAN
    assert masa.penilai_pada(org.kabid.pk, _d(org, 9, 2)).pejabat_penilai_id == org.kadis.pk
    assert masa.penilai_pada(org.kabid.pk, _d(org, 9, 1)).pejabat_penilai_id == org.kepala_bkd.pk


def test_a_dropped_draft_never_happens_and_keeps_its_reason(org, hari):
    r = _draf(org, _d(org, 9, 1))
    _bidang_ke_dinas(org, r)
    r = terapan.restrukturisasi_terapkan(user=org.admin_a, restrukturisasi=r)
    with pytest.raises(ValidationError):
        terapan.restrukturisasi_batalkan(user=org.admin_a, restrukturisasi=r, alasan="  ")
    terapan.restrukturisasi_batalkan(user=org.admin_a, restrukturisasi=r, alasan="Perda dibatalkan")
    hari(_d(org, 9, 3))
    assert terapan.restrukturisasi_jatuh_tempo(hari_ini=_d(org, 9, 3)) == 0
    r.refresh_from_db()
    assert (r.status, r.alasan_batal) == ("dibatalkan", "Perda dibatalkan")
    assert UnitKerja.objects.get(pk=org.unit_bidang.pk).induk_id != org.unit_dinas.pk
    with pytest.raises(ValidationError):
        restrukturisasi.langkah_tambah(
            user=org.admin_a, restrukturisasi=r, jenis="unit_baru", nama="Terlambat"
        )


def test_a_stale_row_version_is_refused(org, hari):
    r = _draf(org, _d(org, 9, 1))
    old = r.row_version
    _bidang_ke_dinas(org, r)
    with pytest.raises(ValidationError) as e:
        terapan.restrukturisasi_terapkan(user=org.admin_a, restrukturisasi=r, row_version=old)
    assert "row_version" in e.value.message_dict


def test_removing_a_step_removes_the_steps_built_on_it(org, hari):
    r = _draf(org, _d(org, 9, 1))
    u = restrukturisasi.langkah_tambah(
        user=org.admin_a, restrukturisasi=r, jenis="unit_baru", nama="UPT Baru"
    )
    restrukturisasi.langkah_tambah(
        user=org.admin_a,
        restrukturisasi=r,
        jenis="jabatan_baru",
        nama="Kepala UPT",
        jenis_jabatan="pengawas",
        unit_ke_langkah=u,
    )
    restrukturisasi.langkah_hapus(user=org.admin_a, langkah=u)
    assert not LangkahRestrukturisasi.objects.filter(restrukturisasi=r).exists()
    assert LangkahRestrukturisasi.history.filter(history_type="-").count() == 2


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"jenis": "unit_baru"}, "nama"),
        ({"jenis": "jabatan_baru", "nama": "X"}, "jenis_jabatan"),
        ({"jenis": "penempatan"}, "pegawai"),
        ({"jenis": "unit_ubah"}, "unit"),
    ],
)
def test_a_wrong_step_names_its_field_in_indonesian(org, hari, kw, field):
    r = _draf(org, _d(org, 9, 1))
    with pytest.raises(ValidationError) as e:
        restrukturisasi.langkah_tambah(user=org.admin_a, restrukturisasi=r, **kw)
    assert field in e.value.message_dict
    assert not LangkahRestrukturisasi.objects.exists()


def test_a_step_cannot_point_into_another_instansi(org, hari):
    r = _draf(org, _d(org, 9, 1))
    other = UnitKerja.objects.filter(instansi=org.instansi_b).first()
    with pytest.raises(ValidationError) as e:
        restrukturisasi.langkah_tambah(
            user=org.admin_a, restrukturisasi=r, jenis="unit_baru", nama="X", unit_ke=other
        )
    assert "unit_ke" in e.value.message_dict


@pytest.mark.parametrize("who", ["admin_b", "kasubbid", "pegawai"])
def test_only_the_admin_of_the_instansi_prepares_or_applies(org, hari, who):
    with pytest.raises(PermissionDenied):
        restrukturisasi.restrukturisasi_buat(
            user=org.user(who), instansi=org.instansi_a, nama="X", tmt=_d(org, 9, 1)
        )
    r = _draf(org, _d(org, 9, 1))
    _bidang_ke_dinas(org, r)
    with pytest.raises(PermissionDenied):
        terapan.restrukturisasi_terapkan(user=org.user(who), restrukturisasi=r)
    with pytest.raises(PermissionDenied):
        restrukturisasi.restrukturisasi_pratinjau(user=org.user(who), restrukturisasi=r)


def test_the_admin_prepares_previews_and_applies_from_the_pages(org, hari, client_as, jalan):
    c = client_as(org.admin_a)
    r = c.post(
        "/organisasi/restrukturisasi/tambah/",
        {"nama": "Perda 7/2026", "tmt": f"{org.periode_a.tahun}-08-01"},
    )
    assert r.status_code == 302
    sotk = Restrukturisasi.objects.get(nama="Perda 7/2026")
    url = f"/organisasi/restrukturisasi/{sotk.pk}/"
    # A step missing what it needs: the page again, the section open, everything typed kept.
    r = c.post(
        url + "langkah/",
        {
            "jenis_langkah": "jabatan_baru",
            "jabatan_baru-jenis": "jabatan_baru",
            "jabatan_baru-nama": "Kepala UPT Statistik",
            "simpan": "1",
        },
    )
    html = r.content.decode()
    assert r.status_code == 400
    assert "Pilih jenis jabatan." in html and 'value="Kepala UPT Statistik"' in html
    assert 'id="tambah-jabatan_baru" open' in html
    for data in (
        {
            "jenis_langkah": "unit_ubah",
            "unit_ubah-jenis": "unit_ubah",
            "unit_ubah-unit": org.unit_bidang.pk,
            "unit_ubah-unit_ke": org.unit_dinas.pk,
        },
        {
            "jenis_langkah": "jabatan_ubah",
            "jabatan_ubah-jenis": "jabatan_ubah",
            "jabatan_ubah-jabatan": org.kabid.jabatan_id,
            "jabatan_ubah-jabatan_ke": org.kadis.jabatan_id,
        },
    ):
        assert c.post(url + "langkah/", {**data, "simpan": "1"}).status_code == 302
    assert sotk.langkah_set.count() == 2
    page = c.get(url + "pratinjau/").content.decode()
    assert org.kabid.nama in page and org.kepala_bkd.nama in page and org.kadis.nama in page
    assert "<strong>1</strong> pegawai berganti pejabat penilai" in page
    sotk.refresh_from_db()
    with jalan():
        r = c.post(url + "terapkan/", {"row_version": sotk.row_version})
    assert r.status_code == 302
    sotk.refresh_from_db()
    assert sotk.status == "diterapkan"
    assert "berganti pejabat penilai" in c.get(url).content.decode()
    assert Pegawai.objects.get(pk=org.kabid.pk).pejabat_penilai_id == org.kadis.pk
