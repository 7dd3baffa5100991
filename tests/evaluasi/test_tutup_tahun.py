"""Year-end close on PostgreSQL, the job handler run directly (the real-worker variant runs the
same handler in a Celery worker)."""

from __future__ import annotations

import io
import zipfile
from unittest import mock

import pytest
from django.test import TestCase
from openpyxl import load_workbook
from pypdf import PdfReader

from evaluasi import services
from evaluasi.models import ArsipUnit, Evaluasi, PenutupanTahun
from evaluasi.services import tutup_tahun
from kinerja import jobs
from kinerja.models import Dokumen, Job
from tests.evaluasi.conftest import final, ko

A, S, B = "diatas_ekspektasi", "sesuai_ekspektasi", "dibawah_ekspektasi"


@pytest.fixture(autouse=True)
def _satu_unit_per_job(settings):
    # These tests follow one unit's job; grouping small units has its own tests (at the end).
    settings.KINERJA_TUTUP_DOKUMEN_PER_JOB = 1


@pytest.fixture
def tahun_siap(org):
    ko(org, org.unit_bidang, "baik")
    ko(org, org.unit_dinas, "istimewa")
    final(org, "pegawai", A, A)
    final(org, "rekan", B, S)
    final(org, "staf_dinas", S, B)
    final(org, "kadis", S, A)  # unit head: rating hasil from the dinas's kinerja organisasi
    return org


def _run(org):
    """One close run as the worker runs it: the close job, then (after its commit) the unit jobs
    it enqueued, in-process; the last unit job writes the recap and completes the close job."""
    job = Job.objects.create(task="evaluasi.tutup_tahun", kwargs={"periode_id": org.periode_a.pk})
    progress = []
    real = jobs.progress_id

    def spy(job_id, done, total, pesan=""):
        if job_id == job.pk:
            progress.append((done, total))
        real(job_id, done, total, pesan)

    with (
        mock.patch.object(jobs, "progress_id", spy),
        mock.patch.object(tutup_tahun, "TUTUP_PROGRES_SETIAP", 0),
        TestCase.captureOnCommitCallbacks(execute=True),
    ):
        assert jobs.run(job.pk).status == "menunggu"
        assert Job.objects.get(pk=job.pk).status == "pending"  # waits for its unit jobs
    job.refresh_from_db()
    return job.hasil, progress, job


