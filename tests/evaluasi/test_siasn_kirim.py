"""The SIASN push against a stand-in SIASN server (a real HTTP server on loopback, started by
the tests: tests/evaluasi/siasn_standin.py). It checks every field of every record it receives
against values written out here by hand from the persona organisation, and can be told to refuse,
time out and fail. The outbox job is run in-process (`jobs.run`), as a worker would run it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone

from evaluasi import services as ev_services
from evaluasi.siasn import services
from evaluasi.siasn.models import IdentitasSiasn, Kiriman, RekamanSiasn
from kinerja import jobs
from kinerja.models import Job
from tests.evaluasi.conftest import final, ko
from tests.evaluasi.siasn_standin import StandinSiasn, pns_id

# The instansi's own codes, deliberately unlike the shipped defaults: a record built from the
# defaults instead of the table would fail the stand-in's field check.
KODE = {
    ("perilaku_kinerja", "diatas_ekspektasi"): "11",
    ("perilaku_kinerja", "sesuai_ekspektasi"): "12",
    ("perilaku_kinerja", "dibawah_ekspektasi"): "13",
    ("kuadran", "sangat_baik"): "21",
    ("kuadran", "baik"): "22",
    ("kuadran", "butuh_perbaikan"): "23",
    ("kuadran", "kurang"): "24",
    ("kuadran", "sangat_kurang"): "25",
    ("golongan", "III/d"): "34",
    ("golongan", "IV/a"): "41",
    ("periodik", "triwulanan"): "PRD-3",
    ("koefisien", "non_jf"): "KF-0",
    ("koefisien", "ahli_muda"): "KF-AM",
}


@pytest.fixture
def siasn(settings):
    with StandinSiasn() as s:
        for k, v in s.settings().items():
            setattr(settings, k, v)
        settings.KINERJA_JOB_JEDA = 1.0
        settings.KINERJA_JOB_MAKS_PERCOBAAN = 3
        cache.clear()
        yield s
    cache.clear()


@pytest.fixture
def kode(org):
    for (jenis, k), v in KODE.items():
        services.referensi_siasn_simpan(
            user=org.admin_a, instansi=org.instansi_a, jenis=jenis, kode=k, nilai=v
        )


def _skp22(org, hasil="12", perilaku="12", kuadran="22"):
    """What the stand-in must receive for the pegawai's annual record, written out by hand."""
    return {
        "pnsDinilaiOrang": pns_id(org.pegawai.nip),
        "tahun": org.periode_a.tahun,
        "hasilKinerjaNilai": int(hasil),
        "perilakuKerjaNilai": int(perilaku),
        "kuadranKinerjaNilai": int(kuadran),
        "penilaiNipNrp": org.kasubbid.nip,
        "penilaiNama": "Fransiska Nenobais",
        "penilaiGolongan": "34",
        "penilaiJabatan": "Kepala Subbidang Evaluasi Kinerja",
        "penilaiUnorNama": "Bidang Penilaian Kinerja",
        "statusPenilai": "ASN",
    }


def _periodik(org, hasil="12", perilaku="12", kuadran="22", urutan=1):
    tahun = org.periode_a.tahun
    return {
        "pnsDinilaiId": pns_id(org.pegawai.nip),
        "tahun": tahun,
        "hasilKinerjaNilai": int(hasil),
        "perilakuKerjaNilai": int(perilaku),
        "kuadranKinerjaNilai": int(kuadran),
        "penilaiNipNrp": org.kasubbid.nip,
        "penilaiNama": "Fransiska Nenobais",
        "penilaiGolongan": "34",
        "penilaiJabatanNama": "Kepala Subbidang Evaluasi Kinerja",
        "penilaiUnorNama": "Bidang Penilaian Kinerja",
        "statusPenilai": "ASN",
        "periodikId": "PRD-3",
        "koefisienId": "KF-0",  # a pelaksana: no jenjang fungsional
        "bulanMulaiPenilaian": 3 * urutan - 2,
        "bulanSelesaiPenilaian": 3 * urutan,
        "tahunMulaiPenilaian": tahun,
        "tahunSelesaiPenilaian": tahun,
    }


