"""Pages and decisions through the HTTP API (TestClient), and the security properties."""
from __future__ import annotations

import csv
import html
import io
import logging
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from docgap.queue.models import Encounter, Finding
from docgap.queue.web import create_app

from queue_fixtures import XSS
from queue_fixtures import loaded, notes, scanned, sqlite_store, store  # noqa: F401  (fixtures)
from queue_helpers import csrf, login, make_user


@pytest.fixture
def app(loaded):
    make_user(loaded, "rita", "reviewer")
    make_user(loaded, "ada", "admin")
    return create_app(loaded)


@pytest.fixture
def client(app):
    c = TestClient(app)
    assert login(c).status_code == 303
    return c


def _hold_encounter(store):
    with store.session() as s:
        return s.scalars(select(Encounter).where(Encounter.worst_rank == 0, Encounter.note_id != "XSS-1")
                         .order_by(Encounter.id)).first()


def test_worklist_lists_worst_first_with_counts(client, loaded):
    r = client.get("/")
    assert r.status_code == 200
    sev = re.findall(r'<span class="sev sev-(hold|review|info|none)">', r.text)
    assert sev and sev == sorted(sev, key=["hold", "review", "info", "none"].index)
    assert re.search(r"open <b>\d+</b>", r.text)
    assert client.get("/?severity=bogus").status_code == 400


def test_encounter_page_highlights_evidence_and_explains(client, loaded, scanned):
    enc = _hold_encounter(loaded)
    res = next(r for r in scanned[1] if r["note_id"] == enc.note_id)
    page = client.get(f"/encounters/{enc.id}").text
    for f in res["findings"]:
        assert html.escape(f["message"], quote=False) in page or html.escape(f["message"]) in page
        for ev in f["evidence"]:
            assert html.escape(ev["text"], quote=False) in page or html.escape(ev["text"]) in page
    marks = re.findall(r'<mark class="ev sev-(\w+)"[^>]*><a href="#finding-(\d+)">', page)
    assert len(marks) >= sum(bool(f["evidence"]) for f in res["findings"])
    with loaded.session() as s:
        fids = {f.id for f in s.scalars(select(Finding).where(Finding.encounter_id == enc.id))}
    assert {int(fid) for _, fid in marks} <= fids
    assert "Why payers deny" in page and "Codes: billed and supported" in page and "Extracted facts" in page


def test_decisions_through_forms_and_audit(client, loaded):
    enc = _hold_encounter(loaded)
    tok = csrf(client, f"/encounters/{enc.id}")
    with loaded.session() as s:
        fs = list(s.scalars(select(Finding).where(Finding.encounter_id == enc.id, Finding.status == "open")))
    r = client.post(f"/encounters/{enc.id}/findings/{fs[0].id}/dismiss", data={"csrf_token": tok, "reason": ""})
    assert r.status_code == 400 and "reason" in r.text
    r = client.post(f"/encounters/{enc.id}/release", data={"csrf_token": tok})
    assert r.status_code == 400 and "hold" in r.text
    assert client.post(f"/encounters/{enc.id}/assign", data={"csrf_token": tok}, follow_redirects=False).status_code == 303
    r = client.post(f"/encounters/{enc.id}/queries", data={"csrf_token": tok, "finding_id": str(fs[0].id),
                                                           "text": "Edited: please name the muscles."})
    assert r.status_code == 200 and "Edited: please name the muscles." in r.text
    for f in fs:
        client.post(f"/encounters/{enc.id}/findings/{f.id}/dismiss", data={"csrf_token": tok, "reason": f"ok {f.rule}"})
    r = client.post(f"/encounters/{enc.id}/release", data={"csrf_token": tok})
    assert r.status_code == 200 and "released" in r.text
    audit = client.get("/export/audit.csv").text
    rows = list(csv.DictReader(io.StringIO(audit)))
    mine = [row for row in rows if row["note_id"] == enc.note_id and row["user"] == "rita"]
    assert [row["action"] for row in mine][:2] == ["assign", "send_query"]
    assert mine[-1]["action"] == "release" and '"released"' in mine[-1]["after"]
    assert sum(row["action"] == "dismiss_finding" for row in mine) == len(fs)
    assert "Edited: please name the muscles." in client.get("/queries/print").text
    wl = list(csv.DictReader(io.StringIO(client.get("/export/worklist.csv?status=released").text)))
    assert [row["note_id"] for row in wl] == [enc.note_id]


