#!/usr/bin/env bash
# Make sure PostgreSQL, Redis and Chromium (and the bench's wrk and nginx) are there for the test
# suite: use them when they answer, start them when installed, install them with apt when root.
set -euo pipefail
PGHOST=${PGHOST:-127.0.0.1}; PGPORT=${PGPORT:-5432}
REDIS_PORT=${REDIS_PORT:-6379}
say() { echo "[services] $*"; }
apt_ready=0
apt_install() {
  if [ "$(id -u)" != 0 ]; then say "tidak root: pasang $* secara manual"; return 1; fi
  if [ $apt_ready = 0 ]; then DEBIAN_FRONTEND=noninteractive apt-get update -qq; apt_ready=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

pg_up() { pg_isready -q -h "$PGHOST" -p "$PGPORT" 2>/dev/null; }
if ! command -v pg_isready >/dev/null || ! pg_up; then
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    say "memasang PostgreSQL"; apt_install postgresql
  fi
  ver=$(ls /etc/postgresql | sort -V | tail -1)
  hba=/etc/postgresql/$ver/main/pg_hba.conf
  if [ "$(id -u)" = 0 ] && ! grep -q "kinerja-trust" "$hba"; then
    # Local test server only: trust on loopback so the suite can create its database.
    sed -i '1i host all all 127.0.0.1/32 trust # kinerja-trust\nhost all all ::1/128 trust # kinerja-trust' "$hba"
  fi
  say "menyalakan PostgreSQL $ver"
  pg_ctlcluster --skip-systemctl-redirect "$ver" main start 2>/dev/null || pg_ctlcluster --skip-systemctl-redirect "$ver" main reload || true
  for _ in $(seq 1 30); do pg_up && break; sleep 1; done
fi
pg_up && say "PostgreSQL siap di $PGHOST:$PGPORT"

redis_up() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; }
if ! command -v redis-cli >/dev/null || ! redis_up; then
  command -v redis-server >/dev/null || { say "memasang Redis"; apt_install redis-server; }
  say "menyalakan Redis"
  mkdir -p /tmp/kinerja-redis
  redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no \
    --dir /tmp/kinerja-redis --logfile /tmp/kinerja-redis/redis.log
  for _ in $(seq 1 20); do redis_up && break; sleep 0.5; done
fi
redis_up && say "Redis siap di 127.0.0.1:$REDIS_PORT"

if [ ! -x /usr/bin/chromium ]; then
  say "memasang Chromium (Debian) untuk uji peramban"; apt_install chromium fonts-liberation || true
fi
if ! command -v pdftoppm >/dev/null; then apt_install poppler-utils || true; fi
# The bench drives gunicorn with wrk (Debian package); its own small test uses it too.
if ! command -v wrk >/dev/null; then apt_install wrk || true; fi
# The bench's nginx row (two gunicorn behind nginx, as docker-compose.yml) runs nginx itself, as
# a child process with its own config: only the binary is needed, no service.
if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then apt_install nginx-light || true; fi
