"""Kelola organisasi (issue 16 item 6): the instansi admin runs units (a tree), positions,
pegawai and their changes of position, the year and the keberatan designee from the app,
through the same services as the API and the import."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kinerja import services, waktu
from kinerja.models import (
    Instansi,
    Jabatan,
    MasaPenilai,
    Mutasi,
    Pegawai,
    Periode,
    RiwayatJabatan,
    UnitKerja,
)
from kinerja.rules import make_nip

pytestmark = pytest.mark.django_db


@pytest.fixture
def hari(monkeypatch, org):
    d = dt.date(org.periode_a.tahun, 8, 20)
    monkeypatch.setattr(waktu, "hari_ini", lambda: d)
    return d


@pytest.fixture
def admin(org, client_as):
    return client_as(org.admin_a)


def test_admin_adds_a_unit_under_a_parent_and_finds_it_in_the_tree_with_its_path(org, admin):
    r = admin.post(
        "/organisasi/unit/tambah/",
        {"simpan": "1", "nama": "Subbidang Data", "induk": org.unit_bidang.pk},
    )
    assert r.status_code == 302
    u = UnitKerja.objects.get(nama="Subbidang Data")
    assert (u.instansi_id, u.induk_id) == (org.instansi_a.pk, org.unit_bidang.pk)
    assert u.history.latest().history_user_id == org.admin_a.pk
    # The parent's node expands to it (the htmx partial); its page shows the path.
    anak = admin.get(f"/organisasi/unit/{org.unit_bidang.pk}/anak/", HTTP_HX_REQUEST="true")
    assert "Subbidang Data" in anak.content.decode()
    page = admin.get(f"/organisasi/unit/{u.pk}/").content.decode()
    assert "Badan Kepegawaian Daerah</a> › <a" in page and "Bidang Penilaian Kinerja" in page
    found = admin.get("/organisasi/unit/?q=subbidang").content.decode()
    assert "Subbidang Data" in found and "Bidang Penilaian Kinerja" in found


def test_a_refused_save_shows_the_form_again_with_everything_typed(org, admin):
    bidang = org.unit_bidang
    sub = UnitKerja.objects.create(instansi=org.instansi_a, induk=bidang, nama="Sub")
    r = admin.post(
        f"/organisasi/unit/{bidang.pk}/",
        {
            "simpan": "1",
            "nama": "Bidang Kinerja (baru)",
            "singkatan": "BK",
            "induk": sub.pk,
            "induk_cari": "Sub",
            "row_version": bidang.row_version,
        },
    )
    assert r.status_code == 400
    html = r.content.decode()
    assert "tidak boleh unit ini sendiri atau unit di bawahnya" in html
    assert 'value="Bidang Kinerja (baru)"' in html and 'value="BK"' in html
    assert UnitKerja.objects.get(pk=bidang.pk).nama == "Bidang Penilaian Kinerja"


def test_an_edit_made_on_a_stale_copy_is_refused(org, admin):
    jab = org.rekan.jabatan
    stale = jab.row_version
    services.organisasi_simpan(user=org.admin_a, obj=Jabatan.objects.get(pk=jab.pk))  # bumps it
    r = admin.post(
        f"/organisasi/jabatan/{jab.pk}/",
        {
            "simpan": "1",
            "nama": "Analis Kinerja",
            "unit_kerja": jab.unit_kerja_id,
            "jenis": "pelaksana",
            "atasan": jab.atasan_id,
            "row_version": stale,
        },
    )
    assert r.status_code == 400
    assert "sudah diubah oleh pengguna lain" in r.content.decode()
    assert Jabatan.objects.get(pk=jab.pk).nama == jab.nama


def test_pointing_a_position_at_a_new_atasan_changes_its_holders_penilai(org, admin):
    jab = org.rekan.jabatan
    r = admin.post(
        f"/organisasi/jabatan/{jab.pk}/",
        {
            "simpan": "1",
            "nama": jab.nama,
            "unit_kerja": jab.unit_kerja_id,
            "jenis": "pelaksana",
            "atasan": org.kabid.jabatan_id,
            "row_version": jab.row_version,
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    assert Pegawai.objects.get(pk=org.rekan.pk).pejabat_penilai_id == org.kabid.pk


def test_admin_adds_a_pegawai_holding_a_post_since_her_tmt_with_a_login(org, admin, hari):
    nip = make_nip(dt.date(1995, 3, 4), dt.date(2020, 1, 1), False, 41)
    r = admin.post(
        "/organisasi/pegawai/tambah/",
        {
            "simpan": "1",
            "nip": nip,
            "nama": "Yosefina Leki",
            "jenis_asn": "pns",
            "golongan": "III/a",
            "jabatan": org.pegawai.jabatan_id,
            "tmt": f"{hari.year}-07-01",
        },
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    p = Pegawai.objects.get(nip=nip)
    assert (p.unit_kerja_id, p.pejabat_penilai_id) == (org.unit_bidang.pk, org.kasubbid.pk)
    assert p.user is not None and p.user.username == nip
    (rw,) = RiwayatJabatan.objects.filter(pegawai=p)
    assert rw.mulai == dt.date(hari.year, 7, 1)
    assert MasaPenilai.objects.get(pegawai=p).mulai == dt.date(hari.year, 7, 1)


def test_the_edit_form_never_changes_the_position_directly(org, admin):
    p = org.rekan
    r = admin.post(
        f"/organisasi/pegawai/{p.pk}/ubah/",
        {
            "simpan": "1",
            "nip": p.nip,
            "nama": "Daniel Tallo, S.E.",
            "jenis_asn": "pns",
            "golongan": "III/c",
            "status": "aktif",
            "jabatan": org.kabid.jabatan_id,
            "row_version": p.row_version,
        },
    )
    assert r.status_code == 302
    p.refresh_from_db()
    assert (p.nama, p.golongan, p.jabatan_id) == (
        "Daniel Tallo, S.E.",
        "III/c",
        org.rekan.jabatan_id,
    )


def test_a_mutasi_dated_last_month_shows_in_the_riwayat_and_the_penilai_per_date(org, admin, hari):
    tmt = dt.date(hari.year, 7, 15)
    r = admin.post(
        f"/organisasi/pegawai/{org.rekan.pk}/mutasi/",
        {
            "simpan": "1",
            "jenis": "mutasi",
            "jabatan_baru": org.staf_dinas.jabatan_id,
            "tmt": tmt.isoformat(),
            "keterangan": "SK 821/2026",
        },
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    m = Mutasi.objects.get(pegawai=org.rekan)
    assert (m.status, m.tmt, m.keterangan) == ("berlaku", tmt, "SK 821/2026")
    page = admin.get(f"/organisasi/pegawai/{org.rekan.pk}/").content.decode()
    assert "Pranata Komputer" in page and "Analis Kinerja Pegawai" in page
    assert org.kadis.nama in page and org.kasubbid.nama in page
    before = admin.get(
        f"/organisasi/pegawai/{org.rekan.pk}/?tanggal={hari.year}-07-14"
    ).content.decode()
    assert f"<strong>{org.kasubbid.nama}</strong>" in before
    after = admin.get(
        f"/organisasi/pegawai/{org.rekan.pk}/?tanggal={hari.year}-07-15"
    ).content.decode()
    assert f"<strong>{org.kadis.nama}</strong>" in after


def test_a_plt_for_a_vacant_post_rates_its_people_until_its_end(org, admin, hari):
    from kinerja import mutasi

    mutasi.mutasi_catat(
        user=org.admin_a, pegawai=org.kasubbid, jenis="berhenti", tmt=dt.date(hari.year, 8, 1)
    )
    r = admin.post(
        f"/organisasi/pegawai/{org.fungsional.pk}/mutasi/",
        {
            "simpan": "1",
            "jenis": "plt",
            "jabatan_baru": org.kasubbid.jabatan_id,
            "tmt": f"{hari.year}-08-05",
            "sampai": f"{hari.year}-10-31",
        },
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    peg = Pegawai.objects.get(pk=org.pegawai.pk)
    assert (peg.pejabat_penilai_id, peg.atasan_pejabat_penilai_id) == (
        org.fungsional.pk,
        org.kabid.pk,
    )
    plt = RiwayatJabatan.objects.get(pegawai=org.fungsional, jenis="plt")
    assert plt.selesai == dt.date(hari.year, 10, 31)


def test_a_plt_without_its_end_is_refused_with_the_reason_and_everything_kept(org, admin, hari):
    r = admin.post(
        f"/organisasi/pegawai/{org.fungsional.pk}/mutasi/",
        {
            "simpan": "1",
            "jenis": "plt",
            "jabatan_baru": org.kasubbid.jabatan_id,
            "tmt": f"{hari.year}-08-05",
            "keterangan": "ND 12",
        },
    )
    assert r.status_code == 400
    html = r.content.decode()
    assert "Plt/Plh memerlukan tanggal berakhir." in html
    assert "ND 12" in html and f'value="{hari.year}-08-05"' in html
    assert not Mutasi.objects.exists()


def test_a_scheduled_change_is_listed_and_cancelled_with_its_reason(org, admin, hari):
    admin.post(
        f"/organisasi/pegawai/{org.rekan.pk}/mutasi/",
        {
            "simpan": "1",
            "jenis": "rotasi",
            "jabatan_baru": org.pegawai.jabatan_id,
            "tmt": f"{hari.year}-10-01",
        },
    )
    m = Mutasi.objects.get(pegawai=org.rekan)
    assert m.status == "dijadwalkan"
    daftar = admin.get("/organisasi/mutasi/").content.decode()
    assert org.rekan.nama in daftar and f"/organisasi/mutasi/{m.pk}/batalkan/" in daftar
    r = admin.post(f"/organisasi/mutasi/{m.pk}/batalkan/", {"row_version": m.row_version})
    assert r.status_code == 400
    r = admin.post(
        f"/organisasi/mutasi/{m.pk}/batalkan/",
        {"alasan": "SK ditarik", "row_version": m.row_version},
    )
    assert r.status_code == 302
    m.refresh_from_db()
    assert (m.status, m.alasan_batal) == ("dibatalkan", "SK ditarik")


def test_a_year_is_created_and_a_later_stages_rule_on_it_is_asked(org, admin):
    r = admin.post(
        "/organisasi/periode/tambah/",
        {
            "tahun": 2031,
            "frekuensi": "semesteran",
            "status": "perencanaan",
            "batas_persetujuan_hari": 7,
        },
    )
    assert r.status_code == 302
    per = Periode.objects.get(instansi=org.instansi_a, tahun=2031)

    def beku(*, before, after):
        if before is not None and before.frekuensi != after.frekuensi:
            raise ValidationError({"frekuensi": "Frekuensi sudah dipakai evaluasi."})

    services.periode_validator(beku)
    try:
        r = admin.post(
            f"/organisasi/periode/{per.pk}/",
            {
                "tahun": 2031,
                "frekuensi": "bulanan",
                "status": "perencanaan",
                "batas_persetujuan_hari": 7,
                "row_version": per.row_version,
            },
        )
    finally:
        services.PERIODE_VALIDATORS.remove(beku)
    assert r.status_code == 400
    assert "Frekuensi sudah dipakai evaluasi." in r.content.decode()
    assert Periode.objects.get(pk=per.pk).frekuensi == "semesteran"


def test_the_keberatan_designee_is_set_from_the_instansi_only(org, admin):
    inst = org.instansi_a
    r = admin.post(
        "/organisasi/pengaturan/",
        {
            "simpan": "1",
            "pejabat_keberatan": org.pegawai_b.pk,
            "kota": "Kupang",
            "row_version": inst.row_version,
        },
    )
    assert r.status_code == 400  # another instansi's pegawai is no choice
    r = admin.post(
        "/organisasi/pengaturan/",
        {
            "simpan": "1",
            "pejabat_keberatan": org.sekda.pk,
            "kota": "Kupang",
            "row_version": inst.row_version,
        },
    )
    assert r.status_code == 302
    assert Instansi.objects.get(pk=inst.pk).pejabat_keberatan_id == org.sekda.pk


def test_the_picker_finds_positions_by_part_of_their_name_in_the_instansi_only(org, admin):
    html = admin.get("/organisasi/pilih/jabatan/?atasan_cari=subbidang").content.decode()
    assert "Kepala Subbidang Evaluasi Kinerja" in html
    html = admin.get("/organisasi/pilih/jabatan/?atasan_cari=bkpsdm").content.decode()
    assert "Kepala BKPSDM" not in html  # instansi B's
    # Without JavaScript: the form posted with the search box shows what matched.
    r = admin.post("/organisasi/jabatan/tambah/", {"cari": "1", "atasan_cari": "kepala bidang"})
    assert "Kepala Bidang Penilaian Kinerja" in r.content.decode()


# --- at province size ---------------------------------------------------------------------
def _banyak(org, n: int) -> None:
    """n more units (one level under the Bidang), positions, pegawai and scheduled changes."""
    units = UnitKerja.objects.bulk_create(
        [
            UnitKerja(instansi=org.instansi_a, induk=org.unit_bidang, nama=f"Seksi Uji {i:04d}")
            for i in range(n)
        ]
    )
    jab = Jabatan.objects.bulk_create(
        [
            Jabatan(
                unit_kerja=u,
                nama=f"Pengolah Uji {i:04d}",
                jenis="pelaksana",
                atasan=org.kasubbid.jabatan,
            )
            for i, u in enumerate(units)
        ]
    )
    peg = Pegawai.objects.bulk_create(
        [
            Pegawai(
                instansi=org.instansi_a,
                nama=f"Pegawai Uji {i:04d}",
                jabatan=j,
                unit_kerja=j.unit_kerja,
                jenis_asn="pejabat_negara",
                pejabat_penilai=org.kasubbid,
            )
            for i, j in enumerate(jab)
        ]
    )
    tmt = dt.date(org.periode_a.tahun, 12, 1)
    Mutasi.objects.bulk_create(
        [Mutasi(pegawai=p, jenis="rotasi", jabatan_baru=org.rekan.jabatan, tmt=tmt) for p in peg]
    )


PAGES = [
    "/organisasi/",
    "/organisasi/?q=uji",
    "/organisasi/jabatan/",
    "/organisasi/jabatan/?q=pengolah",
    "/organisasi/unit/?q=seksi",
    "/organisasi/mutasi/",
    "/organisasi/mutasi/?status=semua",
]


def _hitung(admin, url: str, org) -> int:
    with CaptureQueriesContext(connection) as ctx:
        r = admin.get(url)
    assert r.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", PAGES)
def test_lists_cost_the_same_queries_at_5_and_500_rows(org, admin, url):
    _banyak(org, 5)
    kecil = _hitung(admin, url, org)
    _banyak(org, 495)
    besar = _hitung(admin, url, org)
    assert besar == kecil, (url, kecil, besar)


def test_the_unit_tree_expands_a_node_in_the_same_queries_at_5_and_500_children(org, admin):
    url = f"/organisasi/unit/{org.unit_bidang.pk}/anak/"
    _banyak(org, 5)
    kecil = _hitung(admin, url, org)
    _banyak(org, 495)
    assert _hitung(admin, url, org) == kecil


def test_searches_can_use_the_trigram_indexes(org):
    if connection.vendor != "postgresql":
        pytest.skip("trigram indexes are PostgreSQL's")
    # What `icontains` compiles to must match the index expression (the planner may still pick
    # a scan on a table this small; with scans off only the trigram index answers the LIKE).
    qs = Pegawai.objects.filter(nama__icontains="mbet").only("id")
    with connection.cursor() as cur:
        cur.execute("SET LOCAL enable_seqscan = off")
        cur.execute("SET LOCAL enable_indexscan = off")
        sql, params = qs.query.sql_with_params()
        cur.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(r[0] for r in cur.fetchall())
    assert "pegawai_nama_trgm" in plan, plan


def test_a_closed_year_is_read_only_and_no_year_is_closed_from_the_form(org, admin):
    per = org.periode_a
    r = admin.post(
        f"/organisasi/periode/{per.pk}/",
        {
            "tahun": per.tahun,
            "frekuensi": per.frekuensi,
            "status": "ditutup",
            "batas_persetujuan_hari": 7,
            "row_version": per.row_version,
        },
    )
    assert r.status_code == 400 and Periode.objects.get(pk=per.pk).status != "ditutup"
    Periode.objects.filter(pk=per.pk).update(status="ditutup")
    r = admin.post(
        f"/organisasi/periode/{per.pk}/",
        {
            "tahun": per.tahun,
            "frekuensi": "bulanan",
            "status": "berjalan",
            "batas_persetujuan_hari": 7,
            "row_version": per.row_version,
        },
    )
    assert r.status_code == 400 and "sudah ditutup" in r.content.decode()
    assert Periode.objects.get(pk=per.pk).frekuensi == per.frekuensi
