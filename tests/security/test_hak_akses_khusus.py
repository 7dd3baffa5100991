"""Issue 15, item 4: explicit grants through django-guardian (kinerja.akses.hibah), consulted by
the policy only inside their date range, given and taken back by the instansi's own admin."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from guardian.shortcuts import get_perms

from kinerja import policy, waktu
from kinerja.akses import hibah
from kinerja.models import HakAksesKhusus, User
from skp.models import SKP
from tests.evaluasi.conftest import evaluasi_draft, final
from tests.skp.factories import skp_diajukan

pytestmark = pytest.mark.django_db

HARI = dt.date(2026, 6, 15)


@pytest.fixture(autouse=True)
def _hari(monkeypatch):
    state = {"d": HARI}
    monkeypatch.setattr(waktu, "hari_ini", lambda: state["d"])
    return state


def _segar(user):
    """A fresh user object (the policy caches its Actor on the user for one request)."""
    return User.objects.get(pk=user.pk)


def _beri(org, jenis, penerima, objek_id=None, mulai=HARI, selesai=None, oleh=None):
    return hibah.hak_khusus_beri(
        user=oleh or org.admin_a,
        instansi=org.instansi_a,
        jenis=jenis,
        penerima=penerima,
        objek_id=objek_id,
        mulai=mulai,
        selesai=selesai,
        alasan="SK Gubernur No. 800/123/2026",
    )


def test_plh_approves_only_inside_the_range_and_until_revoked(org, _hari):
    skp = skp_diajukan(org)
    kadis = org.kadis.user
    assert not policy.can(_segar(kadis), "setujui", skp)
    assert not policy.scope(_segar(kadis), SKP.objects.filter(pk=skp.pk)).exists()
    hak = _beri(org, "plh", org.kadis, org.kasubbid.pk, selesai=HARI + dt.timedelta(days=5))
    assert "setujui_atas_nama" in get_perms(kadis, org.kasubbid)  # a guardian permission
    assert policy.can(_segar(kadis), "setujui", skp)
    assert policy.scope(_segar(kadis), SKP.objects.filter(pk=skp.pk)).exists()
    # Before and after the range: nothing.
    _hari["d"] = HARI - dt.timedelta(days=1)
    assert not policy.can(_segar(kadis), "setujui", skp)
    _hari["d"] = HARI + dt.timedelta(days=6)
    assert not policy.can(_segar(kadis), "setujui", skp)
    _hari["d"] = HARI + dt.timedelta(days=2)
    assert policy.can(_segar(kadis), "setujui", skp)
    hibah.hak_khusus_cabut(user=org.admin_a, hak=hak, alasan="Pejabat definitif kembali")
    assert not policy.can(_segar(kadis), "setujui", skp)
    assert "setujui_atas_nama" not in get_perms(kadis, org.kasubbid)
    hak.refresh_from_db()
    assert hak.dicabut_oleh == org.admin_a and hak.history.count() == 2


def test_plh_grant_without_the_guardian_permission_is_nothing(org):
    from guardian.shortcuts import remove_perm

    skp = skp_diajukan(org)
    _beri(org, "plh", org.kadis, org.kasubbid.pk)
    remove_perm("kinerja.setujui_atas_nama", org.kadis.user, org.kasubbid)
    assert not policy.can(_segar(org.kadis.user), "setujui", skp)


def test_auditor_reads_final_results_of_the_granted_unit_only(org, _hari):
    ev = final(org)
    draft = evaluasi_draft(org, "rekan")
    skp = SKP.objects.filter(pegawai=org.pegawai).first()
    staf = org.staf_dinas.user
    assert not policy.can(_segar(staf), "view", ev)
    _beri(org, "auditor", org.staf_dinas, org.unit_bidang.pk, selesai=HARI)
    u = _segar(staf)
    assert policy.can(u, "view", ev) and policy.can(u, "view", skp)
    assert not policy.can(u, "view", draft), "a draft is never the auditor's"
    assert not policy.can(u, "setujui", skp) and not policy.can(u, "nilai", ev)
    from evaluasi.models import Evaluasi

    assert set(policy.scope(u, Evaluasi.objects.all()).values_list("pk", flat=True)) == {ev.pk}
    _hari["d"] = HARI + dt.timedelta(days=1)
    assert not policy.can(_segar(staf), "view", ev)


def test_keberatan_designee_is_a_grant_and_falls_back_when_revoked(org):
    assert policy.pemutus_ditunjuk(org.instansi_a) is None
    hak = _beri(org, "pemutus_keberatan", org.sekda)
    assert policy.pemutus_ditunjuk(org.instansi_a) == org.sekda
    hibah.hak_khusus_cabut(user=org.admin_a, hak=hak)
    assert policy.pemutus_ditunjuk(org.instansi_a) is None


def test_keberatan_goes_to_the_granted_designee(org):
    from evaluasi import services
    from kinerja.models import Pegawai

    ev = final(org)
    # No atasan line: the designee decides.
    Pegawai.objects.filter(pk=org.pegawai.pk).update(atasan_pejabat_penilai=None)
    type(ev).objects.filter(pk=ev.pk).update(atasan_pejabat_penilai=None)
    ev.refresh_from_db()
    _beri(org, "pemutus_keberatan", org.kepala_bkd)
    k = services.keberatan_ajukan(
        user=org.pegawai.user, evaluasi=ev, alasan="Predikat tidak sesuai bukti kinerja saya."
    )
    assert k.pemutus == org.kepala_bkd


def test_admin_of_a_cannot_grant_on_b_or_to_b(org):
    unit_b = org.pegawai_b.unit_kerja
    with pytest.raises(ValidationError):
        _beri(org, "auditor", org.kadis, unit_b.pk)
    with pytest.raises(ValidationError):
        _beri(org, "auditor", org.pegawai_b, org.unit_bidang.pk)
    with pytest.raises(ValidationError):
        _beri(org, "plh", org.kadis, org.kepala_b.pk)
    with pytest.raises(PermissionDenied):
        _beri(org, "auditor", org.kadis, org.unit_bidang.pk, oleh=org.admin_b)
    with pytest.raises(PermissionDenied):
        _beri(org, "auditor", org.kadis, org.unit_bidang.pk, oleh=org.pegawai.user)
    hak = _beri(org, "auditor", org.kadis, org.unit_bidang.pk)
    with pytest.raises(PermissionDenied):
        hibah.hak_khusus_cabut(user=org.admin_b, hak=hak)
    assert HakAksesKhusus.objects.filter(dicabut_pada=None).count() == 1


def test_page_gives_and_takes_back(org, client_as):
    c = client_as(org.admin_a)
    assert c.get("/organisasi/hak-akses/").status_code == 200
    r = c.post(
        "/organisasi/hak-akses/",
        {
            "jenis": "auditor",
            "penerima": org.kadis.pk,
            "objek_unit": org.unit_bidang.pk,
            "mulai": "2026-06-01",
            "selesai": "2026-06-30",
            "alasan": "Surat tugas Inspektorat No. 700/45/2026",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    hak = HakAksesKhusus.objects.get()
    assert hak.diberikan_oleh == org.admin_a and hak.objek_id == org.unit_bidang.pk
    # Another instansi's admin and a pegawai: refused, nothing changed.
    assert client_as(org.admin_b).post(f"/organisasi/hak-akses/{hak.pk}/cabut/").status_code == 404
    assert client_as(org.pegawai.user).get("/organisasi/hak-akses/").status_code == 403
    c = client_as(org.admin_a)
    assert c.post(f"/organisasi/hak-akses/{hak.pk}/cabut/").status_code == 302
    hak.refresh_from_db()
    assert hak.dicabut_pada is not None


def test_settings_page_designee_is_written_as_a_grant(org, client_as):
    c = client_as(org.admin_a)
    for who in (org.sekda, org.kepala_bkd):
        r = c.post(
            "/organisasi/pengaturan/",
            {
                "simpan": "1",
                "kota": "Kupang",
                "pejabat_keberatan": who.pk,
                "row_version": type(org.instansi_a).objects.get(pk=org.instansi_a.pk).row_version,
            },
        )
        assert r.status_code == 302, r.content.decode()[:1500]
        assert policy.pemutus_ditunjuk(org.instansi_a) == who
    aktif = HakAksesKhusus.objects.filter(jenis="pemutus_keberatan", dicabut_pada=None)
    assert [h.penerima_id for h in aktif] == [org.kepala_bkd.user_id]
    assert HakAksesKhusus.objects.filter(jenis="pemutus_keberatan").count() == 2
