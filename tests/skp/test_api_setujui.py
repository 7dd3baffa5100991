"""POST /api/v1/skp/<id>/setujui/ after issue 19's round ten: the SKP is read and locked in one
statement with the caller's scope as its condition (no `get_object` first), and the answer is
written from the row the approval wrote. These compare the answer with the SKP read afresh
(what the view answered before: `skp_sesudah` after the write) and the refusals with the codes
and messages the API gave before (taken from the code before the change)."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kinerja.models import Jabatan, Notifikasi, Pegawai, Periode, PersetujuanElektronik
from kinerja.versi import PESAN_BASI
from skp import api_baca, services
from skp.models import SKP, EkspektasiPerilaku
from tests.skp.factories import skp_diajukan, skp_draft
from tests.skp.test_api_baca import ANEH, _api, _json, _oracle_skp

pytestmark = pytest.mark.django_db


def _setujui(c, pk, **data):
    return c.post(f"/api/v1/skp/{pk}/setujui/", data, content_type="application/json")


def _seperti_dibaca_ulang(r, pk: int) -> None:
    assert r.status_code == 200, r.content
    assert r.content == _json(api_baca.skp_sesudah(pk))
    assert r.content == _oracle_skp(pk)


def test_the_answer_is_the_skp_read_afresh(org, client):
    skp = skp_diajukan(org, n_rhk=3)
    EkspektasiPerilaku.objects.filter(skp=skp, nilai="akuntabel").update(ekspektasi_khusus=ANEH)
    c = _api(client, org.kasubbid.user)
    rv = SKP.objects.get(pk=skp.pk).row_version
    r = _setujui(c, skp.pk, row_version=rv, catatan=f"  {ANEH}  ")
    _seperti_dibaca_ulang(r, skp.pk)
    body = r.json()
    assert body["catatan_penilai"] == ANEH.strip() and body["row_version"] == rv + 1
    assert {p["nilai"]: p["ekspektasi_khusus"] for p in body["perilaku_kerja"]}["akuntabel"] == ANEH
    assert len(body["rencana_hasil_kerja"]) == 3


def test_the_answer_after_row_notes_are_cleared_is_the_skp_read_afresh(org, client):
    skp = skp_diajukan(org, n_rhk=2)
    services.skp_kembalikan(
        skp=skp,
        user=org.kasubbid.user,
        catatan="Perbaiki",
        catatan_rhk={r.pk: "Perjelas" for r in skp.rencana_set.all()},
    )
    skp = services.skp_ajukan(skp=SKP.objects.get(pk=skp.pk), user=org.pegawai.user)
    c = _api(client, org.kasubbid.user)
    r = _setujui(c, skp.pk, row_version=SKP.objects.get(pk=skp.pk).row_version)
    _seperti_dibaca_ulang(r, skp.pk)
    assert not skp.rencana_set.exclude(catatan_penilai="").exists()
    # Not given: the general note stays as it was.
    assert r.json()["catatan_penilai"] == "Perbaiki"


def test_the_approval_names_the_penilai_with_an_acting_position_without_reading_more(org, client):
    skp = skp_diajukan(org, n_rhk=1)
    plt = Jabatan.objects.exclude(pk=org.kasubbid.jabatan_id).first()
    Pegawai.objects.filter(pk=org.kasubbid.pk).update(plt_jabatan=plt, plt_jenis="plh")
    c = _api(client, org.kasubbid.user)
    c.get("/api/v1/skp/")  # the token's load compiled once
    rv = SKP.objects.get(pk=skp.pk).row_version
    with CaptureQueriesContext(connection) as ctx:
        r = _setujui(c, skp.pk, row_version=rv)
    _seperti_dibaca_ulang(r, skp.pk)
    sql = [q["sql"] for q in ctx.captured_queries]
    # Token, savepoint, the lock (with the scope, both pegawai, the note check, the
    # expectations), UPDATE + history + the rows for the answer (one statement, round twelve),
    # approval, the notification with its email job (one statement, kinerja.notifikasi),
    # release. The team the penilai leads is a subquery of the scope, not read first.
    assert len(sql) == 7, "\n".join(s[:120] for s in sql)
    assert not any(s.startswith('SELECT "kinerja_timkerja_anggota"') for s in sql)
    assert not any(s.startswith('SELECT "kinerja_pegawai"') for s in sql)
    assert not any(s.startswith('SELECT "kinerja_jabatan"') for s in sql)
    ttd = PersetujuanElektronik.objects.get(object_id=skp.pk, peran="pejabat_penilai")
    assert ttd.jabatan == f"{org.kasubbid.jabatan.nama} / Plh. {plt.nama}"
    assert ttd.nama == org.kasubbid.nama and ttd.pegawai_id == org.kasubbid.pk
    n = Notifikasi.objects.latest("pk")
    assert n.penerima_id == org.pegawai.user_id and n.jenis == "skp_disetujui"


# (who, how the SKP is made, row_version offset) -> (status, JSON) as the code before answered.
TOLAK = "Anda tidak berwenang melakukan tindakan ini."
TIDAK_ADA = {"detail": "Tidak ditemukan."}


def _tanpa_jejak(skp: SKP, fn) -> None:
    """A refusal writes nothing: the SKP, approvals and notifications are as they were."""
    sebelum = SKP.objects.filter(pk=skp.pk).values().get()
    n_ttd, n_notif = PersetujuanElektronik.objects.count(), Notifikasi.objects.count()
    fn()
    assert SKP.objects.filter(pk=skp.pk).values().get() == sebelum
    assert PersetujuanElektronik.objects.count() == n_ttd
    assert Notifikasi.objects.count() == n_notif


def test_refusals_are_as_before(org, client):
    skp = skp_diajukan(org, n_rhk=1)
    rv = SKP.objects.get(pk=skp.pk).row_version
    kasus = [
        # The pegawai themself, the admin of their instansi: they see it, may not approve.
        (org.pegawai.user, skp.pk, rv, 403),
        (org.admin_a, skp.pk, rv, 403),
        # A colleague, another instansi's admin: not in their scope.
        (org.rekan.user, skp.pk, rv, 404),
        (org.admin_b, skp.pk, rv, 404),
        # Ids that are none, or cannot be.
        (org.kasubbid.user, 987654, rv, 404),
        (org.kasubbid.user, "abc", rv, 404),
        (org.kasubbid.user, "99999999999999999999", rv, 404),
        (org.kasubbid.user, "0", rv, 404),
        # A stale version.
        (org.kasubbid.user, skp.pk, rv - 1, 400),
    ]
    jawaban = []
    for user, pk, versi, kode in kasus:
        c = _api(client, user)
        hasil = {}

        def minta(c=c, pk=pk, versi=versi, hasil=hasil):
            hasil["r"] = _setujui(c, pk, row_version=versi)

        _tanpa_jejak(skp, minta)
        r = hasil["r"]
        assert r.status_code == kode, (user, pk, r.content)
        jawaban.append(r.json())
    assert jawaban[0] == jawaban[1] == {"detail": TOLAK}
    assert all(j == TIDAK_ADA for j in jawaban[2:8]), jawaban
    assert jawaban[8] == {"row_version": [PESAN_BASI]}
    c = _api(client, org.kasubbid.user)
    # A draft, and an SKP already approved.
    draft = skp_draft(org, who="rekan", n_rhk=1)
    r = _setujui(c, draft.pk, row_version=draft.row_version)
    assert r.status_code == 400
    assert r.json() == {"non_field_errors": ["Hanya SKP yang diajukan yang dapat disetujui."]}
    assert _setujui(c, skp.pk, row_version=rv).status_code == 200
    r = _setujui(c, skp.pk, row_version=rv + 1)
    assert r.status_code == 400
    assert r.json() == {"non_field_errors": ["Hanya SKP yang diajukan yang dapat disetujui."]}
    # A closed period.
    sub = skp_diajukan(org, who="kasubbid", n_rhk=1)
    Periode.objects.filter(pk=org.periode_a.pk).update(status="ditutup")
    c = _api(client, org.kabid.user)
    r = _setujui(c, sub.pk, row_version=SKP.objects.get(pk=sub.pk).row_version)
    assert r.status_code == 400
    assert r.json() == {"non_field_errors": ["Periode ini sudah ditutup; SKP hanya dapat dibaca."]}


# The parts of the approval's data-modifying WITH (skp.services._setujui), in order.
BAGIAN = re.compile(r"^WITH u AS \((UPDATE .*) RETURNING 1\), h AS \((INSERT .*)\) SELECT ")


def _setujui_tangkap(org, who: str, **kw):
    skp = skp_diajukan(org, who=who, n_rhk=1)
    penilai = getattr(org, who).pejabat_penilai
    with CaptureQueriesContext(connection) as ctx:
        services.skp_setujui(skp=SKP.objects.get(pk=skp.pk), user=penilai.user, **kw)
    tulis = []
    for q in ctx.captured_queries:
        m = BAGIAN.match(q["sql"])
        if m:
            tulis += m.groups()
        elif q["sql"].startswith(("UPDATE", "INSERT")):
            tulis.append(q["sql"])
    return SKP.objects.get(pk=skp.pk), tulis


def test_the_approvals_update_and_history_row_are_the_orms(org, monkeypatch):
    """The UPDATE and the history INSERT written by hand (the parts of one statement) are the
    statements, values and rows `skp.save(update_fields=…)` and simple_history write (their
    text: the page cache reads it)."""
    from skp.services import _setujui

    ini, tulis_ini = _setujui_tangkap(org, "pegawai", catatan=ANEH)
    monkeypatch.setattr(_setujui, "_hanya_riwayat", lambda skp: False)
    orm, tulis_orm = _setujui_tangkap(org, "rekan", catatan=ANEH)

    def baku(sql: str) -> str:  # the values differ (two SKP): the statements' text is compared
        return sql.split(" VALUES ")[0].split(" WHERE ")[0].split(" = ")[0]

    skp_tulis = [baku(s) for s in tulis_ini if '"skp_' in s]
    assert skp_tulis == [baku(s) for s in tulis_orm if '"skp_' in s]
    assert len(skp_tulis) == 2
    beda = {
        "id",
        "pegawai_id",
        "dibuat_oleh_id",
        "diubah",
        "diperbarui",
        "disetujui_pada",
        "dibuat",
    }
    beda |= {"diajukan_pada"}
    beda |= {"history_id", "history_date"}

    def baris(skp):
        h = skp.history.order_by("-history_id").values().first()
        row = SKP.objects.filter(pk=skp.pk).values().get()
        assert {k: v for k, v in h.items() if k in row and k != "diubah"} == {
            k: v for k, v in row.items() if k in h
        }
        return (
            {k: v for k, v in row.items() if k not in beda},
            {k: v for k, v in h.items() if k not in beda},
        )

    assert baris(ini) == baris(orm)
    h = ini.history.order_by("-history_id").first()
    assert h.history_type == "~" and h.history_user_id == org.kasubbid.user_id
    assert h.history_change_reason is None and ini.catatan_penilai == ANEH.strip()


# The approval's lock order (noted rows, then the SKP) is tested where an edit holds only its
# row: tests/skp/test_kembalikan_kunci.py (an edit's one statement locks row and SKP together,
# so a test racing that statement could not fail on the old order).


def test_the_orms_path_answers_the_same(org, client, monkeypatch):
    """When something else listens to the SKP's saves (the ORM writes it), the answer's rows
    are read after the write, as before round twelve: the same answer."""
    from skp.services import _setujui as modul

    monkeypatch.setattr(modul, "_hanya_riwayat", lambda skp: False)
    skp = skp_diajukan(org, n_rhk=2)
    c = _api(client, org.kasubbid.user)
    _seperti_dibaca_ulang(
        _setujui(c, skp.pk, row_version=SKP.objects.get(pk=skp.pk).row_version), skp.pk
    )


@pytest.mark.parametrize("rencana", [False, True])
def test_an_update_of_no_row_is_the_orms_error_and_writes_nothing(org, rencana):
    """The hand-written UPDATE that touches no row raises the ORM's DatabaseError (its history
    row goes with the transaction), as `save(update_fields=…)` does."""
    from django.db import DatabaseError, transaction

    from skp.services import _setujui

    skp = SKP.objects.get(pk=skp_diajukan(org, n_rhk=1).pk)
    skp.pk = skp.id = 10**12
    n = SKP.history.count()
    with pytest.raises(DatabaseError) as galat, transaction.atomic():
        _setujui._simpan_setujui(skp, org.kasubbid.user, rencana)
    with pytest.raises(DatabaseError) as orm, transaction.atomic():
        skp.save(update_fields=list(_setujui._KOLOM_SETUJUI))
    assert str(galat.value) == str(orm.value)
    assert SKP.history.count() == n
