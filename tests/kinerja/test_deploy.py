"""Deployment files: the compose file and Dockerfile agree with the settings; production
settings pass `manage.py check --deploy`."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def settings_env_names() -> set[str]:
    text = (ROOT / "kinerja" / "settings.py").read_text()
    return set(re.findall(r"env(?:bool|int)?\(\s*\"([A-Z0-9_]+)\"", text))


def test_compose_has_the_five_services_on_the_right_images(compose):
    s = compose["services"]
    assert set(s) == {"db", "redis", "web", "worker", "beat"}
    assert s["db"]["image"] == "postgres:16"
    assert s["redis"]["image"] == "redis:7"
    for name in ("web", "worker", "beat"):
        assert s[name]["build"] == "." and s[name]["image"] == "kinerja:latest"


def _cmd(service: dict) -> str:
    c = service["command"]
    return " ".join(c) if isinstance(c, list) else c


def test_compose_commands_run_gunicorn_after_migrate_and_celery_worker_and_beat(compose):
    s = compose["services"]
    web = _cmd(s["web"])
    assert web.index("manage.py migrate --noinput") < web.index("gunicorn kinerja.wsgi:application")
    assert "celery -A kinerja worker" in _cmd(s["worker"])
    beat = _cmd(s["beat"])
    assert "celery -A kinerja beat" in beat
    schedule = beat.split(" -s ")[1].split()[0]
    # The schedule file lives on a named volume so beat keeps its state across restarts.
    assert any(schedule.startswith(v.split(":")[1]) for v in s["beat"]["volumes"])


def test_compose_has_health_checks_and_web_waits_for_healthy_db_and_redis(compose):
    s = compose["services"]
    for name, service in s.items():
        assert service.get("healthcheck", {}).get("test"), name
    for name in ("web", "worker", "beat"):
        deps = s[name]["depends_on"]
        assert deps["db"]["condition"] == "service_healthy"
        assert deps["redis"]["condition"] == "service_healthy"
    assert s["worker"]["depends_on"]["web"]["condition"] == "service_healthy"


def test_compose_uses_named_volumes_for_every_state(compose):
    named = set(compose["volumes"])
    used = {
        v.split(":")[0]
        for service in compose["services"].values()
        for v in service.get("volumes", [])
    }
    assert used <= named and {"pgdata", "redisdata", "media", "beat"} <= used
    assert "pgdata:/var/lib/postgresql/data" in compose["services"]["db"]["volumes"]


def test_compose_environment_names_are_settings_the_app_reads(compose):
    known = settings_env_names()
    for name in ("web", "worker", "beat"):
        env = compose["services"][name]["environment"]
        assert set(env) <= known, set(env) - known
        assert env["DEBUG"] == "0"
        assert "SECRET_KEY" in env and ":?" in env["SECRET_KEY"]  # refuses to start without it
        assert env["DATABASE_URL"].startswith("postgres://") and "@db:5432/" in env["DATABASE_URL"]
        assert env["REDIS_URL"] == "redis://redis:6379/0"
    example = {
        line.split("=", 1)[0]
        for line in (ROOT / ".env.example").read_text().splitlines()
        if line and not line.startswith("#")
    }
    assert example <= known, example - known


def test_dockerfile_installs_weasyprint_libraries_and_collects_static():
    text = (ROOT / "Dockerfile").read_text()
    assert text.startswith("#") and "FROM python:3.11-slim-bookworm" in text
    for pkg in ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz0b", "fonts-dejavu"):
        assert pkg in text
    assert "pip install ." in text
    assert "collectstatic --noinput" in text
    assert "USER kinerja" in text  # never run as root
    assert ".env" in (ROOT / ".dockerignore").read_text().split()


def _clean_env(**extra: str) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": "kinerja.settings",
        **extra,
    }


@pytest.fixture(scope="module")
def production_env(tmp_path_factory) -> dict[str, str]:
    return _clean_env(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="kinerja.example.go.id",
        CSRF_TRUSTED_ORIGINS="https://kinerja.example.go.id",
        DATABASE_URL=f"sqlite:///{tmp_path_factory.mktemp('deploy') / 'db.sqlite3'}",
    )


def _check(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_check_deploy_is_clean_with_production_settings(production_env):
    strict = _check(production_env, "--tag", "security", "--fail-level", "WARNING")
    assert strict.returncode == 0, strict.stdout + strict.stderr
    assert "no issues" in strict.stdout
    full = _check(production_env)
    assert full.returncode == 0, full.stdout + full.stderr
    assert "security." not in full.stdout + full.stderr


def test_check_deploy_catches_debug_in_production(production_env):
    # The test can fail: with DEBUG on, the deploy check must complain.
    res = _check({**production_env, "DEBUG": "1"}, "--tag", "security", "--fail-level", "WARNING")
    assert res.returncode != 0 and "security.W018" in res.stdout + res.stderr
