"""The outbox in-process: recording, claiming, retrying, sweeping, and the admin's job page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from kinerja import jobs
from kinerja.models import Job
from kinerja.tasks import jalankan_job

CALLS: list[int] = []


@jobs.handler("uji.catat")
def _catat(job, *, nilai: int, instansi_id: int | None = None) -> dict:
    CALLS.append(nilai)
    return {"nilai": nilai}


@jobs.handler("uji.selalu_gagal")
def _selalu_gagal(job, **kw) -> dict:
    raise ValueError("data rusak")


@pytest.fixture(autouse=True)
def _bersih():
    CALLS.clear()
    yield
    CALLS.clear()


@pytest.fixture
def broker_mati(monkeypatch):
    """Redis down: publishing raises kombu's OperationalError as it does after ~1 s."""

    def raise_(*a, **kw):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6390. Connection refused.")

    monkeypatch.setattr(jalankan_job, "apply_async", raise_)


def _backdate(job: Job, **delta) -> None:
    Job.objects.filter(pk=job.pk).update(dibuat=timezone.now() - dt.timedelta(**delta))


@pytest.mark.django_db
def test_enqueue_records_the_job_and_runs_it_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        job = jobs.enqueue("uji.catat", nilai=7)
        assert Job.objects.get(pk=job.pk).status == Job.Status.PENDING
        assert CALLS == []  # nothing runs before the commit
    job.refresh_from_db()
    assert job.status == Job.Status.SUKSES and job.hasil == {"nilai": 7} and job.percobaan == 1
    assert job.dikirim is not None
    assert CALLS == [7]


