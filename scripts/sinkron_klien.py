#!/usr/bin/env python3
"""Reference client for Kinerja's incremental sync (api.md, "Incremental sync").

Keeps a local SQLite copy of one instansi and writes ONE ROW PER PEGAWAI PER YEAR (table
`rekap`: the year's final annual predikat, or null while there is none, and the keberatan that
changed it, if any). Standard library only, so a BKD can run it anywhere with Python 3.10+.

    python3 scripts/sinkron_klien.py --url https://kinerja.example.go.id --token <token> \\
        --instansi 1 --db rekap.sqlite3            # first run: full pull; later: incremental

The first run reads every pegawai, periode and evaluasi of the instansi with the keyset cursor
(`?cursor=`). Each later run first asks `perubahan/ringkasan/` how many rows of each list changed
or were deleted since a few minutes before the previous run started, then pulls only the lists
that changed (`?diubah_sejak=`, following `next`), applies deletions from `perubahan/` when
there are any, and rewrites the rekap rows of the pegawai it touched. A quiet night costs one
request. `--penuh` forces a full pull. It prints one
JSON line: mode, requests made, seconds, rows.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sqlite3
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from typing import Any

# Writes still being saved while a sync runs carry an earlier time than their commit: start the
# next sync this much before the previous one started (rows read twice are simply replaced).
MARGIN = dt.timedelta(minutes=5)
PAGE = 200

SKEMA = """
CREATE TABLE IF NOT EXISTS pegawai (
    id INTEGER PRIMARY KEY, nip TEXT, nama TEXT, unit_kerja INTEGER, jabatan INTEGER,
    status TEXT, diubah TEXT);
CREATE TABLE IF NOT EXISTS periode (id INTEGER PRIMARY KEY, tahun INTEGER, status TEXT);
CREATE TABLE IF NOT EXISTS evaluasi (
    id INTEGER PRIMARY KEY, pegawai INTEGER, periode INTEGER, jenis TEXT, urutan INTEGER,
    predikat TEXT, status TEXT, keberatan INTEGER, diubah TEXT);
CREATE TABLE IF NOT EXISTS rekap (
    pegawai INTEGER, tahun INTEGER, nip TEXT, nama TEXT, predikat TEXT, status TEXT,
    keberatan INTEGER, PRIMARY KEY (pegawai, tahun));
