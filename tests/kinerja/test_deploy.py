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


def test_compose_has_its_services_on_the_right_images(compose):
    s = compose["services"]
    assert set(s) == {"db", "redis", "migrate", "web", "worker", "beat", "proxy"}
    assert s["db"]["image"] == "postgres:16"
    assert s["redis"]["image"] == "redis:7"
    for name in ("migrate", "web", "worker", "beat"):
        assert s[name]["build"] == "." and s[name]["image"] == "kinerja:latest"
    # nginx >= 1.27.3: `resolve` on an upstream server is in the open-source build.
    image = s["proxy"]["image"]
    assert image.startswith("nginx:")
    major, minor = (int(x) for x in image.split(":")[1].split("-")[0].split(".")[:2])
    assert (major, minor) >= (1, 27)


def _cmd(service: dict) -> str:
    c = service["command"]
    return " ".join(c) if isinstance(c, list) else c


def test_compose_commands_run_gunicorn_after_migrate_and_celery_worker_and_beat(compose):
    s = compose["services"]
    # One migration run before any web replica starts (replicas migrating at once would race).
    assert _cmd(s["migrate"]) == "python manage.py migrate --noinput"
    assert s["migrate"]["restart"] == "no"
    assert s["web"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    web = _cmd(s["web"])
    assert web.startswith("gunicorn kinerja.wsgi:application") and "migrate" not in web
    assert "celery -A kinerja worker" in _cmd(s["worker"])
    beat = _cmd(s["beat"])
    assert "celery -A kinerja beat" in beat
    schedule = beat.split(" -s ")[1].split()[0]
    # The schedule file lives on a named volume so beat keeps its state across restarts.
    assert any(schedule.startswith(v.split(":")[1]) for v in s["beat"]["volumes"])


def test_compose_has_health_checks_and_web_waits_for_healthy_db_and_redis(compose):
    s = compose["services"]
    for name, service in s.items():
        if service.get("restart") == "no":
            continue  # a one-shot job (migrate): others wait for it to complete instead
        assert service.get("healthcheck", {}).get("test"), name
    for name in ("migrate", "web", "worker", "beat"):
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
        # Read-only config from the repository (the proxy's nginx.conf) is not state.
        if not (v.startswith("./") and v.endswith(":ro"))
    }
    assert used <= named and {"pgdata", "redisdata", "media", "beat"} <= used
    assert "pgdata:/var/lib/postgresql/data" in compose["services"]["db"]["volumes"]


def test_compose_environment_names_are_settings_the_app_reads(compose):
    known = settings_env_names()
    for name in ("migrate", "web", "worker", "beat"):
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


def test_the_benchmark_is_not_shipped_in_the_image():
    """The bench (data generator, runner, unittest.mock, private functions) is tooling: it lives
    in the top-level bench/ package, the image leaves it out, and no app module imports it
    except the two commands that say so when it is missing."""
    import ast

    assert "bench/" in (ROOT / ".dockerignore").read_text().split()
    assert not (ROOT / "kinerja" / "bench").exists()
    allowed = {"kinerja/management/commands/bench.py", "kinerja/management/commands/demo.py"}
    for app in ("kinerja", "skp", "dialog", "evaluasi"):
        for path in (ROOT / app).rglob("*.py"):
            rel = path.relative_to(ROOT).as_posix()
            for node in ast.walk(ast.parse(path.read_text())):
                mods = []
                if isinstance(node, ast.ImportFrom) and node.module:
                    mods = [node.module]
                elif isinstance(node, ast.Import):
                    mods = [a.name for a in node.names]
                for m in mods:
                    assert not m.startswith("unittest"), (rel, m)
                    if m == "bench" or m.startswith("bench."):
                        assert rel in allowed, (rel, m)


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
        KINERJA_SITE_URL="https://kinerja.example.go.id",
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


def test_check_deploy_warns_when_the_site_address_is_not_set(production_env):
    env = {k: v for k, v in production_env.items() if k != "KINERJA_SITE_URL"}
    res = _check(env, "--tag", "security", "--fail-level", "WARNING")
    assert res.returncode != 0 and "kinerja.W001" in res.stdout + res.stderr


def test_check_deploy_catches_debug_in_production(production_env):
    # The test can fail: with DEBUG on, the deploy check must complain.
    res = _check({**production_env, "DEBUG": "1"}, "--tag", "security", "--fail-level", "WARNING")
    assert res.returncode != 0 and "security.W018" in res.stdout + res.stderr


# --- several web and worker containers behind one entry point ---------------------------------
# No Docker engine runs on the development machines: these tests parse the compose file and
# the nginx config; `docker compose up --scale web=3 --scale worker=4` itself is not run here.
NGINX = ROOT / "deploy" / "nginx.conf"


