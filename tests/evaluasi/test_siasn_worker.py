"""The SIASN push end to end with a real Celery worker on Redis and PostgreSQL: a penilai
finalises, the outbox hands the job to the worker after commit, the worker sends the record to
the stand-in SIASN server (tests/evaluasi/siasn_standin.py), and the send is logged; a timeout
is retried by the worker itself with backoff."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from types import SimpleNamespace
from unittest import mock

import pytest

from tests.evaluasi.siasn_standin import StandinSiasn


@pytest.fixture(scope="module")
def standin() -> Iterator[StandinSiasn]:
    with StandinSiasn() as s:
        yield s


@pytest.fixture(scope="module")
def pekerja_siasn(django_db_setup, tmp_path_factory, standin) -> Iterator[SimpleNamespace]:
    from tests.worker_fixtures import WORKER_ENV, Worker, redis_uji_or_skip

    redis = redis_uji_or_skip()
    env = {k: str(v) for k, v in standin.settings(timeout=0.5).items()}
    with mock.patch.dict(WORKER_ENV, env):
        w = Worker(redis, tmp_path_factory.mktemp("pekerja-siasn"), pool="prefork", concurrency=1)
    yield SimpleNamespace(worker=w, redis=redis)
    w.stop()


@pytest.fixture
def pekerja(pekerja_siasn, transactional_db, settings, standin) -> Iterator[SimpleNamespace]:
    from django.core.cache import cache

    from tests.worker_fixtures import celery_di

    for k, v in standin.settings(timeout=0.5).items():
        setattr(settings, k, v)
    cache.clear()
    with celery_di(pekerja_siasn.redis):
        yield pekerja_siasn


def _tunggu(pred, pekerja, pesan: str, timeout: float = 30):
    from tests.worker_fixtures import wait_for

    try:
        return wait_for(pred, timeout, pesan)
    except AssertionError:
        sys.stderr.write(pekerja.worker.output())
        raise


@pytest.mark.worker
def test_a_finalised_evaluation_reaches_siasn_through_the_worker(pekerja, standin):
    from evaluasi.siasn import services
    from evaluasi.siasn.models import Kiriman
    from tests.evaluasi.conftest import final
    from tests.evaluasi.siasn_standin import pns_id
    from tests.personas import build_org

    org = build_org()
    for (jenis, kode), nilai in {
        ("perilaku_kinerja", "sesuai_ekspektasi"): "2",
        ("kuadran", "baik"): "2",
        ("golongan", "III/d"): "34",
    }.items():
        services.referensi_siasn_simpan(
            user=org.admin_a, instansi=org.instansi_a, jenis=jenis, kode=kode, nilai=nilai
        )
    standin.harap(
        "skp22",
        org.pegawai.nip,
        {
            "pnsDinilaiOrang": pns_id(org.pegawai.nip),
            "tahun": org.periode_a.tahun,
            "hasilKinerjaNilai": 2,
            "perilakuKerjaNilai": 2,
            "kuadranKinerjaNilai": 2,
            "penilaiNipNrp": org.kasubbid.nip,
            "penilaiNama": "Fransiska Nenobais",
            "penilaiGolongan": "34",
            "penilaiJabatan": "Kepala Subbidang Evaluasi Kinerja",
            "penilaiUnorNama": "Bidang Penilaian Kinerja",
            "statusPenilai": "ASN",
        },
    )
    standin.jadwal = ["lambat"]  # the first attempt times out; the worker retries by itself
    ev = final(org)  # commits (transactional_db): the outbox sends the job to the worker
    k = _tunggu(
        lambda: Kiriman.objects.filter(evaluasi=ev, status="terkirim").first(),
        pekerja,
        "rekaman terkirim ke SIASN tiruan",
    )
    assert standin.pelanggaran == []
    assert list(
        Kiriman.objects.filter(evaluasi=ev).order_by("pk").values_list("status", "percobaan")
    ) == [("gagal", 1), ("terkirim", 2)]
    assert k.id_siasn in standin.simpanan