def test_close_locks_renders_zips_and_recaps(tahun_siap, settings):
    org = tahun_siap
    # progress after each document (a shared pass reports once per pass: test_pdf_massal.py)
    settings.KINERJA_PDF_PER_PASS = 1
    # someone with a draft only: listed in the recap, no document
    Evaluasi.objects.create(pegawai=org.fungsional, periode=org.periode_a, jenis="tahunan")
    PenutupanTahun.objects.create(periode=org.periode_a, dimulai_oleh=org.admin_a)
    hasil, progress, job = _run(org)
    assert hasil["dokumen"] == 4
    # the year's history says who closed it, and why
    h = org.periode_a.history.latest()
    assert (h.status, h.history_user, h.history_change_reason) == (
        "ditutup",
        org.admin_a,
        "tutup tahun",
    )
    # overall progress on the close job: documents and units done of 4 + 2 (+ the recap)
    assert [d for d, _ in progress] == sorted(d for d, _ in progress) and len(progress) >= 4
    assert progress[-1] == (6, 7) and {t for _, t in progress} == {7}
    assert job.status == "sukses" and job.progres == 100 and job.progres_total == 7
    # one job per unit, keyed by close run and unit, each done once
    units = Job.objects.filter(task="evaluasi.tutup_unit")
    assert sorted(units.values_list("kunci", flat=True)) == sorted(
        f"evaluasi-tutup:{org.periode_a.pk}:{job.pk}:{u.pk}"
        for u in (org.unit_bidang, org.unit_dinas)
    )
    assert set(units.values_list("status", "percobaan")) == {("sukses", 1)}
    org.periode_a.refresh_from_db()
    assert org.periode_a.status == "ditutup"
    # every PDF exists and parses
    evs = Evaluasi.objects.filter(periode=org.periode_a, jenis="tahunan", status="final")
    assert evs.count() == 4
    for ev in evs.select_related("dokumen", "pegawai"):
        assert ev.dokumen_id and ev.dokumen_row_version == ev.row_version
        with ev.dokumen.berkas.open("rb") as fh:
            text = "".join(p.extract_text() for p in PdfReader(fh).pages)
        assert "DOKUMEN EVALUASI KINERJA PEGAWAI" in text
        assert ev.pegawai.nama in text and "TRIWULAN IV-AKHIR" in text
        assert "ATASAN PEJABAT PENILAI KINERJA" in text and "POLA DISTRIBUSI" in text
    kadis = evs.get(pegawai=org.kadis)
    assert kadis.rating_hasil_kerja == A and kadis.predikat == "sangat_baik"
    # zips per unit open and hold that unit's PDFs
    pen = PenutupanTahun.objects.get(periode=org.periode_a)
    arsip = {a.unit_kerja_id: a for a in ArsipUnit.objects.filter(penutupan=pen)}
    assert set(arsip) == {org.unit_bidang.pk, org.unit_dinas.pk}
    with arsip[org.unit_bidang.pk].dokumen.berkas.open("rb") as fh:
        names = zipfile.ZipFile(io.BytesIO(fh.read())).namelist()
    assert len(names) == 2 and all(n.endswith(".pdf") for n in names)
    # the recap opens: per unit counts vs guidance, per pegawai ratings and predikat
    with pen.rekap.berkas.open("rb") as fh:
        wb = load_workbook(io.BytesIO(fh.read()))
    unit_rows = {r[0]: r for r in wb["Per unit"].iter_rows(min_row=2, values_only=True)}
    bidang = unit_rows["Bidang Penilaian Kinerja"]
    assert bidang[1] == "Baik" and bidang[2:7] == (1, 0, 1, 0, 0)
    peg_rows = {r[1]: r for r in wb["Per pegawai"].iter_rows(min_row=2, values_only=True)}
    assert peg_rows[org.pegawai.nama][6] == "Sangat Baik"
    assert peg_rows[org.fungsional.nama][8] == "draft"
    assert peg_rows[org.pegawai.nama][0] == org.pegawai.nip  # NIP kept as text
    assert pen.status == "selesai" and pen.ringkasan["dokumen"] == 4
    # a closed year is read-only
    ev = evs.get(pegawai=org.pegawai)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.evaluasi_buka_kembali(user=org.admin_a, evaluasi=ev, alasan="x")


def test_running_twice_changes_nothing(tahun_siap):
    org = tahun_siap
    _run(org)
    before = sorted(Dokumen.objects.values_list("pk", "sha256", "digantikan"))
    pen = PenutupanTahun.objects.get(periode=org.periode_a)
    state = (
        pen.rekap_id,
        pen.selesai,
        sorted(ArsipUnit.objects.values_list("pk", "dokumen_id", "sidik")),
    )
    hasil, _, job = _run(org)
    assert sorted(Dokumen.objects.values_list("pk", "sha256", "digantikan")) == before
    pen.refresh_from_db()
    assert (
        pen.rekap_id,
        pen.selesai,
        sorted(ArsipUnit.objects.values_list("pk", "dokumen_id", "sidik")),
    ) == state
    assert hasil["dokumen"] == 4


def test_recap_neutralises_formula_like_cells():
    from evaluasi.rekap import xlsx_bytes

    data = {
        "per_unit": [
            {
                "unit": "=cmd|' /C calc'!A0",
                "ko": "Baik",
                "counts": [0] * 5,
                "jumlah": 0,
                "pedoman": "",
                "di_luar": "",
            }
        ],
        "per_pegawai": [
            (
                "1",  # nip, nama, jabatan, unit, hasil, perilaku, predikat, kode, status
                "+SUM(A1)",
                "\n=1+1",  # the old recap guard let a leading newline through
                "\uff1dHYPERLINK(1)",  # full-width equals: passed every old guard
                "",
                "",
                "",
                "",
                "",
            )
        ],
    }
    wb = load_workbook(io.BytesIO(xlsx_bytes(data)))
    assert wb["Per unit"]["A2"].value.startswith("'=")
    assert wb["Per pegawai"]["B2"].value.startswith("'+")
    assert wb["Per pegawai"]["C2"].value == "'\n=1+1"
    assert wb["Per pegawai"]["D2"].value == "'\uff1dHYPERLINK(1)"


