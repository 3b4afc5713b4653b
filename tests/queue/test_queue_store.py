"""The store on SQLite and PostgreSQL: schema from migrations, idempotent loads, amendments kept as
versions, the append-only audit log, the workflow's rules, worklist order, filters and paging."""
from __future__ import annotations

import pytest
from sqlalchemy import func, inspect, select, text

from docgap.queue import workflow
from docgap.queue.loader import load_results
from docgap.queue.models import (AuditEntry, Base, Decision, Encounter, Finding, NoteVersion, ProviderQuery, Result,
                                 SEVERITY_RANK)
from docgap.queue.worklist import Filters, fetch_page, status_counts

from queue_fixtures import loaded, notes, scanned, sqlite_store, store  # noqa: F401  (fixtures)
from queue_helpers import make_user


def counts(store):
    with store.session() as s:
        return {m.__name__: s.scalar(select(func.count()).select_from(m))
                for m in (Encounter, NoteVersion, Result, Finding)}


def test_migrations_create_the_models_schema(store):
    insp = inspect(store.engine)
    for table in Base.metadata.sorted_tables:
        cols = {c["name"] for c in insp.get_columns(table.name)}
        assert cols == {c.name for c in table.columns}, table.name
        idx = {i["name"] for i in insp.get_indexes(table.name)}
        assert {i.name for i in table.indexes} <= idx, table.name


def test_loading_twice_does_not_duplicate(store, scanned, notes):
    first = load_results(store, scanned[1], notes)
    assert first.new_encounters == len(scanned[1])
    before = counts(store)
    again = load_results(store, scanned[1], notes)
    assert again.new_encounters == 0 and again.new_results == 0 and again.unchanged == len(scanned[1])
    assert counts(store) == before
    n_findings = sum(len(r["findings"]) for r in scanned[1])
    assert before["Finding"] == n_findings and before["Encounter"] == len(scanned[1])


def test_results_without_their_note_are_reported_not_loaded(store, scanned):
    rep = load_results(store, scanned[1][:3], {})
    assert len(rep.missing_notes) == 3 and counts(store)["Encounter"] == 0


def test_amended_note_keeps_both_versions(store, scanned, notes, engine):
    load_results(store, scanned[1], notes)
    res = next(r for r in scanned[1] if any(f["rule"] == "palpation-missing" for f in r["findings"]))
    rec = dict(notes[res["note_id"]])
    rec["text"] += "\nAddendum: palpable taut bands with local twitch response and referred pain at each site injected."
    [res2] = list(engine.scan([dict(rec)]))
    rep = load_results(store, [res2], {rec["note_id"]: rec})
    assert rep.amended == 1
    with store.session() as s:
        enc = s.scalars(select(Encounter).where(Encounter.note_id == rec["note_id"])).one()
        versions = list(s.scalars(select(NoteVersion).where(NoteVersion.encounter_id == enc.id).order_by(NoteVersion.number)))
        assert [v.number for v in versions] == [1, 2]
        assert versions[0].text == notes[res["note_id"]]["text"] and versions[1].text == rec["text"]
        assert enc.current_version_id == versions[1].id
        old = list(s.scalars(select(Finding).where(Finding.version_id == versions[0].id)))
        assert old and all(f.status == "superseded" for f in old)
        new_rules = {f.rule for f in s.scalars(select(Finding).where(Finding.version_id == versions[1].id))}
        assert new_rules == {f["rule"] for f in res2["findings"]}
        assert s.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.encounter_id == enc.id, AuditEntry.action == "note_amended")) == 1
    # loading the amended result again changes nothing
    assert load_results(store, [res2], {rec["note_id"]: rec}).unchanged == 1


def test_rescan_of_same_text_keeps_decisions(store, scanned, notes):
    load_results(store, scanned[1], notes)
    user = make_user(store)
    with store.session() as s:
        f = s.scalars(select(Finding).where(Finding.status == "open").order_by(Finding.id)).first()
        enc = s.get(Encounter, f.encounter_id)
        workflow.dismiss(s, user, enc, f.id, "documented in the scanned attachment")
        s.commit()
        rule, nid = f.rule, enc.note_id
    res = dict(next(r for r in scanned[1] if r["note_id"] == nid))
    res["findings"] = list(res["findings"]) + [{"rule": "injection-count-missing", "category": "documentation",
                                                "severity": "review", "message": "m", "evidence": [],
                                                "policy": "p", "query": None}]
    load_results(store, [res], notes)
    with store.session() as s:
        enc = s.scalars(select(Encounter).where(Encounter.note_id == nid)).one()
        live = list(s.scalars(select(Finding).where(Finding.encounter_id == enc.id, Finding.status != "superseded")))
        dismissed = [x for x in live if x.rule == rule]
        assert dismissed and dismissed[0].status == "dismissed"
        assert dismissed[0].reason == "documented in the scanned attachment"


