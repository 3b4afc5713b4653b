"""The worklist query: filters, worst-first order and keyset paging (fast at any depth: each page
seeks the (worst_rank, -risk, id) index past the previous page's last row instead of counting rows)."""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, fields
from typing import Iterator

from sqlalchemy import Select, and_, exists, func, select, tuple_
from sqlalchemy.orm import Session

from .models import ACTIVE_STATUSES, ENCOUNTER_STATUSES, NONE_RANK, SEVERITY_RANK, Encounter, Finding, User

PAGE_SIZE = 50
RANK_NAME = {v: k for k, v in SEVERITY_RANK.items()} | {NONE_RANK: "none"}
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class FilterError(ValueError):
    pass


@dataclass
class Filters:
    payer: str | None = None
    rule: str | None = None
    severity: str | None = None
    status: str | None = None  # None = the active statuses, "all" = every status
    assignee: str | None = None  # a username, or "none" for unassigned
    provider: str | None = None
    date_from: str | None = None
    date_to: str | None = None

    @classmethod
    def from_params(cls, params) -> "Filters":
        f = cls(**{k.name: (str(params.get(k.name)).strip() or None) if params.get(k.name) is not None else None
                   for k in fields(cls)})
        if f.severity and f.severity not in SEVERITY_RANK:
            raise FilterError(f"unknown severity {f.severity!r}")
        if f.status and f.status != "all" and f.status not in ENCOUNTER_STATUSES:
            raise FilterError(f"unknown status {f.status!r}")
        for d in (f.date_from, f.date_to):
            if d and not DATE.fullmatch(d):
                raise FilterError("dates are YYYY-MM-DD")
        return f

    def as_params(self, **override) -> dict:
        d = {k.name: getattr(self, k.name) for k in fields(self)} | override
        return {k: v for k, v in d.items() if v}


def apply_filters(q: Select, f: Filters, with_status: bool = True) -> Select:
    if with_status:
        if f.status is None:
            q = q.where(Encounter.active.is_(True))  # open or query_sent, through one index
        elif f.status != "all":
            q = q.where(Encounter.status == f.status)
    if f.payer:
        q = q.where(Encounter.payer == f.payer)
    if f.provider:
        q = q.where(Encounter.provider == f.provider)
    if f.severity:
        q = q.where(Encounter.worst_rank == SEVERITY_RANK[f.severity])
    if f.assignee == "none":
        q = q.where(Encounter.assignee_id.is_(None))
    elif f.assignee:
        q = q.where(Encounter.assignee_id == select(User.id).where(User.username == f.assignee).scalar_subquery())
    if f.date_from:
        q = q.where(Encounter.date_of_service >= f.date_from)
    if f.date_to:
        q = q.where(Encounter.date_of_service <= f.date_to)
    if f.rule:
        q = q.where(exists().where(Finding.encounter_id == Encounter.id, Finding.rule == f.rule,
                                   Finding.status == "open"))
    return q


def encode_cursor(enc: Encounter) -> str:
    return f"{enc.worst_rank}.{enc.neg_risk_cents}.{enc.id}"


def decode_cursor(cursor: str | None) -> tuple[int, int, int] | None:
    if not cursor:
        return None
    m = re.fullmatch(r"(\d+)\.(-?\d+)\.(\d+)", cursor)
    if not m:
        raise FilterError("bad page cursor")
    return int(m.group(1)), int(m.group(2)), int(m.group(3))


def page_query(f: Filters, after: tuple[int, int, int] | None = None, limit: int = PAGE_SIZE) -> Select:
    q = apply_filters(select(Encounter), f)
    if after:
        q = q.where(tuple_(Encounter.worst_rank, Encounter.neg_risk_cents, Encounter.id) > tuple_(*after))
    return q.order_by(Encounter.worst_rank, Encounter.neg_risk_cents, Encounter.id).limit(limit)


@dataclass
class Page:
    rows: list[Encounter]
    rules: dict[int, list[tuple[str, str]]]  # encounter id -> open (rule, severity)
    next_cursor: str | None


def fetch_page(s: Session, f: Filters, cursor: str | None = None, limit: int = PAGE_SIZE) -> Page:
    rows = list(s.scalars(page_query(f, decode_cursor(cursor), limit + 1)).unique())
    nxt = encode_cursor(rows[limit - 1]) if len(rows) > limit else None
    rows = rows[:limit]
    rules: dict[int, list[tuple[str, str]]] = {r.id: [] for r in rows}
    if rows:
        for eid, rule, sev in s.execute(select(Finding.encounter_id, Finding.rule, Finding.severity).where(
                Finding.encounter_id.in_(list(rules)), Finding.status == "open").order_by(Finding.position)):
            rules[eid].append((rule, sev))
    return Page(rows, rules, nxt)


def status_counts(s: Session, f: Filters) -> dict[str, int]:
    q = apply_filters(select(Encounter.status, func.count()).select_from(Encounter), f, with_status=False)
    got = dict(s.execute(q.group_by(Encounter.status)).all())
    return {st: got.get(st, 0) for st in ENCOUNTER_STATUSES}


def filter_choices(s: Session) -> dict[str, list[str]]:
    """Values for the filter drop-downs (distinct over indexed columns)."""
    return {
        "payer": [p for p in s.scalars(select(Encounter.payer).distinct().order_by(Encounter.payer)) if p],
        "provider": [p for p in s.scalars(select(Encounter.provider).distinct().order_by(Encounter.provider)) if p],
        "rule": list(s.scalars(select(Finding.rule).distinct().order_by(Finding.rule))),
        "assignee": list(s.scalars(select(User.username).where(User.active.is_(True)).order_by(User.username))),
    }


CSV_COLUMNS = ("note_id", "patient_id", "date_of_service", "payer", "provider", "status", "assignee",
               "worst_severity", "open_findings", "open_rules", "money_at_risk")


def worklist_csv(s: Session, f: Filters, batch: int = 1000) -> Iterator[str]:
    """The filtered worklist as CSV, streamed page by page."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(CSV_COLUMNS)
    cursor = None
    while True:
        page = fetch_page(s, f, cursor, batch)
        for e in page.rows:
            w.writerow([e.note_id, e.patient_id, e.date_of_service, e.payer, e.provider, e.status,
                        e.assignee.username if e.assignee else "", RANK_NAME[e.worst_rank], e.open_findings,
                        ";".join(r for r, _ in page.rules[e.id]), f"{e.risk_cents / 100:.2f}"])
        yield buf.getvalue()
        buf.seek(0)
        buf.truncate()
        if not page.next_cursor:
            return
        cursor = page.next_cursor
