"""Who belonged to an instansi in a year, kept by PostgreSQL triggers (evaluasi/anggota_tahun.py):
after any sequence of record writes, pegawai moves, leavings, deletions, mutasi and truncations
the rows equal a fresh reading and give the old probe's answer for every instansi and year;
concurrent writes lose nothing; the completeness page reads them."""

from __future__ import annotations

import datetime as dt
import random
import threading

import pytest
from django.db import IntegrityError, connection, connections, transaction

from evaluasi import anggota_tahun
from kinerja.models import Instansi, Jabatan, MasaPenilai, Pegawai, RiwayatJabatan

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="kept by PostgreSQL triggers"),
]


def _probe(instansi_id: int, tahun: int) -> set[int]:
    """The old answer: pegawai of the instansi now, not berhenti, not a pejabat negara, with a
    MasaPenilai or RiwayatJabatan on a day of the year (the ORM, not the kept rows)."""
    from django.db.models import Exists, OuterRef, Q

    awal, akhir = dt.date(tahun, 1, 1), dt.date(tahun, 12, 31)
    dalam = Q(mulai__lte=akhir) & (Q(selesai__isnull=True) | Q(selesai__gte=awal))
    return set(
        Pegawai.objects.filter(instansi_id=instansi_id)
        .exclude(status=Pegawai.Status.BERHENTI)
        .exclude(jenis_asn=Pegawai.JenisASN.PEJABAT_NEGARA)
        .filter(
            Exists(MasaPenilai.objects.filter(dalam, pegawai=OuterRef("pk")))
            | Exists(RiwayatJabatan.objects.filter(dalam, pegawai=OuterRef("pk")))
        )
        .values_list("pk", flat=True)
    )


def _kept(instansi_id: int, tahun: int) -> set[int]:
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT DISTINCT pegawai_id FROM {anggota_tahun.TABEL} "
            "WHERE instansi_id = %s AND dari <= %s AND sampai >= %s",
            [instansi_id, tahun, tahun],
        )
        return {r[0] for r in cur.fetchall()}


def _sama(tahun: int) -> None:
    assert anggota_tahun.selisih() == []
    for i in Instansi.objects.values_list("pk", flat=True):
        for y in range(tahun - 3, tahun + 3):
            assert _kept(i, y) == _probe(i, y), (i, y)


def test_kept_rows_equal_a_fresh_reading_after_random_writes(org):
    rng = random.Random(12)
    tahun = org.periode_a.tahun
    _sama(tahun)
    jabatan = list(Jabatan.objects.all()[:5])
    instansi = [org.instansi_a.pk, org.instansi_b.pk]

    def tanggal():
        return dt.date(rng.randint(tahun - 3, tahun + 2), rng.randint(1, 12), rng.randint(1, 28))

    def rentang():
        a = tanggal()
        b = None if rng.random() < 0.4 else a + dt.timedelta(days=rng.randint(0, 900))
        return a, b

    def peg():
        return rng.choice(list(Pegawai.objects.order_by("pk").values_list("pk", flat=True)))

    def masa_baru():
        a, b = rentang()
        # A unique (pegawai, mulai) and one open stretch per pegawai: refused writes change
        # nothing, which is checked too.
        with transaction.atomic():
            MasaPenilai.objects.create(pegawai_id=peg(), mulai=a, selesai=b)

    def riwayat_baru():
        a, b = rentang()
        RiwayatJabatan.objects.create(
            pegawai_id=peg(), jabatan=rng.choice(jabatan), mulai=a, selesai=b
        )

    def ubah(model):
        ids = list(model.objects.order_by("pk").values_list("pk", flat=True))
        if ids:
            a, b = rentang()
            with transaction.atomic():
                model.objects.filter(pk=rng.choice(ids)).update(mulai=a, selesai=b)

    def hapus(model):
        ids = list(model.objects.order_by("pk").values_list("pk", flat=True))
        if ids:
            model.objects.filter(pk__in=rng.sample(ids, min(len(ids), rng.randint(1, 3)))).delete()

    def tutup_banyak():
        # A restructuring's shape: many stretches closed in one statement.
        MasaPenilai.objects.filter(
            selesai__isnull=True, pegawai__instansi_id=rng.choice(instansi)
        ).update(selesai=tanggal() + dt.timedelta(days=3000))

    def pindah():
        Pegawai.objects.filter(pk=peg()).update(instansi_id=rng.choice(instansi))

    def status():
        Pegawai.objects.filter(pk=peg()).update(
            status=rng.choice([Pegawai.Status.AKTIF, Pegawai.Status.BERHENTI])
        )

    def jenis():
        Pegawai.objects.filter(pk=peg()).update(
            jenis_asn=rng.choice([Pegawai.JenisASN.PNS, Pegawai.JenisASN.PEJABAT_NEGARA])
        )

    def hapus_pegawai():
        from tests.factories import PegawaiFactory

        p = PegawaiFactory(
            instansi=Instansi.objects.get(pk=rng.choice(instansi)), jabatan=rng.choice(jabatan)
        )
        MasaPenilai.objects.create(pegawai=p, mulai=dt.date(tahun, 1, 1))
        RiwayatJabatan.objects.create(pegawai=p, jabatan=p.jabatan, mulai=dt.date(tahun, 2, 1))
        # Deleted with its records (Django's cascade deletes them first).
        Pegawai.objects.filter(pk=p.pk).delete()

    langkah = [
        masa_baru,
        riwayat_baru,
        lambda: ubah(MasaPenilai),
        lambda: ubah(RiwayatJabatan),
        lambda: hapus(MasaPenilai),
        lambda: hapus(RiwayatJabatan),
        tutup_banyak,
        pindah,
        status,
        jenis,
        hapus_pegawai,
    ]
    dilakukan = []
    for _ in range(80):
        f = rng.choice(langkah)
        try:
            with transaction.atomic():
                f()
        except IntegrityError:
            pass
        dilakukan.append(f)
        assert anggota_tahun.selisih() == [], f
    _sama(tahun)
    assert len(set(dilakukan)) == len(langkah)