CREATE TABLE IF NOT EXISTS status_sinkron (kunci TEXT PRIMARY KEY, nilai TEXT);
"""


class Klien:
    """GETs with the token, counting requests; follows `next` links."""

    def __init__(self, url: str, token: str, timeout: float = 60):
        self.base = url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.permintaan = 0

    def get(self, path_or_url: str, params: dict[str, Any] | None = None) -> dict:
        url = path_or_url if "://" in path_or_url else f"{self.base}{path_or_url}"
        if params:
            url += ("&" if "?" in url else "?") + urllib.parse.urlencode(params)
        req = urllib.request.Request(
            url, headers={"Authorization": f"Token {self.token}", "Accept": "application/json"}
        )
        for percobaan in range(5):
            self.permintaan += 1
            try:
                with urllib.request.urlopen(req, timeout=self.timeout) as r:
                    return json.loads(r.read())
            except urllib.error.HTTPError as e:
                if e.code in (429, 503) and percobaan < 4:  # over the limit / briefly down
                    time.sleep(float(e.headers.get("Retry-After") or 2))
                    continue
                raise SystemExit(f"{e.code} dari {url}: {e.read()[:500]!r}") from None
        raise SystemExit(f"gagal: {url}")

    def semua(self, path: str, params: dict[str, Any]) -> Iterator[dict]:
        """Every row of a list: keyset pages from the first until `next` is null."""
        body = self.get(path, {**params, "page_size": PAGE})
        while True:
            yield from body["results"]
            if not body.get("next"):
                return
            body = self.get(body["next"])


def _simpan(db: sqlite3.Connection, tabel: str, rows: list[dict], kolom: list[str]) -> None:
    db.executemany(
        f"INSERT OR REPLACE INTO {tabel} ({', '.join(kolom)}) "
        f"VALUES ({', '.join('?' for _ in kolom)})",
        [[r.get(k) for k in kolom] for r in rows],
    )


KOLOM = {
    "pegawai": ["id", "nip", "nama", "unit_kerja", "jabatan", "status", "diubah"],
    "periode": ["id", "tahun", "status"],
    "evaluasi": [
        "id",
        "pegawai",
        "periode",
        "jenis",
        "urutan",
        "predikat",
        "status",
        "keberatan",
        "diubah",
    ],
}


def sinkron(klien: Klien, db: sqlite3.Connection, instansi: int, penuh: bool = False) -> dict:
    """One run: full the first time (or with `penuh`), else incremental. Returns a summary."""
    db.executescript(SKEMA)
    mulai = dt.datetime.now(dt.UTC)
    t0 = time.perf_counter()
    row = db.execute("SELECT nilai FROM status_sinkron WHERE kunci = 'mulai'").fetchone()
    sejak = None if (penuh or row is None) else dt.datetime.fromisoformat(row[0]) - MARGIN
    tersentuh: set[int] = set()
    params: dict[str, dict[str, Any]] = {
        "pegawai": {"instansi": instansi},
        "periode": {"instansi": instansi},
        "evaluasi": {},  # the token's scope: the instansi it belongs to
    }
    ringkasan = None
    if sejak is not None:
        ringkasan = klien.get(
            "/api/v1/perubahan/ringkasan/",
            {"diubah_sejak": sejak.isoformat(), "jenis": ",".join(params)},
        )
    for tabel, p in params.items():
        if ringkasan is not None and not ringkasan["berubah"].get(tabel):
            continue  # nothing of this list changed since the last run
        q = {**p, "cursor": ""} if sejak is None else {**p, "diubah_sejak": sejak.isoformat()}
        rows = list(klien.semua(f"/api/v1/{tabel}/", q))
        _simpan(db, tabel, rows, KOLOM[tabel])
        if tabel == "pegawai":
            tersentuh |= {r["id"] for r in rows}
        elif tabel == "evaluasi":
            tersentuh |= {r["pegawai"] for r in rows}
    if ringkasan is not None and any(ringkasan["dihapus"].values()):
        for t in klien.semua("/api/v1/perubahan/", {"diubah_sejak": sejak.isoformat()}):
            if t["jenis"] in KOLOM:
                if t["jenis"] == "evaluasi":
                    tersentuh |= {
                        r[0]
                        for r in db.execute("SELECT pegawai FROM evaluasi WHERE id = ?", [t["id"]])
                    }
                db.execute(f"DELETE FROM {t['jenis']} WHERE id = ?", [t["id"]])
                if t["jenis"] == "pegawai":
                    db.execute("DELETE FROM rekap WHERE pegawai = ?", [t["id"]])
    if sejak is not None and (
        db.execute("SELECT count(*) FROM periode").fetchone()[0]
        != db.execute("SELECT count(DISTINCT tahun) FROM rekap").fetchone()[0]
    ):
        tersentuh = None  # a new year: every pegawai gets its row
    baris = _rekap(db, None if sejak is None else tersentuh)
    db.execute("INSERT OR REPLACE INTO status_sinkron VALUES ('mulai', ?)", [mulai.isoformat()])
    db.commit()
    return {
        "mode": "penuh" if sejak is None else "inkremental",
        "permintaan": klien.permintaan,
        "detik": round(time.perf_counter() - t0, 3),
        "baris_ditulis": baris,
        "pegawai": db.execute("SELECT count(*) FROM pegawai").fetchone()[0],
        "rekap": db.execute("SELECT count(*) FROM rekap").fetchone()[0],
    }


def _rekap(db: sqlite3.Connection, pegawai: set[int] | None) -> int:
    """(Re)write one row per pegawai per year: the final annual evaluation's predikat."""
    where, args = "", []
    if pegawai is not None:
        if not pegawai:
            return 0
        ids = sorted(pegawai)
        where = f"WHERE p.id IN ({', '.join('?' for _ in ids)})"
        args = ids
        db.execute(f"DELETE FROM rekap WHERE pegawai IN ({', '.join('?' for _ in ids)})", ids)
    else:
        db.execute("DELETE FROM rekap")
    cur = db.execute(
        f"""
        INSERT INTO rekap (pegawai, tahun, nip, nama, predikat, status, keberatan)
        SELECT p.id, r.tahun, p.nip, p.nama,
               CASE WHEN e.status = 'final' THEN e.predikat END, e.status, e.keberatan
        FROM pegawai p CROSS JOIN periode r
        LEFT JOIN evaluasi e
          ON e.pegawai = p.id AND e.periode = r.id AND e.jenis = 'tahunan'
        {where}
        """,
        args,
    )
    return cur.rowcount


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--url", required=True, help="alamat Kinerja, mis. https://kinerja.bkd.go.id")
    ap.add_argument("--token", required=True, help="token API (Authorization: Token ...)")
    ap.add_argument("--instansi", required=True, type=int, help="id instansi")
    ap.add_argument("--db", default="rekap.sqlite3", help="berkas SQLite keluaran")
    ap.add_argument("--penuh", action="store_true", help="tarik ulang semuanya")
    a = ap.parse_args(argv)
    db = sqlite3.connect(a.db)
    try:
        print(json.dumps(sinkron(Klien(a.url, a.token), db, a.instansi, penuh=a.penuh)))
    finally:
        db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