def test_start_close_is_admin_only_and_enqueued_once(org, django_capture_on_commit_callbacks):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.penutupan_mulai(user=org.kasubbid.user, periode=org.periode_a)
    with pytest.raises(PermissionDenied):
        services.penutupan_mulai(user=org.admin_b, periode=org.periode_a)
    with django_capture_on_commit_callbacks(execute=False):
        p1 = services.penutupan_mulai(user=org.admin_a, periode=org.periode_a)
        p2 = services.penutupan_mulai(user=org.admin_a, periode=org.periode_a)
    assert p1.pk == p2.pk and p1.job_id == p2.job_id
    assert Job.objects.filter(task="evaluasi.tutup_tahun").count() == 1
    # once that run is done, "run again" is a new job (which then changes nothing current)
    Job.objects.filter(pk=p1.job_id).update(status="sukses")
    with django_capture_on_commit_callbacks(execute=False):
        p3 = services.penutupan_mulai(user=org.admin_a, periode=org.periode_a)
    assert p3.job_id != p1.job_id
    assert Job.objects.filter(task="evaluasi.tutup_tahun").count() == 2


def test_close_page_shows_completeness_and_progress(
    org, client_as, django_capture_on_commit_callbacks
):
    c = client_as(org.admin_a)
    html = c.get("/evaluasi/tutup-tahun/").content.decode()
    assert "Belum memiliki SKP disetujui" in html and org.pegawai.nama in html
    assert "Unit tanpa kinerja organisasi" in html
    with django_capture_on_commit_callbacks(execute=False):
        r = c.post("/evaluasi/tutup-tahun/", {"tahun": org.periode_a.tahun})
    assert r.status_code == 302 and not PenutupanTahun.objects.exists()  # no confirmation
    with django_capture_on_commit_callbacks(execute=False):
        r = c.post("/evaluasi/tutup-tahun/", {"tahun": org.periode_a.tahun, "konfirmasi": "ya"})
    assert r.status_code == 302 and PenutupanTahun.objects.exists()
    html = c.get("/evaluasi/tutup-tahun/").content.decode()
    assert "<progress" in html and "/latar/" in html


def test_rerun_after_a_changed_result_reissues_only_what_changed(tahun_siap):
    org = tahun_siap
    _run(org)
    pen = PenutupanTahun.objects.get(periode=org.periode_a)
    rekap_lama = pen.rekap_id
    arsip_lama = dict(ArsipUnit.objects.values_list("unit_kerja_id", "dokumen_id"))
    docs_lama = dict(
        Evaluasi.objects.filter(jenis="tahunan").values_list("pegawai_id", "dokumen_id")
    )
    ev = Evaluasi.objects.get(pegawai=org.rekan, jenis="tahunan")
    services.evaluasi_ganti_hasil(
        evaluasi=ev,
        rating_hasil_kerja=S,
        rating_perilaku_kerja=S,
        alasan="Keberatan diterima",
        oleh=org.kabid.user,
    )
    _run(org)
    docs_baru = dict(
        Evaluasi.objects.filter(jenis="tahunan").values_list("pegawai_id", "dokumen_id")
    )
    assert docs_baru[org.rekan.pk] != docs_lama[org.rekan.pk]
    assert {k: v for k, v in docs_baru.items() if k != org.rekan.pk} == {
        k: v for k, v in docs_lama.items() if k != org.rekan.pk
    }
    assert Dokumen.objects.get(pk=docs_lama[org.rekan.pk]).digantikan
    arsip_baru = dict(ArsipUnit.objects.values_list("unit_kerja_id", "dokumen_id"))
    assert arsip_baru[org.unit_bidang.pk] != arsip_lama[org.unit_bidang.pk]
    assert arsip_baru[org.unit_dinas.pk] == arsip_lama[org.unit_dinas.pk]
    pen.refresh_from_db()
    assert pen.rekap_id != rekap_lama


