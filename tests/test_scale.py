"""Archive-scale scans: parallel results equal the single-process reference, readers stream, an
interrupted scan (SIGINT or SIGKILL of the real process) resumes to exactly one row per record, and
a note that throws or runs too long becomes an error row while the scan goes on."""
import csv
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import tracemalloc

import pytest

from conftest import CORPUS, load_jsonl

DOCGAP = [sys.executable, "-m", "docgap.cli"]


def corpus_records():
    recs = load_jsonl(CORPUS / "dev.jsonl") + load_jsonl(CORPUS / "test.jsonl")
    for r in recs:
        r.pop("expected", None)
    return recs


@pytest.fixture(scope="module")
def reference(engine):
    """The single-process in-memory path (Engine.scan): what every other path must reproduce."""
    recs = corpus_records()
    return recs, list(engine.scan(recs))


def write_jsonl(path, recs):
    with open(path, "w", encoding="utf-8") as f:
        for r in recs:
            f.write(json.dumps(r) + "\n")
    return path


def scan(*args, env=None, **kw):
    e = dict(os.environ, **(env or {}))
    return subprocess.run(DOCGAP + ["scan", *map(str, args), "--fail-on", "never"], capture_output=True,
                          text=True, timeout=900, env=e, **kw)


def test_two_workers_match_single_process_reference(reference, tmp_path):
    recs, want = reference
    inp = write_jsonl(tmp_path / "in.jsonl", recs)
    out = tmp_path / "out.jsonl"
    p = scan(inp, "-o", out, "--workers", "2", "--batch-size", "3")
    assert p.returncode == 0, p.stderr[-2000:]
    assert load_jsonl(out) == want
    assert not (tmp_path / "out.jsonl.docgap-state.sqlite").exists()  # removed after a complete run
    assert "notes/s, 2 workers" in p.stderr  # the final summary line
    assert "\r" not in p.stderr  # no progress bar when stderr is not a terminal


def test_duplicates_and_invalid_rows_keep_their_place_with_workers(engine, tmp_path):
    recs = corpus_records()[:12]
    recs.insert(3, dict(recs[1]))  # duplicate note_id
    recs.insert(7, {"note_id": "bad", "text": ""})
    want = list(engine.scan(recs))
    inp = write_jsonl(tmp_path / "in.jsonl", recs)
    out = tmp_path / "out.jsonl"
    p = scan(inp, "-o", out, "--workers", "2", "--batch-size", "2")
    assert p.returncode == 0, p.stderr[-2000:]
    got = load_jsonl(out)
    assert got == want
    assert got[3]["error"]["type"] == "duplicate_note_id" and got[7]["status"] == "error"


def test_history_file_feeds_frequency_rules_like_the_reference(engine, tmp_path):
    recs = [r for r in corpus_records() if r.get("patient_id") and r.get("date_of_service")][:20]
    earlier, later = recs[:10], recs[10:]
    hist = list(engine.scan(earlier))
    for r in later:  # make the later notes the same patients' follow-up sessions
        src = earlier[later.index(r) % len(earlier)]
        r["patient_id"] = src["patient_id"]
    want = list(engine.scan(later, hist))
    hpath = write_jsonl(tmp_path / "hist.jsonl", hist)
    inp = write_jsonl(tmp_path / "in.jsonl", later)
    out = tmp_path / "out.jsonl"
    p = scan(inp, "-o", out, "--workers", "2", "--history", hpath)
    assert p.returncode == 0, p.stderr[-2000:]
    assert load_jsonl(out) == want
    assert any(f["rule"].startswith("frequency") for r in want for f in r["findings"])


def _big_input(tmp_path, copies):
    recs = []
    for k in range(copies):
        for r in corpus_records():
            recs.append(dict(r, note_id=f"{r['note_id']}~{k}"))
    return write_jsonl(tmp_path / "big.jsonl", recs), recs


def _staged(state):
    try:
        with sqlite3.connect(f"file:{state}?mode=ro", uri=True, timeout=1) as db:
            return db.execute("SELECT count(*) FROM staged").fetchone()[0]
    except sqlite3.Error:
        return 0


