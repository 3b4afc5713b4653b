"""The review queue in a real browser: Debian's headless chromium driven by Playwright against a real
uvicorn server on a SQLite store loaded with real scan results. Saves screenshots to test-artifacts/."""
from __future__ import annotations

import os
import socket
import threading
import time
from pathlib import Path

import pytest

from queue_fixtures import loaded, notes, scanned, sqlite_store, store  # noqa: F401  (fixtures)
from queue_helpers import make_user

CHROMIUM = os.environ.get("DOCGAP_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists() and not os.environ.get("CI"),
                                reason="chromium not installed (.ci/run installs it)")


@pytest.fixture
def server(loaded):
    import uvicorn

    from docgap.queue.web import create_app

    make_user(loaded, "rita", "reviewer")
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    srv = uvicorn.Server(uvicorn.Config(create_app(loaded), host="127.0.0.1", port=port, log_level="warning"))
    t = threading.Thread(target=srv.run, daemon=True)
    t.start()
    for _ in range(200):
        if srv.started:
            break
        time.sleep(0.05)
    assert srv.started
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    t.join(10)


def test_work_an_encounter_in_chromium(server):
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(server + "/")
        assert "/login" in page.url
        page.fill("input[name=username]", "rita")
        page.fill("input[name=password]", "correct horse battery")
        page.click("button[type=submit]")
        expect(page.locator("h1")).to_have_text("Worklist")
        first = page.locator("table.worklist tbody tr").first
        expect(first.locator(".sev")).to_have_text("hold")
        page.screenshot(path=str(ARTIFACTS / "worklist.png"), full_page=True)

        # open the worst encounter whose findings point at text in the note (some findings are about
        # what is missing, and have no evidence to highlight)
        rows = page.locator("table.worklist tbody tr")
        worklist_url = page.url
        for i in range(min(rows.count(), 15)):
            page.locator("table.worklist tbody tr").nth(i).locator("a").first.click()
            expect(page.locator("h1")).to_contain_text("Encounter")
            if page.locator("pre.note mark.ev").count():
                break
            page.goto(worklist_url)
        marks = page.locator("pre.note mark.ev")
        assert marks.count() > 0
        expect(marks.first).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "encounter.png"), full_page=False)

        # dismiss the first finding with a reason
        finding = page.locator("article.finding").first
        rule = finding.locator("header code").inner_text()
        finding.locator("input[name=reason]").fill("Reviewed with the attached operative addendum")
        finding.locator("button", has_text="Dismiss").click()
        expect(page.locator("article.finding").first.locator(".fstatus")).to_have_text("dismissed")

        # send a provider query, edited before sending
        qforms = page.locator("article.finding form.query")
        form = qforms.first if qforms.count() else page.locator("form.query").last
        form.locator("textarea").fill("Please document the specific muscles injected, with side. (edited)")
        form.locator("button", has_text="Send query").click()
        expect(page.locator(".status").first).to_have_text("query sent")
        expect(page.locator("#queries")).to_be_visible()

        # both decisions show in the encounter's history and in the audit log
        history = page.locator("table.audit").inner_text()
        assert "dismiss finding" in history and "send query" in history
        page.click("text=Audit log")
        log = page.locator("table.audit").inner_text()
        assert "dismiss finding" in log and "send query" in log and "rita" in log
        page.go_back()

        # settle the remaining open findings, then release to billing
        while page.locator("article.finding input[name=reason]").count():
            f = page.locator("article.finding:has(input[name=reason])").first
            f.locator("input[name=reason]").fill("Documentation reviewed: sufficient")
            f.locator("button", has_text="Dismiss").click()
        page.click("button:has-text('Release to billing')")
        expect(page.locator(".status").first).to_have_text("released")
        assert rule
        browser.close()
    assert (ARTIFACTS / "worklist.png").stat().st_size > 10_000
    assert (ARTIFACTS / "encounter.png").stat().st_size > 10_000
