"""Keberatan (PP 30/2019 art. 59): every step and every refusal, in the services, the pages,
the API, the document, the reminders, and the reads that follow a changed result.

The persona organisation: org.pegawai is rated by org.kasubbid (pejabat penilai), whose atasan
is org.kabid (the pemutus); org.rekan is a peer; admin_a / admin_b administer instansi A / B.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from evaluasi import rules, selectors, services
from evaluasi.models import Evaluasi, Keberatan, LampiranKeberatan, PenjelasanKeberatan
from kinerja.models import Notifikasi
from tests.evaluasi.conftest import evaluasi_draft, final, ko

A, S, B = rules.DIATAS, rules.SESUAI, rules.DIBAWAH


def _mundur(ev: Evaluasi, **delta) -> Evaluasi:
    """Time travel: the evaluation became final `delta` ago."""
    Evaluasi.objects.filter(pk=ev.pk).update(finalisasi_pada=timezone.now() - dt.timedelta(**delta))
    ev.refresh_from_db()
    return ev


def _ajukan(org, ev=None, alasan="Capaian saya di atas target tetapi dinilai sesuai.", **kw):
    ev = ev or final(org)
    return services.keberatan_ajukan(user=org.pegawai.user, evaluasi=ev, alasan=alasan, **kw)


def _klien(user):
    """A client of its own per user (several parties act in one test)."""
    from django.test import Client

    c = Client()
    c.force_login(user)
    return c


def _pdf_upload(name="bukti.pdf"):
    from tests.dialog.conftest import pdf_bytes

    return SimpleUploadedFile(name, pdf_bytes(), "application/pdf")


# --- the rule ---------------------------------------------------------------------------------
def test_deadline_is_fourteen_days_from_the_moment_it_became_final():
    f = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)
    assert rules.batas_keberatan(f) == dt.datetime(2026, 12, 9, 10, 0, tzinfo=dt.UTC)
    assert rules.keberatan_masih_dibuka(f, f)
    assert rules.keberatan_masih_dibuka(f, f + dt.timedelta(days=14))
    assert not rules.keberatan_masih_dibuka(f, f + dt.timedelta(days=14, seconds=1))
    assert not rules.keberatan_masih_dibuka(f, f - dt.timedelta(seconds=1))
    assert not rules.keberatan_masih_dibuka(None, f)
    assert rules.sisa_hari(rules.batas_keberatan(f), f) == 14
    assert rules.sisa_hari(rules.batas_keberatan(f), f + dt.timedelta(days=13, hours=1)) == 1
    assert rules.sisa_hari(rules.batas_keberatan(f), f + dt.timedelta(days=15)) == 0
    assert rules.sisa_label(rules.batas_keberatan(f), f) == "14 hari lagi"
    assert rules.sisa_label(rules.batas_keberatan(f), f + dt.timedelta(minutes=1)) == (
        "14 hari lagi"
    )
    assert rules.sisa_label(f + dt.timedelta(days=1, minutes=1), f) == "2 hari lagi"
    assert rules.sisa_label(f + dt.timedelta(days=1), f) == "24 jam lagi"
    assert rules.sisa_label(f + dt.timedelta(hours=5, minutes=3), f) == "5 jam lagi"
    assert rules.sisa_label(f + dt.timedelta(minutes=3), f) == "kurang dari 1 jam lagi"
    assert rules.sisa_label(f, f) == "sudah berakhir"


def test_time_is_said_in_indonesian_with_the_zone():
    wib = dt.timezone(dt.timedelta(hours=7))
    t = dt.datetime(2026, 12, 9, 10, 0, tzinfo=wib)
    assert rules.waktu_label(t, "Asia/Jakarta") == "9 Desember 2026 pukul 10.00 WIB"
    assert rules.waktu_label(t, "Asia/Makassar").endswith("WITA")
    assert rules.waktu_label(t, "Asia/Jayapura").endswith("WIT")
    assert rules.tanggal_label(dt.date(2026, 1, 31)) == "31 Januari 2026"


# --- filing -------------------------------------------------------------------------------------
def test_pegawai_files_on_time_to_the_atasan_with_an_attachment(
    org, django_capture_on_commit_callbacks
):
    ev = final(org)
    versi = ev.row_version
    with django_capture_on_commit_callbacks(execute=True):
        k = _ajukan(org, ev, lampiran=[_pdf_upload()])
    assert k.status == Keberatan.Status.DIAJUKAN
    assert k.pemutus_id == org.kabid.pk and k.sumber_pemutus == "atasan"
    assert k.pejabat_penilai_id == org.kasubbid.pk
    assert (k.rating_hasil_kerja_semula, k.predikat_semula) == (S, "baik")
    assert k.batas_putusan - k.diajukan == dt.timedelta(days=14)
    lampiran = LampiranKeberatan.objects.get(keberatan=k)
    assert lampiran.mime == "application/pdf" and len(lampiran.sha256) == 64
    assert "bukti" not in lampiran.berkas.name  # stored under an unguessable name
    assert k.history.count() == 1 and lampiran.history.count() == 1
    ev.refresh_from_db()
    assert ev.row_version == versi + 1  # the document must be re-issued with the keberatan
    assert ev.history.first().history_change_reason == "Keberatan diajukan"
    told = Notifikasi.objects.filter(jenis="keberatan_diajukan")
    assert set(told.values_list("penerima_id", flat=True)) == {
        org.kabid.user_id,
        org.kasubbid.user_id,
    }
    assert f"/evaluasi/keberatan/{k.pk}/" in told.first().tautan


def test_late_keberatan_is_refused_saying_when_the_window_closed(org):
    ev = _mundur(final(org), days=14, minutes=1)
    with pytest.raises(ValidationError) as exc:
        _ajukan(org, ev)
    batas = timezone.localtime(rules.batas_keberatan(ev.finalisasi_pada))
    pesan = exc.value.messages[0]
    assert pesan.startswith("Batas waktu keberatan berakhir pada ")
    assert f"{batas.day} {rules.BULAN[batas.month - 1]} {batas.year} pukul" in pesan
    assert pesan.endswith(f"{batas:%H}.{batas:%M} WIB.")
    assert not Keberatan.objects.exists()


def test_last_minute_is_still_on_time(org):
    ev = _mundur(final(org), days=13, hours=23, minutes=58)
    assert _ajukan(org, ev).pk


def test_someone_else_cannot_file(org):
    ev = final(org)
    for who in (org.kasubbid, org.kabid, org.rekan):
        with pytest.raises(PermissionDenied):
            services.keberatan_ajukan(user=who.user, evaluasi=ev, alasan="Tidak setuju")
    with pytest.raises(PermissionDenied):
        services.keberatan_ajukan(user=org.admin_a, evaluasi=ev, alasan="Tidak setuju")
    assert not Keberatan.objects.exists()


def test_draft_evaluation_cannot_be_objected_to(org):
    ev = evaluasi_draft(org)
    with pytest.raises(ValidationError, match="sudah final"):
        _ajukan(org, ev)


def test_second_keberatan_while_one_is_open_is_refused(org):
    k = _ajukan(org)
    with pytest.raises(ValidationError, match="masih diproses"):
        _ajukan(org, k.evaluasi)
    assert Keberatan.objects.count() == 1


def test_after_a_decision_no_new_keberatan_on_the_same_result(org):
    k = _ajukan(org)
    services.keberatan_putuskan(
        user=org.kabid.user, keberatan=k, keputusan="tetap", alasan_keputusan="Sudah sesuai"
    )
    with pytest.raises(ValidationError, match="telah diputus"):
        _ajukan(org, k.evaluasi)


def test_reasons_are_required_and_attachments_are_checked_by_content(org):
    ev = final(org)
    with pytest.raises(ValidationError) as exc:
        _ajukan(org, ev, alasan="   ")
    assert "alasan" in exc.value.message_dict
    palsu = SimpleUploadedFile("surat.pdf", b"MZ\x90\x00 not a pdf at all" * 10, "application/pdf")
    with pytest.raises(ValidationError) as exc:
        _ajukan(org, ev, lampiran=[palsu])
    assert "lampiran" in exc.value.message_dict
    assert not Keberatan.objects.exists() and not LampiranKeberatan.objects.exists()


def test_without_an_atasan_it_goes_to_the_instansi_designee(org):
    from kinerja.models import Instansi

    ev = final(org)
    Evaluasi.objects.filter(pk=ev.pk).update(atasan_pejabat_penilai=None)
    type(org.pegawai).objects.filter(pk=org.pegawai.pk).update(atasan_pejabat_penilai=None)
    ev.refresh_from_db()
    Instansi.objects.filter(pk=org.instansi_a.pk).update(pejabat_keberatan=org.sekda)
    ev = Evaluasi.objects.get(pk=ev.pk)
    k = _ajukan(org, ev)
    assert k.pemutus_id == org.sekda.pk and k.sumber_pemutus == "ditunjuk"
    # the designee sees the keberatan and the evaluation objected to
    assert selectors.keberatan_untuk(org.sekda.user, k.pk) == k
    from kinerja import policy

    assert policy.can(org.sekda.user, "view", ev)
    assert policy.scope(org.sekda.user, Evaluasi.objects.filter(pk=ev.pk)).exists()


def test_an_atasan_who_has_left_passes_to_the_holder_of_the_line_not_the_designee(org):
    from kinerja.models import Instansi, Pegawai

    ev = final(org)
    Pegawai.objects.filter(pk=org.kabid.pk).update(status=Pegawai.Status.BERHENTI)
    Instansi.objects.filter(pk=org.instansi_a.pk).update(pejabat_keberatan=org.sekda)
    k = _ajukan(org, Evaluasi.objects.get(pk=ev.pk))
    # The kabid's post is vacant: it passes upward to the Kepala BKD; the designee only when
    # nobody holds the line.
    assert k.pemutus_id == org.kepala_bkd.pk and k.sumber_pemutus == "pemegang"


def test_decision_deadline_follows_the_instansi_setting(org):
    from kinerja.models import PengaturanPengingat

    c = _klien(org.admin_a)
    assert "memutus keberatan" in c.get("/notifikasi/pengaturan/").content.decode()
    data = {
        "aktif": "on", "jam_kirim": "7", "hari_sebelum_batas_skp": "7",
        "hari_eskalasi_persetujuan": "7", "hari_penugasan": "3", "hari_sebelum_akhir_jendela": "14",
        "hari_tenggang_evaluasi": "14", "hari_sebelum_batas_sanksi": "30",
        "hari_sebelum_tindak_lanjut": "3", "hari_putus_keberatan": "7",
    }  # fmt: skip
    assert c.post("/notifikasi/pengaturan/", data).status_code == 302
    assert PengaturanPengingat.objects.get(instansi=org.instansi_a).hari_putus_keberatan == 7
    k = _ajukan(org)
    assert k.batas_putusan - k.diajukan == dt.timedelta(days=7)
    # a form sent without the field (an older client) keeps the value
    data.pop("hari_putus_keberatan")
    assert c.post("/notifikasi/pengaturan/", data).status_code == 302
    assert PengaturanPengingat.objects.get(instansi=org.instansi_a).hari_putus_keberatan == 7


# --- examination ----------------------------------------------------------------------------
def test_atasan_asks_both_parties_each_answers_and_everyone_sees_the_thread(org):
    k = _ajukan(org)
    rows = services.keberatan_minta_penjelasan(
        user=org.kabid.user,
        keberatan=k,
        kepada=["pejabat_penilai", "pegawai"],
        pertanyaan="Apa dasar rating hasil kerja?",
    )
    assert [r.kepada for r in rows] == ["pejabat_penilai", "pegawai"]
    k.refresh_from_db()
    assert k.status == Keberatan.Status.DIPERIKSA
    services.keberatan_jelaskan(
        user=org.kasubbid.user, keberatan=k, isi="Dua dari tiga target tercapai."
    )
    services.keberatan_jelaskan(
        user=org.pegawai.user, keberatan=k, isi="Target ketiga tertunda karena anggaran."
    )
    jawaban = PenjelasanKeberatan.objects.filter(keberatan=k, jenis="jawaban")
    assert {(j.peran, j.permintaan.kepada) for j in jawaban} == {
        ("pejabat_penilai", "pejabat_penilai"),
        ("pegawai", "pegawai"),
    }
    for who in (org.pegawai, org.kasubbid, org.kabid):
        assert selectors.keberatan_untuk(who.user, k.pk).penjelasan_set.count() == 4
    # answered: nothing more to answer
    with pytest.raises(ValidationError, match="Belum ada permintaan"):
        services.keberatan_jelaskan(user=org.pegawai.user, keberatan=k, isi="Tambahan")


def test_minta_penjelasan_and_jelaskan_by_the_wrong_person_are_refused(org):
    k = _ajukan(org)
    for user in (org.pegawai.user, org.kasubbid.user, org.admin_a):
        with pytest.raises(PermissionDenied):
            services.keberatan_minta_penjelasan(
                user=user, keberatan=k, kepada=["pegawai"], pertanyaan="?"
            )
    services.keberatan_minta_penjelasan(
        user=org.kabid.user, keberatan=k, kepada=["pejabat_penilai"], pertanyaan="Dasarnya?"
    )
    # the pemutus and the admin do not answer; the pegawai was not asked
    for user in (org.kabid.user, org.admin_a):
        with pytest.raises(PermissionDenied):
            services.keberatan_jelaskan(user=user, keberatan=k, isi="x")
    with pytest.raises(ValidationError):
        services.keberatan_jelaskan(user=org.pegawai.user, keberatan=k, isi="x")
    permintaan = PenjelasanKeberatan.objects.get(keberatan=k, jenis="permintaan")
    with pytest.raises(ValidationError) as exc:
        services.keberatan_jelaskan(
            user=org.pegawai.user, keberatan=k, isi="x", permintaan=permintaan.pk
        )
    assert "permintaan" in exc.value.message_dict
    assert not PenjelasanKeberatan.objects.filter(jenis="jawaban").exists()
    with pytest.raises(ValidationError) as exc:
        services.keberatan_minta_penjelasan(
            user=org.kabid.user, keberatan=k, kepada=["atasan"], pertanyaan=""
        )
    assert set(exc.value.message_dict) == {"kepada", "pertanyaan"}


# --- decision -----------------------------------------------------------------------------
def test_putuskan_tetap_keeps_the_result_and_is_final(org, django_capture_on_commit_callbacks):
    k = _ajukan(org)
    ev = Evaluasi.objects.get(pk=k.evaluasi_id)
    with django_capture_on_commit_callbacks(execute=True):
        k = services.keberatan_putuskan(
            user=org.kabid.user,
            keberatan=k,
            keputusan="tetap",
            alasan_keputusan="Rating sesuai bukti dukung.",
            row_version=k.row_version,
        )
    assert k.status == "diputus" and k.keputusan == "tetap" and k.diputus_oleh == org.kabid.user
    ev2 = Evaluasi.objects.get(pk=ev.pk)
    assert (ev2.rating_hasil_kerja, ev2.predikat) == (ev.rating_hasil_kerja, ev.predikat)
    n = Notifikasi.objects.get(jenis="keberatan_diputus", penerima=org.pegawai.user)
    assert "tetap" in n.pesan


def test_putuskan_diubah_replaces_ratings_recomputes_predikat_and_keeps_history(org):
    k = _ajukan(org)
    ev = Evaluasi.objects.get(pk=k.evaluasi_id)
    assert ev.predikat == "baik"
    k = services.keberatan_putuskan(
        user=org.kabid.user,
        keberatan=k,
        keputusan="diubah",
        alasan_keputusan="Target ketiga tertunda bukan karena pegawai.",
        rating_hasil_kerja=A,
        rating_perilaku_kerja=A,
        row_version=k.row_version,
    )
    ev.refresh_from_db()
    assert (ev.rating_hasil_kerja, ev.rating_perilaku_kerja) == (A, A)
    assert ev.predikat == rules.predikat(A, A) == "sangat_baik"
    assert (k.predikat_semula, k.predikat_baru) == ("baik", "sangat_baik")
    riwayat = list(ev.history.order_by("history_date", "history_id"))
    assert {h.predikat for h in riwayat} >= {"baik", "sangat_baik"}
    assert riwayat[-1].history_change_reason.startswith("keberatan:")
    assert riwayat[-1].predikat == "sangat_baik"
    assert any(h.predikat == "baik" and h.status == "final" for h in riwayat[:-1])


def test_a_decision_needs_reasons_and_real_new_ratings(org):
    k = _ajukan(org)
    with pytest.raises(ValidationError) as exc:
        services.keberatan_putuskan(
            user=org.kabid.user, keberatan=k, keputusan="diubah", alasan_keputusan=""
        )
    assert {"alasan_keputusan", "rating_hasil_kerja", "rating_perilaku_kerja"} <= set(
        exc.value.message_dict
    )
    with pytest.raises(ValidationError, match="sama dengan hasil semula"):
        services.keberatan_putuskan(
            user=org.kabid.user,
            keberatan=k,
            keputusan="diubah",
            alasan_keputusan="x",
            rating_hasil_kerja=S,
            rating_perilaku_kerja=S,
        )
    with pytest.raises(ValidationError) as exc:
        services.keberatan_putuskan(
            user=org.kabid.user, keberatan=k, keputusan="batal", alasan_keputusan="x"
        )
    assert "keputusan" in exc.value.message_dict
    k.refresh_from_db()
    assert k.terbuka


def test_a_decision_on_a_stale_thread_is_refused(org):
    k = _ajukan(org)
    dibuka = k.row_version
    services.keberatan_minta_penjelasan(
        user=org.kabid.user, keberatan=k, kepada=["pegawai"], pertanyaan="Buktinya?"
    )
    with pytest.raises(ValidationError) as exc:
        services.keberatan_putuskan(
            user=org.kabid.user,
            keberatan=k,
            keputusan="tetap",
            alasan_keputusan="x",
            row_version=dibuka,
        )
    assert "row_version" in exc.value.message_dict


def test_only_the_pemutus_decides_admin_of_the_same_instansi_only_reads(org):
    k = _ajukan(org)
    for user in (org.admin_a, org.kasubbid.user, org.pegawai.user, org.superuser):
        with pytest.raises(PermissionDenied):
            services.keberatan_putuskan(
                user=user, keberatan=k, keputusan="tetap", alasan_keputusan="x"
            )
    assert selectors.keberatan_untuk(org.admin_a, k.pk) == k


def test_every_action_after_the_decision_is_refused(org):
    k = _ajukan(org)
    services.keberatan_minta_penjelasan(
        user=org.kabid.user, keberatan=k, kepada=["pegawai"], pertanyaan="Buktinya?"
    )
    k = services.keberatan_putuskan(
        user=org.kabid.user, keberatan=k, keputusan="tetap", alasan_keputusan="Sesuai"
    )
    with pytest.raises(PermissionDenied, match="final"):
        services.keberatan_putuskan(
            user=org.kabid.user,
            keberatan=k,
            keputusan="diubah",
            alasan_keputusan="Berubah pikiran",
            rating_hasil_kerja=A,
            rating_perilaku_kerja=A,
        )
    with pytest.raises(PermissionDenied, match="final"):
        services.keberatan_minta_penjelasan(
            user=org.kabid.user, keberatan=k, kepada=["pegawai"], pertanyaan="?"
        )
    with pytest.raises(PermissionDenied, match="final"):
        services.keberatan_jelaskan(user=org.pegawai.user, keberatan=k, isi="Terlambat")
    assert Evaluasi.objects.get(pk=k.evaluasi_id).predikat == "baik"


def test_admin_cannot_reopen_an_evaluation_under_an_open_keberatan(org):
    k = _ajukan(org)
    with pytest.raises(ValidationError, match="proses keberatan"):
        services.evaluasi_buka_kembali(user=org.admin_a, evaluasi=k.evaluasi, alasan="Salah input")


# --- reads follow a changed result ----------------------------------------------------------
def test_distribution_and_recap_use_the_changed_result(org):
    from evaluasi import jendela, rekap

    ko(org, org.unit_bidang, "baik")
    k = _ajukan(org)
    w = jendela.dari_jenis(org.periode_a, "tahunan", None)
    assert selectors.distribusi_unit(org.unit_bidang, org.periode_a, w).counts == {"baik": 1}
    services.keberatan_putuskan(
        user=org.kabid.user,
        keberatan=k,
        keputusan="diubah",
        alasan_keputusan="Diubah",
        rating_hasil_kerja=B,
        rating_perilaku_kerja=S,
    )
    d = selectors.distribusi_unit(org.unit_bidang, org.periode_a, w)
    assert d.counts == {"butuh_perbaikan": 1}
    data = rekap.data_rekap(org.periode_a)
    rows = [dict(zip(rekap.KOLOM_PEGAWAI, r, strict=True)) for r in data["per_pegawai"]]
    row = next(r for r in rows if r["nama"] == org.pegawai.nama)
    assert row["kode"] == "butuh_perbaikan" and row["hasil"] == rules.RATING_LABEL[B]
    unit = next(u for u in data["per_unit"] if u["unit"] == org.unit_bidang.nama)
    assert unit["counts"][rules.PREDIKAT.index("butuh_perbaikan")] == 1


def test_follow_up_lists_use_the_changed_result(org):
    k = _ajukan(org)
    services.keberatan_putuskan(
        user=org.kabid.user,
        keberatan=k,
        keputusan="diubah",
        alasan_keputusan="Perilaku tidak konsisten",
        rating_hasil_kerja=S,
        rating_perilaku_kerja=B,
    )
    data = selectors.tindak_lanjut(org.periode_a)
    assert [c["pegawai"] for c in data["kandidat_sanksi"]] == [org.pegawai]


def test_completeness_report_lists_open_keberatan(org):
    k = _ajukan(org)
    assert [x.pk for x in selectors.kelengkapan(org.periode_a)["keberatan_terbuka"]] == [k.pk]
    services.keberatan_putuskan(
        user=org.kabid.user, keberatan=k, keputusan="tetap", alasan_keputusan="Sesuai"
    )
    assert selectors.kelengkapan(org.periode_a)["keberatan_terbuka"] == []


# --- the evaluation document --------------------------------------------------------------
def _pdf_text(ev) -> str:
    from pypdf import PdfReader

    doc = services.evaluasi_dokumen_render(evaluasi=ev)
    with doc.berkas.open("rb") as fh:
        return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(fh.read())).pages)


def test_document_shows_an_open_keberatan_then_the_decision(org):
    k = _ajukan(org)
    ev = Evaluasi.objects.get(pk=k.evaluasi_id)
    text = _pdf_text(ev)
    assert "SEDANG DALAM PROSES KEBERATAN" in text
    assert rules.tanggal_label(timezone.localdate()) in text
    services.keberatan_putuskan(
        user=org.kabid.user,
        keberatan=k,
        keputusan="diubah",
        alasan_keputusan="Diubah",
        rating_hasil_kerja=A,
        rating_perilaku_kerja=A,
    )
    ev.refresh_from_db()
    text = _pdf_text(ev)
    assert "SEDANG DALAM PROSES KEBERATAN" not in text
    assert "KEBERATAN TELAH DIPUTUS: HASIL EVALUASI DIUBAH" in text
    assert "SANGAT BAIK" in text


def test_document_without_keberatan_says_nothing_of_it(org):
    text = _pdf_text(final(org))
    assert "KEBERATAN" not in text


# --- reminders ----------------------------------------------------------------------------
def test_reminders_fire_for_the_pemutus_near_and_past_the_deadline(org):
    from kinerja.pengingat import jalankan_instansi

    k = _ajukan(org)
    batas = timezone.localtime(k.batas_putusan).date()
    hanya = {"keberatan_belum_diputus"}

    def terkirim(hari):
        Notifikasi.objects.filter(jenis="keberatan_belum_diputus").delete()
        jalankan_instansi(org.instansi_a, hari, hanya=hanya)
        return list(Notifikasi.objects.filter(jenis="keberatan_belum_diputus"))

    assert terkirim(batas - dt.timedelta(days=4)) == []
    dekat = terkirim(batas - dt.timedelta(days=2))
    assert [n.penerima for n in dekat] == [org.kabid.user]
    assert "2 hari lagi" in dekat[0].pesan and org.pegawai.nama in dekat[0].pesan
    lewat = terkirim(batas + dt.timedelta(days=1))
    assert {n.penerima for n in lewat} == {org.kabid.user, org.admin_a}
    assert "telah lewat 1 hari" in lewat[0].pesan
    services.keberatan_putuskan(
        user=org.kabid.user, keberatan=k, keputusan="tetap", alasan_keputusan="Sesuai"
    )
    assert terkirim(batas + dt.timedelta(days=2)) == []


def test_notification_kinds_are_known_for_the_preferences_page():
    from kinerja.notifikasi import label_jenis

    assert label_jenis("keberatan_diputus") == "Keberatan atas evaluasi kinerja diputus"
    assert label_jenis("keberatan_belum_diputus") == "Keberatan menunggu keputusan"


# --- API ------------------------------------------------------------------------------------
def test_api_pegawai_files_with_a_multipart_attachment_and_reads_it_back(org):
    ev = final(org)
    c = _klien(org.pegawai.user)
    r = c.post(
        "/api/v1/keberatan/",
        {"evaluasi": ev.pk, "alasan": "Tidak sesuai bukti", "lampiran": [_pdf_upload()]},
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["status"] == "diajukan" and body["pemutus"] == org.kabid.pk
    assert body["keputusan"] is None and body["predikat_baru"] is None
    assert body["predikat_semula"] == "baik" and len(body["lampiran"]) == 1
    url = body["lampiran"][0]["url"]
    assert c.get(url).status_code == 200
    assert _klien(org.rekan.user).get(url).status_code == 404
    assert _klien(org.admin_b).get(url).status_code == 404


def test_api_refusals_late_someone_else_draft_second(org):
    ev = final(org)
    c = _klien(org.pegawai.user)
    body = {"evaluasi": ev.pk, "alasan": "Tidak sesuai"}
    # the penilai sees the evaluation but may not file: 403; a peer does not see it: 404
    assert (
        _klien(org.kasubbid.user)
        .post("/api/v1/keberatan/", body, content_type="application/json")
        .status_code
        == 403
    )
    assert (
        _klien(org.rekan.user)
        .post("/api/v1/keberatan/", body, content_type="application/json")
        .status_code
        == 404
    )
    # her own draft evaluation is not hers to see yet: 404
    draft = evaluasi_draft(org, jenis="periodik", urutan=1)
    r = c.post(
        "/api/v1/keberatan/",
        {"evaluasi": draft.pk, "alasan": "x"},
        content_type="application/json",
    )
    assert r.status_code == 404
    _mundur(ev, days=15)
    r = c.post("/api/v1/keberatan/", body, content_type="application/json")
    assert r.status_code == 400
    assert r.json()["non_field_errors"][0].startswith("Batas waktu keberatan berakhir pada ")
    Evaluasi.objects.filter(pk=ev.pk).update(finalisasi_pada=timezone.now())
    assert c.post("/api/v1/keberatan/", body, content_type="application/json").status_code == 201
    r = c.post("/api/v1/keberatan/", body, content_type="application/json")
    assert r.status_code == 400 and "masih diproses" in r.json()["non_field_errors"][0]
    r = c.post(
        "/api/v1/keberatan/", {"evaluasi": ev.pk, "alasan": " "}, content_type="application/json"
    )
    assert r.status_code == 400


def test_api_visibility_only_the_parties_and_the_instansi_admin(org):
    k = _ajukan(org)
    url = f"/api/v1/keberatan/{k.pk}/"
    expected = {
        org.pegawai.user: 200,
        org.kasubbid.user: 200,
        org.kabid.user: 200,
        org.admin_a: 200,
        org.superuser: 200,
        org.rekan.user: 404,
        org.fungsional.user: 404,
        org.kadis.user: 404,
        org.admin_b: 404,
        org.pegawai_b.user: 404,
    }
    for user, status in expected.items():
        c = _klien(user)
        assert c.get(url).status_code == status, user
        assert c.get("/api/v1/keberatan/").json()["count"] == (1 if status == 200 else 0), user


def test_api_the_whole_journey_and_refusals_by_the_wrong_person(org):
    k = _ajukan(org)
    base = f"/api/v1/keberatan/{k.pk}"
    pegawai, penilai = _klien(org.pegawai.user), None
    minta = {"kepada": ["pejabat_penilai", "pegawai"], "pertanyaan": "Mohon penjelasan."}
    r = pegawai.post(f"{base}/minta-penjelasan/", minta, content_type="application/json")
    assert r.status_code == 403
    admin_b = _klien(org.admin_b)
    assert (
        admin_b.post(
            f"{base}/minta-penjelasan/", minta, content_type="application/json"
        ).status_code
        == 404
    )
    admin_a = _klien(org.admin_a)
    assert (
        admin_a.post(
            f"{base}/minta-penjelasan/", minta, content_type="application/json"
        ).status_code
        == 403
    )
    atasan = _klien(org.kabid.user)
    r = atasan.post(f"{base}/minta-penjelasan/", minta, content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "diperiksa"
    assert [p["dijawab"] for p in r.json()["penjelasan"]] == [False, False]
    r = atasan.post(f"{base}/jelaskan/", {"isi": "x"}, content_type="application/json")
    assert r.status_code == 403
    penilai = _klien(org.kasubbid.user)
    r = penilai.post(f"{base}/jelaskan/", {"isi": "Bukti kurang."}, content_type="application/json")
    assert r.status_code == 200
    pegawai = _klien(org.pegawai.user)
    r = pegawai.post(f"{base}/jelaskan/", {"isi": "Bukti ada."}, content_type="application/json")
    assert r.status_code == 200
    thread = r.json()["penjelasan"]
    assert [p["jenis"] for p in thread] == ["permintaan", "permintaan", "jawaban", "jawaban"]
    assert [p["dijawab"] for p in thread[:2]] == [True, True]
    versi = r.json()["row_version"]
    putus = {
        "keputusan": "diubah",
        "alasan_keputusan": "Bukti mendukung.",
        "rating_hasil_kerja": "diatas_ekspektasi",
        "rating_perilaku_kerja": "sesuai_ekspektasi",
    }
    r = atasan.post(f"{base}/putuskan/", putus, content_type="application/json")
    assert r.status_code == 400 and "row_version" in r.json()
    for c in (admin_a, penilai, pegawai):
        r = c.post(
            f"{base}/putuskan/", {**putus, "row_version": versi}, content_type="application/json"
        )
        assert r.status_code == 403
    r = atasan.post(
        f"{base}/putuskan/", {**putus, "row_version": versi}, content_type="application/json"
    )
    assert r.status_code == 200, r.content
    assert r.json()["keputusan"] == "diubah" and r.json()["predikat_baru"] == "baik"
    r = _klien(org.kasubbid.user).get(f"/api/v1/evaluasi/{k.evaluasi_id}/")
    assert r.json()["rating_hasil_kerja"] == "diatas_ekspektasi"
    # final: nothing more
    for path, data in (
        ("putuskan", {**putus, "row_version": r.json()["row_version"]}),
        ("minta-penjelasan", minta),
    ):
        r = atasan.post(f"{base}/{path}/", data, content_type="application/json")
        assert r.status_code == 403 and "final" in r.json()["detail"]
    assert (
        pegawai.post(f"{base}/jelaskan/", {"isi": "x"}, content_type="application/json").status_code
        == 403
    )


# --- pages ------------------------------------------------------------------------------------
def test_evaluation_page_offers_the_keberatan_with_deadline_and_countdown(org):
    ev = final(org)
    html = _klien(org.pegawai.user).get(f"/evaluasi/{ev.pk}/").content.decode()
    assert "Ajukan keberatan" in html and f"/evaluasi/{ev.pk}/keberatan/" in html
    assert "14 hari lagi" in html and "data-hitung-mundur" in html
    batas = timezone.localtime(rules.batas_keberatan(ev.finalisasi_pada))
    assert f"{batas.day} {rules.BULAN[batas.month - 1]} {batas.year} pukul" in html
    # the countdown script: once, from the head (CSP: no inline script)
    assert html.count("js/hitung-mundur.js") == 1
    assert "js/hitung-mundur.js" in html.split("</head>")[0].split("</title>")[1]
    # the penilai does not file
    html = _klien(org.kasubbid.user).get(f"/evaluasi/{ev.pk}/").content.decode()
    assert "Ajukan keberatan" not in html
    saya = _klien(org.pegawai.user).get("/evaluasi/saya/").content.decode()
    assert "Ajukan keberatan" in saya and "sisa 14 hari lagi" in saya
    # after the deadline the action is gone
    _mundur(ev, days=14, minutes=5)
    c = _klien(org.pegawai.user)
    html = c.get(f"/evaluasi/{ev.pk}/").content.decode()
    assert "Ajukan keberatan" not in html and "Batas waktu keberatan berakhir pada" in html
    assert "Ajukan keberatan" not in c.get("/evaluasi/saya/").content.decode()
    html = c.get(f"/evaluasi/{ev.pk}/keberatan/").content.decode()
    assert "Batas waktu keberatan berakhir pada" in html
    assert "<form" not in html.split("<main")[1]
    r = c.post(f"/evaluasi/{ev.pk}/keberatan/", {"alasan": "Terlambat tetapi penting"})
    assert r.status_code == 200 and "Batas waktu keberatan berakhir pada" in r.content.decode()
    assert not Keberatan.objects.exists()


def test_filing_form_keeps_what_was_typed_on_error_then_files(org):
    ev = final(org)
    c = _klien(org.pegawai.user)
    html = c.get(f"/evaluasi/{ev.pk}/keberatan/").content.decode()
    assert "Batas pengajuan" in html and "data-hitung-mundur" in html
    assert "js/hitung-mundur.js" in html.split("</head>")[0].split("</title>")[1]
    palsu = SimpleUploadedFile("foto.png", b"bukan gambar sama sekali" * 20, "image/png")
    r = c.post(
        f"/evaluasi/{ev.pk}/keberatan/",
        {"alasan": "Rating perilaku tidak mempertimbangkan kolaborasi", "lampiran": [palsu]},
    )
    html = r.content.decode()
    assert r.status_code == 200 and "Rating perilaku tidak mempertimbangkan kolaborasi" in html
    assert "foto.png" in html and not Keberatan.objects.exists()
    r = c.post(f"/evaluasi/{ev.pk}/keberatan/", {"alasan": ""})
    assert r.status_code == 200 and not Keberatan.objects.exists()
    r = c.post(
        f"/evaluasi/{ev.pk}/keberatan/",
        {
            "alasan": "Rating perilaku tidak mempertimbangkan kolaborasi",
            "lampiran": [_pdf_upload()],
        },
    )
    k = Keberatan.objects.get()
    assert r.status_code == 302 and r.url == f"/evaluasi/keberatan/{k.pk}/"
    assert k.lampiran_set.count() == 1
    # others: the penilai may not file (403), a peer does not see the evaluation (404)
    assert _klien(org.kasubbid.user).get(f"/evaluasi/{ev.pk}/keberatan/").status_code == 403
    assert _klien(org.rekan.user).get(f"/evaluasi/{ev.pk}/keberatan/").status_code == 404


def test_thread_page_shows_each_party_its_actions(org):
    k = _ajukan(org)
    url = f"/evaluasi/keberatan/{k.pk}/"
    atasan = _klien(org.kabid.user).get(url).content.decode()
    assert "Minta penjelasan" in atasan and "Putuskan keberatan" in atasan
    r = _klien(org.kabid.user).post(
        f"{url}minta-penjelasan/", {"kepada": ["pegawai"], "pertanyaan": ""}
    )
    assert r.status_code == 200 and "Tuliskan penjelasan apa yang Anda minta." in (
        r.content.decode()
    )
    r = _klien(org.kabid.user).post(
        f"{url}minta-penjelasan/",
        {"kepada": ["pegawai", "pejabat_penilai"], "pertanyaan": "Lampirkan bukti."},
    )
    assert r.status_code == 302
    pegawai = _klien(org.pegawai.user).get(url).content.decode()
    assert "Beri penjelasan" in pegawai and "Putuskan keberatan" not in pegawai
    assert "Lampirkan bukti." in pegawai
    permintaan = PenjelasanKeberatan.objects.get(kepada="pegawai")
    r = _klien(org.pegawai.user).post(
        f"{url}jelaskan/", {"permintaan": permintaan.pk, "isi": "Bukti di lampiran."}
    )
    assert r.status_code == 302
    penilai = _klien(org.kasubbid.user).get(url).content.decode()
    assert "Bukti di lampiran." in penilai and "Beri penjelasan" in penilai
    admin = _klien(org.admin_a).get(url).content.decode()
    assert "Bukti di lampiran." in admin and "Putuskan keberatan" not in admin
    assert "Admin instansi dapat melihat" in admin
    assert _klien(org.admin_a).post(f"{url}putuskan/", {"keputusan": "tetap"}).status_code == 403
    for user in (org.admin_b, org.rekan.user, org.pegawai_b.user):
        assert _klien(user).get(url).status_code == 404
        assert _klien(user).post(f"{url}putuskan/", {}).status_code == 404
    # the decision form keeps what was typed when refused (ratings unchanged for diubah)
    r = _klien(org.kabid.user).post(
        f"{url}putuskan/",
        {
            "keputusan": "diubah",
            "rating_hasil_kerja": S,
            "rating_perilaku_kerja": S,
            "alasan_keputusan": "Alasan yang diketik",
            "row_version": Keberatan.objects.get().row_version,
        },
    )
    html = r.content.decode()
    assert r.status_code == 200 and "Alasan yang diketik" in html
    assert "sama dengan hasil semula" in html
    r = _klien(org.kabid.user).post(
        f"{url}putuskan/",
        {
            "keputusan": "diubah",
            "rating_hasil_kerja": A,
            "rating_perilaku_kerja": S,
            "alasan_keputusan": "Bukti mendukung",
            "row_version": Keberatan.objects.get().row_version,
        },
    )
    assert r.status_code == 302
    html = _klien(org.pegawai.user).get(url).content.decode()
    assert "Keputusan (final)" in html and "Diubah" in html and "Beri penjelasan" not in html
    assert (
        _klien(org.kabid.user)
        .post(f"{url}putuskan/", {"keputusan": "tetap", "alasan_keputusan": "x"})
        .status_code
        == 403
    )


def _banyak_keberatan(org, n):
    """n open keberatan of n pegawai rated by the kasubbid (atasan: the kabid)."""
    from kinerja.services import penilai_refresh
    from tests.factories import PegawaiFactory

    people = [
        PegawaiFactory(instansi=org.instansi_a, jabatan=org.pegawai.jabatan) for _ in range(n)
    ]
    penilai_refresh(instansi=org.instansi_a)
    now = timezone.now()
    for p in people:
        ev = Evaluasi.objects.create(
            pegawai=p,
            periode=org.periode_a,
            jenis="tahunan",
            status="final",
            pejabat_penilai=org.kasubbid,
            atasan_pejabat_penilai=org.kabid,
            rating_hasil_kerja=S,
            rating_perilaku_kerja=S,
            predikat="baik",
            finalisasi_pada=now,
        )
        k = Keberatan.objects.create(
            evaluasi=ev,
            pegawai=p,
            pejabat_penilai=org.kasubbid,
            pemutus=org.kabid,
            sumber_pemutus="atasan",
            alasan="Uji",
            finalisasi_pada=now,
            rating_hasil_kerja_semula=S,
            rating_perilaku_kerja_semula=S,
            predikat_semula="baik",
            batas_putusan=now + dt.timedelta(days=14),
        )
        PenjelasanKeberatan.objects.create(
            keberatan=k, jenis="permintaan", peran="pemutus", kepada="pegawai", isi="?"
        )


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url)
    assert r.status_code == 200, r.content[:300]
    return len(ctx.captured_queries), r


@pytest.mark.parametrize(
    "who, url",
    [
        ("kabid", "/evaluasi/keberatan/"),
        ("admin_a", "/evaluasi/keberatan/"),
        ("admin_a", "/evaluasi/keberatan/?status=semua"),
        ("admin_a", "/evaluasi/tutup-tahun/"),
        ("kabid", "/api/v1/keberatan/"),
        ("admin_a", "/api/v1/keberatan/"),
    ],
)
def test_list_pages_cost_the_same_for_5_and_50_rows(org, who, url):
    c = _klien(org.user(who))
    _banyak_keberatan(org, 5)
    small, r = _queries(c, url)
    _banyak_keberatan(org, 45)
    large, r = _queries(c, url)
    assert Keberatan.objects.count() == 50
    if url.startswith("/api/"):
        assert r.json()["count"] == 50 and len(r.json()["results"]) == 50
        assert all(len(x["penjelasan"]) == 1 for x in r.json()["results"])
    else:
        assert r.content.decode().count("Pegawai Uji") >= 50
    assert small == large, (small, large)


def test_queue_and_admin_list_show_what_waits_for_whom(org):
    k = _ajukan(org)
    html = _klien(org.kabid.user).get("/evaluasi/keberatan/").content.decode()
    assert org.pegawai.nama in html and "Periksa dan putuskan" in html
    html = _klien(org.admin_a).get("/evaluasi/keberatan/").content.decode()
    assert org.pegawai.nama in html and "Periksa dan putuskan" not in html
    assert org.pegawai.nama not in _klien(org.admin_b).get("/evaluasi/keberatan/").content.decode()
    assert (
        org.pegawai.nama not in _klien(org.rekan.user).get("/evaluasi/keberatan/").content.decode()
    )
    services.keberatan_minta_penjelasan(
        user=org.kabid.user, keberatan=k, kepada=["pegawai"], pertanyaan="Buktinya?"
    )
    html = _klien(org.pegawai.user).get("/evaluasi/keberatan/").content.decode()
    assert "Beri penjelasan" in html
    services.keberatan_putuskan(
        user=org.kabid.user, keberatan=k, keputusan="tetap", alasan_keputusan="Sesuai"
    )
    assert (
        org.pegawai.nama not in _klien(org.kabid.user).get("/evaluasi/keberatan/").content.decode()
    )
    assert (
        org.pegawai.nama
        in _klien(org.kabid.user).get("/evaluasi/keberatan/?status=semua").content.decode()
    )


def test_year_end_close_page_lists_open_keberatan(org):
    k = _ajukan(org)
    html = (
        _klien(org.admin_a)
        .get(f"/evaluasi/tutup-tahun/?tahun={org.periode_a.tahun}")
        .content.decode()
    )
    assert "Keberatan yang masih diproses (1)" in html
    assert f"/evaluasi/keberatan/{k.pk}/" in html and org.pegawai.nama in html


def test_nav_shows_keberatan_and_pohon_kinerja_to_whom_it_concerns(org):
    def nav(user):
        html = _klien(user).get("/").content.decode()
        return html.split('class="mainnav"')[1].split("</nav>")[0]

    assert "Keberatan" in nav(org.kabid.user) and "Keberatan" in nav(org.admin_a)
    assert "Keberatan" not in nav(org.rekan.user)
    assert "Pohon kinerja" in nav(org.kasubbid.user) and "Pohon kinerja" in nav(org.admin_a)
    assert "Pohon kinerja" not in nav(org.pegawai.user)
    assert "/pohon/" in nav(org.fungsional.user)
    assert "Keberatan" not in nav(org.pegawai.user)
    _ajukan(org)
    assert "Keberatan" in nav(org.pegawai.user)


# --- demo -----------------------------------------------------------------------------------
def test_demo_has_one_open_keberatan_under_examination(org):
    from evaluasi import demo

    ctx = {
        "instansi": org.instansi_a,
        "periode": org.periode_a,
        "admin": org.admin_a,
        "kasubbid": org.kasubbid,
        "kadis": org.kadis,
        "pegawai": org.pegawai,
        "seed": 7,
    }
    demo.seed(ctx)
    k = Keberatan.objects.get()
    assert k.pegawai_id == org.pegawai.pk and k.terbuka and k.pemutus_id == org.kabid.pk
    assert k.status == "diperiksa" and k.penjelasan_set.count() == 2
    assert k.evaluasi.periode.tahun == org.periode_a.tahun - 1
    demo.seed(ctx)
    assert Keberatan.objects.count() == 1
    html = _klien(org.kabid.user).get("/evaluasi/keberatan/").content.decode()
    assert org.pegawai.nama in html


def test_a_designee_outside_the_line_reads_the_document_of_the_evaluation_they_decide(org):
    from kinerja import policy
    from kinerja.models import Dokumen, Instansi

    ev = final(org)
    Evaluasi.objects.filter(pk=ev.pk).update(atasan_pejabat_penilai=None)
    type(org.pegawai).objects.filter(pk=org.pegawai.pk).update(atasan_pejabat_penilai=None)
    Instansi.objects.filter(pk=org.instansi_a.pk).update(pejabat_keberatan=org.kadis)
    doc = services.evaluasi_dokumen_render(evaluasi=Evaluasi.objects.get(pk=ev.pk))
    # before any keberatan the head of another dinas may not read it
    assert not policy.can(org.kadis.user, "view", doc)
    k = _ajukan(org, Evaluasi.objects.get(pk=ev.pk))
    assert k.pemutus_id == org.kadis.pk
    assert policy.can(org.kadis.user, "view", doc)
    assert policy.scope(org.kadis.user, Dokumen.objects.filter(pk=doc.pk)).exists()
    assert _klien(org.kadis.user).get(f"/evaluasi/dokumen/{doc.pk}/").status_code == 200
    # still nobody else outside the line
    assert not policy.can(org.staf_dinas.user, "view", doc)
    assert _klien(org.staf_dinas.user).get(f"/evaluasi/dokumen/{doc.pk}/").status_code == 404
