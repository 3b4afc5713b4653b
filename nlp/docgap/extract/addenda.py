"""Addenda that correct the procedure: "ADDENDUM 06/17/2025: Correction to the procedure paragraph above.
The right piriformis was NOT injected. Injections performed today: right QL x2 and right gluteus medius x2."

The note keeps both versions; the addendum is the one that stands. When an addendum says it corrects
something and names injected muscles itself, the muscles, the count and (if it names them) the drugs
come from the addendum alone. An addendum that only adds ("phoned the patient: mild soreness") changes
nothing here.
"""
from __future__ import annotations

import re

from .note import Mention, NoteView, Sentence

ADDENDUM_START = re.compile(r"[\W_]*(?:addendum|amendment|late entry|corrected (?:entry|note))\b", re.I)
CORRECTS = re.compile(r"\b(?:correction|corrected|correcting|(?:entered|documented|recorded|listed|charted) in error|"
                      r"in error|erroneous(?:ly)?|should (?:have )?read|amended|(?:was|were) not (?:injected|needled))\b",
                      re.I)


def correcting_addendum(view: NoteView) -> int | None:
    """Index of the first sentence of an addendum that corrects the note, or None."""
    if not ADDENDUM_START.search(view.text):
        return None  # most notes: one scan, not a match per sentence
    for s in view.sentences:
        line_start = view.text.rfind("\n", 0, s.start) + 1
        if view.text[line_start:s.start].strip() or not ADDENDUM_START.match(s.text):
            continue  # an addendum opens its line
        if any(CORRECTS.search(t.text) for t in view.sentences[s.index:]):
            return s.index
    return None


IN_ERROR = re.compile(r"\bin error\b|\berroneous(?:ly)?\b|\bshould not have been\b", re.I)


def drop_retracted_findings(view: NoteView, first: int, findings: list) -> list:
    """'ADDENDUM: Correction to the exam above. I could not reproduce the taut band and there was no twitch
    response. The "taut band with local twitch" entry was carried forward from a template in error.': a kind
    of finding the correcting addendum negates or calls an error is withdrawn from the text above it."""
    start = view.sentences[first].start
    withdrawn = {m.value for m in view.of("PALPATION") if m.start >= start
                 and (m.has("NEGATED_EXISTENCE") or IN_ERROR.search(m.sent.text))}
    return [p for p in findings if not (p.kind in withdrawn and p.start < start)]


def tail_view(view: NoteView, first: int, section: str = "addendum") -> NoteView:
    """The sentences from `first` on as a view of their own (same text and offsets), all in `section`:
    an addendum is neither the plan nor the history it was appended to."""
    sents = [Sentence(i, s.start, s.end, s.text, section) for i, s in enumerate(view.sentences[first:])]
    by_old = {id(old): new for old, new in zip(view.sentences[first:], sents)}
    mentions = [Mention(m.label, m.value, m.extra, m.text, m.start, m.end, by_old[id(m.sent)], set(m.modifiers),
                        list(m.modifier_texts))
                for m in view.mentions if id(m.sent) in by_old]
    return NoteView(view.text, sents, mentions, view.date_of_service)
