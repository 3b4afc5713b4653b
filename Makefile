# One command to set up and scan the bundled samples, one to run the tests.
PY ?= python3
VENV ?= .venv
BIN = $(VENV)/bin

.PHONY: setup scan test eval docs clean bench

$(BIN)/docgap: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q ".[test]"
	touch $(BIN)/docgap

setup: $(BIN)/docgap

scan: setup
	$(BIN)/docgap scan corpus_samples/test.jsonl -o out/results.jsonl --fail-on never

eval: setup
	$(BIN)/docgap eval corpus_samples/test.jsonl

docs: setup
	$(BIN)/python -m docgap.docs > docs/rules.md

test: setup
	$(BIN)/pip install -q ".[test]"
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) out build *.egg-info

# Throughput and memory against baselines, side by side (several minutes; see benchmarks/README.md)
bench: setup
	$(BIN)/python benchmarks/run.py
