"""Notifications: sending (once per key), email by preference, the pages, the bell, the API."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kinerja.models import Job, Notifikasi, PengaturanPengingat, PreferensiNotifikasi
from kinerja.notifikasi import email_kirim, notifikasi_kirim

pytestmark = pytest.mark.django_db


def _kirim(org, who="pegawai", jenis="skp_disetujui", pesan="SKP Anda disetujui.", **kw):
    return notifikasi_kirim(
        penerima=org.user(who), jenis=jenis, pesan=pesan, tautan=kw.pop("tautan", "/skp/"), **kw
    )


def test_notification_with_email_sent_once_per_key(
    org, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://kinerja.ntt.go.id"
    with django_capture_on_commit_callbacks(execute=True):
        n = _kirim(org, kunci="k1", tautan="/skp/7/")
        again = _kirim(org, kunci="k1", tautan="/skp/7/")
    assert n is not None and again is None
    assert Notifikasi.objects.filter(penerima=org.user("pegawai")).count() == 1
    [m] = mail.outbox
    assert m.to == [org.user("pegawai").email]
    assert m.subject == "[Kinerja] SKP disetujui"
    assert "Yth. Agustina Mbete" in m.body and "SKP Anda disetujui." in m.body
    assert "https://kinerja.ntt.go.id/skp/7/" in m.body
    assert "https://kinerja.ntt.go.id/notifikasi/preferensi/" in m.body
    html = m.alternatives[0][0]
    assert 'href="https://kinerja.ntt.go.id/skp/7/"' in html and 'lang="id"' in html
    n.refresh_from_db()
    assert n.email_terkirim is not None
    job = Job.objects.get(kunci=f"email:{n.pk}")
    assert job.status == "sukses" and job.instansi_id == org.instansi_a.pk
    # Sending the same notification's email again does nothing.
    assert email_kirim(n.pk) is False and len(mail.outbox) == 1


def test_email_off_for_a_kind_keeps_the_in_app_notification(
    org, django_capture_on_commit_callbacks
):
    PreferensiNotifikasi.objects.create(
        user=org.user("pegawai"), jenis="skp_disetujui", email=False
    )
    with django_capture_on_commit_callbacks(execute=True):
        n = _kirim(org)
        _kirim(org, jenis="penugasan_disetujui", pesan="Penugasan disetujui.")
    assert n is not None and not Job.objects.filter(kunci=f"email:{n.pk}").exists()
    assert [m.subject for m in mail.outbox] == ["[Kinerja] Penugasan disetujui"]


def test_failed_email_is_released_for_the_retry(org, monkeypatch):
    n = _kirim(org)

    def boom(*a, **kw):
        raise OSError("SMTP tidak dapat dihubungi")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", boom)
    with pytest.raises(OSError):
        email_kirim(n.pk)
    n.refresh_from_db()
    assert n.email_terkirim is None
    monkeypatch.undo()
    assert email_kirim(n.pk) is True and len(mail.outbox) == 1


def test_user_sees_only_own_notifications_and_marks_them_read(org, client_as):
    mine = _kirim(org, pesan="Milik pegawai.")
    theirs = _kirim(org, "rekan", pesan="Milik rekan.")
    c = client_as(org.user("pegawai"))
    html = c.get("/notifikasi/").content.decode()
    assert "Milik pegawai." in html and "Milik rekan." not in html
    assert c.post(f"/notifikasi/{theirs.pk}/baca/").status_code == 404
    resp = c.post(f"/notifikasi/{mine.pk}/baca/", {"buka": "1"})
    assert resp.status_code == 302 and resp["Location"] == "/skp/"
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.dibaca and not theirs.dibaca


def test_open_link_never_leaves_the_site(org, client_as):
    n = _kirim(org, tautan="https://jahat.example/")
    resp = client_as(org.user("pegawai")).post(f"/notifikasi/{n.pk}/baca/", {"buka": "1"})
    assert resp["Location"] == "/notifikasi/"


def test_mark_all_read_and_unread_filter(org, client_as):
    for i in range(3):
        _kirim(org, pesan=f"Pesan {i}.")
    _kirim(org, "rekan", pesan="Rekan.")
    c = client_as(org.user("pegawai"))
    assert "Pesan 2." in c.get("/notifikasi/?belum=1").content.decode()
    c.post("/notifikasi/baca-semua/")
    assert not Notifikasi.objects.filter(penerima=org.user("pegawai"), dibaca=False).exists()
    assert Notifikasi.objects.filter(penerima=org.user("rekan"), dibaca=False).count() == 1
    assert (
        "Tidak ada notifikasi yang belum dibaca" in c.get("/notifikasi/?belum=1").content.decode()
    )


def test_bell_shows_unread_count_and_polls_every_30s(org, client_as):
    c = client_as(org.user("pegawai"))
    html = c.get("/").content.decode()
    assert 'hx-get="/notifikasi/lonceng/"' in html and 'hx-trigger="every 30s"' in html
    assert "data-jumlah" not in html
    _kirim(org)
    _kirim(org, pesan="Kedua.")
    part = c.get("/notifikasi/lonceng/", HTTP_HX_REQUEST="true").content.decode()
    assert part.strip().startswith('<a class="lonceng"') and 'data-jumlah="2"' in part
    n = Notifikasi.objects.filter(penerima=org.user("pegawai")).first()
    after = c.post(f"/notifikasi/{n.pk}/baca/", HTTP_HX_REQUEST="true").content.decode()
    assert 'data-jumlah="1"' in after


def test_preferences_page_turns_email_off_per_kind(org, client_as):
    _kirim(org)
    c = client_as(org.user("pegawai"))
    html = c.get("/notifikasi/preferensi/").content.decode()
    assert "SKP belum diajukan" in html  # reminder kinds are listed
    assert 'name="email_skp_disetujui"' in html
    resp = c.post("/notifikasi/preferensi/", {"email_skp_belum_diajukan": "on"})
    assert resp.status_code == 302
    prefs = dict(
        PreferensiNotifikasi.objects.filter(user=org.user("pegawai")).values_list("jenis", "email")
    )
    assert prefs["skp_belum_diajukan"] is True and prefs["skp_disetujui"] is False
    assert prefs["sanksi_batas_perbaikan"] is False


def test_reminder_settings_page_for_the_instansi_admin(org, client_as):
    c = client_as(org.admin_a)
    assert "Pengaturan pengingat" in c.get("/notifikasi/pengaturan/").content.decode()
    data = {
        "aktif": "on", "jam_kirim": "8", "hari_sebelum_batas_skp": "10",
        "hari_eskalasi_persetujuan": "5", "hari_penugasan": "2", "hari_sebelum_akhir_jendela": "14",
        "hari_tenggang_evaluasi": "14", "hari_sebelum_batas_sanksi": "30",
        "hari_sebelum_tindak_lanjut": "3", "jenis_aktif": ["skp_belum_diajukan"],
    }  # fmt: skip
    assert c.post("/notifikasi/pengaturan/", data).status_code == 302
    s = PengaturanPengingat.objects.get(instansi=org.instansi_a)
    assert s.jam_kirim == 8 and s.hari_sebelum_batas_skp == 10
    assert (
        "skp_belum_diajukan" not in s.jenis_nonaktif
        and "sanksi_batas_perbaikan" in s.jenis_nonaktif
    )
    assert not PengaturanPengingat.objects.filter(instansi=org.instansi_b).exists()
    # A bad value: a clear message, nothing saved, the input kept.
    bad = c.post("/notifikasi/pengaturan/", {**data, "jam_kirim": "25", "hari_penugasan": "4"})
    assert bad.status_code == 200 and 'value="4"' in bad.content.decode()
    assert PengaturanPengingat.objects.get(instansi=org.instansi_a).hari_penugasan == 2
    assert client_as(org.pegawai.user).get("/notifikasi/pengaturan/").status_code == 403


def test_notification_list_query_count_does_not_grow(org, client_as):
    c = client_as(org.user("pegawai"))
    for i in range(3):
        _kirim(org, pesan=f"N{i}")
    c.get("/notifikasi/")
    with CaptureQueriesContext(connection) as small:
        c.get("/notifikasi/")
    for i in range(3, 60):
        _kirim(org, pesan=f"N{i}")
    with CaptureQueriesContext(connection) as large:
        html = c.get("/notifikasi/").content.decode()
    assert "N59" in html
    assert len(large) == len(small)


# --- API ----------------------------------------------------------------------------------------
def test_api_lists_only_own_notifications_and_marks_read(org, client_as):
    mine = _kirim(org, pesan="Milik saya.")
    theirs = _kirim(org, "rekan", pesan="Milik rekan.")
    c = client_as(org.user("pegawai"))
    data = c.get("/api/v1/notifikasi/").json()
    assert [r["id"] for r in data["results"]] == [mine.pk]
    assert set(data["results"][0]) == {
        "id",
        "jenis",
        "pesan",
        "tautan",
        "dibaca",
        "dibuat",
        "diubah",
    }
    assert c.get("/api/v1/notifikasi/belum-dibaca/").json() == {"jumlah": 1}
    assert c.get(f"/api/v1/notifikasi/{theirs.pk}/").status_code == 404
    assert c.post(f"/api/v1/notifikasi/{theirs.pk}/baca/").status_code == 404
    r = c.post(f"/api/v1/notifikasi/{mine.pk}/baca/")
    assert r.status_code == 200 and r.json()["dibaca"] is True
    assert c.get("/api/v1/notifikasi/belum-dibaca/").json() == {"jumlah": 0}
    assert c.get("/api/v1/notifikasi/?dibaca=false").json()["results"] == []
    theirs.refresh_from_db()
    assert not theirs.dibaca


def test_api_needs_authentication(client):
    assert client.get("/api/v1/notifikasi/").status_code in {401, 403}
