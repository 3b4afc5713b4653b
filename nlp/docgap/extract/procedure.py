"""Was a trigger point injection or dry needling performed in this encounter, and is it a repeat?"""
from __future__ import annotations

import re
from datetime import date

from ..facts import Evidence
from .note import Mention, NoteView, Sentence, cue, folded, has_any, injection_cue, performed_cue

NOT_NOW = ("NEGATED_EXISTENCE", "HYPOTHETICAL", "HISTORICAL", "DECLINED")
PLANNING_SECTIONS = {"plan"}
REPEAT_CUE = re.compile(
    r"\b(repeat|repeated|subsequent|follow[- ]up|second|third|fourth|another|additional)\s+(set of\s+|round of\s+|series of\s+)?"
    r"(trigger[- ]point(?!s?\s+(?:lies|is|in|at|on|was|noted|identified|found|over|near|just|with)\b)|TPIs?|TrPIs?|injections?|dry needling|needling|DN|session)"
    r"|\b(s/p|status post|previous|prior|last|most recent|since (?:the|her|his) (?:last|prior))\s+(\w+\s+){0,3}?"
    r"(trigger[- ]point|TPIs?|TrPIs?|injections?|dry needling|needling|DN|session)"
    r"|\b(TPIs?|trigger point injections?|injections?|dry needling|shots)\s+(\w+\s+){0,4}?(ago|previously|in the past|last (?:month|visit|time))"
    r"|\b(?:TPIs?|TrPIs?|trigger point injections?|DN|dry needling|session)\s*#\s*(?:[2-9]|1\d)\b"
    r"|\bsince\s+(?:(?:the|her|his|their|last)\s+)?(?:\w+'s\s+)?(?:session|TPIs?|injections|needling|DN)\b"
    r"|\b(?:was|were)\s+(?:injected|needled|treated)\s+(?:on\s+)?\d{1,2}/\d{1,2}\b"
    r"|\b(?:returns?|returning|back)\s+for\s+(?:(?:her|his|the)\s+)?(?:more|further|next|usual|regular|TPIs\b|trigger point injections\b)"
    r"|\bsame\s+(?:sites?|points?|muscles?|technique|approach)\s+as\s+(?:at\s+|on\s+|in\s+)?(?:her|his|the|their)?\s*"
    r"(?:last|prior|previous|\w+)\s+(?:visit|session|time|injections?|TPIs?)"
    r"|\b(?:after|since|from)\s+(?:the|her|his)\s+(?:\w+\s+)?shots\b"
    r"|\b(?:days?|wks?|weeks?|mos?|months?)\s+(after|since)\s+(?:the\s+|her\s+|his\s+|last\s+|prior\s+)?(TPIs?|trigger point injections?|injections?|dry needling|DN)\b",
    re.I)


FUTURE_CUE = re.compile(r"\b(will|return|RTC|f/u|follow[- ]?up|next|consider|if|may|plan to|schedule|recheck|in \d+\s*(?:wks?|weeks|months)|"
                        r"recommend\w*|suggest\w*|offer\w*|candidate|would benefit)\b", re.I)
# Evidence that a plan section narrates a procedure done today ("P: TPI ... 25g needle ... neg aspiration")
DONE_IN_BLOCK = re.compile(r"\b(injected|infiltrated|needled|performed|administered|aspirat\w*|prepped|sterile|gauge|\d+\s?g|"
                           r"band-?aids?|EBL|hemostasis|haemostasis|consent (?:obtained|signed)|tolerated|time[- ]?out|needle|needles|"
                           r"tol(?:'d)? well|pt consents|patient consents|consented)\b"
                           r"|\b\d{1,2}/10\s*(?:pre|post)\b|\b(?:pre|post)[- ]?(?:procedure|injection)?\s*(?:pain\s*)?:?\s*\d{1,2}/10"
                           r"|\b\d+(?:\.\d+)?\s*(?:mL|ml|cc|mg)\b[^.;\n]{0,25}(?:\b(?:each|ea|total|tot|per (?:site|point|pt))\b|/\s*(?:pt|point|site)\b)", re.I)
done_in_block = cue(DONE_IN_BLOCK)


