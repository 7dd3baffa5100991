"""Bench row: incremental sync vs the full pull (issue 18, "Done means").

At the bench's province (100,000 pegawai), the reference client (scripts/sinkron_klien.py)
pulls one instansi in full over HTTP, then 100 pegawai change, then the nightly incremental run
reads what changed. Reported: requests and seconds of each, and their ratio (goal: the
incremental costs under 1 % of the full pull). Self-contained: give it the URL of a running
server (the bench's gunicorn) and an API token of the instansi's admin.

    from bench.sinkron import ukur
    hasil = ukur(base_url="http://127.0.0.1:8107", token="...", instansi_id=1)
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import random
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

from django.utils import timezone

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "sinkron_klien.py"


def _klien_modul():
    spec = importlib.util.spec_from_file_location("sinkron_klien", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def ubah_pegawai(instansi_id: int, n: int, seed: int = 2026) -> list[int]:
    """n pegawai of the instansi change (a committed write: the server sees it)."""
    from kinerja.models import Pegawai

    ids = list(Pegawai.objects.filter(instansi_id=instansi_id).values_list("pk", flat=True))
    pilih = random.Random(seed).sample(ids, min(n, len(ids)))
    Pegawai.objects.filter(pk__in=pilih).update(email="bench-sinkron@example.invalid")
    return pilih


def tua_kan(instansi_id: int) -> None:
    """Generated rows were all written minutes ago, within the client's safety margin: move
    their `diubah` a day back, as if the data had been there since yesterday."""
    from django.db.models import F

    from evaluasi.models import Evaluasi
    from kinerja.models import Pegawai, Periode

    sehari = dt.timedelta(days=1)
    batas = timezone.now() - sehari
    for qs in (
        Pegawai.objects.filter(instansi_id=instansi_id),
        Periode.objects.filter(instansi_id=instansi_id),
        Evaluasi.objects.filter(pegawai__instansi_id=instansi_id),
    ):
        qs.filter(diubah__gt=batas).update(diubah=F("diubah") - sehari)


def ukur(
    *, base_url: str, token: str, instansi_id: int, perubahan: int = 100, ulang: int = 3
) -> dict[str, Any]:
    """Full pull, then `ulang` nights of `perubahan` changes and an incremental pull each (the
    median night is reported). Leaves the data's values as found (only `diubah` moves)."""
    from kinerja.models import Pegawai

    klien_mod = _klien_modul()
    tua_kan(instansi_id)
    with tempfile.TemporaryDirectory(prefix="bench-sinkron-") as tmp:
        db = sqlite3.connect(Path(tmp) / "rekap.sqlite3")
        try:
            penuh = klien_mod.sinkron(klien_mod.Klien(base_url, token), db, instansi_id)
            lama = dict(Pegawai.objects.filter(instansi_id=instansi_id).values_list("pk", "email"))
            malam = []
            for i in range(ulang):  # median of a few nights: one run is at the machine's mercy
                pilih = ubah_pegawai(instansi_id, perubahan, seed=2026 + i)
                try:
                    malam.append(
                        klien_mod.sinkron(klien_mod.Klien(base_url, token), db, instansi_id)
                    )
                finally:
                    for pk in pilih:  # put the values back
                        Pegawai.objects.filter(pk=pk).update(email=lama[pk])
                    tua_kan(instansi_id)  # tonight's changes are old news for the next night
            inkremental = sorted(malam, key=lambda m: m["detik"])[len(malam) // 2]
        finally:
            db.close()
    return {
        "penuh": penuh,
        "inkremental": inkremental,
        "rasio_permintaan": inkremental["permintaan"] / max(1, penuh["permintaan"]),
        "rasio_detik": inkremental["detik"] / max(1e-9, penuh["detik"]),
    }


def baris(hasil: dict[str, Any]) -> dict[str, str]:
    """The row for bench/results.md."""
    p, i = hasil["penuh"], hasil["inkremental"]
    ok = hasil["rasio_permintaan"] < 0.01 and hasil["rasio_detik"] < 0.01
    return {
        "work": f"Sinkronisasi inkremental setelah 100 perubahan vs tarik penuh ({p['pegawai']:,} "
        "pegawai)",
        "goal": "< 1 %",
        "kinerja": f"{i['permintaan']} permintaan, {i['detik']:.2f} s",
        "limit": f"{p['permintaan']} permintaan, {p['detik']:.1f} s",
        "ratio": f"{hasil['rasio_permintaan']:.2%} permintaan, {hasil['rasio_detik']:.2%} waktu",
        "status": "tercapai" if ok else "TIDAK tercapai",
    }
