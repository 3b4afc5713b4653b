"""Pre/post pain scores and the documented response to the prior injection."""
from __future__ import annotations

import re
from functools import lru_cache

from ..facts import PriorResponse
from .note import NUM, NoteView, cue, folded, has_any, to_number

DIGIT = re.compile(r"\d")
SCORE = r"(\d{1,2})(?:\s*/\s*10|\s*out of\s*10)?(?!\s*/\s*\d)(?!\d|\.\d)"  # not the "6/2" of a date
PRE = re.compile(rf"\b(?:pre[- ]?(?:procedure|procedural|injection|TPI|treatment|needling)?|before(?: the)?(?: procedure| injections?| TPIs?)?|baseline|prior to (?:the )?(?:procedure|injections?))"
                 rf"\s*(?:pain)?\s*(?:score|level|rating|intensity|VAS|NRS)?\s*(?:was|is|of|=|:|-)?\s*{SCORE}", re.I)
POST = re.compile(rf"\b(?:post[- ]?(?:procedure|procedural|injection|TPI|treatment|needling)?|after(?:wards?)?(?: the)?(?: procedure| injections?| TPIs?)?|following(?: the)?(?: procedure| injections?)?|immediately after)"
                  # "Post-procedure (10 min) 3/10": a time in parentheses before the score
                  rf"\s*(?:\((?:at\s+)?\d{{1,3}}\s*(?:min(?:utes?)?|m)\)\s*)?"
                  rf"\s*(?:pain)?\s*(?:score|level|rating|intensity|VAS|NRS)?\s*(?:was|is|of|=|:|-|decreased to|improved to|down to)?\s*{SCORE}", re.I)
# "7/10 pre -> 3/10 post": the score written before its label (only with "/10", to stay unambiguous)
PRE_AFTER = re.compile(r"\b(\d{1,2})\s*/\s*10\s*\(?\s*(?:pre\b|pre[- ]?(?:procedure|procedural|injection|TPI|treatment|needling)\b|before(?:hand)?\b|prior\b|at baseline\b)", re.I)
POST_AFTER = re.compile(r"\b(\d{1,2})\s*/\s*10\s*\(?\s*(?:post\b|post[- ]?(?:procedure|procedural|injection|TPI|treatment|needling)\b|after\b|afterwards?\b|following\b|at discharge\b|on discharge\b|at departure\b)", re.I)
# "pain 8/10 -> 5/10 since the last TPI" is a response, not today's pre/post
ARROW_PAST = re.compile(r"\b(?:since|last|prior|previous|ago|weeks?|months?|wks?|mos?|days?|over)\b", re.I)
ARROW = re.compile(rf"\b(?:pain|VAS|NRS|NPRS|score)[^.\n]{{0,40}}?(?:from\s+)?{SCORE}\s*(?:->|→|=>|to|-->|>)\s*{SCORE}", re.I)
PERCENT = re.compile(r"(\d{1,3})\s*(?:(?:-|to)\s*\d{1,3}\s*)?(?:%|percent\b)", re.I)
PERCENT_WORDS = {"half": 50, "a third": 33, "one third": 33, "two thirds": 67, "two-thirds": 67, "a quarter": 25,
                 "three quarters": 75, "three-quarters": 75}
PERCENT_WORD = re.compile(r"\b(half|a third|one third|two[- ]thirds|a quarter|three[- ]quarters)\b(?=\s+(?:of\s+)?(?:her|his|the|its)?\s*(?:\w+\s+)?(?:pain|symptoms|relief|better|improved|gone|went))"
                          r"|\bby (?:about |roughly |around |~)?(half|a third|two[- ]thirds|a quarter|three[- ]quarters)\b", re.I)


def _percent(t: str) -> int | None:
    p = PERCENT.search(t)
    if p and int(p.group(1)) <= 100:
        return int(p.group(1))
    w = PERCENT_WORD.search(t)
    word = (w.group(1) or w.group(2)).lower().replace("-", " ") if w else ""
    return PERCENT_WORDS.get(word) if w else None
