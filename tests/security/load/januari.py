"""`make load LOAD_SCENARIO=januari`: the January mix of `make bench` (bench/locust_januari.py)
against the load database, and its check.

python -m tests.security.load.januari data <out.json>   who logs in (cookies and tokens)
python -m tests.security.load.januari check <dir>       0 failures in Locust's CSV, a summary
"""

from __future__ import annotations

import csv
import json
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kinerja.settings")


def data(out: str) -> None:
    import django

    django.setup()
    from bench.ukur_januari import januari_data
    from kinerja.models import User

    admin = User.objects.filter(admin_instansi__isnull=False, is_active=True).order_by("pk").first()
    if admin is None:
        sys.exit("tidak ada admin instansi di basis data beban")
    with open(out, "w") as f:
        json.dump(januari_data(admin), f)


def check(folder: str) -> int:
    with open(os.path.join(folder, "locust_stats.csv")) as f:
        rows = {r["Name"]: r for r in csv.DictReader(f)}
    agg = rows.get("Aggregated")
    if agg is None:
        print("keluaran Locust tidak terbaca")
        return 1
    cache = {}
    if os.path.exists(os.path.join(folder, "cache.json")):
        with open(os.path.join(folder, "cache.json")) as f:
            cache = json.load(f)
    for name, r in sorted(rows.items()):
        print(
            f"{name}: {r['Request Count']} permintaan, {r['Failure Count']} galat, "
            f"{float(r['Requests/s']):.1f} req/s, p50/p95/p99 {r['50%']}/{r['95%']}/{r['99%']} ms"
        )
    print(f"cache halaman: {cache}")
    failures = int(agg["Failure Count"])
    if failures:
        print(f"GAGAL: {failures} permintaan gagal")
        return 1
    print("OK: 0 galat")
    return 0


if __name__ == "__main__":
    if sys.argv[1] == "data":
        data(sys.argv[2])
    else:
        sys.exit(check(sys.argv[2]))
