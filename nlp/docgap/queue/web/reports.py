"""Audit log, exports (CSV), printable provider queries and the CDI lead's dashboard."""
from __future__ import annotations

import csv
import io
import json

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..dashboards import findings_over_time, hold_rate_by_provider, query_stats
from ..models import AuditEntry, Encounter, ProviderQuery, User
from ..svg import hbar, stacked_columns
from ..worklist import FilterError, Filters, worklist_csv
from .app import render
from .deps import current_user, db

router = APIRouter()
AUDIT_PAGE = 100


@router.get("/audit")
def audit_log(request: Request, before: int | None = None, encounter: int | None = None,
              user: User = Depends(current_user), s: Session = Depends(db)):
    q = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(AUDIT_PAGE)
    if before:
        q = q.where(AuditEntry.id < before)
    if encounter:
        q = q.where(AuditEntry.encounter_id == encounter)
    rows = list(s.scalars(q))
    notes = dict(s.execute(select(Encounter.id, Encounter.note_id).where(
        Encounter.id.in_({r.encounter_id for r in rows if r.encounter_id}))).all())
    return render(request, "audit.html", {"user": user, "rows": rows, "notes": notes, "encounter": encounter,
                                          "next_before": rows[-1].id if len(rows) == AUDIT_PAGE else None})


def _csv_response(chunks, filename: str) -> StreamingResponse:
    return StreamingResponse(chunks, media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@router.get("/export/worklist.csv")
def export_worklist(request: Request, user: User = Depends(current_user), s: Session = Depends(db)):
    try:
        f = Filters.from_params(request.query_params)
    except FilterError as e:
        return render(request, "error.html", {"user": user, "message": str(e)}, status_code=400)
    rows = list(worklist_csv(s, f))  # materialised while the session is open
    return _csv_response(iter(rows), "worklist.csv")


@router.get("/export/audit.csv")
def export_audit(user: User = Depends(current_user), s: Session = Depends(db)):
    notes = dict(s.execute(select(Encounter.id, Encounter.note_id)).all())
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["id", "at", "user", "action", "note_id", "finding_id", "before", "after"])
    for e in s.scalars(select(AuditEntry).order_by(AuditEntry.id)):
        w.writerow([e.id, e.at.isoformat(timespec="seconds"), e.username, e.action, notes.get(e.encounter_id, ""),
                    e.finding_id or "", json.dumps(e.before, sort_keys=True) if e.before is not None else "",
                    json.dumps(e.after, sort_keys=True) if e.after is not None else ""])
    return _csv_response(iter([buf.getvalue()]), "audit_log.csv")


@router.get("/queries/print")
def queries_print(request: Request, status: str = "sent", user: User = Depends(current_user), s: Session = Depends(db)):
    q = select(ProviderQuery, Encounter).join(Encounter, Encounter.id == ProviderQuery.encounter_id)
    if status in ("sent", "answered"):
        q = q.where(ProviderQuery.status == status)
    rows = s.execute(q.order_by(Encounter.provider, ProviderQuery.sent_at)).all()
    users = {u.id: u.username for u in s.scalars(select(User))}
    return render(request, "queries_print.html", {"user": user, "rows": rows, "status": status, "users": users})


@router.get("/dashboard")
def dashboard(request: Request, payer: str | None = None, user: User = Depends(current_user), s: Session = Depends(db)):
    over = findings_over_time(s, payer or None)
    holds = hold_rate_by_provider(s)
    qs = query_stats(s)
    return render(request, "dashboard.html", {
        "user": user, "payer": payer, "over": over, "holds": holds, "qs": qs,
        "chart_months": stacked_columns(over["months"], over["series"]),
        "chart_holds": hbar([(h["provider"], 100 * h["rate"]) for h in holds], unit="%"),
        "all_payers": [p for p in s.scalars(select(Encounter.payer).distinct().order_by(Encounter.payer)) if p]})