def _plan_block(view: NoteView, sent: Sentence) -> list[Sentence]:
    lo = hi = sent.index
    while lo > 0 and view.sentences[lo - 1].section == sent.section:
        lo -= 1
    while hi + 1 < len(view.sentences) and view.sentences[hi + 1].section == sent.section:
        hi += 1
    return view.sentences[lo:hi + 1]


def sentence_is_planning(view: NoteView, sent: Sentence) -> bool:
    """A plan-section sentence describes the future unless it, or the plan section it belongs to,
    says the procedure was done today ("P: TPI today ..." followed by the procedure details)."""
    if sent.section not in PLANNING_SECTIONS:
        return False
    return view.memo((sentence_is_planning, sent.index), lambda: _planning(view, sent))


def _planning(view: NoteView, sent: Sentence) -> bool:
    if done_in_block(sent.text) or re.search(r"\b(today|this (?:visit|session)|given|done|completed)\b", sent.text, re.I):
        return False
    if FUTURE_CUE.search(sent.text):
        return True
    if performed_cue(sent.text):
        return False
    return not any(done_in_block(b.text) for b in _plan_block(view, sent))


NOT_DONE = re.compile(r"\b(declined|declines|refused|refuses|deferred|defer|postponed|cancel(?:l)?ed|held off|hold off|"
                      r"no (?:trigger point injections?|TPIs?|TrPIs?|injections?|dry needling|needling)(?: (?:were|was) (?:given|done|performed))?\b|"
                      r"leave (?:\w+ )?alone|left (?:\w+ )?alone|"
                      r"not (?:\w+ ){0,5}?(?:indicated|warranted|necessary|needed|appropriate)|"
                      r"not (?:performed|done|given)|decided against|opted against|did not (?:want|proceed))\b", re.I)
not_done_cue = cue(NOT_DONE)
DONE_STRONG = re.compile(r"\b(injected|infiltrated|needled|administered|completed|were performed|was performed)\b", re.I)
done_strong = cue(DONE_STRONG)


ONLY_LATER = re.compile(r"\b(will|to be (?:initiated|started|performed|done|scheduled|given)|can be (?:done|performed|given)|"
                        r"once\s+\w+\s+(?:normaliz|improv|resolv|clear)\w*|tomorrow|next (?:follow[- ]?up|visit|"
                        r"appointment|session)|would like to|plan (?:is|will)|consider\w*|recommend\w*|candidate for|"
                        r"if (?:no|not|still|symptoms|pain|it|they|this|that) (?:better|improved|relief|improvement|"
                        r"symptomatic|persists?|fails?|unsuccessful)|should (?:symptoms|pain) persist)\b", re.I)


def not_done(m: Mention) -> bool:
    """'Discussed trigger point injections; patient declined.' 'TPIs were deferred today.' 'A series of
    trigger point injections to be initiated at his next follow up visit.'"""
    return sentence_not_done(m.sent.text)


NO_TPI = re.compile(r"\bno (?:trigger point injections?|TPIs?|TrPIs?|dry needling)\b", re.I)


def sentence_not_done(t: str) -> bool:
    if NO_TPI.search(t):
        return True  # "No trigger point injections were performed."
    if done_strong(t):
        return False
    if not_done_cue(t):
        return True
    return bool(ONLY_LATER.search(t)) and not re.search(r"\btoday\b", t, re.I)


def performed(m: Mention, view: NoteView) -> bool:
    if dated_before_visit(view, m.sent):
        return False  # a timeline line: "01/14/2025   L-sided TPIs (L upper trapezius, ...)"
    if m.has(*NOT_NOW):
        # "Plan: TPI today." : the header word "plan" is not a plan when the sentence says today
        plan_only = m.modifiers.intersection(NOT_NOW) == {"HYPOTHETICAL"} and \
            all(t.lower() in ("plan", "p") for t in m.modifier_texts)
        if not (plan_only and re.search(r"\b(?:today|performed|done|given)\b", m.sent.text, re.I)):
            return False
    if sentence_is_planning(view, m.sent):
        return False
    return True


LINE_DATE = re.compile(r"[ \t>*•-]*(?:(\d{1,2})/(?:(\d{1,2})/)?(\d{4}|\d{2})|(\d{4})-(\d{1,2})-(\d{1,2}))\b(?![/-]\d)")