RESPONSE_CONTEXT = re.compile(r"(prior|previous|last|initial|first|s/p|since|after|from)\b[^.\n]{0,60}(TPI|injection|trigger|needling|DN|procedure|session|treatment|shot|round)s?\b|"
                              r"(TPI|injection|needling)s?\b[^.\n]{0,40}\b(ago|previously|last)|"
                              r"\b(?:the|her|his)\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|\d{1,2}/\d{1,2})\w*\s+(?:TPIs?|injections?|session|needling)|"
                              r"\b(?:TPIs?|TrPIs?|injections?|needling|DN)\s+(?:\w+\s+){0,2}?(?:on|of|from|dated|in)?\s*\(?(?:\d{1,2}/\d{1,2}|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w*)|"
                              r"\b(?:mon|tues|wednes|thurs|fri|satur|sun)day'?s?\s+(?:TPIs?|injections?|session|needling|DN|shots?)|\bresponse to\b|\blast one\b|"
                              r"\b(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)'s\s+(?:TPIs?|injections?|session|needling|DN|shots?)|"
                              r"\b(?:TPIs?|TrPIs?|injections|needling|DN)\s+(?:elsewhere|outside|at (?:another|an outside|her previous|his previous)\b)|"
                              # "injections with lidocaine and Kenalog at another pain clinic on three occasions"
                              r"\b(?:TPIs?|TrPIs?|injections)\b[^.\n]{0,50}\b(?:at|from|by)\s+(?:another|an outside|an urgent care|a different|"
                              r"(?:her|his|the) previous|outside)\b|"
                              r"\b(?:TPIs?|TrPIs?|injections?|needling|DN|shots?)\s+(?:on|last)\s+(?:mon|tues|wednes|thurs|fri|satur|sun)day\b|"
                              r"\b(?:injected|treated|needled)\b[^.\n]{0,80}\bon\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|\d{1,2}/)\w*|"
                              r"\b(?:injected|treated|needled)\s+(?:on\s+)?\d{1,2}/\d{1,2}\b|"
                              r"(TPI|injection|needling)s?\s+(?:\w+\s+){0,3}?(done|performed|given|received)\s+(on\b|last\b|in\b|mon|tue|wed|thu|fri|sat|sun|\(?\d)", re.I)
# Every alternative of RESPONSE_CONTEXT names the treatment with one of these words (or is "response to" /
# "last one"); checking for them first skips the slow search on most sentences.
RESPONSE_WORDS = ("tpi", "trpi", "inject", "trigger", "needl", "dn", "procedure", "session", "treat", "response to",
                  "last one", "shot", "round")


has_response_word = has_any(RESPONSE_WORDS)


@lru_cache(maxsize=4096)  # asked once per muscle mention of a sentence
def response_context(t: str) -> bool:
    """RESPONSE_CONTEXT.search(t), as a bool."""
    low = folded(t)
    return has_response_word(low) and RESPONSE_CONTEXT.search(t) is not None


# the session's own result ("post-procedure 80% relief") is not the response to the prior injection
THIS_SESSION = re.compile(r"\b(post[- ]?(procedure|injection|TPI)|immediately|after the procedure|at \d+ min|minutes? after|today)\b", re.I)
RELIEF_DURATION = re.compile(rf"\b(?:for|x|×|lasting|lasted|which lasted|that lasted|over|sustained for|about|approximately|roughly|around|held up for|a good)\s*(?:about\s+|approximately\s+|approx\.?\s+|nearly\s+|almost\s+|over\s+|roughly\s+|around\s+|~\s*|close to\s+|a full\s+|a good\s+)?({NUM})\s*(?:\+\s*)?(days?|weeks?|wks?|months?|mos?)\b", re.I)
QUALITATIVE = re.compile(r"\b(bought (?:her|him|them|me)|each lasting|lasting about|eased|good|great|less \w+|looser|loosened|easier|pain[- ]free|decreased?|reduc\w+|helped|relief|improvement|improved|benefit|better|response|responded|no change|no (?:real|significant|meaningful|appreciable) change|did not help|worse)\b", re.I)
qualitative = cue(QUALITATIVE)


