# Each target bootstraps .venv itself, so a fresh clone needs only `make serve` / `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: serve test lint format schema bench migrations fuzz

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

serve: $(BIN)/.installed
	$(BIN)/hookline serve

# pytest exits 5 when it collects no tests; that is not a failure of the suite.
test: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest $(PYTEST_ARGS); rc=$$?; if [ $$rc -eq 5 ]; then exit 0; fi; exit $$rc

# The fuzz test with many more generated operations than CI runs (FUZZ_EXAMPLES per backend,
# new ones each run); PostgreSQL too when HOOKLINE_TEST_POSTGRES_URL is set. Prints the counts.
FUZZ_EXAMPLES ?= 6000
fuzz: $(BIN)/.installed
	HOOKLINE_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest tests/test_fuzz.py -s -q

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(BIN)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

schema: $(BIN)/.installed
	$(BIN)/strawberry export-schema schema.root:schema --output schema.graphql

bench: $(BIN)/.installed
	$(BIN)/python bench/bench_latency.py
	$(BIN)/python bench/bench_throughput.py
	$(BIN)/python bench/bench_fanout.py

migrations: $(BIN)/.installed
	$(BIN)/tortoise -c models.db.TORTOISE_ORM makemigrations
