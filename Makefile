# Each target bootstraps .venv itself, so a fresh clone needs only `make serve` / `make test`.
# `serve` installs what serving needs; the other targets add the test extra (pytest, ruff, …).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: serve test lint format schema bench migrations fuzz

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(BIN)/.serve-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(BIN)/.test-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@ $(BIN)/.serve-installed

serve: $(BIN)/.serve-installed
	$(BIN)/hookline serve

# pytest exits 5 when it collects no tests; that is not a failure of the suite.
test: $(BIN)/.test-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest $(PYTEST_ARGS); rc=$$?; if [ $$rc -eq 5 ]; then exit 0; fi; exit $$rc

# The fuzz test with many more generated operations than CI runs (FUZZ_EXAMPLES per backend,
# new ones each run); PostgreSQL too when HOOKLINE_TEST_POSTGRES_URL is set. Prints the counts.
FUZZ_EXAMPLES ?= 6000
fuzz: $(BIN)/.test-installed
	HOOKLINE_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest tests/test_fuzz.py -s -q

lint: $(BIN)/.test-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(BIN)/.test-installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

schema: $(BIN)/.test-installed
	$(BIN)/strawberry export-schema schema.root:schema --output schema.graphql

# Every benchmark prints its ratio against a baseline measured in the same run and whether its
# goal is met. `make bench` takes a few minutes; `make bench FULL=1` runs the sizes of issue 14
# (1,000,000 finished deliveries, 100,000 sustained events, …: most of an hour). The PostgreSQL
# ones create and drop databases of their own beside BENCH_POSTGRES, when it answers.
BENCH_POSTGRES ?= postgres://postgres@127.0.0.1:5432/test
FULL_FLAG := $(if $(FULL),--full,)
bench: $(BIN)/.test-installed
	$(BIN)/python bench/bench_latency.py
	$(BIN)/python bench/bench_throughput.py $(FULL_FLAG)
	$(BIN)/python bench/bench_fanout.py
	$(BIN)/python bench/bench_portal.py
	$(BIN)/python bench/bench_reads.py $(FULL_FLAG)
	$(BIN)/python bench/bench_tenants.py $(FULL_FLAG)
	$(BIN)/python bench/bench_bigtables.py $(FULL_FLAG)
	$(BIN)/python bench/bench_sustained.py $(FULL_FLAG)
	@if $(BIN)/python -c "import asyncio, asyncpg; asyncio.run(asyncpg.connect('$(BENCH_POSTGRES)'))" 2>/dev/null; then \
	  $(BIN)/python bench/bench_bigtables.py --postgres $(BENCH_POSTGRES) $(FULL_FLAG) && \
	  $(BIN)/python bench/bench_writes.py --postgres $(BENCH_POSTGRES) $(FULL_FLAG); \
	else echo "bench: no PostgreSQL at BENCH_POSTGRES; bench_bigtables --postgres and bench_writes skipped"; fi

migrations: $(BIN)/.test-installed
	$(BIN)/tortoise -c models.db.TORTOISE_ORM makemigrations