SPELLED_SCORE = re.compile(r"\b(zero|one|two|three|four|five|six|seven|eight|nine|ten|\d{1,2})\s+(?:out\s+)?of\s+(?:ten|10)\b"
                           r"(?!\s*(?:patients|points|sites|visits|sessions|injections|trigger))", re.I)
# "NRS 7 pre / NRS 3 post": a scale name before the number instead of "/10" after it
SCALE_SCORE = re.compile(r"\b(NRS|VAS|NPRS)\s*:?\s*(\d{1,2})\b(?!\s*/)", re.I)
SPELLED = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
           "nine": 9, "ten": 10}


def _as_digits(t: str) -> str:
    """'pain eight out of ten beforehand' -> 'pain 8/10 beforehand', 'NRS 7 pre' -> 'NRS 7/10 pre' (dictated
    and scale-first scores). Each pattern is tried only on text holding the word it needs."""
    low = folded(t)
    if "of" in low:
        t = SPELLED_SCORE.sub(lambda m: f"{SPELLED.get(m.group(1).lower(), m.group(1))}/10", t)
    if "nrs" in low or "nprs" in low or "vas" in low:
        t = SCALE_SCORE.sub(lambda m: f"{m.group(1)} {m.group(2)}/10", t)
    if ("0-10" in low or "0 to 10" in low) and ("pre" in low or "post" in low):
        # "Flowsheet - Procedural Pain (NRS 0-10): Pre-procedure 8 | Post-procedure (10 min) 3"
        t = FLOWSHEET_SCORE.sub(lambda m: f"{m.group(1)}{m.group(2)}/10", t)
    return t


SCORE_DROP = re.compile(r"\b(\d{1,2})\s*/\s*10\s*(?:->|→|=>|-->|to)\s*(\d{1,2})\s*(?:/\s*10)?\b")
EARLIER_SESSION = re.compile(r"\b(?:prior|previous|last|earlier|s/p)\b", re.I)
FLOWSHEET_SCORE = re.compile(r"\b((?:pre|post)[\w-]*(?:\s*\([^()]{0,20}\))?\s*:?\s*)(\d{1,2})\b(?!\s*(?:/|%|mm|min|mg|ml|cc|sec))", re.I)


# every match of PRE or PRE_AFTER holds one of these words, of POST or POST_AFTER one of those, of ARROW one of the last
has_pre_word = has_any(("pre", "before", "baseline", "prior"))
has_post_word = has_any(("post", "after", "following", "discharge", "departure"))
has_arrow_word = has_any(("pain", "vas", "nrs", "nprs", "score"))


def extract_pain_scores(view: NoteView, anchor: int | None = None) -> tuple[int | None, int | None]:
    """Pre- and post-injection scores; `anchor` is where the procedure is documented."""
    pre = post = None
    for s in view.sentences:
        t = _as_digits(s.text)
        if not DIGIT.search(t):
            continue  # every score pattern below needs a digit
        low = folded(t)  # and each of them one of the words it is tried after
        if pre is None and has_pre_word(low):
            m = PRE.search(t) or PRE_AFTER.search(t)
            if m and int(m.group(1)) <= 10:
                pre = int(m.group(1))
        if post is None and has_post_word(low):
            m = POST.search(t) or POST_AFTER.search(t)
            if m and int(m.group(1)) <= 10:
                post = int(m.group(1))
        if (pre is None or post is None) and has_arrow_word(low) and not (response_context(s.text) and EARLIER_SESSION.search(s.text)):
            # (not "Response to prior TPI (01/08/2025): pain 8/10 -> 3/10": that session's scores)
            a = ARROW.search(t)
            line = view.text[view.text.rfind("\n", 0, s.start) + 1:s.end]  # "Post-procedure: ... Pain 7/10 -> 2/10."
            if a and int(a.group(1)) <= 10 and int(a.group(2)) <= 10 and (re.search(
                    r"pre|post|before|after|injection|procedure|TPI|immediately|following", line, re.I)
                    or s.section == "procedure" or (anchor is not None and s.start > anchor)
                    or (s.section not in ("history_of_present_illness", "past_medical_history", "medications")
                        and not ARROW_PAST.search(t))):
                pre = pre if pre is not None else int(a.group(1))
                post = post if post is not None else int(a.group(2))
        if (pre is None or post is None) and "from" in low:
            d = DOWN_FROM.search(t)  # "HA pressure down from 6/10 to 2/10 at 10 min"
            if d and int(d.group(1)) <= 10 and int(d.group(2)) <= 10:
                pre = pre if pre is not None else int(d.group(1))
                post = post if post is not None else int(d.group(2))
    if (pre is None or post is None) and anchor is not None:
        p2, q2 = _around_procedure(view, anchor, pre, post)
        if pre is not None or post is not None or (p2 is not None and q2 is not None):
            pre, post = p2, q2  # with no labelled score at all, only a full pre/post pair is taken
    return pre, post


