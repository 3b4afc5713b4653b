"""Conservative therapies and their status (failed, tried, current, planned, declined, negated)."""
from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache
from typing import Callable

from ..facts import Therapy
from .note import NoteView, cue, injection_cue
from .procedure import past_cue, today_done

# The strongest documented outcome wins: a plan to continue a failed therapy keeps `failed`.
PRECEDENCE = (("FAILED", "failed"), ("DECLINED", "declined"), ("NEGATED_EXISTENCE", "negated"),
              ("CURRENT", "current"), ("HYPOTHETICAL", "planned"), ("TRIED", "tried"), ("HISTORICAL", "tried"))
SECTION_DEFAULT = {"medications": "current", "plan": "planned"}
CONTINUE = re.compile(r"\b(continue|continues|continuing|cont|remain on|stay on)\b", re.I)
ELSEWHERE = re.compile(r"\b(?:another|outside|elsewhere|other (?:clinic|provider|practice|office|physician)|(?:at|in) (?:an? )?urgent care|"
                       r"(?:at|in|by) (?:the |an? )?(?:ER|ED|emergency (?:room|department))|"
                       r"(?:previous|prior|former|old) (?:provider|doctor|clinic|physician|practice|office|pain clinic))\b", re.I)
# "Ice and heat at home, ibuprofen PRN; all minimally effective." "PT last fall; she still has pain."
FOLLOW_UP_OUTCOME = re.compile(r"\s*(?:all|both|neither|none|each|these|which|that|pain|symptoms|(?:the|her|his) (?:pain|symptoms)|she|he|the patient|patient|pt|it|they|"
                               r"not|no|nothing|minimal|little|without|still|relief|benefit|improvement|stopped|discontinued)\b", re.I)
# "while she was going" is a time, not a contrast
CLAUSE_BREAK = re.compile(r"\bbut\b|\bhowever\b|\bwhereas\b|\bwhile\b(?!\s+(?:she|he|they|it|on|in|taking|doing|going|attending|using)\b)|"
                          r";|\balthough\b|\bthough\b", re.I)


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
        inside = [o.start - (m.end + nxt.end()) for o in view.in_sentence(s, "THERAPY")
                  if m.end + nxt.end() <= o.start < m.end + nxt.end() + len(contrast)]
        if contrast_word and inside:
            # "Baclofen was tried but he became too sedated and it was stopped, and tizanidine caused ...":
            # the contrast up to the next therapy named is this one's outcome
            after = after[:nxt.end()] + contrast[:min(inside)]
        elif (contrast_word or outcome_only) and not inside:
            after = after[:nxt.end()] + contrast
            if stop is not None and stop.group(0) == ";":
                # "PT: 'helped a bit', but still waking at night; pain persists despite the full course": an
                # outcome clause after the contrast, naming no therapy, is still this one's
                more = rest[stop.end():]
                end = CLAUSE_BREAK.search(more)
                more = more[:end.start()] if end else more
                start = m.end + nxt.end() + stop.end()
                if FOLLOW_UP_OUTCOME.match(more) and not any(start <= o.start < start + len(more)
                                                             for o in view.in_sentence(s, "THERAPY")):
                    after += ";" + more
        else:
            after = after[:nxt.start()]
    return before + " " + after


NEW_CLAUSE = re.compile(r"[;.]\s|,?\s+and\s+(?:I|we|he|she|they)\b")


def _continued(view: NoteView, m) -> bool:
    """'cont meloxicam' continues meloxicam, not the 'heat/stretching at home' listed before it."""
    before = view.text[m.sent.start:m.start]
    # "continue ibuprofen, and I gave him a sheet with stretching exercises": a new clause with its own subject
    cut = max((b.end() for b in NEW_CLAUSE.finditer(before)), default=0)
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
                if status == "failed" and _conditional_outcome(view, m, failed_res):
                    break
                return "failed" if status == "negated" and _outcome_after(view, m, failed_res) else status
        if _outcome_after(view, m, failed_res):
            return "failed"  # "back to his stretching routine, which has not made a dent in the pain"
        return "current" if _continued(view, m) else "planned"
    status = None
    for cat, st in PRECEDENCE:
        if cat in m.modifiers:
            status = "current" if st == "planned" and _continued(view, m) else st
            break
    if status is None:
        status = SECTION_DEFAULT.get(m.section or "", "tried")
    if status == "negated" and _outcome_after(view, m, failed_res):
        return "failed"  # "the stretching routine -- which on its own has not made a dent in the pain"
    if status in ("tried", "current"):
        clause = _clause(view, m)
        if re.search(r"\b(?:declined|refused|declines|refuses)\b", clause, re.I):
            return "declined"  # "Offered PT referral today, declined."
        if re.search(r"\b(?:has not|hasn't|have not|haven't|never|did not|didn't|was not|wasn't|were not|weren't)\s+(?:yet\s+)?"
                     r"(?:taken|tried|started|done|gone|attended|attempted|pursued)\b", clause, re.I):
            return "negated"  # "her employer has offered light duty but she has not taken it", "PT was not tried"
        if re.search(r"\b(?:waiting list|wait list|waitlist|waitlisted|referral (?:placed|sent|made)|referred (?:to|for)|"
                     r"refer(?:ral)? to)\b", clause, re.I) and not PAST_TENSE.search(clause):
            return "planned"  # "on the waiting list for physical therapy", "PT referral placed"
        if _any_match(failed_res, clause) and not _outcome_is_previous(view, m, failed_res):
            return "failed"
        if _outcome_next(view, m, failed_res):
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


