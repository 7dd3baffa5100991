"""`make bench` row: a restructuring (SOTK) that moves 1,000 pegawai, previewed and applied on
the bench data, against the same update written as plain SQL.

Self-contained (issue 16): `ukur(row, instansi_id=..., admin_user_id=...)` fills the runner's row
(`kinerja`, `limit`, `ratio`, `ok`, `note`), so the runner only has to call it once the bench
package settles in its new place. Everything runs in transactions that are rolled back.

- Kinerja: `restrukturisasi_pratinjau` (the structure of the instansi read once, derived in
  memory with the draft's 1,000 placements; nothing written) and `restrukturisasi_jalankan`
  (what the outbox job runs: 1,000 Mutasi naming the restructuring, pegawai rows, riwayat
  jabatan, history, then one `penilai_refresh` as of the TMT with MasaPenilai and the
  `penilai_berubah` signal for the later stages).
- Limit: the same end state of the moved rows written by hand: the Mutasi rows, the pegawai's
  new post and penilai, the closed and opened RiwayatJabatan and MasaPenilai stretches, as six
  set-based statements over an id array (no history, no check, no signal, the new penilai
  already known).
"""

from __future__ import annotations

import contextlib
import statistics
import time
from collections.abc import Callable, Iterator
from typing import Any

from django.db import connection, transaction

JUMLAH = 1000


class _Batal(Exception):
    pass


@contextlib.contextmanager
def _rolled_back() -> Iterator[None]:
    try:
        with transaction.atomic():
            yield
            raise _Batal
    except _Batal:
        pass


def _fmt(sec: float) -> str:
    return f"{sec * 1000:.0f} ms" if sec < 1 else f"{sec:.2f} s"


def _pilih(instansi_id: int, n: int) -> tuple[Any, list[int]]:
    """A pelaksana post with a held superior, and n active pegawai holding pelaksana posts that
    report elsewhere (so every one of them changes penilai by moving there)."""
    from django.db.models import Count

    from kinerja.models import Jabatan, Pegawai

    aktif = Pegawai.objects.filter(instansi_id=instansi_id, status=Pegawai.Status.AKTIF)
    dipegang = set(aktif.values_list("jabatan_id", flat=True))
    # The post whose superior rates the fewest pelaksana: the most pegawai change penilai
    # by moving there.
    per_atasan = dict(
        aktif.filter(jabatan__jenis=Jabatan.Jenis.PELAKSANA)
        .values("jabatan__atasan_id")
        .annotate(n=Count("pk"))
        .values_list("jabatan__atasan_id", "n")
    )
    calon = list(
        Jabatan.objects.filter(
            unit_kerja__instansi_id=instansi_id,
            jenis=Jabatan.Jenis.PELAKSANA,
            atasan_id__in=dipegang,
            ditutup__isnull=True,
        ).values_list("pk", "atasan_id")
    )
    if not calon:
        raise RuntimeError("tidak ada jabatan pelaksana dengan atasan yang terisi")
    pk, _atasan = min(calon, key=lambda c: (per_atasan.get(c[1], 0), c[0]))
    target = Jabatan.objects.get(pk=pk)
    ids = list(
        aktif.filter(jabatan__jenis=Jabatan.Jenis.PELAKSANA, plt_jabatan__isnull=True)
        .exclude(jabatan__atasan_id=target.atasan_id)
        .order_by("pk")
        .values_list("pk", flat=True)[:n]
    )
    if len(ids) < n:
        raise RuntimeError(f"hanya {len(ids)} pegawai pelaksana yang dapat dipindah")
    return target, ids


def _siapkan(instansi_id: int, admin_user_id: int, n: int, tmt: Any) -> tuple[Any, Any, list[int]]:
    """Steady state first (every pegawai with its holding and penilai stretch recorded, as after
    the first change), then a draft with n placements (written directly: preparing the draft is
    the admin's clicks, not what is measured)."""
    from kinerja import services
    from kinerja.models import (
        Instansi,
        LangkahRestrukturisasi,
        Pegawai,
        Restrukturisasi,
        User,
    )

    inst = Instansi.objects.get(pk=instansi_id)
    admin = User.objects.get(pk=admin_user_id)
    services.penilai_refresh(instansi=inst, oleh=admin)
    target, ids = _pilih(instansi_id, n)
    services.riwayat_pastikan_banyak(pegawai=list(Pegawai.objects.filter(pk__in=ids)))
    r = Restrukturisasi.objects.create(instansi=inst, nama="SOTK bench", tmt=tmt, dibuat_oleh=admin)
    LangkahRestrukturisasi.objects.bulk_create(
        [
            LangkahRestrukturisasi(
                restrukturisasi=r,
                urutan=i + 1,
                jenis=LangkahRestrukturisasi.Jenis.PENEMPATAN,
                pegawai_id=pid,
                jabatan_ke=target,
                jenis_mutasi="rotasi",
            )
            for i, pid in enumerate(ids)
        ]
    )
    return admin, r, ids


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