def test_audit_log_is_append_only_in_the_database(store, scanned, notes):
    load_results(store, scanned[1][:2], notes)
    for sql in ("UPDATE audit_log SET username = 'mallory'", "DELETE FROM audit_log"):
        with pytest.raises(Exception, match="append-only"):
            with store.engine.begin() as conn:
                conn.execute(text(sql))
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(AuditEntry)) > 0
        assert not s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.username == "mallory"))


def _hold_encounter(s):
    return s.scalars(select(Encounter).where(Encounter.worst_rank == SEVERITY_RANK["hold"]).order_by(Encounter.id)).first()


def test_workflow_rules_and_audit(store, scanned, notes):
    load_results(store, scanned[1], notes)
    user = make_user(store)
    with store.session() as s:
        enc = _hold_encounter(s)
        assert enc is not None
        with pytest.raises(workflow.WorkflowError, match="hold"):
            workflow.release(s, user, enc)
        holds = list(s.scalars(select(Finding).where(Finding.encounter_id == enc.id, Finding.status == "open",
                                                     Finding.severity == "hold")))
        with pytest.raises(workflow.WorkflowError, match="reason"):
            workflow.dismiss(s, user, enc, holds[0].id, "   ")
        workflow.assign(s, user, enc)
        q = workflow.send_query(s, user, enc, "Please document the muscles injected.", holds[0].id)
        assert enc.status == "query_sent" and q.sent_at is not None
        workflow.record_response(s, user, enc, q.id, "Addendum: left trapezius, right rhomboid.", resolves=True)
        assert s.get(Finding, holds[0].id).status == "resolved" and enc.status == "open"
        for h in holds[1:]:
            workflow.dismiss(s, user, enc, h.id, "reviewed: documentation is sufficient")
        workflow.release(s, user, enc)
        s.commit()
        assert enc.status == "released" and not enc.active
        with pytest.raises(workflow.WorkflowError, match="released"):
            workflow.send_query(s, user, enc, "again?")
        acts = [a.action for a in s.scalars(select(AuditEntry).where(AuditEntry.encounter_id == enc.id,
                                                                     AuditEntry.user_id == user.id).order_by(AuditEntry.id))]
        assert acts[:3] == ["assign", "send_query", "record_response"] and acts[-1] == "release"
        rel = s.scalars(select(AuditEntry).where(AuditEntry.action == "release")).one()
        assert rel.before == {"status": "open"} and rel.after["status"] == "released"
        assert s.scalar(select(func.count()).select_from(Decision).where(Decision.encounter_id == enc.id)) == len(acts)
        assert s.scalars(select(ProviderQuery)).one().response.startswith("Addendum")


def test_accepting_a_coding_correction_sets_corrected_codes(store, scanned, notes):
    load_results(store, scanned[1], notes)
    user = make_user(store)
    with store.session() as s:
        f = s.scalars(select(Finding).where(Finding.category == "coding", Finding.status == "open")).first()
        if f is None:
            pytest.skip("no coding finding in the sample")
        enc = s.get(Encounter, f.encounter_id)
        res = next(r for r in scanned[1] if r["note_id"] == enc.note_id)
        workflow.accept(s, user, enc, f.id)
        s.commit()
        assert f.status == "accepted" and enc.corrected_codes == res["suggested_codes"]


def test_worklist_order_filters_and_paging(store, scanned, notes):
    load_results(store, scanned[1], notes)
    with store.session() as s:
        everything = list(s.scalars(select(Encounter).where(Encounter.active.is_(True))))
        want = sorted(everything, key=lambda e: (e.worst_rank, -e.risk_cents, e.id))
        got, cursor = [], None
        while True:
            page = fetch_page(s, Filters(), cursor, limit=4)
            got += page.rows
            if not page.next_cursor:
                break
            cursor = page.next_cursor
        assert [e.id for e in got] == [e.id for e in want]
        ranks = [e.worst_rank for e in got]
        assert ranks == sorted(ranks)
        # filters agree with the same selection made in Python
        payer = want[0].payer
        assert [e.id for e in fetch_page(s, Filters(payer=payer), limit=100).rows] == \
               [e.id for e in want if e.payer == payer]
        assert [e.id for e in fetch_page(s, Filters(severity="hold"), limit=100).rows] == \
               [e.id for e in want if e.worst_rank == 0]
        rule = s.scalars(select(Finding.rule).where(Finding.status == "open")).first()
        with_rule = {fe for fe in s.scalars(select(Finding.encounter_id).where(Finding.rule == rule, Finding.status == "open"))}
        assert [e.id for e in fetch_page(s, Filters(rule=rule), limit=100).rows] == [e.id for e in want if e.id in with_rule]
        dos = sorted(e.date_of_service for e in want if e.date_of_service)[len(want) // 2]
        assert [e.id for e in fetch_page(s, Filters(date_from=dos), limit=100).rows] == \
               [e.id for e in want if e.date_of_service and e.date_of_service >= dos]
        c = status_counts(s, Filters())
        assert c["open"] + c["query_sent"] == len(everything)
        assert sum(c.values()) == len(scanned[1])
