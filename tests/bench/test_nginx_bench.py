"""The bench's nginx row (bench.ukur_nginx): its nginx config is deploy/nginx.conf's, a failed
request counts as in flight only on the killed instance across the kill, and on tiny data the
whole part runs: two gunicorn behind a real nginx, one killed halfway, every failure named."""

from __future__ import annotations

import importlib.util
import io
import os
import re
import shutil

import pytest
from django.db import connection

from bench import runner
from bench.ukur_nginx import (
    DEPLOY_CONF,
    Akses,
    baca_akses,
    check_conf,
    cpu_text,
    nginx_conf,
    pilah_galat,
)

HAS_NGINX = shutil.which("nginx") is not None or os.path.exists("/usr/sbin/nginx")
REDIS_URL = os.environ.get("KINERJA_TEST_REDIS_URL") or "redis://127.0.0.1:6379/0"


def _location(conf: str) -> list[str]:
    block = re.search(r"location / \{(.*?)\n    \}", conf, flags=re.S)
    assert block, conf
    return [ln.strip() for ln in block.group(1).splitlines() if ln.strip()]


def test_the_generated_config_is_deploys_with_the_two_gunicorn_ports(tmp_path):
    deploy = DEPLOY_CONF.read_text()
    conf = nginx_conf(deploy, 18080, [18081, 18082], tmp_path)
    assert "server 127.0.0.1:18081 max_fails=1 fail_timeout=10s;" in conf
    assert "server 127.0.0.1:18082 max_fails=1 fail_timeout=10s;" in conf
    code = re.sub(r"#[^\n]*", "", conf)
    assert "web:8000" not in code and "resolve" not in code
    assert "listen 127.0.0.1:18080 default_server;" in conf
    # every proxy directive of the deployed location, in the same order
    assert _location(conf) == _location(deploy)
    assert "least_conn;" in conf and "proxy_next_upstream error timeout" in conf
    # nothing written outside the temporary folder
    for path in re.findall(r"(?:pid|_log|_path) (/\S+?)[; ]", conf):
        assert path.startswith(str(tmp_path)), path
    if HAS_NGINX:
        (tmp_path / "nginx.conf").write_text(conf)
        assert check_conf(tmp_path / "nginx.conf") == ""


def test_a_deploy_conf_without_the_web_upstream_is_refused(tmp_path):
    with pytest.raises(RuntimeError, match="server web:8000"):
        nginx_conf("upstream kinerja_web {\n    server app:9000;\n}\n", 1, [2, 3], tmp_path)


def test_only_failures_on_the_killed_instance_across_the_kill_are_in_flight():
    log = "\n".join(
        [
            # ended after the kill began, started before it ended, on the killed one: in flight
            '1000.600 0.300 502 "127.0.0.1:2" "502" a1 "PATCH /api/v1/rhk/1/"',
            # retried by nginx on the survivor and answered: not a failure at all
            '1000.700 0.400 200 "127.0.0.1:2, 127.0.0.1:1" "502, 200" a2 "GET /skp/1/"',
            # failed on the survivor: not excused by the kill
            '1000.600 0.300 502 "127.0.0.1:1" "502" a3 "POST /api/v1/umpan-balik/"',
            # on the killed one but over before the kill: not in flight
            '1000.400 0.100 502 "127.0.0.1:2" "502" a4 "POST /api/v1/umpan-balik/"',
            # started after the port refused: nginx should have gone elsewhere
            '1001.900 0.050 502 "127.0.0.1:2" "502" a5 "POST /api/v1/umpan-balik/"',
            # named by the id Locust sent: its answer was cut mid-way on the killed one, so
            # Locust never saw nginx's id (status 200 already sent)
            '1000.560 0.200 200 "127.0.0.1:2" "200" n6 b6 "GET /evaluasi/distribusi/"',
        ]
    )
    akses = baca_akses(log)
    assert akses["b6"].id == "b6" and "n6" not in akses and akses["a1"].id == "a1"
    assert akses["a2"].upstream == ["127.0.0.1:2", "127.0.0.1:1"]
    assert akses["a1"].mulai == pytest.approx(1000.3)
    locust = [
        {"id": "a1", "galat": "502", "nama": "rhk PATCH"},
        {"id": "a2", "galat": None, "nama": "skp"},
        {"id": "a3", "galat": "502", "nama": "umpan-balik"},
        {"id": "a4", "galat": "502", "nama": "umpan-balik"},
        {"id": "a5", "galat": "502", "nama": "umpan-balik"},
        {"id": None, "galat": "ConnectionError", "nama": "tim"},
        {"id": "b6", "galat": "tanpa jawaban: ChunkedEncodingError", "nama": "distribusi"},
    ]
    named, other = pilah_galat(locust, akses, "127.0.0.1:2", (1000.5, 1000.55))
    assert [r["id"] for r, _ in named] == ["a1", "b6"]
    assert [r["id"] for r, _ in other] == ["a3", "a4", "a5", None]
    assert isinstance(named[0][1], Akses) and other[-1][1] is None