_MATCHERS: dict[int, tuple[object, Callable[[str], bool]]] = {}


def _any_match(patterns, text: str) -> bool:
    """any(r.search(text) for r in patterns), with one regex scan instead of one per pattern, remembered
    for recent texts (the same clause is asked about from several places)."""
    known = _MATCHERS.get(id(patterns))
    if known is None or known[0] is not patterns:  # (the list itself is kept, so its id is not reused)
        joined = _joined(tuple((r.pattern, r.flags) for r in patterns)) if patterns else None
        test = cue(joined) if joined is not None else (lambda t, ps=tuple(patterns): any(r.search(t) for r in ps))
        if len(_MATCHERS) > 16:
            _MATCHERS.clear()
        known = _MATCHERS[id(patterns)] = (patterns, test)
    return known[1](text)


OUTCOME_SUBJECT = re.compile(r"^\W*(?:per (?:the )?(?:patient|pt)|she|he|the patient|pt|patient|it|they|this|that|but|"
                             r"however|unfortunately|her|his|the pain|pain|symptoms|no|not|without|minimal|little)\b", re.I)


def _outcome_next(view: NoteView, m, failed_res) -> bool:
    """'She did the whole round of PT last summer. Per the patient, she felt better during the sessions but
    the pain returned within a day each time.': the outcome in the next sentence, when that sentence
    names no therapy or injection of its own."""
    nxt = view.sentences[m.sent.index + 1] if m.sent.index + 1 < len(view.sentences) else None
    if nxt is None or nxt.section != m.sent.section or not OUTCOME_SUBJECT.match(nxt.text):
        return False
    if view.in_sentence(nxt, "THERAPY", "TPI", "DRY_NEEDLING", "DRUG") or injection_cue(nxt.text):
        return False
    if re.search(r"\n[ \t]*\n", view.text[m.sent.start:nxt.start]):
        return False
    # the therapy must be the last one named in its sentence
    if any(o.start > m.start for o in view.in_sentence(m.sent, "THERAPY")):
        return False
    return _any_match(failed_res, nxt.text)


INJURY = re.compile(r"\b(?:fell|fall|falls|falling|slipped|slip|tripped)\b[^.;\n]{0,20}$|\b(?:on|onto)\s+(?:the\s+|some\s+|black\s+)?$", re.I)
ADVICE = re.compile(r"\b(?:eval(?:uation)?|assessment|review(?:ed)?|handout|education|educated|counsel(?:l?ed|ing)?|"
                    r"advice|advised|instructions?|instructed|recommendations?|discussed|reviewed)\b", re.I)


DONE_ADVICE = re.compile(r"\b(?:done|completed|made|implemented|changed|raised|lowered|adjusted|in place)\b", re.I)


DISCHARGE = re.compile(r"^\W*(?:d/c'?d?|discharged?|sent home|released)\s+(?:home\s+)?with\b", re.I)


def _discharge_instruction(view: NoteView, m) -> bool:
    """'D/c with heat and gentle stretching instructions.': aftercare given today, not a therapy tried."""
    after = view.text[m.end:min(m.sent.end, m.end + 30)]
    return bool(DISCHARGE.search(m.sent.text) or re.match(r"^[\w\s-]{0,20}?\binstructions?\b", after, re.I)) \
        and not PAST_TENSE.search(m.sent.text)


def _advice(view: NoteView, m) -> bool:
    """Advice given at this visit is not a therapy tried: 'ergonomic eval at work', 'handout on
    workstation ergonomics' (the advice word next to the mention, not anywhere in the sentence)."""
    near = view.text[max(m.sent.start, m.start - 30):min(m.sent.end, m.end + 40)]
    return bool(ADVICE.search(near)) and not DONE_ADVICE.search(near)