def dated_before_visit(view: NoteView, sent: Sentence) -> bool:
    """The sentence opens its line with a date before the date of service (a dated history or timeline
    entry). Without a date of service nothing is dated."""
    if not view.date_of_service:
        return False
    return view.memo((dated_before_visit, sent.index), lambda: _dated_before(view, sent))


def _dated_before(view: NoteView, sent: Sentence) -> bool:
    line_start = view.text.rfind("\n", 0, sent.start) + 1
    if view.text[line_start:sent.start].strip():
        return False  # the sentence does not open its line
    d = LINE_DATE.match(view.text, sent.start)
    if not d:
        return False
    try:
        when = date(int(d.group(4)), int(d.group(5)), int(d.group(6))) if d.group(4) else \
            _us_date(d.group(1), d.group(2) or "1", d.group(3))
        return when < date.fromisoformat(view.date_of_service)
    except ValueError:
        return False


def _us_date(month: str, day: str, year: str) -> date:
    """'3', '20', '25' -> 2025-03-20 (ValueError when it is no date)."""
    y = int(year)
    return date(y + 2000 if y < 100 else y, int(month), int(day))


FULL_DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})\b")
LEADING_LABEL = re.compile(r"^\W*(?:today|interval|update)\s*:", re.I)


def earlier_session_sentence(view: NoteView, sent: Sentence) -> bool:
    """'Seen by Dr. E's team on 01/21/2025 for TPIs (bilateral QL, L gluteus medius).': a sentence about
    injections that is dated before the date of service, with no sign of today's procedure (a leading
    'Today:' label is a heading, not the time)."""
    if not view.date_of_service or "/" not in sent.text:
        return False
    dates = list(FULL_DATE.finditer(sent.text))
    if not dates:
        return False
    try:
        dos = date.fromisoformat(view.date_of_service)
        if any(_us_date(*d.groups()) >= dos for d in dates):
            return False
    except ValueError:
        return False
    text = LEADING_LABEL.sub("", sent.text)
    # "Response to the 11/19/2024 injections (TPIs, ...), from the diary she brought today: ...": the
    # sentence is about that session whatever else happened today
    return RESPONSE_OPENER.match(text) is not None or not today_done(text)


RESPONSE_OPENER = re.compile(r"\W*(?:response|relief|results?|outcome|benefit)\s+(?:to|from|after|of)\b", re.I)


HISTORY_SECTIONS = ("history_of_present_illness", "past_medical_history", "medications", "review_of_systems")
PAST_CUE = re.compile(r"\b(underwent|had|has had|have had|received|s/p|status post|by dr|outside|another|previous(?:ly)?|prior|"
                      r"at (?:that|the last|the previous|the prior|the earlier) (?:visit|appointment|session)|"
                      r"last|ago|in (?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w*|\d{1,2}/\d{1,2}|(?:19|20)\d\d)\b", re.I)
past_cue = cue(PAST_CUE)
TODAY_DONE = re.compile(r"\b(today|this visit|this session|were performed|was performed|were injected|was injected|"
                        r"were needled|was needled|performed)\b", re.I)
today_done = cue(TODAY_DONE)


def resection(view: NoteView) -> None:
    """Sentences that narrate today's procedure inside another section become procedure:
    - a run-in header ("Allergies: lidocaine. Trigger point injections were performed ...") puts the
      rest of its line in that section;
    - an exam section with no header after it runs on into the procedure paragraph ("TPI performed -
      same technique as last time. 5 trigger points (L upper trap x2, ...)"); the paragraph that starts
      with the performed procedure is procedure."""
    sents = view.sentences
    for m in view.of("MUSCLE"):
        # "Ropivacaine 0.5% 1 mL per trigger point: R pectoralis major x2, R serratus anterior x1" in an
        # HPI with no procedure header
        t = m.sent.text
        if m.sent.section in HISTORY_SECTIONS and dosed(t) and not past_cue(SAME_AS.sub("", t)):
            m.sent.section = "procedure"
    _exam_paragraphs_narrating_procedure(view)
    for m in view.of("TPI", "DRY_NEEDLING"):
        s = m.sent
        t = SAME_AS.sub("", s.text)
        if m.has(*NOT_NOW) or not_done(m):
            continue
        if s.section != "procedure" and s.start == _line_start(view, s) and PROCEDURE_LINE.match(s.text):
            _procedure_paragraph(view, s)  # "Procedure - trigger point injections (consent signed):"
            continue
        if not today_done(t) or past_cue(t):
            continue
        if s.section in HISTORY_SECTIONS and s.start > _line_start(view, s):
            s.section = "procedure"
        elif s.section == "physical_exam" and s.start == _line_start(view, s) and \
                BLANK_BEFORE.search(view.text[max(0, s.start - 4):s.start] or "\n\n"):
            old = s.section
            for t in sents[s.index:]:
                if t.section != old or (t is not s and blank_between(view, sents[t.index - 1], t)):
                    break
                t.section = "procedure"


