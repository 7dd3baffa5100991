"""A year that moves (issue 16 item 2): a mutasi in August. The old penilai rates TW I-II and
their part of TW III; the new penilai the rest and TW IV-AKHIR; the pegawai has two SKPs in the
year; the old penilai cannot open the new SKP; a future-dated change takes effect on its date and
one cancelled before it changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from evaluasi import jendela, selectors, services
from evaluasi.models import Evaluasi
from kinerja import mutasi, policy
from kinerja.models import Notifikasi, Pegawai
from skp.models import SKP
from tests.evaluasi.conftest import skp_disetujui

pytestmark = pytest.mark.django_db
S = "sesuai_ekspektasi"


def _d(org, m, d):
    return dt.date(org.periode_a.tahun, m, d)


def _mulai(org, user, jenis, urutan=None):
    peg = Pegawai.objects.get(pk=org.pegawai.pk)
    return services.evaluasi_mulai(
        user=user, pegawai=peg, periode=org.periode_a, jenis=jenis, urutan=urutan
    )


def _final(user, ev):
    ev = services.evaluasi_simpan(
        user=user,
        evaluasi=ev,
        row_version=ev.row_version,
        rating_hasil_kerja=S,
        rating_perilaku_kerja=S,
        catatan=f"Catatan {user.username}",
    )
    return services.evaluasi_finalisasi(user=user, evaluasi=ev)


def _pindah(org, pos_dinas, tmt):
    return mutasi.mutasi_catat(
        user=org.admin_a, pegawai=org.pegawai, jenis="mutasi", tmt=tmt, jabatan_baru=pos_dinas
    )


def test_a_mutasi_in_august_splits_the_year(org, hari, pos_dinas):
    from dialog.models import Penugasan

    lama_skp = skp_disetujui(org.pegawai, org.periode_a)
    menunggu = Penugasan.objects.create(
        pemberi=org.kabid,
        penerima=org.pegawai,
        periode=org.periode_a,
        uraian="Menyusun laporan",
        hasil_diharapkan="Laporan",
    )
    lama, baru = org.kasubbid.user, org.kadis.user
    _pindah(org, pos_dinas, _d(org, 8, 16))

    # Two SKPs in the year: the old one closed the day before the TMT, a new draft from it.
    skps = list(SKP.objects.filter(pegawai=org.pegawai, periode=org.periode_a).order_by("versi"))
    assert len(skps) == 2
    lama_skp.refresh_from_db()
    assert (lama_skp.berlaku_sampai, lama_skp.terkini) == (_d(org, 8, 15), False)
    skp_baru = skps[-1]
    assert skp_baru.pk != lama_skp.pk
    assert (skp_baru.status, skp_baru.berlaku_mulai, skp_baru.pejabat_penilai_id) == (
        "draft",
        _d(org, 8, 16),
        org.kadis.pk,
    )
    assert not skp_baru.rencana_set.exists()  # an approved version is never copied
    # The old penilai reads what they rated, cannot open the new SKP; the new one sees both.
    assert policy.can(lama, "view", lama_skp) and not policy.can(lama, "view", skp_baru)
    assert not policy.can(lama, "versi_baru", lama_skp)  # closed: read only
    assert policy.can(baru, "view", lama_skp) and policy.can(baru, "view", skp_baru)
    # Waiting penugasan now wait for the new penilai, who is told.
    assert policy.can(baru, "setujui", menunggu) and not policy.can(lama, "setujui", menunggu)
    assert Notifikasi.objects.filter(penerima=baru, jenis="penugasan_pindah_penilai").exists()

    # The new SKP is agreed with the new penilai.
    SKP.objects.filter(pk=skp_baru.pk).update(status="disetujui")

    hari(_d(org, 10, 5))
    # The old penilai: TW I, TW II and their part of TW III.
    for urutan in (1, 2, 3):
        ev = _final(lama, _mulai(org, lama, "periodik", urutan))
        assert ev.pejabat_penilai_id == org.kasubbid.pk and ev.skp_id == lama_skp.pk
    tw3_lama = Evaluasi.objects.get(urutan=3, pejabat_penilai=org.kasubbid)
    assert (tw3_lama.mulai, tw3_lama.selesai) == (_d(org, 7, 1), _d(org, 8, 15))
    # The new penilai cannot rate the windows they did not hold.
    with pytest.raises(PermissionDenied):
        _mulai(org, baru, "periodik", 1)
    # The new penilai: the rest of TW III (two evaluations of one window), on the new SKP.
    tw3_baru = _final(baru, _mulai(org, baru, "periodik", 3))
    assert (tw3_baru.mulai, tw3_baru.selesai, tw3_baru.skp_id) == (
        _d(org, 8, 16),
        _d(org, 9, 30),
        skp_baru.pk,
    )
    assert Evaluasi.objects.filter(pegawai=org.pegawai, jenis="periodik", urutan=3).count() == 2
    # Each only rates their own part; the old penilai cannot make the AKHIR evaluation.
    assert not policy.can(baru, "nilai", tw3_lama)
    with pytest.raises(PermissionDenied):
        _mulai(org, lama, "tahunan")

    # Year end: the penilai in place sees both SKPs, both sets of results and the old notes.
    hari(_d(org, 12, 31))
    akhir = _mulai(org, baru, "tahunan")
    assert akhir.pejabat_penilai_id == org.kadis.pk
    assert jendela.dari_jenis(akhir.periode, akhir.jenis, akhir.urutan).label == (
        "TRIWULAN IV-AKHIR"
    )
    ctx = selectors.konteks_penilaian(akhir)
    assert {s.pk for s in ctx["skp_tahun"]} == {lama_skp.pk, skp_baru.pk}
    penilai = [p["ev"].pejabat_penilai_id for p in ctx["periodik"]]
    assert penilai.count(org.kasubbid.pk) == 3 and penilai.count(org.kadis.pk) == 1
    assert any("Catatan" in p["ev"].catatan for p in ctx["periodik"])
    akhir = _final(baru, akhir)
    assert akhir.status == "final" and akhir.predikat == "baik"  # its own judgement
    # The old penilai still reads what they rated.
    assert policy.can(lama, "view", tw3_lama)


def test_a_future_dated_change_takes_effect_on_its_date(org, hari, pos_dinas):
    skp_disetujui(org.pegawai, org.periode_a)
    m = _pindah(org, pos_dinas, _d(org, 9, 1))
    assert m.status == "dijadwalkan"
    assert SKP.objects.filter(pegawai=org.pegawai).count() == 1
    assert mutasi.mutasi_jatuh_tempo(hari_ini=_d(org, 8, 31)) == 0
    assert SKP.objects.filter(pegawai=org.pegawai).count() == 1
    assert mutasi.mutasi_jatuh_tempo(hari_ini=_d(org, 9, 1)) == 1
    baru = SKP.objects.get(pegawai=org.pegawai, terkini=True)
    assert (baru.berlaku_mulai, baru.pejabat_penilai_id) == (_d(org, 9, 1), org.kadis.pk)


def test_a_change_cancelled_before_its_date_changes_nothing(org, hari, pos_dinas):
    skp = skp_disetujui(org.pegawai, org.periode_a)
    m = _pindah(org, pos_dinas, _d(org, 9, 1))
    mutasi.mutasi_batalkan(user=org.admin_a, mutasi=m, alasan="Batal")
    assert mutasi.mutasi_jatuh_tempo(hari_ini=_d(org, 9, 2)) == 0
    skp.refresh_from_db()
    assert (skp.terkini, skp.berlaku_sampai) == (True, None)
    assert SKP.objects.filter(pegawai=org.pegawai).count() == 1
    assert Pegawai.objects.get(pk=org.pegawai.pk).pejabat_penilai_id == org.kasubbid.pk


def test_a_change_in_the_last_window_gives_the_old_penilai_their_part_only(org, hari, pos_dinas):
    from django.core.exceptions import ValidationError

    skp_disetujui(org.pegawai, org.periode_a)
    hari(_d(org, 11, 20))
    _pindah(org, pos_dinas, _d(org, 11, 16))
    lama, baru = org.kasubbid.user, org.kadis.user
    ev = _mulai(org, lama, "periodik", 4)
    assert (ev.mulai, ev.selesai, ev.pejabat_penilai_id) == (
        _d(org, 10, 1),
        _d(org, 11, 15),
        org.kasubbid.pk,
    )
    # The penilai in place rates the rest of it as the AKHIR evaluation, never as periodic.
    with pytest.raises(ValidationError) as e:
        _mulai(org, baru, "periodik", 4)
    assert "TRIWULAN IV-AKHIR" in str(e.value)
    assert _mulai(org, baru, "tahunan").pejabat_penilai_id == org.kadis.pk


def test_each_penilai_sees_exactly_their_part_on_the_pages(org, hari, pos_dinas, client_as):
    skp_disetujui(org.pegawai, org.periode_a)
    _pindah(org, pos_dinas, _d(org, 8, 16))
    hari(_d(org, 10, 5))
    lama, baru = org.kasubbid.user, org.kadis.user
    tahun = org.periode_a.tahun
    nama = org.pegawai.nama

    def tim(user, kode):
        return client_as(user).get(f"/evaluasi/tim/?tahun={tahun}&jendela={kode}").content.decode()

    assert nama in tim(lama, "1") and nama in tim(lama, "3")
    assert nama not in tim(baru, "1") and nama in tim(baru, "3")
    assert nama in tim(baru, "akhir") and nama not in tim(lama, "akhir")
    # Each opens their own part of TW III.
    for user, dari in ((lama, "1 Jul"), (baru, "16 Agu")):
        c = client_as(user)
        r = c.post(f"/evaluasi/nilai/{org.pegawai.pk}/3/mulai/", {"tahun": tahun})
        assert r.status_code == 302
        r = c.get(f"/evaluasi/nilai/{org.pegawai.pk}/3/?tahun={tahun}")
        html = r.content.decode()
        assert f"({dari}" in html
    assert Evaluasi.objects.filter(pegawai=org.pegawai, urutan=3).count() == 2
    # The new penilai cannot start TW I.
    r = client_as(baru).post(f"/evaluasi/nilai/{org.pegawai.pk}/1/mulai/", {"tahun": tahun})
    assert r.status_code in (403, 302)
    assert not Evaluasi.objects.filter(pegawai=org.pegawai, urutan=1).exists()
    # The pegawai's SKP page shows both SKPs of the year.
    html = client_as(org.pegawai.user).get("/skp/").content.decode()
    assert html.count(f"/skp/{SKP.objects.get(terkini=True, pegawai=org.pegawai).pk}/") >= 1
    assert "15 Agu" in html and "16 Agu" in html