def _jobs(ev=None):
    qs = Job.objects.filter(task="siasn.kirim").order_by("pk")
    return [j for j in qs if ev is None or j.kwargs["evaluasi_id"] == ev.pk]


def _run_all(ev=None):
    out = []
    for j in _jobs(ev):
        if j.status == Job.Status.PENDING:
            out.append(jobs.run(j.pk).status)
    return out


def test_final_annual_evaluation_is_pushed_with_every_field_as_siasn_takes_it(org, siasn, kode):
    siasn.harap("skp22", org.pegawai.nip, _skp22(org))
    ev = final(org)
    [job] = _jobs(ev)
    assert jobs.run(job.pk).status == "sukses"
    assert siasn.pelanggaran == []
    [save] = siasn.saves("skp22")
    assert "id" not in save["body"]  # a first send adds a record
    [k] = Kiriman.objects.filter(evaluasi=ev)
    assert (k.status, k.kode_status, k.percobaan, k.alasan) == ("terkirim", 200, 1, "final")
    assert k.id_siasn and k.id_siasn in siasn.simpanan
    assert "berhasil" in k.jawaban
    assert k.isi["hasilKinerjaNilai"] == 12
    rek = RekamanSiasn.objects.get(evaluasi=ev, jenis="skp22")
    assert rek.id_siasn == k.id_siasn and rek.sidik_terkirim == k.sidik
    # SIASN's id of the pegawai was asked once and kept for the records.
    assert IdentitasSiasn.objects.get(pegawai=org.pegawai).pns_id == pns_id(org.pegawai.nip)


def test_final_periodic_evaluation_is_pushed_as_a_kinerja_periodik_record(org, siasn, kode):
    siasn.harap("kinerjaperiodik", org.pegawai.nip, _periodik(org, urutan=1))
    ev = final(org, jenis="periodik", urutan=1)
    [job] = _jobs(ev)
    assert jobs.run(job.pk).status == "sukses"
    assert siasn.pelanggaran == []
    assert len(siasn.saves("kinerjaperiodik")) == 1
    assert Kiriman.objects.get(evaluasi=ev).status == "terkirim"


def test_a_jabatan_fungsional_sends_the_koefisien_of_its_jenjang(org, siasn, kode):
    """The fungsional (Analis SDM Aparatur Ahli Muda) is rated by kabid (IV/a)."""
    f = org.fungsional
    siasn.harap(
        "kinerjaperiodik",
        f.nip,
        {
            "pnsDinilaiId": pns_id(f.nip),
            "koefisienId": "KF-AM",
            "penilaiNipNrp": org.kabid.nip,
            "penilaiNama": "Yohanes Bria",
            "penilaiGolongan": "41",
            "penilaiJabatanNama": "Kepala Bidang Penilaian Kinerja",
            "kuadranKinerjaNilai": 21,
            "hasilKinerjaNilai": 11,
            "perilakuKerjaNilai": 11,
        },
    )
    ev = final(
        org,
        who="fungsional",
        hasil="diatas_ekspektasi",
        perilaku="diatas_ekspektasi",
        jenis="periodik",
        urutan=1,
    )
    _run_all(ev)
    assert siasn.pelanggaran == []
    assert Kiriman.objects.get(evaluasi=ev).status == "terkirim"


