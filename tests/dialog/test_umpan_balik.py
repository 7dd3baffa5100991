"""Umpan balik berkelanjutan: derived relations, targets, visibility, requests, coverage."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from dialog import selectors as sel
from dialog import services as svc
from dialog.models import PermintaanUmpanBalik, UmpanBalik
from kinerja.models import Notifikasi

pytestmark = pytest.mark.django_db


def beri(org, pemberi, penerima="pegawai", **kw) -> UmpanBalik:
    kw.setdefault("jenis", "apresiasi")
    kw.setdefault("isi", "Laporan triwulan rapi dan tepat waktu.")
    return svc.umpan_balik_beri(user=org.user(pemberi), penerima=getattr(org, penerima), **kw)


def _assign(org, pemberi="kadis"):
    p = svc.penugasan_usulkan(
        user=org.user(pemberi),
        penerima=org.pegawai,
        uraian="Tugas lintas unit",
        hasil_diharapkan="Hasil lintas unit",
    )
    return svc.penugasan_setujui(user=org.user("kasubbid"), penugasan=p)


@pytest.mark.parametrize(
    ("pemberi", "penerima", "hubungan"),
    [
        ("kasubbid", "pegawai", "pejabat_penilai"),
        ("rekan", "pegawai", "rekan"),
        ("pegawai", "kasubbid", "bawahan"),
        ("kabid", "pegawai", "lainnya"),  # atasan penilai: not one of the named relations
        ("fungsional", "pegawai", "lainnya"),
        ("kasubbid", "kabid", "bawahan"),
    ],
)
def test_relation_is_derived_not_typed(org, pemberi, penerima, hubungan):
    assert beri(org, pemberi, penerima).hubungan == hubungan


def test_assigning_official_is_pemberi_tugas_only_after_approval(org):
    assert beri(org, "kadis").hubungan == "lainnya"
    _assign(org)
    assert beri(org, "kadis").hubungan == "pemberi_tugas"


def test_other_instansi_official_gives_feedback_only_on_work_they_assigned(org):
    with pytest.raises(ValidationError):
        beri(org, "kepala_b")
    _assign(org, "kepala_b")
    assert beri(org, "kepala_b").hubungan == "pemberi_tugas"


def test_no_feedback_to_oneself_nor_without_text(org):
    with pytest.raises(ValidationError):
        beri(org, "pegawai", "pegawai")
    with pytest.raises(ValidationError) as e:
        beri(org, "kasubbid", isi="   ")
    assert "isi" in e.value.message_dict


def test_window_and_period_follow_the_date(org):
    tahun = org.periode_a.tahun
    ub = beri(org, "kasubbid", waktu=timezone.make_aware(dt.datetime(tahun, 8, 15, 10)))
    assert ub.periode == org.periode_a and ub.urutan == 3  # triwulan III


def test_target_is_one_row_or_one_value_or_neither(org, rhk):
    assert beri(org, "kasubbid", rencana_hasil_kerja=rhk).rencana_hasil_kerja == rhk
    assert (
        beri(org, "kasubbid", perilaku="kolaboratif", jenis="perbaikan").perilaku == "kolaboratif"
    )
    with pytest.raises(ValidationError):
        beri(org, "kasubbid", rencana_hasil_kerja=rhk, perilaku="kolaboratif")
    with pytest.raises(ValidationError):
        beri(org, "kasubbid", perilaku="jujur_sekali")
    with pytest.raises(ValidationError):
        beri(org, "kasubbid", jenis="pujian")


def test_peer_gives_feedback_on_values_but_not_on_her_rows(org, rhk):
    with pytest.raises(ValidationError) as e:
        beri(org, "rekan", rencana_hasil_kerja=rhk)
    assert "rencana_hasil_kerja" in e.value.message_dict
    assert beri(org, "rekan", perilaku="harmonis").hubungan == "rekan"


def test_row_of_someone_else_is_refused(org, rhk):
    with pytest.raises(ValidationError):
        beri(org, "kasubbid", penerima="rekan", rencana_hasil_kerja=rhk)


def test_receiving_feedback_notifies_the_pegawai(org):
    ub = beri(org, "kasubbid")
    n = Notifikasi.objects.get(penerima=org.user("pegawai"), jenis="umpan_balik_diterima")
    assert n.tautan == f"/dialog/umpan-balik/{ub.pk}/"


def test_asking_for_feedback_notifies_and_the_answer_closes_it(org, rhk, client_as):
    p = svc.umpan_balik_minta(
        user=org.user("pegawai"), diminta=org.rekan, pesan="Masukan?", rencana_hasil_kerja=rhk
    )
    n = Notifikasi.objects.get(penerima=org.user("rekan"), jenis="umpan_balik_diminta")
    assert n.tautan.endswith(f"?permintaan={p.pk}")
    # The peer, answering the request, may speak about the row she asked about.
    c = client_as(org.user("rekan"))
    form = c.get(n.tautan)
    assert form.status_code == 200 and rhk.rencana[:30] in form.content.decode()
    r = c.post(
        n.tautan,
        {"sasaran": f"rhk:{rhk.pk}", "jenis": "apresiasi", "cara": "tertulis", "isi": "Rapi."},
    )
    assert r.status_code == 302, r.content.decode()
    p.refresh_from_db()
    assert p.status == PermintaanUmpanBalik.Status.DIJAWAB
    assert UmpanBalik.objects.get().permintaan == p
    # Someone else cannot answer it.
    with pytest.raises(PermissionDenied):
        beri(org, "kasubbid", permintaan=p)


def test_cannot_ask_oneself_or_another_instansi(org):
    with pytest.raises(ValidationError):
        svc.umpan_balik_minta(user=org.user("pegawai"), diminta=org.pegawai)
    with pytest.raises(ValidationError):
        svc.umpan_balik_minta(user=org.user("pegawai"), diminta=org.pegawai_b)


# --- visibility ---------------------------------------------------------------------------------
VISIBLE = {
    "pegawai": True,  # about her
    "rekan": True,  # gave it
    "kasubbid": True,  # her penilai
    "kabid": True,  # her atasan penilai
    "fungsional": False,  # her ketua tim: not for feedback
    "kadis": False,
    "admin_a": False,
    "admin_b": False,
    "pegawai_b": False,
    "staf_dinas": False,
}


@pytest.mark.parametrize(("who", "visible"), VISIBLE.items())
def test_feedback_visibility_per_persona(org, client_as, who, visible):
    ub = beri(org, "rekan", perilaku="harmonis")
    c = client_as(org.user(who))
    assert c.get(f"/dialog/umpan-balik/{ub.pk}/").status_code == (200 if visible else 404)
    assert c.get(f"/api/v1/umpan-balik/{ub.pk}/").status_code == (200 if visible else 404)
    assert c.get("/api/v1/umpan-balik/").json()["count"] == (1 if visible else 0)


def test_lists_by_role(org, client_as):
    beri(org, "kasubbid")
    beri(org, "pegawai", "kasubbid")
    c = client_as(org.user("pegawai"))
    html = c.get("/dialog/umpan-balik/?peran=diterima").content.decode()
    assert "Fransiska Nenobais" in html and "Pejabat penilai" in html
    html = c.get("/dialog/umpan-balik/?peran=diberikan").content.decode()
    assert "Fransiska Nenobais" in html
    tim = client_as(org.user("kabid")).get("/dialog/umpan-balik/?peran=tim&jenis=apresiasi")
    assert "Agustina Mbete" in tim.content.decode()


def test_htmx_filter_returns_the_table_only(org, client_as):
    beri(org, "kasubbid")
    r = client_as(org.user("pegawai")).get(
        "/dialog/umpan-balik/?peran=diterima&jenis=perbaikan", HTTP_HX_REQUEST="true"
    )
    html = r.content.decode()
    assert "<html" not in html and "Belum ada umpan balik" in html
    assert "HX-Request" in r["Vary"]


def test_api_create_derives_hubungan_and_hides_foreign_ids(org, client_as):
    c = client_as(org.user("kasubbid"))
    r = c.post(
        "/api/v1/umpan-balik/",
        {
            "penerima": org.pegawai.pk,
            "jenis": "perbaikan",
            "perilaku": "kolaboratif",
            "isi": "Libatkan tim.",
        },
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["hubungan"] == "pejabat_penilai" and body["pemberi"] == org.kasubbid.pk
    assert set(body) >= {
        "id",
        "penerima",
        "pemberi",
        "hubungan",
        "rencana_hasil_kerja",
        "perilaku",
        "jenis",
        "isi",
        "dibuat",
    }
    r = c.post(
        "/api/v1/umpan-balik/", {"penerima": org.pegawai_b.pk, "jenis": "apresiasi", "isi": "x"}
    )
    assert r.status_code == 400 and "penerima" in r.json()
    r = c.post(
        "/api/v1/umpan-balik/", {"penerima": org.pegawai.pk, "jenis": "apresiasi", "isi": ""}
    )
    assert r.status_code == 400 and "isi" in r.json()


def test_feedback_form_page_end_to_end(org, client_as, rhk):
    c = client_as(org.user("kasubbid"))
    pilih = c.get("/dialog/umpan-balik/beri/").content.decode()
    assert org.pegawai.nama in pilih
    r = c.get(f"/dialog/umpan-balik/beri/?nip={org.pegawai.nip}")
    assert r.status_code == 302
    form = c.get(r["Location"]).content.decode()
    assert "Pejabat penilai" in form and rhk.rencana[:30] in form
    # A validation error keeps what was typed.
    r = c.post(
        r["Location"],
        {
            "sasaran": f"rhk:{rhk.pk}",
            "jenis": "",
            "cara": "langsung",
            "isi": "Teks yang panjang sekali",
        },
    )
    assert r.status_code == 200 and "Teks yang panjang sekali" in r.content.decode()
    assert not UmpanBalik.objects.exists()


def test_nip_of_another_instansi_is_not_found_for_feedback(org, client_as):
    r = client_as(org.user("kasubbid")).get(f"/dialog/umpan-balik/beri/?nip={org.pegawai_b.nip}")
    assert r.status_code == 200 and "tidak ditemukan" in r.content.decode()
    r = client_as(org.user("kasubbid")).get(
        f"/dialog/umpan-balik/beri/?penerima={org.pegawai_b.pk}"
    )
    assert r.status_code == 404


# --- coverage ---------------------------------------------------------------------------------------
def test_coverage_counts_who_had_no_feedback_from_the_penilai_this_window(org, client_as):
    cakupan = sel.cakupan_umpan_balik(penilai_id=org.kasubbid.pk)
    assert cakupan.jumlah_pegawai == 2 and cakupan.sudah == 0
    beri(org, "kasubbid")  # pegawai, now
    beri(org, "kabid", "rekan")  # from someone else: does not count
    tahun = org.periode_a.tahun
    today = timezone.localdate()
    # Feedback from an earlier window does not count for the current one.
    if today.month > 3:
        beri(org, "kasubbid", "rekan", waktu=timezone.make_aware(dt.datetime(tahun, 1, 5, 9)))
    cakupan = sel.cakupan_umpan_balik(penilai_id=org.kasubbid.pk)
    assert cakupan.sudah == 1
    assert [b.pegawai for b in cakupan.belum] == [org.rekan]
    html = client_as(org.user("kasubbid")).get("/dialog/tim/").content.decode()
    assert "1 dari 2" in html and "Belum ada" in html


def test_coverage_query_count_does_not_grow_with_the_team(org, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        sel.cakupan_umpan_balik(penilai_id=org.kabid.pk)


# --- query budget -----------------------------------------------------------------------------------
def _many(org, n: int) -> None:
    now = timezone.now()
    UmpanBalik.objects.bulk_create(
        [
            UmpanBalik(
                penerima=org.pegawai,
                pemberi=org.rekan if i % 2 else org.kasubbid,
                hubungan="rekan" if i % 2 else "pejabat_penilai",
                jenis="apresiasi",
                perilaku="harmonis" if i % 3 else "",
                isi=f"Umpan balik {i}",
                periode=org.periode_a,
                urutan=1,
                dibuat=now,
            )
            for i in range(n)
        ]
    )


def _count_queries(client, url, **extra) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, **extra).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url", ["/dialog/umpan-balik/?peran=diterima", "/api/v1/umpan-balik/?page_size=200"]
)
def test_feedback_list_query_count_is_constant(org, client_as, url):
    c = client_as(org.user("pegawai"))
    _many(org, 5)
    small = _count_queries(c, url)
    _many(org, 195)
    large = _count_queries(c, url)
    assert small == large


@pytest.mark.parametrize("pilih", [sel.kandidat_penerima, sel.kandidat_diminta])
def test_candidates_are_one_union_of_ids_not_an_or_over_subqueries(org, pilih):
    # bench/temuan.md: `penilai = x OR id IN (subquery)` read all 100,000 pegawai for 500.
    import re

    sql = str(pilih(org.kasubbid).query)
    assert " UNION " in sql
    assert not re.search(r" OR \S+ IN \(", sql), sql
    semua = {p.pk for p in pilih(org.kasubbid)}
    assert org.pegawai.pk in semua and org.kasubbid.pk not in semua


def test_a_giver_handed_in_is_used_only_when_it_is_the_callers_own_pegawai(org):
    """The API hands the service the giver its serializer read (one read per request); another
    pegawai handed in is ignored and the caller's own is read, so nobody gives in another's name."""
    user = org.user("kasubbid")
    sendiri = svc.pegawai_dari(user)
    assert svc.pegawai_dari(user, dimuat=sendiri) is sendiri
    ub = svc.umpan_balik_beri(
        user=user, penerima=org.pegawai, jenis="apresiasi", isi="Baik.", pemberi=org.kadis
    )
    assert ub.pemberi_id == org.kasubbid.pk and ub.hubungan == "pejabat_penilai"
    lain = svc.pegawai_dari(user, dimuat=org.kadis)
    assert lain.pk == org.kasubbid.pk and lain is not org.kadis
