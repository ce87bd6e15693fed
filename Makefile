# Rode Knop: everyday commands. `make help` lists them.

VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(PY) -m flask --app wsgi
PYTEST_ARGS ?=
# Test processes side by side (pytest-xdist; each has its own database); 0 runs the suite in one.
TEST_WORKERS ?= 2

PYBABEL := $(VENV)/bin/pybabel
# The gettext catalogs (app/i18n.py): English (domain messages) and the informal Dutch tone
# (domain je, locale nl). Their compiled .mo files are built here, never committed.
CATALOGS := translations/en/LC_MESSAGES/messages translations/nl/LC_MESSAGES/je
# Keywords beyond pybabel's own (_, gettext, ngettext, ...): the lazy forms for module-level text.
EXTRACT_KEYWORDS := -k lazy_gettext -k _l -k lazy_ngettext:1,2

.PHONY: help install run run-register-demo test lint format bench lock clean catalogs-extract catalogs-update catalogs-compile

help:
	@echo "make install  Python virtualenv in $(VENV): runtime (requirements.lock) and development/test tools (requirements-test.lock)"
	@echo "make run      migrate, seed demo data if empty, print demo logins, serve on http://127.0.0.1:5000 (+ scheduler, local mail catcher)"
	@echo "make run-register-demo  the shared register (:5000) with two municipalities (:5001, :5002), seeded, keys made and registered"
	@echo "make test     the test suite (SQLite; set TEST_DATABASE_URL for PostgreSQL); PYTEST_ARGS=... passes options, TEST_WORKERS=N processes (default 2, 0: one)"
	@echo "make lint     Ruff: lint and formatting check (part of make test)"
	@echo "make format   Ruff: fix what can be fixed and format the code"
	@echo "make bench    the app beside a bare Flask app under gunicorn and wrk (never part of the tests); SIZES=1000 DATABASES=sqlite for a subset"
	@echo "make catalogs-extract  collect every text to translate from app/ and templates/ into translations/messages.pot"
	@echo "make catalogs-update   extract, then bring translations/en (English) and translations/nl/.../je.po (the je tone) up to date"
	@echo "make catalogs-compile  build the .mo files the app reads (make install does this too; .mo files are not committed)"
	@echo "make lock     regenerate requirements.lock and requirements-test.lock from pyproject.toml (needs PyPI)"
	@echo "make clean    remove $(VENV), node_modules and the local SQLite databases"

# Python dependencies: exactly the pinned, hashed versions, then the app itself (editable).
# requirements-test.lock is requirements.lock plus the development and test tools (pytest,
# Playwright, aiosmtpd for the local mail catcher, Ruff); production installs requirements.lock only.
$(VENV)/.installed: pyproject.toml requirements.lock requirements-test.lock
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --require-hashes -r requirements-test.lock
	$(VENV)/bin/pip install --no-deps -e .
	touch $@

install: $(VENV)/.installed $(CATALOGS:=.mo)

# --- message catalogs (README, "Languages") --------------------------------------------------
translations/%.mo: translations/%.po | $(VENV)/.installed
	$(PYBABEL) compile --statistics -i $< -o $@

catalogs-compile: $(CATALOGS:=.mo)

catalogs-extract: $(VENV)/.installed
	$(PYBABEL) extract -F babel.cfg $(EXTRACT_KEYWORDS) --no-location --sort-output --no-wrap \
		--project "Rode Knop" --copyright-holder "Rode Knop" -o translations/messages.pot app templates

catalogs-update: catalogs-extract
	$(PYBABEL) update -i translations/messages.pot -d translations -D messages -l en --no-fuzzy-matching --ignore-obsolete --no-wrap
	$(PYBABEL) update -i translations/messages.pot -d translations -D je -l nl --no-fuzzy-matching --ignore-obsolete --no-wrap

# JavaScript used by the tests (axe-core), from package-lock.json.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# Migrate, demo data on the first run, then the web app, the scheduler and a local mail
# catcher side by side (scripts/dev-run).
run: install
	scripts/dev-run

# The shared register with two municipalities (ports 5000, 5001, 5002; scripts/register-demo).
run-register-demo: install
	scripts/register-demo

# TEST_DATABASE_URL, when set in the environment, runs the suite on that PostgreSQL.
test: install node_modules/.installed lint
	RODEKNOP_ENV=test $(PY) -m pytest -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# SIZES=1000,10000 DATABASES=sqlite DURATION=5 WORKERS=2 BENCH_DATABASE_URL=... choose a subset.
bench: install
	SIZES="$(SIZES)" DATABASES="$(DATABASES)" DURATION="$(DURATION)" WORKERS="$(WORKERS)" $(PY) bench/run.py

# Needs PyPI: resolves the newest versions pyproject.toml allows and records their hashes.
# uv runs from a throwaway virtualenv, so nothing is added to $(VENV).
lock:
	tmp=$$(mktemp -d) && \
	python3 -m venv "$$tmp" && \
	"$$tmp/bin/python" -m pip install --quiet uv && \
	"$$tmp/bin/uv" pip compile pyproject.toml -o requirements.lock \
		--python-version 3.11 --generate-hashes --quiet && \
	"$$tmp/bin/uv" pip compile pyproject.toml --extra test -c requirements.lock -o requirements-test.lock \
		--python-version 3.11 --generate-hashes --quiet; \
	status=$$?; rm -rf "$$tmp"; exit $$status

clean:
	rm -rf $(VENV) node_modules instance/*.db instance/*.db-wal instance/*.db-shm
