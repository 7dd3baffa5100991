#!/usr/bin/env bash
# make load: 50 simulated users for up to LOAD_TIME (default 5m) against gunicorn on loopback.
# Fresh scratch database, demo organisation, gunicorn in production mode (http on loopback),
# Locust headless; then the database is checked against the writes Locust saw succeed.
set -euo pipefail
cd "$(dirname "$0")/../../.."
BIN=${BIN:-.venv/bin}
DB=${LOAD_DATABASE:-kinerja_load}
PORT=${LOAD_PORT:-8099}
USERS=${LOAD_USERS:-50}
TIME=${LOAD_TIME:-5m}
OUTDIR=$(mktemp -d /tmp/kinerja-load-XXXX)
export DATABASE_URL=${LOAD_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/$DB}
export DJANGO_SETTINGS_MODULE=kinerja.settings DEBUG=0 SECRET_KEY=load-test-$(date +%s)-not-for-production
export ALLOWED_HOSTS=127.0.0.1 SECURE_SSL_REDIRECT=0 SESSION_COOKIE_SECURE=0 CSRF_COOKIE_SECURE=0
export SECURE_HSTS_SECONDS=0 CSRF_TRUSTED_ORIGINS=http://127.0.0.1:$PORT
# As deployed behind nginx: one trusted hop, login lockout on (the attacker in the locustfile
# must lock only itself). The rate limits stay at production values.
export AXES_ENABLED=1 KINERJA_PROXY_HOPS=1
unset REDIS_URL  # jobs run eagerly; the load is on the web tier and the database
psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" postgres
$BIN/python -m tests.security.load.prepare "$OUTDIR/data.json"
date -u +%Y-%m-%dT%H:%M:%S.%6NZ > "$OUTDIR/start"
# keep-alive longer than a simulated user's pause: gunicorn's 2 s default closes idle
# connections just as the client reuses them (connection resets that are not the app's).
$BIN/gunicorn kinerja.wsgi:application -b 127.0.0.1:$PORT -w ${LOAD_WORKERS:-4} --threads 2 \
  --timeout 60 --keep-alive 30 --access-logfile /dev/null --error-logfile "$OUTDIR/gunicorn.log" --pid "$OUTDIR/gunicorn.pid" &
for _ in $(seq 1 60); do curl -fs -o /dev/null "http://127.0.0.1:$PORT/masuk/" && break; sleep 0.5; done
if [ "${LOAD_SCENARIO:-}" = "januari" ]; then
  # The January mix of `make bench` (bench/locust_januari.py): pegawai editing SKP rows and
  # penilai giving feedback and approving submitted SKPs beside the heavy pages; checked for 0
  # failures.
  $BIN/python -m tests.security.load.januari data "$OUTDIR/januari.json"
  set +e
  JANUARI_DATA="$OUTDIR/januari.json" JANUARI_OUT="$OUTDIR/cache.json" JANUARI_MODE=campuran \
    timeout 900 $BIN/locust -f bench/locust_januari.py --headless -u "$USERS" -r 10 -t "$TIME" \
    --host "http://127.0.0.1:$PORT" --csv "$OUTDIR/locust" --only-summary --stop-timeout 10
  set -e
  kill "$(cat "$OUTDIR/gunicorn.pid")" 2>/dev/null || true
  exec $BIN/python -m tests.security.load.januari check "$OUTDIR"
fi
set +e
LOAD_DATA="$OUTDIR/data.json" LOAD_OUT="$OUTDIR/counts.json" timeout 900 $BIN/locust \
  -f tests/security/load/locustfile.py --headless -u "$USERS" -r 10 -t "$TIME" \
  --host "http://127.0.0.1:$PORT" --csv "$OUTDIR/locust" --only-summary --stop-timeout 10
LOCUST_RC=$?
set -e
kill "$(cat "$OUTDIR/gunicorn.pid")" 2>/dev/null || true
$BIN/python -m tests.security.load.verify "$OUTDIR" "$LOCUST_RC"
