"""The year-end close with a real Celery worker on Redis (prefork, concurrency 2) and PostgreSQL:
the close job fans out one job per unit, the two worker processes take them, the last unit job
writes the recap and completes the close job the page polls.

`instansi_kecil` builds the small instansi (also used by the query-count test in
test_tutup_tahun.py). The worker imports this module too (KINERJA_JOB_MODULES): with
KINERJA_TEST_TUTUP_GAGAL set, rendering the evaluation of a pegawai whose NIP has a marker file in
that folder fails once (the marker is removed by the one process that fails), and each task starts
with an empty content type cache (the worker serves several tests; the database is flushed).
"""

from __future__ import annotations

import io
import os
import sys
import time
import zipfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

import pytest

from kinerja import jobs

GAGAL_ENV = "KINERJA_TEST_TUTUP_GAGAL"


# --- fault injection, active only in the worker started below ---------------------------------
def _pasang_gagal_sekali(folder: Path) -> None:
    # Patched where the close renders: the unit jobs' passes (evaluasi.dokumen, imported by the
    # bulk service when it runs) and the one-by-one path for pegawai without a unit.
    from evaluasi import dokumen
    from evaluasi.services import tutup_tahun as services

    def gagal_sekali(nip: str) -> None:
        try:
            (folder / nip).unlink()  # exactly one process wins this
        except FileNotFoundError:
            return
        raise RuntimeError(f"galat sementara saat merender dokumen {nip}")

    asli = services.evaluasi_dokumen_render

    def render(*, evaluasi):
        gagal_sekali(evaluasi.pegawai.nip)
        return asli(evaluasi=evaluasi)

    asli_massal = dokumen.evaluasi_pdf_render_massal

    def render_massal(evs, **kw):
        for ev in evs:
            gagal_sekali(ev.pegawai.nip)
        return asli_massal(evs, **kw)

    services.evaluasi_dokumen_render = render
    dokumen.evaluasi_pdf_render_massal = render_massal


def _lupakan_content_type(**_) -> None:
    """The database is flushed between tests and its content types come back with new ids: the
    worker's processes, which outlive a test, must not keep the old ones cached."""
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()


if os.environ.get(GAGAL_ENV):
    from celery.signals import task_prerun

    _pasang_gagal_sekali(Path(os.environ[GAGAL_ENV]))
    _lupakan_content_type()
    task_prerun.connect(_lupakan_content_type, weak=False)


# --- the small instansi -----------------------------------------------------------------------
A, S, B = "diatas_ekspektasi", "sesuai_ekspektasi", "dibawah_ekspektasi"
_RATINGS = [(A, A), (S, S), (B, S), (S, A), (A, S), (S, B)]


def instansi_kecil(n_unit: int, per_unit: int, kode: str) -> SimpleNamespace:
    """An instansi with `n_unit` units of `per_unit` pegawai each (a head who rates the others),
    kinerja organisasi set, and a final annual evaluation for everyone (written straight to the
    tables: the evaluation workflow is tested elsewhere)."""
    from django.utils import timezone

    from evaluasi import rules
    from evaluasi.models import Evaluasi, KinerjaOrganisasi
    from kinerja.models import User
    from tests.factories import InstansiFactory, PegawaiFactory, PeriodeFactory, UnitKerjaFactory

    inst = InstansiFactory(kode=kode, nama=f"Pemerintah Kabupaten {kode}")
    periode = PeriodeFactory(instansi=inst, tahun=2026)
    admin = User.objects.create_user(f"admin.{kode.lower()}", admin_instansi=inst)
    units, evs = [], []
    for u in range(n_unit):
        unit = UnitKerjaFactory(instansi=inst, nama=f"Bidang {u + 1:02d} {kode}")
        units.append(unit)
        KinerjaOrganisasi.objects.create(
            unit_kerja=unit, periode=periode, jenis="tahunan", predikat=rules.PREDIKAT_ORG[u % 3]
        )
        kepala = None
        for i in range(per_unit):
            p = PegawaiFactory(
                instansi=inst,
                unit_kerja=unit,
                nama=f"Pegawai {u + 1:02d}-{i + 1:02d} {kode}",
                pejabat_penilai=kepala,
            )
            kepala = kepala or p
            hasil, perilaku = _RATINGS[(u + i) % len(_RATINGS)]
            evs.append(
                Evaluasi(
                    pegawai=p,
                    periode=periode,
                    jenis="tahunan",
                    status="final",
                    pejabat_penilai=p.pejabat_penilai,
                    rating_hasil_kerja=hasil,
                    rating_perilaku_kerja=perilaku,
                    predikat=rules.predikat(hasil, perilaku),
                    finalisasi_pada=timezone.now(),
                )
            )
    Evaluasi.objects.bulk_create(evs)
    return SimpleNamespace(instansi=inst, periode=periode, admin=admin, units=units)


