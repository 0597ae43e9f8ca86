# make demo — start the product with a demo city (PRESET=jizhou, SCALE=county, PORT=8000)
# make test — run the whole suite (SQLite; DATABASE_URL=postgres:///name for PostgreSQL)
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
PRESET ?= jizhou
SCALE ?= county
SEED ?= 1
# Two pytest workers (pytest-xdist), one per core of the CI machine, and the 25 slowest
# tests listed (CI must stay under 30 minutes); PYTEST_ARGS= runs serially.
PYTEST_ARGS ?= -n 2 --durations=25
DEMO_ENV := GRIDGOV_DEMO=1 DATABASE_URL=$${DATABASE_URL:-sqlite:///var/demo-$(PRESET)-$(SCALE).sqlite3}

.PHONY: demo test install assets system-deps lint bench bench-kpis clean

install: $(VENV)/.installed
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $@

assets: static/vendor/.installed
static/vendor/.installed: package.json package-lock.json scripts/copy_assets.py
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	$(PY) scripts/copy_assets.py
	touch $@

system-deps:
	bash scripts/system-deps.sh browser

demo: install assets
	$(DEMO_ENV) $(PY) manage.py migrate --noinput -v0
	$(DEMO_ENV) $(PY) manage.py make_city --preset $(PRESET) --scale $(SCALE) --seed $(SEED) --if-empty
	$(DEMO_ENV) $(PY) manage.py make_cases --seed $(SEED) --if-empty
	$(DEMO_ENV) $(PY) manage.py make_history --months 11 --seed $(SEED) --if-empty
	$(DEMO_ENV) $(PY) manage.py make_participation --seed $(SEED) --if-empty
	$(DEMO_ENV) $(PY) manage.py make_patrols --seed $(SEED) --days 30 --if-empty
	$(DEMO_ENV) $(PY) manage.py make_visits --seed $(SEED) --days 30 --if-empty
	$(DEMO_ENV) $(PY) manage.py make_alarms --seed $(SEED) --days 30 --if-empty
	$(DEMO_ENV) $(PY) manage.py make_emergency --seed $(SEED) --if-empty
	$(DEMO_ENV) $(PY) manage.py make_warnings --seed $(SEED) --days 30 --if-empty
	$(DEMO_ENV) $(PY) manage.py compute_rankings --months 12
	$(DEMO_ENV) $(PY) manage.py make_reports
	$(DEMO_ENV) $(PY) manage.py train_classifier
	$(DEMO_ENV) $(PY) manage.py open311_demo_client
	$(DEMO_ENV) $(PY) manage.py collectstatic --noinput -v0
	@$(DEMO_ENV) $(PY) manage.py demo_accounts --url http://127.0.0.1:$(PORT)/
	@$(DEMO_ENV) bash scripts/serve.sh $(PORT)

test: install assets system-deps
	GRIDGOV_TESTING=1 GRIDGOV_DEMO=1 $(PY) -m pytest $(PYTEST_ARGS)

# lint-imports checks the import contracts in pyproject.toml ([tool.importlinter]).
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	PYTHONPATH=. $(VENV)/bin/lint-imports --no-cache

BENCH_ENV := GRIDGOV_DEMO=1 DATABASE_URL=sqlite:///var/bench-fuzhou.sqlite3
bench: install
	$(BENCH_ENV) $(PY) manage.py migrate --noinput -v0
	$(BENCH_ENV) $(PY) manage.py make_city --preset fuzhou --scale fuzhou --seed 1 --if-empty
	$(BENCH_ENV) $(PY) bench/locate.py

# KPI latency over a year of CASES cases at Fuzhou scale beside DuckDB (bench/REPORT.md);
# DATABASE_URL=postgres:///gridgov_bench for PostgreSQL.
CASES ?= 1000000
BENCH_KPIS_ENV := GRIDGOV_DEMO=1 DATABASE_URL=$${DATABASE_URL:-sqlite:///var/bench-kpis.sqlite3}
bench-kpis: install
	$(BENCH_KPIS_ENV) $(PY) manage.py migrate --noinput -v0
	$(BENCH_KPIS_ENV) $(PY) manage.py make_city --preset fuzhou --scale fuzhou --seed 1 --if-empty
	$(BENCH_KPIS_ENV) $(PY) bench/kpis.py --cases $(CASES)

clean:
	rm -rf $(VENV) node_modules static/vendor staticfiles var