EXAM_MANEUVER = re.compile(r"\b(?:with|on|during|upon|by|to)\s+(?:passive\s+|active\s+|gentle\s+)?$", re.I)


def _outcome_is_previous(view: NoteView, m, failed_res) -> bool:
    """'a course of PT with only modest gains and takes naproxen as needed': the outcome between the
    previous therapy and this one is the previous one's (not 'Failed PT and NSAIDs', where it leads both)."""
    prevs = [o for o in view.in_sentence(m.sent, "THERAPY") if o.end <= m.start]
    if not prevs:
        return False
    prev = prevs[-1]
    if not _any_match(failed_res, view.text[prev.end:m.start]):
        return False
    return not _any_match(failed_res, view.text[m.sent.start:prev.start]) and not _any_match(failed_res, _own_tail(view, m))


def _pt_not_the_therapy(view: NoteView, m) -> bool:
    """'Joaquin Esparza, PT, DPT' is a credential; 'HEP from PT', 'PT home exercises', 'home exercises from PT
    handout' name where the home program came from, not a course of physical therapy."""
    if m.value != "physical_therapy":
        return False
    after = view.text[m.end:m.end + 25]
    before = view.text[max(0, m.start - 40):m.start]
    if re.match(r"\s*,\s*(?:DPT|MPT|MSPT|OCS|SCS|CMTPT|Cert|PhD|MS)\b", after) or \
            re.search(r"(?:therapist|provider|seen by|signed|clinician)\s*:[^\n]*$", before, re.I):
        return True
    if re.match(r"\s+(?:home|handout|HEP|stretches|exercises)\b", after, re.I):
        return True
    return bool(re.search(r"\b(?:HEP|home (?:exercise )?program(?:me)?|home exercises?|exercises|stretches)\s+(?:\w+\s+){0,3}?from\s+$",
                          before, re.I))


def _not_a_treatment(view: NoteView, m) -> bool:
    """'began after a fall on ice': the injury, not a modality; 'pain at end-range (stretching the L
    side)', 'reproduced with passive stretching' in the exam: a maneuver, not a therapy."""
    before = view.text[max(m.sent.start, m.start - 40):m.start]
    if m.text.lower() == "ice":
        return bool(INJURY.search(before))
    if m.section == "physical_exam" and m.text.lower().startswith("stretch"):
        return bool(EXAM_MANEUVER.search(before) or re.match(r"\s+(?:the|of|her|his)\b", view.text[m.end:m.end + 6], re.I))
    return False


LIST_BREAK = re.compile(r"[,;:]|--|\bthen\b|\bbut\b", re.I)
CONDITION = re.compile(r"\b(?:if|unless|should|until|in case|whether)\b", re.I)
NEGATION_BEFORE = re.compile(r"\b(?:no|not|never|denies|denied|without|w/o|hasn't|has not|have not|haven't|nor)\b", re.I)


def _own_tail(view: NoteView, m) -> str:
    """The rest of the mention's clause, up to the next therapy named ('ice tonight, then his stretching
    routine, which has not helped': the outcome is the stretching's)."""
    tail = view.text[m.end:m.sent.end]
    stop = CLAUSE_BREAK.search(tail)
    end = stop.start() if stop else len(tail)
    if stop and stop.group(0).lower() in ("but", "though", "although", "however"):
        rest = tail[stop.end():]
        more = CLAUSE_BREAK.search(rest)
        end = stop.end() + (more.start() if more else len(rest))  # "continue PT although it has not helped"
    nxt = [o.start - m.end for o in view.in_sentence(m.sent, "THERAPY") if o.start >= m.end]
    return tail[:min([end] + nxt)]


def _conditional_outcome(view: NoteView, m, failed_res) -> bool:
    """'Plan: PT x 6 weeks, if no improvement consider TPI': the outcome is a condition, not a result."""
    if re.search(r"\b(?:if|unless|should)\s+(?:the\s+|her\s+|his\s+)?$", view.text[max(m.sent.start, m.start - 12):m.start], re.I):
        return True  # "TPIs at his next visit if PT does not help"
    tail = _own_tail(view, m)
    cond = CONDITION.search(tail)
    hits = [h.start() for r in failed_res for h in [r.search(tail)] if h]
    return bool(cond) and (not hits or cond.start() < min(hits))