@pytest.mark.parametrize("mode, kode_status", [("tolak", 400), ("tolak200", 200)])
def test_a_refusal_is_logged_with_siasns_answer_and_not_retried(
    org, siasn, kode, mode, kode_status
):
    siasn.mode = mode
    siasn.harap("skp22", org.pegawai.nip, _skp22(org))
    ev = final(org)
    [job] = _jobs(ev)
    assert jobs.run(job.pk).status == "sukses"  # the job is done: a refusal is an answer
    [k] = Kiriman.objects.filter(evaluasi=ev)
    assert (k.status, k.kode_status, k.percobaan) == ("ditolak", kode_status, 1)
    assert "NIP penilai tidak terdaftar" in k.jawaban
    # Not retried: running the job again does nothing, and nothing else was sent.
    assert jobs.run(job.pk).status == "selesai"
    assert len(siasn.saves()) == 1
    assert not RekamanSiasn.objects.get(evaluasi=ev).sidik_terkirim


def test_a_timeout_is_retried_with_growing_backoff_until_siasn_answers(org, siasn, kode):
    siasn.jadwal = ["lambat", "lambat"]  # then "terima"
    siasn.harap("skp22", org.pegawai.nip, _skp22(org))
    ev = final(org)
    [job] = _jobs(ev)
    waits = []
    for attempt in (1, 2):
        before = timezone.now()
        hasil = jobs.run(job.pk)
        assert hasil.status == "ulang"
        job.refresh_from_db()
        assert job.status == Job.Status.PENDING and job.jadwal > before
        waits.append(hasil.tunggu)
        k = Kiriman.objects.filter(evaluasi=ev).order_by("-pk").first()
        assert (k.status, k.percobaan, k.kode_status) == ("gagal", attempt, None)
        assert "tidak menjawab dalam 0.5 detik" in k.jawaban
    assert 1.0 <= waits[0] < 1.5 and 2.0 <= waits[1] < 2.5  # doubling from KINERJA_JOB_JEDA
    assert jobs.run(job.pk).status == "sukses"
    assert list(
        Kiriman.objects.filter(evaluasi=ev).order_by("pk").values_list("status", "percobaan")
    ) == [
        ("gagal", 1),
        ("gagal", 2),
        ("terkirim", 3),
    ]
    assert siasn.pelanggaran == []


def test_a_failing_siasn_is_tried_a_bounded_number_of_times_then_given_up(org, siasn, kode):
    siasn.mode = "gagal"
    siasn.harap("skp22", org.pegawai.nip, _skp22(org))
    ev = final(org)
    [job] = _jobs(ev)
    assert [jobs.run(job.pk).status for _ in range(3)] == ["ulang", "ulang", "gagal"]
    job.refresh_from_db()
    assert job.status == Job.Status.GAGAL
    assert jobs.run(job.pk).status == "selesai"
    assert len(siasn.saves()) == 3
    assert set(Kiriman.objects.filter(evaluasi=ev).values_list("status", "kode_status")) == {
        ("gagal", 500)
    }


def test_a_keberatan_decision_that_changes_the_result_is_sent_again_as_an_update(org, siasn, kode):
    siasn.harap("kinerjaperiodik", org.pegawai.nip, _periodik(org))
    ev = final(org, jenis="periodik", urutan=1)
    _run_all(ev)
    first = Kiriman.objects.get(evaluasi=ev, status="terkirim")
    k = ev_services.keberatan_ajukan(
        user=org.pegawai.user, evaluasi=ev, alasan="Capaian di atas target tidak dihitung."
    )
    assert _run_all(ev) == ["sukses"]  # filing changed the document, not the result: nothing sent
    assert len(siasn.saves()) == 1
    siasn.harap("kinerjaperiodik", org.pegawai.nip, _periodik(org, hasil="11", kuadran="22"))
    ev_services.keberatan_putuskan(
        user=org.kabid.user,
        keberatan=k,
        keputusan="diubah",
        alasan_keputusan="Bukti capaian mendukung.",
        rating_hasil_kerja="diatas_ekspektasi",
        rating_perilaku_kerja="sesuai_ekspektasi",
    )
    assert _run_all(ev) == ["sukses"]
    assert siasn.pelanggaran == []
    saves = siasn.saves("kinerjaperiodik")
    assert len(saves) == 2
    assert saves[1]["body"]["id"] == first.id_siasn  # an update of the same SIASN record
    assert len(siasn.simpanan) == 1
    assert siasn.simpanan[first.id_siasn]["hasilKinerjaNilai"] == 11
    second = Kiriman.objects.filter(evaluasi=ev).order_by("-pk").first()
    assert (second.status, second.alasan) == ("terkirim", "keberatan")


