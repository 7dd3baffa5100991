from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from skp import selectors, services
from skp.models import SKP, PeranHasil, RencanaHasilKerja
from tests.skp.factories import rhk


@pytest.fixture
def kabid_matriks(org):
    """Kabid's matrix: two columns (his own rencana hasil kerja), rows kasubbid and fungsional."""
    kabid = org.kabid
    skp = services.skp_buat(pegawai=kabid, periode=org.periode_a, user=kabid.user)
    k1 = rhk(skp, kabid.user, rencana="Penilaian kinerja pegawai provinsi tepat waktu")
    k2 = rhk(skp, kabid.user, rencana="Sistem informasi kinerja dimanfaatkan seluruh OPD")
    m = services.matriks_buat(pemimpin=kabid, periode=org.periode_a, user=kabid.user)
    services.peran_hasil_simpan(
        matriks=m,
        user=kabid.user,
        anggota=org.kasubbid,
        kolom_kunci=k1.kunci,
        peran_hasil="Evaluasi SKP seluruh bidang terselesaikan",
        cascading="langsung",
        dasar="aspek_tahapan",
        aspek="waktu",
        indikator="Persentase SKP dievaluasi",
        target="100 %",
    )
    services.peran_hasil_simpan(
        matriks=m,
        user=kabid.user,
        anggota=org.kasubbid,
        kolom_kunci=k1.kunci,
        peran_hasil="Rekap predikat triwulanan tersaji",
        cascading="langsung",
        dasar="wilayah",
        indikator="Rekap",
        target="4 rekap",
    )
    services.peran_hasil_na(matriks=m, user=kabid.user, anggota=org.kasubbid, kolom_kunci=k2.kunci)
    services.peran_hasil_simpan(
        matriks=m,
        user=kabid.user,
        anggota=org.fungsional,
        kolom_kunci=k2.kunci,
        peran_hasil="Modul dashboard kinerja tersedia",
        cascading="tidak_langsung",
        dasar="produk",
        indikator="Modul",
        target="1 modul",
    )
    return m, k1, k2


def _rows(pegawai, periode):
    skp = selectors.skp_terkini(pegawai=pegawai, periode=periode)
    return skp, list(skp.rencana_set.order_by("urutan")) if skp else []


def test_matrix_rows_are_direct_reports_and_columns_the_leaders_rhk(org, kabid_matriks):
    m, k1, k2 = kabid_matriks
    grid = selectors.matriks_grid(m)
    assert {p.pk for p in grid["baris"]} == {org.kasubbid.pk, org.fungsional.pk}
    assert [k.pk for k in grid["kolom"]] == [k1.pk, k2.pk]


def test_applying_puts_cells_into_drafts_with_the_intervened_rhk(org, kabid_matriks):
    m, k1, k2 = kabid_matriks
    hasil = services.matriks_terapkan(matriks=m, user=org.kabid.user)
    assert set(hasil["dibuat"]) == {org.kasubbid.nama, org.fungsional.nama}
    skp, rows = _rows(org.kasubbid, org.periode_a)
    assert skp.status == "draft"
    assert [r.rencana for r in rows] == [
        "Evaluasi SKP seluruh bidang terselesaikan",
        "Rekap predikat triwulanan tersaji",
    ]
    assert all(r.rhk_atasan_id == k1.pk and r.sumber == "matriks" for r in rows)
    assert rows[0].indikator_set.get().target == "100 %"
    _, rows_f = _rows(org.fungsional, org.periode_a)
    assert [(r.rencana, r.rhk_atasan_id) for r in rows_f] == [
        ("Modul dashboard kinerja tersedia", k2.pk)
    ]


def test_applying_again_does_not_duplicate(org, kabid_matriks):
    m, *_ = kabid_matriks
    services.matriks_terapkan(matriks=m, user=org.kabid.user)
    hasil = services.matriks_terapkan(matriks=m, user=org.kabid.user)
    assert hasil == {"dibuat": [], "diperbarui": [], "versi_baru": [], "dilewati": []}
    assert RencanaHasilKerja.objects.filter(skp__pegawai=org.kasubbid).count() == 2