def test_data_phase_queries_do_not_grow_with_units(db, django_capture_on_commit_callbacks):
    """The close job (lock, units, fan-out), sending its unit jobs, and the final recap cost the
    same number of queries for 3 units as for 12 (rendering is the unit jobs' business)."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection
    from django.db.models import F
    from django.test.utils import CaptureQueriesContext

    from kinerja.tasks import jalankan_job
    from tests.evaluasi.test_tutup_worker import instansi_kecil

    ContentType.objects.get_for_model(PenutupanTahun)  # the per-process cache, warm for both
    counts = {}
    for n in (3, 12):
        data = instansi_kecil(n, 2, f"QC{n}")
        job = Job.objects.create(
            task="evaluasi.tutup_tahun",
            kwargs={"periode_id": data.periode.pk},
            instansi=data.instansi,
        )
        with (
            CaptureQueriesContext(connection) as fase,
            django_capture_on_commit_callbacks(execute=False) as callbacks,
        ):
            assert jobs.run(job.pk).status == "menunggu"
        units = Job.objects.filter(task="evaluasi.tutup_unit", kwargs__putaran=job.pk)
        assert units.count() == n and ArsipUnit.objects.filter(putaran=job.pk).count() == n
        # after commit the unit jobs are sent: one message each, one UPDATE for all
        with (
            mock.patch.object(jalankan_job, "apply_async") as kirim,
            CaptureQueriesContext(connection) as dikirim,
        ):
            for cb in callbacks:
                cb()
        assert kirim.call_count == n and not units.filter(dikirim__isnull=True).exists()
        # the last unit's final step: the recap, the close marked done, the close job completed
        ArsipUnit.objects.filter(putaran=job.pk).update(putaran_selesai=F("putaran"))
        pen = PenutupanTahun.objects.get(periode=data.periode)
        with CaptureQueriesContext(connection) as akhir:
            hasil = services._tutup_periksa(pen_id=pen.pk, putaran=job.pk, induk_id=job.pk)
        assert hasil["dokumen"] == 2 * n and Job.objects.get(pk=job.pk).status == "sukses"
        counts[n] = (len(fase), len(dikirim), len(akhir))
    assert counts[3] == counts[12], counts


@pytest.mark.django_db(transaction=True)
def test_without_redis_the_close_completes_in_process(tahun_siap, client_as):
    """The local default (no REDIS_URL, tasks eager): the admin's click runs the close job, its
    unit jobs and the recap in the request; the page then offers the downloads."""
    org = tahun_siap
    c = client_as(org.admin_a)
    r = c.post("/evaluasi/tutup-tahun/", {"tahun": org.periode_a.tahun, "konfirmasi": "ya"})
    assert r.status_code == 302
    pen = PenutupanTahun.objects.select_related("job").get(periode=org.periode_a)
    assert pen.status == "selesai" and pen.job.status == "sukses" and pen.job.progres == 100
    assert pen.ringkasan["dokumen"] == 4 and pen.rekap_id
    assert ArsipUnit.objects.filter(penutupan=pen, dokumen__isnull=False).count() == 2
    assert set(Job.objects.filter(task="evaluasi.tutup_unit").values_list("status", flat=True)) == {
        "sukses"
    }
    html = c.get(f"/evaluasi/tutup-tahun/?tahun={org.periode_a.tahun}").content.decode()
    assert "Rekap evaluasi" in html and "(zip)" in html


@pytest.mark.django_db(transaction=True)
def test_two_last_units_finishing_together_write_the_recap_once():
    """Two unit jobs on two workers finish at the same moment: both mark their unit done and ask
    whether the run is complete at once; the row lock lets exactly one write the recap."""
    import threading
    import time
    from types import SimpleNamespace

    from django.db import connection

    from evaluasi import rekap
    from tests.evaluasi.test_tutup_worker import instansi_kecil

    data = instansi_kecil(2, 1, "RC")
    job = Job.objects.create(
        task="evaluasi.tutup_tahun", kwargs={"periode_id": data.periode.pk}, instansi=data.instansi
    )
    with mock.patch.object(jobs, "send_many"):  # the unit jobs are run below, side by side
        assert jobs.run(job.pk).status == "menunggu"
    pen = PenutupanTahun.objects.get(periode=data.periode)
    ditulis, barrier = [], threading.Barrier(2)
    xlsx, periksa = rekap.xlsx_rekap, tutup_tahun._tutup_periksa

    def lambat(**kw):
        ditulis.append(1)
        time.sleep(0.3)
        return xlsx(**kw)

    def bersamaan(**kw):
        barrier.wait(timeout=10)  # both units are marked done before either asks
        return periksa(**kw)

    hasil, galat = {}, []

    def unit(u):
        try:
            hasil[u.pk] = services.tutup_unit_jalankan(
                periode_id=data.periode.pk, unit_id=u.pk, putaran=pen.putaran, induk_id=job.pk
            )
        except Exception as exc:  # pragma: no cover - reported below
            galat.append(exc)
        finally:
            connection.close()

    with (
        mock.patch.object(
            tutup_tahun,
            "evaluasi_dokumen_render",
            lambda *, evaluasi: SimpleNamespace(sha256="x"),
        ),
        mock.patch.object(rekap, "zip_unit", lambda **kw: None),
        mock.patch.object(rekap, "xlsx_rekap", lambat),
        mock.patch.object(tutup_tahun, "_tutup_periksa", bersamaan),
    ):
        threads = [threading.Thread(target=unit, args=(u,)) for u in data.units]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
    assert not galat and len(hasil) == 2
    assert len(ditulis) == 1  # the recap was written once
    assert all(h["rekap"] for h in hasil.values())  # and both saw the run complete
    pen.refresh_from_db()
    assert pen.status == "selesai" and pen.rekap_id
    assert Dokumen.objects.filter(jenis="rekap").count() == 1
    job.refresh_from_db()
    assert job.status == "sukses" and job.progres == 100


def test_a_resumed_close_job_keeps_finished_units_and_resends_only_failed_ones(
    tahun_siap, django_capture_on_commit_callbacks
):
    """The close job runs again (its wait ran out, or the sweep sent it): the same run goes on;
    a unit already done stays done, a unit job that failed for good is reset and sent again, a
    unit job still queued is not sent twice."""
    from kinerja.tasks import jalankan_job

    org = tahun_siap
    job = Job.objects.create(task="evaluasi.tutup_tahun", kwargs={"periode_id": org.periode_a.pk})

    def run_parent():
        with (
            mock.patch.object(jalankan_job, "apply_async") as kirim,
            django_capture_on_commit_callbacks(execute=True),  # sends, while mocked
        ):
            assert jobs.run(job.pk).status == "menunggu"
        return sorted(c.args[0][0] for c in kirim.call_args_list)

    first = run_parent()
    units = {j.kwargs["unit_ids"][0]: j for j in Job.objects.filter(task="evaluasi.tutup_unit")}
    assert sorted(j.pk for j in units.values()) == first and len(first) == 2
    bidang, dinas = units[org.unit_bidang.pk], units[org.unit_dinas.pk]
    assert Job.objects.get(pk=dinas.pk).dikirim is not None
    Job.objects.filter(pk=bidang.pk).update(status="gagal", percobaan=5, galat="rusak")
    ArsipUnit.objects.filter(unit_kerja=org.unit_dinas).update(putaran_selesai=job.pk)
    assert run_parent() == [bidang.pk]  # dinas's job was sent already and is still queued
    bidang.refresh_from_db()
    assert bidang.status == "pending" and bidang.percobaan == 0 and bidang.galat == ""
    pen = PenutupanTahun.objects.get(periode=org.periode_a)
    assert pen.putaran == job.pk and pen.status == "berjalan"
    assert ArsipUnit.objects.get(unit_kerja=org.unit_dinas).putaran_selesai == job.pk
    assert Job.objects.filter(task="evaluasi.tutup_unit").count() == 2


# --- small units share a close job ---------------------------------------------------------
@pytest.mark.parametrize(
    ("per_unit", "dokumen", "expected"),
    [
        ([], 100, []),
        ([(1, 250), (2, 100), (3, 60), (4, 30), (5, 10), (6, 1)], 100, [[1], [2], [3, 4, 5], [6]]),
        ([(7, 5), (8, 5), (9, 5)], 10, [[7, 8], [9]]),
        ([(7, 5), (8, 5), (9, 5)], 1, [[7], [8], [9]]),
    ],
)
def test_kelompok_unit(per_unit, dokumen, expected):
    groups = services.kelompok_unit(per_unit, dokumen)
    assert groups == expected
    assert sorted(u for g in groups for u in g) == sorted(u for u, _ in per_unit)


def test_small_units_share_one_job_and_the_close_still_covers_every_unit(tahun_siap, settings):
    org = tahun_siap
    settings.KINERJA_TUTUP_DOKUMEN_PER_JOB = 100
    hasil, _progress, job = _run(org)
    assert hasil["dokumen"] == 4 and job.status == "sukses"
    units = Job.objects.filter(task="evaluasi.tutup_unit")
    assert units.count() == 1
    (unit_job,) = units
    assert sorted(unit_job.kwargs["unit_ids"]) == sorted([org.unit_bidang.pk, org.unit_dinas.pk])
    assert (unit_job.status, unit_job.percobaan) == ("sukses", 1)
    pen = PenutupanTahun.objects.get(periode=org.periode_a)
    arsip = ArsipUnit.objects.filter(penutupan=pen)
    assert arsip.count() == 2 and all(a.dokumen_id and a.putaran_selesai for a in arsip)
    assert pen.status == "selesai" and pen.rekap_id


def test_a_unit_job_recorded_before_grouping_still_runs(tahun_siap, settings):
    """Jobs recorded by an older release carry `unit_id`; the handler takes both forms."""
    from evaluasi.tasks import tutup_unit

    org = tahun_siap
    job = Job.objects.create(task="evaluasi.tutup_tahun", kwargs={"periode_id": org.periode_a.pk})
    with mock.patch.object(jobs, "send_many"):
        assert jobs.run(job.pk).status == "menunggu"
    pen = PenutupanTahun.objects.get(periode=org.periode_a)
    for unit in (org.unit_bidang, org.unit_dinas):
        tutup_unit(
            job, periode_id=org.periode_a.pk, putaran=pen.putaran, induk_id=job.pk, unit_id=unit.pk
        )
    pen.refresh_from_db()
    assert pen.status == "selesai" and Job.objects.get(pk=job.pk).status == "sukses"


def _rekap_rujukan(periode) -> dict:
    """The recap as the ORM reads it, one row at a time: the reference the set-based
    `rekap.data_rekap` must equal (units and counts, pegawai rows and their labels)."""
    from collections import Counter

    from evaluasi import rules
    from evaluasi.models import KinerjaOrganisasi
    from kinerja.models import Pegawai, UnitKerja

    finals = Evaluasi.objects.filter(
        periode=periode, jenis="tahunan", status="final", pegawai__instansi=periode.instansi
    ).select_related("pegawai")
    counts: dict = {}
    for ev in finals:
        counts.setdefault(ev.pegawai.unit_kerja_id, Counter())[ev.predikat] += 1
    per_unit = []
    for unit in UnitKerja.objects.filter(instansi=periode.instansi).order_by("nama", "pk"):
        c = counts.get(unit.pk, Counter())
        ko = KinerjaOrganisasi.objects.filter(unit_kerja=unit, periode=periode, jenis="tahunan")
        org = ko.first().predikat if ko.exists() else None
        pel = rules.bandingkan(org, c) if org else []
        per_unit.append(
            {
                "unit": unit.nama,
                "ko": rules.PREDIKAT_ORG_LABEL[org] if org else "belum ditetapkan",
                "counts": [c.get(p, 0) for p in rules.PREDIKAT],
                "jumlah": sum(c.values()),
                "pedoman": rules.pedoman(org).uraian if org else "",
                "di_luar": "; ".join(p.pesan for p in pel),
                "diperingatkan": bool(rules.periksa_distribusi(org, c)) if org else False,
            }
        )
    pegawai = (
        Pegawai.objects.filter(instansi=periode.instansi)
        .exclude(status="berhenti")
        .exclude(jenis_asn="pejabat_negara")
        .select_related("unit_kerja", "jabatan")
    )
    rows = []
    for p in pegawai:
        ev = Evaluasi.objects.filter(pegawai=p, periode=periode, jenis="tahunan").first()
        rows.append(
            {
                "nip": p.nip or "",
                "nama": p.nama,
                "jabatan": p.jabatan.nama if p.jabatan else "",
                "unit": p.unit_kerja.nama if p.unit_kerja else "",
                "hasil": rules.RATING_LABEL.get(ev.rating_hasil_kerja or "", "") if ev else "",
                "perilaku": rules.RATING_LABEL.get(ev.rating_perilaku_kerja or "", "")
                if ev
                else "",
                "predikat": rules.PREDIKAT_LABEL.get(ev.predikat or "", "") if ev else "",
                "kode": (ev.predikat or "") if ev else "",
                "status": ev.status if ev else "belum dievaluasi",
                "_urut": (
                    p.unit_kerja is None,
                    p.unit_kerja.nama if p.unit_kerja else "",
                    p.nama,
                    p.pk,
                ),
            }
        )
    rows.sort(key=lambda r: r.pop("_urut"))
    return {
        "per_unit": per_unit,
        "per_pegawai": rows,
        "tanpa_evaluasi_final": sum(1 for r in rows if r["status"] != "final"),
        "tanpa_unit": sum(1 for ev in finals if ev.pegawai.unit_kerja_id is None),
    }


def test_recap_data_equals_the_row_by_row_reading_and_its_queries_do_not_grow(db):
    """The recap's two statements give what reading the tables one row at a time gives, for a
    pegawai without a unit, one who left (counted, not listed), a draft, no evaluation, a unit
    without kinerja organisasi; and cost the same queries for 3 units as for 12."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from evaluasi import rekap
    from evaluasi.models import KinerjaOrganisasi
    from kinerja.models import Pegawai
    from tests.evaluasi.test_tutup_worker import instansi_kecil
    from tests.factories import PegawaiFactory

    queries = {}
    for n in (3, 12):
        data = instansi_kecil(n, 3, f"RK{n}")
        if n == 3:
            unit0, periode = data.units[0], data.periode
            KinerjaOrganisasi.objects.filter(unit_kerja=data.units[2]).delete()
            tanpa = PegawaiFactory(instansi=data.instansi, unit_kerja=None, nama="Tanpa Unit")
            Evaluasi.objects.create(
                pegawai=tanpa,
                periode=periode,
                jenis="tahunan",
                status="final",
                rating_hasil_kerja=A,
                rating_perilaku_kerja=A,
                predikat="sangat_baik",
            )
            keluar = Pegawai.objects.filter(unit_kerja=unit0).order_by("pk").last()
            Pegawai.objects.filter(pk=keluar.pk).update(status="berhenti")
            Evaluasi.objects.filter(pegawai__unit_kerja=data.units[1]).update(status="draft")
            PegawaiFactory(instansi=data.instansi, unit_kerja=unit0, nama="Belum Dinilai")
            data_3 = data
        with CaptureQueriesContext(connection) as ctx:
            got = rekap.data_rekap(data.periode)
        queries[n] = len(ctx)
    assert queries[3] == queries[12] <= 3, queries
    got = rekap.data_rekap(data_3.periode)
    ref = _rekap_rujukan(data_3.periode)
    assert got["per_unit"] == ref["per_unit"]
    got["per_pegawai"] = [
        dict(zip(rekap.KOLOM_PEGAWAI, r, strict=True)) for r in got["per_pegawai"]
    ]
    assert got["per_pegawai"] == ref["per_pegawai"]
    assert got["ringkas"] == {
        "tanpa_evaluasi_final": ref["tanpa_evaluasi_final"],
        "tanpa_unit": ref["tanpa_unit"],
    }
    # the cases are there: the one who left is counted in its unit but not listed, ...
    assert got["per_unit"][0]["jumlah"] == 3 and len(ref["per_pegawai"]) == 3 * 3 + 1
    assert {r["status"] for r in got["per_pegawai"]} == {"final", "draft", "belum dievaluasi"}
    assert ref["tanpa_unit"] == 1 and got["per_unit"][2]["ko"] == "belum ditetapkan"
    assert got["per_pegawai"][-1]["nama"] == "Tanpa Unit" and got["per_pegawai"][-1]["unit"] == ""
    # ... and the fingerprint follows what the sheets show
    Evaluasi.objects.filter(pegawai__nama="Tanpa Unit").update(rating_perilaku_kerja=S)
    sidik = rekap.data_rekap(data_3.periode)["sidik"]
    assert sidik != got["sidik"]
    # ... and what the units' sheet shows: a unit's kinerja organisasi, a count
    KinerjaOrganisasi.objects.filter(unit_kerja=data_3.units[0]).update(predikat="kurang")
    assert rekap.data_rekap(data_3.periode)["sidik"] not in (sidik, got["sidik"])
    sidik = rekap.data_rekap(data_3.periode)["sidik"]
    Evaluasi.objects.filter(pegawai=keluar).update(predikat="kurang")  # counted, not listed
    assert rekap.data_rekap(data_3.periode)["sidik"] != sidik
