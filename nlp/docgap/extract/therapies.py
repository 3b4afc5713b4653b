"""Conservative therapies and their status (failed, tried, current, planned, declined, negated)."""
from __future__ import annotations

import re

from ..facts import Therapy
from .note import INJECTION_CUE, NoteView

# The strongest documented outcome wins: a plan to continue a failed therapy keeps `failed`.
PRECEDENCE = (("FAILED", "failed"), ("DECLINED", "declined"), ("NEGATED_EXISTENCE", "negated"),
              ("CURRENT", "current"), ("HYPOTHETICAL", "planned"), ("TRIED", "tried"), ("HISTORICAL", "tried"))
SECTION_DEFAULT = {"medications": "current", "plan": "planned"}
CONTINUE = re.compile(r"\b(continue|continues|continuing|resume|remain on|stay on)\b", re.I)


def _status(m) -> str:
    for cat, status in PRECEDENCE:
        if cat in m.modifiers:
            if status == "planned" and CONTINUE.search(m.sent.text):
                return "current"
            return status
    if m.section == "plan" and CONTINUE.search(m.sent.text):
        return "current"
    return SECTION_DEFAULT.get(m.section or "", "tried")


def extract_therapies(view: NoteView, session_sentences: set[int]) -> list[Therapy]:
    out: list[Therapy] = []
    seen = set()
    for m in view.of("THERAPY"):
        if m.text in ("pt", "Pt", "pT") or (m.text.lower() == "pt" and not m.text.isupper()):
            continue  # "pt" is the patient; the therapy is written "PT"
        if m.sent.index in session_sentences and m.value != "other" and not m.has("HISTORICAL", "TRIED", "FAILED"):
            continue  # the session's own procedure sentence (e.g. "dry needling performed")
        if m.section == "procedure" and INJECTION_CUE.search(m.sent.text) and not m.has("FAILED", "TRIED", "HISTORICAL"):
            continue
        status = _status(m)
        name = m.extra[0] if m.extra else m.value
        key = (m.value, status, m.text.lower())
        if key in seen:
            continue
        seen.add(key)
        out.append(Therapy(m.value, name, status, m.text, m.start, m.end))
    return out
