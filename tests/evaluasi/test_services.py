"""State changes of the evaluation stage: allowed, refused, and what they leave behind."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from evaluasi import services
from evaluasi.models import Evaluasi, JustifikasiDistribusi, PembukaanKembali, PenilaianRHK
from kinerja.models import Job, Pegawai
from kinerja.services import penilai_refresh
from tests.evaluasi.conftest import evaluasi_draft, final, ko, nilai

A, S, B = "diatas_ekspektasi", "sesuai_ekspektasi", "dibawah_ekspektasi"


def test_penilai_saves_ratings_and_predikat_follows_quadrant(org, ev):
    ev = nilai(ev, A, A)
    assert ev.predikat == "sangat_baik" and ev.row_version == 2
    ev = nilai(ev, B, B)
    assert ev.predikat == "sangat_kurang"
    assert ev.history.count() >= 3


def test_predikat_cleared_until_both_ratings(org, ev):
    ev = nilai(ev, A, "")
    assert ev.predikat == ""


def test_stale_save_is_refused_and_first_change_kept(org, ev):
    penilai = org.kasubbid.user
    stale = ev.row_version
    services.evaluasi_simpan(
        user=penilai, evaluasi=ev, row_version=stale, rating_hasil_kerja=A, rating_perilaku_kerja=A
    )
    with pytest.raises(ValidationError) as exc:
        services.evaluasi_simpan(
            user=penilai,
            evaluasi=ev,
            row_version=stale,
            rating_hasil_kerja=B,
            rating_perilaku_kerja=B,
        )
    assert "diubah oleh pengguna lain" in str(exc.value)
    ev.refresh_from_db()
    assert (ev.rating_hasil_kerja, ev.predikat) == (A, "sangat_baik")


def test_only_the_penilai_rates(org, ev):
    for who in ("kabid", "rekan", "pegawai", "kadis"):
        with pytest.raises(PermissionDenied):
            services.evaluasi_simpan(
                user=org.user(who),
                evaluasi=ev,
                row_version=ev.row_version,
                rating_hasil_kerja=A,
                rating_perilaku_kerja=A,
            )
    with pytest.raises(PermissionDenied):
        services.evaluasi_simpan(
            user=org.admin_a,
            evaluasi=ev,
            row_version=ev.row_version,
            rating_hasil_kerja=A,
            rating_perilaku_kerja=A,
        )


def test_only_the_penilai_opens_an_evaluation(org):
    with pytest.raises(PermissionDenied):
        services.evaluasi_mulai(
            user=org.kabid.user,
            pegawai=org.pegawai,
            periode=org.periode_a,
            jenis="tahunan",
            urutan=None,
        )


def test_rhk_ratings_suggest_rating_and_change_needs_reason(org, ev):
    kunci = [str(k) for k in ev.skp.rencana_set.values_list("kunci", flat=True)]
    from django.utils import timezone

    from dialog.models import UmpanBalik

    UmpanBalik.objects.create(
        penerima=org.pegawai,
        pemberi=org.kasubbid,
        hubungan="pejabat_penilai",
        jenis="apresiasi",
        isi="Bagus",
        periode=org.periode_a,
        urutan=1,
        dibuat=timezone.now(),
    )
    ev = nilai(ev, A, S, penilaian_rhk=dict.fromkeys(kunci, (A, "melampaui target")))
    assert ev.saran_rating_hasil_kerja == A
    assert PenilaianRHK.objects.filter(evaluasi=ev, rating=A).count() == 2
    with pytest.raises(ValidationError) as exc:
        nilai(ev, S, S)
    assert "alasan_ubah_rating" in exc.value.message_dict
    ev.refresh_from_db()
    assert ev.rating_hasil_kerja == A  # nothing changed
    ev = nilai(ev, S, S, alasan_ubah_rating="Kontribusi ke organisasi belum terlihat")
    assert ev.rating_hasil_kerja == S and ev.predikat == "baik"


def test_rating_of_a_row_outside_the_skp_is_refused(org, ev):
    with pytest.raises(ValidationError):
        nilai(ev, A, A, penilaian_rhk={"00000000-0000-0000-0000-000000000000": (A, "")})


def test_unit_head_rating_hasil_is_the_kinerja_organisasi(org):
    # kabid heads Bidang Penilaian Kinerja; kepala_bkd rates him.
    ev = evaluasi_draft(org, "kabid")
    ev = nilai(ev, B, S)
    assert ev.rating_hasil_kerja == ""  # never typed for a unit head; no KO yet
    with pytest.raises(ValidationError) as exc:
        services.evaluasi_finalisasi(user=org.kepala_bkd.user, evaluasi=ev)
    assert "kinerja organisasi" in str(exc.value)
    ko(org, org.unit_bidang, "istimewa")
    ev = nilai(ev, B, A)
    assert (ev.rating_hasil_kerja, ev.predikat) == (A, "sangat_baik")
    ev = services.evaluasi_finalisasi(user=org.kepala_bkd.user, evaluasi=ev)
    assert ev.is_final


def test_finalisation_locks_and_enqueues_the_document(org, ev, django_capture_on_commit_callbacks):
    ev = nilai(ev, S, S)
    with django_capture_on_commit_callbacks(execute=False):
        ev = services.evaluasi_finalisasi(user=org.kasubbid.user, evaluasi=ev)
    assert ev.status == "final" and ev.finalisasi_pada
    assert ev.atasan_pejabat_penilai_id == org.kabid.pk
    assert Job.objects.filter(task="evaluasi.pdf", kwargs__evaluasi_id=ev.pk).exists()
    with pytest.raises(PermissionDenied):
        nilai(ev, A, A)
    with pytest.raises(PermissionDenied):
        services.evaluasi_finalisasi(user=org.kasubbid.user, evaluasi=ev)


def test_finalisation_needs_both_ratings(org, ev):
    ev = nilai(ev, S, "")
    with pytest.raises(ValidationError) as exc:
        services.evaluasi_finalisasi(user=org.kasubbid.user, evaluasi=ev)
    assert "rating_perilaku_kerja" in exc.value.message_dict


def test_only_instansi_admin_reopens_with_a_kept_reason(org):
    ev = final(org)
    for user in (org.kasubbid.user, org.kabid.user, org.pegawai.user, org.admin_b):
        with pytest.raises(PermissionDenied):
            services.evaluasi_buka_kembali(user=user, evaluasi=ev, alasan="x")
    with pytest.raises(ValidationError):
        services.evaluasi_buka_kembali(user=org.admin_a, evaluasi=ev, alasan="  ")
    ev = services.evaluasi_buka_kembali(user=org.admin_a, evaluasi=ev, alasan="Salah input")
    assert ev.status == "draft"
    assert PembukaanKembali.objects.get(evaluasi=ev).alasan == "Salah input"
    ev = nilai(ev, A, A)
    ev = services.evaluasi_finalisasi(user=org.kasubbid.user, evaluasi=ev)
    ev = services.evaluasi_buka_kembali(user=org.admin_a, evaluasi=ev, alasan="Kedua kali")
    assert list(ev.pembukaan_kembali_set.values_list("alasan", flat=True)) == [
        "Salah input",
        "Kedua kali",
    ]
    statuses = list(ev.history.order_by("history_date").values_list("status", flat=True))
    assert statuses.count("final") >= 2


def _team(org, n):
    """n extra pelaksana rated by kasubbid (besides pegawai and rekan)."""
    from tests.factories import PegawaiFactory

    for _ in range(n):
        PegawaiFactory(instansi=org.instansi_a, jabatan=org.pegawai.jabatan)
    penilai_refresh(instansi=org.instansi_a)
    return list(Pegawai.objects.filter(pejabat_penilai=org.kasubbid).order_by("pk"))


def test_distribution_warning_needs_justification_but_never_blocks(org):
    ko(org, org.unit_bidang, "baik")
    team = _team(org, 3)
    assert len(team) == 5
    evs = []
    for p in team:
        e = services.evaluasi_mulai(
            user=org.kasubbid.user, pegawai=p, periode=org.periode_a, jenis="tahunan", urutan=None
        )
        evs.append(nilai(e, S, S))  # everybody Baik: nobody below, Baik 100% > 70%
    with pytest.raises(ValidationError) as exc:
        services.evaluasi_finalisasi(user=org.kasubbid.user, evaluasi=evs[0])
    msg = str(exc.value)
    assert "Baik 5 dari 5 = 100% > 70%" in msg and "justifikasi" in msg
    assert Evaluasi.objects.get(pk=evs[0].pk).status == "draft"
    e0 = services.evaluasi_finalisasi(
        user=org.kasubbid.user, evaluasi=evs[0], justifikasi="Tim kecil dan semua memenuhi target"
    )
    assert e0.is_final
    j = JustifikasiDistribusi.objects.get()
    assert j.pejabat_penilai_id == org.kasubbid.pk and "Baik 5 dari 5" in j.pelanggaran[0]
    # once recorded for the team and window, the others finalise without asking again
    for e in evs[1:]:
        assert services.evaluasi_finalisasi(user=org.kasubbid.user, evaluasi=e).is_final


def test_small_team_gets_no_warning(org):
    ko(org, org.unit_bidang, "baik")
    ev = evaluasi_draft(org)
    ev = nilai(ev, A, A)
    assert services.evaluasi_finalisasi(user=org.kasubbid.user, evaluasi=ev).is_final
    assert not JustifikasiDistribusi.objects.exists()


def test_kinerja_organisasi_set_by_leader_above_or_admin(org):
    p = org.periode_a
    k = services.kinerja_organisasi_tetapkan(
        user=org.kepala_bkd.user,
        unit_kerja=org.unit_bidang,
        periode=p,
        jenis="tahunan",
        urutan=None,
        predikat="baik",
        capaian="IKU 92%",
    )
    assert k.predikat == "baik" and k.row_version == 1
    k = services.kinerja_organisasi_tetapkan(
        user=org.admin_a,
        unit_kerja=org.unit_bidang,
        periode=p,
        jenis="tahunan",
        urutan=None,
        predikat="istimewa",
        row_version=1,
    )
    assert k.row_version == 2
    # the gubernur heads the province unit, above everything
    services.kinerja_organisasi_tetapkan(
        user=org.gubernur.user,
        unit_kerja=org.unit_dinas,
        periode=p,
        jenis="periodik",
        urutan=1,
        predikat="kurang",
    )
    for who in ("kabid", "pegawai", "kadis", "admin_b"):
        with pytest.raises(PermissionDenied):
            services.kinerja_organisasi_tetapkan(
                user=org.user(who),
                unit_kerja=org.unit_bidang,
                periode=p,
                jenis="tahunan",
                urutan=None,
                predikat="kurang",
            )
    with pytest.raises(ValidationError):  # stale
        services.kinerja_organisasi_tetapkan(
            user=org.admin_a,
            unit_kerja=org.unit_bidang,
            periode=p,
            jenis="tahunan",
            urutan=None,
            predikat="kurang",
            row_version=1,
        )
    with pytest.raises(ValidationError):
        services.kinerja_organisasi_tetapkan(
            user=org.admin_a,
            unit_kerja=org.unit_bidang,
            periode=p,
            jenis="periodik",
            urutan=9,
            predikat="baik",
        )
    with pytest.raises(ValidationError):
        services.kinerja_organisasi_tetapkan(
            user=org.admin_a,
            unit_kerja=org.unit_bidang,
            periode=p,
            jenis="tahunan",
            urutan=None,
            predikat="sangat_baik",
        )


def test_closed_year_is_read_only(org, ev):
    org.periode_a.status = "ditutup"
    org.periode_a.save()
    ev.refresh_from_db()
    with pytest.raises(ValidationError):
        nilai(ev, A, A)


def test_keberatan_hook_replaces_ratings_and_predikat_follows(org):
    ev = final(org)
    ev = services.evaluasi_ganti_hasil(
        evaluasi=ev,
        rating_hasil_kerja=A,
        rating_perilaku_kerja=A,
        alasan="Keberatan diterima",
        oleh=org.kabid.user,
    )
    assert ev.predikat == "sangat_baik" and ev.is_final
    assert set(ev.history.values_list("predikat", flat=True)) >= {"baik", "sangat_baik"}


# --- follow-up -----------------------------------------------------------------------------
def test_sanction_case_follows_the_ja_jf_path(org):
    import datetime as dt

    final(org, hasil=B, perilaku=B)
    k = services.kasus_sanksi_buka(
        user=org.admin_a, pegawai=org.pegawai, periode=org.periode_a, mulai=dt.date(2026, 1, 10)
    )
    assert k.jalur == "ja_jf" and k.predikat_pemicu == "sangat_kurang"
    first = k.langkah_set.get()
    assert (first.langkah, first.batas) == ("perbaikan", dt.date(2026, 7, 10))
    assert first.diputuskan_oleh == org.admin_a
    with pytest.raises(ValidationError):  # must re-test competence first
        services.kasus_sanksi_langkah(user=org.admin_a, kasus=k, langkah="penempatan_sementara")
    with pytest.raises(ValidationError):  # one open case at a time
        services.kasus_sanksi_buka(user=org.admin_a, pegawai=org.pegawai, periode=org.periode_a)
    with pytest.raises(PermissionDenied):
        services.kasus_sanksi_langkah(user=org.kasubbid.user, kasus=k, langkah="uji_kompetensi")
    with pytest.raises(ValidationError, match="setelah tenggat"):  # the six months first
        services.kasus_sanksi_langkah(
            user=org.admin_a, kasus=k, langkah="uji_kompetensi", mulai=dt.date(2026, 7, 9)
        )
    services.kasus_sanksi_langkah(
        user=org.admin_a, kasus=k, langkah="uji_kompetensi", mulai=dt.date(2026, 7, 11)
    )
    with pytest.raises(ValidationError):  # at most one year
        services.kasus_sanksi_langkah(
            user=org.admin_a,
            kasus=k,
            langkah="penempatan_sementara",
            mulai=dt.date(2026, 8, 1),
            batas=dt.date(2027, 9, 1),
        )
    s = services.kasus_sanksi_langkah(
        user=org.admin_a, kasus=k, langkah="penempatan_sementara", mulai=dt.date(2026, 8, 1)
    )
    assert s.batas == dt.date(2027, 8, 1)
    with pytest.raises(ValidationError, match="setelah tenggat"):  # the year of placement first
        services.kasus_sanksi_langkah(
            user=org.admin_a, kasus=k, langkah="diberhentikan", mulai=dt.date(2027, 3, 1)
        )
    services.kasus_sanksi_langkah(
        user=org.admin_a, kasus=k, langkah="diberhentikan", mulai=dt.date(2027, 8, 2)
    )
    k.refresh_from_db()
    assert k.status == "selesai"
    with pytest.raises(ValidationError):
        services.kasus_sanksi_langkah(user=org.admin_a, kasus=k, langkah="pemindahan")


def test_a_sanction_case_opens_only_on_performance_not_met_or_box_1(org):
    from evaluasi.models import Potensi

    final(org, hasil=S, perilaku=S)  # Baik
    with pytest.raises(ValidationError, match="Kurang atau Sangat Kurang"):
        services.kasus_sanksi_buka(user=org.admin_a, pegawai=org.pegawai, periode=org.periode_a)
    with pytest.raises(ValidationError, match="Kurang atau Sangat Kurang"):  # no final at all
        services.kasus_sanksi_buka(user=org.admin_a, pegawai=org.rekan, periode=org.periode_a)
    final(org, who="rekan", hasil=B, perilaku=S)  # Butuh Perbaikan
    with pytest.raises(ValidationError):  # potential not low: development, not sanction
        services.kasus_sanksi_buka(user=org.admin_a, pegawai=org.rekan, periode=org.periode_a)
    Potensi.objects.create(pegawai=org.rekan, tahun=org.periode_a.tahun, potensi="rendah")
    k = services.kasus_sanksi_buka(user=org.admin_a, pegawai=org.rekan, periode=org.periode_a)
    assert k.predikat_pemicu == "butuh_perbaikan"


def test_sanction_case_for_jpt_has_no_temporary_placement(org):
    import datetime as dt

    ko(org, org.unit_dinas, "kurang")  # kadis heads the dinas: its KO is his rating hasil
    final(org, who="kadis", hasil=B, perilaku=B)
    k = services.kasus_sanksi_buka(
        user=org.admin_a, pegawai=org.kadis, periode=org.periode_a, mulai=dt.date(2026, 1, 10)
    )
    assert k.jalur == "jpt"
    services.kasus_sanksi_langkah(
        user=org.admin_a, kasus=k, langkah="uji_kompetensi", mulai=dt.date(2026, 7, 10)
    )
    with pytest.raises(ValidationError):
        services.kasus_sanksi_langkah(user=org.admin_a, kasus=k, langkah="penempatan_sementara")


def test_follow_up_tables_and_potensi_are_admin_only(org):
    services.tabel_tindak_lanjut_simpan(
        user=org.admin_a,
        instansi_id=org.instansi_a.pk,
        jenis="tunjangan_kinerja",
        predikat="kurang",
        nilai="85%",
    )
    with pytest.raises(PermissionDenied):
        services.tabel_tindak_lanjut_simpan(
            user=org.admin_b,
            instansi_id=org.instansi_a.pk,
            jenis="tunjangan_kinerja",
            predikat="kurang",
            nilai="0%",
        )
    with pytest.raises(PermissionDenied):
        services.potensi_simpan(
            user=org.kasubbid.user, pegawai=org.pegawai, tahun=2026, potensi="tinggi"
        )
    p = services.potensi_simpan(user=org.admin_a, pegawai=org.pegawai, tahun=2026, potensi="tinggi")
    assert p.potensi == "tinggi"


def test_tugas_belajar_rated_from_ipk_band(org):
    from skp.models import SKP

    ev = evaluasi_draft(org)
    SKP.objects.filter(pk=ev.skp_id).update(
        jenis="tugas_belajar", tb_jenjang="s1", tb_lokasi="dalam_negeri", tb_akreditasi_univ="A"
    )
    ev.refresh_from_db()
    ev = nilai(ev, A, S, ipk="3,62")
    assert (ev.predikat_ipk, ev.saran_rating_hasil_kerja, ev.predikat) == ("sangat_baik", A, "baik")
    with pytest.raises(ValidationError) as exc:
        nilai(
            ev, A, S, ipk="2,50"
        )  # band Kurang suggests di bawah: a different rating needs a reason
    assert "alasan_ubah_rating" in exc.value.message_dict
    with pytest.raises(ValidationError):
        nilai(ev, A, S, ipk="4,5")
    with pytest.raises(ValidationError):
        nilai(ev, A, S, ipk="tiga")


def test_ipk_only_for_tugas_belajar(org, ev):
    with pytest.raises(ValidationError) as exc:
        nilai(ev, A, S, ipk="3,5")
    assert "ipk" in exc.value.message_dict


def test_draft_follows_the_latest_approved_skp_version(org, ev):
    from tests.evaluasi.conftest import skp_disetujui

    kunci = str(ev.skp.rencana_set.first().kunci)
    ev = nilai(ev, S, S, penilaian_rhk={kunci: (S, "")})
    lama = ev.skp_id
    from skp.models import SKP

    SKP.objects.filter(pk=lama).update(terkini=False)
    baru = skp_disetujui(org.pegawai, org.periode_a, n_rhk=1, versi=2)
    ev = nilai(ev, S, S)
    assert ev.skp_id == baru.pk
