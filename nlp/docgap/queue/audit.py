"""Writing the audit log and the reviewers' decisions. Entries never carry note text."""
from __future__ import annotations

from sqlalchemy.orm import Session

from .models import AuditEntry, Decision, User


def audit(s: Session, user: User | None, action: str, encounter_id: int | None = None,
          finding_id: int | None = None, before: dict | None = None, after: dict | None = None,
          username: str | None = None) -> AuditEntry:
    entry = AuditEntry(user_id=user.id if user else None, username=user.username if user else (username or "system"),
                       action=action, encounter_id=encounter_id, finding_id=finding_id, before=before, after=after)
    s.add(entry)
    return entry


def decide(s: Session, user: User, kind: str, encounter_id: int, finding_id: int | None = None,
           note: str | None = None) -> Decision:
    d = Decision(user_id=user.id, kind=kind, encounter_id=encounter_id, finding_id=finding_id, note=note)
    s.add(d)
    return d