BLANK_BEFORE = re.compile(r"\n[ \t]*\n")
PROCEDURE_DETAIL = re.compile(r"\b(?:consent|injectate|complications?|tolerated|aspirat\w*|needles?|gauge|\d+\s?g|"
                              r"prepped|sterile|band-?aids?|hemostasis|EBL|time[- ]?out)\b", re.I)


def blank_between(view: NoteView, a: Sentence, b: Sentence) -> bool:
    """A blank line between two sentences (a sentence's text may carry the newlines that end it)."""
    return bool(BLANK_BEFORE.search(view.text[a.start + len(a.text.rstrip()):b.start + 1]))


def _paragraphs(view: NoteView) -> list[list[Sentence]]:
    out: list[list[Sentence]] = []
    for s in view.sentences:
        last = out[-1][-1] if out else None
        if last is None or blank_between(view, last, s):
            out.append([s])
        else:
            out[-1].append(s)
    return out


def _exam_paragraphs_narrating_procedure(view: NoteView) -> None:
    """An exam section with no procedure header after it runs on over the procedure paragraph
    ("After consent: L trap (3), R trap (1). Injectate ... 27 g needle. No complications."). A later
    paragraph of the exam (after a blank line) with two or more procedural details is the procedure."""
    paras = _paragraphs(view)
    for prev, para in zip(paras, paras[1:]):
        if not all(s.section == "physical_exam" for s in para) or prev[-1].section != "physical_exam":
            continue
        _narrates(view, para)
    # "... Achilles nontender.\nTDN (trigger point dry needling), no injectate. 0.30 x 50 mm.\n L gastroc x2
    # ... Tolerated well." : a line of the exam that opens with the procedure starts it
    for m in view.of("TPI", "DRY_NEEDLING"):
        s = m.sent
        if s.section != "physical_exam" or view.text[_line_start(view, s):m.start].strip() or m.has(*NOT_NOW) \
                or not_done(m):
            continue
        rest = [t for t in view.sentences[s.index:] if t.section == "physical_exam"]
        run = [rest[0]] + [t for i, t in enumerate(rest[1:], 1) if t.index == rest[i - 1].index + 1]
        para = next(p for p in _paragraphs(view) if s in p)
        _narrates(view, [t for t in run if t in para])


def _narrates(view: NoteView, sents: list[Sentence]) -> None:
    details = sum(len(PROCEDURE_DETAIL.findall(s.text)) for s in sents)
    if details >= 2 and any(view.in_sentence(s, "MUSCLE", "TPI", "DRY_NEEDLING") for s in sents):
        for s in sents:
            s.section = "procedure"
PROCEDURE_LINE = re.compile(r"^\s*(?:procedures?|technique|trigger point injections?|TPIs?)\s*[-–(](?!\s*(?:procedure\s+)?(?:record|note|report)\b)", re.I)


def _procedure_paragraph(view: NoteView, s: Sentence) -> None:
    old = s.section
    for t in view.sentences[s.index:]:
        if t.section != old or (t is not s and blank_between(view, view.sentences[t.index - 1], t)):
            break
        t.section = "procedure"
SAME_AS = re.compile(r"\b(?:same (?:technique|approach|sites?|solution) )?as (?:at |on |with )?(?:the )?(?:last|prior|previous) (?:time|visit|session)|as before|as previously\b", re.I)


def _line_start(view: NoteView, s: Sentence) -> int:
    return view.text.rfind("\n", 0, s.start) + 1


