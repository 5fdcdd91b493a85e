# The two commands: `make run` (the demo on SQLite) and `make test` (the whole suite).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed

.PHONY: run test install lint format messages check-deploy bench loadtest lighthouse screenshots worker beat clean backup restore

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo ""
	@echo "  Demo: http://127.0.0.1:8000  (admin: http://127.0.0.1:8000/admin/)"
	@echo "  Logins, password DemoPass123!: admin@ organizer@ secretariat@ judge1@ judge2@ judge3@ contestant@ unitofficer@ (…example.com)"
	@echo ""
	$(PY) manage.py runserver 127.0.0.1:8000

# `make test` runs pytest on PYTEST_WORKERS processes (pytest-xdist, default 2: the machine's two
# cores), each file on one worker; every worker has its own test database (test_<name>_gw0, …)
# and its own Redis database (contest_site/redis_config.py, for_test_worker). PYTEST_WORKERS=0
# runs it in one process; PYTEST_ARGS is passed on either way (`make test PYTEST_ARGS=tests/quiz`).
# The suite starts Python processes beside its workers (Celery workers, manage.py, servers): it
# writes bytecode even where PYTHONDONTWRITEBYTECODE is set, or each would compile the project again.
PYTEST_WORKERS ?= 2
test: $(STAMP)
	$(BIN)/ruff check .
	$(PY) manage.py makemigrations --check --dry-run
	PYTHONDONTWRITEBYTECODE= $(BIN)/pytest $(if $(filter-out 0,$(PYTEST_WORKERS)),-n $(PYTEST_WORKERS) --dist loadfile) $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages: $(STAMP)
	$(PY) manage.py makemessages -l en --ignore=.venv --ignore=staticfiles
	$(PY) manage.py compilemessages --ignore=.venv

# Celery workers (docs/operations.md, "Workers per queue"). `make worker` consumes every queue (one
# machine); `make worker QUEUES=notifications CONCURRENCY=4` only the ones named (comma-separated:
# notifications, exports, analysis, housekeeping, celery; settings.CELERY_TASK_QUEUES).
# WORKER_NAME sets the node name (default celery@<host>): two workers on one host need two names.
QUEUES ?=
CONCURRENCY ?=
WORKER_NAME ?=
worker: $(STAMP)
	$(BIN)/celery -A contest_site worker -l info$(if $(QUEUES), -Q $(QUEUES))$(if $(CONCURRENCY), --concurrency $(CONCURRENCY))$(if $(WORKER_NAME), -n $(WORKER_NAME))

beat: $(STAMP)
	$(BIN)/celery -A contest_site beat -l info

# Backups (docs/operations.md): the database of DATABASE_URL and the private files of the settings.
# `make backup BACKUP_DIR=DIR` writes a new folder under DIR (the dump, files.tar, manifest.json);
# `make restore BACKUP_DIR=DIR` restores DIR (one backup) or the newest backup under it, into an
# empty database and empty folders only, unless FORCE=1. Without BACKUP_DIR: the setting BACKUP_DIR.
backup: $(STAMP)
	$(PY) manage.py backup $(if $(BACKUP_DIR),--dir "$(BACKUP_DIR)")

restore: $(STAMP)
	$(PY) manage.py restore $(if $(BACKUP_DIR),--dir "$(BACKUP_DIR)") $(if $(FORCE),--force)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache

# Benchmarks (PostgreSQL): the secretariat's pages and exports over a simulated contest of
# BENCH_SCALE times the seed's size (1 by default, up to 100; docs/performance.md, «Growth»).
# BENCH_DATABASE_URL defaults to a local database named bench (bench_10, bench_100 … for other
# scales), created and filled if missing; BENCH_WEEKS=3 fills only the biggest week.
BENCH_SCALE ?= 1
BENCH_WEEKS ?=
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/bench$(if $(filter-out 1,$(BENCH_SCALE)),_$(subst .,_,$(BENCH_SCALE)))
bench: $(STAMP)
	-psql "$(dir $(BENCH_DATABASE_URL))postgres" -qc "create database $(notdir $(BENCH_DATABASE_URL))" 2>/dev/null
	DATABASE_URL=$(BENCH_DATABASE_URL) DJANGO_DEBUG=1 $(PY) manage.py migrate --noinput -v0
	DATABASE_URL=$(BENCH_DATABASE_URL) DJANGO_DEBUG=1 $(PY) manage.py bench_reports --scale $(BENCH_SCALE)$(if $(BENCH_WEEKS), --weeks $(BENCH_WEEKS))

# The Monday-morning rush against gunicorn + PostgreSQL + Redis on this machine (never another host).
# LOADTEST_SCENARIO=capacity (default) | concurrent | rush | logins | two_nodes | faults | pooled | scaled; LOADTEST_USERS,
# LOADTEST_TIME, LOADTEST_NODES=2 (docs/performance.md). two_nodes needs nginx, faults runs its own
# PostgreSQL cluster as the postgres user (run as root). Passed to tests/load/run.sh through the environment.
export LOADTEST_SCENARIO LOADTEST_USERS LOADTEST_TIME LOADTEST_THINK LOADTEST_DATABASE_URL LOADTEST_REDIS_URL LOADTEST_PROFILE
export LOADTEST_STEADY LOADTEST_NODES LOADTEST_PORT LOADTEST_REDIS_PORT LOADTEST_PG_PORT
loadtest: $(STAMP)
	$(BIN)/pip install --quiet -r requirements-bench.txt
	bash tests/load/run.sh

# Lighthouse (mobile) on the main pages as each role sees them, against the demo served
# as in production (DEBUG off, whitenoise, gunicorn on port 8021). Needs npm (installs the pinned
# Lighthouse into scripts/lighthouse/) and /usr/bin/chromium; not part of `make test`.
lighthouse: $(STAMP)
	bash scripts/lighthouse.sh

# Screenshots of each role's main screens (contestant and judge 390×844, secretariat and organizer
# 1366×768) into $(SCREENSHOTS_OUT), outside the repository; lists pages that scroll sideways.
SCREENSHOTS_OUT ?= /tmp/shots
screenshots: $(STAMP)
	SCREENSHOTS_OUT=$(SCREENSHOTS_OUT) bash scripts/demo_server.sh $(PY) scripts/screenshots.py
