# The two commands: `make run` serves the shop, `make test` checks it.
# Each creates .venv and installs the project first; nothing is installed by hand.

# The first interpreter that really runs and is 3.11+ (a pyenv shim may exist but not run).
PYTHON ?= $(shell for p in python3 python3.13 python3.12 python3.11; do $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1 && { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PG_URL ?= postgres://postgres@127.0.0.1:5432/commerce
REDIS_URL ?= redis://127.0.0.1:6379

.PHONY: install run test test-services lint bench clean schema test-affected map

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.11+ is required: none of python3, python3.13, python3.12, python3.11 is one"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

run: install
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py seed_demo
	DEBUG=1 $(BIN)/python manage.py ensure_staff
	@echo ""
	@echo "  Storefront API  http://127.0.0.1:8000/api/v1/catalog/products/?currency=EUR"
	@echo "  API docs        http://127.0.0.1:8000/api/docs/"
	@echo "  Admin           http://127.0.0.1:8000/admin/"
	@echo ""
	@# No broker and no beat here: the periodic tasks run in a process beside the server, and stop with it.
	@mkdir -p var
	@# Supervised: if the schedule process ever dies, it is started again after a second.
	(trap 'kill $$c 2>/dev/null; exit' TERM; while true; do DEBUG=1 $(BIN)/python manage.py run_schedule & c=$$!; wait $$c; sleep 1; done) \
		> var/schedule.log 2>&1 & trap "kill $$! 2>/dev/null" EXIT INT TERM; \
	DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:8000

# The public API document: regenerate after any change to the API, and commit it (a test compares).
schema: install
	SECRET_KEY=schema-only-not-a-secret DEBUG=0 $(BIN)/python manage.py spectacular --validate --file docs/openapi.yaml

# The architecture command (boundaries, module map, test slices) needs no database and no secret.
ARCHITECTURE = DJANGO_SETTINGS_MODULE=tests.settings $(BIN)/python manage.py architecture

# The import contracts, then what Django lets cross a module without an import (file, line, rule, both modules).
lint: install
	$(BIN)/lint-imports --config importlinter.ini
	$(BIN)/ruff check --no-cache .
	$(ARCHITECTURE) check --no-imports

# The module map from the code (docs/architecture.md, held to the code by a test); also --format mermaid|json|html.
map: install
	$(ARCHITECTURE) map --format markdown --output docs/architecture.md

# Each module in a database of its own: the end-to-end tests then prove no module reaches another's tables.
SPLIT_DATABASES = $(foreach m,CATALOG PRICING INVENTORY CHECKOUT PAYMENTS RECOMMENDATIONS CUSTOMERS SHIPPING TAXES,$(m)_DATABASE_URL=sqlite:///$(CURDIR)/var/split-$(m).sqlite3)

# `make test MODULE=inventory`: that module's slice only (its tests and its contract's conformance tests).
test: lint
ifdef MODULE
	$(ARCHITECTURE) slice $(MODULE)
else
	$(BIN)/pytest
	@mkdir -p var
	$(SPLIT_DATABASES) $(BIN)/pytest tests/e2e
endif

# The slices of the modules whose files, contracts or imports changed since main (committed, staged or not).
test-affected: lint
	$(ARCHITECTURE) affected --base main --explain
	modules="$$($(ARCHITECTURE) affected --base main)" && $(ARCHITECTURE) slice $$modules

test-services: lint
	DATABASE_URL=$(PG_URL) TEST_REDIS_URL=$(REDIS_URL)/15 REQUIRE_SERVICES=1 $(BIN)/pytest

bench: install
	$(BIN)/python bench/storefront.py $(ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-wal db.sqlite3-shm var

# Browser tests (tests/browser): Playwright drives Debian's Chromium against a live server; screenshots go to var/browser/.
# Chromium comes from Debian (installed here when missing and we are root); Playwright never downloads a browser.
CHROMIUM ?= /usr/bin/chromium
.PHONY: test-browser
test-browser: install
	@if [ ! -x $(CHROMIUM) ]; then \
		if [ "$$(id -u)" = "0" ]; then \
			(apt-get install -y --no-install-recommends chromium || { apt-get update && apt-get install -y --no-install-recommends chromium; }); \
		else echo "$(CHROMIUM) is missing (apt-get install chromium as root): the browser tests will be skipped, or fail under CI=true"; fi; \
	fi
	@mkdir -p var/browser
	PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 CHROMIUM=$(CHROMIUM) $(BIN)/pytest tests/browser -m browser