# "2 mL each", "1 cc per trigger point": a per-site dose (shared with muscles.py's injection lists)
DOSED = re.compile(r"\b\d+(?:\.\d+)?\s*(?:mL|ml|cc|mg|units?|U)\s+(?:each|per\s+(?:site|point|muscle|TP|TrP|trigger point|injection)|(?:into|in|at|to)\s+(?:each|every))\b", re.I)
dosed = cue(DOSED)
COUNT_WORD = r"(?:\d+|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
COUNTED = re.compile(rf"\b\d+\s*(?:ea|each)\b|\bx\s?\d|\b{COUNT_WORD}\s*(?:trigger\s+)?(?:points?|TrPs?|TPs?|pts?|sites?)\b|\(\s*\d+\s*\)", re.I)


def _done_nearby(view: NoteView, sent: Sentence) -> bool:
    """The sentence says it was done, or the lines around it are procedure details (needle, prep,
    consent, aspiration): "Procedure (consent on file, alcohol prep, 30 g needle): Sites - R SCM x1"."""
    if performed_cue(sent.text) or sent.section == "procedure":
        return True
    near = view.sentences[max(0, sent.index - 2):sent.index + 3]
    return any(done_in_block(s.text) for s in near)


AFTER_PROCEDURE = re.compile(r"\b(tolerated|complications?|EBL|band-?aids?|hemostasis|aspirat\w*|post[- ]?(?:procedure|injection))\b", re.I)
after_procedure = cue(AFTER_PROCEDURE)


def procedure_end(view: NoteView) -> int | None:
    """Where the procedure narrative ends: the last sentence with a closing detail ("Tolerated well",
    "No complications", "negative aspiration")."""
    ends = [s.end for s in view.sentences if after_procedure(s.text)
            and s.section not in HISTORY_SECTIONS]
    return max(ends) if ends else None


# "She had trigger point injections in 2023 with good relief." (a date alone is not enough: titles carry dates)
# "Dr. Ng performed trigger point injections to the L upper trapezius at that visit": performed then, not today
THAT_VISIT = re.compile(r"\bat (?:that|the last|the previous|the prior|her last|his last|their last|the earlier) "
                        r"(?:visit|appointment|session|encounter)\b", re.I)
MANUAL_ONLY = re.compile(r"\b(?:manual(?:ly)? only|no needles?|without (?:a )?needles?|needle[- ]free|ischemic compression)\b", re.I)
TPI_PAST = re.compile(r"\b(had|has had|underwent|received|s/p|status post|previous(?:ly)?|prior|last|ago|in (?:19|20)\d\d|at that visit|"
                      r"seen (?:in (?:the )?(?:office|clinic) )?(?:in|on) \w+ for|in (?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w* for|"
                      # "f/u after L trap TPIs on 8/26"
                      r"after\s+(?:the\s+|her\s+|his\s+)?(?:[\w/]+\s+){0,3}(?:TPIs?|trigger point injections?|injections)(?=\s+(?:on|dated|in)\s+\w)|"
                      r"(?:TPIs?|trigger point injections?|injections)\s+(?:on|dated)\s+\d{1,2}/\d{1,2})\b", re.I)
tpi_past = cue(TPI_PAST)


# "which we deferred at the last visit", "(deferred 2/3 after vasovagal)": an earlier visit's deferral,
# the reason for today's session, not today's cancellation
EARLIER_DEFERRAL = re.compile(r"\b(?:deferred|postponed|cancel+ed|held off|declined|refused)\b[^.;\n]{0,30}?"
                              r"(?:\b(?:last|previous|prior|earlier|initial|first)\s+(?:visit|time|session|week|appointment)|"
                              r"\bago\b|\byesterday\b|\b\d{1,2}/\d{1,2}\b|\bon\s+(?:mon|tues|wednes|thurs|fri|satur|sun)day\b)", re.I)


