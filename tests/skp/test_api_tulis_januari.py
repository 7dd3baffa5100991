"""The January mix's API writes and their reads (issue 19): what each costs in queries, and that
the cheaper paths still leave exactly the rows, history, approvals, notifications and email jobs
they left before."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from dialog.models import UmpanBalik
from kinerja.models import Job, Notifikasi, PersetujuanElektronik
from kinerja.versi import PESAN_BASI
from skp import services
from skp.models import SKP, RencanaHasilKerja
from tests.skp.factories import rhk, skp_diajukan, skp_draft
from tests.skp.test_api_baca import ANEH, _oracle_rhk

pytestmark = pytest.mark.django_db


def _api(client, user):
    token, _ = Token.objects.get_or_create(user=user)
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {token.key}"
    return client


def _hitung(fn):
    with CaptureQueriesContext(connection) as ctx:
        r = fn()
    sql = [q["sql"] for q in ctx.captured_queries]
    return r, sql


def _jelas(sql: list[str]) -> str:
    return "\n".join(s[:160] for s in sql)


# --- query counts (each fails on the code before issue 19) -----------------------------------
# Counted here with the request's savepoints. At 100,000 pegawai (bench/profil_januari.py, page
# cache on) before → after: rhk PATCH 16 → 13, skp setujui POST 33 → 25, umpan-balik POST 21 → 15.
# Round eight: rhk GET 4 → 3, skp GET 6 → 4 (skp/api_baca.py), rhk PATCH 14 → 12 (and the SKP's
# stamps in one UPDATE), setujui 31 → 22 (one read of both pegawai, no savepoints, the email job
# in one INSERT), umpan-balik 16 → 13. Round nine: the recipient's email choice inside the job's
# INSERT (both), the giver read once (umpan-balik), the approval without a SELECT first
# and no revocation when none stood (kinerja.persetujuan), assignments read only when the
# relation needs them: setujui 22 → 19, umpan-balik 13 → 10; rhk PATCH 12 → 10 (the row is
# locked and read with its indicators in one statement, the answer is written from the saved
# row, the SKP and its period are locked in one statement; so setujui 19 → 18 too).
# Round ten: umpan-balik 10 → 7: the giver is the row the login was loaded with, the recipient
# is read once with its login and its period (dialog.services.penerima_dengan_periode), the
# notification and its email job are one statement (kinerja.notifikasi).
def test_rhk_patch_reads_the_row_its_skp_and_the_leaders_row_once(org, client):
    skp = skp_draft(org, n_rhk=0)
    atasan = rhk(skp_draft(org, who="kasubbid", n_rhk=0), org.kasubbid.user)
    row = rhk(skp, org.pegawai.user, rhk_atasan=atasan)
    c = _api(client, org.pegawai.user)
    url = f"/api/v1/rencana-hasil-kerja/{row.pk}/"
    c.get(url)  # the token's load is compiled once per process
    r, sql = _hitung(lambda: c.get(url))
    assert r.status_code == 200
    # Round ten: the scope is the statement's condition as the policy writes it in SQL
    # (skp_syarat_sql), so the team the user leads is a subquery, not a statement first.
    assert len(sql) == 2, _jelas(sql)  # token, row with its indicators (scope inside)
    rv = r.json()["row_version"]
    sebelum = SKP.objects.get(pk=skp.pk)
    r, sql = _hitung(
        lambda: c.patch(
            url, {"rencana": "Diperbarui", "row_version": rv}, content_type="application/json"
        )
    )
    assert r.status_code == 200, r.content
    # The row, its indicators, its SKP and its period in one locking statement (round ten).
    kunci = [s for s in sql if s.endswith("FOR UPDATE OF r, s FOR SHARE OF pe")]
    assert len(kunci) == 1 and not any("kinerja_periode" in s for s in sql if s not in kunci)
    assert sum(s.startswith('SELECT "skp_skp"') for s in sql) == 0, _jelas(sql)
    # The row's UPDATE, its history row and the SKP's change stamps (its `diubah` with
    # `diperbarui`) in one statement (round ten, skp/services/rhk_tulis.py).
    tulis = [s for s in sql if not s.startswith(("SELECT", "SAVEPOINT", "RELEASE"))]
    assert len(tulis) == 1 and tulis[0].startswith("WITH r AS (UPDATE"), _jelas(sql)
    assert 'INSERT INTO "skp_historicalrencanahasilkerja"' in tulis[0], _jelas(sql)
    assert ') UPDATE "skp_skp" SET "diperbarui"' in tulis[0], _jelas(sql)
    # The row read once for the scope and once under the lock; no read of it for the page
    # cache or the answer: token, scope, SAVEPOINT, row with SKP and period, WITH, RELEASE
    # (10 before round ten: the team, the SKP lock, UPDATE, history and SKP apart).
    assert sum('"skp_rencanahasilkerja"' in s.split(" WHERE ")[0] for s in sql) == 3, _jelas(sql)
    assert len(sql) == 6, _jelas(sql)
    assert r.content == _oracle_rhk(row.pk)
    after = SKP.objects.get(pk=skp.pk)
    assert after.diubah > sebelum.diubah and after.diperbarui > sebelum.diperbarui
    # The leader's row was neither read nor lost.
    row.refresh_from_db()
    assert row.rhk_atasan_id == atasan.pk and row.rencana == "Diperbarui"
    assert r.json()["rhk_atasan"] == atasan.pk
    h = row.history.order_by("-history_id").first()
    assert h.rhk_atasan_id == atasan.pk and h.history_user_id == org.pegawai.user.pk
    assert h.rencana == "Diperbarui" and h.history_type == "~"


def test_rhk_patch_still_changes_and_checks_the_leaders_row(org, client):
    skp = skp_draft(org, n_rhk=0)
    atasan = rhk(skp_draft(org, who="kasubbid", n_rhk=0), org.kasubbid.user)
    row = rhk(skp, org.pegawai.user)
    sendiri = rhk(skp, org.pegawai.user, rencana="Baris lain")
    c = _api(client, org.pegawai.user)
    url = f"/api/v1/rencana-hasil-kerja/{row.pk}/"

    def patch(**data):
        rv = RencanaHasilKerja.objects.get(pk=row.pk).row_version
        return c.patch(url, {**data, "row_version": rv}, content_type="application/json")

    r = patch(rhk_atasan=sendiri.pk)
    assert r.status_code == 400
    assert r.json()["rhk_atasan"] == ["Rencana hasil kerja pimpinan tidak boleh milik SKP sendiri."]
    assert patch(rhk_atasan=atasan.pk).status_code == 200
    assert RencanaHasilKerja.objects.get(pk=row.pk).rhk_atasan_id == atasan.pk
    assert patch(rencana="Teks saja").status_code == 200
    assert RencanaHasilKerja.objects.get(pk=row.pk).rhk_atasan_id == atasan.pk
    assert patch(rhk_atasan=None).status_code == 200
    assert RencanaHasilKerja.objects.get(pk=row.pk).rhk_atasan_id is None


def test_rhk_patch_with_the_page_cache_on_reads_no_row_for_it(
    org, client, settings, django_capture_on_commit_callbacks
):
    """The page cache names the SKP whose page an UPDATE of a row ends; it used to read the
    row's SKP before that UPDATE (once per process and row). The service's locked read tells it
    now: same versions, one statement fewer. Fails without cache_cakupan.dikenal."""
    from django.core.cache import cache

    from kinerja import cache_cakupan
    from tests.kinerja.cache_bantu import kunci

    skp = skp_draft(org, n_rhk=1)
    row = skp.rencana_set.get()
    c = _api(client, org.pegawai.user)
    url = f"/api/v1/rencana-hasil-kerja/{row.pk}/"
    rv = c.get(url).json()["row_version"]
    cache.clear()
    settings.KINERJA_HALAMAN_DETIK = 120
    cache_cakupan._peta.clear()  # a process that has not written this row yet
    out = {}

    def patch():
        out["r"], out["sql"] = _hitung(
            lambda: c.patch(
                url, {"rencana": "Baru", "row_version": rv}, content_type="application/json"
            )
        )

    assert kunci(django_capture_on_commit_callbacks, patch) == {cache_cakupan.skp_key(skp.pk)}
    assert out["r"].status_code == 200, out["r"].content
    assert not any(s.startswith('SELECT "id", "skp_id"') for s in out["sql"]), _jelas(out["sql"])
    assert len(out["sql"]) == 6, _jelas(out["sql"])  # 10 before round ten (see above)


def test_rhk_patch_answers_are_the_serializers_bytes(org, client, settings):
    """The answer written from the saved row (and the indicators read under its lock) is what
    reading the row after the commit gives, for every kind of edit; replacing the indicators
    (which stamps the row again in the database) reads it anew."""
    skp = skp_draft(org, n_rhk=0)
    atasan = rhk(skp_draft(org, who="kasubbid", n_rhk=0), org.kasubbid.user)
    row = rhk(
        skp,
        org.pegawai.user,
        indikator=[
            {"aspek": "waktu", "indikator": "b", "target": "2"},
            {"aspek": "biaya", "indikator": ANEH, "target": "1", "sumber_data": ANEH},
            {"aspek": "kuantitas", "indikator": "c", "target": "3"},
        ],
    )
    kosong = rhk(skp, org.pegawai.user, rencana="Tanpa indikator", indikator=[])
    rhk(skp, org.pegawai.user, rencana="Tambahan lain", jenis="tambahan")
    c = _api(client, org.pegawai.user)
    edits = [
        (row, {"rencana": f"  {ANEH}  "}),
        (row, {"rhk_atasan": atasan.pk, "uraian_hasil": ANEH, "ukuran_keberhasilan": " x "}),
        (row, {"jenis": "tambahan"}),  # a new urutan at the end of the other group
        (row, {"rhk_atasan": None, "perspektif": ""}),
        (kosong, {"rencana": "Masih tanpa indikator"}),
        (row, {"indikator": [{"aspek": "kualitas", "indikator": "baru", "target": "9"}]}),
        (kosong, {"rencana": "Dengan indikator", "indikator": [{"indikator": "i", "target": "t"}]}),
    ]
    for tz in ("Asia/Jakarta", "America/St_Johns"):
        settings.TIME_ZONE = tz
        for target, data in edits:
            rv = RencanaHasilKerja.objects.get(pk=target.pk).row_version
            r = c.patch(
                f"/api/v1/rencana-hasil-kerja/{target.pk}/",
                {**data, "row_version": rv},
                content_type="application/json",
            )
            assert r.status_code == 200, r.content
            assert r.content == _oracle_rhk(target.pk), data
            assert r.json()["row_version"] == rv + 1
    # A stale version is refused with the same words, and nothing changes.
    before = _oracle_rhk(row.pk)
    r = c.patch(
        f"/api/v1/rencana-hasil-kerja/{row.pk}/",
        {"rencana": "Basi", "row_version": 1},
        content_type="application/json",
    )
    assert r.status_code == 400
    assert r.json() == {"row_version": [PESAN_BASI]}
    assert _oracle_rhk(row.pk) == before


def test_skp_setujui_answers_in_fewer_queries_and_leaves_the_same_rows(org, client):
    skp = skp_diajukan(org, n_rhk=2)
    # A note on a row from an earlier return: approval clears it.
    services.skp_kembalikan(
        skp=skp,
        user=org.kasubbid.user,
        catatan="",
        catatan_rhk={skp.rencana_set.first().pk: "Perjelas target"},
    )
    skp = services.skp_ajukan(skp=SKP.objects.get(pk=skp.pk), user=org.pegawai.user)
    assert skp.rencana_set.exclude(catatan_penilai="").count() == 1
    c = _api(client, org.kasubbid.user)
    r, sql = _hitung(lambda: c.get(f"/api/v1/skp/{skp.pk}/"))
    assert r.status_code == 200
    # Round ten: the scope as the policy's SQL (skp_syarat_sql), the team a subquery: 4 -> 3.
    # Round twelve: the SKP, its expectations and rows one statement (skp/api_baca.py): 3 -> 2.
    assert len(sql) == 2, _jelas(sql)  # token, SKP + expectations + rows (scope inside)
    rv = r.json()["row_version"]
    notif = Notifikasi.objects.count()
    sebelum = SKP.objects.get(pk=skp.pk)
    r, sql = _hitung(
        lambda: c.post(
            f"/api/v1/skp/{skp.pk}/setujui/", {"row_version": rv}, content_type="application/json"
        )
    )
    assert r.status_code == 200, r.content
    # The row found in the caller's scope is a key: no prefetch of the rows before the lock.
    assert sum("skp_indikator" in s for s in sql) == 1, _jelas(sql)
    # Round ten: no `get_object` before the lock, the lock's statement reads both pegawai, the
    # note check and the expectations, and the answer is written from the row the approval wrote
    # (only the rows are read), the scope is the policy's SQL (policy.skp_syarat_sql: the team
    # the penilai leads is a subquery, not read first), and the notification and its email job
    # are one statement (kinerja.notifikasi): 18 -> 12 (this SKP's row notes cost three of them).
    # Round twelve: the UPDATE, its history row and the answer's rows are one statement (a
    # data-modifying WITH, skp.services._setujui): 12 -> 10.
    assert len(sql) == 10, _jelas(sql)
    body = r.json()
    assert body["status"] == "disetujui" and body["row_version"] == rv + 1
    skp.refresh_from_db()
    assert skp.status == SKP.Status.DISETUJUI and skp.pejabat_penilai_id == org.kasubbid.pk
    assert not skp.rencana_set.exclude(catatan_penilai="").exists()
    h = skp.history.order_by("-history_id").first()
    assert h.status == "disetujui" and h.history_user_id == org.kasubbid.user.pk
    # Only the approval's columns are written (round nine), the stamps move, the rest stays, and
    # the history row is the whole row as it now is.
    upd = [s for s in sql if s.startswith('WITH u AS (UPDATE "skp_skp"') and '"status" =' in s]
    assert len(upd) == 1 and '"pendekatan" =' not in upd[0], _jelas(sql)
    assert skp.diperbarui > sebelum.diperbarui and skp.diubah > sebelum.diubah
    assert skp.disetujui_pada is not None and skp.row_version == sebelum.row_version + 1
    kolom = [f.attname for f in SKP._meta.concrete_fields]
    sejarah = [k for k in kolom if hasattr(h, k)]
    assert len(sejarah) > 25
    assert {k: getattr(h, k) for k in sejarah} == {k: getattr(skp, k) for k in sejarah}
    tetap = {"status", "disetujui_pada", "row_version", "diperbarui", "diubah"}
    assert {k: getattr(skp, k) for k in kolom if k not in tetap} == {
        k: getattr(sebelum, k) for k in kolom if k not in tetap
    }
    ttd = PersetujuanElektronik.objects.get(object_id=skp.pk, peran="pejabat_penilai", dicabut=None)
    assert ttd.pegawai_id == org.kasubbid.pk and ttd.nip == org.kasubbid.nip
    assert Notifikasi.objects.count() == notif + 1
    n = Notifikasi.objects.latest("pk")
    assert n.penerima_id == org.pegawai.user.pk and n.jenis == "skp_disetujui"
    # Its email job, with the recipient's instansi written on the row.
    job = Job.objects.get(kunci=f"email:{n.pk}")
    assert job.task == "kinerja.email_notifikasi" and job.kwargs == {"notifikasi_id": n.pk}
    assert job.instansi_id == org.instansi_a.pk and job.dibuat_oleh_id is None


def test_skp_setujui_without_row_notes_and_without_email(org, client):
    skp = skp_diajukan(org, n_rhk=1)
    type(org.pegawai.user).objects.filter(pk=org.pegawai.user.pk).update(email="")
    c = _api(client, org.kasubbid.user)
    rv = SKP.objects.get(pk=skp.pk).row_version
    r = c.post(
        f"/api/v1/skp/{skp.pk}/setujui/", {"row_version": rv}, content_type="application/json"
    )
    assert r.status_code == 200, r.content
    n = Notifikasi.objects.latest("pk")
    assert n.jenis == "skp_disetujui" and not Job.objects.filter(kunci=f"email:{n.pk}").exists()
    # A stale version is still refused with the row's message.
    skp2 = skp_diajukan(org, who="rekan", n_rhk=1)
    r = c.post(
        f"/api/v1/skp/{skp2.pk}/setujui/",
        {"row_version": SKP.objects.get(pk=skp2.pk).row_version - 1},
        content_type="application/json",
    )
    assert r.status_code in (400, 409) and "diubah oleh" in r.content.decode()
    # Outside the caller's scope: 404, as before.
    skp_b = services.skp_buat(pegawai=org.pegawai_b, periode=org.periode_b, user=org.pegawai_b.user)
    r = c.post(
        f"/api/v1/skp/{skp_b.pk}/setujui/", {"row_version": 1}, content_type="application/json"
    )
    assert r.status_code == 404


def test_umpan_balik_post_reads_its_penerima_once(org, client):
    c = _api(client, org.kasubbid.user)
    data = {"penerima": org.pegawai.pk, "jenis": "apresiasi", "isi": "Terima kasih."}
    r, sql = _hitung(lambda: c.post("/api/v1/umpan-balik/", data, content_type="application/json"))
    assert r.status_code == 201, r.content
    assert sum(s.startswith('SELECT "kinerja_user"') for s in sql) == 0, _jelas(sql)
    # The giver is the row the token was loaded with; the recipient is read once, with its
    # login and its period (no SELECT of the period of its own).
    assert not any(s.startswith('SELECT "kinerja_pegawai"') for s in sql), _jelas(sql)
    assert sum('FROM "kinerja_pegawai" p LEFT JOIN' in s for s in sql) == 1, _jelas(sql)
    assert not any(s.startswith('SELECT "kinerja_periode"') for s in sql), _jelas(sql)
    # The notification and its email's job in one statement.
    assert sum('"kinerja_notifikasi"' in s for s in sql) == 1, _jelas(sql)
    # The penilai's feedback to their own pegawai: no assignment can change the relation.
    assert not any('"dialog_penugasan"' in s for s in sql), _jelas(sql)
    assert len(sql) == 7, _jelas(sql)
    ub = UmpanBalik.objects.get(pk=r.json()["id"])
    assert ub.penerima_id == org.pegawai.pk and ub.pemberi_id == org.kasubbid.pk
    assert ub.history.get().history_user_id == org.kasubbid.user.pk
    n = Notifikasi.objects.latest("pk")
    assert n.penerima_id == org.pegawai.user.pk
    job = Job.objects.get(kunci=f"email:{n.pk}")
    assert job.instansi_id == org.instansi_a.pk
    # Refusals read as before: a pegawai who left, one of another instansi, oneself.
    from kinerja.models import Pegawai

    Pegawai.objects.filter(pk=org.rekan.pk).update(status=Pegawai.Status.BERHENTI)
    for pid in (org.rekan.pk, org.pegawai_b.pk, org.kasubbid.pk, 987654):
        r = c.post(
            "/api/v1/umpan-balik/",
            {**data, "penerima": pid},
            content_type="application/json",
        )
        assert r.status_code == 400 and r.json() == {"penerima": ["Pegawai tidak ditemukan."]}, (
            pid,
            r.content,
        )


@pytest.mark.django_db(transaction=True)
def test_the_skp_lock_holds_the_skp_and_shares_the_period_in_one_statement(org):
    """skp.services._common._lock as one statement locks what the two it replaced locked: the
    SKP FOR UPDATE, its period FOR SHARE (another edit's share goes through, a close's FOR UPDATE
    does not), its pegawai not at all. Another connection asks with NOWAIT: nothing is timed."""
    from django.db import OperationalError, transaction

    from skp.services._common import _lock

    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL")
    skp = skp_draft(org, n_rhk=0)
    lain = connection.copy()
    try:
        with transaction.atomic():
            with CaptureQueriesContext(connection) as ctx:
                locked = _lock(SKP(pk=skp.pk))
            assert len(ctx.captured_queries) == 1
            assert locked.pegawai.pk == skp.pegawai_id and locked.periode.pk == skp.periode_id
            assert not locked.periode.ditutup and locked.status == SKP.Status.DRAFT
            with lain.cursor() as cur:

                def bisa(sql: str, pk: int) -> bool:
                    cur.execute("SAVEPOINT t")
                    try:
                        cur.execute(sql + " NOWAIT", [pk])
                    except OperationalError:
                        cur.execute("ROLLBACK TO SAVEPOINT t")
                        return False
                    cur.execute("RELEASE SAVEPOINT t")
                    return True

                cur.execute("BEGIN")
                assert not bisa('SELECT 1 FROM "skp_skp" WHERE id = %s FOR UPDATE', skp.pk)
                assert not bisa(
                    'SELECT 1 FROM "kinerja_periode" WHERE id = %s FOR UPDATE', skp.periode_id
                )
                assert bisa(
                    'SELECT 1 FROM "kinerja_periode" WHERE id = %s FOR SHARE', skp.periode_id
                )
                assert bisa(
                    'SELECT 1 FROM "kinerja_pegawai" WHERE id = %s FOR UPDATE', skp.pegawai_id
                )
                cur.execute("ROLLBACK")
    finally:
        lain.close()


def test_rhk_patch_refusals_are_drfs(org, client):
    """The row an edit finds in the caller's scope is read by hand now (api_baca.rencana_untuk_
    ubah): every refusal is the one DRF's `get_object` path gives (a query parameter sends the
    PATCH there), byte for byte, and nothing changes."""
    skp = skp_draft(org, n_rhk=1)
    row = skp.rencana_set.get()
    skp_b = services.skp_buat(pegawai=org.pegawai_b, periode=org.periode_b, user=org.pegawai_b.user)
    rhk_b = rhk(skp_b, org.pegawai_b.user)
    diajukan = skp_diajukan(org, who="rekan", n_rhk=1).rencana_set.get()

    def sama(user, pk, data) -> int:
        c = _api(client, user)
        url = f"/api/v1/rencana-hasil-kerja/{pk}/"
        before = list(
            RencanaHasilKerja.objects.order_by("pk").values_list("row_version", "rencana")
        )
        lean = c.patch(url, data, content_type="application/json")
        drf = c.patch(f"{url}?format=json", data, content_type="application/json")
        assert (lean.status_code, lean.content) == (drf.status_code, drf.content), (pk, data)
        after = list(RencanaHasilKerja.objects.order_by("pk").values_list("row_version", "rencana"))
        assert after == before
        return lean.status_code

    rv = row.row_version
    ok = {"rencana": "Tidak boleh", "row_version": rv}
    assert sama(org.rekan.user, row.pk, ok) == 404  # outside the scope
    assert sama(org.admin_b, row.pk, ok) == 404  # another instansi's admin
    assert sama(org.pegawai.user, rhk_b.pk, ok) == 404
    assert sama(org.admin_a, row.pk, ok) == 403  # sees it, may not change it
    assert sama(org.admin_a, row.pk, {"rencana": ""}) == 400  # no row_version asked of them
    assert sama(org.kasubbid.user, row.pk, {"rencana": "x"}) in (403, 404)
    assert sama(org.rekan.user, diajukan.pk, {"rencana": "x", "row_version": 1}) == 400
    c_ok = org.pegawai.user
    assert sama(c_ok, row.pk, {"rencana": "x"}) == 400  # row_version missing
    assert sama(c_ok, row.pk, {"rencana": "x", "row_version": "abc"}) == 400
    assert sama(c_ok, row.pk, {"rencana": "x", "row_version": rv + 5}) == 400  # stale
    assert sama(c_ok, row.pk, {"rencana": "", "row_version": rv}) == 400
    assert sama(c_ok, row.pk, {"jenis": "lain", "row_version": rv}) == 400
    assert sama(c_ok, row.pk, {"skp": skp_b.pk, "rencana": "", "row_version": rv}) == 400
    for bad in ("abc", "0", "-1", "99999999999999999999", "1e3", "1_0", "%20", "987654"):
        assert sama(c_ok, bad, ok) == 404, bad


def test_sentuh_writes_the_statement_the_orm_update_wrote(org):
    """_sentuh's UPDATE, compiled once per process, is the text SKP.objects.filter(pk=…)
    .update(diperbarui=…) executes (the page cache reads it as the SKP's stamps only), and it
    moves both stamps."""
    from django.utils import timezone

    from skp.services._common import _sentuh

    skp = skp_draft(org, n_rhk=0)
    before = SKP.objects.get(pk=skp.pk)
    with CaptureQueriesContext(connection) as lama:
        SKP.objects.filter(pk=skp.pk).update(diperbarui=timezone.now())
    with CaptureQueriesContext(connection) as baru:
        _sentuh(skp)
    cut = [q["sql"].split(" = ")[0] + q["sql"].split("'")[2] for q in lama.captured_queries]
    assert [q["sql"].split(" = ")[0] + q["sql"].split("'")[2] for q in baru.captured_queries] == cut
    after = SKP.objects.get(pk=skp.pk)
    assert after.diperbarui > before.diperbarui and after.diubah > before.diubah
