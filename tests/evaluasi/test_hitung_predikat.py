"""The kept predikat counts (evaluasi/hitung_predikat.py): after any sequence of service calls,
bulk writes and pegawai moves they equal a fresh count; concurrent writes lose nothing; the
distribution page reads them and shows a change at once."""

from __future__ import annotations

import random
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections, transaction

from evaluasi import hitung_predikat, services
from evaluasi.models import Evaluasi, HitungPredikat
from kinerja.models import Pegawai, UnitKerja
from kinerja.services import penilai_refresh
from tests.evaluasi.conftest import nilai, skp_disetujui

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="kept by PostgreSQL triggers"),
]

A, S, B = "diatas_ekspektasi", "sesuai_ekspektasi", "dibawah_ekspektasi"


def _tim(org, n):
    from tests.factories import PegawaiFactory

    for _ in range(n):
        PegawaiFactory(instansi=org.instansi_a, jabatan=org.pegawai.jabatan)
    penilai_refresh(instansi=org.instansi_a)
    return list(Pegawai.objects.filter(pejabat_penilai=org.kasubbid).order_by("pk"))


def _segar_sama():
    assert hitung_predikat.selisih() == []


def test_kept_counts_equal_a_fresh_count_after_random_service_calls(org):
    rng = random.Random(19)
    tim = _tim(org, 6)
    evs = []
    for p in tim:
        skp_disetujui(p, org.periode_a)
        for jenis, urutan in (("tahunan", None), ("periodik", 1)):
            evs.append(
                services.evaluasi_mulai(
                    user=org.kasubbid.user,
                    pegawai=p,
                    periode=org.periode_a,
                    jenis=jenis,
                    urutan=urutan,
                )
            )
    units = list(UnitKerja.objects.filter(instansi=org.instansi_a)) + [None]
    langkah = []
    for _ in range(60):
        ev = Evaluasi.objects.get(pk=rng.choice(evs).pk)
        aksi = rng.choice(["nilai", "nilai", "final", "buka", "ganti", "pindah", "massal"])
        langkah.append((aksi, ev.pk))
        try:
            if aksi == "nilai":
                nilai(ev, rng.choice([A, S, B, ""]), rng.choice([A, S, B, ""]))
            elif aksi == "final":
                services.evaluasi_finalisasi(
                    user=org.kasubbid.user, evaluasi=ev, justifikasi="Alasan tim"
                )
            elif aksi == "buka":
                services.evaluasi_buka_kembali(user=org.admin_a, evaluasi=ev, alasan="Ulang")
            elif aksi == "ganti" and ev.is_final:
                services.evaluasi_ganti_hasil(
                    evaluasi=ev,
                    rating_hasil_kerja=rng.choice([A, S, B]),
                    rating_perilaku_kerja=rng.choice([A, S, B]),
                    alasan="Keberatan",
                    oleh=org.kabid.user,
                )
            elif aksi == "pindah":  # a move by any path (a bulk update here): unit or instansi
                u = rng.choice(units)
                Pegawai.objects.filter(pk=ev.pegawai_id).update(
                    unit_kerja=u, instansi=u.instansi if u else org.instansi_b
                )
            elif aksi == "massal":  # raw bulk writes no service makes
                Evaluasi.objects.filter(pk__in=[e.pk for e in evs[:4]]).update(predikat="kurang")
        except (ValidationError, PermissionDenied):
            pass
        assert hitung_predikat.selisih() == [], langkah
    # Deleting and re-inserting rated rows, and the repair path.
    Evaluasi.objects.filter(pk__in=[e.pk for e in evs[4:8]]).delete()
    _segar_sama()
    assert HitungPredikat.objects.filter(n__gt=0).exists()
    HitungPredikat.objects.update(n=7)  # broken on purpose: the repair rebuilds it
    assert hitung_predikat.selisih()
    hitung_predikat.bangun_ulang()
    _segar_sama()
    hitung_predikat.bangun_ulang(org.periode_a.pk)
    _segar_sama()