# --- the worker -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def folder_gagal(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("gagal")


DOKUMEN_PER_JOB = 10


@pytest.fixture(scope="module")
def pekerja_tutup(django_db_setup, tmp_path_factory, folder_gagal) -> Iterator[SimpleNamespace]:
    """One prefork worker with two processes for the module (starting one costs seconds)."""
    from tests.worker_fixtures import WORKER_ENV, Worker, redis_uji_or_skip

    redis = redis_uji_or_skip()
    tmp = tmp_path_factory.mktemp("pekerja-tutup")
    env = {
        "KINERJA_JOB_MODULES": f"{WORKER_ENV['KINERJA_JOB_MODULES']},{__name__}",
        GAGAL_ENV: str(folder_gagal),
        # Small units share a job (evaluasi.services.kelompok_unit): with 5-6 documents per unit,
        # two units per job here, so the worker runs grouped jobs.
        "KINERJA_TUTUP_DOKUMEN_PER_JOB": str(DOKUMEN_PER_JOB),
    }
    with mock.patch.dict(WORKER_ENV, env):
        w = Worker(redis, tmp, pool="prefork", concurrency=2)
    yield SimpleNamespace(worker=w, redis=redis, media=tmp / "media")
    w.stop()
    if os.environ.get("KINERJA_TEST_WORKER_LOG"):
        sys.stderr.write(w.output())


@pytest.fixture
def pekerja(pekerja_tutup, transactional_db, settings) -> Iterator[SimpleNamespace]:
    """The worker, this process's Celery sending to it, and its media folder as ours (so the
    test reads the files the worker wrote). The test's rows are committed (transactional_db)."""
    from tests.worker_fixtures import WORKER_ENV, celery_di

    settings.SITE_URL = WORKER_ENV["SITE_URL"]
    settings.MEDIA_ROOT = pekerja_tutup.media
    with celery_di(pekerja_tutup.redis):
        yield pekerja_tutup


def _tutup_dan_tunggu(data, pekerja, timeout: float = 60) -> tuple[object, list[int]]:
    """Start the close as the admin does and poll the close job like the page; returns the
    finished PenutupanTahun and the progress values seen."""
    from evaluasi import services
    from evaluasi.models import PenutupanTahun
    from kinerja.models import Job

    pen = services.penutupan_mulai(user=data.admin, periode=data.periode)
    seen: list[int] = []
    end = time.monotonic() + timeout
    while True:
        job = Job.objects.get(pk=pen.job_id)
        seen.append(job.progres)
        if job.status in ("sukses", "gagal"):
            break
        if time.monotonic() > end or pekerja.worker.proc.poll() is not None:
            raise AssertionError(
                f"penutupan belum selesai ({job.status}, {job.progres} %, {job.pesan})\n"
                + pekerja.worker.output()
            )
        time.sleep(0.05)
    assert job.status == "sukses", job.galat
    return PenutupanTahun.objects.select_related("rekap", "job").get(pk=pen.pk), seen


def _dokumen_per_evaluasi(data) -> Counter:
    from django.contrib.contenttypes.models import ContentType

    from evaluasi.models import Evaluasi
    from kinerja.models import Dokumen

    ct = ContentType.objects.get_for_model(Evaluasi)
    ids = Evaluasi.objects.filter(periode=data.periode).values_list("pk", flat=True)
    return Counter(
        Dokumen.objects.filter(content_type=ct, object_id__in=list(ids)).values_list(
            "object_id", flat=True
        )
    )


