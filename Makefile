# Kinerja: two commands. `make run` starts the app; `make test` runs the whole suite.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/kinerja
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0

.PHONY: run test install lint bench load clean screenshots

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py demo
	DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:8000

test: $(STAMP)
	bash scripts/services.sh
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} KINERJA_TEST_REDIS_URL=$${KINERJA_TEST_REDIS_URL:-$(TEST_REDIS_URL)} \
	  $(BIN)/python -m pytest -p no:randomly $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: $(STAMP)
	bash scripts/services.sh
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/kinerja_bench} REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/15} \
	  $(BIN)/python manage.py bench --pegawai $(or $(BENCH_PEGAWAI),100000)

# 50 simulated users for up to 5 minutes against gunicorn on loopback (Locust, bounded);
# checks 0 errors and that the rows written equal the writes that succeeded.
load: $(STAMP)
	bash scripts/services.sh
	BIN=$(BIN) bash tests/security/load/run.sh

# Every persona's pages at desktop and phone width, and the PDFs as images, in screenshots/
# (open screenshots/index.html), and the README's four pictures in docs/. Uses make run's
# SQLite database with the demo.
screenshots: $(STAMP)
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py demo
	DEBUG=1 $(BIN)/python scripts/screenshots.py --keluar screenshots --readme docs

clean:
	rm -rf $(VENV) db.sqlite3 media staticfiles screenshots
