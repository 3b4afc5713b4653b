"""One record -> one contract result. Batch scans run extraction per record, then rules per record
with the patient's other sessions (frequency rules need every session of a patient)."""
from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Iterable, Iterator

from .codes import suggest_codes
from .errors import RecordError
from .extract import extract_facts, facts_from_view, join_views, view_of
from .facts import Facts
from .lexicon import Lexicons
from .pipeline import default_pipeline
from .profiles import ProfileSet
from .rules import ClaimLine, RuleContext, Session, run_rules
from .textprep import clean_for_nlp

log = logging.getLogger("docgap")
MAX_CHARS = 2_000_000
CHUNK_CHARS = 20_000


def _chunks(text: str, size: int):
    start = 0
    while start < len(text):
        end = min(len(text), start + size)
        if end < len(text):
            cut = text.rfind("\n", start + size // 2, end)
            end = cut + 1 if cut != -1 else end
        yield start, end
        start = end
BILLED_ITEM = re.compile(r"^\s*([A-Za-z0-9]{4,6})((?:-[A-Za-z0-9]{2})*)\s*(?:[xX*]\s*(\d+))?\s*$")


@dataclass
class Record:
    note_id: str
    text: str
    patient_id: str | None = None
    date_of_service: str | None = None
    payer: str | None = None
    billed: list[ClaimLine] | None = None
    diagnoses: list[str] | None = None
    error: tuple[str, str] | None = None  # set when the raw record is unusable
    extra: dict = field(default_factory=dict)


def _parse_billed(value: Any) -> list[ClaimLine] | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, str):
        if not value.strip():
            return None
        if value.strip().startswith("["):
            import json

            return _parse_billed(json.loads(value))
        lines = []
        for item in value.split(";"):
            if not item.strip():
                continue
            m = BILLED_ITEM.match(item)
            if not m:
                raise RecordError(f"billed item {item.strip()[:20]!r} is not CODE[-MOD]xUNITS")
            mods = tuple(x for x in m.group(2).split("-") if x)
            lines.append(ClaimLine(m.group(1).upper(), int(m.group(3) or 1), mods))
        return lines
    if hasattr(value, "tolist"):
        value = value.tolist()
    if not isinstance(value, (list, tuple)):
        raise RecordError("billed must be a list of {code, units, modifiers}")
    lines = []
    for b in value:
        if not isinstance(b, dict) or not b.get("code"):
            raise RecordError("each billed line needs a code")
        units = b.get("units", 1)
        try:
            units = int(units if units is not None else 1)
        except (TypeError, ValueError):
            raise RecordError(f"billed units for {b.get('code')} must be an integer") from None
        mods = b.get("modifiers")
        if hasattr(mods, "tolist"):
            mods = mods.tolist()  # a Parquet list column arrives as a numpy array ("array or []" would raise)
        if mods is None or (isinstance(mods, float) and mods != mods):
            mods = []
        elif isinstance(mods, str):
            mods = [m for m in re.split(r"[\s,;-]+", mods) if m]
        lines.append(ClaimLine(str(b["code"]).upper().strip(), units, tuple(str(m) for m in mods)))
    return lines


def _parse_diagnoses(value: Any) -> list[str] | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, str):
        return [d.strip() for d in value.split(";") if d.strip()] or None
    if hasattr(value, "tolist"):
        value = value.tolist()
    return [str(d).strip() for d in value if str(d).strip()] or None


