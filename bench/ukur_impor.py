"""The staff import row: kinerja.impor on N rows against COPY of the same rows."""

from __future__ import annotations

import csv
import datetime as dt
import io
import time
from typing import Any

from bench.dasar import Row, _fmt_s, rolled_back


class ImporMixin:
    """Part of Bench (bench.runner): The staff import row: kinerja.impor on N rows against COPY of the same"""

    # -- 6. staff import vs COPY --------------------------------------------------------------
    def staff_import(self, row: Row) -> None:
        from bench.copy import Tables
        from kinerja import impor
        from kinerja.models import Instansi, Pegawai, UnitKerja, User

        n = self.opts.import_rows
        units_n = max(1, n // 100)
        rows = self._import_rows(n, units_n)
        taken = set(
            Pegawai.objects.filter(nip__in=[r["nip"] for r in rows]).values_list("nip", flat=True)
        )
        if taken:
            raise RuntimeError(f"{len(taken)} NIP uji impor sudah dipakai")
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(
            ["NIP", "Nama", "Jenis ASN", "Golongan", "Jabatan", "Unit", "Atasan", "Jenis jabatan"]
        )
        for r in rows:
            w.writerow(
                [
                    r["nip"],
                    r["nama"],
                    "PNS",
                    r["golongan"],
                    r["jabatan"],
                    r["unit"],
                    r["atasan"],
                    r["jenis"],
                ]
            )
        data = buf.getvalue().encode()

        def setup() -> tuple[Instansi, Any]:
            inst = Instansi.objects.create(
                kode="G-IMPOR", nama="Instansi Uji Impor", jenis="daerah"
            )
            UnitKerja.objects.bulk_create(
                [UnitKerja(instansi=inst, nama=f"Unit Impor {u:03d}") for u in range(units_n)]
            )
            admin = User.objects.create(username="admin.g-impor", admin_instansi=inst)
            return inst, admin

        result: dict[str, Any] = {}
        with rolled_back():
            inst, admin = setup()
            t0 = time.perf_counter()
            plan = impor.terapkan(user=admin, instansi=inst, data=data, jenis="csv")
            result["t_import"] = time.perf_counter() - t0
            if plan.galat:
                g = plan.galat[0]
                raise RuntimeError(f"impor menolak berkas: baris {g.baris} {g.kolom}: {g.pesan}")
            result["imported"] = Pegawai.objects.filter(instansi=inst).count()
        import random

        with rolled_back():
            inst, admin = setup()
            units = dict(UnitKerja.objects.filter(instansi=inst).values_list("nama", "id"))
            t0 = time.perf_counter()
            T = Tables(rng=random.Random(1), now=dt.datetime.now(dt.UTC))
            pw = "!"
            for r in rows:
                uid = T[User].add(
                    {"username": r["nip"], "password": pw, "first_name": r["nama"], "email": ""}
                )
                T[Pegawai].add(
                    {
                        "user_id": uid,
                        "instansi_id": inst.pk,
                        "nip": r["nip"],
                        "nama": r["nama"],
                        "jenis_asn": "pns",
                        "golongan": r["golongan"],
                        "unit_kerja_id": units[r["unit"]],
                        "jabatan_id": None,
                        "pejabat_penilai_id": None,
                        "atasan_pejabat_penilai_id": None,
                        "plt_jabatan_id": None,
                        "penilai_override_id": None,
                    }
                )
            T.close()
            result["t_copy"] = time.perf_counter() - t0
        row.kinerja = f"{_fmt_s(result['t_import'])} ({result['imported']:,} pegawai dibuat)"
        row.limit = f"{_fmt_s(result['t_copy'])} COPY pengguna + pegawai"
        row.ratio = f"{result['t_import'] / result['t_copy']:.1f}x"
        row.ok = None

    def _import_rows(self, n: int, units_n: int) -> list[dict[str, str]]:
        import random

        from kinerja.rules import make_nip

        rng = random.Random(99)
        out, used = [], set()
        per_unit = n // units_n
        for i in range(n):
            u = min(i // per_unit, units_n - 1)
            head = i % per_unit == 0 and i // per_unit < units_n
            while True:
                # Born 1945-1962: the generator's pegawai are born from 1966, so no NIP collides.
                lahir = dt.date(1945, 1, 1) + dt.timedelta(days=rng.randrange(0, 6500))
                nip = make_nip(
                    lahir, dt.date(lahir.year + 22, 3, 1), rng.random() < 0.5, rng.randrange(999)
                )
                if nip not in used:
                    used.add(nip)
                    break
            if head:
                head_nip = nip
            out.append(
                {
                    "nip": nip,
                    "nama": f"Pegawai Impor {i:05d}",
                    "golongan": "III/c" if head else "III/a",
                    "jabatan": f"Kepala Unit Impor {u:03d}" if head else "Pengadministrasi Umum",
                    "unit": f"Unit Impor {u:03d}",
                    "atasan": "" if head else head_nip,
                    "jenis": "Pengawas" if head else "Pelaksana",
                }
            )
        return out
