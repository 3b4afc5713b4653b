"""Archive-scale scans: streaming, parallel, resumable, with the same results as Engine.scan.

Two passes over a SQLite state file kept beside the output (OUTPUT.docgap-state.sqlite):

1. Extraction (the expensive part). The parent reads records as a stream, validates them and sends
   batches to a process pool (one medspaCy pipeline per worker); each worker returns plain rows:
   the pickled Record and Facts, or an error row. Batches are committed in input order, so the
   staged rows always form a prefix of the input: `--resume` skips that prefix after a Ctrl-C or a
   SIGKILL. Each note runs under a time limit enforced in the worker (SIGALRM).
2. Rules. Frequency rules need all of a patient's sessions, including later rows of the input, so
   they run once extraction is complete, streaming the staged rows back in input order. Only the
   compact session facts (patient, date, note_id, procedure) are indexed; the rules read nothing
   else from a session. Results go to OUTPUT.partial, renamed to OUTPUT when complete.

Why spill to SQLite rather than keep per-patient facts in memory: memory stays flat however many
notes or patients there are, duplicate note_id checks need no in-memory set, and the same file is
the resume checkpoint. The state file is deleted after a successful run.
"""
from __future__ import annotations

import gc
import itertools
import json
import logging
import multiprocessing as mp
import os
import pickle
import signal
import sqlite3
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from .engine import Engine, NoteTimeout, Record, error_result, history_sessions, is_session, make_record
from .errors import DocgapError
from .facts import Facts
from .rules import Session

log = logging.getLogger("docgap")
STATE_SUFFIX = ".docgap-state.sqlite"
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS staged (seq INTEGER PRIMARY KEY, kind TEXT, patient_id TEXT, blob BLOB);
CREATE TABLE IF NOT EXISTS ids (note_id TEXT PRIMARY KEY, seq INTEGER);
CREATE TABLE IF NOT EXISTS sessions (ord INTEGER PRIMARY KEY, patient_id TEXT, date_of_service TEXT,
                                     note_id TEXT, procedure TEXT);
CREATE INDEX IF NOT EXISTS sessions_patient ON sessions (patient_id);
"""


@dataclass
class ScanOptions:
    workers: int = 1
    batch_size: int = 16
    note_timeout: float | None = None
    resume: bool = False
    history: str | None = None  # earlier results (JSONL) feeding the frequency rules
    engine_args: dict | None = None  # Engine(**engine_args) in every worker


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover  (not Linux)
        return max(1, os.cpu_count() or 1)


def state_path(output: str | Path) -> Path:
    return Path(str(output) + STATE_SUFFIX)


# ---- worker side -------------------------------------------------------------------------------

_ENGINE: Engine | None = None
_TIMEOUT: float | None = None


def _init_worker(engine_args: dict, note_timeout: float | None, parent: int | None) -> None:
    global _ENGINE, _TIMEOUT
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops the pool
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the CLI's handler, inherited through fork
    _ENGINE = Engine(**engine_args)
    _TIMEOUT = note_timeout
    tune_gc()
    if parent is not None:
        threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True).start()


def _exit_with_parent(parent: int) -> None:
    # After a SIGKILL of the parent nobody closes the pool's pipes: leave instead of idling forever.
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:
            os._exit(1)


def tune_gc() -> None:
    """The pipeline's ~1e6 long-lived objects would be rescanned by every full collection."""
    gc.collect()
    gc.freeze()


def _on_alarm(signum, frame):
    raise NoteTimeout(f"note took longer than the {_TIMEOUT:g} s limit")


def _extract_one(rec: Record) -> tuple[Facts | None, dict | None]:
    if not _TIMEOUT:
        return _ENGINE.extract_or_error(rec)
    old = signal.signal(signal.SIGALRM, _on_alarm)
    try:
        signal.setitimer(signal.ITIMER_REAL, _TIMEOUT)
        try:
            return _ENGINE.extract_or_error(rec)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    except NoteTimeout as e:  # fired between extraction and disarming
        return None, error_result(rec.note_id, "timeout", str(e))
    finally:
        signal.signal(signal.SIGALRM, old)


def extract_batch(items: list[tuple[int, Record | dict]]) -> list[tuple[int, str, bytes, str | None]]:
    """(seq, Record or ready error row) -> (seq, kind, blob, procedure). Plain bytes travel back."""
    out = []
    for seq, item in items:
        if isinstance(item, dict):
            out.append((seq, "error", json.dumps(item).encode(), None))
            continue
        facts, err = _extract_one(item)
        if err is not None:
            out.append((seq, "error", json.dumps(err).encode(), None))
        else:
            meta = replace(item, text="")  # the rules never read the text; evidence carries its own
            out.append((seq, "ok", pickle.dumps((meta, facts), protocol=pickle.HIGHEST_PROTOCOL),
                        facts.procedure))
    return out


