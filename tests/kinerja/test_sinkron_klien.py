"""The reference client (scripts/sinkron_klien.py) against the live test server: a full pull,
then a nightly incremental run after changes (a rename, a new final evaluation, a keberatan
decision, a deleted pegawai), leaving one row per pegawai per year that matches the server."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from rest_framework.authtoken.models import Token

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "sinkron_klien.py"


def _run(live_server, token: str, instansi: int, db: Path) -> dict:
    r = subprocess.run(
        [
            sys.executable,
            str(SCRIPT),
            "--url",
            live_server.url,
            "--token",
            token,
            "--instansi",
            str(instansi),
            "--db",
            str(db),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    return json.loads(r.stdout.strip().splitlines()[-1])


def _expected(instansi) -> set[tuple]:
    """One row per pegawai per year, from the server's own tables."""
    from evaluasi.models import Evaluasi
    from kinerja.models import Pegawai, Periode

    final = {
        (e.pegawai_id, e.periode.tahun): e.predikat
        for e in Evaluasi.objects.filter(jenis="tahunan", status="final").select_related("periode")
    }
    return {
        (p.pk, t, p.nama, final.get((p.pk, t)))
        for p in Pegawai.objects.filter(instansi=instansi)
        for t in Periode.objects.filter(instansi=instansi).values_list("tahun", flat=True)
    }


def _rows(db: Path) -> set[tuple]:
    with sqlite3.connect(db) as c:
        return set(c.execute("SELECT pegawai, tahun, nama, predikat FROM rekap"))


@pytest.mark.django_db(transaction=True)
def test_full_then_incremental_sync_keeps_one_row_per_pegawai_per_year(live_server, tmp_path):
    from evaluasi import services as ev_services
    from kinerja import services
    from kinerja.models import Pegawai
    from tests.evaluasi.conftest import final
    from tests.factories import PegawaiFactory
    from tests.personas import build_org

    org = build_org()
    ev = final(org)
    pergi = PegawaiFactory(instansi=org.instansi_a, jabatan=org.rekan.jabatan)
    token = Token.objects.create(user=org.admin_a).key
    db = tmp_path / "rekap.sqlite3"

    penuh = _run(live_server, token, org.instansi_a.pk, db)
    assert (
        penuh["mode"] == "penuh"
        and penuh["pegawai"] == Pegawai.objects.filter(instansi=org.instansi_a).count()
    )
    assert _rows(db) == _expected(org.instansi_a)
    assert (org.pegawai.pk, org.periode_a.tahun, org.pegawai.nama, ev.predikat) in _rows(db)

    # A quiet night: the change summary says nothing changed, and that is the only request.
    # (Everything above was written seconds ago, inside the client's safety margin: age it.)
    from bench.sinkron import tua_kan

    tua_kan(org.instansi_a.pk)
    sepi = _run(live_server, token, org.instansi_a.pk, db)
    assert sepi["mode"] == "inkremental" and sepi["permintaan"] == 1 and sepi["baris_ditulis"] == 0
    assert _rows(db) == _expected(org.instansi_a)

    # The day's changes.
    org.rekan.nama = "Nama Baru Rekan"
    services.organisasi_simpan(user=org.admin_a, obj=org.rekan)
    final(org, "rekan", hasil="diatas_ekspektasi")
    k = ev_services.keberatan_ajukan(user=org.pegawai.user, evaluasi=ev, alasan="Di atas target.")
    ev_services.keberatan_putuskan(
        user=org.kabid.user,
        keberatan=k,
        keputusan="diubah",
        alasan_keputusan="Benar.",
        rating_hasil_kerja="diatas_ekspektasi",
        rating_perilaku_kerja="diatas_ekspektasi",
        row_version=k.row_version,
    )
    services.organisasi_hapus(user=org.admin_a, obj=pergi)

    malam = _run(live_server, token, org.instansi_a.pk, db)
    assert malam["mode"] == "inkremental"
    # The summary, one page each of pegawai and evaluasi (periode did not change), deletions.
    assert malam["permintaan"] == 4
    assert _rows(db) == _expected(org.instansi_a)
    with sqlite3.connect(db) as c:
        assert c.execute(
            "SELECT predikat, keberatan FROM rekap WHERE pegawai = ?", [org.pegawai.pk]
        ).fetchone() == ("sangat_baik", k.pk)
        assert (
            c.execute("SELECT count(*) FROM rekap WHERE pegawai = ?", [pergi.pk]).fetchone()[0] == 0
        )
