# One command to set up and scan the bundled samples, one to run the tests.
PY ?= python3
VENV ?= .venv
BIN = $(VENV)/bin

.PHONY: setup scan test eval docs clean queue queue-screenshots bench

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

# The review queue on the bundled samples: scan, load, a demo admin (password demo-password), serve.
QUEUE_DB ?= out/queue.sqlite3
queue: setup
	$(BIN)/docgap scan corpus_samples/test.jsonl -o out/queue_results.jsonl --fail-on never -q --queue $(QUEUE_DB)
	printf 'demo-password\n' | $(BIN)/docgap user add demo --role admin --password-stdin --update --db $(QUEUE_DB)
	$(BIN)/docgap serve --db $(QUEUE_DB)

# Refresh the README's screenshots from the browser test's artifacts.
queue-screenshots: setup
	$(BIN)/python -m pytest -q tests/queue/test_queue_browser.py
	cp test-artifacts/worklist.png test-artifacts/encounter.png docs/queue/

clean:
	rm -rf $(VENV) out build *.egg-info

# Throughput and memory against baselines, side by side (several minutes; see benchmarks/README.md)
bench: setup
	$(BIN)/python benchmarks/run.py
