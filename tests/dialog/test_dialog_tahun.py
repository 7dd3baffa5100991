"""Dialog kinerja (check-in, bimbingan, konseling) and the pegawai's year page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dialog import services as svc
from dialog.models import DialogKinerja, Penugasan, Realisasi, TindakLanjut, UmpanBalik
from kinerja.models import Notifikasi

pytestmark = pytest.mark.django_db


def catat(org, pemimpin="kasubbid", pegawai="pegawai", jenis="bimbingan", **kw):
    besok = timezone.localdate() + dt.timedelta(days=2)
    return svc.dialog_catat(
        user=org.user(pemimpin),
        pegawai=getattr(org, pegawai),
        jenis=jenis,
        waktu=timezone.now(),
        agenda=kw.pop("agenda", "Capaian triwulan dan hambatan"),
        catatan="Perlu pelatihan analisis data",
        tindak_lanjut=kw.pop("tl", [("Ikut pelatihan analisis data", besok, None)]),
        **kw,
    )


def test_penilai_records_bimbingan_with_follow_up_and_pegawai_is_told(org):
    d = catat(org)
    t = d.tindak_lanjut_set.get()
    assert t.penanggung_jawab == org.pegawai and not t.selesai
    assert Notifikasi.objects.filter(penerima=org.user("pegawai"), jenis="dialog_kinerja").exists()


@pytest.mark.parametrize(
    ("pemimpin", "jenis", "ok"),
    [
        ("kasubbid", "konseling", True),
        ("kabid", "bimbingan", True),  # atasan penilai
        ("fungsional", "check_in", True),  # ketua tim
        ("fungsional", "konseling", False),  # konseling is the penilai's
        ("rekan", "check_in", False),
        ("kadis", "check_in", False),
    ],
)
def test_who_may_record_a_dialogue(org, pemimpin, jenis, ok):
    if ok:
        assert catat(org, pemimpin, jenis=jenis).pemimpin == getattr(org, pemimpin)
    else:
        with pytest.raises(PermissionDenied):
            catat(org, pemimpin, jenis=jenis)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("pegawai", 200),
        ("kasubbid", 200),
        ("kabid", 200),
        ("rekan", 404),
        ("kadis", 404),
        ("admin_a", 404),
        ("pegawai_b", 404),
    ],
)
def test_both_parties_see_the_dialogue_others_do_not(org, client_as, who, status):
    d = catat(org)
    assert client_as(org.user(who)).get(f"/dialog/dialog-kinerja/{d.pk}/").status_code == status


def test_pegawai_ticks_off_a_follow_up_but_cannot_edit_notes(org, client_as):
    d = catat(org)
    t = d.tindak_lanjut_set.get()
    c = client_as(org.user("pegawai"))
    assert c.post(f"/dialog/tindak-lanjut/{t.pk}/selesai/", {"selesai": "1"}).status_code == 302
    t.refresh_from_db()
    assert t.selesai and t.selesai_pada
    r = c.post(
        f"/dialog/dialog-kinerja/{d.pk}/",
        {"aksi": "ubah", "agenda": "x", "row_version": d.row_version},
    )
    assert r.status_code == 403
    assert (
        client_as(org.user("rekan")).post(f"/dialog/tindak-lanjut/{t.pk}/selesai/").status_code
        == 404
    )


def test_notes_edit_with_stale_version_is_refused(org):
    d = catat(org)
    svc.dialog_ubah(user=org.user("kasubbid"), dialog=d, agenda="A", catatan="B", row_version=1)
    with pytest.raises(ValidationError, match="sudah diubah oleh pengguna lain"):
        svc.dialog_ubah(user=org.user("kasubbid"), dialog=d, agenda="C", catatan="", row_version=1)


def test_dialog_form_page(org, client_as):
    c = client_as(org.user("kasubbid"))
    assert c.get("/dialog/dialog-kinerja/baru/").status_code == 200
    r = c.post(
        "/dialog/dialog-kinerja/baru/",
        {
            "pegawai": org.pegawai.pk,
            "jenis": "check_in",
            "waktu": "2026-03-02T09:00",
            "agenda": "Check-in",
            "catatan": "",
            "tl_uraian": "Kirim draf",
            "tl_tenggat": "",
            "tl_oleh": "pegawai",
        },
    )
    assert r.status_code == 200 and "perlu tenggat" in r.content.decode()
    assert not DialogKinerja.objects.exists()
    assert client_as(org.user("rekan")).get("/dialog/dialog-kinerja/baru/").status_code == 403


def test_follow_up_reminder_once_per_day(org):
    catat(org)
    assert svc.pengingat_tindak_lanjut() == 1
    assert svc.pengingat_tindak_lanjut() == 0
    n = Notifikasi.objects.get(jenis="tindak_lanjut_jatuh_tempo")
    assert n.penerima == org.user("pegawai")
    TindakLanjut.objects.update(selesai=True)
    assert svc.pengingat_tindak_lanjut(hari_ini=timezone.localdate() + dt.timedelta(days=1)) == 0


# --- the year page ------------------------------------------------------------------------------
def _fill(org, rhk, n: int) -> None:
    now = timezone.now()
    UmpanBalik.objects.bulk_create(
        [
            UmpanBalik(
                penerima=org.pegawai,
                pemberi=org.rekan,
                hubungan="rekan",
                jenis="apresiasi",
                isi=f"ub {i}",
                periode=org.periode_a,
                urutan=1,
                dibuat=now,
                rencana_hasil_kerja=rhk if i % 2 else None,
            )
            for i in range(n)
        ]
    )
    Penugasan.objects.bulk_create(
        [
            Penugasan(
                pemberi=org.kadis,
                penerima=org.pegawai,
                periode=org.periode_a,
                uraian=f"tugas {i}",
                hasil_diharapkan="h",
                status="disetujui",
            )
            for i in range(n)
        ]
    )
    d = DialogKinerja.objects.bulk_create(
        [
            DialogKinerja(
                pegawai=org.pegawai,
                pemimpin=org.kasubbid,
                periode=org.periode_a,
                jenis="check_in",
                waktu=now,
                agenda=f"a {i}",
            )
            for i in range(n)
        ]
    )
    TindakLanjut.objects.bulk_create(
        [
            TindakLanjut(
                dialog=x, uraian="t", penanggung_jawab=org.pegawai, tenggat=timezone.localdate()
            )
            for x in d
        ]
    )


def _queries(client, url, **extra) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url, **extra)
    assert r.status_code == 200
    return len(ctx.captured_queries), r.content.decode()


def test_year_page_query_count_is_constant(org, client_as, rhk):
    Realisasi.objects.create(
        pegawai=org.pegawai,
        periode=org.periode_a,
        urutan=1,
        rencana_hasil_kerja=rhk,
        rhk_kunci=rhk.kunci,
        uraian="r",
    )
    url = f"/dialog/pegawai/{org.pegawai.pk}/tahun/{org.periode_a.tahun}/"
    for who in ("pegawai", "kasubbid"):
        c = client_as(org.user(who))
        _fill(org, rhk, 5)
        small, html = _queries(c, url)
        assert "SKP versi 1" in html and "ub 4" in html and "tugas 4" in html
        _fill(org, rhk, 195)
        large, _ = _queries(c, url)
        assert small == large, (who, small, large)
        UmpanBalik.objects.all().delete()
        DialogKinerja.objects.all().delete()
        Penugasan.objects.all().delete()


def test_year_page_filters_by_kind_with_htmx(org, client_as, rhk):
    _fill(org, rhk, 2)
    url = f"/dialog/pegawai/{org.pegawai.pk}/tahun/{org.periode_a.tahun}/?jenis=dialog"
    _, html = _queries(client_as(org.user("pegawai")), url, HTTP_HX_REQUEST="true")
    assert "<html" not in html and "Check-in" in html and "ub 1" not in html and "tugas" not in html


def test_year_page_shows_things_in_time_order(org, client_as):
    tahun = org.periode_a.tahun
    for bulan, isi in ((2, "februari"), (9, "september"), (5, "mei")):
        svc.umpan_balik_beri(
            user=org.user("kasubbid"),
            penerima=org.pegawai,
            jenis="apresiasi",
            isi=isi,
            waktu=timezone.make_aware(dt.datetime(tahun, bulan, 1, 9)),
        )
    _, html = _queries(
        client_as(org.user("pegawai")), f"/dialog/pegawai/{org.pegawai.pk}/tahun/{tahun}/"
    )
    assert html.index("september") < html.index("mei") < html.index("februari")


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("pegawai", 200),
        ("kasubbid", 200),
        ("kabid", 200),
        ("rekan", 404),
        ("kadis", 404),
        ("admin_b", 404),
        ("pegawai_b", 404),
    ],
)
def test_year_page_visibility(org, client_as, who, status):
    url = f"/dialog/pegawai/{org.pegawai.pk}/tahun/{org.periode_a.tahun}/"
    assert client_as(org.user(who)).get(url).status_code == status


def test_every_page_renders_for_every_persona(org, client_as, rhk):
    pages = [
        "/dialog/umpan-balik/",
        "/dialog/umpan-balik/minta/",
        "/dialog/tim/",
        "/dialog/penugasan/",
        "/dialog/peluang/",
        "/dialog/dokumentasi/",
        "/dialog/dialog-kinerja/",
        "/",
    ]
    for who in ("pegawai", "kasubbid", "kadis", "kepala_b", "gubernur"):
        c = client_as(org.user(who))
        for url in pages:
            assert c.get(url).status_code == 200, (who, url)
    assert client_as(org.user("kasubbid")).get("/dialog/penugasan/usulkan/").status_code == 200
    assert client_as(org.user("pegawai")).get("/dialog/penugasan/usulkan/").status_code == 403
    assert client_as(org.user("admin_a")).get("/dialog/umpan-balik/beri/").status_code == 404


def test_reminders_through_the_engine(org):
    import dialog.pengingat  # noqa: F401  registers
    from kinerja import pengingat

    catat(org)
    hari_ini = timezone.localdate()
    pengingat.jalankan_instansi(org.instansi_a, hari_ini, hanya={"tindak_lanjut_jatuh_tempo"})
    assert (
        Notifikasi.objects.filter(
            penerima=org.user("pegawai"), jenis="tindak_lanjut_jatuh_tempo"
        ).count()
        == 1
    )
    # The penilai's obligation, near the end of the window.
    from kinerja.rules import jendela_pada

    j = jendela_pada(org.periode_a.tahun, org.periode_a.frekuensi, hari_ini)
    akhir = j.selesai - dt.timedelta(days=3)
    pengingat.jalankan_instansi(org.instansi_a, akhir, hanya={"umpan_balik_belum_diberikan"})
    n = Notifikasi.objects.get(penerima=org.user("kasubbid"), jenis="umpan_balik_belum_diberikan")
    assert "2 pegawai" in n.pesan
