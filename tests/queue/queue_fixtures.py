"""Fixtures for the review queue tests (imported by each test module: a second conftest.py would shadow
the root one, which other tests import by name): real scans of corpus notes, a store per test on SQLite
and (when DOCGAP_TEST_PG_URL is set, as .ci/run does) on a real PostgreSQL server."""
from __future__ import annotations

import json
import os
import re
import uuid
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parents[2] / "corpus_samples"
PROVIDERS = ("Dr. Adams", "Dr. Baker", "Dr. Chen")
XSS = "<script>alert('pwned')</script><b>bold?</b> "


def _records(n: int = 15) -> list[dict]:
    recs = [json.loads(line) for line in open(CORPUS / "test.jsonl", encoding="utf-8") if line.strip()][:n]
    out = []
    for i, r in enumerate(recs):
        r = {k: v for k, v in r.items() if k != "expected"}
        r["provider"] = PROVIDERS[i % len(PROVIDERS)]
        out.append(r)
    # a note whose text carries markup: the queue must show it as text
    x = dict(out[0], note_id="XSS-1", patient_id="pXSS", provider="Dr. Script")
    x["text"] = XSS + x["text"]
    out.append(x)
    return out


@pytest.fixture(scope="session")
def scanned(engine):
    """(input records, results) of a real scan."""
    recs = _records()
    return recs, list(engine.scan([dict(r) for r in recs]))


@pytest.fixture(scope="session")
def notes(scanned):
    return {r["note_id"]: r for r in scanned[0]}


def _pg_url() -> str | None:
    return os.environ.get("DOCGAP_TEST_PG_URL")


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    """An empty, migrated queue store; one fresh database per test."""
    from docgap.queue.store import Store

    if request.param == "sqlite":
        st = Store(f"sqlite:///{tmp_path / 'queue.sqlite3'}")
        yield st
        st.dispose()
        return
    base = _pg_url()
    if not base:
        pytest.skip("DOCGAP_TEST_PG_URL not set (.ci/run starts a PostgreSQL server and sets it)")
    import psycopg

    name = "dg_" + uuid.uuid4().hex[:12]
    admin_url = re.sub(r"^postgresql\+psycopg://", "postgresql://", base)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    db_url = re.sub(r"/[^/?]*(\?|$)", f"/{name}\\1", admin_url.split("://", 1)[1])
    st = Store("postgresql://" + db_url)
    assert st.dialect == "postgresql"
    yield st
    st.dispose()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def sqlite_store(tmp_path):
    from docgap.queue.store import Store

    st = Store(f"sqlite:///{tmp_path / 'queue.sqlite3'}")
    yield st
    st.dispose()


@pytest.fixture
def loaded(sqlite_store, scanned, notes):
    from docgap.queue.loader import load_results

    load_results(sqlite_store, scanned[1], notes)
    return sqlite_store
