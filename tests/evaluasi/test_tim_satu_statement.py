"""The team page's one statement (evaluasi/selectors_tim.py): the team with evaluations, the
distribution panel, the "as atasan" rows and the instansi's periods in one UNION ALL, read as
plain rows (bench/temuan.md, "Putaran kedelapan").

It must read what the three selectors it stands for read (selectors.tim_evaluasi,
distribusi_tim, evaluasi_sebagai_atasan) for every kind of viewer: a penilai in place, a former
penilai (MasaPenilai), an atasan, an empty team, a penilai of another instansi. The period is
chosen from the periods the process read last and checked against the statement's own.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from evaluasi import jendela, selectors
from evaluasi import selectors_tim as st
from evaluasi.models import JustifikasiDistribusi
from kinerja import mutasi
from kinerja.models import Periode
from tests.evaluasi.conftest import evaluasi_draft, final, ko, skp_disetujui
from tests.evaluasi.test_halaman_tim import _lama_dan_baru

pytestmark = pytest.mark.django_db


@pytest.fixture
def pindah(org, pos_dinas):
    """The pegawai moved to Diskominfo on 16 August: kasubbid rated her until then (a former
    penilai for the windows before), kadis since; plus rows of every kind for the others."""
    from dialog.models import UmpanBalik

    skp_disetujui(org.pegawai, org.periode_a)
    final(org, "rekan", hasil="diatas_ekspektasi")
    final(org, "fungsional", hasil="dibawah_ekspektasi")
    evaluasi_draft(org, "kasubbid")
    ko(org, org.unit_bidang, "baik")
    UmpanBalik.objects.create(
        penerima=org.rekan,
        pemberi=org.kadis,
        hubungan="pemberi_tugas",
        jenis="apresiasi",
        isi="Uji",
        periode=org.periode_a,
        urutan=1,
        dibuat=timezone.now(),
    )
    JustifikasiDistribusi.objects.create(
        periode=org.periode_a,
        jenis="tahunan",
        cakupan="tim",
        pejabat_penilai=org.kabid,
        isi="Tim kecil",
    )
    mutasi.mutasi_catat(
        user=org.admin_a,
        pegawai=org.pegawai,
        jenis="mutasi",
        tmt=dt.date(org.periode_a.tahun, 8, 16),
        jabatan_baru=pos_dinas,
    )
    return org


def _lama(user, periode, w):
    """What the three selectors read, in the page's terms."""
    from kinerja import policy

    a = policy.actor(user)
    tim = [
        (
            r["pegawai"].pk,
            r["pegawai"].nama,
            r["pegawai"].nip,
            str(r["pegawai"].jabatan) if r["pegawai"].jabatan else None,
            r["evaluasi"] and r["evaluasi"].pk,
            r["evaluasi"] and r["evaluasi"].get_status_display(),
            r["evaluasi"] and r["evaluasi"].is_final,
            r["evaluasi"] and (r["evaluasi"].rating_hasil_kerja, r["evaluasi"].predikat),
            r["skp_disetujui"],
            r["umpan_balik"],
            r["umpan_balik_tugas"],
        )
        for r in selectors.tim_evaluasi(user, periode, w)
    ]
    d = selectors.distribusi_tim(a.pegawai_id, periode, w)
    dist = (d.counts, d.predikat_org, [(j.pk, j.isi, j.dibuat) for j in d.justifikasi])
    atasan = [
        (e.pk, e.pegawai.nama, e.pejabat_penilai.nama if e.pejabat_penilai else None, e.predikat)
        for e in selectors.evaluasi_sebagai_atasan(user, periode, w)
    ]
    return tim, dist, atasan


def _baru(user, periode, w):
    from kinerja import policy

    h = st.halaman_tim(policy.actor(user).pegawai_id, periode, w)
    tim = [
        (
            r["pegawai"].pk,
            r["pegawai"].nama,
            r["pegawai"].nip,
            r["pegawai"].jabatan,
            r["evaluasi"] and r["evaluasi"].pk,
            r["evaluasi"] and r["evaluasi"].get_status_display(),
            r["evaluasi"] and r["evaluasi"].is_final,
            r["evaluasi"] and (r["evaluasi"].rating_hasil_kerja, r["evaluasi"].predikat),
            r["skp_disetujui"],
            r["umpan_balik"],
            r["umpan_balik_tugas"],
        )
        for r in h.rows
    ]
    d = h.dist
    dist = (d.counts, d.predikat_org, [(j.pk, j.isi, j.dibuat) for j in d.justifikasi])
    atasan = [
        (e.pk, e.pegawai.nama, e.pejabat_penilai.nama if e.pejabat_penilai else None, e.predikat)
        for e in h.atasan_rows
    ]
    return tim, dist, atasan


@pytest.mark.parametrize(
    "who", ["kasubbid", "kadis", "kabid", "pegawai", "kepala_bkd", "kepala_b", "pegawai_b"]
)
def test_one_statement_reads_what_the_three_selectors_read(pindah, who):
    org = pindah
    peg = getattr(org, who)
    periode = org.periode_b if who in ("kepala_b", "pegawai_b") else org.periode_a
    for w in jendela.daftar(periode):
        assert _baru(peg.user, periode, w) == _lama(peg.user, periode, w), (who, w.kode)


def test_a_former_penilai_keeps_their_windows_only(pindah):
    org = pindah
    tw1 = jendela.dari_kode(org.periode_a, "1")
    akhir = jendela.dari_kode(org.periode_a, jendela.AKHIR)

    def ids(peg, w):
        return {r["pegawai"].pk for r in st.halaman_tim(peg.pk, org.periode_a, w).rows}

    assert org.pegawai.pk in ids(org.kasubbid, tw1)  # rated her in TW I
    assert org.pegawai.pk not in ids(org.kasubbid, akhir)  # not at year end
    assert org.pegawai.pk not in ids(org.kadis, tw1)  # came after TW I
    assert org.pegawai.pk in ids(org.kadis, akhir)


