"""The rules that lived beside the policy, now in kinerja/policy/, each tested here.

Issue 15: the performance tree kept a second access model, dialog its own rule for who sees a
rencana hasil kerja, evaluasi/views.py the draft-document rule, and views and services their
own superuser/admin/role checks. Each is a policy rule now (action, capability or scope); the
pages that ask them are covered by the access matrix (tests/security/test_access_matrix.py).
"""

from __future__ import annotations

import pytest
from django.http import Http404

from kinerja import policy
from kinerja.models import Job, Pegawai, Periode, UnitKerja, User

pytestmark = pytest.mark.django_db


def _skp(org, peg, status="disetujui", **kw):
    from skp.models import SKP

    kw.setdefault("pejabat_penilai_id", peg.pejabat_penilai_id)
    kw.setdefault("atasan_pejabat_penilai_id", peg.atasan_pejabat_penilai_id)
    return SKP.objects.create(pegawai=peg, periode=org.periode_a, status=status, **kw)


def _rhk(skp, teks="Hasil", atasan=None, **kw):
    from skp.models import RencanaHasilKerja

    return RencanaHasilKerja.objects.create(skp=skp, rencana=teks, rhk_atasan=atasan, **kw)


def _u(org, name):
    return org.user(name)


# --- the mechanism ----------------------------------------------------------------------------
def test_an_unknown_capability_or_action_is_refused(org):
    assert not policy.may(org.superuser, "tidak_ada")
    assert not policy.can(_u(org, "kasubbid"), "tidak_ada", org.pegawai.skp_set.model())


def test_get_for_user_with_an_action_is_404_for_refused_and_missing_alike(org):
    qs = Pegawai.objects.all()
    assert policy.get_for_user(_u(org, "kasubbid"), qs, action="nilai", pk=org.pegawai.pk)
    with pytest.raises(Http404):
        policy.get_for_user(_u(org, "rekan"), qs, action="nilai", pk=org.pegawai.pk)
    with pytest.raises(Http404):
        policy.get_for_user(_u(org, "kasubbid"), qs, action="nilai", pk=10**9)


def test_anonymous_may_nothing(org):
    from django.contrib.auth.models import AnonymousUser

    anon = AnonymousUser()
    assert not policy.may(anon, "pegawai")
    assert not policy.can(anon, "nilai", org.pegawai)
    with pytest.raises(Http404):
        policy.get_for_user(anon, Pegawai.objects.all(), action="nilai", pk=org.pegawai.pk)


# --- capabilities (menus, panels, list pages) -------------------------------------------------
@pytest.mark.parametrize(
    "capability,yes,no",
    [
        ("pegawai", ["pegawai", "kasubbid"], ["admin_a", "superuser"]),
        ("menilai", ["kasubbid", "kabid", "gubernur"], ["pegawai", "rekan", "admin_a"]),
        ("memimpin", ["kasubbid", "kabid"], ["pegawai", "fungsional", "admin_a"]),
        ("membina", ["kasubbid", "kabid", "fungsional"], ["pegawai", "rekan", "admin_a"]),
        ("kelola_instansi", ["admin_a", "admin_b", "superuser"], ["pegawai", "kepala_bkd"]),
        ("semua_instansi", ["superuser"], ["admin_a", "pegawai"]),
        ("kelola_akun", ["superuser"], ["admin_a", "kepala_bkd"]),
        ("kelola_identitas_instansi", ["superuser"], ["admin_a"]),
        ("matriks", ["kasubbid", "fungsional"], ["pegawai", "admin_a"]),
        ("distribusi", ["kasubbid", "admin_a", "superuser"], ["pegawai", "fungsional"]),
        ("pohon", ["kasubbid", "fungsional", "admin_a"], ["pegawai", "rekan"]),
        ("keberatan", ["kasubbid", "admin_a"], ["rekan", "staf_dinas"]),
    ],
)
def test_capabilities(org, capability, yes, no):
    for name in yes:
        assert policy.may(_u(org, name), capability), (capability, name)
    for name in no:
        assert not policy.may(_u(org, name), capability), (capability, name)


