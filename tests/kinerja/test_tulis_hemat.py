"""The January mix's writes with fewer statements (issue 19, round eight): the email job of a
notification in one INSERT (jobs.enqueue_baru) and an approval without a savepoint of its own
(persetujuan_catat) leave what they left before."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from kinerja import jobs
from kinerja.models import Job, PersetujuanElektronik
from kinerja.persetujuan import persetujuan_catat

pytestmark = pytest.mark.django_db


@jobs.handler("uji.hemat")
def _hemat(job, *, nilai: int) -> dict:
    return {"nilai": nilai}


def test_a_new_key_is_one_insert_with_the_rows_columns(org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as cbs:
        with CaptureQueriesContext(connection) as ctx:
            job_id, instansi = jobs.enqueue_baru(
                "uji.hemat", kunci="hemat:1", instansi=org.instansi_a.pk, nilai=4
            )
        baru = Job.objects.get(pk=job_id)
        lama = jobs.enqueue("uji.hemat", kunci="hemat:2", instansi=org.instansi_a.pk, nilai=4)
    if connection.vendor == "postgresql":
        assert len(ctx.captured_queries) == 1, ctx.captured_queries
    assert instansi == org.instansi_a.pk
    # The same row `enqueue` writes, but for its key, id and times.
    lama = Job.objects.get(pk=lama.pk)
    beda = {"id", "kunci", "dibuat", "diperbarui", "dikirim"}
    kolom = [f.attname for f in Job._meta.concrete_fields if f.attname not in beda]
    assert {k: getattr(baru, k) for k in kolom} == {k: getattr(lama, k) for k in kolom}
    assert baru.kwargs == {"nilai": 4} and baru.instansi_id == org.instansi_a.pk
    # Sent after commit, as `enqueue` does (one callback each).
    assert len(cbs) == 2


def test_a_key_already_recorded_keeps_its_row_as_enqueue_did(org):
    lama = jobs.enqueue("uji.hemat", kunci="hemat:3", nilai=1)
    assert lama.instansi_id is None
    job_id, instansi = jobs.enqueue_baru(
        "uji.hemat", kunci="hemat:3", instansi=org.instansi_a.pk, nilai=2
    )
    assert job_id == lama.pk and instansi is None  # the caller writes its instansi
    assert Job.objects.get(pk=lama.pk).kwargs == {"nilai": 1}
    assert Job.objects.filter(kunci="hemat:3").count() == 1


def test_a_refused_approval_leaves_the_callers_transaction_usable(org):
    from tests.skp.factories import skp_diajukan

    skp = skp_diajukan(org, n_rhk=1)
    with transaction.atomic():
        with pytest.raises(ValidationError):
            persetujuan_catat(objek=skp, pegawai=org.rekan, peran="pejabat_penilai")
        with pytest.raises(ValidationError):
            persetujuan_catat(objek=skp, pegawai=org.kasubbid, peran="gubernur")
        # Still usable: the refusals raised before anything was written.
        a = persetujuan_catat(objek=skp, pegawai=org.kasubbid, peran="pejabat_penilai")
        with CaptureQueriesContext(connection) as ctx:
            again = persetujuan_catat(objek=skp, pegawai=org.kasubbid, peran="pejabat_penilai")
    assert again.pk == a.pk
    assert not any("SAVEPOINT" in q["sql"] for q in ctx.captured_queries)
    assert (
        PersetujuanElektronik.objects.filter(
            object_id=skp.pk, peran="pejabat_penilai", dicabut=None
        ).count()
        == 1
    )


# --- round nine: the recipient's email choice asked inside the job's INSERT ------------------
def _kirim(user, jenis="skp_disetujui"):
    from kinerja.notifikasi import notifikasi_kirim

    with CaptureQueriesContext(connection) as ctx:
        n = notifikasi_kirim(penerima=user, jenis=jenis, pesan="Uji.", tautan="/skp/1/")
    return n, [q["sql"] for q in ctx.captured_queries]


def test_a_notifications_email_job_is_written_with_the_choice_in_one_statement(org):
    user = org.pegawai.user
    n, sql = _kirim(user)
    job = Job.objects.get(kunci=f"email:{n.pk}")
    assert job.kwargs == {"notifikasi_id": n.pk} and job.task == "kinerja.email_notifikasi"
    assert job.instansi_id == org.instansi_a.pk
    if connection.vendor == "postgresql":
        # The notification and its job in one statement (round ten: 2 → 1, a WITH whose job
        # INSERT reads the notification's RETURNING); no SELECT of the preferences of its own.
        assert len(sql) == 1, sql
        assert sql[0].startswith('WITH n AS (INSERT INTO "kinerja_notifikasi"'), sql


def test_an_email_turned_off_writes_no_job_but_the_notification(org):
    from kinerja.models import Notifikasi, PreferensiNotifikasi

    user = org.pegawai.user
    PreferensiNotifikasi.objects.create(user=user, jenis="skp_disetujui", email=False)
    PreferensiNotifikasi.objects.create(user=user, jenis="skp_dikembalikan", email=True)
    n, _ = _kirim(user)
    assert Notifikasi.objects.filter(pk=n.pk, penerima=user).exists()
    assert not Job.objects.filter(kunci=f"email:{n.pk}").exists()
    # Another kind, or the same kind for someone else: the email is written.
    n2, _ = _kirim(user, "skp_dikembalikan")
    assert Job.objects.filter(kunci=f"email:{n2.pk}").exists()
    n3, _ = _kirim(org.rekan.user)
    assert Job.objects.filter(kunci=f"email:{n3.pk}").exists()
    # No email address: no job either.
    type(user).objects.filter(pk=user.pk).update(email="")
    user.refresh_from_db()
    n4, _ = _kirim(user, "skp_dikembalikan")
    assert not Job.objects.filter(kunci=f"email:{n4.pk}").exists()


def test_a_key_already_recorded_with_the_email_wanted_keeps_its_row(org):
    from kinerja.models import PreferensiNotifikasi

    lama = jobs.enqueue("uji.hemat", kunci="hemat:5", nilai=1)
    mati = PreferensiNotifikasi.objects.filter(user=org.pegawai.user, jenis="x", email=False)
    got = jobs.enqueue_baru("uji.hemat", kunci="hemat:5", kecuali=mati, nilai=2)
    assert got == (lama.pk, None)
    PreferensiNotifikasi.objects.create(user=org.pegawai.user, jenis="x", email=False)
    assert jobs.enqueue_baru("uji.hemat", kunci="hemat:6", kecuali=mati, nilai=2) is None
    assert not Job.objects.filter(kunci="hemat:6").exists()


def test_an_approval_is_written_unless_it_stands_and_replaces_the_roles_other(org, monkeypatch):
    """One INSERT … WHERE NOT EXISTS, and the revocation of the role's others only when some stood;
    the row and the answer are those `_catat` writes (compared with the ORM path)."""
    from kinerja import persetujuan
    from kinerja.models import Jabatan
    from tests.skp.factories import skp_diajukan

    skp = skp_diajukan(org, n_rhk=1)
    skp2 = skp_diajukan(org, who="rekan", n_rhk=1)
    penilai = org.kasubbid
    penilai.plt_jabatan = Jabatan.objects.exclude(pk=penilai.jabatan_id).first()
    penilai.plt_jenis = "plh"
    with CaptureQueriesContext(connection) as ctx:
        a = persetujuan_catat(objek=skp, pegawai=penilai, peran="pejabat_penilai")
    if connection.vendor == "postgresql":
        # Nobody else stood in the role: one INSERT, no SELECT first, no UPDATE after.
        assert len(ctx.captured_queries) == 1, ctx.captured_queries
        assert ctx.captured_queries[0]["sql"].startswith("INSERT")
    # The ORM's path for the same approval of another SKP: the same columns.
    monkeypatch.setattr(persetujuan.connection, "vendor", "lain", raising=False)
    b = persetujuan_catat(objek=skp2, pegawai=penilai, peran="pejabat_penilai")
    monkeypatch.undo()
    kolom = [f.attname for f in PersetujuanElektronik._meta.concrete_fields]
    ra, rb = (PersetujuanElektronik.objects.get(pk=x.pk) for x in (a, b))
    beda = {"id", "object_id", "waktu"}
    assert {k: getattr(ra, k) for k in kolom if k not in beda} == {
        k: getattr(rb, k) for k in kolom if k not in beda
    }
    assert "Plh. " in ra.jabatan and ra.nip == penilai.nip and ra.object_id == skp.pk
    # The answer is the stored row, its relations at hand.
    assert {k: getattr(a, k) for k in kolom} == {k: getattr(ra, k) for k in kolom}
    assert a.pegawai is penilai and not a._state.adding
    # Again by the same person: the standing row, nothing written.
    with CaptureQueriesContext(connection) as ctx:
        again = persetujuan_catat(objek=skp, pegawai=penilai, peran="pejabat_penilai")
    assert again.pk == a.pk
    assert not any(q["sql"].startswith(("UPDATE", "DELETE")) for q in ctx.captured_queries)
    # Someone else in the role replaces it (the earlier one revoked, kept).
    skp.pejabat_penilai_id = org.kabid.pk
    c = persetujuan_catat(objek=skp, pegawai=org.kabid, peran="pejabat_penilai")
    lama = PersetujuanElektronik.objects.get(pk=a.pk)
    assert lama.dicabut == c.waktu and lama.alasan_dicabut == "Digantikan persetujuan baru"
    berlaku = PersetujuanElektronik.objects.filter(
        object_id=skp.pk, content_type_id=a.content_type_id, dicabut=None, peran=a.peran
    )
    assert list(berlaku.values_list("pk", flat=True)) == [c.pk]
    assert PersetujuanElektronik.objects.get(pk=c.pk).dicabut is None