def rules_batch(items: list[tuple[bytes, list[tuple[str, str, str | None]]]]) -> list[dict]:
    """(pickled Record+Facts, patient's sessions) -> contract results."""
    out = []
    for blob, sessions in items:
        rec, facts = pickle.loads(blob)
        hist = [Session(nid, dos, Facts(procedure=proc)) for nid, dos, proc in sessions]
        out.append(_ENGINE.result(rec, facts, hist))
    return out


# ---- parent side -------------------------------------------------------------------------------

class StateDB:
    def __init__(self, path: Path, fingerprint: dict, resume: bool):
        self.path = path
        if path.exists() and not resume:
            path.unlink()
        self.db = sqlite3.connect(str(path))
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(SCHEMA)
        stored = dict(self.db.execute("SELECT key, value FROM meta"))
        want = json.dumps(fingerprint, sort_keys=True)
        if stored.get("fingerprint") not in (None, want):
            self.db.close()
            raise DocgapError(f"{path.name} belongs to a different input or settings; delete it or run "
                              f"without --resume")
        if "fingerprint" not in stored:
            self.db.execute("INSERT INTO meta VALUES ('fingerprint', ?)", (want,))
            self.db.commit()
        self.meta = stored

    def staged_prefix(self) -> int:
        n, top = self.db.execute("SELECT count(*), coalesce(max(seq), 0) FROM staged").fetchone()
        if n != top:  # never expected: batches are committed in order
            raise DocgapError(f"{self.path.name} is inconsistent; delete it and scan again")
        return n

    def first_seq(self, note_id: str, seq: int) -> int:
        row = self.db.execute("SELECT seq FROM ids WHERE note_id = ?", (note_id,)).fetchone()
        if row is None:
            self.db.execute("INSERT INTO ids VALUES (?, ?)", (note_id, seq))
            return seq
        return row[0]

    def commit_batch(self, rows, records: dict[int, Record]) -> None:
        self.db.executemany("INSERT INTO staged VALUES (?, ?, ?, ?)",
                            [(seq, kind, records[seq].patient_id if kind == "ok" else None, blob)
                             for seq, kind, blob, _ in rows])
        sess = []
        for seq, kind, _, proc in rows:
            rec = records.pop(seq)
            if kind == "ok" and is_session(rec, Facts(procedure=proc)):
                sess.append((rec.patient_id, rec.date_of_service, rec.note_id, proc))
        self.db.executemany("INSERT INTO sessions (patient_id, date_of_service, note_id, procedure) "
                            "VALUES (?, ?, ?, ?)", sess)
        self.db.commit()

    def load_history(self, rows: Iterable[dict]) -> None:
        if self.meta.get("history_loaded"):
            return
        self.db.executemany("INSERT INTO sessions (patient_id, date_of_service, note_id, procedure) "
                            "VALUES (?, ?, ?, ?)",
                            ((pid, s.date_of_service, s.note_id, s.facts.procedure)
                             for pid, s in history_sessions(rows)))
        self.db.execute("INSERT INTO meta VALUES ('history_loaded', '1')")
        self.db.commit()

    def staged(self) -> Iterator[tuple[int, str, str | None, bytes]]:
        cur = self.db.cursor()
        cur.execute("SELECT seq, kind, patient_id, blob FROM staged ORDER BY seq")
        while True:
            rows = cur.fetchmany(512)
            if not rows:
                return
            yield from rows

    def sessions(self, patient_id: str) -> list[tuple[str, str, str | None]]:
        return self.db.execute("SELECT note_id, date_of_service, procedure FROM sessions WHERE patient_id = ? "
                               "ORDER BY ord", (patient_id,)).fetchall()

    def close(self, delete: bool) -> None:
        self.db.close()
        if delete:
            for p in (self.path, Path(str(self.path) + "-wal"), Path(str(self.path) + "-shm")):
                p.unlink(missing_ok=True)


class _Runner:
    """Runs batches in order, in-process (1 worker) or on a process pool with a bounded number in
    flight. A worker that dies (a segfault in a native component, the OOM killer) breaks the pool:
    it is restarted and the batches in flight are rerun one note at a time, so only the note that
    kills a worker becomes an error row (`crashed(item)`) and the scan goes on."""

    def __init__(self, opts: ScanOptions):
        self.workers = max(1, opts.workers)
        self.pool = None
        self.args = (opts.engine_args or {}, opts.note_timeout)
        if self.workers == 1:
            _init_worker(*self.args, None)
            signal.signal(signal.SIGINT, signal.default_int_handler)
        else:
            self._start()

    def _start(self) -> None:
        from concurrent.futures import ProcessPoolExecutor

        ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context()
        self.pool = ProcessPoolExecutor(self.workers, mp_context=ctx, initializer=_init_worker,
                                        initargs=(*self.args, os.getpid()))

    def map(self, fn: Callable, batches: Iterable[list], crashed: Callable[[Any], Any]) -> Iterator[list]:
        if self.pool is None:
            for b in batches:
                yield fn(b)
            return
        pending: deque = deque()
        for b in batches:
            pending.append((b, self.pool.submit(fn, b)))
            if len(pending) >= self.workers * 3:
                yield self._result(fn, pending, crashed)
        while pending:
            yield self._result(fn, pending, crashed)

    def _result(self, fn, pending: deque, crashed) -> list:
        from concurrent.futures.process import BrokenProcessPool

        batch, fut = pending.popleft()
        try:
            return fut.result()
        except BrokenProcessPool:
            log.warning("a worker process died; rerunning its batch note by note")
            self._restart()
            out = []
            for item in batch:
                try:
                    out.extend(self.pool.submit(fn, [item]).result())
                except BrokenProcessPool:
                    self._restart()
                    out.append(crashed(item))
            for i, (b, _) in enumerate(pending):  # the rest of the batches in flight died with it
                pending[i] = (b, self.pool.submit(fn, b))
            return out

    def _restart(self) -> None:
        self.close(terminate=True)
        self._start()

    def close(self, terminate: bool = False) -> None:
        if self.pool is None:
            return
        if terminate:
            procs = list((getattr(self.pool, "_processes", None) or {}).values())
            self.pool.shutdown(wait=False, cancel_futures=True)
            for p in procs:
                if p.is_alive():
                    p.kill()
            for p in procs:
                p.join()
        else:
            self.pool.shutdown(wait=True)
        self.pool = None


