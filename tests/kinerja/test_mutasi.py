"""Positions with dates (issue 16): a change recorded once with its TMT, now or scheduled, and who
rated whom on each date (MasaPenilai)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kinerja import masa, mutasi, services, waktu
from kinerja.models import Jabatan, MasaPenilai, Mutasi, Pegawai, Periode, RiwayatJabatan

pytestmark = pytest.mark.django_db


def _d(org, m, d):
    return dt.date(org.periode_a.tahun, m, d)


def test_a_mutasi_dated_last_month_takes_effect_and_keeps_who_rated_before(org, hari, pos_dinas):
    received = []

    def terima(**kw):
        received.append(kw)

    services.penilai_berubah.connect(terima, weak=False)
    try:
        m = mutasi.mutasi_catat(
            user=org.admin_a,
            pegawai=org.pegawai,
            jenis="mutasi",
            tmt=_d(org, 8, 1),
            jabatan_baru=pos_dinas,
        )
    finally:
        services.penilai_berubah.disconnect(terima)
    assert m.status == Mutasi.Status.BERLAKU
    peg = Pegawai.objects.get(pk=org.pegawai.pk)
    assert (peg.jabatan_id, peg.unit_kerja_id) == (pos_dinas.pk, org.unit_dinas.pk)
    assert peg.pejabat_penilai_id == org.kadis.pk

    riwayat = list(RiwayatJabatan.objects.filter(pegawai=peg).order_by("mulai"))
    assert [(r.jabatan_id, r.mulai, r.selesai) for r in riwayat] == [
        (org.pegawai.jabatan_id, waktu.MULAI_CATATAN, _d(org, 7, 31)),
        (pos_dinas.pk, _d(org, 8, 1), None),
    ]
    assert masa.penilai_pada(peg.pk, _d(org, 7, 31)).pejabat_penilai_id == org.kasubbid.pk
    assert masa.penilai_pada(peg.pk, _d(org, 8, 1)).pejabat_penilai_id == org.kadis.pk
    # TW III is cut: each penilai holds their part.
    parts = masa.bagian_dalam(peg.pk, _d(org, 7, 1), _d(org, 9, 30))
    assert [(b.pejabat_penilai_id, b.mulai, b.selesai) for b in parts] == [
        (org.kasubbid.pk, _d(org, 7, 1), _d(org, 7, 31)),
        (org.kadis.pk, _d(org, 8, 1), _d(org, 9, 30)),
    ]
    # Later stages hear of it once, with the TMT.
    (kw,) = received
    assert kw["tmt"] == _d(org, 8, 1)
    (p,) = [c for c in kw["perubahan"] if c.pegawai_id == peg.pk]
    assert (p.penilai_lama, p.penilai_baru) == (org.kasubbid.pk, org.kadis.pk)


def test_a_future_change_waits_for_its_date_and_then_takes_effect(org, hari, pos_dinas):
    m = mutasi.mutasi_catat(
        user=org.admin_a,
        pegawai=org.pegawai,
        jenis="rotasi",
        tmt=_d(org, 9, 1),
        jabatan_baru=pos_dinas,
    )
    assert m.status == Mutasi.Status.DIJADWALKAN
    assert Pegawai.objects.get(pk=org.pegawai.pk).pejabat_penilai_id == org.kasubbid.pk
    assert mutasi.mutasi_jatuh_tempo(hari_ini=_d(org, 8, 31)) == 0
    hari(_d(org, 9, 1))
    assert mutasi.mutasi_jatuh_tempo(hari_ini=_d(org, 9, 1)) == 1
    assert mutasi.mutasi_jatuh_tempo(hari_ini=_d(org, 9, 1)) == 0  # once
    m.refresh_from_db()
    assert m.status == Mutasi.Status.BERLAKU
    assert Pegawai.objects.get(pk=org.pegawai.pk).pejabat_penilai_id == org.kadis.pk
    assert masa.penilai_pada(org.pegawai.pk, _d(org, 8, 31)).pejabat_penilai_id == org.kasubbid.pk


def test_a_future_change_cancelled_before_its_date_never_happens(org, hari, pos_dinas):
    m = mutasi.mutasi_catat(
        user=org.admin_a,
        pegawai=org.pegawai,
        jenis="mutasi",
        tmt=_d(org, 9, 1),
        jabatan_baru=pos_dinas,
    )
    with pytest.raises(ValidationError) as e:
        mutasi.mutasi_batalkan(user=org.admin_a, mutasi=m, alasan=" ")
    assert "alasan" in e.value.message_dict
    mutasi.mutasi_batalkan(user=org.admin_a, mutasi=m, alasan="SK dibatalkan")
    assert mutasi.mutasi_jatuh_tempo(hari_ini=_d(org, 9, 2)) == 0
    m.refresh_from_db()
    assert (m.status, m.alasan_batal) == (Mutasi.Status.DIBATALKAN, "SK dibatalkan")
    assert Pegawai.objects.get(pk=org.pegawai.pk).jabatan_id == org.pegawai.jabatan_id
    with pytest.raises(ValidationError):
        mutasi.mutasi_batalkan(user=org.admin_a, mutasi=m, alasan="lagi")


def test_an_applied_change_cannot_be_cancelled(org, hari, pos_dinas):
    m = mutasi.mutasi_catat(
        user=org.admin_a,
        pegawai=org.pegawai,
        jenis="mutasi",
        tmt=_d(org, 8, 1),
        jabatan_baru=pos_dinas,
    )
    with pytest.raises(ValidationError) as e:
        mutasi.mutasi_batalkan(user=org.admin_a, mutasi=m, alasan="salah")
    assert "sudah berlaku" in str(e.value)


def test_a_plt_in_a_vacant_post_rates_its_people_who_escalate_to_the_posts_superior(org, hari):
    # The Kasubbid leaves; a Diskominfo pelaksana (rated by the Kepala Dinas) is named Plt
    # Kasubbid until October.
    pos = org.kasubbid.jabatan
    mutasi.mutasi_catat(user=org.admin_a, pegawai=org.kasubbid, jenis="berhenti", tmt=_d(org, 8, 1))
    assert Pegawai.objects.get(pk=org.pegawai.pk).pejabat_penilai_id == org.kabid.pk  # passes up
    mutasi.mutasi_catat(
        user=org.admin_a,
        pegawai=org.staf_dinas,
        jenis="plt",
        tmt=_d(org, 8, 10),
        sampai=_d(org, 10, 31),
        jabatan_baru=pos,
    )
    peg = Pegawai.objects.get(pk=org.pegawai.pk)
    # The Plt rates; the atasan is the penilai of the Kasubbid post (the Kabid), not the Plt's
    # own penilai (the Kepala Dinas).
    assert (peg.pejabat_penilai_id, peg.atasan_pejabat_penilai_id) == (
        org.staf_dinas.pk,
        org.kabid.pk,
    )
    plt = RiwayatJabatan.objects.get(pegawai=org.staf_dinas, jenis="plt")
    assert (plt.jabatan_id, plt.mulai, plt.selesai) == (pos.pk, _d(org, 8, 10), _d(org, 10, 31))
    # The acting role ends by itself after its last day.
    assert mutasi.mutasi_jatuh_tempo(hari_ini=_d(org, 10, 31)) == 0
    hari(_d(org, 11, 1))
    assert mutasi.mutasi_jatuh_tempo(hari_ini=_d(org, 11, 1)) == 1
    peg.refresh_from_db()
    assert peg.pejabat_penilai_id == org.kabid.pk
    assert Pegawai.objects.get(pk=org.staf_dinas.pk).plt_jabatan_id is None
    parts = masa.bagian_dalam(peg.pk, _d(org, 7, 1), _d(org, 12, 31))
    assert [(b.pejabat_penilai_id, b.mulai) for b in parts] == [
        (org.kasubbid.pk, _d(org, 7, 1)),
        (org.kabid.pk, _d(org, 8, 1)),
        (org.staf_dinas.pk, _d(org, 8, 10)),
        (org.kabid.pk, _d(org, 11, 1)),
    ]


def test_refusals_name_the_field_in_indonesian_and_change_nothing(org, hari, pos_dinas):
    def refused(**kw):
        before = (Mutasi.objects.count(), MasaPenilai.objects.count())
        with pytest.raises(ValidationError) as e:
            mutasi.mutasi_catat(user=org.admin_a, pegawai=org.pegawai, **kw)
        assert (Mutasi.objects.count(), MasaPenilai.objects.count()) == before
        return e.value.message_dict

    assert "jabatan_baru" in refused(jenis="mutasi", tmt=_d(org, 8, 1))
    assert "sampai" in refused(jenis="plt", tmt=_d(org, 8, 1), jabatan_baru=pos_dinas)
    e = refused(jenis="plt", tmt=_d(org, 8, 1), sampai=_d(org, 7, 1), jabatan_baru=pos_dinas)
    assert "sebelum TMT" in e["sampai"][0]
    assert (
        "2022" in refused(jenis="mutasi", tmt=dt.date(2020, 1, 1), jabatan_baru=pos_dinas)["tmt"][0]
    )
    other = Jabatan.objects.filter(unit_kerja__instansi=org.instansi_b).first()
    assert (
        "instansi"
        in refused(jenis="mutasi", tmt=_d(org, 8, 1), jabatan_baru=other)["jabatan_baru"][0]
    )
    # Out of order: after a change on 1 August, one dated July is refused.
    mutasi.mutasi_catat(
        user=org.admin_a,
        pegawai=org.pegawai,
        jenis="mutasi",
        tmt=_d(org, 8, 1),
        jabatan_baru=pos_dinas,
    )
    e = refused(jenis="rotasi", tmt=_d(org, 7, 1), jabatan_baru=org.rekan.jabatan)
    assert "berurutan" in e["tmt"][0]
    # A closed year.
    Periode.objects.filter(pk=org.periode_a.pk).update(status="ditutup")
    e = refused(jenis="rotasi", tmt=_d(org, 8, 15), jabatan_baru=org.rekan.jabatan)
    assert "sudah ditutup" in e["tmt"][0]


@pytest.mark.parametrize("who", ["admin_b", "kasubbid", "pegawai"])
def test_only_the_admin_of_the_pegawais_instansi_records_a_change(org, hari, pos_dinas, who):
    with pytest.raises(PermissionDenied):
        mutasi.mutasi_catat(
            user=org.user(who),
            pegawai=org.pegawai,
            jenis="mutasi",
            tmt=_d(org, 8, 1),
            jabatan_baru=pos_dinas,
        )
    assert not Mutasi.objects.exists()


def test_a_correction_on_the_same_day_replaces_the_stretch_instead_of_adding_one(
    org, hari, pos_dinas
):
    mutasi.mutasi_catat(
        user=org.admin_a,
        pegawai=org.pegawai,
        jenis="mutasi",
        tmt=_d(org, 8, 1),
        jabatan_baru=pos_dinas,
    )
    n = MasaPenilai.objects.filter(pegawai=org.pegawai).count()
    # The admin fixes the new post's atasan the same week: dated the same TMT.
    pos_dinas.atasan = org.kabid.jabatan
    services.organisasi_simpan(user=org.admin_a, obj=pos_dinas, tmt=_d(org, 8, 1))
    assert MasaPenilai.objects.filter(pegawai=org.pegawai).count() == n
    assert masa.penilai_pada(org.pegawai.pk, _d(org, 8, 1)).pejabat_penilai_id == org.kabid.pk


def test_a_post_closed_by_a_restructuring_takes_nobody_new(org, hari, pos_dinas):
    Jabatan.objects.filter(pk=pos_dinas.pk).update(ditutup=_d(org, 8, 1))
    with pytest.raises(ValidationError) as e:
        mutasi.mutasi_catat(
            user=org.admin_a,
            pegawai=org.pegawai,
            jenis="mutasi",
            tmt=_d(org, 8, 5),
            jabatan_baru=Jabatan.objects.get(pk=pos_dinas.pk),
        )
    assert "ditutup" in e.value.message_dict["jabatan_baru"][0]
