"""skp/api_baca.py against the serializers it replaces on one SKP's and one row's GET: the same
bytes for many shapes of SKP (no rows, rows without and with several indicators, tambahan rows,
a leader's row, expectations, dates, awkward text, other time zones), and the same refusals
(outside the scope, another instansi, an id that is not one)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.renderers import JSONRenderer

from skp import api_baca, selectors, services
from skp.api import RencanaHasilKerjaSerializer, SKPSerializer
from skp.models import SKP, EkspektasiPerilaku, Indikator, RencanaHasilKerja
from tests.skp.factories import rhk, skp_diajukan, skp_disetujui, skp_draft

pytestmark = pytest.mark.django_db

ANEH = 'Kutip "ganda" \\ garis miring\nbaris baru\t<b>&amp;</b> é ñ 漢字 😀 \u2028\u2029 \x7f'


def _json(data) -> bytes:
    return JSONRenderer().render(data)


def _oracle_skp(pk: int) -> bytes:
    return _json(SKPSerializer(selectors.skp_detail_qs().get(pk=pk)).data)


def _oracle_rhk(pk: int) -> bytes:
    return _json(RencanaHasilKerjaSerializer(selectors.rencana_qs().get(pk=pk)).data)


def _sama(skp: SKP) -> None:
    assert _json(api_baca.skp_sesudah(skp.pk)) == _oracle_skp(skp.pk)
    for r in RencanaHasilKerja.objects.filter(skp=skp):
        assert _json(api_baca.rencana_sesudah(r.pk)) == _oracle_rhk(r.pk)


def _api(client, user):
    token, _ = Token.objects.get_or_create(user=user)
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {token.key}"
    return client


def test_empty_skp_and_plain_rows_are_the_serializers_bytes(org):
    kosong = skp_draft(org, n_rhk=0)
    _sama(kosong)
    assert api_baca.skp_sesudah(kosong.pk)["rencana_hasil_kerja"] == []
    _sama(skp_draft(org, who="kasubbid", n_rhk=3))


def test_rows_indicators_leaders_rows_and_awkward_text(org):
    atasan_skp = skp_draft(org, who="kasubbid", n_rhk=1)
    atasan = atasan_skp.rencana_set.get()
    skp = skp_draft(org, n_rhk=0)
    rhk(skp, org.pegawai.user, rencana="Tanpa indikator", indikator=[])
    rhk(
        skp,
        org.pegawai.user,
        rencana=ANEH,
        rhk_atasan=atasan,
        perspektif="proses_bisnis",
        uraian_hasil=ANEH,
        ukuran_keberhasilan="",
        indikator=[
            {"aspek": "waktu", "indikator": ANEH, "target": "Desember", "sumber_data": ANEH},
            {"aspek": "kuantitas", "indikator": "Jumlah", "target": "12 dokumen"},
            {"aspek": "biaya", "indikator": "Anggaran", "target": "≤ Rp 1.000.000"},
        ],
    )
    rhk(skp, org.pegawai.user, rencana="Tugas tambahan", jenis="tambahan")
    rhk(skp, org.pegawai.user, rencana="Urutan kedua")
    # Indicator order is by urutan, then id; a later indicator with a smaller urutan first.
    r = skp.rencana_set.get(rencana=ANEH)
    Indikator.objects.filter(rencana=r, aspek="biaya").update(urutan=0)
    Indikator.objects.filter(rencana=r).exclude(aspek="biaya").update(urutan=5)
    # Rows whose urutan ties: by id.
    RencanaHasilKerja.objects.filter(skp=skp).update(urutan=1)
    # The assigning official of a penugasan row, and a row's own note (not shown).
    RencanaHasilKerja.objects.filter(skp=skp, jenis="tambahan").update(
        pemberi_tugas=org.kasubbid, catatan_penilai="Tidak ditampilkan", sumber="penugasan"
    )
    SKP.objects.filter(pk=skp.pk).update(
        dukungan_sumber_daya=ANEH,
        skema_pertanggungjawaban="",
        konsekuensi="Sanksi\r\nadministratif",
        catatan_penilai=ANEH,
        alasan_perubahan="",
        berlaku_mulai=dt.date(2026, 3, 1),
        berlaku_sampai=dt.date(2026, 9, 30),
    )
    EkspektasiPerilaku.objects.update_or_create(
        skp=skp, nilai="berorientasi_pelayanan", defaults={"ekspektasi_khusus": ANEH}
    )
    EkspektasiPerilaku.objects.update_or_create(
        skp=skp, nilai="akuntabel", defaults={"ekspektasi_khusus": ""}
    )
    _sama(skp)
    data = api_baca.skp_sesudah(skp.pk)
    # By jenis ("tambahan" sorts before "utama"), urutan, id.
    assert [r["rencana"] for r in data["rencana_hasil_kerja"]][0] == "Tugas tambahan"
    ind = next(r for r in data["rencana_hasil_kerja"] if r["rencana"] == ANEH)["indikator"]
    assert [i["aspek"] for i in ind] == ["biaya", "waktu", "kuantitas"]
    assert any(p["ekspektasi_khusus"] == ANEH for p in data["perilaku_kerja"])


def test_times_in_other_zones_and_submitted_approved_versions(org):
    skp = skp_disetujui(org, n_rhk=2)
    baru = services.skp_versi_baru(skp=skp, user=org.pegawai.user, alasan=ANEH)
    diajukan = skp_diajukan(org, who="rekan", n_rhk=1)
    # A time with and without microseconds, and one at exactly midnight UTC.
    SKP.objects.filter(pk=diajukan.pk).update(
        diajukan_pada=dt.datetime(2026, 1, 5, 0, 0, tzinfo=dt.UTC),
        disetujui_pada=dt.datetime(2026, 1, 6, 23, 59, 59, 999999, tzinfo=dt.UTC),
    )
    RencanaHasilKerja.objects.filter(skp=diajukan).update(kunci=uuid.UUID(int=7))
    for tz in ("Asia/Jakarta", "UTC", "Asia/Jayapura", "America/St_Johns"):
        with timezone.override(tz):
            for s in (skp, baru, diajukan):
                _sama(s)
    with timezone.override("UTC"):
        assert api_baca.skp_sesudah(diajukan.pk)["diajukan_pada"] == "2026-01-05T00:00:00Z"


def test_the_get_answers_are_the_serializers_and_read_less(org, client):
    skp = skp_draft(org, n_rhk=2)
    c = _api(client, org.pegawai.user)
    r = c.get(f"/api/v1/skp/{skp.pk}/")
    assert r.status_code == 200
    assert r.content == _oracle_skp(skp.pk)
    row = skp.rencana_set.first()
    r = c.get(f"/api/v1/rencana-hasil-kerja/{row.pk}/")
    assert r.status_code == 200 and r.content == _oracle_rhk(row.pk)
    # The ETag and If-None-Match still answer 304.
    r2 = c.get(f"/api/v1/rencana-hasil-kerja/{row.pk}/", HTTP_IF_NONE_MATCH=r["ETag"])
    assert r2.status_code == 304
    # One statement for the SKP (its expectations an array, its rows with their indicators
    # joined; round twelve), one for the row, each after the token's.
    from django.db import connection

    with CaptureQueriesContext(connection) as ctx:
        assert c.get(f"/api/v1/skp/{skp.pk}/").status_code == 200
    assert sum("skp_skp" in q["sql"] for q in ctx.captured_queries) == 1
    # Token, the SKP with its expectations, its rows: the scope is the SKP statement's
    # condition as the policy writes it (skp_syarat_sql), the actor's team a subquery of it
    # (round ten: 4 -> 3). Round twelve: the SKP, its expectations and its rows one statement
    # (3 -> 2).
    assert len(ctx.captured_queries) == 2, [q["sql"][:120] for q in ctx.captured_queries]


def test_the_answers_after_writes_are_the_serializers(org, client):
    skp = skp_draft(org, n_rhk=1)
    c = _api(client, org.pegawai.user)
    row = skp.rencana_set.get()
    r = c.patch(
        f"/api/v1/rencana-hasil-kerja/{row.pk}/",
        {"rencana": ANEH, "row_version": row.row_version},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.content == _oracle_rhk(row.pk)
    r = c.post(
        "/api/v1/rencana-hasil-kerja/",
        {
            "skp": skp.pk,
            "rencana": "Baru",
            "indikator": [{"aspek": "waktu", "indikator": "x", "target": "y"}],
        },
        content_type="application/json",
    )
    assert r.status_code == 201 and r.content == _oracle_rhk(r.json()["id"])
    r = c.post(
        f"/api/v1/skp/{skp.pk}/ajukan/",
        {"row_version": SKP.objects.get(pk=skp.pk).row_version},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.content == _oracle_skp(skp.pk)


def _seperti_drf(c, url: str) -> None:
    """The lean answer is DRF's: a query parameter sends the same GET through `get_object`."""
    lean, drf = c.get(url), c.get(f"{url}?format=json")
    assert (lean.status_code, lean.content) == (drf.status_code, drf.content), url
    return lean


