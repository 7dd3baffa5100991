"""After `make load`: compare what Locust saw succeed with what the database holds."""

from __future__ import annotations

import csv
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kinerja.settings")

import django  # noqa: E402

django.setup()


def main(outdir: str, locust_rc: str) -> int:
    from dialog.models import UmpanBalik
    from evaluasi.models import Evaluasi

    d = Path(outdir)
    data = json.loads((d / "data.json").read_text())
    counts = json.loads((d / "counts.json").read_text())
    with open(d / "locust_stats.csv") as f:
        rows = list(csv.DictReader(f))
    total = next(r for r in rows if r["Name"] == "Aggregated")
    feedback = UmpanBalik.objects.filter(pk__gt=data["umpan_balik_max_pk"]).count()
    # Every accepted rating bumps the evaluation's row_version by exactly one.
    before = {int(k): v for k, v in data["row_versions"].items()}
    now = dict(Evaluasi.objects.filter(pk__in=before).values_list("pk", "row_version"))
    ratings = sum(now[k] - v for k, v in before.items())
    print("\n== Kinerja load test ==")
    print(
        f"requests {total['Request Count']}, failures {total['Failure Count']}, "
        f"median {total['Median Response Time']} ms, p95 {total['95%']} ms, "
        f"p99 {total['99%']} ms, {float(total['Requests/s']):.1f} req/s"
    )
    print(f"feedback: {counts['umpan_balik']} accepted by the API, {feedback} rows in the database")
    print(
        f"ratings:  {counts['evaluasi']} accepted by the API, {ratings} row_version bumps "
        f"({counts['refused_stale']} refused as stale, by design)"
    )
    users = [r for r in rows if r["Name"] != "Aggregated" and not r["Name"].startswith("(")]
    served = sum(int(r["Request Count"]) for r in users)
    print(
        f"attacker: {counts['serangan']} failed logins behind the proxy, "
        f"{counts['serangan_429']} answered 429 (locked or throttled); every other user: "
        f"{served} requests, {sum(int(r['Failure Count']) for r in users)} failures"
    )
    ok = (
        int(total["Failure Count"]) == 0
        and feedback == counts["umpan_balik"]
        and ratings == counts["evaluasi"]
        and counts["serangan_429"] > 0  # the lockout really was exercised
    )
    print("RESULT:", "OK" if ok else "FAILED", f"(locust exit {locust_rc})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