def test_dashboard_and_admin_pages(client, app):
    r = client.get("/dashboard")
    assert r.status_code == 200 and "<svg" in r.text and "Dr. Adams" in r.text
    admin = TestClient(app)
    login(admin, "ada")
    assert admin.get("/admin/users").status_code == 200
    tok = csrf(admin, "/admin/users")
    r = admin.post("/admin/users", data={"csrf_token": tok, "username": "newbie", "password": "longenough1",
                                         "role": "reviewer"}, follow_redirects=False)
    assert r.status_code == 303
    newbie = TestClient(app)
    assert login(newbie, "newbie", "longenough1").status_code == 303
    assert "aetna" in admin.get("/admin/profiles").text


# ---- security ----------------------------------------------------------------------------------

def _paths(app, method):
    """Every route of the app's routers (the list the app was built from), path parameters set to 1."""
    from docgap.queue.web import admin, pages, reports, session

    for mod in (session, pages, reports, admin):
        for route in mod.router.routes:
            if method in getattr(route, "methods", set()) and route.path not in ("/login",):
                yield re.sub(r"\{[^}]+\}", "1", route.path)


def test_every_page_needs_login(app):
    anon = TestClient(app)
    paths = list(_paths(app, "GET"))
    assert len(paths) >= 9
    for p in paths:
        r = anon.get(p, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login"), p
    for p in _paths(app, "POST"):
        assert anon.post(p, data={}, follow_redirects=False).status_code in (303, 403), p


def test_reviewer_cannot_reach_admin_pages(client, app):
    for p in _paths(app, "GET"):
        if p.startswith("/admin"):
            assert client.get(p).status_code == 403, p
    tok = csrf(client)
    r = client.post("/admin/users", data={"csrf_token": tok, "username": "x1", "password": "longenough1", "role": "admin"})
    assert r.status_code == 403


def test_forms_without_csrf_token_are_refused(client, app, loaded):
    enc = _hold_encounter(loaded)
    for p in _paths(app, "POST"):
        p = p.replace("/encounters/1", f"/encounters/{enc.id}")
        r = client.post(p, data={"reason": "x", "text": "x"})
        assert r.status_code == 403, p
        r = client.post(p, data={"reason": "x", "text": "x", "csrf_token": "forged"})
        assert r.status_code == 403, p
    with loaded.session() as s:
        assert s.get(Encounter, enc.id).assignee_id is None


def test_note_markup_renders_as_text(client, loaded):
    with loaded.session() as s:
        enc = s.scalars(select(Encounter).where(Encounter.note_id == "XSS-1")).one()
    page = client.get(f"/encounters/{enc.id}").text
    assert "<script>alert" not in page and "<b>bold?</b>" not in page
    assert html.escape(XSS.strip(), quote=False) in page or "&lt;script&gt;alert(" in page


def test_session_cookie_flags_and_login_rate_limit(app):
    c = TestClient(app)
    r = login(c)
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    bad = TestClient(app)
    for _ in range(5):
        assert login(bad, "rita", "wrong password!").status_code == 401
    assert login(bad, "rita", "correct horse battery").status_code == 429


def test_no_note_text_in_logs(app, loaded, scanned, notes, caplog):
    from docgap.queue.loader import load_results

    caplog.set_level(logging.DEBUG)
    load_results(loaded, scanned[1], notes)
    c = TestClient(app)
    login(c)
    for enc_id in range(1, 5):
        c.get(f"/encounters/{enc_id}")
    c.get("/")
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for rec in scanned[0]:
        for line in rec["text"].splitlines():
            if len(line) > 30:
                assert line not in logged
