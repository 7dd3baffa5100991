"""Who decides a keberatan (issue 16 item 4, domain.md "Who decides a keberatan"): the atasan at
the time if still active; if they left, the current holder (or Plt) of their position; a vacant
position passes upward; the designee only when nobody holds the line; never a refusal. Derived
again when the pemutus leaves while the case is open; the admin may reassign with a reason."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from evaluasi import services
from evaluasi.models import Evaluasi, Keberatan
from kinerja import mutasi, policy, waktu
from kinerja.models import Instansi, Notifikasi, Pegawai
from tests.evaluasi.conftest import final

pytestmark = pytest.mark.django_db


def _ajukan(org, ev):
    return services.keberatan_ajukan(
        user=org.pegawai.user, evaluasi=Evaluasi.objects.get(pk=ev.pk), alasan="Tidak sesuai."
    )


def _baru(org, nama, jabatan=None, **kw):
    from tests.personas import _pegawai

    return _pegawai(org.instansi_a, nama, jabatan or org.kabid.jabatan, **kw)


def test_the_atasan_at_the_time_decides_while_still_active(org):
    ev = final(org)
    k = _ajukan(org, ev)
    assert (k.pemutus_id, k.sumber_pemutus) == (org.kabid.pk, "atasan")


def test_an_atasan_who_left_passes_to_the_current_holder_of_their_post(org):
    ev = final(org)
    Pegawai.objects.filter(pk=org.kabid.pk).update(status=Pegawai.Status.BERHENTI)
    penerus = _baru(org, "Penerus Kabid")
    k = _ajukan(org, ev)
    assert (k.pemutus_id, k.sumber_pemutus) == (penerus.pk, "pemegang")


def test_an_acting_holder_decides_when_the_post_has_only_a_plt(org):
    ev = final(org)
    Pegawai.objects.filter(pk=org.kabid.pk).update(status=Pegawai.Status.BERHENTI)
    plt = _baru(org, "Plt Kabid", jabatan=org.rekan.jabatan)
    Pegawai.objects.filter(pk=plt.pk).update(plt_jabatan=org.kabid.jabatan, plt_jenis="plt")
    k = _ajukan(org, ev)
    assert (k.pemutus_id, k.sumber_pemutus) == (plt.pk, "pemegang")


def test_a_vacant_post_passes_upward_and_the_designee_only_when_nobody_holds_the_line(org):
    Instansi.objects.filter(pk=org.instansi_a.pk).update(pejabat_keberatan=org.kadis)
    ev = final(org)
    Pegawai.objects.filter(pk=org.kabid.pk).update(status=Pegawai.Status.BERHENTI)
    k = _ajukan(org, ev)
    assert (k.pemutus_id, k.sumber_pemutus) == (org.kepala_bkd.pk, "pemegang")
    # The whole line empty: the designee.
    Keberatan.objects.filter(pk=k.pk).delete()
    Pegawai.objects.filter(pk__in=[org.kepala_bkd.pk, org.sekda.pk, org.gubernur.pk]).update(
        status=Pegawai.Status.BERHENTI
    )
    k = _ajukan(org, ev)
    assert (k.pemutus_id, k.sumber_pemutus) == (org.kadis.pk, "ditunjuk")


def test_nobody_to_decide_files_the_case_and_tells_the_admin(
    org, client_as, django_capture_on_commit_callbacks
):
    ev = final(org)
    Pegawai.objects.filter(pk=org.pegawai.pk).update(atasan_pejabat_penilai=None)
    Evaluasi.objects.filter(pk=ev.pk).update(atasan_pejabat_penilai=None)
    with django_capture_on_commit_callbacks(execute=True):
        k = _ajukan(org, ev)  # never refused for want of a decider
    assert k.pemutus_id is None and k.sumber_pemutus == "belum"
    assert Notifikasi.objects.filter(penerima=org.admin_a, jenis="keberatan_pemutus").exists()
    # The admin names one, with a kept reason, through the page.
    c = client_as(org.admin_a)
    r = c.get(f"/evaluasi/keberatan/{k.pk}/pemutus/")
    assert r.status_code == 200
    r = c.post(
        f"/evaluasi/keberatan/{k.pk}/pemutus/",
        {"row_version": k.row_version, "nip": org.kasubbid.nip, "alasan": "x"},
    )
    assert r.status_code == 400  # the pejabat penilai cannot decide their own evaluation
    r = c.post(
        f"/evaluasi/keberatan/{k.pk}/pemutus/",
        {"row_version": k.row_version, "nip": org.kepala_bkd.nip, "alasan": "Atasan kosong"},
    )
    assert r.status_code == 302
    k.refresh_from_db()
    assert (k.pemutus_id, k.sumber_pemutus, k.alasan_pemutus) == (
        org.kepala_bkd.pk,
        "admin",
        "Atasan kosong",
    )
    assert k.history.filter(sumber_pemutus="belum").exists()  # history keeps both
    assert policy.can(org.kepala_bkd.user, "putuskan", k)
    # Nobody else reassigns.
    with pytest.raises(PermissionDenied):
        services.keberatan_pemutus_tetapkan(
            user=org.kabid.user,
            keberatan=k,
            pemutus=org.sekda,
            alasan="x",
            row_version=k.row_version,
        )
    assert c.get(f"/evaluasi/keberatan/{k.pk}/pemutus/").status_code == 200
    assert (
        client_as(org.pegawai.user).get(f"/evaluasi/keberatan/{k.pk}/pemutus/").status_code == 403
    )


def test_reassign_needs_a_reason(org):
    k = _ajukan(org, final(org))
    with pytest.raises(ValidationError) as e:
        services.keberatan_pemutus_tetapkan(
            user=org.admin_a, keberatan=k, pemutus=org.sekda, alasan=" ", row_version=k.row_version
        )
    assert "alasan" in e.value.message_dict
    k.refresh_from_db()
    assert k.pemutus_id == org.kabid.pk


def test_the_pemutus_leaving_while_open_rederives_and_tells_everyone(
    org, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(waktu, "hari_ini", lambda: dt.date(org.periode_a.tahun, 12, 6))
    k = _ajukan(org, final(org))
    assert k.pemutus_id == org.kabid.pk
    Notifikasi.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        mutasi.mutasi_catat(
            user=org.admin_a,
            pegawai=Pegawai.objects.get(pk=org.kabid.pk),
            jenis="berhenti",
            tmt=dt.date(org.periode_a.tahun, 12, 6),
        )
    k.refresh_from_db()
    assert (k.pemutus_id, k.sumber_pemutus) == (org.kepala_bkd.pk, "pemegang")
    told = set(
        Notifikasi.objects.filter(jenis="keberatan_pemutus").values_list("penerima", flat=True)
    )
    assert {org.pegawai.user.pk, org.kasubbid.user.pk, org.kepala_bkd.user.pk} <= told


def test_an_atasan_who_moved_to_another_post_hands_the_case_to_the_holder_of_the_old_one(
    org, monkeypatch
):
    """Issue 16: 'an atasan who moved to another post still decides'. The kabid moves to a
    position elsewhere in the instansi while the keberatan is open: it passes to whoever holds
    the Kabid post now (here its new holder); a case filed after the move goes there too."""
    from django.utils import timezone

    from kinerja.models import Jabatan

    tahun = org.periode_a.tahun
    monkeypatch.setattr(waktu, "hari_ini", lambda: dt.date(tahun, 12, 6))
    ev = final(org)
    awal = timezone.make_aware(dt.datetime(tahun, 12, 1, 10))
    Evaluasi.objects.filter(pk=ev.pk).update(finalisasi_pada=awal)  # before the move
    k = _ajukan(org, ev)
    assert k.pemutus_id == org.kabid.pk
    lain = Jabatan.objects.create(
        unit_kerja=org.kadis.unit_kerja, nama="Sekretaris Dinas", jenis="administrator"
    )
    mutasi.mutasi_catat(
        user=org.admin_a,
        pegawai=Pegawai.objects.get(pk=org.kabid.pk),
        jenis="rotasi",
        tmt=dt.date(tahun, 12, 6),
        jabatan_baru=lain,
        unit_kerja_baru=org.kadis.unit_kerja,
    )
    penerus = _baru(org, "Kabid Baru")  # takes the Kabid post
    services.keberatan_pemutus_turunkan_ulang(instansi_id=org.instansi_a.pk)
    k.refresh_from_db()
    assert (k.pemutus_id, k.sumber_pemutus) == (penerus.pk, "pemegang")
    assert Pegawai.objects.get(pk=org.kabid.pk).status == Pegawai.Status.AKTIF  # still here