def _start_and_stop(inp, out, sig, min_staged, max_wait=300):
    state = f"{out}.docgap-state.sqlite"
    proc = subprocess.Popen(DOCGAP + ["scan", str(inp), "-o", str(out), "--workers", "2", "--batch-size", "4",
                                      "--fail-on", "never", "-q"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        t0 = time.time()
        while _staged(state) < min_staged:
            assert proc.poll() is None, "scan ended before it could be interrupted"
            assert time.time() - t0 < max_wait
            time.sleep(0.2)
        os.kill(proc.pid, sig)
        proc.wait(timeout=120)
        return proc, _staged(state)
    finally:
        try:  # the workers of a SIGKILLed parent leave on their own; make sure in any case
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _assert_exactly_once(out, recs):
    rows = load_jsonl(out)
    assert [r["note_id"] for r in rows] == [r["note_id"] for r in recs]  # none missing, none duplicated


def test_resume_after_sigkill_of_a_real_scan(engine, tmp_path):
    inp, recs = _big_input(tmp_path, 3)
    out = tmp_path / "out.jsonl"
    proc, staged = _start_and_stop(inp, out, signal.SIGKILL, min_staged=40)
    assert proc.returncode == -signal.SIGKILL
    assert 40 <= staged < len(recs)
    assert not out.exists()  # nothing half-written is published
    p = scan(inp, "-o", out, "--workers", "2", "--resume")
    assert p.returncode == 0, p.stderr[-2000:]
    _assert_exactly_once(out, recs)
    assert load_jsonl(out) == list(engine.scan(recs))


def test_resume_after_ctrl_c(tmp_path):
    inp, recs = _big_input(tmp_path, 2)
    out = tmp_path / "out.csv"
    proc, staged = _start_and_stop(inp, out, signal.SIGINT, min_staged=20)
    assert proc.returncode == 130, proc.stderr.read()[-2000:]
    assert "--resume" in proc.stderr.read()
    assert staged >= 20
    p = scan(inp, "-o", out, "--workers", "1", "--resume")
    assert p.returncode == 0, p.stderr[-2000:]
    with open(out, newline="", encoding="utf-8") as f:
        ids = [row["note_id"] for row in csv.DictReader(f)]
    assert ids == [r["note_id"] for r in recs]


def test_resume_refuses_a_different_input(tmp_path):
    recs = corpus_records()[:4]
    inp = write_jsonl(tmp_path / "in.jsonl", recs)
    out = tmp_path / "out.jsonl"
    state = tmp_path / "out.jsonl.docgap-state.sqlite"
    with sqlite3.connect(state) as db:
        db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
        db.execute("INSERT INTO meta VALUES ('fingerprint', '{\"input\": \"elsewhere\"}')")
    p = scan(inp, "-o", out, "--resume", "--workers", "1")
    assert p.returncode == 2 and "different input" in p.stderr


def test_a_throwing_note_becomes_an_error_row_and_the_scan_goes_on(engine, tmp_path, monkeypatch):
    recs = corpus_records()
    inp = write_jsonl(tmp_path / "in.jsonl", recs)
    out = tmp_path / "out.jsonl"
    bad = {recs[5]["note_id"], recs[40]["note_id"]}
    p = scan(inp, "-o", out, "--workers", "2", env={"DOCGAP_TEST_FAIL_NOTES": ",".join(bad)})
    assert p.returncode == 0, p.stderr[-2000:]
    got = load_jsonl(out)
    assert [g["note_id"] for g in got] == [r["note_id"] for r in recs]
    for g in got:
        assert (g["status"] == "error") == (g["note_id"] in bad)
        if g["note_id"] in bad:
            assert g["error"] == {"type": "extraction_failed", "message": "RuntimeError"}
    monkeypatch.setenv("DOCGAP_TEST_FAIL_NOTES", ",".join(bad))
    assert got == list(engine.scan(recs))  # the other notes are untouched


def test_a_pathologically_long_note_times_out_in_the_worker(reference, tmp_path):
    """A real 1.9-million-character note takes the real pipeline many seconds; the limit is 1 s."""
    recs, want = reference
    body = "".join(r["text"] + "\n\n" for r in recs)
    huge = {"note_id": "huge", "text": (body * (1_900_000 // len(body) + 1))[:1_900_000]}
    sample = recs[:6]
    inp = write_jsonl(tmp_path / "in.jsonl", sample[:3] + [huge] + sample[3:])
    out = tmp_path / "out.jsonl"
    t0 = time.time()
    p = scan(inp, "-o", out, "--workers", "2", "--note-timeout", "1")
    assert p.returncode == 0, p.stderr[-2000:]
    got = load_jsonl(out)
    assert [g["note_id"] for g in got] == [r["note_id"] for r in sample[:3]] + ["huge"] + \
        [r["note_id"] for r in sample[3:]]
    assert got[3]["status"] == "error" and got[3]["error"]["type"] == "timeout"
    assert all(g["status"] == "ok" for i, g in enumerate(got) if i != 3)
    assert "note huge: over the per-note time limit" in p.stderr  # logged by id
    assert huge["text"][:40] not in p.stderr  # never by text
    assert time.time() - t0 < 120


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet", "dir"])
def test_readers_stream_with_bounded_memory(tmp_path, fmt):
    """Python-side peak while reading ~40 MB of notes (10 MB as a folder) stays a small fraction of it."""
    from docgap.io import read_records

    text = "Trigger point injection to the left trapezius. " * 90  # ~4 KB
    n = 10_000
    if fmt == "jsonl":
        path = tmp_path / "in.jsonl"
        with open(path, "w") as f:
            for i in range(n):
                f.write(json.dumps({"note_id": f"n{i}", "text": text}) + "\n")
    elif fmt == "csv":
        path = tmp_path / "in.csv"
        with open(path, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["note_id", "text"])
            for i in range(n):
                w.writerow([f"n{i}", text + "\nsecond line"])
    elif fmt == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        path = tmp_path / "in.parquet"
        with pq.ParquetWriter(path, pa.schema([("note_id", pa.string()), ("text", pa.string())])) as w:
            for start in range(0, n, 1000):
                w.write_table(pa.table({"note_id": [f"n{i}" for i in range(start, start + 1000)],
                                        "text": [text] * 1000}))
    else:
        path = tmp_path / "notes"
        path.mkdir()
        for i in range(n // 4):
            (path / f"n{i:05d}.txt").write_text(text)
        n //= 4
    size = n * len(text)  # the notes' text, however the file compresses it
    tracemalloc.start()
    count = 0
    for rec in read_records(path):
        count += 1
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert count == n
    assert peak < size / 3, (peak, size)


def test_writer_publishes_only_on_close(tmp_path):
    from docgap.io import ResultWriter

    out = tmp_path / "r.parquet"
    w = ResultWriter(out, atomic=True)
    w.write({"note_id": "a", "status": "error", "error": {"type": "x", "message": "y"}, "payer_profile": None,
             "facts": None, "suggested_codes": [], "findings": []})
    assert not out.exists()
    w.abort()
    assert not out.exists() and not list(tmp_path.iterdir())


def test_indexed_context_graph_gives_the_same_edges_as_medspacy(engine):
    """fastcontext is exact: every target gets the same modifiers (span, category, scope) as with
    medspaCy's own all-pairs ConTextGraph (both with docgap's limit_scope, see the test below)."""
    import medspacy.context.context as ctxmod
    from medspacy.context.context_graph import ConTextGraph
    from medspacy.context.context_modifier import ConTextModifier

    from docgap import fastcontext
    from docgap.fastcontext import IndexedConTextGraph
    from docgap.pipeline import SPAN_GROUP

    def edges(text):
        doc = engine.nlp(text)
        return [(t.start, t.end, t.label_, sorted((m.modifier_span, m.category, m.scope_span) for m in t._.modifiers))
                for t in doc.spans[SPAN_GROUP]]

    texts = [r["text"] for r in corpus_records()]
    texts.append("\n\n".join(texts[:12]))  # a long note with many modifiers
    assert ctxmod.ConTextGraph is IndexedConTextGraph
    fast = [edges(t) for t in texts]
    ctxmod.ConTextGraph = ConTextGraph
    original = ConTextModifier.limit_scope
    ConTextModifier.limit_scope = fastcontext.limit_scope
    try:
        slow = [edges(t) for t in texts]
    finally:
        ctxmod.ConTextGraph = IndexedConTextGraph
        ConTextModifier.limit_scope = original
    assert fast == slow
    assert sum(len(m) for doc in slow for *_, m in doc) > 500  # the check has modifiers to compare


def test_a_terminator_nearer_the_cue_cuts_a_scope_another_terminator_already_cut(engine):
    """medspaCy's tuple_overlaps(a, b) is false when b holds all of a (medspaCy issue #232): after the
    first ';' cut the backward scope of 'no relief', the second ';' (nearer the cue, its own scope
    the whole sentence) could not cut it further. docgap's limit_scope uses a symmetric overlap."""
    from medspacy.util import tuple_overlaps

    from docgap.fastcontext import scopes_overlap

    assert not tuple_overlaps((5, 9), (0, 20)) and scopes_overlap((5, 9), (0, 20))  # the bug and the fix
    assert scopes_overlap((0, 20), (5, 9)) and not scopes_overlap((0, 5), (5, 9))

    doc = engine.nlp("Tried heat; stretching; naproxen with no relief at all.")
    cue = next(m for m in doc._.context_graph.modifiers if m.category == "FAILED")
    last_semicolon = max(t.i for t in doc if t.text == ";")
    assert cue.scope_span[0] == last_semicolon + 1, (cue.scope_span, [t.text for t in doc])


def test_context_call_sets_the_same_modifier_scopes_as_medspacy(engine):
    """fastcontext.context_call is exact: the same modifiers (span, category, scope) on every target, and
    the same span attributes (is_negated, is_failed, ...)."""
    from medspacy.context.context import ConText

    from docgap import fastcontext
    from docgap.pipeline import CONTEXT_ATTRS, SPAN_GROUP

    names = sorted({name for attrs in CONTEXT_ATTRS.values() for name in attrs})

    def edges(text):
        doc = engine.nlp(text)
        return [(t.start, t.end, t.label_, sorted((m.modifier_span, m.category, m.scope_span) for m in t._.modifiers),
                 [getattr(t._, name) for name in names])
                for t in doc.spans[SPAN_GROUP]]

    texts = [r["text"] for r in corpus_records()]
    texts.append("\n\n".join(texts[:12]))
    assert ConText.__call__ is fastcontext.context_call
    fast = [edges(t) for t in texts]
    fastcontext.uninstall_call()
    try:
        slow = [edges(t) for t in texts]
    finally:
        fastcontext.install()
    assert fast == slow
    assert sum(len(m) for doc in slow for *_, m, _ in doc) > 500
    assert sum(any(a) for doc in slow for *_, a in doc) > 100  # attributes set


def test_bulk_sectionizer_sets_the_same_token_sections_as_medspacy(engine):
    """fastsection is exact: same sections, same per-token section entries, same sentence starts."""
    from docgap import fastsection

    def state(text):
        doc = engine.nlp(text)
        return ([(s.category, s.section_span, s.title_span) for s in doc._.sections],
                {k: (v.category, v.section_span) for k, v in doc.user_data.items() if k[:2] == ("._.", "section")},
                [t.is_sent_start for t in doc])

    texts = [r["text"] for r in corpus_records()]
    fast = [state(t) for t in texts]
    fastsection.uninstall()
    try:
        slow = [state(t) for t in texts]
    finally:
        fastsection.install()
    assert fast == slow
    assert sum(len(s[1]) for s in slow) > 10_000  # every token of every note has its entry


def test_fast_target_matcher_sets_the_same_spans_and_rules_as_medspacy(engine):
    """fasttarget is exact: the same target spans with the same rules and metadata."""
    from docgap import fasttarget
    from docgap.pipeline import SPAN_GROUP

    def state(text):
        doc = engine.nlp(text)
        return [(s.start, s.end, s.label_, id(s._.target_rule)) for s in doc.spans[SPAN_GROUP]]

    texts = [r["text"] for r in corpus_records()]
    fast = [state(t) for t in texts]
    fasttarget.uninstall()
    try:
        slow = [state(t) for t in texts]
    finally:
        fasttarget.install()
    assert fast == slow
    assert sum(len(s) for s in slow) > 5_000  # the check has spans to compare


def test_a_note_that_kills_its_worker_becomes_an_error_row(engine, tmp_path, monkeypatch):
    """A worker process dying on a note (SIGKILL, like a segfault or the OOM killer) does not hang or
    stop the scan: the pool restarts, the batch is rerun note by note, and only that note fails."""
    recs = corpus_records()[:30]
    inp = write_jsonl(tmp_path / "in.jsonl", recs)
    out = tmp_path / "out.jsonl"
    bad = recs[9]["note_id"]
    p = scan(inp, "-o", out, "--workers", "2", "--batch-size", "4", env={"DOCGAP_TEST_CRASH_NOTES": bad})
    assert p.returncode == 0, p.stderr[-2000:]
    got = load_jsonl(out)
    assert [g["note_id"] for g in got] == [r["note_id"] for r in recs]
    assert got[9]["status"] == "error" and got[9]["error"]["type"] == "worker_crashed"
    monkeypatch.setenv("DOCGAP_TEST_FAIL_NOTES", bad)  # the same note failing in-process, for reference
    want = list(engine.scan(recs))
    assert got[:9] + got[10:] == want[:9] + want[10:]


def test_fast_prune_gives_the_same_matches_as_medspacy():
    """fastprune is exact: the same list, in the same order, on random overlapping match lists."""
    import random

    from docgap import fastprune

    rng = random.Random(5)
    for _ in range(3000):
        n = rng.randint(0, 25)
        matches = []
        for _ in range(n):
            start = rng.randint(0, 40)
            matches.append((rng.randint(1, 6), start, start + rng.randint(1, 6)))
        assert fastprune.prune_overlapping_matches(list(matches)) == fastprune._ORIGINAL(list(matches)), matches
