"""Round ten (issue 19): the rencana hasil kerja edit and read in fewer statements give the same
answers, rows, history and refusals as the paths they replace.

- `_ubah_sederhana` (the PATCH body validated by hand) gives the serializer's validated data, or
  hands the body to the serializer;
- `rhk_tulis._simpan_bersama` (UPDATE, history INSERT and the SKP's stamps in one WITH) leaves
  the rows and the history row the ORM's save, simple_history and `_sentuh` leave, and steps
  aside when another receiver listens;
- the row's scope as the policy's SQL (`api_baca._rencana_lingkup`) is the policy's scope for
  every persona and row, and the odd ids answer as before;
- the row is locked before its SKP in the one locking statement (the lock order of approval,
  which locks the SKP and then its rows, is the one it was).
"""

from __future__ import annotations

import threading
import time

import psycopg
import pytest
from django.db import connection
from django.db.models.signals import post_save
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from kinerja import policy
from skp import api_baca, services
from skp.api import RencanaHasilKerjaUbahSerializer, _ubah_sederhana
from skp.models import SKP, RencanaHasilKerja
from skp.services import rhk_tulis
from tests.skp.factories import rhk, skp_diajukan, skp_draft
from tests.skp.test_api_baca import ANEH, _oracle_rhk

pytestmark = pytest.mark.django_db

BODIES = [
    {"rencana": "Baru", "row_version": 3},
    {"rencana": f"  {ANEH}\n", "row_version": 0},
    {"uraian_hasil": "", "ukuran_keberhasilan": "  ", "row_version": 1},
    {"jenis": "tambahan", "perspektif": "", "row_version": 2},
    {"jenis": "utama", "perspektif": "anggaran"},
    {"rencana": "x", "id": 9, "skp": 1, "urutan": 4, "kunci": "k", "sumber": "?", "diubah": 1},
    {"rencana": "x", "tak_dikenal": [1, 2], "indikator_set": None},
    {},
    # The serializer's own: refused or converted by it.
    {"rencana": "", "row_version": 1},
    {"rencana": "   "},
    {"rencana": None},
    {"rencana": 12},
    {"rencana": True},
    {"rencana": "a\x00b"},
    {"rencana": "a\ud800b"},
    {"uraian_hasil": ["x"]},
    {"jenis": "lain"},
    {"jenis": ""},
    {"perspektif": "x"},
    {"perspektif": None},
    {"row_version": "3"},
    {"row_version": 3.0},
    {"row_version": True},
    {"row_version": -1},
    {"row_version": 2**63},
    {"row_version": None},
    {"rhk_atasan": None, "rencana": "x"},
    {"indikator": [], "rencana": "x"},
    [{"rencana": "x"}],
    "rencana",
]


def test_the_hand_validation_is_the_serializers_or_steps_aside():
    cepat = 0
    for body in BODIES:
        got = _ubah_sederhana(body)
        if got is None:
            continue
        cepat += 1
        s = RencanaHasilKerjaUbahSerializer(data=body, partial=True)
        assert s.is_valid(), (body, s.errors)
        assert got == dict(s.validated_data), body
        assert [type(v) for v in got.values()] == [type(v) for v in s.validated_data.values()]
    assert cepat == 8  # the first eight bodies take the hand path


def _api(client, user):
    token, _ = Token.objects.get_or_create(user=user)
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {token.key}"
    return client


@pytest.mark.parametrize(
    "body",
    [b for b in BODIES if isinstance(b, dict) and "indikator" not in b and "rhk_atasan" not in b],
)
def test_patch_answers_as_the_serializer_did(org, client, monkeypatch, body):
    """The same PATCH through the hand path and through the serializer (forced): same status,
    same bytes (an error's words, or the row as a later read gives it)."""
    skp = skp_draft(org, n_rhk=2)
    a, b = skp.rencana_set.order_by("pk")
    c = _api(client, org.pegawai.user)

    def kirim(row):
        data = dict(body)
        if type(data.get("row_version")) is int and data["row_version"] < 4:
            data["row_version"] = row.row_version
        return c.patch(
            f"/api/v1/rencana-hasil-kerja/{row.pk}/", data, content_type="application/json"
        )

    baru = kirim(a)
    monkeypatch.setattr("skp.api._ubah_sederhana", lambda data: None)
    lama = kirim(b)
    assert baru.status_code == lama.status_code, (baru.content, lama.content)
    if baru.status_code == 200:
        assert baru.content == _oracle_rhk(a.pk)
        ja, jb = baru.json(), lama.json()
        for k in ("id", "urutan", "kunci", "diubah", *(() if "rencana" in body else ("rencana",))):
            ja.pop(k), jb.pop(k)
        assert ja == jb
    else:
        assert baru.content == lama.content


