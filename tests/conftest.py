import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CORPUS = ROOT / "corpus_samples"


def load_jsonl(path):
    return [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]


@pytest.fixture(scope="session")
def engine():
    from docgap.engine import Engine

    return Engine()


@pytest.fixture(scope="session")
def lex(engine):
    return engine.lex


@pytest.fixture(scope="session")
def extract(engine):
    """text -> Facts through the real medspaCy pipeline."""

    def run(text, date_of_service=None):
        from docgap.engine import Record

        return engine.extract(Record("t", text, date_of_service=date_of_service))

    return run