def test_a_leader_of_an_empty_team_may_build_a_matrix(org):
    from kinerja.models import TimKerja

    TimKerja.objects.create(instansi=org.instansi_a, nama="Tim baru", ketua=org.rekan)
    assert policy.may(_u(org, "rekan"), "matriks")


def test_a_party_to_a_keberatan_sees_the_menu(org):
    from tests.security.objects import keberatan

    keberatan(org)
    assert policy.may(_u(org, "pegawai"), "keberatan")


# --- the user's instansi and relations -------------------------------------------------------
def test_instansi_of_and_administered(org):
    assert policy.instansi_of(_u(org, "pegawai")) == org.instansi_a.pk
    assert policy.instansi_of(org.admin_b) == org.instansi_b.pk
    assert policy.instansi_administered(org.admin_b) == org.instansi_b.pk
    assert policy.instansi_administered(_u(org, "kepala_bkd")) is None
    assert policy.instansi_of(org.superuser) is None


def test_scope_admin_is_the_administered_instansi_only(org):
    qs = UnitKerja.objects.all()
    assert set(policy.scope_admin(org.admin_a, qs).values_list("instansi_id", flat=True)) == {
        org.instansi_a.pk
    }
    assert policy.scope_admin(org.superuser, qs).count() == qs.count()
    assert not policy.scope_admin(_u(org, "kepala_bkd"), qs).exists()


def test_pegawai_terkait(org):
    kabid = _u(org, "kabid")
    assert policy.pegawai_terkait(kabid, "dinilai") == {org.kasubbid.pk, org.fungsional.pk}
    assert org.pegawai.pk in policy.pegawai_terkait(kabid, "atasan")
    assert org.pegawai.pk in policy.pegawai_terkait(_u(org, "fungsional"), "tim")
    assert policy.pegawai_terkait(_u(org, "pegawai"), "dinilai", "atasan", "tim") == set()


def test_accounts_offered_to_link_hold_no_admin_role(org):
    pilihan = set(policy.akun_pilihan(org.admin_a).values_list("pk", flat=True))
    assert org.pegawai.user_id in pilihan
    assert org.admin_a.pk not in pilihan and org.admin_b.pk not in pilihan
    assert org.pegawai_b.user_id not in pilihan
    assert list(policy.pengelola_instansi(org.instansi_b.pk)) == [org.admin_b]
    User.objects.filter(pk=org.admin_b.pk).update(is_active=False)
    assert not policy.pengelola_instansi(org.instansi_b.pk).exists()


# --- actions on a pegawai (moved from evaluasi, skp and dialog views and services) -----------
def test_only_the_penilai_starts_an_evaluation(org):
    assert policy.can(_u(org, "kasubbid"), "nilai", org.pegawai)
    for name in ("pegawai", "rekan", "kabid", "admin_a", "superuser"):
        assert not policy.can(_u(org, name), "nilai", org.pegawai), name


def test_who_starts_an_skp(org):
    for name in ("pegawai", "kasubbid", "fungsional", "admin_a"):
        assert policy.can(_u(org, name), "buat_skp", org.pegawai), name
    for name in ("rekan", "kadis", "admin_b"):
        assert not policy.can(_u(org, name), "buat_skp", org.pegawai), name


def test_who_sees_a_pegawais_dialog_year(org):
    for name in ("pegawai", "kasubbid", "kabid", "superuser"):
        assert policy.can(_u(org, name), "lihat_tahun", org.pegawai), name
    for name in ("rekan", "fungsional", "admin_a", "kadis"):
        assert not policy.can(_u(org, name), "lihat_tahun", org.pegawai), name


def test_who_records_a_dialog_kinerja(org):
    assert policy.can(_u(org, "fungsional"), "dialog_check_in", org.pegawai)  # ketua tim
    assert not policy.can(_u(org, "fungsional"), "dialog_pembinaan", org.pegawai)
    for name in ("kasubbid", "kabid"):
        assert policy.can(_u(org, name), "dialog_pembinaan", org.pegawai), name
    assert not policy.can(_u(org, "rekan"), "dialog_check_in", org.pegawai)


