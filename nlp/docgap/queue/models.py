"""The review queue's tables. The schema itself is created by the Alembic migrations in
migrations/versions; these models must match them (a test compares the two)."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (JSON, BigInteger, Boolean, DateTime, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Severity ranks sort the worklist: hold first, then review, then info; NONE_RANK = no open finding.
SEVERITY_RANK = {"hold": 0, "review": 1, "info": 2}
NONE_RANK = 3

# Encounter workflow. `open` has open findings and no query out; `query_sent` waits for the provider;
# `released` went to billing; `no_findings` never needed review.
ENCOUNTER_STATUSES = ("open", "query_sent", "released", "no_findings")
FINDING_STATUSES = ("open", "dismissed", "accepted", "resolved", "superseded")
ACTIVE_STATUSES = ("open", "query_sent")
ROLES = ("reviewer", "admin")


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default="reviewer")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Encounter(Base):
    """One encounter (one note_id). Its note may have several versions (provider amendments)."""

    __tablename__ = "encounters"

    def set_status(self, status: str) -> None:
        self.status = status
        self.active = status in ACTIVE_STATUSES

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    note_id: Mapped[str] = mapped_column(String(200), unique=True)
    patient_id: Mapped[str | None] = mapped_column(String(200))
    date_of_service: Mapped[str | None] = mapped_column(String(10))
    payer: Mapped[str | None] = mapped_column(String(120))
    payer_profile: Mapped[str | None] = mapped_column(String(80))
    provider: Mapped[str | None] = mapped_column(String(200))
    billed: Mapped[list | None] = mapped_column(JSON)
    diagnoses: Mapped[list | None] = mapped_column(JSON)
    corrected_codes: Mapped[list | None] = mapped_column(JSON)  # set when a reviewer accepts a correction
    status: Mapped[str] = mapped_column(String(16), default="open")
    active: Mapped[bool] = mapped_column(Boolean, default=True)  # status is open or query_sent: the default view
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # denormalised sort keys, refreshed whenever findings change (see store.refresh_encounter)
    worst_rank: Mapped[int] = mapped_column(Integer, default=NONE_RANK)
    risk_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    neg_risk_cents: Mapped[int] = mapped_column(BigInteger, default=0)  # -risk: one ascending index serves the sort
    open_findings: Mapped[int] = mapped_column(Integer, default=0)
    current_version_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    assignee: Mapped[User | None] = relationship(lazy="joined")
    versions: Mapped[list["NoteVersion"]] = relationship(back_populates="encounter", order_by="NoteVersion.number")

    __table_args__ = (
        Index("ix_encounters_order", "worst_rank", "neg_risk_cents", "id"),
        Index("ix_encounters_active_order", "active", "worst_rank", "neg_risk_cents", "id"),
        Index("ix_encounters_status_order", "status", "worst_rank", "neg_risk_cents", "id"),
        Index("ix_encounters_payer", "payer", "worst_rank", "neg_risk_cents", "id"),
        Index("ix_encounters_assignee", "assignee_id", "worst_rank", "neg_risk_cents", "id"),
        Index("ix_encounters_provider", "provider"),
        Index("ix_encounters_dos", "date_of_service"),
    )


class NoteVersion(Base):
    """One version of an encounter's note text; a new text hash for the same note_id is an amendment."""

    __tablename__ = "note_versions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    encounter_id: Mapped[int] = mapped_column(ForeignKey("encounters.id"))
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    text_sha256: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    encounter: Mapped[Encounter] = relationship(back_populates="versions")
    __table_args__ = (UniqueConstraint("encounter_id", "text_sha256", name="uq_note_versions_text"),
                      UniqueConstraint("encounter_id", "number", name="uq_note_versions_number"))


class Result(Base):
    """One contract result row as loaded (the full JSON is kept; facts and codes are read from it)."""

    __tablename__ = "results"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    encounter_id: Mapped[int] = mapped_column(ForeignKey("encounters.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("note_versions.id"))
    result_sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    payer_profile: Mapped[str | None] = mapped_column(String(80))
    data: Mapped[dict] = mapped_column(JSON)
    loaded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (UniqueConstraint("version_id", "result_sha256", name="uq_results_version_hash"),)


class Finding(Base):
    __tablename__ = "findings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    encounter_id: Mapped[int] = mapped_column(ForeignKey("encounters.id"))
    result_id: Mapped[int] = mapped_column(ForeignKey("results.id"))
    version_id: Mapped[int] = mapped_column(ForeignKey("note_versions.id"))
    position: Mapped[int] = mapped_column(Integer)  # order within the result
    rule: Mapped[str] = mapped_column(String(80))
    category: Mapped[str] = mapped_column(String(40))
    severity: Mapped[str] = mapped_column(String(10))
    message: Mapped[str] = mapped_column(Text)
    evidence: Mapped[list] = mapped_column(JSON)
    policy: Mapped[str | None] = mapped_column(Text)
    query: Mapped[str | None] = mapped_column(Text)
    searched: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="open")
    reason: Mapped[str | None] = mapped_column(Text)  # dismissal reason / resolution note
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    __table_args__ = (Index("ix_findings_encounter", "encounter_id", "status"),
                      Index("ix_findings_rule", "rule", "status", "encounter_id"))


class Decision(Base):
    """A reviewer's decision on an encounter or one of its findings (the work history)."""

    __tablename__ = "decisions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    encounter_id: Mapped[int] = mapped_column(ForeignKey("encounters.id"), index=True)
    finding_id: Mapped[int | None] = mapped_column(ForeignKey("findings.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(32))  # assign, dismiss, accept, send_query, record_response, release
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    user: Mapped[User] = relationship(lazy="joined")


class ProviderQuery(Base):
    __tablename__ = "provider_queries"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    encounter_id: Mapped[int] = mapped_column(ForeignKey("encounters.id"), index=True)
    finding_id: Mapped[int | None] = mapped_column(ForeignKey("findings.id"))
    provider: Mapped[str | None] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="sent")  # sent, answered
    sent_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    sent_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    response: Mapped[str | None] = mapped_column(Text)
    response_at: Mapped[datetime | None] = mapped_column(DateTime)
    response_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    __table_args__ = (Index("ix_queries_sent", "sent_at"),)


class AuditEntry(Base):
    """Append-only (database triggers refuse UPDATE and DELETE): who, when, what, before, after."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    username: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(40))
    encounter_id: Mapped[int | None] = mapped_column(ForeignKey("encounters.id"))
    finding_id: Mapped[int | None] = mapped_column(Integer)
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    __table_args__ = (Index("ix_audit_encounter", "encounter_id", "id"),)


class LoginAttempt(Base):
    """Failed logins, for rate limiting across server processes."""

    __tablename__ = "login_attempts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80))
    client: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    __table_args__ = (Index("ix_login_attempts", "username", "at"), Index("ix_login_attempts_client", "client", "at"))


class Setting(Base):
    """Small key/value settings (the session signing key, generated once per store)."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