SQL = [
    """INSERT INTO kinerja_mutasi (pegawai_id, jenis, jabatan_baru_id, unit_kerja_baru_id, tmt,
           status, keterangan, dibuat, diberlakukan, alasan_batal, row_version)
       SELECT p, 'rotasi', %(j)s, %(u)s, %(tmt)s, 'berlaku', '', now(), now(), '', 1
       FROM unnest(%(ids)s::bigint[]) AS p""",
    """UPDATE kinerja_riwayatjabatan SET selesai = %(kemarin)s
       WHERE pegawai_id = ANY(%(ids)s) AND jenis = 'definitif' AND selesai IS NULL""",
    """INSERT INTO kinerja_riwayatjabatan (pegawai_id, jabatan_id, unit_kerja_id, jenis, mulai)
       SELECT p, %(j)s, %(u)s, 'definitif', %(tmt)s FROM unnest(%(ids)s::bigint[]) AS p""",
    """UPDATE kinerja_pegawai SET jabatan_id = %(j)s, unit_kerja_id = %(u)s,
           pejabat_penilai_id = %(pp)s, atasan_pejabat_penilai_id = %(ap)s,
           row_version = row_version + 1
       WHERE id = ANY(%(ids)s)""",
    """UPDATE kinerja_masapenilai SET selesai = %(kemarin)s
       WHERE pegawai_id = ANY(%(ids)s) AND selesai IS NULL""",
    """INSERT INTO kinerja_masapenilai (pegawai_id, pejabat_penilai_id,
           atasan_pejabat_penilai_id, mulai)
       SELECT p, %(pp)s, %(ap)s, %(tmt)s FROM unnest(%(ids)s::bigint[]) AS p""",
]


def ukur(
    row: Any,
    *,
    instansi_id: int,
    admin_user_id: int,
    n: int = JUMLAH,
    ulang: int = 3,
    say: Callable[[str], None] = lambda _m: None,
) -> dict[str, float]:
    """Fill `row` with the preview and apply times (median of `ulang` runs, each on fresh
    rolled-back data) against the hand-written SQL. Returns the medians in seconds."""
    import datetime as dt

    from kinerja import restrukturisasi, waktu
    from kinerja import restrukturisasi_terapan as terapan
    from kinerja.models import Mutasi, Pegawai, Restrukturisasi

    tmt = waktu.hari_ini()
    t_pra, t_ter, t_sql = [], [], []
    akhir: dict[str, Any] = {}
    for i in range(ulang):
        with _rolled_back():
            admin, r, ids = _siapkan(instansi_id, admin_user_id, n, tmt)
            dt_pra, hasil = _timed(
                lambda r=r, admin=admin: restrukturisasi.restrukturisasi_pratinjau(
                    user=admin, restrukturisasi=r
                )
            )
            if hasil.masalah or len(hasil.penempatan) != n:
                raise RuntimeError(f"pratinjau tidak sesuai: {hasil.masalah[:3]}")
            Restrukturisasi.objects.filter(pk=r.pk).update(status="diproses")
            dt_ter, _ = _timed(
                lambda r=r, admin=admin: terapan.restrukturisasi_jalankan(
                    restrukturisasi_id=r.pk, oleh=admin
                )
            )
            dipindah = Mutasi.objects.filter(restrukturisasi_id=r.pk, status="berlaku").count()
            if dipindah != n:
                raise RuntimeError(f"hanya {dipindah} dari {n} pegawai dipindah")
            contoh = Pegawai.objects.get(pk=ids[0])
            akhir = {
                "j": contoh.jabatan_id,
                "u": contoh.unit_kerja_id,
                "pp": contoh.pejabat_penilai_id,
                "ap": contoh.atasan_pejabat_penilai_id,
                "berganti": len(hasil.penilai_berganti),
            }
            t_pra.append(dt_pra)
            t_ter.append(dt_ter)
        with _rolled_back():
            _admin, _r, ids = _siapkan(instansi_id, admin_user_id, n, tmt)
            params = {
                **{k: akhir[k] for k in ("j", "u", "pp", "ap")},
                "ids": ids,
                "tmt": tmt,
                "kemarin": tmt - dt.timedelta(days=1),
            }

            def tulis(params=params) -> None:
                with connection.cursor() as cur:
                    for sql in SQL:
                        cur.execute(sql, params)

            dt_sql, _ = _timed(tulis)
            t_sql.append(dt_sql)
        say(f"restrukturisasi {i + 1}/{ulang}: {dt_pra:.2f}s / {dt_ter:.2f}s / {dt_sql:.3f}s")
    pra, ter, sql = (statistics.median(t) for t in (t_pra, t_ter, t_sql))
    row.kinerja = f"pratinjau {_fmt(pra)}, terapkan {_fmt(ter)} (median {ulang}x)"
    row.limit = f"{_fmt(sql)} SQL tangan"
    row.ratio = f"{ter / sql:.1f}x (terapkan)" if sql else ""
    row.ok = None  # reported: the issue asks for the comparison, sets no goal
    row.note = (
        f"{n} pegawai dipindah ke satu jabatan pelaksana lain dalam satu restrukturisasi; "
        f"{akhir.get('berganti', 0)} berganti pejabat penilai. Terapkan = fungsi job outbox "
        "(kinerja.restrukturisasi): Mutasi per pegawai dengan riwayat dan history, riwayat "
        "jabatan, lalu satu penilai_refresh seinstansi pada TMT (MasaPenilai, sinyal "
        "penilai_berubah: SKP lama tiap pegawai ditutup dan SKP draf baru dibuat, penugasan "
        "yang menunggu dipindah, semuanya dengan history dan notifikasi). SQL tangan = enam pernyataan berbasis himpunan untuk baris yang sama "
        "tanpa history, pemeriksaan, maupun sinyal, dengan penilai baru yang sudah diketahui."
    )
    return {"pratinjau": pra, "terapkan": ter, "sql": sql}
