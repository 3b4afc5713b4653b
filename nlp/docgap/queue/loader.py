"""Loading scan results (with their notes) into the queue.

Idempotent: the same result for the same note text loads once. A new text for a known note_id is a
provider amendment: a new note version is kept beside the old one, the old version's open findings
become `superseded` and the new result's findings open. A re-scan of an unchanged note with different
findings (new rules, new lexicons) replaces the open findings but keeps the reviewers' decisions on
findings of the same rule and evidence."""
from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from typing import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..engine import make_record
from .audit import audit
from .models import Encounter, Finding, NoteVersion, Result
from .store import Store
from .workflow import refresh_encounter

log = logging.getLogger("docgap.queue")
SETTLED = ("dismissed", "accepted", "resolved")


@dataclass
class LoadReport:
    new_encounters: int = 0
    amended: int = 0
    new_results: int = 0
    unchanged: int = 0
    skipped_errors: int = 0
    missing_notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        s = (f"{self.new_encounters} new encounters, {self.amended} amended notes, {self.new_results} new results, "
             f"{self.unchanged} unchanged, {self.skipped_errors} error rows skipped")
        if self.missing_notes:
            s += f", {len(self.missing_notes)} results without their note (not loaded)"
        return s


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _opt_str(value) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    return str(value).strip() or None


def _claim(raw: dict) -> tuple[list | None, list | None]:
    """Claim lines and diagnoses parsed as `docgap scan` parses them (a bad claim leaves them empty)."""
    rec = make_record(raw, 0)
    billed = [{"code": b.code, "units": b.units, "modifiers": list(b.modifiers)} for b in rec.billed or []] or None
    return billed, rec.diagnoses


def _finding_key(rule: str, evidence: list) -> tuple:
    return rule, tuple((e.get("start"), e.get("end")) for e in evidence or [])


def load_results(store: Store, results: Iterable[dict], notes: dict[str, dict], username: str = "loader") -> LoadReport:
    """`notes` maps note_id to its input record (text and claim fields; an optional `provider` column)."""
    rep = LoadReport()
    with store.session() as s:
        for n, res in enumerate(results, 1):
            if res.get("status") != "ok":
                rep.skipped_errors += 1
                continue
            raw = notes.get(res.get("note_id"))
            if raw is None or not isinstance(raw.get("text"), str):
                rep.missing_notes.append(str(res.get("note_id")))
                continue
            _load_one(s, res, raw, rep, username)
            if n % 500 == 0:
                s.commit()
        s.commit()
    log.info("queue load: %s", rep.summary())
    return rep


def _load_one(s: Session, res: dict, raw: dict, rep: LoadReport, username: str) -> None:
    note_id, text = res["note_id"], raw["text"]
    digest = sha256(text)
    enc = s.scalars(select(Encounter).where(Encounter.note_id == note_id)).first()
    billed, dx = _claim(raw)
    meta = {"patient_id": _opt_str(raw.get("patient_id")), "date_of_service": (_opt_str(raw.get("date_of_service")) or "")[:10] or None,
            "payer": _opt_str(raw.get("payer")), "provider": _opt_str(raw.get("provider")),
            "payer_profile": res.get("payer_profile"), "billed": billed, "diagnoses": dx}
    if enc is None:
        enc = Encounter(note_id=note_id, status="open", active=True, **meta)
        s.add(enc)
        s.flush()
        rep.new_encounters += 1
        audit(s, None, "encounter_created", enc.id, username=username, after={"note_id": note_id})
    version = s.scalars(select(NoteVersion).where(NoteVersion.encounter_id == enc.id,
                                                  NoteVersion.text_sha256 == digest)).first()
    amended = False
    if version is None:
        number = (s.scalar(select(func.max(NoteVersion.number)).where(NoteVersion.encounter_id == enc.id)) or 0) + 1
        version = NoteVersion(encounter_id=enc.id, number=number, text=text, text_sha256=digest)
        s.add(version)
        s.flush()
        if number > 1:
            amended = True
            rep.amended += 1
            audit(s, None, "note_amended", enc.id, username=username,
                  before={"version": number - 1}, after={"version": number, "text_sha256": digest[:16]})
    res_digest = sha256(json.dumps(res, sort_keys=True, ensure_ascii=False))
    if s.scalars(select(Result.id).where(Result.version_id == version.id, Result.result_sha256 == res_digest)).first():
        rep.unchanged += 1
        return
    result = Result(encounter_id=enc.id, version_id=version.id, result_sha256=res_digest, status=res["status"],
                    payer_profile=res.get("payer_profile"), data=res)
    s.add(result)
    s.flush()
    rep.new_results += 1
    # decisions made on this same note text carry over to the same finding in the new result
    carried = {}
    for old in s.scalars(select(Finding).where(Finding.encounter_id == enc.id, Finding.version_id == version.id)):
        if old.status in SETTLED:
            carried[_finding_key(old.rule, old.evidence)] = old
    superseded = 0
    for old in s.scalars(select(Finding).where(Finding.encounter_id == enc.id, Finding.status == "open",
                                               Finding.result_id != result.id)):
        old.status = "superseded"
        superseded += 1
    new_count = 0
    for i, f in enumerate(res.get("findings") or []):
        row = Finding(encounter_id=enc.id, result_id=result.id, version_id=version.id, position=i, rule=f["rule"],
                      category=f.get("category", ""), severity=f["severity"], message=f.get("message", ""),
                      evidence=f.get("evidence") or [], policy=f.get("policy"), query=f.get("query"),
                      searched=f.get("searched"), status="open")
        prev = carried.get(_finding_key(row.rule, row.evidence))
        if prev is not None:
            row.status, row.reason, row.decided_by, row.decided_at = prev.status, prev.reason, prev.decided_by, prev.decided_at
            prev.status = "superseded"
        s.add(row)
        new_count += 1
    before_status = enc.status
    for k, v in meta.items():
        setattr(enc, k, v)
    enc.current_version_id = version.id
    s.flush()
    refresh_encounter(s, enc)
    if enc.status != "released" or amended:
        if enc.open_findings:
            enc.set_status("query_sent" if enc.status == "query_sent" else "open")
        elif not res.get("findings") and enc.status in ("open", "no_findings") and version.number == 1:
            enc.set_status("no_findings")
        elif enc.status in ("released", "no_findings"):
            enc.set_status("open")
    audit(s, None, "result_loaded", enc.id, username=username,
          before={"status": before_status, "superseded_findings": superseded},
          after={"status": enc.status, "version": version.number, "findings": new_count,
                 "payer_profile": res.get("payer_profile")})


def read_notes(path) -> dict[str, dict]:
    """Input records by note_id (same readers as `docgap scan`); records without a note_id are ignored."""
    from ..engine import Record
    from ..io import read_records

    out = {}
    for raw in read_records(path):
        if isinstance(raw, Record):
            continue
        nid = _opt_str(raw.get("note_id"))
        if nid:
            out[nid] = raw
    return out
