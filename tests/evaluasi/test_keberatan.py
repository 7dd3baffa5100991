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
from django.utils import timezone

from evaluasi import rules, selectors, services
from evaluasi.models import Evaluasi, Keberatan, LampiranKeberatan, PenjelasanKeberatan
from kinerja.models import Notifikasi
from tests.evaluasi.conftest import evaluasi_draft, final, ko

A, S, B = rules.DIATAS, rules.SESUAI, rules.DIBAWAH


def _mundur(ev: Evaluasi, **delta) -> Evaluasi:
    """Time travel: the evaluation became final `delta` ago."""
    Evaluasi.objects.filter(pk=ev.pk).update(
        finalisasi_pada=timezone.now() - dt.timedelta(**delta)
    )
    ev.refresh_from_db()
    return ev


def _ajukan(org, ev=None, alasan="Capaian saya di atas target tetapi dinilai sesuai.", **kw):
    ev = ev or final(org)
    return services.keberatan_ajukan(user=org.pegawai.user, evaluasi=ev, alasan=alasan, **kw)


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
    with pytest.raises(ValidationError, match="Hubungi admin instansi"):
        _ajukan(org, ev)
    Instansi.objects.filter(pk=org.instansi_a.pk).update(pejabat_keberatan=org.sekda)
    ev = Evaluasi.objects.get(pk=ev.pk)
    k = _ajukan(org, ev)
    assert k.pemutus_id == org.sekda.pk and k.sumber_pemutus == "ditunjuk"
    # the designee sees the keberatan and the evaluation objected to
    assert selectors.keberatan_untuk(org.sekda.user, k.pk) == k
    from kinerja import policy

    assert policy.can(org.sekda.user, "view", ev)
    assert policy.scope(org.sekda.user, Evaluasi.objects.filter(pk=ev.pk)).exists()


def test_decision_deadline_follows_the_instansi_setting(org):
    from kinerja.models import PengaturanPengingat

    PengaturanPengingat.objects.create(instansi=org.instansi_a, hari_putus_keberatan=7)
    k = _ajukan(org)
    assert k.batas_putusan - k.diajukan == dt.timedelta(days=7)


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
        services.evaluasi_buka_kembali(
            user=org.admin_a, evaluasi=k.evaluasi, alasan="Salah input"
        )


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
    row = next(r for r in data["per_pegawai"] if r["nama"] == org.pegawai.nama)
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
    assert selectors.kelengkapan(org.periode_a)["keberatan_terbuka"] == [k]
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
