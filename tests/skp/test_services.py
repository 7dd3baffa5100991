"""Every state change of the SKP, allowed and refused."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kinerja.models import Notifikasi, Pegawai, PersetujuanElektronik
from skp import selectors, services
from skp.models import SKP
from tests.skp.factories import rhk, skp_diajukan, skp_disetujui, skp_draft


def test_create_refuses_a_second_skp_and_strangers(org):
    skp_draft(org)
    with pytest.raises(ValidationError):
        services.skp_buat(pegawai=org.pegawai, periode=org.periode_a, user=org.pegawai.user)
    for who in ("rekan", "kadis", "pegawai_b"):
        with pytest.raises(PermissionDenied):
            services.skp_buat(
                pegawai=org.rekan if who != "rekan" else org.kasubbid,
                periode=org.periode_a,
                user=getattr(org, who).user,
            )
    with pytest.raises(ValidationError):
        services.skp_buat(pegawai=org.rekan, periode=org.periode_b, user=org.rekan.user)


def test_jenis_follows_the_position_and_status(org):
    assert skp_draft(org, "kepala_bkd", n_rhk=0).jenis == "jpt"
    assert skp_draft(org, "pegawai", n_rhk=0).jenis == "ja_jf"
    Pegawai.objects.filter(pk=org.rekan.pk).update(status="tugas_belajar")
    org.rekan.refresh_from_db()
    assert skp_draft(org, "rekan", n_rhk=0).jenis == "tugas_belajar"


def test_submit_requires_a_main_row_with_indikator_and_target(org):
    skp = skp_draft(org, n_rhk=0)
    with pytest.raises(ValidationError) as e:
        services.skp_ajukan(skp=skp, user=org.pegawai.user)
    assert "utama" in str(e.value)
    rhk(skp, org.pegawai.user, indikator=[])
    with pytest.raises(ValidationError) as e:
        services.skp_ajukan(skp=skp, user=org.pegawai.user)
    assert "indikator" in str(e.value)
    skp.refresh_from_db()
    assert skp.status == "draft"


def test_jpt_rows_need_a_perspektif(org):
    skp = skp_draft(org, "kepala_bkd", n_rhk=0)
    rhk(skp, org.kepala_bkd.user)
    with pytest.raises(ValidationError) as e:
        services.skp_ajukan(skp=skp, user=org.kepala_bkd.user)
    assert "perspektif" in str(e.value)
    r = skp.rencana_set.get()
    services.rhk_ubah(rhk=r, user=org.kepala_bkd.user, perspektif="penerima_layanan")
    services.skp_ajukan(skp=skp, user=org.kepala_bkd.user)


def test_kualitatif_rows_need_a_measure_of_success(org):
    skp = skp_draft(org, n_rhk=0, pendekatan="kualitatif")
    r = rhk(skp, org.pegawai.user, indikator=[])
    with pytest.raises(ValidationError):
        services.skp_ajukan(skp=skp, user=org.pegawai.user)
    services.rhk_ubah(rhk=r, user=org.pegawai.user, ukuran_keberhasilan="Tidak ada usulan BTL")
    assert services.skp_ajukan(skp=skp, user=org.pegawai.user).status == "diajukan"


def test_submit_notifies_the_penilai_and_records_the_agreement(org):
    skp = skp_diajukan(org)
    assert skp.status == "diajukan" and skp.diajukan_pada
    assert Notifikasi.objects.filter(penerima=org.kasubbid.user, jenis="skp_diajukan").exists()
    assert PersetujuanElektronik.objects.filter(object_id=skp.pk, peran="pegawai").exists()


@pytest.mark.parametrize("who", ["rekan", "kasubbid", "kabid", "admin_a"])
def test_only_the_pegawai_submits(org, who):
    skp = skp_draft(org)
    with pytest.raises(PermissionDenied):
        services.skp_ajukan(skp=skp, user=org.user(who))


@pytest.mark.parametrize("who", ["pegawai", "rekan", "kabid", "fungsional", "admin_a"])
def test_only_the_penilai_approves_or_returns(org, who):
    skp = skp_diajukan(org)
    with pytest.raises(PermissionDenied):
        services.skp_setujui(skp=skp, user=org.user(who))
    with pytest.raises(PermissionDenied):
        services.skp_kembalikan(skp=skp, user=org.user(who), catatan="x")
    skp.refresh_from_db()
    assert skp.status == "diajukan"


def test_approve_and_return_only_from_submitted(org):
    draft = skp_draft(org)
    with pytest.raises(ValidationError):
        services.skp_setujui(skp=draft, user=org.kasubbid.user)
    with pytest.raises(ValidationError):
        services.skp_kembalikan(skp=draft, user=org.kasubbid.user, catatan="x")
    ok = services.skp_ajukan(skp=draft, user=org.pegawai.user)
    with pytest.raises(ValidationError):
        services.skp_ajukan(skp=ok, user=org.pegawai.user)


def test_return_needs_a_note_and_goes_back_to_draft(org):
    skp = skp_diajukan(org)
    with pytest.raises(ValidationError) as e:
        services.skp_kembalikan(skp=skp, user=org.kasubbid.user, catatan="  ")
    assert "catatan" in e.value.message_dict
    skp = services.skp_kembalikan(skp=skp, user=org.kasubbid.user, catatan="Perbaiki target 2")
    assert skp.status == "draft" and skp.catatan_penilai == "Perbaiki target 2"
    assert Notifikasi.objects.filter(penerima=org.pegawai.user, jenis="skp_dikembalikan").exists()
    assert not PersetujuanElektronik.objects.filter(object_id=skp.pk, dicabut__isnull=True).exists()


def test_approved_version_is_immutable(org):
    skp = skp_disetujui(org)
    r = skp.rencana_set.get()
    for fn, kw in [
        (services.rhk_tambah, {"skp": skp, "jenis": "utama", "rencana": "x"}),
        (services.rhk_ubah, {"rhk": r, "rencana": "x"}),
        (services.rhk_hapus, {"rhk": r}),
        (services.rhk_pindah, {"rhk": r, "arah": "naik"}),
        (services.skp_ubah, {"skp": skp, "konsekuensi": "x"}),
        (services.perilaku_atur, {"skp": skp, "ekspektasi": {"loyal": "x"}}),
    ]:
        with pytest.raises((ValidationError, PermissionDenied)):
            fn(user=org.pegawai.user, **kw)
    with pytest.raises((ValidationError, PermissionDenied)):
        services.perilaku_atur(skp=skp, user=org.kasubbid.user, ekspektasi={"loyal": "x"})
    r.refresh_from_db()
    assert r.rencana == "Rencana hasil kerja 1"


def test_new_version_copies_rows_with_their_kunci_and_keeps_the_old_one(org):
    v1 = skp_disetujui(org, n_rhk=2)
    with pytest.raises(ValidationError):
        services.skp_versi_baru(skp=v1, user=org.pegawai.user, alasan=" ")
    v2 = services.skp_versi_baru(skp=v1, user=org.pegawai.user, alasan="Klarifikasi")
    v1.refresh_from_db()
    assert (v1.terkini, v2.terkini, v2.versi, v2.status) == (False, True, 2, "draft")
    assert set(v1.rencana_set.values_list("kunci", flat=True)) == set(
        v2.rencana_set.values_list("kunci", flat=True)
    )
    assert v2.rencana_set.first().indikator_set.count() == 1
    # Calling again returns the open draft, never a third version.
    assert services.skp_versi_baru(skp=v1, user=org.pegawai.user, alasan="lagi").pk == v2.pk
    assert selectors.skp_disetujui(pegawai=org.pegawai, periode=org.periode_a).pk == v1.pk


@pytest.mark.parametrize("who", ["rekan", "kabid", "admin_a"])
def test_others_cannot_open_a_new_version(org, who):
    v1 = skp_disetujui(org)
    with pytest.raises(PermissionDenied):
        services.skp_versi_baru(skp=v1, user=org.user(who), alasan="x")
    assert SKP.objects.filter(pegawai=org.pegawai).count() == 1


def test_penilai_adds_a_penugasan_row_to_a_draft_they_did_not_create(org):
    v1 = skp_disetujui(org)
    v2 = services.skp_versi_baru(skp=v1, user=org.kasubbid.user, alasan="Penugasan Diskominfo")
    r = services.rhk_tambah(
        skp=v2,
        user=org.kasubbid.user,
        jenis="tambahan",
        rencana="Data lintas instansi",
        sumber="penugasan",
        pemberi_tugas=org.kadis,
        indikator=[{"aspek": "kuantitas", "indikator": "Dataset", "target": "1"}],
    )
    assert r.pemberi_tugas_id == org.kadis.pk and r.sumber == "penugasan"
    with pytest.raises(PermissionDenied):
        services.rhk_tambah(skp=v2, user=org.kasubbid.user, jenis="utama", rencana="manual")
    with pytest.raises(PermissionDenied):
        services.rhk_tambah(
            skp=v2, user=org.kadis.user, jenis="tambahan", rencana="x", sumber="penugasan"
        )


def test_penilai_takes_a_submitted_skp_back_to_draft_for_a_penugasan(org):
    skp = skp_diajukan(org)
    with pytest.raises(ValidationError):
        services.skp_versi_baru(skp=skp, user=org.pegawai.user, alasan="x")
    d = services.skp_versi_baru(skp=skp, user=org.kasubbid.user, alasan="penugasan")
    assert d.pk == skp.pk and d.status == "draft"


def test_draft_pastikan_for_other_stages(org):
    d = services.skp_draft_pastikan(
        pegawai=org.rekan, periode=org.periode_a, user=org.kasubbid.user, alasan="penugasan"
    )
    assert d.versi == 1 and d.status == "draft"


def test_rhk_atasan_must_be_a_leaders_row(org):
    pen = skp_draft(org, "kasubbid")
    mine = skp_draft(org, "pegawai", n_rhk=0)
    peer = skp_draft(org, "rekan")
    ok = rhk(mine, org.pegawai.user, rhk_atasan=pen.rencana_set.first())
    assert ok.rhk_atasan_id == pen.rencana_set.first().pk
    with pytest.raises(ValidationError) as e:
        rhk(mine, org.pegawai.user, rhk_atasan=peer.rencana_set.first())
    assert "rhk_atasan" in e.value.message_dict


def test_indikator_errors_are_keyed_by_line_and_nothing_is_saved(org):
    skp = skp_draft(org, n_rhk=0)
    with pytest.raises(ValidationError) as e:
        services.rhk_tambah(
            skp=skp,
            user=org.pegawai.user,
            jenis="utama",
            rencana="",
            indikator=[
                {"indikator": "", "target": ""},
                {"aspek": "rasa", "indikator": "A", "target": ""},
            ],
        )
    assert set(e.value.message_dict) == {"rencana", "indikator-1-aspek", "indikator-1-target"}
    assert skp.rencana_set.count() == 0


def test_stale_row_version_is_refused(org):
    skp = skp_draft(org)
    services.skp_ubah(skp=skp, user=org.pegawai.user, konsekuensi="A", row_version=1)
    with pytest.raises(ValidationError) as e:
        services.skp_ubah(skp=skp, user=org.pegawai.user, konsekuensi="B", row_version=1)
    assert "row_version" in e.value.message_dict
    skp.refresh_from_db()
    assert skp.konsekuensi == "A"


def test_reorder_within_group(org):
    skp = skp_draft(org, n_rhk=3)
    a, b, c = skp.rencana_set.order_by("urutan")
    services.rhk_pindah(rhk=c, user=org.pegawai.user, arah="naik")
    services.rhk_pindah(rhk=a, user=org.pegawai.user, arah="naik")  # already first: no-op
    assert list(skp.rencana_set.order_by("urutan").values_list("pk", flat=True)) == [
        a.pk,
        c.pk,
        b.pk,
    ]


def test_tugas_belajar_bands_are_suggested_into_the_academic_row(org):
    Pegawai.objects.filter(pk=org.rekan.pk).update(status="tugas_belajar")
    org.rekan.refresh_from_db()
    skp = skp_draft(org, "rekan", n_rhk=0)
    with pytest.raises(ValidationError) as e:
        services.skp_tugas_belajar_atur(
            skp=skp,
            user=org.rekan.user,
            perguruan_tinggi="Universitas Nusa Cendana",
            program_studi="Ilmu Administrasi",
            jenjang="profesi_s2_s3",
            lokasi="dalam_negeri",
            akreditasi_univ="C",
            akreditasi_prodi="C",
        )
    assert "akreditasi_prodi" in e.value.message_dict
    services.skp_tugas_belajar_atur(
        skp=skp,
        user=org.rekan.user,
        perguruan_tinggi="Universitas Nusa Cendana",
        program_studi="Ilmu Administrasi",
        jenjang="profesi_s2_s3",
        lokasi="dalam_negeri",
        akreditasi_univ="B",
        akreditasi_prodi="B",
    )
    r = skp.rencana_set.get(sumber="tugas_belajar")
    ipk = r.indikator_set.get(indikator__startswith="Indeks Prestasi")
    assert "3.25" in ipk.target and "3.61" in ipk.target
    # Again with other values: the same row is rewritten, not duplicated.
    services.skp_tugas_belajar_atur(
        skp=skp,
        user=org.kasubbid.user,
        perguruan_tinggi="University of Melbourne",
        program_studi="Public Policy",
        jenjang="profesi_s2_s3",
        lokasi="luar_negeri",
    )
    assert skp.rencana_set.filter(sumber="tugas_belajar").count() == 1
    assert "3.20" in skp.rencana_set.get().indikator_set.get(aspek="kualitas").target
    # The penilai adds another task during the study.
    services.rhk_tambah(
        skp=skp,
        user=org.kasubbid.user,
        jenis="tambahan",
        rencana="Learning diary dibagikan kepada rekan",
        sumber="manual",
    )
    assert skp.rencana_set.count() == 2


def test_a_closed_year_is_read_only(org):
    from kinerja.models import Periode

    draft = skp_draft(org)
    sub = skp_diajukan(org, "rekan")
    Periode.objects.filter(pk=org.periode_a.pk).update(status="ditutup")
    with pytest.raises(ValidationError):
        rhk(draft, org.pegawai.user, rencana="terlambat")
    with pytest.raises(ValidationError):
        services.skp_ajukan(skp=draft, user=org.pegawai.user)
    with pytest.raises(ValidationError):
        services.skp_setujui(skp=sub, user=org.kasubbid.user)
    assert draft.rencana_set.count() == 1