# "Pain today 8/10 (NRS)" before the procedure and "Pain 3/10 (NRS) at 15 minutes" after it
SCORE_ANY = re.compile(r"\b(?:(?:NRS|VAS|NPRS)\s*:?\s*(\d{1,2})\b(?!\s*/\s*10)|(\d{1,2})\s*(?:/\s*10|out of 10))", re.I)
NOT_CURRENT = re.compile(r"\b(worst|best|average|range|ranges|up to|at most|at least|usually|typically|goal|flares? to)\b", re.I)
AFTER_WORDS = re.compile(r"\b(after|afterwards?|post|later|min(?:ute)?s?\b|following|reduced to|down to|improved to|decreased to|rated)\b", re.I)
DOWN_FROM = re.compile(r"\bfrom\s+(\d{1,2})\s*/\s*10\s+to\s+(\d{1,2})\s*/\s*10", re.I)


def _around_procedure(view: NoteView, anchor: int, pre, post):
    """One score found by its label, the other written plainly on its side of the procedure."""
    for s in view.sentences:
        text = _as_digits(s.text)
        for m in SCORE_ANY.finditer(text):
            pos = s.start + m.start()
            n = int(m.group(1) or m.group(2))
            if n > 10:
                continue
            window = text[max(0, m.start() - 40):m.end() + 40]
            if pre is None and pos < anchor and re.search(r"pain|HA|headache|today|now|rates?|score|NRS|VAS", window, re.I) \
                    and not NOT_CURRENT.search(window) and not AFTER_WORDS.search(text[max(0, m.start() - 25):m.end() + 25]):
                pre = n  # the last plain score before the procedure wins
            if post is None and pos > anchor and AFTER_WORDS.search(text[max(0, m.start() - 30):m.end() + 30]):
                post = n
    return pre, post


OTHER_TREATMENT = re.compile(r"\b(PT|physical therapy|physio\w*|medication|meds|naproxen|ibuprofen|massage|chiro\w*|splint)\b", re.I)


def response_in_repeat_note(view: NoteView, anchor: int | None) -> PriorResponse | None:
    """A repeat visit that states a relief before today's procedure without naming the injection:
    "Diary: ... reduced by about 60%; the benefit lasted a full 6 weeks"."""
    for s in view.sentences:
        if anchor is not None and s.start >= anchor:
            break
        t = s.text
        if qualitative(t) and (_percent(t) is not None or RELIEF_DURATION.search(t)) and not _this_session(t) \
                and not OTHER_TREATMENT.search(t):
            return _response_from(t)
    return None


def _this_session(t: str) -> bool:
    """The relief is today's result when the clause that states it says so ('80% relief post-procedure');
    'Less HA since Mon's session, neck stiff today' states Monday's result and today's stiffness."""
    pieces = [p for p in re.split(r"[,;]", t) if QUALITATIVE.search(p) or _percent(p) is not None]
    return any(THIS_SESSION.search(p) for p in pieces or [t])


