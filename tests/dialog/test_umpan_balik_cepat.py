"""The feedback write's short path (issue 19): the rows it writes by compiled SQL are the rows the
ORM and simple_history write, the recipient is read once with its login and its period, and the
notification's email job rides in the notification's statement."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import signals
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token
from simple_history.models import HistoricalRecords

from dialog.models import UmpanBalik
from dialog.services._common import penerima_dengan_periode, simpan_baru
from kinerja.models import Job, Notifikasi, Pegawai, PreferensiNotifikasi
from kinerja.notifikasi import notifikasi_kirim
from kinerja.riwayat import atas_nama

pytestmark = pytest.mark.django_db

# What the history's columns hold that differs between two writes of the same feedback.
_BEDA = {"id", "diubah", "history_id", "history_date"}


def _ub(org, **kw) -> UmpanBalik:
    return UmpanBalik(
        penerima=org.pegawai,
        pemberi=org.kasubbid,
        hubungan="pejabat_penilai",
        jenis="apresiasi",
        isi="Laporan rapi.",
        periode=org.periode_a,
        urutan=1,
        dibuat=timezone.now(),
        **kw,
    )


def _baris(obj) -> tuple[dict, dict]:
    row = UmpanBalik.objects.filter(pk=obj.pk).values().get()
    hist = UmpanBalik.history.filter(id=obj.pk).values().get()
    return (
        {k: v for k, v in row.items() if k not in _BEDA},
        {k: v for k, v in hist.items() if k not in _BEDA},
    )


def test_simpan_baru_writes_the_rows_the_orm_and_simple_history_write(org):
    lewat_orm, cepat = _ub(org), _ub(org, perilaku="akuntabel")
    cepat.dibuat = lewat_orm.dibuat
    with atas_nama(org.kasubbid.user):
        lewat_orm.save()
        with CaptureQueriesContext(connection) as ctx:
            simpan_baru(cepat)
    if connection.vendor == "postgresql":
        assert len(ctx.captured_queries) == 2  # the row, its history row: no SELECT, no SAVEPOINT
    assert cepat.pk and cepat.pk != lewat_orm.pk and not cepat._state.adding
    a, b = _baris(lewat_orm), _baris(cepat)
    assert a[0] == {**b[0], "perilaku": ""} and a[1] == {**b[1], "perilaku": ""}
    assert b[1]["history_user_id"] == org.kasubbid.user.pk and b[1]["history_type"] == "+"
    assert cepat.diubah == UmpanBalik.objects.get(pk=cepat.pk).diubah


def test_simpan_baru_skips_no_receiver(org):
    """simpan_baru writes what simple_history's receiver would: any other receiver of the
    feedback's saves would be skipped, so a new one must be handled there first."""
    [receivers] = [signals.post_save._live_receivers(UmpanBalik)[0]]
    assert [type(getattr(r, "__self__", None)) for r in receivers] == [HistoricalRecords]
    assert not signals.pre_save.has_listeners(UmpanBalik)


def test_simpan_baru_takes_the_orm_path_when_history_is_turned_off(org, settings):
    settings.SIMPLE_HISTORY_ENABLED = False
    ub = _ub(org)
    simpan_baru(ub)
    assert UmpanBalik.objects.filter(pk=ub.pk).exists()
    assert not UmpanBalik.history.filter(id=ub.pk).exists()


def test_penerima_dengan_periode_reads_login_and_period_in_one_statement(org):
    tahun = org.periode_a.tahun
    with CaptureQueriesContext(connection) as ctx:
        p = penerima_dengan_periode(org.pegawai.pk, tahun)
        assert p.user.pk == org.pegawai.user_id and p.user.pegawai is p
        assert p._periode_dimuat == (tahun, org.periode_a)
    assert len(ctx.captured_queries) == (1 if connection.vendor == "postgresql" else 2)
    assert penerima_dengan_periode(org.pegawai.pk, tahun + 50)._periode_dimuat == (tahun + 50, None)
    assert penerima_dengan_periode(987_654, tahun) is None