def test_the_same_content_is_never_sent_twice(org, siasn, kode, settings):
    siasn.harap("skp22", org.pegawai.nip, _skp22(org))
    ev = final(org)
    [job] = _jobs(ev)
    assert jobs.run(job.pk).status == "sukses"
    assert jobs.run(job.pk).status == "selesai"  # a redelivered message
    # A later save with the same content (e.g. a document re-rendered) gets its own job ...
    ev.row_version += 1
    ev.save(update_fields=["row_version"])
    assert _run_all(ev) == ["sukses"]
    # ... and asking for every unsent record of the year sends nothing new.
    services.siasn_kirim_tahun(user=org.admin_a, instansi=org.instansi_a, tahun=ev.periode.tahun)
    _run_all(ev)
    assert len(siasn.saves()) == 1
    assert Kiriman.objects.filter(evaluasi=ev).count() == 1


def test_kirim_ulang_sends_again_now_as_an_update(org, siasn, kode):
    siasn.mode = "tolak"
    siasn.harap("skp22", org.pegawai.nip, _skp22(org))
    ev = final(org)
    _run_all(ev)
    refused = Kiriman.objects.get(evaluasi=ev)
    siasn.mode = "terima"
    job = services.siasn_kirim_ulang(user=org.admin_a, kiriman=refused)
    assert job.kwargs["paksa"] is True
    assert jobs.run(job.pk).status == "sukses"
    again = Kiriman.objects.filter(evaluasi=ev).order_by("-pk").first()
    assert (again.status, again.alasan, again.diminta_oleh_id) == (
        "terkirim",
        "ulang",
        org.admin_a.pk,
    )
    # Asked again after success: sent again (SIASN lost it?) as an update of its record.
    job2 = services.siasn_kirim_ulang(user=org.admin_a, kiriman=again)
    assert job2.pk != job.pk
    jobs.run(job2.pk)
    assert siasn.saves()[-1]["body"]["id"] == again.id_siasn
    assert siasn.pelanggaran == []


def test_a_record_with_a_missing_code_is_held_and_not_sent(org, siasn, kode):
    services.referensi_siasn_simpan(
        user=org.admin_a, instansi=org.instansi_a, jenis="koefisien", kode="non_jf", nilai=""
    )
    siasn.harap("kinerjaperiodik", org.pegawai.nip, _periodik(org))
    ev = final(org, jenis="periodik", urutan=1)
    [job] = _jobs(ev)
    assert jobs.run(job.pk).status == "sukses"
    [k] = Kiriman.objects.filter(evaluasi=ev)
    assert k.status == "ditahan" and "koefisienId" in k.jawaban
    assert siasn.saves() == []


def test_a_pegawai_siasn_does_not_know_is_held(org, siasn, kode):
    ev = final(org)  # no siasn.harap: the stand-in does not know her NIP
    _run_all(ev)
    [k] = Kiriman.objects.filter(evaluasi=ev)
    assert (k.status, k.kode_status) == ("ditahan", 404)
    assert f"NIP {org.pegawai.nip} tidak ditemukan" in k.jawaban
    assert siasn.saves() == []


def test_wrong_credentials_are_a_refusal_not_an_endless_retry(org, siasn, kode, settings):
    settings.KINERJA_SIASN_CLIENT_SECRET = "salah"
    siasn.harap("skp22", org.pegawai.nip, _skp22(org))
    ev = final(org)
    [job] = _jobs(ev)
    assert jobs.run(job.pk).status == "sukses"
    [k] = Kiriman.objects.filter(evaluasi=ev)
    assert (k.status, k.kode_status) == ("ditolak", 401)
    assert "Token SIASN ditolak" in k.jawaban or "invalid_client" in k.jawaban