def test_applying_keeps_rows_the_pegawai_added_and_updates_changed_cells(org, kabid_matriks):
    m, *_ = kabid_matriks
    services.matriks_terapkan(matriks=m, user=org.kabid.user)
    skp, _ = _rows(org.kasubbid, org.periode_a)
    rhk(skp, org.kasubbid.user, rencana="Baris milik sendiri", jenis="tambahan")
    sel = m.sel_set.filter(anggota=org.kasubbid, na=False).first()
    services.peran_hasil_simpan(
        matriks=m,
        user=org.kabid.user,
        anggota=org.kasubbid,
        kolom_kunci=sel.kolom_kunci,
        peran_hasil="Evaluasi SKP diperluas",
        sel=sel,
    )
    hasil = services.matriks_terapkan(matriks=m, user=org.kabid.user)
    assert hasil["diperbarui"] == [org.kasubbid.nama]
    texts = set(skp.rencana_set.values_list("rencana", flat=True))
    assert texts == {
        "Evaluasi SKP diperluas",
        "Rekap predikat triwulanan tersaji",
        "Baris milik sendiri",
    }


def test_an_approved_skp_is_never_changed_a_new_version_is_opened(org, kabid_matriks):
    m, k1, _ = kabid_matriks
    services.matriks_terapkan(matriks=m, user=org.kabid.user)
    v1, _ = _rows(org.kasubbid, org.periode_a)
    services.skp_ajukan(skp=v1, user=org.kasubbid.user)
    services.skp_setujui(skp=v1, user=org.kabid.user)
    before = list(v1.rencana_set.values_list("kunci", "rencana", "rhk_atasan_id"))
    # Nothing changed in the matrix: applying touches nothing, opens nothing.
    assert services.matriks_terapkan(matriks=m, user=org.kabid.user)["versi_baru"] == []
    assert SKP.objects.filter(pegawai=org.kasubbid).count() == 1
    services.peran_hasil_simpan(
        matriks=m,
        user=org.kabid.user,
        anggota=org.kasubbid,
        kolom_kunci=k1.kunci,
        peran_hasil="Pendampingan SKP OPD",
        indikator="OPD didampingi",
        target="10 OPD",
    )
    hasil = services.matriks_terapkan(matriks=m, user=org.kabid.user)
    assert hasil["versi_baru"] == [org.kasubbid.nama]
    v1.refresh_from_db()
    assert v1.status == "disetujui" and not v1.terkini
    assert list(v1.rencana_set.values_list("kunci", "rencana", "rhk_atasan_id")) == before
    v2, rows = _rows(org.kasubbid, org.periode_a)
    assert v2.versi == 2 and v2.status == "draft"
    assert len(rows) == 3 and {r.kunci for r in rows} >= {k for k, _, _ in before}
    # Applying once more: still one new version, no duplicates.
    services.matriks_terapkan(matriks=m, user=org.kabid.user)
    assert SKP.objects.filter(pegawai=org.kasubbid).count() == 2
    assert v2.rencana_set.count() == 3


def test_a_submitted_skp_is_skipped(org, kabid_matriks):
    m, k1, _ = kabid_matriks
    services.matriks_terapkan(matriks=m, user=org.kabid.user)
    skp, _ = _rows(org.kasubbid, org.periode_a)
    services.skp_ajukan(skp=skp, user=org.kasubbid.user)
    services.peran_hasil_simpan(
        matriks=m,
        user=org.kabid.user,
        anggota=org.kasubbid,
        kolom_kunci=k1.kunci,
        peran_hasil="Baru",
    )
    hasil = services.matriks_terapkan(matriks=m, user=org.kabid.user)
    assert hasil["dilewati"] and skp.rencana_set.count() == 2


