"""Conservative therapies and their status (failed, tried, current, planned, declined, negated)."""
from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from ..facts import Therapy
from .note import NoteView, injection_cue
from .procedure import past_cue, today_done

# The strongest documented outcome wins: a plan to continue a failed therapy keeps `failed`.
PRECEDENCE = (("FAILED", "failed"), ("DECLINED", "declined"), ("NEGATED_EXISTENCE", "negated"),
              ("CURRENT", "current"), ("HYPOTHETICAL", "planned"), ("TRIED", "tried"), ("HISTORICAL", "tried"))
SECTION_DEFAULT = {"medications": "current", "plan": "planned"}
CONTINUE = re.compile(r"\b(continue|continues|continuing|cont|remain on|stay on)\b", re.I)
ELSEWHERE = re.compile(r"\b(?:another|outside|elsewhere|other (?:clinic|provider|practice|office|physician)|"
                       r"previous (?:provider|doctor|clinic|physician)|prior (?:provider|clinic))\b", re.I)
# "Ice and heat at home, ibuprofen PRN; all minimally effective." "PT last fall; she still has pain."
FOLLOW_UP_OUTCOME = re.compile(r"\s*(?:all|both|neither|none|each|these|which|that|pain|symptoms|she|he|the patient|patient|pt|it|they|"
                               r"not|no|nothing|minimal|little|without|still)\b", re.I)
CLAUSE_BREAK = re.compile(r"\bbut\b|\bhowever\b|\bwhereas\b|\bwhile\b|;|\balthough\b|\bthough\b", re.I)


def _clause(view: NoteView, m) -> str:
    """The part of the sentence around the mention, cut at contrast words and semicolons."""
    s = m.sent
    before = view.text[s.start:m.start]
    after = view.text[m.end:s.end]
    cuts = list(CLAUSE_BREAK.finditer(before))
    if cuts:
        before = before[cuts[-1].end():]
    nxt = CLAUSE_BREAK.search(after)
    if nxt:
        rest = after[nxt.end():]
        stop = CLAUSE_BREAK.search(rest)
        contrast = rest[:stop.start()] if stop else rest
        # "PT ongoing but plateaued": a contrast clause with no therapy of its own is this one's outcome
        contrast_word = nxt.group(0).lower() in ("but", "however", "though", "although")
        outcome_only = nxt.group(0) == ";" and FOLLOW_UP_OUTCOME.match(contrast)
        if (contrast_word or outcome_only) and not any(
                o.label == "THERAPY" and o.start >= m.end + nxt.end() and o.start < m.end + nxt.end() + len(contrast)
                for o in view.in_sentence(s)):
            after = after[:nxt.end()] + contrast
        else:
            after = after[:nxt.start()]
    return before + " " + after


def _continued(view: NoteView, m) -> bool:
    """'cont meloxicam' continues meloxicam, not the 'heat/stretching at home' listed before it."""
    before = view.text[m.sent.start:m.start]
    cut = max((b.end() for b in re.finditer(r"[;.]\s", before)), default=0)
    if CONTINUE.search(before[cut:]):
        return True
    after = view.text[m.end:m.sent.end]
    stop = re.search(r"[,;]|\.\s", after)
    return bool(CONTINUE.search(after[:stop.start()] if stop else after))


AFTERCARE_SECTIONS = (None, "procedure", "plan", "assessment")
PAST_TENSE = re.compile(r"\b(tried|failed|had|did|done|completed|took|taken|used|attended|was on|were|has been|"
                        r"have been|previously|prior|before|ago|last (?:year|month|week|fall|spring|summer|winter))\b", re.I)


def _aftercare(view: NoteView, m, procedure_end: int | None) -> bool:
    """'Heat/stretching at home, cont meloxicam.' after the procedure is an instruction, not a therapy tried."""
    return (procedure_end is not None and m.start >= procedure_end and m.section in AFTERCARE_SECTIONS
            and not m.has("HISTORICAL", "TRIED", "FAILED", "NEGATED_EXISTENCE", "DECLINED")
            and not PAST_TENSE.search(m.sent.text))


def _status(view: NoteView, m, failed_res, procedure_end: int | None = None) -> str:
    if m.section == "plan" or _aftercare(view, m, procedure_end):
        # a plan describes the future: only an outcome, a refusal, a negation or "continue" says otherwise
        for cat, status in PRECEDENCE[:3]:
            if cat in m.modifiers:
                return status
        return "current" if _continued(view, m) else "planned"
    status = None
    for cat, st in PRECEDENCE:
        if cat in m.modifiers:
            status = "current" if st == "planned" and _continued(view, m) else st
            break
    if status is None:
        status = SECTION_DEFAULT.get(m.section or "", "tried")
    if status in ("tried", "current"):
        clause = _clause(view, m)
        if re.search(r"\b(?:declined|refused|declines|refuses)\b", clause, re.I):
            return "declined"  # "Offered PT referral today, declined."
        if re.search(r"\b(?:has not|hasn't|have not|haven't|never|did not|didn't)\s+(?:yet\s+)?(?:taken|tried|started|done|gone|attended)\b", clause, re.I):
            return "negated"  # "her employer has offered light duty but she has not taken it"
        if _any_match(failed_res, clause):
            return "failed"
    return status