# --- rencana hasil kerja: dialog's rules ------------------------------------------------------
def test_who_sees_the_realisasi_page_of_a_rencana_hasil_kerja(org):
    rhk = _rhk(_skp(org, org.pegawai), pemberi_tugas=org.kadis)
    for name in ("pegawai", "kasubbid", "kabid", "kadis", "superuser"):
        assert policy.can(_u(org, name), "realisasi", rhk), name
    for name in ("rekan", "fungsional", "admin_a", "staf_dinas"):
        assert not policy.can(_u(org, name), "realisasi", rhk), name


def test_who_gives_feedback_on_a_rencana_hasil_kerja(org):
    rhk = _rhk(_skp(org, org.pegawai), pemberi_tugas=org.kadis)
    for name in ("kasubbid", "kabid", "fungsional", "kadis"):
        assert policy.can(_u(org, name), "umpan_balik", rhk), name
    for name in ("rekan", "staf_dinas", "admin_a"):
        assert not policy.can(_u(org, name), "umpan_balik", rhk), name


# --- evaluation documents: a draft's is never the pegawai's -----------------------------------
def _dokumen(org, ev):
    from kinerja.pdf import dokumen_simpan

    return dokumen_simpan(
        jenis="evaluasi",
        judul="Evaluasi uji",
        data=b"%PDF-1.4 uji",
        nama_berkas="ev.pdf",
        objek=ev,
        instansi_id=org.instansi_a.pk,
        pegawai_id=org.pegawai.pk,
    )


def test_the_document_of_a_draft_evaluation_is_not_the_pegawais(org):
    from evaluasi.models import Evaluasi
    from kinerja.models import Dokumen
    from tests.security.objects import evaluasi

    ev = evaluasi(org)
    doc = _dokumen(org, ev)
    pegawai = _u(org, "pegawai")
    assert not policy.can(pegawai, "view", doc)
    assert not policy.scope(pegawai, Dokumen.objects.filter(pk=doc.pk)).exists()
    assert not policy.can(pegawai, "dokumen", ev)
    for name in ("kasubbid", "kabid", "admin_a"):
        assert policy.can(_u(org, name), "view", doc), name
        assert policy.scope(_u(org, name), Dokumen.objects.filter(pk=doc.pk)).exists(), name
    # The PDF page of a draft: its current leaders only.
    assert policy.can(_u(org, "kasubbid"), "dokumen", ev)
    assert not policy.can(org.admin_a, "dokumen", ev)
    Evaluasi.objects.filter(pk=ev.pk).update(status="final")
    ev.refresh_from_db()
    pegawai = User.objects.get(pk=pegawai.pk)  # a new request
    assert policy.can(pegawai, "view", doc)
    assert policy.scope(pegawai, Dokumen.objects.filter(pk=doc.pk)).exists()
    assert policy.can(pegawai, "dokumen", ev)
    assert policy.can(org.admin_a, "dokumen", ev)


def test_only_the_pegawai_rated_files_a_keberatan(org):
    from tests.security.objects import evaluasi_final

    ev = evaluasi_final(org)
    assert policy.can(_u(org, "pegawai"), "ajukan_keberatan", ev)
    for name in ("kasubbid", "kabid", "admin_a"):
        assert not policy.can(_u(org, name), "ajukan_keberatan", ev), name


# --- the year's administration, distribution, jobs --------------------------------------------
def test_the_year_is_administered_by_its_instansis_admin(org):
    assert policy.can(org.admin_a, "kelola", org.periode_a)
    assert policy.can(org.superuser, "kelola", org.periode_a)
    assert not policy.can(org.admin_b, "kelola", org.periode_a)
    assert not policy.can(_u(org, "kepala_bkd"), "kelola", org.periode_a)


def test_who_sees_a_units_distribution(org):
    unit = org.unit_bidang
    for name in ("admin_a", "kabid", "kepala_bkd", "kasubbid"):
        assert policy.can(_u(org, name), "distribusi", unit), name
    for name in ("pegawai", "kadis", "admin_b"):
        assert not policy.can(_u(org, name), "distribusi", unit), name


