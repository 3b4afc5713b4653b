"""Everything the encounter page shows, gathered from the store (no HTML here except the note)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from .fees import fee_schedule
from .highlight import Span, highlight
from .models import AuditEntry, Encounter, Finding, NoteVersion, ProviderQuery, Result, User


def rule_doc(rule_id: str) -> dict:
    from ..rules import RULES

    cls = RULES.get(rule_id)
    if cls is None:
        return {}
    sec = cls.doc_sections()
    return {"summary": sec.get("Summary", ""), "checks": sec.get("What it checks", ""),
            "why": sec.get("Why payers deny", ""), "references": sec.get("References", "")}


def code_comparison(billed: list | None, suggested: list | None, corrected: list | None) -> list[dict]:
    fees = fee_schedule()["fees"]
    b = {x["code"]: x.get("units", 1) for x in billed or []}
    sg = {x["code"]: x.get("units", 1) for x in suggested or []}
    c = {x["code"]: x.get("units", 1) for x in corrected or []} if corrected is not None else None
    rows = []
    for code in sorted(set(b) | set(sg) | set(c or {})):
        rows.append({"code": code, "billed": b.get(code), "supported": sg.get(code),
                     "corrected": (c or {}).get(code) if c is not None else None,
                     "fee": fees.get(code), "match": b.get(code) == sg.get(code)})
    return rows


def facts_rows(facts: dict | None) -> list[tuple[str, str]]:
    """The extracted facts as (label, value) lines a reviewer can scan."""
    if not facts:
        return []
    f = facts

    def join(items):
        return "; ".join(x for x in items if x) or "none"

    pal = f.get("palpation") or {}
    pain = f.get("pain_scores") or {}
    prior = f.get("prior_response") or {}
    return [
        ("Procedure", f.get("procedure") or "none documented"),
        ("Muscles injected", join(f"{m['name'].replace('_', ' ')}{' (' + m['laterality'] + ')' if m.get('laterality') else ''}"
                                  for m in f.get("muscles") or [])),
        ("Muscle count", "" if f.get("muscle_count") is None else str(f["muscle_count"])
         + (" (a site named only as a group)" if f.get("muscles_unspecified") else "")),
        ("Injections", "not stated" if f.get("injection_count") is None else str(f["injection_count"])),
        ("Conservative therapy", join(f"{t['name']} ({t['category'].replace('_', ' ')}): {t['status']}"
                                      for t in f.get("therapies") or [])),
        ("Symptom duration", "not stated" if f.get("symptom_duration_days") is None
         else f"{f['symptom_duration_days']} days"),
        ("Palpation", join(sorted({p["kind"].replace("_", " ") for p in pal.get("findings") or []}))
         if pal.get("documented") else "no trigger point finding documented"),
        ("Imaging guidance", f.get("imaging_guidance") or "none"),
        ("Drugs", join(f"{d['name']} {'' if d.get('total_dose') is None else d['total_dose']}{d.get('dose_unit') or ''}"
                       for d in f.get("drugs") or [])),
        ("Dry needling", "yes" if f.get("dry_needling") else "no"),
        ("Repeat session", ("yes" if f.get("is_repeat") else "no")
         + (f"; prior relief {prior.get('relief_percent')}% for {prior.get('duration_days')} days" if prior else "")),
        ("Pain scores", f"before {pain.get('pre', '?') if pain.get('pre') is not None else '?'}, "
                        f"after {pain.get('post') if pain.get('post') is not None else '?'}"),
    ]


def encounter_context(s: Session, enc: Encounter, version_number: int | None = None) -> dict:
    versions = list(s.scalars(select(NoteVersion).where(NoteVersion.encounter_id == enc.id).order_by(NoteVersion.number)))
    current = next((v for v in versions if v.id == enc.current_version_id), versions[-1] if versions else None)
    shown = next((v for v in versions if v.number == version_number), current) if version_number else current
    result = s.scalars(select(Result).where(Result.version_id == shown.id).order_by(Result.id.desc()).limit(1)).first()
    findings = list(s.scalars(select(Finding).where(Finding.encounter_id == enc.id, Finding.version_id == shown.id,
                                                    Finding.status != "superseded").order_by(Finding.position)))
    older = list(s.scalars(select(Finding).where(Finding.encounter_id == enc.id, Finding.status == "superseded")
                           .order_by(Finding.id)))
    spans = [Span(e.get("start"), e.get("end"), f.id, f.severity, f.rule)
             for f in findings for e in f.evidence or []]
    users = {u.id: u.username for u in s.scalars(select(User))}
    queries = list(s.scalars(select(ProviderQuery).where(ProviderQuery.encounter_id == enc.id).order_by(ProviderQuery.id)))
    audit = list(s.scalars(select(AuditEntry).where(AuditEntry.encounter_id == enc.id).order_by(AuditEntry.id)))
    data = result.data if result else {}
    open_holds = sum(1 for f in findings if f.status == "open" and f.severity == "hold")
    return {
        "enc": enc, "versions": versions, "shown": shown, "is_current": shown is current,
        "note_html": highlight(shown.text, spans) if shown else "",
        "findings": [{"f": f, "doc": rule_doc(f.rule), "decided_by": users.get(f.decided_by)} for f in findings],
        "superseded": older, "facts": facts_rows(data.get("facts")),
        "codes": code_comparison(enc.billed, data.get("suggested_codes"), enc.corrected_codes),
        "payer_profile": data.get("payer_profile"), "queries": queries, "audit": audit, "users": users,
        "open_holds": open_holds, "fee_source": fee_schedule()["source"],
    }
