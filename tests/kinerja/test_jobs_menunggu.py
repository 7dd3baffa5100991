"""A fan-out job that waits for its children (`jobs.Waiting`): its progress total and message go
into the row's own update after the attempt, and never over a child's report."""

from __future__ import annotations

import pytest

from kinerja import jobs
from kinerja.models import Job


@jobs.handler("uji.bagi")
def _bagi(job, *, anak_lapor: bool = False):
    if anak_lapor:  # a child started at the commit and reported before this attempt ended
        jobs.progress_id(job.pk, 3, 10, "Unit kerja selesai 1 dari 4")
    return jobs.Waiting(pesan="4 unit kerja dibagikan ke pekerja", total=10)


@pytest.mark.django_db
def test_waiting_records_its_total_and_message_in_the_rows_own_update():
    job = Job.objects.create(task="uji.bagi", kwargs={})
    assert jobs.run(job.pk, "saya").status == "menunggu"
    job.refresh_from_db()
    assert (job.status, job.progres, job.progres_total, job.pesan) == (
        "pending",
        0,
        10,
        "4 unit kerja dibagikan ke pekerja",
    )


@pytest.mark.django_db
def test_waiting_leaves_a_childs_progress_report_standing():
    job = Job.objects.create(task="uji.bagi", kwargs={"anak_lapor": True})
    assert jobs.run(job.pk, "saya").status == "menunggu"
    job.refresh_from_db()
    assert (job.progres, job.progres_total, job.pesan) == (30, 10, "Unit kerja selesai 1 dari 4")


@pytest.mark.django_db
def test_waiting_without_a_message_keeps_the_rows():
    job = Job.objects.create(task="uji.catat_tunggu", kwargs={}, pesan="lama", progres_total=7)

    @jobs.handler("uji.catat_tunggu")
    def _tunggu(j):
        return jobs.Waiting()

    assert jobs.run(job.pk, "saya").status == "menunggu"
    job.refresh_from_db()
    assert (job.pesan, job.progres_total) == ("lama", 7)