def test_a_penilai_of_another_instansi_sees_nothing_of_this_team(pindah, client_as, monkeypatch):
    org = pindah
    lama, baru = _lama_dan_baru(client_as(org.kepala_b.user), "/evaluasi/tim/", monkeypatch)
    assert baru == lama
    assert org.pegawai_b.nama in baru
    for p in (org.pegawai, org.rekan, org.fungsional, org.kasubbid, org.staf_dinas):
        assert p.nama not in baru
    # And the other way round: instansi A's penilai never sees B's people.
    for who in ("kasubbid", "kadis", "kabid"):
        html = client_as(getattr(org, who).user).get("/evaluasi/tim/").content.decode()
        assert org.pegawai_b.nama not in html


def test_the_page_is_one_statement_once_the_periods_are_known(pindah, client_as):
    org = pindah
    c = client_as(org.kasubbid.user)
    c.get("/evaluasi/tim/")
    for url in ("/evaluasi/tim/", "/evaluasi/tim/?jendela=1", "/evaluasi/tim/?ekspor=csv"):
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(url).status_code == 200
        data = [
            q["sql"]
            for q in ctx.captured_queries
            if q["sql"] is None or "kinerja_periode" in q["sql"] or "evaluasi_" in q["sql"]
        ]
        assert len(data) == 1, (url, data)


def test_a_wrong_guess_of_the_periods_is_never_shown(pindah, client_as, monkeypatch):
    org = pindah
    inst = org.periode_a.instansi_id
    c = client_as(org.kasubbid.user)
    tahun = org.periode_a.tahun
    assert f"Evaluasi kinerja tim — {tahun}<" in c.get("/evaluasi/tim/").content.decode()
    # A newer open year appears after this process read the periods: shown at once.
    Periode.objects.create(instansi=org.instansi_a, tahun=tahun + 1, status="berjalan")
    lama, baru = _lama_dan_baru(c, "/evaluasi/tim/", monkeypatch)
    assert baru == lama
    assert f"Evaluasi kinerja tim — {tahun + 1}<" in baru
    assert f'href="?tahun={tahun}"' in baru  # the year tabs
    # A guess naming a period that does not exist (another frequency, a closed year).
    salah = st.PeriodeTim(org.periode_a.pk, inst, tahun + 1, "bulanan", "ditutup")
    monkeypatch.setitem(st._PERIODE, inst, (salah,))
    lama, baru = _lama_dan_baru(c, f"/evaluasi/tim/?tahun={tahun}&jendela=2", monkeypatch)
    assert baru == lama
    assert f"Evaluasi kinerja tim — {tahun}<" in baru and "Triwulan II" in baru
    assert [p.tahun for p in st._PERIODE[inst]] == [tahun + 1, tahun]  # read again
    # A year the guess does not know, or a window it does not have: asked again, not a 404.
    monkeypatch.setitem(st._PERIODE, inst, ())
    assert c.get(f"/evaluasi/tim/?tahun={tahun}&jendela=3").status_code == 200
    assert c.get(f"/evaluasi/tim/?tahun={tahun + 5}").status_code == 404
    assert c.get(f"/evaluasi/tim/?tahun={tahun}&jendela=9").status_code == 404


def test_the_atasan_rows_come_either_way_once(pindah):
    """The "as atasan" rows are the window's evaluations whose recorded atasan is the user OR
    whose pegawai's atasan is the user now, each once (since "Putaran ketiga belas" two
    index-driven parts, the second without the first's rows): an evaluation that names the
    user only by its recorded atasan, one whose pegawai only names the user now, and one that
    names the user both ways."""
    from evaluasi.models import Evaluasi

    org = pindah
    periode = org.periode_a
    akhir = jendela.dari_kode(periode, jendela.AKHIR)
    evs = list(Evaluasi.objects.filter(periode=periode, jenis="tahunan").select_related("pegawai"))
    assert len(evs) >= 3
    orang = {e.pegawai_id for e in evs}
    # Someone who is not the current atasan of any of these pegawai is recorded on the first;
    # the second records nobody; the third stays as both ways name its atasan.
    sekarang = {e.pegawai.atasan_pejabat_penilai_id for e in evs}
    luar = next(
        p
        for p in (org.kepala_bkd, org.kadis, org.kabid, org.kasubbid, org.rekan, org.fungsional)
        if p.pk not in sekarang and p.user_id
    )
    hanya_catatan, hanya_sekarang, keduanya = evs[0], evs[1], evs[2]
    Evaluasi.objects.filter(pk=hanya_catatan.pk).update(atasan_pejabat_penilai=luar)
    Evaluasi.objects.filter(pk=hanya_sekarang.pk).update(atasan_pejabat_penilai=None)
    assert keduanya.atasan_pejabat_penilai_id == keduanya.pegawai.atasan_pejabat_penilai_id
    for peg in {
        luar,
        hanya_sekarang.pegawai.atasan_pejabat_penilai,
        keduanya.pegawai.atasan_pejabat_penilai,
    }:
        baru, lama = _baru(peg.user, periode, akhir), _lama(peg.user, periode, akhir)
        assert baru == lama, peg
        ids = [r[0] for r in baru[2]]
        assert len(ids) == len(set(ids))  # each evaluation once
    assert hanya_catatan.pk in [r[0] for r in _baru(luar.user, periode, akhir)[2]]
    for e in (hanya_sekarang, keduanya):
        atasan = e.pegawai.atasan_pejabat_penilai
        assert e.pk in [r[0] for r in _baru(atasan.user, periode, akhir)[2]]
    assert orang