NO_PROCEDURE = re.compile(r"\bno procedures? (?:was |were )?(?:(?:performed|done)(?: today)?|today)\b|"
                          r"\bno (?:injections?|TPIs?|trigger point injections?|needling|dry needling) (?:was |were )?(?:(?:performed|done|given) )?today\b|"
                          # "No injection was performed." (not "... at the last visit")
                          r"\bno (?:injections?|TPIs?|trigger point injections?|needling|dry needling) (?:was|were) (?:performed|done|given)\b"
                          r"(?![ \t]+(?:at|during|on|in|by)\b)|"
                          # "so we did not inject today." (not "did not inject the rhomboids")
                          r"\b(?:did not|didn't) (?:inject|proceed)\b(?=[ \t]*(?:today|this visit)?[ \t]*(?:[.;,]|$))|"
                          # "her INR is 4.1, so I did not perform the injections today."
                          r"\b(?:did not|didn't|will not|won't) (?:perform|do|give) (?:the |any )?(?:trigger point )?(?:injections?|TPIs?|procedure)"
                          r"(?=[ \t]*(?:today|this visit)?[ \t]*(?:[.;,]|$))|\binjections? (?:were |was )?(?:deferred|postponed|cancel+ed|held)\b", re.I)


ABOVE_REF = re.compile(r"\b(?:muscles?|sites?|areas?|trigger points?|points|TrPs)\s+(?:(?:named|listed|noted|described|"
                       r"identified|mentioned|documented)\s+)?above\b|"
                       r"\b(?:above[- ](?:named|listed|noted|described|mentioned)|aforementioned)\s+(?:muscles?|sites?|trigger points?)\b|"
                       r"\bthe above (?:muscles?|sites?|trigger points?)\b", re.I)


def above_reference(view: NoteView) -> Sentence | None:
    """'1 mL into each of the three muscles named above': the procedure points back at the exam."""
    return view.memo(above_reference, lambda: _above_reference(view))


def _above_reference(view: NoteView) -> Sentence | None:
    low = folded(view.text)
    if "above" not in low and "aforementioned" not in low:
        return None  # every ABOVE_REF match holds one of them
    for s in view.sentences:
        if s.section in HISTORY_SECTIONS or (s.section == "plan" and sentence_is_planning(view, s)):
            continue
        if ABOVE_REF.search(s.text) and (injection_cue(s.text) or dosed(s.text)) \
                and not sentence_not_done(s.text):
            return s
    return None


# "chemodenervation of myofascial trigger points with onabotulinumtoxinA" is a TPI (LABELLING.md)
INTO_TRIGGER_POINTS = re.compile(r"\s*(?:of|into|in|to)\s+(?:the\s+)?(?:active\s+)?(?:myofascial\s+)?(?:trigger\s+points?|TrPs?|TPs)\b", re.I)


def _no_procedure(t: str) -> bool:
    low = folded(t)  # each alternative of NO_PROCEDURE holds one of these
    return (has_no_procedure_word(low) or ("no " in low and "today" in low)) and NO_PROCEDURE.search(t) is not None


has_no_procedure_word = has_any(("procedure", "injection", "tpi", "needling", "t inject", "t proceed"))


TABLE_HEAD_COUNT = re.compile(r"\b(?:points?|pts|sites?|injections?|TrPs|TPs)\b|#|inject", re.I)


FINDING_WORDS = re.compile(r"\b(?:showed|shows|revealed|reveals|demonstrat\w*|MRI|x-?rays?|imaging|impingement|tendinosis|"
                           r"tendinopathy|tear|bursitis|arthritis|arthropathy)\b", re.I)
OTHER_DONE = re.compile(r"inject|block|aspirat|performed|done|given|infiltrat|steroid|lidocaine|bupivacaine|kenalog|"
                        r"depo|triamcinolone|botox|units|\bmg\b|\bmL\b|\bcc\b|needle|fluoro|guided|ablation|RFA", re.I)