def test_the_instansi_total_and_the_unit_rows_are_kept(org):
    ev = nilai(
        services.evaluasi_mulai(
            user=org.kasubbid.user,
            pegawai=org.pegawai,
            periode=org.periode_a,
            jenis="tahunan",
            urutan=None,
        ),
        S,
        S,
    )
    baris = dict(
        HitungPredikat.objects.filter(periode_id=org.periode_a.pk, predikat="baik").values_list(
            "unit_kerja_id", "n"
        )
    )
    assert baris == {hitung_predikat.INSTANSI: 1, org.pegawai.unit_kerja_id: 1}
    nilai(ev, B, B)
    assert not HitungPredikat.objects.filter(predikat="baik", n__gt=0).exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_writes_and_a_move_lose_no_count(org):
    """A penilai rates while an admin moves the pegawai: whichever commits first, the count ends
    in the unit the pegawai is in; two raters of one unit both count (n = n + 1)."""
    tim = _tim(org, 2)
    evs = []
    for p in tim:
        skp_disetujui(p, org.periode_a)
        evs.append(
            services.evaluasi_mulai(
                user=org.kasubbid.user,
                pegawai=p,
                periode=org.periode_a,
                jenis="tahunan",
                urutan=None,
            )
        )
    lain = (
        UnitKerja.objects.filter(instansi=org.instansi_a).exclude(pk=tim[0].unit_kerja_id).first()
    )
    mulai, selesai = threading.Event(), threading.Event()
    galat = []

    def menilai():
        try:
            with transaction.atomic():
                Evaluasi.objects.filter(pk=evs[0].pk).update(predikat="baik")
                Evaluasi.objects.filter(pk=evs[1].pk).update(predikat="baik")
                mulai.set()
                selesai.wait(2)  # the move below waits for this commit (FOR SHARE)
        except Exception as exc:  # pragma: no cover - reported below
            galat.append(exc)
        finally:
            mulai.set()
            connections.close_all()

    t = threading.Thread(target=menilai)
    t.start()
    mulai.wait(5)
    pindah = threading.Thread(
        target=lambda: (
            Pegawai.objects.filter(pk=tim[0].pk).update(unit_kerja=lain),
            connections.close_all(),
        )
    )
    pindah.start()
    pindah.join(0.3)
    assert pindah.is_alive()  # blocked by the rater's FOR SHARE until it commits
    selesai.set()
    t.join(5)
    pindah.join(5)
    assert not galat
    assert hitung_predikat.selisih() == []
    n = dict(HitungPredikat.objects.filter(predikat="baik").values_list("unit_kerja_id", "n"))
    assert n[hitung_predikat.INSTANSI] == 2 and n[lain.pk] == 1


def test_page_reads_the_kept_counts_and_shows_a_change_at_once(org, client_as):
    from django.test.utils import CaptureQueriesContext

    ev = nilai(
        services.evaluasi_mulai(
            user=org.kasubbid.user,
            pegawai=org.pegawai,
            periode=org.periode_a,
            jenis="tahunan",
            urutan=None,
        ),
        S,
        S,
    )
    c = client_as(org.admin_a)
    with CaptureQueriesContext(connection) as q:
        html = c.get("/evaluasi/distribusi/").content.decode()
    sql = " ".join(x["sql"] for x in q.captured_queries)
    # The counts come from the kept rows: no evaluation is read.
    assert hitung_predikat.TABEL in sql and "evaluasi_evaluasi" not in sql
    assert "1 pegawai dinilai" in html
    # Another instansi's admin reads none of these counts.
    assert (
        "0 pegawai dinilai" in client_as(org.admin_b).get("/evaluasi/distribusi/").content.decode()
    )
    nilai(ev, "", S)  # no predikat any more
    assert "0 pegawai dinilai" in c.get("/evaluasi/distribusi/").content.decode()


def test_the_migration_keeps_the_sql_it_was_written_with():
    """Migration 0011 holds its own copy of the triggers' SQL: a change to
    evaluasi/hitung_predikat.py's triggers must come with a migration of its own."""
    import importlib

    from evaluasi import hitung_predikat as h

    m = importlib.import_module("evaluasi.migrations.0011_hitung_predikat")
    assert (m.FUNGSI_SQL, m.PEMICU_SQL, m.HAPUS_SQL) == (h.FUNGSI_SQL, h.PEMICU_SQL, h.HAPUS_SQL)
    isi = f"INSERT INTO {h.TABEL} ({h._KUNCI}, n) " + h._SEGAR.format(
        syarat="", instansi=h.INSTANSI
    )
    assert m.ISI_SQL.split() == isi.split()
