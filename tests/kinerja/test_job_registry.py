"""A worker knows every job the code enqueues.

A worker process never loads the URLconf, so a handler registered only by a module that views
import is unknown there and its jobs fail. This runs what the worker runs at start-up in a
fresh interpreter and compares with every job name the code base enqueues.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("kinerja", "skp", "dialog", "evaluasi")


def _enqueued_names() -> set[str]:
    names: set[str] = set()
    pattern = re.compile(r"""(?:jobs\.)?enqueue\(\s*["']([\w.]+)["']""", re.S)
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts or "bench" in path.parts:
                continue
            names |= set(pattern.findall(path.read_text()))
    return names


def test_every_enqueued_job_has_a_handler_in_a_fresh_worker_process():
    code = (
        "import json, django; django.setup();"
        "from kinerja import jobs; jobs._import_handlers();"
        "print(json.dumps(sorted(jobs._handlers)))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "KINERJA_JOB_MODULES": ""}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    registered = set(json.loads(out.stdout.strip().splitlines()[-1]))
    enqueued = _enqueued_names()
    assert {"skp.pdf", "evaluasi.pdf", "kinerja.impor_pegawai"} <= enqueued  # the scan works
    assert enqueued - registered == set()
