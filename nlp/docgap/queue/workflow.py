"""Reviewer decisions on encounters and findings. Each one changes state, records a Decision and writes
an audit entry with the state before and after; rules of the workflow raise WorkflowError."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .audit import audit, decide
from .fees import risk_cents
from .models import (NONE_RANK, SEVERITY_RANK, Encounter, Finding, ProviderQuery, Result, User, utcnow)

MAX_TEXT = 10_000


class WorkflowError(ValueError):
    """A decision the workflow does not allow (shown to the reviewer as is)."""


def current_result(s: Session, enc: Encounter) -> Result | None:
    return s.scalars(select(Result).where(Result.encounter_id == enc.id).order_by(Result.id.desc()).limit(1)).first()


def refresh_encounter(s: Session, enc: Encounter) -> None:
    """Recompute the worklist sort keys from the open findings."""
    s.flush()
    sevs = set(s.scalars(select(Finding.severity).where(Finding.encounter_id == enc.id, Finding.status == "open")))
    enc.open_findings = s.scalar(select(func.count()).select_from(Finding)
                                 .where(Finding.encounter_id == enc.id, Finding.status == "open")) or 0
    enc.worst_rank = min((SEVERITY_RANK[x] for x in sevs), default=NONE_RANK)
    res = current_result(s, enc)
    suggested = (res.data.get("suggested_codes") if res else None) or []
    enc.risk_cents = risk_cents(enc.billed, suggested, sevs)
    enc.neg_risk_cents = -enc.risk_cents
    enc.updated_at = utcnow()


def _state(f: Finding) -> dict:
    return {"status": f.status, "reason": f.reason}


def _clean(text: str | None, what: str, required: bool = True) -> str | None:
    text = (text or "").strip()
    if required and not text:
        raise WorkflowError(f"{what} is required")
    if len(text) > MAX_TEXT:
        raise WorkflowError(f"{what} is longer than {MAX_TEXT} characters")
    return text or None


def _open_finding(s: Session, enc: Encounter, finding_id: int) -> Finding:
    f = s.get(Finding, finding_id)
    if f is None or f.encounter_id != enc.id:
        raise WorkflowError("no such finding on this encounter")
    if f.status != "open":
        raise WorkflowError(f"this finding is already {f.status}")
    return f


def _not_released(enc: Encounter) -> None:
    if enc.status == "released":
        raise WorkflowError("this encounter was already released to billing")


def assign(s: Session, user: User, enc: Encounter, assignee: User | None = None) -> None:
    assignee = assignee or user
    before = {"assignee": enc.assignee.username if enc.assignee else None}
    enc.assignee_id = assignee.id
    enc.assignee = assignee
    decide(s, user, "assign", enc.id, note=assignee.username)
    audit(s, user, "assign", enc.id, before=before, after={"assignee": assignee.username})


def dismiss(s: Session, user: User, enc: Encounter, finding_id: int, reason: str | None) -> Finding:
    _not_released(enc)
    f = _open_finding(s, enc, finding_id)
    reason = _clean(reason, "a reason for dismissing")
    before = _state(f)
    f.status, f.reason, f.decided_by, f.decided_at = "dismissed", reason, user.id, utcnow()
    decide(s, user, "dismiss", enc.id, f.id, reason)
    audit(s, user, "dismiss_finding", enc.id, f.id, before, {**_state(f), "rule": f.rule})
    refresh_encounter(s, enc)
    return f


def accept(s: Session, user: User, enc: Encounter, finding_id: int) -> Finding:
    """Accept the suggested correction: the finding is settled and, for a coding finding, the codes the
    documentation supports become the encounter's corrected codes."""
    _not_released(enc)
    f = _open_finding(s, enc, finding_id)
    before = {**_state(f), "corrected_codes": enc.corrected_codes}
    f.status, f.reason, f.decided_by, f.decided_at = "accepted", "suggested correction accepted", user.id, utcnow()
    if f.category == "coding":
        res = current_result(s, enc)
        enc.corrected_codes = (res.data.get("suggested_codes") if res else None) or []
    decide(s, user, "accept", enc.id, f.id)
    audit(s, user, "accept_correction", enc.id, f.id, before,
          {**_state(f), "rule": f.rule, "corrected_codes": enc.corrected_codes})
    refresh_encounter(s, enc)
    return f


def send_query(s: Session, user: User, enc: Encounter, text: str | None, finding_id: int | None = None) -> ProviderQuery:
    _not_released(enc)
    text = _clean(text, "the query text")
    if finding_id is not None:
        _open_finding(s, enc, finding_id)
    q = ProviderQuery(encounter_id=enc.id, finding_id=finding_id, provider=enc.provider, text=text,
                      status="sent", sent_by=user.id, sent_at=utcnow())
    s.add(q)
    s.flush()
    before = {"status": enc.status}
    enc.set_status("query_sent")
    decide(s, user, "send_query", enc.id, finding_id, text)
    audit(s, user, "send_query", enc.id, finding_id, before,
          {"status": enc.status, "query_id": q.id, "query": text, "sent_at": q.sent_at.isoformat(timespec="seconds")})
    return q


def record_response(s: Session, user: User, enc: Encounter, query_id: int, response: str | None,
                    resolves: bool = False) -> ProviderQuery:
    q = s.get(ProviderQuery, query_id)
    if q is None or q.encounter_id != enc.id:
        raise WorkflowError("no such query on this encounter")
    if q.status == "answered":
        raise WorkflowError("this query already has a response")
    response = _clean(response, "the provider's response")
    before = {"query_status": q.status, "encounter_status": enc.status}
    q.status, q.response, q.response_at, q.response_by = "answered", response, utcnow(), user.id
    after = {"query_id": q.id, "query_status": q.status, "response": response}
    if resolves and q.finding_id is not None:
        f = s.get(Finding, q.finding_id)
        if f is not None and f.status == "open":
            before["finding_status"] = f.status
            f.status, f.reason, f.decided_by, f.decided_at = "resolved", "provider's response", user.id, utcnow()
            after["finding_status"] = f.status
    s.flush()
    outstanding = s.scalar(select(func.count()).select_from(ProviderQuery)
                           .where(ProviderQuery.encounter_id == enc.id, ProviderQuery.status == "sent"))
    if enc.status == "query_sent" and not outstanding:
        enc.set_status("open")
    after["encounter_status"] = enc.status
    decide(s, user, "record_response", enc.id, q.finding_id, response)
    audit(s, user, "record_response", enc.id, q.finding_id, before, after)
    refresh_encounter(s, enc)
    return q


def release(s: Session, user: User, enc: Encounter) -> None:
    _not_released(enc)
    holds = s.scalar(select(func.count()).select_from(Finding).where(
        Finding.encounter_id == enc.id, Finding.status == "open", Finding.severity == "hold"))
    if holds:
        raise WorkflowError(f"{holds} hold finding(s) still open: dismiss, accept or resolve them first")
    before = {"status": enc.status}
    enc.set_status("released")
    enc.updated_at = utcnow()
    decide(s, user, "release", enc.id)
    audit(s, user, "release", enc.id, before=before,
          after={"status": enc.status, "codes": enc.corrected_codes if enc.corrected_codes is not None else enc.billed})
