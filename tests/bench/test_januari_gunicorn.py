"""The January mix's gunicorn (bench.ukur_januari) runs as many sync workers as the deployment
does (docker-compose.yml's web command and the Dockerfile's CMD): the bench measures the server
users get, not one sized to the bench machine's cores."""

from __future__ import annotations

import re

from bench.dasar import BASE_DIR
from bench.ukur_januari import WORKERS_DEPLOY


def _workers(text: str) -> list[int]:
    # `--workers 3` on one line (Dockerfile CMD) or `- --workers` / `- "3"` (compose list).
    flat = re.sub(r"[\s\"',\[\]-]+", " ", text)
    return [int(n) for n in re.findall(r"\bworkers (\d+)", flat)]


def test_the_bench_runs_the_deployed_worker_count():
    compose = _workers((BASE_DIR / "docker-compose.yml").read_text())
    docker = _workers((BASE_DIR / "Dockerfile").read_text())
    assert compose and docker
    assert set(compose) == set(docker) == {WORKERS_DEPLOY}


def test_the_parser_reads_both_spellings():
    assert _workers('CMD ["gunicorn", "x", "--workers", "3"]') == [3]
    assert _workers('      - --workers\n      - "5"\n') == [5]