def test_team_matrix_rows_are_members_and_rows_name_the_team(org):
    ketua = org.fungsional
    skp = services.skp_buat(pegawai=ketua, periode=org.periode_a, user=ketua.user)
    k = rhk(skp, ketua.user, rencana="Aplikasi e-kinerja daerah terintegrasi")
    m = services.matriks_buat(pemimpin=ketua, periode=org.periode_a, user=ketua.user, tim=org.tim)
    assert {p.pk for p in selectors.matriks_baris(m)} == {org.pegawai.pk, org.staf_dinas.pk}
    services.peran_hasil_simpan(
        matriks=m,
        user=ketua.user,
        anggota=org.pegawai,
        kolom_kunci=k.kunci,
        peran_hasil="Data kinerja pegawai BKD termigrasi",
        cascading="tidak_langsung",
        dasar="layanan",
    )
    services.matriks_terapkan(matriks=m, user=ketua.user)
    row = RencanaHasilKerja.objects.get(skp__pegawai=org.pegawai)
    assert (
        row.tim_id == org.tim.pk and row.pemberi_tugas_id == ketua.pk and row.rhk_atasan_id == k.pk
    )


def test_cells_refuse_non_members_unknown_columns_and_mismatched_cascade(org, kabid_matriks):
    m, k1, _ = kabid_matriks
    with pytest.raises(ValidationError) as e:
        services.peran_hasil_simpan(
            matriks=m,
            user=org.kabid.user,
            anggota=org.pegawai,
            kolom_kunci=k1.kunci,
            peran_hasil="x",
        )
    assert "anggota" in e.value.message_dict
    with pytest.raises(ValidationError) as e:
        services.peran_hasil_simpan(
            matriks=m,
            user=org.kabid.user,
            anggota=org.kasubbid,
            kolom_kunci="00000000-0000-0000-0000-000000000000",
            peran_hasil="x",
        )
    assert "kolom_kunci" in e.value.message_dict
    with pytest.raises(ValidationError) as e:
        services.peran_hasil_simpan(
            matriks=m,
            user=org.kabid.user,
            anggota=org.kasubbid,
            kolom_kunci=k1.kunci,
            peran_hasil="x",
            cascading="langsung",
            dasar="produk",
        )
    assert "dasar" in e.value.message_dict
    with pytest.raises(ValidationError):
        services.peran_hasil_na(
            matriks=m, user=org.kabid.user, anggota=org.kasubbid, kolom_kunci=k1.kunci
        )


def test_only_the_leader_edits_and_applies(org, kabid_matriks):
    m, k1, _ = kabid_matriks
    for user in (org.kasubbid.user, org.kepala_bkd.user, org.admin_a):
        with pytest.raises(PermissionDenied):
            services.matriks_terapkan(matriks=m, user=user)
        with pytest.raises(PermissionDenied):
            services.peran_hasil_simpan(
                matriks=m, user=user, anggota=org.kasubbid, kolom_kunci=k1.kunci, peran_hasil="x"
            )
    with pytest.raises(PermissionDenied):
        services.matriks_buat(pemimpin=org.kabid, periode=org.periode_a, user=org.kasubbid.user)
    assert not PeranHasil.objects.filter(peran_hasil="x").exists()


