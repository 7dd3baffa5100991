"""Reminders: the engine (once per person per reason per day, settings) and every reminder kind
firing for the right person only. A real worker runs them in tests/kinerja/test_worker.py."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from kinerja import pengingat
from kinerja.models import Notifikasi, PengaturanPengingat, User
from kinerja.notifikasi import JENIS
from kinerja.pengingat import Pesan

pytestmark = pytest.mark.django_db


def _notes(user: User, jenis: str) -> list[Notifikasi]:
    return list(Notifikasi.objects.filter(penerima=user, jenis=jenis))


def _run(org, tanggal: dt.date, *jenis: str, instansi=None) -> int:
    return pengingat.jalankan_instansi(
        instansi or org.instansi_a, tanggal, hanya=set(jenis) if jenis else None
    )


def _aware(d: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(d, dt.time(9, 0)))


@pytest.fixture(autouse=True)
def tautan_menyelesaikan(request):
    """After every test here: each real reminder's link opens, for its recipient, the page
    that resolves it (a 200, not a 404 or a redirect to the login)."""
    yield
    if "uji_pengingat" in request.fixturenames:
        return
    from django.test import Client

    checked = 0
    for n in Notifikasi.objects.filter(jenis__in=pengingat.REGISTRY).select_related("penerima"):
        c = Client()
        c.force_login(n.penerima)
        r = c.get(n.tautan)
        assert r.status_code == 200, (n.jenis, n.tautan, r.status_code)
        checked += 1
    request.node.user_properties.append(("tautan_diperiksa", checked))


@pytest.fixture
def uji_pengingat():
    """A test-only reminder (removed afterwards so other tests do not see it)."""
    calls: list[dt.date] = []
    targets: list[Pesan] = []

    @pengingat.pengingat("uji_pengingat", "Pengingat uji")
    def _fn(ctx):
        calls.append(ctx.hari_ini)
        yield from targets

    pengingat.temukan()
    yield calls, targets
    pengingat.REGISTRY.pop("uji_pengingat", None)
    JENIS.pop("uji_pengingat", None)


# --- the engine -------------------------------------------------------------------------------
def test_one_reminder_per_person_per_reason_per_day(org, uji_pengingat):
    calls, targets = uji_pengingat
    u = org.pegawai.user
    targets += [Pesan(u, "Satu.", "/skp/"), Pesan(u, "Dua.", "/x/"), Pesan(None, "nobody")]
    day = dt.date(2026, 1, 20)
    assert _run(org, day, "uji_pengingat") == 1
    assert _run(org, day, "uji_pengingat") == 0  # beat fires again, a retry: no-op
    [n] = _notes(u, "uji_pengingat")
    assert n.pesan == "Satu. Dua." and n.tautan == "/skp/"  # merged, first link
    assert n.kunci == f"pengingat:uji_pengingat:{u.pk}:2026-01-20"
    assert _run(org, day + dt.timedelta(days=1), "uji_pengingat") == 1
    assert len(_notes(u, "uji_pengingat")) == 2


def test_instansi_settings_turn_reminders_off(org, uji_pengingat):
    calls, targets = uji_pengingat
    targets.append(Pesan(org.pegawai.user, "x"))
    s = PengaturanPengingat.objects.create(
        instansi=org.instansi_a, jenis_nonaktif=["uji_pengingat"]
    )
    assert _run(org, dt.date(2026, 3, 1), "uji_pengingat") == 0 and calls == []
    s.jenis_nonaktif = []
    s.aktif = False
    s.save()
    assert _run(org, dt.date(2026, 3, 1)) == 0 and calls == []  # nothing at all
    s.aktif = True
    s.save()
    assert _run(org, dt.date(2026, 3, 1), "uji_pengingat") == 1


def test_beat_runs_each_instansi_from_its_own_hour_once_a_day(org, uji_pengingat, monkeypatch):
    from django.core.cache import cache

    cache.clear()
    calls, targets = uji_pengingat
    targets.append(Pesan(org.pegawai.user, "Pengingat."))
    PengaturanPengingat.objects.create(instansi=org.instansi_a, jam_kirim=9)
    PengaturanPengingat.objects.create(instansi=org.instansi_b, jam_kirim=6)
    now = [timezone.make_aware(dt.datetime(2026, 5, 4, 7, 5))]
    monkeypatch.setattr(pengingat.timezone, "localtime", lambda *a: now[0])
    pengingat.jalankan_semua()
    assert len(calls) == 1  # only instansi B (from 06:00); A waits for 09:00
    now[0] = timezone.make_aware(dt.datetime(2026, 5, 4, 9, 5))
    pengingat.jalankan_semua()
    assert len(calls) == 2  # A now; B is done for the day
    now[0] = timezone.make_aware(dt.datetime(2026, 5, 4, 10, 5))
    assert pengingat.jalankan_semua() == 0 and len(calls) == 2
    cache.clear()  # the marker lost (cache flushed): the per-day keys still hold
    assert pengingat.jalankan_semua() == 0 and len(calls) == 4
    assert len(_notes(org.pegawai.user, "uji_pengingat")) == 1
    now[0] = timezone.make_aware(dt.datetime(2026, 5, 5, 9, 5))
    pengingat.jalankan_semua()
    assert len(_notes(org.pegawai.user, "uji_pengingat")) == 2


def test_a_broken_reminder_does_not_stop_the_others(org, uji_pengingat):
    calls, targets = uji_pengingat

    @pengingat.pengingat("uji_rusak", "Rusak")
    def _broken(ctx):
        raise RuntimeError("bug")
        yield  # pragma: no cover

    targets.append(Pesan(org.pegawai.user, "tetap terkirim"))
    try:
        assert _run(org, dt.date(2026, 2, 2), "uji_rusak", "uji_pengingat") == 1
    finally:
        pengingat.REGISTRY.pop("uji_rusak")
        JENIS.pop("uji_rusak")


def test_every_stage_registers_its_reminders():
    kinds = set(pengingat.temukan())
    assert {
        "skp_belum_diajukan",
        "skp_bawahan_belum_diajukan",
        "skp_menunggu_persetujuan",
        "skp_persetujuan_terlambat",
        "penugasan_menunggu_keputusan",
        "umpan_balik_belum_diberikan",
        "tindak_lanjut_jatuh_tempo",
        "evaluasi_periodik_jatuh_tempo",
        "evaluasi_tahunan_jatuh_tempo",
        "kinerja_organisasi_belum",
        "sanksi_batas_perbaikan",
    } <= kinds


# --- SKP --------------------------------------------------------------------------------------
def _skp(org, pegawai, status="draft", diajukan: dt.date | None = None):
    from skp.models import SKP

    return SKP.objects.create(
        pegawai=pegawai,
        periode=org.periode_a,
        status=status,
        diajukan_pada=_aware(diajukan) if diajukan else None,
        pejabat_penilai=pegawai.pejabat_penilai,
        atasan_pejabat_penilai=pegawai.atasan_pejabat_penilai,
    )


def test_skp_not_submitted_reminds_the_pegawai_then_the_penilai(
    org, django_capture_on_commit_callbacks
):
    year = org.periode_a.tahun  # batas_perencanaan: 31 January
    _skp(org, org.rekan, status="diajukan", diajukan=dt.date(year, 1, 10))
    _skp(org, org.pegawai)  # a draft is not a submission
    assert _run(org, dt.date(year, 1, 20), "skp_belum_diajukan") == 0  # 11 days out: too early
    with django_capture_on_commit_callbacks(execute=True):
        _run(org, dt.date(year, 1, 24), "skp_belum_diajukan", "skp_bawahan_belum_diajukan")
        _run(org, dt.date(year, 1, 24), "skp_belum_diajukan", "skp_bawahan_belum_diajukan")
    [n] = _notes(org.pegawai.user, "skp_belum_diajukan")
    assert "7 hari lagi" in n.pesan and n.tautan == "/skp/"
    assert not _notes(org.rekan.user, "skp_belum_diajukan")  # submitted
    assert not _notes(org.kasubbid.user, "skp_bawahan_belum_diajukan")  # deadline not passed
    # The email: Bahasa Indonesia, with the link to the page that resolves it.
    [m] = [m for m in mail.outbox if m.to == [org.pegawai.user.email]]
    assert "SKP Anda belum diajukan" in m.body and "Yth. Agustina Mbete" in m.body
    assert "http://127.0.0.1:8000/skp/" in m.body or m.body.count("/skp/") >= 1
    html = m.alternatives[0][0]
    assert 'href="' in html and "/skp/" in html
    # After the deadline: the pegawai again, and now her penilai.
    _run(org, dt.date(year, 2, 3), "skp_belum_diajukan", "skp_bawahan_belum_diajukan")
    assert "telah lewat 3 hari" in _notes(org.pegawai.user, "skp_belum_diajukan")[0].pesan
    [p] = _notes(org.kasubbid.user, "skp_bawahan_belum_diajukan")
    assert "Agustina Mbete" in p.pesan and "Daniel Tallo" not in p.pesan
    [k] = _notes(org.kabid.user, "skp_bawahan_belum_diajukan")  # he rates kasubbid, fungsional
    assert "Fransiska Nenobais" in k.pesan and "Agustina Mbete" not in k.pesan
    assert not _notes(org.pegawai_b.user, "skp_belum_diajukan")  # another instansi's day


def test_skp_waiting_approval_reminds_penilai_then_atasan_penilai(org):
    year = org.periode_a.tahun
    skp = _skp(org, org.pegawai, status="diajukan", diajukan=dt.date(year, 2, 1))
    kinds = ("skp_menunggu_persetujuan", "skp_persetujuan_terlambat")
    _run(org, dt.date(year, 2, 8), *kinds)  # 7 days = the limit, not yet longer
    assert not _notes(org.kasubbid.user, "skp_menunggu_persetujuan")
    _run(org, dt.date(year, 2, 9), *kinds)
    _run(org, dt.date(year, 2, 9), *kinds)
    [n] = _notes(org.kasubbid.user, "skp_menunggu_persetujuan")
    assert "Agustina Mbete" in n.pesan and n.tautan == "/skp/persetujuan/"
    assert not _notes(org.kabid.user, "skp_persetujuan_terlambat")
    _run(org, dt.date(year, 2, 16), *kinds)  # 15 days > 7 + 7
    [e] = _notes(org.kabid.user, "skp_persetujuan_terlambat")
    assert "Agustina Mbete" in e.pesan and "Fransiska Nenobais" in e.pesan
    assert e.tautan == f"/skp/{skp.pk}/"
    assert not _notes(org.pegawai.user, "skp_persetujuan_terlambat")
    # The instansi's limit is the Periode's.
    org.periode_a.batas_persetujuan_hari = 30
    org.periode_a.save()
    Notifikasi.objects.all().delete()
    _run(org, dt.date(year, 2, 20), *kinds)
    assert not Notifikasi.objects.exists()


# --- dialog -----------------------------------------------------------------------------------
def test_assignment_waiting_reminds_the_penilai(org):
    from dialog.models import Penugasan

    year = org.periode_a.tahun
    p = Penugasan.objects.create(
        pemberi=org.kadis, penerima=org.pegawai, periode=org.periode_a, uraian="Rekap data",
        hasil_diharapkan="Rekap", diusulkan_oleh=org.kadis.user,
    )  # fmt: skip
    Penugasan.objects.filter(pk=p.pk).update(dibuat=_aware(dt.date(year, 3, 1)))
    _run(org, dt.date(year, 3, 3), "penugasan_menunggu_keputusan")
    assert not Notifikasi.objects.exists()
    _run(org, dt.date(year, 3, 5), "penugasan_menunggu_keputusan")
    _run(org, dt.date(year, 3, 5), "penugasan_menunggu_keputusan")
    assert len(_notes(org.kasubbid.user, "penugasan_menunggu_keputusan")) == 1
    assert Notifikasi.objects.count() == 1


def test_follow_up_due_reminds_the_person_responsible(org):
    from dialog.models import DialogKinerja, TindakLanjut

    year = org.periode_a.tahun
    d = DialogKinerja.objects.create(
        pegawai=org.pegawai, pemimpin=org.kasubbid, periode=org.periode_a,
        jenis=DialogKinerja.Jenis.choices[0][0], waktu=_aware(dt.date(year, 4, 1)), agenda="x",
    )  # fmt: skip
    TindakLanjut.objects.create(
        dialog=d,
        uraian="Ikut pelatihan analisis data",
        penanggung_jawab=org.pegawai,
        tenggat=dt.date(year, 4, 20),
    )
    _run(org, dt.date(year, 4, 10), "tindak_lanjut_jatuh_tempo")
    assert not Notifikasi.objects.exists()
    _run(org, dt.date(year, 4, 18), "tindak_lanjut_jatuh_tempo")
    _run(org, dt.date(year, 4, 18), "tindak_lanjut_jatuh_tempo")
    [n] = _notes(org.pegawai.user, "tindak_lanjut_jatuh_tempo")
    assert "Ikut pelatihan" in n.pesan and "20-04" in n.pesan


def test_no_feedback_in_the_window_reminds_the_penilai_before_it_closes(org):
    year = org.periode_a.tahun  # triwulanan: window I ends 31 March
    _run(org, dt.date(year, 3, 1), "umpan_balik_belum_diberikan")
    assert not Notifikasi.objects.exists()
    _run(org, dt.date(year, 3, 25), "umpan_balik_belum_diberikan")
    [n] = _notes(org.kasubbid.user, "umpan_balik_belum_diberikan")
    assert "2 pegawai" in n.pesan
    assert not _notes(org.pegawai.user, "umpan_balik_belum_diberikan")


# --- evaluasi ---------------------------------------------------------------------------------
def test_periodic_evaluation_due_reminds_the_penilai_of_those_not_final(org):
    from evaluasi.models import Evaluasi

    year = org.periode_a.tahun
    Evaluasi.objects.create(
        pegawai=org.pegawai, periode=org.periode_a, jenis="periodik", urutan=2, status="final"
    )
    _run(org, dt.date(year, 6, 10), "evaluasi_periodik_jatuh_tempo")  # 20 days before: early
    assert not Notifikasi.objects.exists()
    _run(org, dt.date(year, 6, 27), "evaluasi_periodik_jatuh_tempo")
    _run(org, dt.date(year, 6, 27), "evaluasi_periodik_jatuh_tempo")
    [n] = _notes(org.kasubbid.user, "evaluasi_periodik_jatuh_tempo")
    assert "Triwulan II" in n.pesan and "Daniel Tallo" in n.pesan
    assert "Agustina Mbete" not in n.pesan and "1 pegawai" in n.pesan
    assert n.tautan == "/evaluasi/tim/"
    assert _notes(org.kabid.user, "evaluasi_periodik_jatuh_tempo")  # rates kasubbid, fungsional
    assert not _notes(org.pegawai.user, "evaluasi_periodik_jatuh_tempo")
    # Still reminded shortly after the window; not once the grace period is over.
    Notifikasi.objects.all().delete()
    _run(org, dt.date(year, 7, 10), "evaluasi_periodik_jatuh_tempo")
    assert _notes(org.kasubbid.user, "evaluasi_periodik_jatuh_tempo")
    Notifikasi.objects.all().delete()
    _run(org, dt.date(year, 7, 20), "evaluasi_periodik_jatuh_tempo")
    assert not Notifikasi.objects.exists()


def test_annual_evaluation_is_due_in_december(org):
    year = org.periode_a.tahun
    _run(org, dt.date(year, 11, 28), "evaluasi_tahunan_jatuh_tempo")
    assert not Notifikasi.objects.exists()
    _run(org, dt.date(year, 12, 2), "evaluasi_tahunan_jatuh_tempo")
    [n] = _notes(org.kasubbid.user, "evaluasi_tahunan_jatuh_tempo")
    assert "Triwulan IV-Akhir" in n.pesan and "Agustina Mbete" in n.pesan


def test_kinerja_organisasi_not_set_reminds_unit_head_and_admin(org):
    from evaluasi.models import KinerjaOrganisasi

    year = org.periode_a.tahun
    _run(org, dt.date(year, 3, 28), "kinerja_organisasi_belum")
    [k] = _notes(org.kabid.user, "kinerja_organisasi_belum")  # heads Bidang Penilaian Kinerja
    assert "Bidang Penilaian Kinerja" in k.pesan and "Triwulan I" in k.pesan
    [a] = _notes(org.admin_a, "kinerja_organisasi_belum")
    assert "Bidang Penilaian Kinerja" in a.pesan
    assert not _notes(org.admin_b, "kinerja_organisasi_belum")
    assert not _notes(org.pegawai.user, "kinerja_organisasi_belum")
    KinerjaOrganisasi.objects.create(
        unit_kerja=org.unit_bidang,
        periode=org.periode_a,
        jenis="periodik",
        urutan=1,
        predikat="baik",
    )
    _run(org, dt.date(year, 3, 29), "kinerja_organisasi_belum")
    assert len(_notes(org.kabid.user, "kinerja_organisasi_belum")) == 1  # nothing new for him
    assert "Bidang Penilaian" not in _notes(org.admin_a, "kinerja_organisasi_belum")[0].pesan


def test_sanction_deadline_approaching_reminds_penilai_and_admin(org):
    from evaluasi.models import KasusSanksi, LangkahSanksi

    year = org.periode_a.tahun
    kasus = KasusSanksi.objects.create(pegawai=org.rekan, periode=org.periode_a, jalur="ja_jf")
    LangkahSanksi.objects.create(
        kasus=kasus, langkah="perbaikan", mulai=dt.date(year, 1, 15), batas=dt.date(year, 7, 15)
    )
    _run(org, dt.date(year, 6, 1), "sanksi_batas_perbaikan")  # 44 days out
    assert not Notifikasi.objects.exists()
    _run(org, dt.date(year, 6, 25), "sanksi_batas_perbaikan")
    _run(org, dt.date(year, 6, 25), "sanksi_batas_perbaikan")
    [p] = _notes(org.kasubbid.user, "sanksi_batas_perbaikan")
    [a] = _notes(org.admin_a, "sanksi_batas_perbaikan")
    assert "Daniel Tallo" in p.pesan and "15-07" in p.pesan and "20 hari lagi" in p.pesan
    assert p.tautan == a.tautan == f"/evaluasi/sanksi/{kasus.pk}/"
    assert not _notes(org.admin_b, "sanksi_batas_perbaikan")
    assert not _notes(org.rekan.user, "sanksi_batas_perbaikan")
    kasus.status = "selesai"
    kasus.save()
    Notifikasi.objects.all().delete()
    _run(org, dt.date(year, 6, 26), "sanksi_batas_perbaikan")
    assert not Notifikasi.objects.exists()