def test_a_mutasi_and_a_retirement_mid_year_through_the_services(org, hari, pos_dinas):
    from kinerja import mutasi

    tahun = org.periode_a.tahun
    mutasi.mutasi_catat(
        user=org.admin_a,
        pegawai=org.pegawai,
        jenis="mutasi",
        tmt=dt.date(tahun, 8, 1),
        jabatan_baru=pos_dinas,
    )
    _sama(tahun)
    mutasi.mutasi_catat(
        user=org.admin_a, pegawai=org.rekan, jenis="berhenti", tmt=dt.date(tahun, 6, 30)
    )
    assert org.rekan.pk not in _kept(org.instansi_a.pk, tahun)
    _sama(tahun)


def test_a_truncate_rebuilds_and_bangun_ulang_repairs(org):
    tahun = org.periode_a.tahun
    p = org.fungsional
    RiwayatJabatan.objects.create(pegawai=p, jabatan=p.jabatan, mulai=dt.date(tahun, 1, 1))
    assert MasaPenilai.objects.exists()
    with connection.cursor() as cur:
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cur.execute("TRUNCATE kinerja_masapenilai")
    _sama(tahun)
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {anggota_tahun.TABEL}")
    assert anggota_tahun.selisih() != []
    assert anggota_tahun.bangun_ulang() > 0
    _sama(tahun)


@pytest.mark.django_db(transaction=True)
def test_a_record_written_while_its_pegawai_moves_lands_in_the_new_instansi(org):
    """A stretch recorded while an admin moves the pegawai to another instansi: the move waits
    for the record's commit (FOR SHARE) and then carries its span along; nothing is lost."""
    tahun = org.periode_a.tahun
    p = org.fungsional
    mulai, selesai = threading.Event(), threading.Event()
    galat = []

    def catat():
        try:
            with transaction.atomic():
                RiwayatJabatan.objects.create(
                    pegawai=p, jabatan=p.jabatan, mulai=dt.date(tahun + 5, 1, 1)
                )
                mulai.set()
                selesai.wait(2)
        except Exception as exc:  # pragma: no cover - reported below
            galat.append(exc)
        finally:
            mulai.set()
            connections.close_all()

    t = threading.Thread(target=catat)
    t.start()
    mulai.wait(5)
    pindah = threading.Thread(
        target=lambda: (
            Pegawai.objects.filter(pk=p.pk).update(instansi=org.instansi_b),
            connections.close_all(),
        )
    )
    pindah.start()
    pindah.join(0.3)
    assert pindah.is_alive()  # blocked by the record's FOR SHARE until it commits
    selesai.set()
    t.join(5)
    pindah.join(5)
    assert not galat
    assert anggota_tahun.selisih() == []
    assert p.pk in _kept(org.instansi_b.pk, tahun + 5)
    assert p.pk not in _kept(org.instansi_a.pk, tahun + 5)


def test_page_reads_the_kept_rows_not_the_records(org, client_as):
    from django.test.utils import CaptureQueriesContext

    c = client_as(org.admin_a)
    with CaptureQueriesContext(connection) as q:
        r = c.get(f"/evaluasi/tutup-tahun/?tahun={org.periode_a.tahun}")
    assert r.status_code == 200
    sql = " ".join(x["sql"] for x in q.captured_queries)
    assert anggota_tahun.TABEL in sql
    assert "kinerja_masapenilai" not in sql and "kinerja_riwayatjabatan" not in sql


def test_the_migration_keeps_the_sql_it_was_written_with():
    """The migration holds its own copy of the table's and triggers' SQL: a change to
    evaluasi/anggota_tahun.py must come with a migration of its own."""
    import importlib

    m = importlib.import_module("evaluasi.migrations.0013_lengkap_anggota_tahun")
    a = anggota_tahun
    assert (m.TABEL_SQL, m.FUNGSI_SQL, m.PEMICU_SQL, m.ISI_SQL, m.HAPUS_SQL) == (
        a.TABEL_SQL,
        a.FUNGSI_SQL,
        a.PEMICU_SQL,
        a.ISI_SQL,
        a.HAPUS_SQL,
    )


def test_the_command_checks_and_rebuilds(org):
    import io

    from django.core.management import CommandError, call_command

    tahun = org.periode_a.tahun
    out = io.StringIO()
    call_command("anggota_tahun", stdout=out)
    assert "sesuai" in out.getvalue()
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {anggota_tahun.TABEL}")
    with pytest.raises(CommandError, match="berbeda; jalankan --bangun-ulang"):
        call_command("anggota_tahun", stdout=io.StringIO())
    out = io.StringIO()
    call_command("anggota_tahun", bangun_ulang=True, stdout=out)
    assert "dibangun ulang" in out.getvalue()
    _sama(tahun)