def _periksa_hasil(data, pen) -> None:
    """Every PDF exists once and parses, one zip per unit holding its PDFs, the recap opens."""
    from django.contrib.contenttypes.models import ContentType
    from openpyxl import load_workbook
    from pypdf import PdfReader

    from evaluasi.models import ArsipUnit, Evaluasi
    from kinerja.models import Dokumen, Job

    evs = list(Evaluasi.objects.filter(periode=data.periode).select_related("dokumen", "pegawai"))
    assert evs
    per_ev = _dokumen_per_evaluasi(data)
    assert set(per_ev.values()) == {1} and set(per_ev) == {e.pk for e in evs}
    for ev in evs:
        assert ev.dokumen_id and ev.dokumen_row_version == ev.row_version
        with ev.dokumen.berkas.open("rb") as fh:
            text = PdfReader(fh).pages[0].extract_text()
        assert "DOKUMEN EVALUASI KINERJA PEGAWAI" in text and ev.pegawai.nama in text
    arsip = list(ArsipUnit.objects.filter(penutupan=pen).select_related("dokumen"))
    assert {a.unit_kerja_id for a in arsip} == {u.pk for u in data.units}
    ct = ContentType.objects.get_for_model(ArsipUnit)
    for a in arsip:
        assert Dokumen.objects.filter(content_type=ct, object_id=a.pk).count() == 1
        with a.dokumen.berkas.open("rb") as fh:
            names = zipfile.ZipFile(io.BytesIO(fh.read())).namelist()
        mine = [e for e in evs if e.pegawai.unit_kerja_id == a.unit_kerja_id]
        assert len(names) == len(mine) == a.jumlah and a.putaran_selesai == pen.putaran
    with pen.rekap.berkas.open("rb") as fh:
        wb = load_workbook(io.BytesIO(fh.read()))
    assert len(list(wb["Per unit"].iter_rows(min_row=2))) == len(data.units)
    assert len(list(wb["Per pegawai"].iter_rows(min_row=2))) == len(evs)
    assert pen.status == "selesai" and pen.ringkasan["dokumen"] == len(evs)
    assert pen.job.progres == 100 and pen.job.hasil["dokumen"] == len(evs)
    unit_jobs = Job.objects.filter(task="evaluasi.tutup_unit", kwargs__putaran=pen.putaran)
    per_job = sorted(sorted(k["unit_ids"]) for k in unit_jobs.values_list("kwargs", flat=True))
    # every unit in exactly one job, two units per job (5-6 documents each, 10 per job)
    assert sorted(u for g in per_job for u in g) == sorted(u.pk for u in data.units)
    assert len(per_job) == (len(data.units) + 1) // 2 and all(len(g) <= 2 for g in per_job)
    assert set(unit_jobs.values_list("status", flat=True)) == {"sukses"}


@pytest.mark.worker
def test_close_on_two_worker_processes_issues_everything_once(pekerja):
    from kinerja.models import Dokumen, Periode

    data = instansi_kecil(4, 6, "TW1")
    pen, seen = _tutup_dan_tunggu(data, pekerja)
    assert Periode.objects.get(pk=data.periode.pk).status == "ditutup"
    _periksa_hasil(data, pen)
    # the page saw overall progress: never backwards, from below 100 up to 100
    assert seen == sorted(seen) and seen[-1] == 100 and min(seen) < 100
    # running it again changes nothing: no new document, the same zips and recap
    before = sorted(Dokumen.objects.values_list("pk", "sha256", "digantikan"))
    pen2, _ = _tutup_dan_tunggu(data, pekerja)
    assert pen2.job_id != pen.job_id and pen2.putaran != pen.putaran
    assert sorted(Dokumen.objects.values_list("pk", "sha256", "digantikan")) == before
    assert pen2.rekap_id == pen.rekap_id and pen2.selesai == pen.selesai
    _periksa_hasil(data, pen2)


@pytest.mark.worker
def test_a_unit_job_failing_once_is_retried_without_duplicate_documents(pekerja, folder_gagal):
    from evaluasi.models import Evaluasi
    from kinerja.models import Job

    data = instansi_kecil(3, 5, "TW2")
    # the fourth pegawai (by name) of the second unit: three of its PDFs exist when it fails
    korban = (
        Evaluasi.objects.filter(periode=data.periode, pegawai__unit_kerja=data.units[1])
        .order_by("pegawai__nama")
        .select_related("pegawai")[3]
        .pegawai
    )
    (folder_gagal / korban.nip).write_text("sekali")
    pen, _ = _tutup_dan_tunggu(data, pekerja)
    assert not (folder_gagal / korban.nip).exists()  # the failure did happen
    gagal = Job.objects.get(
        task="evaluasi.tutup_unit",
        kwargs__putaran=pen.putaran,
        kwargs__unit_ids__contains=[data.units[1].pk],
    )
    assert gagal.status == "sukses" and gagal.percobaan == 2 and gagal.galat == ""
    others = Job.objects.filter(task="evaluasi.tutup_unit", kwargs__putaran=pen.putaran).exclude(
        pk=gagal.pk
    )
    assert set(others.values_list("percobaan", flat=True)) == {1}
    _periksa_hasil(data, pen)


def test_fault_injection_is_off_in_the_test_process():
    from evaluasi.services import tutup_tahun

    assert GAGAL_ENV not in os.environ
    assert tutup_tahun.evaluasi_dokumen_render.__module__ == "evaluasi.services.evaluasi"
    assert jobs.ENV_MODULES == "KINERJA_JOB_MODULES"