def test_email_job_rides_in_the_notifications_statement(org, django_capture_on_commit_callbacks):
    user = org.user("pegawai")
    with CaptureQueriesContext(connection) as ctx:
        n = notifikasi_kirim(penerima=user, jenis="umpan_balik_diterima", pesan="Hai.")
    tulis = [q["sql"] for q in ctx.captured_queries if "kinerja_job" in q["sql"]]
    if connection.vendor == "postgresql":
        assert len(ctx.captured_queries) == 1, ctx.captured_queries
        assert tulis and tulis[0].startswith('WITH n AS (INSERT INTO "kinerja_notifikasi"')
    stored = Notifikasi.objects.get(pk=n.pk)
    assert (stored.diubah, stored.dibuat, stored.pesan) == (n.diubah, n.dibuat, "Hai.")
    job = Job.objects.get(kunci=f"email:{n.pk}")
    assert job.kwargs == {"notifikasi_id": n.pk} and job.task == "kinerja.email_notifikasi"
    assert job.instansi_id == org.instansi_a.pk and job.status == Job.Status.PENDING
    assert job.dibuat_oleh_id is None and job.dikirim is None


def test_email_turned_off_writes_no_job_and_asks_nothing_more(org):
    user = org.user("pegawai")
    PreferensiNotifikasi.objects.create(user=user, jenis="umpan_balik_diterima", email=False)
    with CaptureQueriesContext(connection) as ctx:
        n = notifikasi_kirim(penerima=user, jenis="umpan_balik_diterima", pesan="Hai.")
    if connection.vendor == "postgresql":
        assert len(ctx.captured_queries) == 1
    assert not Job.objects.filter(kunci=f"email:{n.pk}").exists()
    # Another kind still mails.
    n2 = notifikasi_kirim(penerima=user, jenis="skp_disetujui", pesan="Hai.")
    assert Job.objects.filter(kunci=f"email:{n2.pk}").exists()


def test_a_key_recorded_before_goes_through_enqueue(org):
    """A job already holding the next notification's key (ids reused after a restore): the
    statement writes no job, so enqueue's rules apply (a failed one is reset to pending)."""
    user = org.user("pegawai")
    nxt = notifikasi_kirim(penerima=user, jenis="x", pesan="a").pk + 1
    Job.objects.create(
        task="kinerja.email_notifikasi", kunci=f"email:{nxt}", kwargs={}, status=Job.Status.GAGAL
    )
    n = notifikasi_kirim(penerima=user, jenis="x", pesan="b")
    assert n.pk == nxt
    assert Job.objects.get(kunci=f"email:{nxt}").status == Job.Status.PENDING


def test_api_post_cross_instansi_and_missing_read_the_same(org, client):
    """The API asks the policy before anything of the recipient is used: another instansi's
    pegawai, someone who left and an id that does not exist give one answer, and write nothing."""
    token = Token.objects.create(user=org.kasubbid.user)
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {token.key}"
    Pegawai.objects.filter(pk=org.rekan.pk).update(status=Pegawai.Status.BERHENTI)
    data = {"jenis": "apresiasi", "isi": "Terima kasih."}
    sebelum = (UmpanBalik.objects.count(), Notifikasi.objects.count())
    jawab = set()
    for pid in (org.pegawai_b.pk, org.rekan.pk, 987_654, 2**63 - 1):
        r = client.post(
            "/api/v1/umpan-balik/", {**data, "penerima": pid}, content_type="application/json"
        )
        assert r.status_code == 400, r.content
        jawab.add(r.content)
    assert jawab == {b'{"penerima":["Pegawai tidak ditemukan."]}'}
    assert (UmpanBalik.objects.count(), Notifikasi.objects.count()) == sebelum
    r = client.post(
        "/api/v1/umpan-balik/", {**data, "penerima": "satu"}, content_type="application/json"
    )
    assert r.status_code == 400 and "bilangan bulat" in r.json()["penerima"][0]
    r = client.post(
        "/api/v1/umpan-balik/",
        {**data, "penerima": org.pegawai.pk},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["penerima"] == org.pegawai.pk and body["pemberi"] == org.kasubbid.pk
    assert body["periode"] == org.periode_a.pk and body["hubungan"] == "pejabat_penilai"
