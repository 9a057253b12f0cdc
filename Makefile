# The two commands a newcomer needs: `make run` (Tally with demo data) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ADDR ?= 127.0.0.1:8000

.PHONY: run test lint setup browser bench assets

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

# Front-end files from npm into static/vendor (no CDN at run time): Chart.js for the report charts.
static/vendor/chart.umd.min.js: package.json package-lock.json
	command -v npm >/dev/null || (apt-get update && apt-get install -y npm)
	npm ci --no-audit --no-fund --silent
	mkdir -p static/vendor && cp node_modules/chart.js/dist/chart.umd.min.js static/vendor/

assets: static/vendor/chart.umd.min.js

setup: $(STAMP) assets

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	# The one-way layers (pyproject.toml [tool.importlinter], README's Layout): an upward import fails here.
	$(BIN)/lint-imports
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run
	# Django's deployment checks with production values (a random key, HTTPS): the development defaults fail them
	DJANGO_DEBUG=false DJANGO_HTTPS=true DJANGO_SECRET_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))') \
	  $(BIN)/python manage.py check --deploy --fail-level WARNING

# Debian's Chromium for the browser tests (tests/e2e): Playwright cannot download a browser of its own here.
browser:
	command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium)

test: lint browser assets
	$(BIN)/pytest $(PYTEST_ARGS)

run: $(STAMP) assets
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	# web, Celery worker and beat together (Procfile.dev); `make run ADDR=127.0.0.1:8080` moves the web server
	ADDR=$(ADDR) $(BIN)/honcho -f Procfile.dev start

# Hot-path benchmark (bench/run.py, not part of `make test`): clicks and postbacks as ratios to a reference app, in one
# run on PostgreSQL. Installs gunicorn (the `bench` extra) and Debian's wrk when missing. `make bench BENCH_ARGS=--sweep`
bench: $(STAMP)
	$(BIN)/python bench/run.py $(BENCH_ARGS)
