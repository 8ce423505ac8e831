# Two entry points for a fresh clone: `make run` (baseline scenario) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test stress bench docs clean

$(BIN)/qcy: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

run: $(BIN)/qcy
	$(BIN)/qcy run scenarios/baseline.toml

test: $(BIN)/qcy
	$(BIN)/python -m pytest -q

# the whole suite 5 times under load, cold and warm numba cache (docs/TESTING.md)
stress: $(BIN)/qcy
	scripts/stress_tests.sh 5

bench: $(BIN)/qcy
	$(BIN)/python benchmarks/run.py --quick

docs: $(BIN)/qcy
	$(BIN)/python -m qcy_sim.docs docs/scenario-reference.md

clean:
	rm -rf $(VENV) build *.egg-info
