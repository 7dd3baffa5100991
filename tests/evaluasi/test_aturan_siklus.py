"""Regulation fixes of issue 16 item 7: December rated once, a periodic evaluation finalised only
after its window, the year's frequency fixed once evaluated, IPK graded on the stored value, the
distribution judged per unit as the team page shows it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from evaluasi import jendela, services
from evaluasi.models import Evaluasi
from kinerja import waktu
from tests.evaluasi.conftest import evaluasi_draft, nilai

pytestmark = pytest.mark.django_db


@pytest.fixture
def hari(monkeypatch, org):
    state = {"d": dt.date(org.periode_a.tahun, 12, 6)}
    monkeypatch.setattr(waktu, "hari_ini", lambda: state["d"])

    def atur(d: dt.date) -> None:
        state["d"] = d

    return atur


# --- December is rated once ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("frekuensi", "label", "pendek", "n"),
    [
        ("triwulanan", "TRIWULAN IV-AKHIR", "Triwulan IV-Akhir", 3),
        ("semesteran", "SEMESTER II-AKHIR", "Semester II-Akhir", 1),
        ("bulanan", "DESEMBER-AKHIR", "Desember-Akhir", 11),
    ],
)
def test_the_last_window_is_the_akhir_one(org, frekuensi, label, pendek, n):
    p = org.periode_a
    p.frekuensi = frekuensi
    ws = jendela.daftar(p)
    assert len(ws) == n + 1
    assert [w.jenis for w in ws].count("tahunan") == 1
    akhir = ws[-1]
    assert (akhir.kode, akhir.jenis, akhir.label, akhir.label_pendek) == (
        jendela.AKHIR,
        "tahunan",
        label,
        pendek,
    )
    # The last window's own code leads to the AKHIR window (today's default in December).
    assert jendela.dari_kode(p, str(n + 1)) == akhir


def test_no_separate_periodic_evaluation_of_the_last_window(org):
    with pytest.raises(ValidationError) as e:
        evaluasi_draft(org, jenis="periodik", urutan=4)
    assert "TRIWULAN IV-AKHIR" in str(e.value)
    assert not Evaluasi.objects.exists()
    ev = evaluasi_draft(org, jenis="tahunan")
    assert jendela.dari_jenis(ev.periode, ev.jenis, ev.urutan).label == "TRIWULAN IV-AKHIR"


def test_page_shows_the_akhir_label(org, client_as):
    client_as(org.kasubbid.user)
    html = client_as(org.kasubbid.user).get(
        f"/evaluasi/tim/?tahun={org.periode_a.tahun}&jendela=akhir"
    )
    body = html.content.decode()
    assert "Triwulan IV-Akhir" in body and "Akhir tahun" not in body


# --- finalised only after the window ---------------------------------------------------------
def test_periodic_evaluation_final_only_after_its_window(org, hari):
    tahun = org.periode_a.tahun
    hari(dt.date(tahun, 9, 30))
    ev = nilai(
        evaluasi_draft(org, jenis="periodik", urutan=3), "sesuai_ekspektasi", "sesuai_ekspektasi"
    )
    with pytest.raises(ValidationError) as e:
        services.evaluasi_finalisasi(user=org.kasubbid.user, evaluasi=ev)
    assert "setelah jendelanya berakhir" in str(e.value) and "30 September" in str(e.value)
    ev.refresh_from_db()
    assert ev.status == "draft" and ev.rating_hasil_kerja  # the draft is kept
    hari(dt.date(tahun, 10, 1))
    ev = services.evaluasi_finalisasi(user=org.kasubbid.user, evaluasi=ev)
    assert ev.status == "final"


# --- the frequency of a year is fixed once evaluated ------------------------------------------
def test_frequency_fixed_once_any_evaluation_exists(org, client_as):
    from kinerja import services as ks

    p = org.periode_a
    p.frekuensi = "bulanan"
    ks.organisasi_simpan(user=org.admin_a, obj=p, row_version=p.row_version)  # none yet: allowed
    p.refresh_from_db()
    p.frekuensi = "triwulanan"
    ks.organisasi_simpan(user=org.admin_a, obj=p, row_version=p.row_version)
    p.refresh_from_db()
    evaluasi_draft(org, jenis="periodik", urutan=1)
    p.frekuensi = "semesteran"
    with pytest.raises(ValidationError) as e:
        ks.organisasi_simpan(user=org.admin_a, obj=p, row_version=p.row_version)
    assert "tidak dapat diubah" in str(e.value)
    p.refresh_from_db()
    assert p.frekuensi == "triwulanan"
    # The page says so, and keeps the rest.
    r = client_as(org.admin_a).post(
        f"/organisasi/periode/{p.pk}/",
        {
            "tahun": p.tahun,
            "frekuensi": "bulanan",
            "status": p.status,
            "batas_persetujuan_hari": 7,
            "row_version": p.row_version,
        },
    )
    assert r.status_code == 400 and "tidak dapat diubah" in r.content.decode()
    p.refresh_from_db()
    assert p.frekuensi == "triwulanan"


# --- IPK graded on the stored value -----------------------------------------------------------
def test_ipk_graded_on_the_value_stored(org):
    from skp.models import SKP

    ev = evaluasi_draft(org)
    SKP.objects.filter(pk=ev.skp_id).update(
        jenis="tugas_belajar", tb_jenjang="s1", tb_lokasi="dalam_negeri", tb_akreditasi_univ="A"
    )
    ev.refresh_from_db()
    ev = nilai(ev, "diatas_ekspektasi", "sesuai_ekspektasi", ipk="3,509")
    ev.refresh_from_db()
    assert str(ev.ipk) == "3.51"
    assert ev.predikat_ipk == "sangat_baik"  # the band of 3,51, as stored and shown


# --- distribution judged per unit as the team page shows it -----------------------------------
def test_distribution_judged_by_the_team_unit_whichever_is_finalised_first(org):
    from evaluasi import selectors
    from evaluasi.services.distribusi import distribusi_peringatan_tim
    from kinerja.models import Pegawai
    from tests.evaluasi.conftest import ko

    # kasubbid's team spans two units: pegawai in the Bidang, rekan moved to Diskominfo.
    dinas = org.kadis.unit_kerja
    Pegawai.objects.filter(pk=org.rekan.pk).update(unit_kerja=dinas)
    ko(org, org.pegawai.unit_kerja, "baik")
    ko(org, dinas, "istimewa")
    w = jendela.dari_kode(org.periode_a, jendela.AKHIR)
    halaman = selectors.distribusi_tim(org.kasubbid.pk, org.periode_a, w).predikat_org
    for who in ("pegawai", "rekan"):
        ev = Evaluasi.objects.select_related("pegawai").get(pk=evaluasi_draft(org, who).pk)
        assert distribusi_peringatan_tim(ev)[0] == halaman