def _nginx_directives(text: str) -> list[list[str]]:
    """Directives of the nginx config as word lists (comments dropped), blocks flattened."""
    words = re.sub(r"#[^\n]*", "", text).replace("{", " { ").replace("}", " } ")
    out, cur = [], []
    for w in re.split(r"\s+", words):
        if not w:
            continue
        if w in {";", "{", "}"}:
            if cur:
                out.append(cur)
            cur = []
            continue
        if w.endswith(";"):
            cur.append(w[:-1])
            out.append(cur)
            cur = []
        else:
            cur.append(w)
    return out


def _gunicorn_bind(service: dict) -> str:
    cmd = _cmd(service).split()
    return cmd[cmd.index("--bind") + 1]


def test_web_scales_without_a_fixed_host_port_and_the_proxy_is_the_one_entry_point(compose):
    s = compose["services"]
    for name in ("web", "worker", "beat", "migrate"):
        # A fixed host port (or a container name) would make `--scale web=3` collide.
        assert "ports" not in s[name], name
        assert "container_name" not in s[name], name
    assert [str(p) for p in s["web"]["expose"]] == ["8000"]
    assert s["proxy"]["depends_on"]["web"]["condition"] == "service_healthy"
    ports = [str(p) for p in s["proxy"]["ports"]]
    assert len(ports) == 1 and ports[0].endswith(":80")
    mounts = s["proxy"]["volumes"]
    assert "./deploy/nginx.conf:/etc/nginx/conf.d/default.conf:ro" in mounts
    # Only beat must stay single (one schedule); nothing pins the others to one replica.
    for name in ("web", "worker"):
        assert "deploy" not in s[name] or s[name]["deploy"].get("replicas", 2) != 1


def test_nginx_upstream_is_the_web_service_at_gunicorns_bind_port(compose):
    s = compose["services"]
    bind = _gunicorn_bind(s["web"])
    host, port = bind.rsplit(":", 1)
    assert host == "0.0.0.0"  # reachable from the proxy container, not only loopback
    # The image's default command binds the same port.
    assert f'"--bind", "0.0.0.0:{port}"' in (ROOT / "Dockerfile").read_text()
    d = _nginx_directives(NGINX.read_text())
    servers = [x for x in d if x[0] == "server" and len(x) > 1]
    # One server: the compose service, re-resolved; failures as nginx's defaults, written out
    # so the bench's two-instance run copies them (bench/ukur_nginx.py).
    assert servers == [["server", f"web:{port}", "resolve", "max_fails=1", "fail_timeout=10s"]]
    upstream = next(x for x in d if x[0] == "upstream")[1]
    passes = [x[1] for x in d if x[0] == "proxy_pass"]
    assert passes == [f"http://{upstream}"]
    # Docker's DNS re-read, so replicas started later are balanced too.
    assert ["resolver", "127.0.0.11", "valid=10s", "ipv6=off"] in d
    assert any(x[0] == "zone" for x in d)  # `resolve` needs a shared-memory zone
    assert ["listen", "80", "default_server"] in d


def test_nginx_passes_the_client_and_scheme_and_serves_no_private_files():
    text = NGINX.read_text()
    d = _nginx_directives(text)
    headers = {x[1]: x[2] for x in d if x[0] == "proxy_set_header"}
    assert headers["Host"] == "$host"
    assert headers["X-Forwarded-For"] == "$proxy_add_x_forwarded_for"
    assert headers["X-Forwarded-Proto"] == "$kinerja_proto"
    # Uploads and issued PDFs are private (policy-checked views); nginx never serves them.
    assert not any(x[0] in {"root", "alias"} for x in d)
    locations = [x[1:] for x in d if x[0] == "location"]
    assert ["/"] in locations and not any("/media" in " ".join(loc) for loc in locations)
    assert ["=", "/healthz"] in locations
    # The body limit leaves room above the app's own upload limit.
    size = next(x[1] for x in d if x[0] == "client_max_body_size")
    assert int(size.rstrip("m")) * 1024 * 1024 > 10 * 1024 * 1024


def test_compose_tells_the_app_it_sits_behind_one_proxy(compose):
    env = compose["services"]["web"]["environment"]
    assert env["KINERJA_PROXY_HOPS"].startswith("${KINERJA_PROXY_HOPS:-1}")
    # Files: local volume by default, an S3 bucket when the environment names one.
    assert env["KINERJA_S3_BUCKET"] == "${KINERJA_S3_BUCKET:-}"
    assert env["MEDIA_ROOT"] == "/data/media"
