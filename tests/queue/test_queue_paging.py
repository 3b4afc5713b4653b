"""The worklist at 100,000 encounters on SQLite: each worklist query is served from an index without
sorting, and a page deep in the list is served by its cursor (no wall-clock asserts)."""
from __future__ import annotations

import random

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert, select, text

from docgap.queue.models import Encounter, User
from docgap.queue.web import create_app
from docgap.queue.worklist import Filters, encode_cursor, fetch_page, page_query

from queue_fixtures import loaded, notes, scanned, sqlite_store, store  # noqa: F401  (fixtures)
from queue_helpers import login, make_user

N = 100_000
PAYERS = ("Aetna", "Medicare", "Cigna", None)
STATUSES = ("open", "open", "query_sent", "released", "no_findings")


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    from docgap.queue.store import Store

    store = Store(f"sqlite:///{tmp_path_factory.mktemp('big') / 'q.sqlite3'}")
    make_user(store, "rita")
    rnd = random.Random(5)
    rows = []
    for i in range(N):
        st = STATUSES[i % len(STATUSES)]
        risk = rnd.choice((0, 6000, 7000, 13000, 20000, rnd.randrange(0, 50000)))
        rows.append({"note_id": f"N{i:06d}", "payer": PAYERS[i % 4], "status": st,
                     "active": st in ("open", "query_sent"), "worst_rank": rnd.randrange(4), "risk_cents": risk,
                     "neg_risk_cents": -risk, "open_findings": 1, "date_of_service": f"2025-{1 + i % 12:02d}-01",
                     "assignee_id": 1 if i % 7 == 0 else None})
    with store.engine.begin() as conn:
        conn.execute(insert(Encounter), rows)
        conn.execute(text("ANALYZE"))
    yield store
    store.dispose()


@pytest.mark.parametrize("filters", [Filters(), Filters(status="released"), Filters(status="all"),
                                     Filters(payer="Aetna"), Filters(assignee="rita"), Filters(rule="palpation-missing")],
                         ids=["default", "status", "all", "payer", "assignee", "rule"])
def test_worklist_queries_use_an_index_and_no_sort(big, filters):
    with big.session() as s:
        for after in (None, (1, -7000, 50_000)):
            sql = str(page_query(filters, after).compile(big.engine, compile_kwargs={"literal_binds": True}))
            plan = [row[3] for row in s.execute(text("EXPLAIN QUERY PLAN " + sql))]
            enc_steps = [p for p in plan if "encounters" in p]
            assert enc_steps and all("USING INDEX" in p or "USING COVERING INDEX" in p for p in enc_steps), plan
            assert not any("TEMP B-TREE" in p for p in plan), plan


def test_deep_page_is_served_by_its_cursor(big):
    with big.session() as s:
        want = list(s.execute(select(Encounter.id, Encounter.worst_rank, Encounter.neg_risk_cents)
                              .where(Encounter.active.is_(True))
                              .order_by(Encounter.worst_rank, Encounter.neg_risk_cents, Encounter.id)))
        assert len(want) == N * 3 // 5
        k = 45_000  # well past the middle
        prev = s.get(Encounter, want[k - 1].id)
        page = fetch_page(s, Filters(), encode_cursor(prev), limit=50)
        assert [e.id for e in page.rows] == [w.id for w in want[k:k + 50]]
    c = TestClient(create_app(big))
    login(c)
    r = c.get("/", params={"cursor": encode_cursor(prev)})
    assert r.status_code == 200
    shown = [int(x) for x in __import__("re").findall(r'href="/encounters/(\d+)"', r.text)]
    assert shown == [w.id for w in want[k:k + 50]]
    assert 'rel="next"' in r.text
