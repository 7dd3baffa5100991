"""The home page as a to-do list per role (kinerja/beranda.py and the stages' beranda.py):
what each persona is asked to do next, and why; a constant number of queries whatever the size
of the team, the queue or the instansi (5 rows and 500 rows cost the same)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dialog.models import Penugasan, PermintaanUmpanBalik
from evaluasi.models import Evaluasi, Keberatan
from kinerja.models import Job, Notifikasi, Pegawai, UnitKerja
from skp import services as skp_services
from skp.models import SKP, RencanaHasilKerja
from tests.evaluasi.conftest import ko
from tests.evaluasi.conftest import skp_disetujui as skp_disetujui_langsung
from tests.skp.factories import skp_diajukan, skp_draft

pytestmark = pytest.mark.django_db


def _home(client) -> str:
    r = client.get("/")
    assert r.status_code == 200
    return r.content.decode()


def _tugas(html: str, tid: str) -> str:
    m = re.search(
        rf'id="{re.escape(tid)}">(.*?)</li>\s*(?:<li class="tugas|</ul>\s*</section>)', html, re.S
    )
    assert m, f"{tid} not on the page"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", m.group(1)))


# --- what each persona is asked to do ---------------------------------------------------------
def test_pegawai_sees_her_draft_with_why_and_can_submit_it_from_home(org, client_as):
    skp = skp_draft(org, n_rhk=2)
    c = client_as(org.pegawai.user)
    teks = _tugas(_home(c), "tugas-skp")
    assert "draf" in teks and "2 rencana hasil kerja" in teks and "Ajukan" in teks
    html = _home(c)
    assert f'action="/skp/{skp.pk}/ajukan/"' in html
    r = c.post(f"/skp/{skp.pk}/ajukan/", {"row_version": skp.row_version})
    assert r.status_code == 302
    skp.refresh_from_db()
    assert skp.status == SKP.Status.DIAJUKAN
    teks = _tugas(_home(c), "tugas-skp")
    assert "menunggu persetujuan" in teks and org.kasubbid.nama in teks


def test_a_returned_skp_says_the_penilai_note_and_a_new_version_says_why(org, client_as):
    skp = skp_diajukan(org)
    skp_services.skp_kembalikan(
        skp=skp, user=org.kasubbid.user, catatan="Target indikator 1 belum terukur"
    )
    c = client_as(org.pegawai.user)
    teks = _tugas(_home(c), "tugas-skp")
    assert "Dikembalikan oleh" in teks and "Target indikator 1 belum terukur" in teks
    skp = skp_services.skp_ajukan(skp=SKP.objects.get(pk=skp.pk), user=org.pegawai.user)
    skp = skp_services.skp_setujui(skp=skp, user=org.kasubbid.user)
    skp_services.skp_versi_baru(
        skp=skp, user=org.kasubbid.user, alasan="Penugasan dari Kepala Dinas disetujui"
    )
    teks = _tugas(_home(c), "tugas-skp")
    assert "Versi 2 dibuka karena penugasan dari Kepala Dinas disetujui — ajukan lagi" in teks


def test_pegawai_sees_feedback_asked_of_her_and_realisasi_due(org, client_as):
    skp = skp_disetujui_langsung(org.pegawai, org.periode_a, n_rhk=3)
    PermintaanUmpanBalik.objects.create(peminta=org.rekan, diminta=org.pegawai, pesan="Tolong")
    html = _home(client_as(org.pegawai.user))
    teks = _tugas(html, "tugas-permintaan")
    assert "1 permintaan umpan balik" in teks and org.rekan.nama in teks
    teks = _tugas(html, "tugas-realisasi")
    assert "3 dari 3 rencana hasil kerja belum diisi" in teks
    assert RencanaHasilKerja.objects.filter(skp=skp).first().rencana in teks


def test_penilai_sees_queue_with_oldest_age_penugasan_evaluations_and_feedback(org, client_as):
    skp = skp_diajukan(org)
    SKP.objects.filter(pk=skp.pk).update(diajukan_pada=timezone.now() - dt.timedelta(days=9))
    skp_diajukan(org, "rekan")
    Penugasan.objects.create(
        pemberi=org.kadis, penerima=org.rekan, periode=org.periode_a, uraian="Integrasi data OPD"
    )
    html = _home(client_as(org.kasubbid.user))
    teks = _tugas(html, "tugas-persetujuan")
    assert "2 SKP menunggu persetujuan" in teks and "Terlama menunggu 9 hari" in teks
    assert teks.index(org.pegawai.nama) < teks.index(org.rekan.nama)  # oldest first
    assert "Integrasi data OPD" in _tugas(html, "tugas-penugasan")
    assert "2 dari 2 pegawai belum final" in _tugas(html, "tugas-evaluasi-tim")
    assert "2 dari 2 anggota tim belum menerima umpan balik" in _tugas(
        html, "tugas-umpan-balik-tim"
    )
    # The pegawai sees none of the penilai's section.
    assert "bagian-penilai" not in _home(client_as(org.pegawai.user))


def test_atasan_sees_escalations_and_keberatan_to_decide(org, client_as):
    skp = skp_diajukan(org)
    SKP.objects.filter(pk=skp.pk).update(diajukan_pada=timezone.now() - dt.timedelta(days=40))
    skp_diajukan(org, "rekan")  # fresh: not escalated
    html = _home(client_as(org.kabid.user))
    teks = _tugas(html, "tugas-eskalasi")
    assert "1 SKP belum disetujui" in teks and org.pegawai.nama in teks
    assert org.rekan.nama not in teks and org.kasubbid.nama in teks
    ev = _final(org.pegawai, org)
    Keberatan.objects.create(
        evaluasi=ev,
        pegawai=org.pegawai,
        pejabat_penilai=org.kasubbid,
        pemutus=org.kabid,
        sumber_pemutus="atasan",
        alasan="Tidak sesuai",
        finalisasi_pada=ev.finalisasi_pada,
        rating_hasil_kerja_semula=ev.rating_hasil_kerja,
        rating_perilaku_kerja_semula=ev.rating_perilaku_kerja,
        predikat_semula=ev.predikat,
        batas_putusan=timezone.now() + dt.timedelta(days=10),
    )
    teks = _tugas(_home(client_as(org.kabid.user)), "tugas-keberatan-putus")
    assert "1 keberatan menunggu keputusan Anda" in teks and org.pegawai.nama in teks


def test_ketua_tim_sees_the_team_and_its_matrix(org, client_as):
    html = _home(client_as(org.fungsional.user))
    teks = _tugas(html, f"tugas-tim-{org.tim.pk}")
    assert org.tim.nama in teks and "belum dibuat" in teks
    assert f"{org.tim.anggota.count()} anggota" in teks


def test_admin_sees_progress_per_unit_and_failed_jobs(org, client_as):
    skp_disetujui_langsung(org.pegawai, org.periode_a)
    Job.objects.create(task="skp.pdf", instansi=org.instansi_a, status="gagal", percobaan=5)
    html = _home(client_as(org.admin_a))
    assert "1 pekerjaan latar gagal" in _tugas(html, "tugas-pekerjaan-gagal")
    panel = html.split('id="kemajuan-siklus"')[1]
    assert "SKP disetujui" in panel and org.unit_bidang.nama in panel
    # Every unit of the instansi, none of another one.
    assert all(u.nama in panel for u in UnitKerja.objects.filter(instansi=org.instansi_a))
    assert org.pegawai_b.unit_kerja is None or org.pegawai_b.unit_kerja.nama not in panel


def _final(peg, org, urutan=None) -> Evaluasi:
    return Evaluasi.objects.create(
        pegawai=peg,
        periode=org.periode_a,
        jenis="periodik" if urutan else "tahunan",
        urutan=urutan,
        pejabat_penilai=peg.pejabat_penilai,
        rating_hasil_kerja="sesuai_ekspektasi",
        rating_perilaku_kerja="sesuai_ekspektasi",
        predikat="baik",
        status=Evaluasi.Status.FINAL,
        finalisasi_pada=timezone.now() - dt.timedelta(days=2),
    )


# --- a constant number of queries ----------------------------------------------------------------
def _isi(org, n: int, mulai: int) -> None:
    """n more of everything each home counts: people the kasubbid rates (each with a submitted
    SKP, long waiting, so the kabid sees escalations), penugasan, feedback requests to the
    pegawai, notifications, rencana hasil kerja due, team members, units with people."""
    now = timezone.now()
    jab = org.pegawai.jabatan
    orang = Pegawai.objects.bulk_create(
        Pegawai(
            instansi=org.instansi_a,
            nip=None,
            nama=f"Staf {mulai + i:04d}",
            jabatan=jab,
            unit_kerja=org.pegawai.unit_kerja,
            pejabat_penilai=org.kasubbid,
            atasan_pejabat_penilai=org.kabid,
        )
        for i in range(n)
    )
    SKP.objects.bulk_create(
        SKP(
            pegawai=p,
            periode=org.periode_a,
            status=SKP.Status.DIAJUKAN,
            pejabat_penilai=org.kasubbid,
            atasan_pejabat_penilai=org.kabid,
            diajukan_pada=now - dt.timedelta(days=60),
        )
        for p in orang
    )
    Penugasan.objects.bulk_create(
        Penugasan(pemberi=org.kadis, penerima=p, periode=org.periode_a, uraian=f"Tugas {p.nama}")
        for p in orang
    )
    PermintaanUmpanBalik.objects.bulk_create(
        PermintaanUmpanBalik(peminta=p, diminta=org.pegawai) for p in orang
    )
    Notifikasi.objects.bulk_create(
        Notifikasi(penerima=org.pegawai.user, jenis="umum", pesan=f"Pesan {mulai + i}")
        for i in range(n)
    )
    skp = SKP.objects.filter(pegawai=org.pegawai, periode=org.periode_a, terkini=True).first()
    RencanaHasilKerja.objects.bulk_create(
        RencanaHasilKerja(skp=skp, urutan=mulai + i, rencana=f"Rencana {mulai + i}")
        for i in range(n)
    )
    org.tim.anggota.add(*orang)
    units = UnitKerja.objects.bulk_create(
        UnitKerja(instansi=org.instansi_a, nama=f"Unit {mulai + i:04d}", induk=org.unit_bkd)
        for i in range(max(n // 10, 1))
    )
    Pegawai.objects.bulk_create(
        Pegawai(instansi=org.instansi_a, nama=f"Orang {u.nama}", unit_kerja=u) for u in units
    )
    ko(org, units[0], "baik", jenis="periodik", urutan=4)


@pytest.mark.parametrize("who", ["pegawai", "kasubbid", "kabid", "fungsional", "admin_a"])
def test_every_home_costs_the_same_queries_for_5_and_500_rows(org, client_as, who):
    skp = skp_disetujui_langsung(org.pegawai, org.periode_a, n_rhk=1)
    assert skp.status == SKP.Status.DISETUJUI
    user = org.admin_a if who == "admin_a" else getattr(org, who).user
    c = client_as(user)
    _isi(org, 5, 0)
    c.get("/")  # warm: content types, sessions
    with CaptureQueriesContext(connection) as kecil:
        html_kecil = _home(c)
    _isi(org, 495, 5)
    with CaptureQueriesContext(connection) as besar:
        html_besar = _home(c)
    assert len(besar) == len(kecil), "\n".join(q["sql"][:200] for q in besar.captured_queries)
    # The larger data shows on the page (the counts grew), from the same queries.
    assert html_besar != html_kecil
    if who == "kasubbid":
        assert "500 SKP menunggu persetujuan" in html_besar or "501 SKP" in html_besar
    if who == "kabid":
        assert "500 SKP belum disetujui" in html_besar


def test_a_pejabat_negara_is_not_asked_for_an_skp(org, client_as):
    html = _home(client_as(org.gubernur.user))
    assert 'id="tugas-skp"' not in html


def test_admin_progress_shows_the_units_most_behind_with_their_parent(org, client_as, monkeypatch):
    # A province's instansi has hundreds of units: the home shows the first few most behind,
    # each with its parent (units share names), and links to the full list.
    from evaluasi import beranda

    monkeypatch.setattr(beranda, "BARIS_BERANDA", 1)
    panel = _home(client_as(org.admin_a)).split('id="kemajuan-siklus"')[1]
    n_unit = UnitKerja.objects.filter(instansi=org.instansi_a).count()
    assert panel.split("</table>")[0].count("<tr>") == 1 + 1  # the header and one unit
    assert f"{n_unit - 1} unit lainnya lebih maju" in panel and "cakupan=unit" in panel
    anak = UnitKerja.objects.filter(instansi=org.instansi_a, induk__isnull=False).first()
    monkeypatch.setattr(beranda, "BARIS_BERANDA", n_unit)
    panel = _home(client_as(org.admin_a)).split('id="kemajuan-siklus"')[1]
    assert f'{anak.nama}</a> <small class="muted">· {anak.induk.nama}</small>' in panel
    assert "unit lainnya" not in panel