def test_tokens_are_asked_once_and_reused(org, siasn, kode):
    siasn.harap("skp22", org.pegawai.nip, _skp22(org))
    siasn.harap("kinerjaperiodik", org.pegawai.nip, _periodik(org))
    final(org)
    final(org, jenis="periodik", urutan=1)
    _run_all()
    assert siasn.pelanggaran == [] and len(siasn.saves()) == 2
    assert siasn.jumlah_token == 2  # one API-manager token, one SSO token


def test_push_off_records_no_job(org, kode, settings):
    settings.KINERJA_SIASN_URL = ""
    ev = final(org)
    assert _jobs(ev) == []


def test_a_reopened_evaluation_is_not_sent(org, siasn, kode):
    siasn.harap("skp22", org.pegawai.nip, _skp22(org))
    ev = final(org)
    ev_services.evaluasi_buka_kembali(user=org.admin_a, evaluasi=ev, alasan="Salah input")
    assert _run_all(ev) == ["sukses"]
    assert siasn.saves() == [] and not Kiriman.objects.filter(evaluasi=ev).exists()


def test_a_penilai_who_moved_on_is_named_with_the_position_held_then(org, siasn, kode):
    """The record names the penilai's position on the evaluation's dates, not today's."""
    from kinerja.models import Jabatan, RiwayatJabatan

    tahun = org.periode_a.tahun
    lama = org.kasubbid.jabatan
    baru = Jabatan.objects.create(
        unit_kerja=org.unit_dinas, nama="Kepala Seksi Aplikasi", jenis="pengawas"
    )
    RiwayatJabatan.objects.create(
        pegawai=org.kasubbid,
        jabatan=lama,
        unit_kerja=lama.unit_kerja,
        mulai=dt.date(tahun - 1, 1, 1),
        selesai=dt.date(tahun, 6, 30),
    )
    RiwayatJabatan.objects.create(
        pegawai=org.kasubbid, jabatan=baru, unit_kerja=org.unit_dinas, mulai=dt.date(tahun, 7, 1)
    )
    org.kasubbid.jabatan = baru
    org.kasubbid.unit_kerja = org.unit_dinas
    org.kasubbid.save(update_fields=["jabatan", "unit_kerja"])
    ev = final(org, jenis="periodik", urutan=1)  # January - March: she was still kasubbid
    siasn.harap("kinerjaperiodik", org.pegawai.nip, _periodik(org))
    _run_all(ev)
    assert siasn.pelanggaran == []
    assert siasn.saves()[0]["body"]["penilaiJabatanNama"] == "Kepala Subbidang Evaluasi Kinerja"


def test_a_jpt_rated_by_the_kepala_daerah_names_a_non_asn_penilai(org, siasn, kode):
    """The Sekda (JPT Madya, IV/d) is rated by the Gubernur, who has no NIP and no golongan."""
    s = org.sekda
    siasn.harap(
        "skp22",
        s.nip,
        {
            "pnsDinilaiOrang": pns_id(s.nip),
            "penilaiNama": "Viktor Laiskodat",
            "penilaiNipNrp": "",
            "penilaiGolongan": "",
            "penilaiJabatan": "Gubernur",
            "penilaiUnorNama": "Pemerintah Provinsi NTT",
            "statusPenilai": "NON ASN",
            "kuadranKinerjaNilai": 22,
        },
    )
    ko(org, s.unit_kerja, "baik")  # she heads the Sekretariat: its result is her hasil kerja
    ev = final(org, who="sekda")
    _run_all(ev)
    assert siasn.pelanggaran == []
    assert Kiriman.objects.get(evaluasi=ev).status == "terkirim"
