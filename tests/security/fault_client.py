"""Run one real request against a private PostgreSQL that the parent test stops mid-request.

Usage (by test_faults.py): python -m tests.security.fault_client <marker> <go> <mode>
The request pauses right after its first row is saved (post_save of UmpanBalik), writes
<marker>, and waits for <go>; meanwhile the parent stops the database. Prints one JSON line.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django  # noqa: E402

django.setup()

from django.db.models.signals import post_save  # noqa: E402
from django.test import Client  # noqa: E402


def main() -> None:
    marker, go, mode = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
    from dialog.models import UmpanBalik
    from tests.personas import build_org

    org = build_org()
    out = {"pegawai": org.pegawai.pk}

    def pause(sender, instance, **kwargs):
        marker.write_text(str(instance.pk))
        deadline = time.time() + 60
        while not go.exists() and time.time() < deadline:
            time.sleep(0.05)

    post_save.connect(pause, sender=UmpanBalik, weak=False)
    client = Client(raise_request_exception=False)
    client.force_login(org.kasubbid.user)
    if mode == "page":
        r = client.post(
            f"/dialog/umpan-balik/beri/?penerima={org.pegawai.pk}",
            {
                "penerima_id": org.pegawai.pk,
                "jenis": "apresiasi",
                "cara": "tertulis",
                "isi": "Kerja bagus minggu ini",
                "sasaran": "",
            },
        )
    else:
        r = client.post(
            "/api/v1/umpan-balik/",
            data=json.dumps(
                {"penerima": org.pegawai.pk, "jenis": "apresiasi", "isi": "Kerja bagus minggu ini"}
            ),
            content_type="application/json",
        )
    out.update(
        status=r.status_code,
        ctype=r.get("Content-Type", ""),
        retry=r.get("Retry-After", ""),
        body=r.content.decode(errors="replace")[:3000],
    )
    print("RESULT " + json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