def _extract_crashed(item: tuple[int, Record | dict]) -> tuple[int, str, bytes, None]:
    seq, rec = item
    nid = rec["note_id"] if isinstance(rec, dict) else rec.note_id
    return (seq, "error", json.dumps(error_result(nid, "worker_crashed", "the worker process died on this note"))
            .encode(), None)


def _rules_crashed(item: tuple[bytes, list]) -> dict:
    rec, _ = pickle.loads(item[0])
    return error_result(rec.note_id, "worker_crashed", "the worker process died on this note")


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    batch = []
    for x in items:
        batch.append(x)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def fingerprint(input_path: str | Path, opts: ScanOptions) -> dict:
    p = Path(input_path)
    st = p.stat()
    return {"input": str(p.resolve()), "size": st.st_size, "mtime": st.st_mtime_ns,
            "engine": opts.engine_args or {}, "history": opts.history}


def run_scan(raws: Iterable[dict | Record], output: str | Path, write: Callable[[dict], None],
             opts: ScanOptions, fp: dict, progress=None, history_rows: Iterable[dict] | None = None) -> int:
    """Scan `raws` (a stream) and call `write` with every result, in input order. Returns the count.

    The caller opens the writer; on an exception (Ctrl-C, SIGTERM) the state file keeps the
    extracted prefix for --resume.
    """
    state = StateDB(state_path(output), fp, opts.resume)
    runner = None
    ok = False
    try:
        done = state.staged_prefix()
        if history_rows is not None:
            state.load_history(history_rows)
        if progress:
            progress.start("extracting", done)
        records: dict[int, Record] = {}

        def to_items():
            for seq, raw in enumerate(raws, 1):
                if seq <= done:
                    continue
                rec = raw if isinstance(raw, Record) else make_record(raw, seq)
                first = state.first_seq(rec.note_id, seq)
                if rec.error is None and first != seq:
                    rec.error = ("duplicate_note_id", "note_id appears earlier in this input")
                records[seq] = rec
                yield (seq, error_result(rec.note_id, *rec.error) if rec.error else rec)

        items = to_items()
        first = next(items, None)  # a bad file header fails here, before any worker starts
        runner = _Runner(opts)
        chained = itertools.chain([first], items) if first is not None else iter(())
        for rows in runner.map(extract_batch, _chunks(chained, opts.batch_size), _extract_crashed):
            state.commit_batch(rows, records)
            if progress:
                progress.update(len(rows))
        total = state.staged_prefix()
        if progress:
            progress.start("applying rules", 0, total)

        def rule_items():
            for seq, kind, pid, blob in state.staged():
                if kind == "error":
                    yield ("error", blob)
                else:
                    yield ("ok", (blob, state.sessions(pid) if pid else []))

        n = 0
        for batch in _ordered_rules(runner, _chunks(rule_items(), opts.batch_size * 4)):
            for res in batch:
                write(res)
                n += 1
            if progress:
                progress.update(len(batch))
        ok = True
        return n
    finally:
        if runner is not None:
            runner.close(terminate=not ok)
        # keep the state only when it holds work to resume
        state.close(delete=ok or state.staged_prefix() == 0)


def _ordered_rules(runner: _Runner, batches: Iterable[list]) -> Iterator[list[dict]]:
    """Error rows pass through; the rest go to the workers; the output keeps the batch's order."""
    for batch, results in _rules_map(runner, batches):
        it = iter(results)
        yield [json.loads(x) if kind == "error" else next(it) for kind, x in batch]


def _rules_map(runner: _Runner, batches: Iterable[list]) -> Iterator[tuple[list, list[dict]]]:
    held: deque = deque()

    def feed():
        for batch in batches:
            held.append(batch)
            yield [x for kind, x in batch if kind == "ok"]

    for results in runner.map(rules_batch, feed(), _rules_crashed):
        yield held.popleft(), results