def _outcome_after(view: NoteView, m, failed_res) -> bool:
    """The negation cue belongs to an outcome after the therapy ('PT has not helped', 'the stretching
    routine -- which has not made a dent in the pain'), not to the therapy ('has not tried PT')."""
    before = view.text[max(m.sent.start, m.start - 40):m.start]
    cut = max((c.end() for c in LIST_BREAK.finditer(before)), default=0)
    tail = _own_tail(view, m)
    if NEGATION_BEFORE.search(before[cut:]):
        return False
    for r in failed_res:
        hit = r.search(tail)
        if hit and not CONDITION.search(tail[:hit.start()]):
            return True  # not "PT x 6 wks, if no improvement consider TPI"
    return False


COMPONENT_GAP = re.compile(r"^[^.;\n)]{0,40}?(?:\(|\b(?:of|including|incl\.?|with|focused on|consisting of)\b)[^.;\n)]{0,40}$", re.I)


def _component(view: NoteView, m, therapies) -> bool:
    """'8 weeks of PT (piriformis stretching, hip strengthening)', 'a home exercise program of hip
    stretches': the stretching is part of the therapy named before it. 'acupuncture-type needles' is a
    description."""
    if re.match(r"^-?(?:type|style|like)\b", view.text[m.end:m.end + 8], re.I):
        return True
    if m.value in ("physical_therapy", "chiropractic"):
        return False  # "HEP from PT (formal PT last year did not help)": a course of therapy is never a part
    for o in therapies:
        if o is m or o.end > m.start or o.sent is not m.sent or o.value == m.value:
            continue
        gap = view.text[o.end:m.start]
        if "(" not in gap and re.search(r"\b(?:and|or|plus)\b|;", gap, re.I):
            continue  # "6 weeks of PT and a course of meloxicam": a second therapy, not a part of PT
        if m.start - o.end <= 45 and COMPONENT_GAP.match(gap) and o.value in (
                "physical_therapy", "home_exercise", "chiropractic"):
            return True
    return False


PT_COURSE_AFTER = re.compile(r"\s*(?:x|×)\s*\d+\s*(?:wks?|weeks?|mos?|months?|visits?|sessions?|sess)\b", re.I)
PT_COURSE_BEFORE = re.compile(r"\b(?:did|done|completed|tried|failed|finished|attended|course of|sessions? of|visits? of|"
                              r"weeks? of|wks? of)\s+(?:formal\s+|outpatient\s+)?$", re.I)


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
        if (m.text in ("pt", "Pt", "pT") or (m.text.lower() == "pt" and not m.text.isupper())) \
                and not PT_COURSE_AFTER.match(view.text[m.end:m.end + 12]) \
                and not PT_COURSE_BEFORE.search(view.text[max(m.sent.start, m.start - 20):m.start]):
            continue  # "pt" is the patient; the therapy is written "PT" (but "did pt x 6 wks" is therapy)
        if m.label == "THERAPY" and (_not_a_treatment(view, m) or _pt_not_the_therapy(view, m)):
            continue  # "pain at end-range (stretching the L side)" is an exam maneuver; "fell on the ice" an injury
        if m.sent.index in session_sentences and m.value != "other" and not m.has("HISTORICAL", "TRIED", "FAILED") \
                and not _any_match(failed_res, _clause(view, m)):
            continue  # the session's own procedure sentence (e.g. "dry needling performed")
        if m.section == "procedure" and injection_cue(m.sent.text) and not m.has("FAILED", "TRIED", "HISTORICAL") \
                and not _any_match(failed_res, _clause(view, m)):
            continue  # (a smart-form procedure line can hold the indication: "PT x 12 visits - no lasting change")
        status = _status(view, m, failed_res, procedure_end)
        if status in ("tried", "current") and (_discharge_instruction(view, m) or (
                m.value == "activity_modification" and _advice(view, m))):
            status = "planned"  # "ergonomic eval at work", "given a handout on workstation ergonomics"
        name = m.extra[0] if m.extra else m.value
        key = (m.value, status, m.text.lower())
        if key in seen:
            continue
        seen.add(key)
        out.append(Therapy(m.value, name, status, m.text, m.start, m.end))
    # "PT x 6 weeks failed; will continue PT": continuing a failed therapy keeps it failed (contract)
    failed = {_identity(t) for t in out if t.status == "failed"}
    return [t for t in out if t.status == "failed" or t.status in ("declined", "negated")
            or _identity(t) not in failed]


def _identity(t: Therapy) -> tuple[str, str]:
    # modalities share one name: ice planned tonight does not continue the stretching that failed
    return (t.category, t.text.lower() if t.category == "modality" else t.name.lower())