def _baris(pk):
    row = RencanaHasilKerja.objects.values().get(pk=pk)
    return {k: v for k, v in row.items() if k not in ("id", "kunci", "diubah", "urutan")}


def _riwayat(pk):
    h = RencanaHasilKerja.history.filter(id=pk).order_by("-history_id").values().first()
    drop = ("history_id", "history_date", "id", "kunci", "urutan")
    return {k: v for k, v in h.items() if k not in drop}


@pytest.mark.parametrize(
    "edit",
    [
        {"rencana": "  Diperbarui  "},
        {"jenis": "tambahan", "uraian_hasil": ANEH, "ukuran_keberhasilan": " u "},
        {"perspektif": "anggaran"},
    ],
)
@pytest.mark.parametrize("lewat_api", [True, False])
def test_one_statement_leaves_the_rows_and_history_the_orm_left(org, client, edit, lewat_api):
    """The same edit of two like rows, one through the WITH statement and one through the ORM's
    save (the fast path refused): the same columns, the same history row (its user: the
    request's, or the acting user's outside a request), both SKP stamps moved."""
    skp = skp_draft(org, n_rhk=0)
    a = rhk(skp, org.pegawai.user, rencana="Sama")
    b = rhk(skp, org.pegawai.user, rencana="Sama")
    c = _api(client, org.pegawai.user)

    def ubah(row):
        sebelum = SKP.objects.get(pk=skp.pk)
        if lewat_api:
            data = {**edit, "row_version": row.row_version}
            with CaptureQueriesContext(connection) as ctx:
                r = c.patch(
                    f"/api/v1/rencana-hasil-kerja/{row.pk}/", data, content_type="application/json"
                )
            assert r.status_code == 200, r.content
            assert r.content == _oracle_rhk(row.pk)
        else:
            with CaptureQueriesContext(connection) as ctx:
                services.rhk_ubah(
                    rhk=row, user=org.pegawai.user, row_version=row.row_version, **edit
                )
        sesudah = SKP.objects.get(pk=skp.pk)
        assert sesudah.diubah > sebelum.diubah and sesudah.diperbarui > sebelum.diperbarui
        return [q["sql"] for q in ctx.captured_queries]

    sql_a = ubah(a)
    assert sum(s.startswith("WITH r AS (UPDATE") for s in sql_a) == 1
    asli = rhk_tulis._simpan_bersama
    rhk_tulis._simpan_bersama = lambda *args: False
    try:
        sql_b = ubah(b)
    finally:
        rhk_tulis._simpan_bersama = asli
    assert not any(s.startswith("WITH") for s in sql_b)
    assert _baris(a.pk) == _baris(b.pk)
    ha, hb = _riwayat(a.pk), _riwayat(b.pk)
    assert ha == hb and ha["history_user_id"] == org.pegawai.user.pk and ha["history_type"] == "~"
    assert RencanaHasilKerja.history.filter(id=a.pk).count() == 2


def test_another_receiver_of_the_rows_save_gets_the_orms_path(org):
    skp = skp_draft(org, n_rhk=1)
    row = skp.rencana_set.get()
    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance.pk)

    post_save.connect(receiver, sender=RencanaHasilKerja)
    try:
        with CaptureQueriesContext(connection) as ctx:
            services.rhk_ubah(rhk=row, user=org.pegawai.user, rencana="Lain")
    finally:
        post_save.disconnect(receiver, sender=RencanaHasilKerja)
    assert seen == [row.pk]
    assert not any(q["sql"].startswith("WITH") for q in ctx.captured_queries)
    assert RencanaHasilKerja.history.filter(id=row.pk).count() == 2


def _draft_b(org):
    """A draft with one row in the other instansi."""
    peg = org.pegawai_b
    skp = services.skp_buat(pegawai=peg, periode=org.periode_b, user=peg.user)
    rhk(skp, peg.user)
    return skp