def detect_procedure(view: NoteView, has_injectate: bool) -> tuple[str | None, Evidence | None]:
    tpi = [m for m in view.of("TPI") if performed(m, view) and not not_done(m)
           and not (tpi_past(m.sent.text) and (not today_done(m.sent.text) or THAT_VISIT.search(m.sent.text)))]
    dn = [m for m in view.of("DRY_NEEDLING") if performed(m, view) and not not_done(m)]
    other = [m for m in view.of("OTHER_PROCEDURE") if performed(m, view) and not INTO_TRIGGER_POINTS.match(view.text[m.end:m.end + 40])
             and not (FINDING_WORDS.search(m.sent.text) and not OTHER_DONE.search(m.sent.text))  # "imaging showed subacromial impingement"
             and m.section in (None, "procedure", "indication")
             and not (past_cue(m.sent.text) and not today_done(m.sent.text))]  # "bursa injection by ortho last year"
    # an injection verb into a named muscle counts even without the words "trigger point injection"
    implicit = []
    all_tpi = view.of("TPI")
    called_off = [m for m in all_tpi if not_done_cue(m.sent.text) and not done_strong(m.sent.text)
                  and not EARLIER_DEFERRAL.search(m.sent.text)]
    called_off += [s for s in view.sentences if _no_procedure(s.text)]
    if called_off and not any(done_strong(m.sent.text) for m in all_tpi if not m.has("HISTORICAL")):
        # "scheduled today for TPI L QL" ... "TPI DEFERRED today given INR 3.6"
        needled = [m for m in dn if m.section == "procedure" or today_done(m.sent.text) or done_strong(m.sent.text)]
        if needled:  # "TPI deferred" ... "Procedure: dry needling, L infraspinatus": the needling was done
            return "dry_needling", _ev(needled[0])
        return None, None
    if not tpi:
        for m in view.of("MUSCLE", "MUSCLE_GROUP"):
            if sentence_not_done(m.sent.text) or (tpi_past(m.sent.text) and (not today_done(m.sent.text)
                                                                              or THAT_VISIT.search(m.sent.text))):
                continue  # "offered TPI R levator -- pt declined today", "seen in July for TPIs to the R trapezius"
            if MANUAL_ONLY.search(m.sent.text):
                continue  # "trigger point therapy (ischemic compression) to R QL x 3 points; manual only, no needles"
            if performed(m, view) and (injection_cue(m.sent.text) or dosed(m.sent.text) or (
                    m.section == "procedure" and re.search(r"\b(?:divided|distributed|split|spread)\b", m.sent.text, re.I)) or (
                    m.section == "procedure" and COUNTED.search(m.sent.text))) \
                    and _done_nearby(view, m.sent) \
                    and m.section not in ("history_of_present_illness", "past_medical_history", "medications"):
                implicit.append(m)
        from .muscles import lead_in  # (muscles imports this module)

        if any(view.of("DRUG")):
            # a site table ("| Muscle | Side | Points | Injectate per point |") with a drug named in the note
            implicit += [m for m in view.of("MUSCLE") if m.section not in HISTORY_SECTIONS and TABLE_HEAD_COUNT.search(
                lead_in(view, m.sent) or "") and not sentence_not_done(m.sent.text)]
        if above_reference(view) is not None:  # "1 mL into each of the three muscles named above"
            implicit += [m for m in view.of("MUSCLE") if m.section == "physical_exam" and performed(m, view)]
        palp_tp = [m for m in view.of("PALPATION") if m.value == "trigger_point" and performed(m, view)
                   and re.search(r"\binject", m.sent.text, re.I)]
        implicit += palp_tp
    if dn and not (tpi and has_injectate):
        return "dry_needling", _ev(dn[0])
    if tpi:
        explicit_title = [m for m in tpi if m.section in ("procedure", "indication", None)]
        if other and not explicit_title:
            return None, None
        return "trigger_point_injection", _ev(tpi[0])
    if implicit and not other:
        return "trigger_point_injection", _ev(implicit[0])
    return None, None


TODAY_AFTER = re.compile(r"\s*(?:today|this (?:visit|session|morning|afternoon))\b", re.I)
TALKED_ABOUT = re.compile(r"\b(?:discussed|talked about|planned|scheduled|recommended|offered|mentioned|deferred|postponed)\b", re.I)
NO_PRIOR = re.compile(r"\b(no|denies|never|without|not had|has not had|hasn't had|first(?:[- ]ever)?)\b[^.;\n]{0,25}$", re.I)
MAYBE_LATER = re.compile(r"\b(will|consider|if|may|might|could|would|can|should|plan(?:s|ned)? to|schedul\w*|candidate for|next (?:visit|time))\b", re.I)
PRIOR_TO = re.compile(r"^\s*to\b", re.I)


def _sentence_at(view: NoteView, pos: int) -> Sentence | None:
    for s in view.sentences:
        if s.start <= pos < s.end:
            return s
    return None


# Every alternative of REPEAT_CUE starts with one of these words (after \b)
REPEAT_STARTS = re.compile("repeat|subsequent|follow|second|third|fourth|another|additional|s/p|status post|previous|prior|"
                           "last|most recent|since|tpi|trpi|trigger|injection|dry needling|dn|session|shots|returns?|returning|"
                           "back|same|after|from|was|were|day|wk|week|mo")


