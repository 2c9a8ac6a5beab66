# polytensor: `make run` (demo), `make test` (test suite), `make lint` (ruff, mypy and
# import-linter, the gates .ci/run applies), `make bench` (overhead benchmark), `make compat-table`
# (docs/compatibility.md), `make fuzz` (a long fuzz of the public surface: FUZZ_CALLS=100000 calls
# per backend by default).
# Each target creates .venv if it is missing and installs what it needs from pyproject.toml;
# a stamp file per extra set (newer than pyproject.toml and polytensor/_version.py, which the
# installed metadata copies) keeps re-runs from reinstalling.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip --disable-pip-version-check

# Test directories that exist in this checkout (pytest errors out on a missing one).
TEST_PATHS := $(wildcard tests conformance)

.PHONY: run test test-slow lint bench fuzz venv clean-venv compat-table test-plugins

# The main job: train a small CNN on scikit-learn's bundled 8x8 digits on the default (NumPy)
# backend, with a progress bar, per-epoch loss and accuracy, and a PNG of the curves.
# POLYTENSOR_BACKEND=dask make run (or `polytensor demo --backend dask`) runs it on Dask.
run: $(VENV)/.stamp-run
	$(VENV)/bin/polytensor info
	$(VENV)/bin/polytensor demo --plot digits_training.png

# pytest-xdist comes with the test extra; fall back to one process if it cannot be imported.
test: $(VENV)/.stamp-test
	@if $(PY) -c "import xdist" >/dev/null 2>&1; then \
		echo "$(PY) -m pytest -q -n 2 $(TEST_PATHS)"; \
		$(PY) -m pytest -q -n 2 $(TEST_PATHS); \
	else \
		echo "pytest-xdist is not importable; running in one process"; \
		echo "$(PY) -m pytest -q $(TEST_PATHS)"; \
		$(PY) -m pytest -q $(TEST_PATHS); \
	fi

# The runs marked slow (minutes each, e.g. the tutorials' conv nets trained lazily on Dask).
test-slow: $(VENV)/.stamp-test
	$(PY) -m pytest -q -m slow $(TEST_PATHS)

# The conformance suite on the plug-in backends of tests/plugins (JAX, and torch through
# array-api-compat), registered from their array-API namespaces alone: tests/plugins on the path
# registers their entry points (no install). Needs jax and torch; PLUGINS=jax runs one.
PLUGINS ?= jax,torch
test-plugins: $(VENV)/.stamp-test
	POLYTENSOR_TEST_BACKENDS=$(PLUGINS) PYTHONPATH=tests/plugins$${PYTHONPATH:+:$$PYTHONPATH} \
		$(PY) -m pytest -q -rfE --tb=line conformance/test_elementwise_ops.py \
		conformance/test_table_ops.py conformance/test_gradients.py

# Every gate runs even when one before it fails; the target fails if any did. The gates' settings
# are in pyproject.toml ([tool.ruff], [tool.mypy], [tool.importlinter]); .pre-commit-config.yaml
# runs the same commands.
LINT_GATES := "ruff check --output-format concise ." "ruff format --check --output-format concise ." \
              "mypy --strict polytensor" "lint-imports"

lint: $(VENV)/.stamp-lint
	@failed=""; \
	for gate in $(LINT_GATES); do \
		echo "== $$gate"; \
		$(VENV)/bin/$$gate || failed="$$failed; $$gate"; \
	done; \
	if [ -n "$$failed" ]; then echo "make lint: failed:$${failed#;}"; exit 1; fi; \
	echo "make lint: all gates passed"

# The figures in bench/README.md come from the command printed by `bench/overhead.py --help`
# (it also clears two OpenBLAS tuning variables, which this Makefile leaves alone).
# For the torch column: .venv/bin/pip install torch==2.13.0 (never a dependency of polytensor).
bench: $(VENV)/.stamp-bench
	OPENBLAS_NUM_THREADS=1 $(PY) bench/overhead.py

# docs/compatibility.md: SciPy, scikit-learn and array-api-extra functions called on tensors that
# require grad, per backend (tests/test_compat_table.py fails when the committed table is stale).
compat-table: $(VENV)/.stamp-test
	$(PY) conformance/compat.py

# A long fuzz of the public surface: FUZZ_CALLS random calls per backend (good and bad
# arguments); prints the calls made per backend and every defect found (an exception of the
# wrong kind, or a message that names no function), and fails if there is one.
FUZZ_CALLS ?= 100000
fuzz: $(VENV)/.stamp-test
	$(PY) tests/fuzz_calls.py --calls $(FUZZ_CALLS)

venv: $(PY)

$(PY):
	$(PYTHON) -m venv $(VENV)

$(VENV)/.stamp-run: pyproject.toml polytensor/_version.py | $(PY)
	$(PIP) install -e '.[dask,strict,examples]'
	@touch $@

$(VENV)/.stamp-test: pyproject.toml polytensor/_version.py | $(PY)
	$(PIP) install -e '.[test]'
	@touch $@

# The test extra too: what mypy reports depends on the optional libraries it can read (dask,
# array-api-strict, matplotlib), so lint sees the same ones as the tests.
$(VENV)/.stamp-lint: pyproject.toml polytensor/_version.py | $(PY)
	$(PIP) install -e '.[test,lint]'
	@touch $@

# array-api-strict and threadpoolctl both come with the test extra.
$(VENV)/.stamp-bench: pyproject.toml polytensor/_version.py | $(PY)
	$(PIP) install -e '.[strict,test]'
	@touch $@

clean-venv:
	rm -rf $(VENV)