def test_refusals_are_as_before(org, client):
    skp = skp_draft(org, n_rhk=1)
    row = skp.rencana_set.get()
    skp_b = services.skp_buat(pegawai=org.pegawai_b, periode=org.periode_b, user=org.pegawai_b.user)
    rhk_b = rhk(skp_b, org.pegawai_b.user)
    mine = (f"/api/v1/skp/{skp.pk}/", f"/api/v1/rencana-hasil-kerja/{row.pk}/")
    theirs = (f"/api/v1/skp/{skp_b.pk}/", f"/api/v1/rencana-hasil-kerja/{rhk_b.pk}/")
    # A colleague who is neither penilai nor in a team with the pegawai.
    c = _api(client, org.rekan.user)
    for url in mine:
        assert _seperti_drf(c, url).status_code == 404, url
    # Another instansi's SKP and row, for the admin of the first and of the second.
    c = _api(client, org.admin_a)
    for url in mine:
        assert _seperti_drf(c, url).status_code == 200, url
    for url in theirs:
        assert _seperti_drf(c, url).status_code == 404, url
    c = _api(client, org.admin_b)
    for url in theirs:
        assert _seperti_drf(c, url).status_code == 200, url
    for url in mine:
        assert _seperti_drf(c, url).status_code == 404, url
    # Ids that are not ids, or out of range.
    for bad in ("abc", "0", "-1", "99999999999999999999", "1e3", "1_0", "%20"):
        for base in ("skp", "rencana-hasil-kerja"):
            assert _seperti_drf(c, f"/api/v1/{base}/{bad}/").status_code == 404, (base, bad)
    # A filter on one row still answers through DRF: 404 when it does not match.
    c = _api(client, org.pegawai.user)
    assert c.get(f"/api/v1/skp/{skp.pk}/?status=disetujui").status_code == 404
    r = c.get(f"/api/v1/skp/{skp.pk}/?status=draft")
    assert r.status_code == 200 and r.content == _oracle_skp(skp.pk)