SAFE_TO_JOIN = re.compile(r"\\[1-9]|\(\?P[=<]|\(\?[aiLmsux-]")  # backreferences, named groups, inline flags


@lru_cache(maxsize=8)
def _joined(sources: tuple[tuple[str, int], ...]) -> re.Pattern | None:
    """One alternation that matches somewhere exactly when one of the patterns does, when they share
    their flags and have no backreferences, named groups or inline flags; else None."""
    if len({flags for _, flags in sources}) != 1 or any(SAFE_TO_JOIN.search(p) for p, _ in sources):
        return None
    return re.compile("|".join(f"(?:{p})" for p, _ in sources), sources[0][1])


def _any_match(patterns, text: str) -> bool:
    """any(r.search(text) for r in patterns), with one regex scan instead of one per pattern."""
    joined = _joined(tuple((r.pattern, r.flags) for r in patterns)) if patterns else None
    if joined is None:
        return any(r.search(text) for r in patterns)
    return joined.search(text) is not None


COMPONENT_GAP = re.compile(r"^[^.;\n)]{0,40}?(?:\(|\b(?:of|including|incl\.?|with|focused on|consisting of)\b)[^.;\n)]{0,40}$", re.I)


def _component(view: NoteView, m, therapies) -> bool:
    """'8 weeks of PT (piriformis stretching, hip strengthening)', 'a home exercise program of hip
    stretches': the stretching is part of the therapy named before it. 'acupuncture-type needles' is a
    description."""
    if re.match(r"^-?(?:type|style|like)\b", view.text[m.end:m.end + 8], re.I):
        return True
    for o in therapies:
        if o is m or o.end > m.start or o.sent is not m.sent or o.value == m.value:
            continue
        if m.start - o.end <= 45 and COMPONENT_GAP.match(view.text[o.end:m.start]) and o.value in (
                "physical_therapy", "home_exercise", "chiropractic"):
            return True
    return False


def extract_therapies(view: NoteView, session_sentences: set[int], failed_res=(),
                      procedure_end: int | None = None, procedure: str | None = None) -> list[Therapy]:
    out: list[Therapy] = []
    seen = set()
    therapy_mentions = view.of("THERAPY")
    for m in view.of("THERAPY", "DRY_NEEDLING", "TPI", "OTHER_PROCEDURE"):
        if m.label == "THERAPY" and _component(view, m, therapy_mentions):
            continue
        if m.label in ("TPI", "OTHER_PROCEDURE"):
            past_other = m.label == "OTHER_PROCEDURE" and m.section != "procedure" and not today_done(m.sent.text) \
                and (m.has("HISTORICAL") or past_cue(m.sent.text))
            if not (ELSEWHERE.search(m.sent.text) or past_other):
                continue  # "Trochanteric bursa injection by ortho last year - no help" is a therapy tried
            # injections done elsewhere before are a conservative treatment tried (LABELLING.md: other)
            m = replace(m, label="THERAPY", value="other", extra=("prior injections elsewhere",),
                        modifiers=m.modifiers | {"TRIED"})
        elif m.label == "DRY_NEEDLING":
            if not m.has("HISTORICAL") or procedure == "dry_needling":
                continue  # this session's needling, or an earlier session of the same treatment, is not a therapy tried
            # dry needling done in the past is a modality (corpus_samples/LABELLING.md)
            m = replace(m, label="THERAPY", value="modality", extra=("dry needling",))
        if m.text in ("pt", "Pt", "pT") or (m.text.lower() == "pt" and not m.text.isupper()):
            continue  # "pt" is the patient; the therapy is written "PT"
        if m.sent.index in session_sentences and m.value != "other" and not m.has("HISTORICAL", "TRIED", "FAILED") \
                and not _any_match(failed_res, _clause(view, m)):
            continue  # the session's own procedure sentence (e.g. "dry needling performed")
        if m.section == "procedure" and injection_cue(m.sent.text) and not m.has("FAILED", "TRIED", "HISTORICAL"):
            continue
        status = _status(view, m, failed_res, procedure_end)
        name = m.extra[0] if m.extra else m.value
        key = (m.value, status, m.text.lower())
        if key in seen:
            continue
        seen.add(key)
        out.append(Therapy(m.value, name, status, m.text, m.start, m.end))
    # "PT x 6 weeks failed; will continue PT": continuing a failed therapy keeps it failed (contract)
    failed = {(t.category, t.name.lower()) for t in out if t.status == "failed"}
    return [t for t in out if t.status == "failed" or t.status in ("declined", "negated")
            or (t.category, t.name.lower()) not in failed]
