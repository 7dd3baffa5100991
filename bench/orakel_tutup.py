"""What the year-end close writes, for every bench instansi, as one JSON file: the oracle for a
change to the close's code (run it on the old code and on the new, each on a fresh copy of the
bench database, and compare; bench/temuan.md, putaran kesembilan, "tutup").

    DATABASE_URL=... python -m bench.orakel_tutup OUT.json
    python -m bench.orakel_tutup --banding OLD.json NEW.json

The close runs as the bench's close row runs it (`penutupan_mulai`, the close job's data phase,
every unit marked done, the final step), inside a transaction that is rolled back. Recorded per
instansi: the year's status and its new history row, the PenutupanTahun row, every ArsipUnit
row, every unit job (key and kwargs), the close job's final state, what the two steps return,
and the recap's data (its SHA-256: the xlsx is built from it alone; its bytes also hold
openpyxl's timestamps). Ids of rows the close makes are written relative to the close job's.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from typing import Any
from unittest import mock


def rekam(out: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kinerja.settings")
    import django

    django.setup()
    from django.apps import apps

    from bench.dasar import rolled_back
    from bench.generate import MARKER_KODE
    from evaluasi import rekap
    from evaluasi.services import tutup_tahun as services
    from kinerja.models import Job, Periode, User

    ArsipUnit = apps.get_model("evaluasi.ArsipUnit")
    PenutupanTahun = apps.get_model("evaluasi.PenutupanTahun")
    prefix = MARKER_KODE.split("-")[0] + "-"
    periodes = list(Periode.objects.filter(instansi__kode__startswith=prefix).order_by("id"))
    hasil: dict[str, Any] = {}
    recap: dict[int, str] = {}

    def xlsx(*, periode, data, penutupan):
        recap[periode.pk] = hashlib.sha256(
            json.dumps(data, default=str, sort_keys=True).encode()
        ).hexdigest()

    with (
        rolled_back(),
        mock.patch.object(rekap, "xlsx_rekap", xlsx),
        mock.patch.object(services, "evaluasi_dokumen_render", lambda *, evaluasi: None),
    ):
        for periode in periodes:
            admin = (
                User.objects.filter(admin_instansi_id=periode.instansi_id, is_active=True)
                .order_by("pk")
                .first()
            )
            pen = services.penutupan_mulai(user=admin, periode=periode)
            job = Job.objects.get(pk=pen.job_id)
            j = job.pk
            menunggu = services.tutup_tahun_jalankan(periode_id=periode.pk, job=job)
            ArsipUnit.objects.filter(putaran=j).update(putaran_selesai=j)
            selesai = services._tutup_periksa(pen_id=pen.pk, putaran=j, induk_id=j)

            def rel(v: Any, j: int = j) -> Any:
                return f"job{v - j:+d}" if isinstance(v, int) and abs(v - j) < 5000 else v

            pen = PenutupanTahun.objects.get(pk=pen.pk)
            per = Periode.objects.get(pk=periode.pk)
            hist = per.history.order_by("-history_id").first()
            unit_jobs = (
                Job.objects.filter(task="evaluasi.tutup_unit", kwargs__induk_id=j)
                .order_by("kunci")
                .values_list("kunci", "kwargs", "status", "instansi_id", "dikirim", "dibuat_oleh")
            )
            close = Job.objects.get(pk=j)
            hasil[str(periode.pk)] = {
                "periode": [
                    per.status,
                    hist.status,
                    hist.history_change_reason,
                    hist.history_user_id,
                    per.history.count(),
                ],
                "penutupan": [
                    pen.status,
                    pen.unit_total,
                    pen.dokumen_total,
                    pen.rekap_sidik,
                    pen.ringkasan,
                    rel(pen.putaran),
                    rel(pen.job_id),
                    pen.rekap_id,
                    pen.selesai is not None,
                    pen.dimulai_oleh_id,
                ],
                "arsip": [
                    [u, s, n, rel(p), rel(ps), t, d]
                    for u, s, n, p, ps, t, d in ArsipUnit.objects.filter(penutupan=pen)
                    .order_by("unit_kerja_id")
                    .values_list(
                        "unit_kerja_id",
                        "sidik",
                        "jumlah",
                        "putaran",
                        "putaran_selesai",
                        "terbit",
                        "dokumen_id",
                    )
                ],
                "unit_job": [
                    [
                        _kunci_rel(k),
                        {a: rel(b) if a in _JOB else b for a, b in kw.items()},
                        st,
                        i,
                        dk is None,
                        u,
                    ]
                    for k, kw, st, i, dk, u in unit_jobs
                ],
                "job": [
                    close.status,
                    close.hasil,
                    close.progres,
                    close.progres_total,
                    close.pesan,
                    close.galat,
                ],
                "kembali": [
                    getattr(menunggu, "pesan", menunggu),
                    getattr(menunggu, "total", None),
                    selesai,
                ],
                "rekap": recap.get(periode.pk),
            }
    with open(out, "w") as fh:
        json.dump(hasil, fh, sort_keys=True, default=str)
    print(f"{len(hasil)} instansi, {sum(len(v['arsip']) for v in hasil.values()):,} ArsipUnit")


_JOB = ("putaran", "induk_id")  # kwargs that hold the close job's id


def _kunci_rel(kunci: str) -> str:
    """evaluasi-tutup:<periode>:<putaran>:<unit>, the run (a job id) left out."""
    a, periode, _putaran, unit = kunci.split(":")
    return f"{a}:{periode}:JOB:{unit}"


def banding(a: str, b: str) -> int:
    with open(a) as fa, open(b) as fb:
        old, new = json.load(fa), json.load(fb)
    beda = [
        (p, k)
        for p in sorted(set(old) | set(new), key=int)
        for k in sorted(set(old.get(p, {})) | set(new.get(p, {})))
        if old.get(p, {}).get(k) != new.get(p, {}).get(k)
    ]
    for p, k in beda[:20]:
        print(
            f"BEDA periode {p} {k}: {str(old.get(p, {}).get(k))[:200]} | "
            f"{str(new.get(p, {}).get(k))[:200]}"
        )
    print(f"{len(old)} vs {len(new)} instansi; {len(beda)} bagian berbeda")
    return 1 if beda or not old else 0


if __name__ == "__main__":
    sys.path.insert(0, os.getcwd())
    if sys.argv[1:2] == ["--banding"]:
        sys.exit(banding(sys.argv[2], sys.argv[3]))
    rekam(sys.argv[1])
