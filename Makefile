# The two commands a newcomer needs: `make run` (Tally with demo data) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ADDR ?= 127.0.0.1:8000

.PHONY: run test quick lint setup browser integration-tools topology-tools topology bench assets country-db-refresh pdf-libs

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

# The offline country database of the click's targeting (README, Traffic quality): CC0, from npm, read in place.
# npm gives its files an old date, hence the touch (or make would re-run npm ci every time).
COUNTRY_DB := node_modules/@ip-location-db/geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb
$(COUNTRY_DB): package.json package-lock.json
	command -v npm >/dev/null || (apt-get update && apt-get install -y npm)
	npm ci --no-audit --no-fund --silent
	touch $@

# A newer country database (published daily): updates package.json/package-lock.json (commit them); restart the web
# server so its processes reopen the file.
country-db-refresh:
	npm install --save --no-audit --no-fund @ip-location-db/geo-whois-asn-country-mmdb@latest
	touch $(COUNTRY_DB)

assets: static/vendor/chart.umd.min.js $(COUNTRY_DB)

# What WeasyPrint draws invoice PDFs with (README, Billing): Debian's Pango, HarfBuzz and a font, when missing.
pdf-libs:
	ldconfig -p | grep -q libpangoft2-1.0 && ldconfig -p | grep -q libharfbuzz-subset && fc-list | grep -q . \
	  || (apt-get update && apt-get install -y libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core)

setup: $(STAMP) assets pdf-libs

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

# What tests/integrations runs the advertisers' postback snippets and the affiliates' verifier examples with.
integration-tools:
	command -v php >/dev/null || (apt-get update && apt-get install -y php-cli)
	command -v node >/dev/null || (apt-get update && apt-get install -y nodejs)
	command -v curl >/dev/null || (apt-get update && apt-get install -y curl)

# What tests/topology (README, Production) needs besides the servers: Debian's PgBouncer, and replication
# connections from 127.0.0.1 to the local PostgreSQL for its streaming replica (trust, as every other connection from
# 127.0.0.1 to it already is): the line is added to pg_hba.conf, and the configuration reloaded, when missing.
PG_ADMIN ?= postgres://postgres@127.0.0.1:5432/postgres
topology-tools:
	command -v pgbouncer >/dev/null || test -x /usr/sbin/pgbouncer || (apt-get update && apt-get install -y pgbouncer)
	hba=$$(psql "$(PG_ADMIN)" -tAc 'SHOW hba_file') && grep -Eq '^host[[:space:]]+replication[[:space:]]' "$$hba" \
	  || { echo 'host replication postgres 127.0.0.1/32 trust' >> "$$hba" && psql "$(PG_ADMIN)" -tAc 'SELECT pg_reload_conf()'; }

test: lint browser integration-tools topology-tools assets pdf-libs
	$(BIN)/pytest $(PYTEST_ARGS)

# The production topology alone (tests/topology): two Granian web servers, two Celery workers and beat from the
# Procfile, through PgBouncer in transaction mode, reports read from a streaming replica, a web process and a worker
# killed under load.
topology: $(STAMP) topology-tools assets pdf-libs
	$(BIN)/pytest -m topology tests/topology $(PYTEST_ARGS)

# The everyday loop: no lint, no browser (e2e) and no real-worker (worker) tests, on SQLite whatever DATABASE_URL
# says (tests marked postgres skip there). `make quick PYTEST_ARGS=tests/tracking` runs one folder.
quick: $(STAMP) $(COUNTRY_DB) pdf-libs
	DATABASE_URL=sqlite:///$(CURDIR)/var/tally.sqlite3 $(BIN)/pytest -m "not e2e and not worker" $(PYTEST_ARGS)

run: $(STAMP) assets pdf-libs
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo --base-url http://$(ADDR)
	# web, Celery worker and beat together (Procfile.dev); `make run ADDR=127.0.0.1:8080` moves the web server.
	# Ctrl-C is how it stops: honcho stops the three and exits 130, which is no error here. The trap keeps this
	# shell alive until honcho is done (make, interrupted too, then just stops quietly).
	trap true INT; ADDR=$(ADDR) $(BIN)/honcho -f Procfile.dev start || [ $$? -eq 130 ]

# Hot-path benchmark (bench/run.py, not part of `make test`): clicks and postbacks as ratios to a reference app, in one
# run on PostgreSQL, under Granian (a main dependency; BENCH_ARGS=--compare-servers for gunicorn against it). Installs
# gunicorn (the `bench` extra) and Debian's wrk when missing. `make bench BENCH_ARGS=--sweep`
bench: $(STAMP)
	$(BIN)/python bench/run.py $(BENCH_ARGS)