def repeat_cues(text: str):
    """REPEAT_CUE.finditer(text), the same matches: REPEAT_CUE is tried only where one of its first words
    starts in folded(text) (a case-sensitive literal search is far faster than REPEAT_CUE's re.I scan
    over every position of the note). match(text, pos) sees the text before pos, as a search does."""
    low = folded(text)
    if len(low) != len(text):  # cannot happen (folded keeps one character per character); be safe
        yield from REPEAT_CUE.finditer(text)
        return
    pos = 0
    while True:
        c = REPEAT_STARTS.search(low, pos)
        if c is None:
            return
        m = REPEAT_CUE.match(text, c.start())
        if m:
            yield m
            pos = m.end()  # finditer goes on after the match (REPEAT_CUE never matches empty)
        else:
            pos = c.start() + 1


HAD_BEFORE = re.compile(r"\b(?:had|has had|have had|underwent|received)\s+(?:(?:a|an|the|two|three|several|some|\d+)\s+)?"
                        r"(?:[\w/-]+\s+){0,3}$", re.I)
# "Visit type: initial TPI (no prior injections)": the word "prior" is about injections there were not
FIRST_SESSION = re.compile(r"\b(?:initial|first(?:[- ]ever)?)\s+(?:TPIs?|TrPIs?|trigger point injections?|injections?|dry needling|session)\b|"
                           r"\bno (?:prior|previous|earlier) (?:TPIs?|TrPIs?|trigger point injections?|injections?|dry needling)\b", re.I)


def detect_repeat(view: NoteView, procedure: str | None = None) -> Evidence | None:
    """A repeat of this session's procedure: earlier dry needling at PT does not make a TPI a repeat."""
    kinds = {"trigger_point_injection": ("TPI",), "dry_needling": ("DRY_NEEDLING",)}.get(procedure or "",
                                                                                         ("TPI", "DRY_NEEDLING"))
    for m in repeat_cues(view.text):
        word = (m.group(4) or m.group(1) or "").lower()
        if word == "prior" and PRIOR_TO.match(view.text[m.start() + 5:]):
            continue  # "negative aspiration prior to each injection"
        if re.search(r"(?:\[\s*\]|☐)[ \t]*$", view.text[max(0, m.start() - 12):m.start()]):
            continue  # "[ ] Prior TPI": an unticked template box
        if re.match(r"s/p|status post", m.group(0), re.I) and TODAY_AFTER.match(view.text[m.end():m.end() + 20]):
            continue  # "s/p TPI today" is this session
        if TALKED_ABOUT.search(m.group(0)):
            continue  # "the injections we discussed at his last visit" were planned then, done now
        s = _sentence_at(view, m.start())
        if s is not None:
            if NO_PRIOR.search(view.text[s.start:m.start()]):
                continue  # "No prior injections."
            if MAYBE_LATER.search(s.text) and not re.search(r"\b(ago|previous|prior|last|s/p|status post)\b", m.group(0), re.I):
                continue  # "consider another session if >50% relief"
            if s.section in PLANNING_SECTIONS and sentence_is_planning(view, s):
                continue
        return Evidence(m.group(0), m.start(), m.end())
    for t in view.of(*kinds):
        if TODAY_AFTER.match(view.text[t.end:t.end + 20]):
            continue  # "s/p TPI today"
        # "She also had trigger point injections at an urgent care in October" reads as history without the word
        historical = t.has("HISTORICAL") or (HAD_BEFORE.search(view.text[max(t.sent.start, t.start - 40):t.start]) is not None
                                             and not today_done(t.sent.text) and t.section != "plan")
        if historical and not t.has("NEGATED_EXISTENCE", "HYPOTHETICAL") \
                and not NO_PRIOR.search(view.text[t.sent.start:t.start]) and not MAYBE_LATER.search(t.sent.text) \
                and not FIRST_SESSION.search(t.sent.text):
            return Evidence(t.text, t.start, t.end)  # not "no prior TPIs", not "Last visit: consider TPI"
    return None


def _ev(m: Mention) -> Evidence:
    return Evidence(m.text, m.start, m.end)