def test_the_scope_in_sql_is_the_policys_for_every_persona(org):
    rows = [
        *skp_draft(org, n_rhk=2).rencana_set.all(),
        *skp_diajukan(org, who="rekan", n_rhk=1).rencana_set.all(),
        *skp_draft(org, who="kasubbid", n_rhk=1).rencana_set.all(),
        *_draft_b(org).rencana_set.all(),
        *skp_draft(org, who="staf_dinas", n_rhk=1).rencana_set.all(),
    ]
    names = [
        "pegawai",
        "rekan",
        "kasubbid",
        "kabid",
        "kepala_bkd",
        "pegawai_b",
        "kepala_b",
        "kadis",
        "staf_dinas",
        "admin_a",
        "admin_b",
        "superuser",
    ]
    seen = 0
    for name in names:
        user = org.user(name)
        for row in rows:
            boleh = policy.scope(user, RencanaHasilKerja.objects.filter(pk=row.pk)).exists()
            user = org.user(name)  # a fresh actor for each read, as a request has
            try:
                got = api_baca.rencana_untuk(user, row.pk)
            except Http404:
                got = None
            assert (got is not None) == boleh, (name, row.pk)
            if got is not None:
                seen += 1
                assert api_baca.rencana_untuk_ubah(org.user(name), row.pk).pk == row.pk
    assert 0 < seen < len(names) * len(rows)


@pytest.mark.parametrize(
    "pk, pesan",
    [("abc", ""), (str(2**63), None), ("-3", None), ("0", None)],
)
def test_odd_ids_answer_as_the_orms_lookup_did(org, pk, pesan):
    user = org.pegawai.user
    with pytest.raises(Http404) as baru:
        api_baca.rencana_untuk(user, pk)
    with pytest.raises(Http404) as lama:
        api_baca._lingkup(user, RencanaHasilKerja, pk)  # the ORM's scope of the row
        raise api_baca._tidak_ada(RencanaHasilKerja)
    assert str(baru.value) == str(lama.value)
    if pesan is not None:
        assert str(baru.value) == pesan


def test_foreign_rows_stay_404_and_a_submitted_skp_is_refused_with_nothing_lost(org, client):
    asing = _draft_b(org).rencana_set.get()
    rekan = skp_draft(org, who="rekan", n_rhk=1).rencana_set.get()
    diajukan = skp_diajukan(org, n_rhk=1).rencana_set.get()
    c = _api(client, org.pegawai.user)
    for row in (asing, rekan):
        url = f"/api/v1/rencana-hasil-kerja/{row.pk}/"
        assert c.get(url).status_code == 404
        r = c.patch(url, {"rencana": "x", "row_version": 1}, content_type="application/json")
        assert r.status_code == 404
    before = _oracle_rhk(diajukan.pk)
    r = c.patch(
        f"/api/v1/rencana-hasil-kerja/{diajukan.pk}/",
        {"rencana": "x", "row_version": diajukan.row_version},
        content_type="application/json",
    )
    assert (
        r.status_code == 400 and "perubahan hanya dapat dilakukan pada draft" in r.content.decode()
    )
    assert _oracle_rhk(diajukan.pk) == before


@pytest.mark.django_db(transaction=True)
def test_the_row_is_locked_before_its_skp_in_the_one_statement(org):
    """While another transaction holds the SKP (as approval does before it updates its rows),
    the edit's locking statement waits on the SKP already holding the row: a third
    transaction cannot lock the row. (Locking the SKP first would leave the row free.)"""
    row = skp_draft(org, n_rhk=1).rencana_set.get()
    s = connection.settings_dict
    dsn = {"host": s["HOST"], "port": s["PORT"] or 5432, "user": s["USER"], "dbname": s["NAME"]}
    if s.get("PASSWORD"):
        dsn["password"] = s["PASSWORD"]
    approval = psycopg.connect(**dsn)
    edit = psycopg.connect(**dsn)
    third = psycopg.connect(**dsn, autocommit=True)
    try:
        approval.execute("SELECT 1 FROM skp_skp WHERE id = %s FOR UPDATE", [row.skp_id])
        t = threading.Thread(
            target=lambda: edit.execute(api_baca._sql_terkunci(), [row.pk]).fetchall()
        )
        t.start()
        time.sleep(0.5)
        with pytest.raises(psycopg.errors.LockNotAvailable):
            third.execute(
                "SELECT 1 FROM skp_rencanahasilkerja WHERE id = %s FOR UPDATE NOWAIT", [row.pk]
            )
        approval.rollback()
        t.join(5)
        assert not t.is_alive()
        edit.rollback()
    finally:
        for conn in (approval, edit, third):
            conn.close()