def _response_from(t: str) -> PriorResponse:
    relief = _percent(t)
    drop = SCORE_DROP.search(t) if relief is None else None
    if drop and 0 < int(drop.group(1)) <= 10 and int(drop.group(2)) < int(drop.group(1)):
        a, b = int(drop.group(1)), int(drop.group(2))
        relief = round((a - b) * 100 / a)  # "pain 8/10 -> 3/10": relief as the share of the pain that went
    dur = None
    for d in RELIEF_DURATION.finditer(t):
        if re.search(r"ago", t[d.end():d.end() + 6], re.I):
            continue
        n = to_number(d.group(1))
        if n:
            unit = d.group(2).lower()
            dur = int(n * (1 if unit.startswith("d") else 7 if unit.startswith("w") else 30))
            break
    if re.search(r"\b(no|not|without|minimal|none)\b[^.]{0,15}\b(relief|benefit|improvement|help)", t, re.I) and relief is None:
        relief = 0
    return PriorResponse(relief, dur)


BLANK_FIELD = re.compile(r"\bresponse[^:\n]{0,30}:\s*_{3,}", re.I)


def extract_prior_response(view: NoteView) -> PriorResponse | None:
    sents = view.sentences
    for i, s in enumerate(sents):
        t = s.text
        if not response_context(t) and not re.search(r"\b(last|prior|previous) (time|session|visit)\b|since then", t, re.I):
            continue
        if OTHER_TREATMENT.search(t) and not re.search(r"\b(?:TPIs?|TrPIs?|injections?|injected|shots?|needling|needled|DN)\b", t, re.I):
            continue  # "Since her last visit she completed 6 PT sessions with minimal benefit": PT's outcome
        if _this_session(t) and not re.search(r"\b(prior|previous|last|ago|s/p)\b", t, re.I):
            continue  # "post-injection: 80% relief from TPI" is today's result
        if BLANK_FIELD.search(t) or not (_percent(t) is not None or RELIEF_DURATION.search(t)
                                         or any(q.group(0).lower() not in ("response", "responded") for q in QUALITATIVE.finditer(t))
                                         or not qualitative(t)):
            continue  # "Response to prior injection: ______" is a blank template field
        if not qualitative(t) and not (_percent(t) is not None and RELIEF_DURATION.search(t)) and not SCORE_DROP.search(t):
            # "Returns 10 weeks after TPI to the R QL. Reports ~70% improvement lasting 6 weeks."
            # (but "TPI 6/10/24: 60% x 6 wks" and "her pain went from 8/10 -> 3/10" say it themselves)
            nxt = sents[i + 1].text if i + 1 < len(sents) else ""
            if not (qualitative(nxt) and (_percent(nxt) is not None or RELIEF_DURATION.search(nxt))
                    and not THIS_SESSION.search(nxt)):
                continue
            t = nxt
        r = _response_from(t)
        nxt = sents[i + 1].text if i + 1 < len(sents) else ""
        if r.relief_percent is not None and r.duration_days is None and nxt is not t \
                and (LASTED.search(nxt) or (qualitative(nxt) and not THIS_SESSION.search(nxt))):
            # "... about 70% reduction in headache intensity. The relief lasted roughly 7 weeks."; "... his pain went
            # from 6/10 to 2/10. He rates overall relief at about 60%, lasting about 8 weeks": the next sentence
            # completes it (its own percent, if it states one, is the patient's rating)
            rn = _response_from(nxt)
            if rn.duration_days is not None:
                r = PriorResponse(rn.relief_percent if rn.relief_percent is not None else r.relief_percent, rn.duration_days)
        return r
    return None


# the next sentence says how long that relief lasted
LASTED = re.compile(r"\b(?:relief|benefit|improvement|effect|response|it|this|that)\s+(?:has\s+|had\s+)?(?:lasted|held|persisted|"
                    r"wore off after)\b", re.I)