def test_who_writes_a_distribution_justification(org):
    from evaluasi.models import JustifikasiDistribusi

    tim = JustifikasiDistribusi(periode=org.periode_a, cakupan="tim", pejabat_penilai=org.kasubbid)
    assert policy.can(_u(org, "kasubbid"), "tulis", tim)
    assert not policy.can(org.admin_a, "tulis", tim)
    assert not policy.can(_u(org, "kabid"), "tulis", tim)
    unit = JustifikasiDistribusi(periode=org.periode_a, cakupan="unit")
    assert policy.can(org.admin_a, "tulis", unit)
    assert not policy.can(_u(org, "kasubbid"), "tulis", unit)
    assert not policy.can(org.admin_b, "tulis", unit)


def test_a_failed_job_is_sent_again_by_its_instansis_admin(org):
    job = Job.objects.create(
        task="x", status=Job.Status.GAGAL, instansi=org.instansi_a, dibuat_oleh=org.pegawai.user
    )
    assert policy.can(org.admin_a, "ulang", job)
    assert policy.can(org.superuser, "ulang", job)
    assert not policy.can(org.pegawai.user, "ulang", job)  # the starter sees it, no more
    assert not policy.can(org.admin_b, "ulang", job)


# --- the pohon kinerja: the same rules as the SKP policy --------------------------------------
def test_pohon_scope(org):
    from kinerja.policy.pohon import pohon_akses

    admin = pohon_akses(org.admin_a)
    assert admin.admin and admin.pegawai_ids is None and admin.instansi == org.instansi_a
    kabid = pohon_akses(_u(org, "kabid"))
    assert not kabid.admin and kabid.pemimpin_id == org.kabid.pk
    assert {org.kabid.pk, org.kasubbid.pk, org.pegawai.pk, org.rekan.pk} <= kabid.pegawai_ids
    assert org.kadis.pk not in kabid.pegawai_ids and org.kepala_bkd.pk not in kabid.pegawai_ids
    for name in ("pegawai", "rekan"):
        with pytest.raises(Http404):
            pohon_akses(_u(org, name))
    with pytest.raises(Http404):
        pohon_akses(org.admin_b, unit_id=org.unit_bidang.pk)
    assert pohon_akses(_u(org, "kabid"), unit_id=org.unit_bidang.pk).unit == org.unit_bidang
    with pytest.raises(Http404):
        pohon_akses(_u(org, "kabid"), unit_id=org.unit_dinas.pk)
    superuser = pohon_akses(org.superuser, instansi_id=str(org.instansi_b.pk))
    assert superuser.admin and superuser.instansi == org.instansi_b


def test_pohon_node_rule(org):
    k = _rhk(_skp(org, org.kepala_bkd, jenis="jpt"), "K")
    b = _rhk(_skp(org, org.kabid), "B", atasan=k)
    d = _rhk(_skp(org, org.kadis, jenis="jpt"), "D")
    kabid = _u(org, "kabid")
    assert policy.can(kabid, "pohon", b)  # her own row
    assert not policy.can(kabid, "pohon", k)  # above her
    assert not policy.can(kabid, "pohon", d)  # another branch
    assert policy.can(_u(org, "kepala_bkd"), "pohon", b)  # her row is on the chain upward
    assert policy.can(org.admin_a, "pohon", d)
    assert not policy.can(org.admin_b, "pohon", d)
    assert not policy.can(_u(org, "pegawai"), "pohon", b)


def test_pohon_links_to_an_skp_exactly_where_the_skp_policy_lets_in(org):
    """The finding: the tree copied SKP visibility and left out the penilai recorded on the SKP.
    Kepala BKD rated kabid when kabid's SKP was approved; kabid moved under the sekda since."""
    from kinerja.policy.pohon import skp_terbuka_ids

    skp = _skp(org, org.kabid, pejabat_penilai_id=org.kepala_bkd.pk)
    Pegawai.objects.filter(pk=org.kabid.pk).update(pejabat_penilai=org.sekda)
    kepala = User.objects.get(pk=org.kepala_bkd.user_id)
    assert policy.can(kepala, "view", skp)
    assert skp_terbuka_ids(kepala, {skp.pk}) == {skp.pk}
    assert skp_terbuka_ids(_u(org, "rekan"), {skp.pk}) == set()


def test_periode_kelola_follows_the_periodes_instansi(org):
    p = Periode.objects.get(pk=org.periode_b.pk)
    assert policy.can(org.admin_b, "kelola", p)
    assert not policy.can(org.admin_a, "kelola", p)