@pytest.mark.django_db
def test_rolled_back_request_leaves_no_job_and_sends_nothing(django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        jobs.enqueue("uji.catat", nilai=1)
        raise RuntimeError("the request failed")
    assert callbacks == [] and not Job.objects.exists() and CALLS == []


@pytest.mark.django_db
def test_same_key_records_the_work_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        a = jobs.enqueue("uji.catat", kunci="k:1", nilai=1)
        b = jobs.enqueue("uji.catat", kunci="k:1", nilai=1)
    assert a.pk == b.pk and Job.objects.count() == 1 and CALLS == [1]


@pytest.mark.django_db
def test_broker_down_request_still_succeeds_and_the_sweep_sends_later(
    broker_mati, monkeypatch, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.enqueue("uji.catat", nilai=3)
    job.refresh_from_db()
    assert job.status == Job.Status.PENDING and job.dikirim is None and CALLS == []
    # While the broker stays down the sweep sends nothing and keeps the row.
    _backdate(job, minutes=1)
    assert jobs.sweep() == 0
    monkeypatch.undo()  # Redis is back
    assert jobs.sweep() == 1
    job.refresh_from_db()
    assert job.status == Job.Status.SUKSES and CALLS == [3]
    assert jobs.sweep() == 0  # nothing left


@pytest.mark.django_db
def test_sweep_picks_only_what_may_be_lost():
    now = timezone.now()
    old = now - dt.timedelta(minutes=30)
    rows = {
        "never_sent": {"status": "pending", "dikirim": None},
        "just_created": {"status": "pending", "dikirim": None},
        "sent_recently": {"status": "pending", "dikirim": now},
        "sent_long_ago": {"status": "pending", "dikirim": old},
        "backing_off": {
            "status": "pending",
            "dikirim": None,
            "jadwal": now + dt.timedelta(minutes=1),
        },
        "dead_worker": {"status": "running", "dikirim": old},
        "live_worker": {"status": "running", "dikirim": old},
        "done": {"status": "sukses", "dikirim": old},
        "failed": {"status": "gagal", "dikirim": old},
    }
    ids = {
        k: Job.objects.create(task="uji.catat", kwargs={"nilai": 0}, **v).pk
        for k, v in rows.items()
    }
    Job.objects.exclude(pk=ids["just_created"]).update(dibuat=old)
    Job.objects.filter(pk=ids["dead_worker"]).update(diperbarui=old)
    sent: list[int] = []
    import kinerja.jobs as mod

    orig = mod.send
    mod.send = lambda job_id, countdown=None: sent.append(job_id) or True
    try:
        jobs.sweep()
    finally:
        mod.send = orig
    assert sorted(sent) == sorted([ids["never_sent"], ids["sent_long_ago"], ids["dead_worker"]])


@pytest.mark.django_db
def test_claim_is_exclusive_and_a_dead_workers_job_is_taken_again(settings):
    settings.KINERJA_JOB_BASI = 60
    job = Job.objects.create(task="uji.catat", kwargs={"nilai": 1})
    assert jobs.claim(job.pk, "a").status == "diambil"
    second = jobs.claim(job.pk, "b")
    assert second.status == "sibuk" and 55 < second.tunggu <= 61
    # The heartbeat stops (worker killed): after the stale limit another attempt takes it.
    Job.objects.filter(pk=job.pk).update(diperbarui=timezone.now() - dt.timedelta(seconds=61))
    assert jobs.claim(job.pk, "b").status == "diambil"
    job.refresh_from_db()
    assert job.pemilik == "b" and job.percobaan == 2


@pytest.mark.django_db
def test_a_job_that_keeps_killing_its_worker_fails_after_the_attempt_limit(settings):
    settings.KINERJA_JOB_MAKS_PERCOBAAN = 3
    job = Job.objects.create(task="uji.catat", kwargs={"nilai": 1}, status="running", percobaan=3)
    Job.objects.filter(pk=job.pk).update(diperbarui=timezone.now() - dt.timedelta(hours=1))
    assert jobs.claim(job.pk, "x").status == "gagal"
    job.refresh_from_db()
    assert job.status == Job.Status.GAGAL and "3 kali" in job.galat


@pytest.mark.django_db
def test_finished_job_is_not_run_again_by_a_duplicate_message():
    job = Job.objects.create(task="uji.catat", kwargs={"nilai": 5})
    assert jobs.run(job.pk, "a").status == "sukses"
    assert jobs.run(job.pk, "b").status == "selesai"
    assert CALLS == [5]


@pytest.mark.django_db
def test_completion_is_recorded_only_by_the_claim_holder():
    job = Job.objects.create(task="uji.rebut", kwargs={})

    @jobs.handler("uji.rebut")
    def _rebut(j):  # another worker took the row over while this one ran
        Job.objects.filter(pk=j.pk).update(pemilik="lain")
        return {"x": 1}

    jobs.run(job.pk, "saya")
    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING and job.pemilik == "lain" and job.hasil == {}


@pytest.mark.django_db
def test_failure_schedules_a_retry_with_backoff_then_fails_with_the_error(settings):
    settings.KINERJA_JOB_MAKS_PERCOBAAN = 2
    settings.KINERJA_JOB_JEDA = 10
    job = Job.objects.create(task="uji.selalu_gagal", kwargs={})
    first = jobs.run(job.pk, "a")
    job.refresh_from_db()
    assert first.status == "ulang" and 10 <= first.tunggu <= 15
    assert job.status == Job.Status.PENDING and "data rusak" in job.galat
    assert job.jadwal > timezone.now() + dt.timedelta(seconds=9)
    assert jobs.run(job.pk, "b").status == "gagal"
    job.refresh_from_db()
    assert job.status == Job.Status.GAGAL and job.percobaan == 2 and "ValueError" in job.galat


def test_backoff_doubles_and_is_capped(settings):
    settings.KINERJA_JOB_JEDA = 10
    assert 10 <= jobs.backoff(1) < 15 and 20 <= jobs.backoff(2) < 25 and 40 <= jobs.backoff(3) < 45
    assert jobs.backoff(30) < 606


@pytest.mark.django_db
def test_eager_task_retries_in_process_until_success(settings):
    attempts: list[int] = []

    @jobs.handler("uji.sekali_gagal_lokal")
    def _h(job):
        attempts.append(job.percobaan)
        if job.percobaan < 2:
            raise RuntimeError("sementara")
        return {}

    job = Job.objects.create(task="uji.sekali_gagal_lokal", kwargs={})
    assert jalankan_job.apply(args=(job.pk,)).get() == "sukses"
    job.refresh_from_db()
    assert attempts == [1, 2] and job.status == Job.Status.SUKSES and job.percobaan == 2


@pytest.mark.django_db
def test_unknown_handler_fails_with_a_message():
    job = Job.objects.create(task="tidak.ada", kwargs={})
    assert jobs.run(job.pk).status == "gagal"
    job.refresh_from_db()
    assert job.status == Job.Status.GAGAL and "tidak.ada" in job.galat


@pytest.mark.django_db
def test_failed_job_is_reset_when_the_same_work_is_requested_again(
    django_capture_on_commit_callbacks,
):
    job = Job.objects.create(
        task="uji.catat",
        kwargs={"nilai": 9},
        kunci="k:9",
        status="gagal",
        percobaan=5,
        galat="lama",
    )
    with django_capture_on_commit_callbacks(execute=True):
        again = jobs.enqueue("uji.catat", kunci="k:9", nilai=9)
    assert again.pk == job.pk
    job.refresh_from_db()
    assert job.status == Job.Status.SUKSES and job.percobaan == 1 and CALLS == [9]


@pytest.mark.django_db
def test_job_belongs_to_the_instansi_of_its_starter(org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        a = jobs.enqueue("uji.catat", user=org.pegawai.user, nilai=1)
        b = jobs.enqueue("uji.catat", user=org.admin_b, nilai=2)
        c = jobs.enqueue("uji.catat", nilai=3, instansi_id=org.instansi_a.pk)
    assert Job.objects.get(pk=a.pk).instansi_id == org.instansi_a.pk
    assert Job.objects.get(pk=b.pk).instansi_id == org.instansi_b.pk
    assert Job.objects.get(pk=c.pk).instansi_id == org.instansi_a.pk


@pytest.mark.django_db
def test_enqueue_many_records_the_models_own_rows_in_one_statement(
    org, django_capture_on_commit_callbacks
):
    """New keys: one INSERT for 3 keys as for 30 (no read-back), rows the ORM would write (every
    column but the key, kwargs and the times equal to a Job made through the model), the ids in
    the order of the items, all sent after commit."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = org.pegawai.user
    ref = Job.objects.create(
        task="uji.catat",
        kunci="ref",
        kwargs={"nilai": 0},
        dibuat_oleh=user,
        instansi=org.instansi_a,
    )
    counts = {}
    for n in (3, 30):
        items = [(f"m{n}:{i}", {"nilai": n * 100 + i}) for i in range(n)]
        with (
            django_capture_on_commit_callbacks(execute=True),
            CaptureQueriesContext(connection) as ctx,
            transaction.atomic(),
        ):
            ids = jobs.enqueue_many("uji.catat", items, user=user, instansi_id=org.instansi_a.pk)
            counts[n] = len([q for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]])
            rows = {j.kunci: j for j in Job.objects.filter(pk__in=ids)}
            assert [rows[k].pk for k, _ in items] == ids
            for k, kw in items:
                j = rows[k]
                assert j.kwargs == kw and j.dibuat and j.diperbarui and j.dibuat == j.diperbarui
                for f in Job._meta.concrete_fields:
                    if f.name not in ("id", "kunci", "kwargs", "dibuat", "diperbarui"):
                        assert getattr(j, f.attname) == getattr(ref, f.attname), f.name
    assert counts == {3: 1, 30: 1}, counts
    assert sorted(CALLS) == sorted([300 + i for i in range(3)] + [3000 + i for i in range(30)])


@pytest.mark.django_db
def test_enqueue_many_keeps_rows_recorded_before_and_resets_failed_ones(
    django_capture_on_commit_callbacks,
):
    sent = Job.objects.create(
        task="uji.catat", kunci="k:1", kwargs={"nilai": 1}, dikirim=timezone.now()
    )
    failed = Job.objects.create(
        task="uji.catat", kunci="k:2", kwargs={"nilai": 2}, status="gagal", percobaan=5
    )
    items = [(f"k:{i}", {"nilai": i}) for i in range(4)]
    with django_capture_on_commit_callbacks(execute=True):
        ids = jobs.enqueue_many("uji.catat", items)
    assert ids[1:3] == [sent.pk, failed.pk] and Job.objects.count() == 4
    failed.refresh_from_db()
    assert failed.status == Job.Status.SUKSES and failed.percobaan == 1
    assert sorted(CALLS) == [0, 2, 3]  # the one already handed to the broker is not sent again


# --- the admin page ---------------------------------------------------------------------------
def _jobs_for(org, n: int) -> None:
    Job.objects.bulk_create(
        Job(
            task="skp.pdf",
            kwargs={},
            instansi=org.instansi_a,
            dibuat_oleh=org.pegawai.user,
            status="gagal",
            percobaan=5,
            galat=f"Traceback ... GalatUji{i}",
        )
        for i in range(n)
    )


@pytest.mark.django_db
def test_job_page_shows_own_instansi_jobs_in_plain_words_with_retries(org, client_as):
    gagal_job = Job.objects.create(
        task="skp.pdf",
        instansi=org.instansi_a,
        status="gagal",
        percobaan=5,
        galat='Traceback (most recent call last):\n  File "/srv/app/x.py"\nWeasyPrintGalat',
    )
    Job.objects.create(
        task="evaluasi.pdf",
        instansi=org.instansi_a,
        status="pending",
        percobaan=2,
        galat="galat sementara",
        jadwal=timezone.now(),
    )
    Job.objects.create(
        task="kinerja.email_notifikasi", instansi=org.instansi_a, status="running", percobaan=1
    )
    Job.objects.create(task="rahasia.b", instansi=org.instansi_b, status="gagal", galat="milik B")
    html = client_as(org.admin_a).get("/latar/").content.decode()
    # Labels, not task names; the failure in plain words with what to do, never a traceback.
    assert "Dokumen PDF SKP" in html and "Email notifikasi" in html and "Berjalan" in html
    for mentah in ("skp.pdf", "evaluasi.pdf", "kinerja.email_notifikasi", "Traceback", "/srv/"):
        assert mentah not in html, mentah
    assert "WeasyPrintGalat" not in html and "Celery" not in html and "Redis" not in html
    assert "tidak berhasil diproses setelah 5 kali dicoba" in html
    assert f"#{gagal_job.pk}" in html and "Kirim ulang" in html
    assert "Pekerjaan latar lain" not in html
    assert "milik B" not in html
    assert "Gagal (1)" in html and "Diulang (2)" in html and "Menunggu (1)" in html
    diulang = client_as(org.admin_a).get("/latar/?status=diulang").content.decode()
    assert "Dokumen evaluasi kinerja (PDF)" in diulang and "Dokumen PDF SKP" in diulang
    gagal = client_as(org.admin_a).get("/latar/?status=gagal").content.decode()
    assert "Dokumen PDF SKP" in gagal and "Dokumen evaluasi kinerja (PDF)" not in gagal
    assert "Pekerjaan latar lain" in client_as(org.admin_b).get("/latar/").content.decode()
    assert "milik B" not in client_as(org.superuser).get("/latar/").content.decode()


@pytest.mark.django_db
def test_a_failed_job_keeps_its_traceback_in_the_log(caplog, settings):
    settings.KINERJA_JOB_MAKS_PERCOBAAN = 1
    job = Job.objects.create(task="uji.selalu_gagal")
    with caplog.at_level("WARNING", logger="kinerja.jobs"):
        jobs.run(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.GAGAL
    assert any(r.exc_info and "Traceback" not in r.getMessage() for r in caplog.records)
    assert "Traceback" in caplog.text


@pytest.mark.django_db
def test_job_page_is_for_admins_only(org, client_as):
    for who in (org.pegawai.user, org.kepala_bkd.user):
        resp = client_as(who).get("/latar/")
        assert resp.status_code == 302 and resp["Location"] == "/"


@pytest.mark.django_db
def test_admin_resends_a_failed_job(org, client_as, django_capture_on_commit_callbacks):
    job = Job.objects.create(
        task="uji.catat",
        kwargs={"nilai": 4},
        instansi=org.instansi_a,
        status="gagal",
        percobaan=5,
        galat="x",
    )
    other = Job.objects.create(
        task="uji.catat", kwargs={"nilai": 5}, instansi=org.instansi_b, status="gagal", percobaan=5
    )
    assert client_as(org.admin_b).post(f"/latar/{job.pk}/ulang/").status_code == 404
    resp = client_as(org.admin_a).post(f"/latar/{job.pk}/ulang/")
    assert resp.status_code == 302
    job.refresh_from_db()
    assert job.status == Job.Status.SUKSES and CALLS == [4]
    other.refresh_from_db()
    assert other.status == Job.Status.GAGAL


@pytest.mark.django_db
def test_job_page_query_count_does_not_grow_with_rows(org, client_as):
    c = client_as(org.admin_a)
    _jobs_for(org, 3)
    c.get("/latar/")  # warm caches (content types, session)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert c.get("/latar/").status_code == 200
    _jobs_for(org, 57)
    with CaptureQueriesContext(connection) as large:
        html = c.get("/latar/").content.decode()
    newest = Job.objects.order_by("-id").first()
    assert f"#{newest.pk}" in html and "GalatUji" not in html
    assert len(large) == len(small)


@pytest.mark.django_db
def test_job_status_partial_polls_until_done(org, client_as):
    job = Job.objects.create(
        task="skp.pdf",
        dibuat_oleh=org.pegawai.user,
        status="running",
        progres=40,
        pesan="menyusun halaman",
    )
    html = client_as(org.pegawai.user).get(f"/latar/{job.pk}/").content.decode()
    assert 'hx-trigger="every 1s"' in html and "menyusun halaman" in html
    Job.objects.filter(pk=job.pk).update(status="sukses", hasil={"url": "/media/x.pdf"})
    html = client_as(org.pegawai.user).get(f"/latar/{job.pk}/").content.decode()
    assert "hx-trigger" not in html and "/media/x.pdf" in html
    assert client_as(org.rekan.user).get(f"/latar/{job.pk}/").status_code == 404


@pytest.mark.django_db
def test_progress_says_in_progress_for_a_job_waiting_on_its_parts():
    """The close job waits (pending) while its unit jobs run: with progress it reads as being
    processed, not as still queued."""
    from django.template.loader import render_to_string

    job = Job.objects.create(task="evaluasi.tutup_tahun", status="pending", progres=40)
    html = render_to_string("kinerja/partials/job_progres.html", {"job": job})
    assert "Sedang diproses" in html and "Menunggu" not in html
    job.progres = 0
    html = render_to_string("kinerja/partials/job_progres.html", {"job": job})
    assert "Menunggu" in html