def test_matrix_page_and_htmx_cell(org, client_as, kabid_matriks):
    m, k1, k2 = kabid_matriks
    c = client_as(org.kabid.user)
    html = c.get(reverse("skp:matriks", args=[m.pk])).content.decode()
    assert "Evaluasi SKP seluruh bidang terselesaikan" in html and "N/A" in html
    assert org.fungsional.nama in html and k2.rencana in html
    r = c.post(
        reverse("skp:matriks_sel", args=[m.pk]),
        {
            "anggota": org.fungsional.pk,
            "kolom": str(k1.kunci),
            "peran_hasil": "",
            "cascading": "langsung",
            "dasar": "",
            "aspek": "",
            "indikator": "Setengah",
            "target": "",
        },
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 200 and "Setengah" in r.content.decode()
    r = c.post(reverse("skp:matriks_terapkan", args=[m.pk]), follow=True)
    assert "Matriks diterapkan" in r.content.decode()
    assert client_as(org.pegawai.user).get(reverse("skp:matriks", args=[m.pk])).status_code == 404
    assert (
        client_as(org.kepala_bkd.user).get(reverse("skp:matriks", args=[m.pk])).status_code == 200
    )
    r = client_as(org.kepala_bkd.user).post(reverse("skp:matriks_terapkan", args=[m.pk]))
    assert r.status_code == 403


def test_a_ketua_tim_outside_the_line_can_be_a_row_and_their_penilai_is_told(org):
    from kinerja.models import Notifikasi

    kbkd = org.kepala_bkd
    own = services.skp_buat(pegawai=kbkd, periode=org.periode_a, user=kbkd.user)
    k = rhk(own, kbkd.user, rencana="Layanan kepegawaian digital", perspektif="proses_bisnis")
    m = services.matriks_buat(pemimpin=kbkd, periode=org.periode_a, user=kbkd.user)
    assert org.fungsional.pk not in {p.pk for p in selectors.matriks_baris(m)}
    assert [p.pk for p in selectors.matriks_kandidat_ketua(m)] == [org.fungsional.pk]
    with pytest.raises(ValidationError):
        services.matriks_baris_tambah(matriks=m, user=kbkd.user, anggota=org.rekan)
    services.matriks_baris_tambah(matriks=m, user=kbkd.user, anggota=org.fungsional)
    assert org.fungsional.pk in {p.pk for p in selectors.matriks_baris(m)}
    services.peran_hasil_simpan(
        matriks=m,
        user=kbkd.user,
        anggota=org.fungsional,
        kolom_kunci=k.kunci,
        peran_hasil="Peta jalan transformasi digital tersusun",
    )
    services.matriks_terapkan(matriks=m, user=kbkd.user)
    row = RencanaHasilKerja.objects.get(skp__pegawai=org.fungsional)
    assert row.pemberi_tugas_id == kbkd.pk and row.rhk_atasan_id == k.pk
    assert Notifikasi.objects.filter(
        penerima=org.kabid.user, jenis="skp_matriks_diterapkan_penilai"
    ).exists()
    services.matriks_baris_hapus(matriks=m, user=kbkd.user, anggota=org.fungsional)
    assert org.fungsional.pk not in {p.pk for p in selectors.matriks_baris(m)}


def test_adding_a_column_goes_into_the_leaders_own_draft(org, client_as, kabid_matriks):
    m, *_ = kabid_matriks
    c = client_as(org.kabid.user)
    c.post(
        reverse("skp:matriks_kolom", args=[m.pk]),
        {"rencana": "Kolom ketiga", "indikator": "Jumlah", "target": "3"},
    )
    assert [k.rencana for k in selectors.matriks_kolom(m)][-1] == "Kolom ketiga"


def test_matrix_page_costs_the_same_queries_for_few_or_many_rows(org, client_as, kabid_matriks):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kinerja.models import Jabatan
    from kinerja.services import penilai_refresh
    from tests.personas import _pegawai

    m, k1, k2 = kabid_matriks
    c = client_as(org.kabid.user)
    url = reverse("skp:matriks", args=[m.pk])

    def count():
        c.get(url)
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(url).status_code == 200
        return len(ctx.captured_queries)

    kecil = count()
    for n in range(30):
        jab = Jabatan.objects.create(
            unit_kerja=org.unit_bidang,
            nama=f"Staf {n}",
            jenis="pelaksana",
            atasan=org.kabid.jabatan,
        )
        _pegawai(org.instansi_a, f"Staf Uji {n}", jab)
    penilai_refresh(instansi=org.instansi_a)
    for p in selectors.matriks_baris(m):
        if p.nama.startswith("Staf Uji"):
            services.peran_hasil_simpan(
                matriks=m,
                user=org.kabid.user,
                anggota=p,
                kolom_kunci=k1.kunci,
                peran_hasil=f"Peran {p.nama}",
            )
    assert len(selectors.matriks_baris(m)) == 32
    assert count() == kecil