@pytest.mark.skipif(not HAS_NGINX, reason="nginx tidak terpasang (scripts/services.sh)")
@pytest.mark.skipif(connection.vendor != "postgresql", reason="bench memerlukan PostgreSQL")
@pytest.mark.skipif(not runner._redis_ok(REDIS_URL), reason="Redis tidak tersedia")
@pytest.mark.django_db(transaction=True)
def test_tiny_mix_behind_nginx_survives_the_kill(monkeypatch):
    if importlib.util.find_spec("locust") is None:  # importing it would patch this process
        pytest.skip("locust tidak terpasang")
    monkeypatch.setenv("BENCH_JANUARI_SECONDS", "6")
    monkeypatch.setenv("BENCH_JANUARI_USERS", "4")
    opts = runner.Options(
        pegawai=200,
        seed=3,
        redis_url=REDIS_URL,
        results=None,
        reset=False,
        parts=("nginx",),
        out=io.StringIO(),
    )
    bench = runner.Bench(opts)
    bench.run()
    [row] = bench.rows
    assert row.key == "nginx" and row.measured, row.kinerja
    assert row.ok is True, (row.kinerja, row.profile)
    assert "sesudah kill (penyintas saja)" in row.kinerja and "view bare lewat nginx" in row.limit
    assert "SIGKILL" in row.profile and "max_fails=1" in row.profile
    assert "sesudah kill: gunicorn 127.0.0.1:" in row.profile  # the survivor's CPU
    # the survivor answered after the kill
    after = re.search(r"sesudah kill \(penyintas saja\) ([\d.,]+) req/s", row.kinerja)
    assert after and float(after.group(1).replace(",", "")) > 0


def test_the_cpu_profile_keeps_exited_backends_and_drops_the_killed_instance_after_the_kill():
    samples = [
        {"t": 0.0, "port": {1: 1.0, 2: 1.0}, "db": {"10": 1.0}, "mesin": 0.0},
        {"t": 10.0, "port": {1: 3.0, 2: 5.0}, "db": {"10": 4.0, "11": 2.0}, "mesin": 20.0},
        # instance 2 killed: its processes are gone; backend 10 exited (its last reading kept)
        {
            "t": 20.0,
            "port": {1: 4.0, 2: 0.0},
            "db": {"10": 4.0, "11": 3.0, "12": 1.0},
            "mesin": 36.0,
        },
    ]
    before, after = cpu_text(samples, [1, 2]).splitlines()[1:]
    assert "127.0.0.1:1 0.20, 127.0.0.1:2 0.40" in before and "PostgreSQL" in before
    assert "(backend basis data bench) 0.50" in before and "mesin 2.00" in before
    assert "127.0.0.1:2" not in after and "127.0.0.1:1 0.10" in after
    assert "(backend basis data bench) 0.20" in after and "mesin 1.60" in after