def _opt_str(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    s = str(value).strip()
    return s or None


def make_record(raw: dict, row: int) -> Record:
    """Validate one raw input mapping; problems become an error Record, never an exception."""
    nid = _opt_str(raw.get("note_id"))
    rec = Record(note_id=nid or f"row-{row}", text="")
    try:
        if not nid:
            raise RecordError("note_id is required")
        text = raw.get("text")
        if text is None or (isinstance(text, float) and text != text):
            raise RecordError("text is required")
        if not isinstance(text, str):
            raise RecordError(f"text must be a string, got {type(text).__name__}")
        if not text.strip():
            raise RecordError("note text is empty")
        if len(text) > MAX_CHARS:
            raise RecordError(f"note is {len(text)} characters; the limit is {MAX_CHARS}")
        rec.text = text
        rec.patient_id = _opt_str(raw.get("patient_id"))
        dos = _opt_str(raw.get("date_of_service"))
        if dos:
            dos = dos[:10]
            try:
                date.fromisoformat(dos)
            except ValueError:
                raise RecordError("date_of_service must be YYYY-MM-DD") from None
        rec.date_of_service = dos
        rec.payer = _opt_str(raw.get("payer"))
        rec.billed = _parse_billed(raw.get("billed"))
        rec.diagnoses = _parse_diagnoses(raw.get("diagnoses"))
    except RecordError as e:
        rec.error = ("invalid_record", e.message)
    except Exception as e:  # noqa: BLE001  (a malformed field must not stop the batch)
        rec.error = ("invalid_record", f"{type(e).__name__} while reading the record")
    return rec


def error_result(note_id: str, etype: str, message: str) -> dict:
    return {"note_id": note_id, "status": "error", "error": {"type": etype, "message": message},
            "payer_profile": None, "facts": None, "suggested_codes": [], "findings": []}


class Engine:
    def __init__(self, profiles: ProfileSet | None = None, payer_override: str | None = None,
                 splitter: str = "docgap", lexicon_dir: str | None = None, policies: str | None = None):
        """policies: a folder of extra profiles, when `profiles` is not given (picklable worker settings)."""
        self.nlp, self.lex = default_pipeline(splitter, lexicon_dir)
        self.profiles = profiles or (ProfileSet(extra_dir=policies) if policies else ProfileSet())
        self.payer_override = payer_override
        if payer_override:
            self.profiles.get(payer_override)  # fail fast on an unknown profile

    def profile_for(self, payer: str | None):
        if self.payer_override:
            return self.profiles.get(self.payer_override)
        return self.profiles.for_payer(payer)

    def extract(self, rec: Record) -> Facts:
        text = clean_for_nlp(rec.text)
        if len(text) <= CHUNK_CHARS:
            return extract_facts(self.nlp(text), self.lex, rec.date_of_service, text)
        # ConText compares every modifier with every target of a Doc (quadratic): very long notes are
        # processed in line-aligned chunks whose views are joined with their offsets restored.
        views = []
        for start, end in _chunks(text, CHUNK_CHARS):
            chunk = text[start:end]
            views.append((start, view_of(self.nlp(chunk), text=chunk)))
        return facts_from_view(join_views(rec.text, views, rec.date_of_service), self.lex)

    def evaluate(self, rec: Record, facts: Facts, history: list[Session]) -> dict:
        profile = self.profile_for(rec.payer)
        if history and facts.procedure and any(
                s.date_of_service and rec.date_of_service and s.date_of_service < rec.date_of_service
                for s in history):
            facts.is_repeat = True
            if facts.prior_response is None:
                facts.prior_response = facts.latent_prior_response
        suggested = suggest_codes(facts, self.lex, rec.date_of_service)
        ctx = RuleContext(facts, profile, self.lex, suggested, rec.billed, rec.diagnoses, rec.date_of_service,
                          history, rec.note_id)
        findings = run_rules(ctx)
        return {"note_id": rec.note_id, "status": "ok", "error": None, "payer_profile": profile.name,
                "facts": facts.to_dict(), "suggested_codes": suggested,
                "findings": [f.to_dict() for f in findings]}

    def extract_or_error(self, rec: Record) -> tuple[Facts | None, dict | None]:
        """Facts, or the error row when extraction throws; one bad note never stops the batch."""
        try:
            _inject_fault(rec)
            return self.extract(rec), None
        except NoteTimeout as e:
            log.warning("note %s: over the per-note time limit", rec.note_id)
            return None, error_result(rec.note_id, "timeout", str(e))
        except Exception as e:  # noqa: BLE001
            log.warning("note %s: extraction failed (%s)", rec.note_id, type(e).__name__)
            return None, error_result(rec.note_id, "extraction_failed", type(e).__name__)

    def result(self, rec: Record, facts: Facts, sessions: Iterable[Session]) -> dict:
        """Rules for one extracted record, given the sessions of its patient (this run and history)."""
        hist = history_for(rec, sessions)
        try:
            out = self.evaluate(rec, facts, hist)
        except Exception as e:  # noqa: BLE001
            log.warning("note %s: rules failed (%s)", rec.note_id, type(e).__name__)
            out = error_result(rec.note_id, "rules_failed", type(e).__name__)
        if rec.patient_id:
            out["patient_id"] = rec.patient_id
        if rec.date_of_service:
            out["date_of_service"] = rec.date_of_service
        return out

    def scan(self, raws: Iterable[dict], history: list[dict] | None = None) -> Iterator[dict]:
        """Results in input order, one per raw record, all in memory (the library and `eval` path; the
        CLI streams through docgap.batch). Extraction first, then rules with each patient's sessions
        from this run and from `history` (earlier results)."""
        staged: list[tuple[Record, Facts | None, dict | None]] = []
        seen: set[str] = set()
        sessions: dict[str, list[Session]] = {}
        for s in history_sessions(history or []):
            sessions.setdefault(s[0], []).append(s[1])
        for i, raw in enumerate(raws, 1):
            rec = raw if isinstance(raw, Record) else make_record(raw, i)
            if rec.error is None and rec.note_id in seen:
                rec.error = ("duplicate_note_id", "note_id appears earlier in this input")
            seen.add(rec.note_id)
            if rec.error:
                staged.append((rec, None, error_result(rec.note_id, *rec.error)))
                continue
            facts, err = self.extract_or_error(rec)
            staged.append((rec, facts, err))
            if err is None and is_session(rec, facts):
                sessions.setdefault(rec.patient_id, []).append(Session(rec.note_id, rec.date_of_service, facts))
        for rec, facts, err in staged:
            if err is not None:
                yield err
                continue
            yield self.result(rec, facts, sessions.get(rec.patient_id, []) if rec.patient_id else [])


class NoteTimeout(Exception):
    """Raised inside a worker when one note exceeds --note-timeout."""


def is_session(rec: Record, facts: Facts) -> bool:
    """A record that counts as a session of its patient for the frequency rules."""
    return bool(rec.patient_id and rec.date_of_service and facts.procedure)


def history_sessions(history: Iterable[dict]) -> Iterator[tuple[str, Session]]:
    """(patient_id, Session) for every usable row of an earlier results file."""
    for h in history:
        if h.get("status") == "ok" and h.get("patient_id") and h.get("date_of_service") and h.get("facts"):
            yield h["patient_id"], Session(h["note_id"], h["date_of_service"], Facts.from_dict(h["facts"]))


def history_for(rec: Record, sessions: Iterable[Session]) -> list[Session]:
    """The patient's other sessions up to this date of service (same-day ones ordered by note_id)."""
    if not (rec.patient_id and rec.date_of_service):
        return []
    hist = [s for s in sessions if s.note_id != rec.note_id and s.date_of_service <= rec.date_of_service]
    return [s for s in hist if s.date_of_service < rec.date_of_service or s.note_id < rec.note_id]


def _inject_fault(rec: Record) -> None:
    # Test hooks, unset in normal runs: DOCGAP_TEST_FAIL_NOTES=id1,id2 makes extraction throw for those
    # notes; DOCGAP_TEST_CRASH_NOTES=id kills the worker process on that note (as a segfault would).
    # They let tests check error isolation through real worker processes.
    ids = os.environ.get("DOCGAP_TEST_FAIL_NOTES")
    if ids and rec.note_id in ids.split(","):
        raise RuntimeError("injected test fault")
    ids = os.environ.get("DOCGAP_TEST_CRASH_NOTES")
    if ids and rec.note_id in ids.split(","):
        import signal

        os.kill(os.getpid(), signal.SIGKILL)
