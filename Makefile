# Two commands matter: `make demo` and `make test`. Both build .venv from the committed lock
# when it is missing or older than the lock or pyproject.toml.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Airflow 2.10 compatibility: a second environment from its own lock, for a subset of the tests.
VENV2 := .venv-airflow2
STAMP2 := $(VENV2)/.installed
# Test modules that exercise Airflow 3 only APIs (airflow.sdk, dag.test serialization) are left out.
AIRFLOW2_TESTS := tests/hooks tests/operators tests/sensors tests/triggers tests/utils \
	tests/test_ids.py tests/test_vocabulary.py tests/test_exceptions.py tests/test_import_graph.py tests/test_lineage.py \
	tests/test_get_provider_info.py tests/emulator tests/test_emulator_core.py \
	tests/dags/test_mapped_upload_dag.py tests/dags/test_mapped_creatives_dag.py \
	tests/dags/test_chain_from_s3_dag.py tests/dags/test_sensor_dag.py \
	tests/badinput tests/chaos tests/properties \
	--ignore=tests/sensors/test_processing.py --ignore=tests/operators/test_upload_waiting_for_processing.py \
	-m "not slow"

.PHONY: demo test test-airflow3 test-airflow2 lint docs docs-check install-chromium release-check bench lock clean

$(STAMP): requirements-lock.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -r requirements-lock.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

$(STAMP2): requirements-airflow2-lock.txt pyproject.toml
	test -x $(VENV2)/bin/python || $(PYTHON) -m venv $(VENV2)
	$(VENV2)/bin/python -m pip install --quiet --upgrade "pip>=24"
	$(VENV2)/bin/python -m pip install --quiet -r requirements-airflow2-lock.txt
	$(VENV2)/bin/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP2)

demo: $(STAMP)
	$(BIN)/python scripts/demo.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

docs: $(STAMP)
	$(BIN)/sphinx-build -W --keep-going -q -b html docs docs/_build/html

# Every page of the built docs in headless Chromium at 1300 px: images load, nothing overflows,
# nothing fetched from outside; full-page PNGs in docs/_build/screenshots/ for a reviewer.
docs-check: docs
	test -x /usr/bin/chromium && test -x /usr/bin/chromedriver || $(MAKE) --no-print-directory install-chromium
	$(BIN)/python scripts/check_docs.py docs/_build/html docs/_build/screenshots

# Debian's Chromium and its driver (never a browser download); the package lists are refreshed
# only when the install fails without it.
CHROMIUM_PACKAGES := chromium chromium-driver fonts-dejavu-core
APT_INSTALL := DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends
install-chromium:
	$(APT_INSTALL) $(CHROMIUM_PACKAGES) || (apt-get update -q && $(APT_INSTALL) $(CHROMIUM_PACKAGES))

# sdist and wheel, twine check, and the wheel alone in a fresh venv: providers list, hooks, DAGs parse.
release-check: $(STAMP)
	$(BIN)/python scripts/check_release.py

# The Airflow 3.3 run goes last, so the log ends with the main suite's summary.
test: lint docs docs-check release-check test-airflow2 test-airflow3

test-airflow3: $(STAMP)
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

test-airflow2: $(STAMP2)
	$(VENV2)/bin/python -m pytest -q -p no:cacheprovider $(AIRFLOW2_TESTS)

bench: $(STAMP)
	$(BIN)/python bench/dag_parse.py
	$(BIN)/python bench/upload.py
	$(BIN)/python bench/triggers.py

lock:
	uv pip compile pyproject.toml requirements.in --extra test --extra docs --extra openlineage --python-version 3.11 \
		--custom-compile-command "make lock" -o requirements-lock.txt
	uv pip compile pyproject.toml requirements-airflow2.in --extra test --python-version 3.11 \
		--custom-compile-command "make lock" -o requirements-airflow2-lock.txt

clean:
	rm -rf $(VENV) $(VENV2) docs/_build .pytest_cache dist build
