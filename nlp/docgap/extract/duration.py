"""How long the treated pain has lasted, in days (week 7, month 30, year 365)."""
from __future__ import annotations

import re
from datetime import date

from ..facts import Evidence
from .note import NUM, NoteView, carried_forward_blocks, folded, has_any, to_number

UNIT_DAYS = {"d": 1, "day": 1, "w": 7, "wk": 7, "week": 7, "fortnight": 14, "m": 30, "mo": 30, "mon": 30, "month": 30,
             "y": 365, "yr": 365, "year": 365}
UNIT = r"(days?|d|weeks?|wks?|wk|w|fortnights?|months?|mos?|mo|mths?|m|years?|yrs?|yr|y)"
NUMBER = rf"({NUM}|half a|one and a half|a couple of|couple of)(?:\s*(?:-|to|or)\s*({NUM}))?\s*\+?"
DURATION = re.compile(
    rf"(?:\b(?:for|x|×|over|past|last|lasting|going on|duration(?: of (?:symptoms|pain|complaints?))?\s*:?|of|approximately|approx\.?|about|around|nearly|almost|"
    rf"greater than|more than|at least|since|roughly|close to|almost|nearly)\s*(?:the\s+)?(?:(?:past|last|approximately|approx\.?|about|over|roughly|around|nearly|almost|close to|~)\s*)*|(?<![\w.])x|×|(?<!\w)[~>≥]|(?<!\w)&gt;)"
    rf"\s*{NUMBER}\s*[- ]?{UNIT}\b(?!\s*-?\s*old)(?!\s*(?:a|per|/|each)\s*(?:month|mo|week|wk|day|year|yr)\b)"
    rf"|\b{NUMBER}\s*[- ]?{UNIT}'?\s*(?:-|\s)?(?:history|hx|h/o|duration)\b"
    rf"|\b{NUMBER}\s*[- ]?{UNIT}\s+(?!-?old\b)(?:of\s+)?(?:(?!old\b|with\b|who\b|male\b|female\b|man\b|woman\b)[\w/&-]+\s+){{0,6}}?(?:pain|symptoms|discomfort|aching)\b"
    rf"|\b(?:started|began|begun|onset:?|started about|began about|began approximately|started approximately|injured|injury|diagnosed|"
    rf"woke up|woke|awoke|developed|noticed|tweaked|since|moved|lifted|carried|carrying|bent|bending|reached|pulled|pushed|"
    rf"shoveled|shovelled|threw|swung|slept|moving|shoveling|shovelling|playing|gardening|running|lifting|"
    rf"rear-ended|fell|fall|accident|collision|MVA|MVC|strained|lifting|twisted)\s+(?:[\w-]+\s+){{0,8}}?\(?{NUMBER}\s*{UNIT}\s+ago"
    rf"|\b(?:pain|symptoms|ache|aching|tension|tightness|spasms?|(?-i:LBP|CLBP))\s+(?:(?:has|have|had)\s+been\s+)?(?:now\s+|for\s+|present\s+|ongoing\s+|x\s*|of\s+)?(?:~\s*|about\s+|approximately\s+|approx\.?\s+|over\s+|>\s*)?{NUMBER}\s*[- ]?{UNIT}\b"
    rf"(?!\s*(?:ago|old|later)\b)(?!\s*after\b(?!\s+(?:a|an|the|her|his)\s+(?:[\w-]+\s+)?(?:collision|accident|fall|injury|MVA|MVC|crash)))",
    re.I)
# DURATION tries many alternatives at every position and costs more than the rest of this module, yet
# most sentences cannot give a duration from it. A match gives one only if NUMBER's last token is
# followed (across `\s*\+?\s*[- ]?`) by the unit, and the unit by a word boundary or (alternative 2) by
# "history"/"duration"; with the digits of NUMBER that is DIGIT_UNIT. With a number word ("two",
# "half a", "couple of") the unit is either a longer one (WORD_UNIT) or a one-letter one, which
# extract_duration keeps only when the match holds `\d\s*[mdwy]\b` (then DIGIT_UNIT) or `x\s*\d`.
NUMBER_WORD = r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|eighteen|twenty|a|an|single|half|of)"
DIGIT = re.compile(r"\d")
DIGIT_UNIT = re.compile(rf"\d\s*\+?\s*[- ]?{UNIT}(?:\b|(?=[hd]))", re.I)
X_DIGIT = re.compile(r"x\s*\d", re.I)
WORD_UNIT = re.compile(rf"{NUMBER_WORD}\s*\+?\s*[- ]?(?:days?|weeks?|wks?|wk|fortnights?|months?|mos?|mo|mths?|years?|yrs?|yr)(?:\b|(?=[hd]))", re.I)
WORD_LETTER_UNIT = re.compile(rf"{NUMBER_WORD}\s*\+?\s*[- ]?[dwmy](?:\b|(?=[hd]))", re.I)
UNIT_WORDS = ("day", "week", "wk", "fortnight", "mo", "mth", "year", "yr")
has_unit_word = has_any(UNIT_WORDS)


def _may_give_duration(text: str, low: str) -> bool:
    """False only when no DURATION match in text can pass extract_duration's checks (low = folded(text))."""
    x_digit = False
    if DIGIT.search(text):
        if DIGIT_UNIT.search(text):
            return True
        x_digit = X_DIGIT.search(text) is not None
    if has_unit_word(low) and WORD_UNIT.search(text):
        return True
    return x_digit and WORD_LETTER_UNIT.search(text) is not None


MONTHS = {m: i for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)}
SINCE = re.compile(r"\b(?:since|onset(?: in)?:?|(?:beginning|starting|began|started|begun)(?:\s+(?:in|around|about|approximately))?|(?:started|began|starting|beginning) after)\s+(?:(?:a|an|the|her|his)\s+(?:[\w-]+\s+){1,3}?(?:in|on)\s+)?"
                   r"(?:approximately\s+|about\s+|around\s+|~\s*)?(?:(?:early|late|mid)[- ])?"
                   # a month with its day ("since March 3rd") is ONSET_EVENT's: it counts from the day
                   r"(?:(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?(?!\s+(?:[12]?\d|3[01])(?:st|nd|rd|th)?\b)"
                   r",?(?:\s+(?:of\s+)?(\d{4}))?\b|(\d{1,2})/(\d{4})|(\d{4})\b)", re.I)
EXCLUDE = re.compile(r"\b(relief|relieved|improvement|improved|better|down to(?=\s*(?:\d|~|about\b|an?\b|zero\b|one\b|two\b|three\b|four\b|five\b|six\b|seven\b|eight\b|nine\b|ten\b|nothing\b|mild\b))|fewer|creeping|baseline|returned|back up|back to|apart\b|spaced|recurr\w*|come back|coming back|wore off|wearing off|benefit|helped|lasted|lasting|looser|tight again|"
                     r"(?:prior|last|previous)\s+(?:TPI|(?:trigger[- ]point\s+)?injection)|injections? \w* ?ago|TPIs? \w* ?ago|"
                     r"weeks? of (?:PT|physical therapy|therapy)|sessions|visits|"
                     r"(?:PT|therapy|physical therapy|chiropractic|medication|NSAIDs?|program)\s+(?:for|x)\s*\d|"
                     # "aquatic physical therapy twice weekly for the last 2 months": the therapy's duration
                     r"(?:(?-i:PT|HEP)|therapy|chiropractic|program|exercises?|massage|acupuncture|yoga|splint|brace)\b[^.;,]{0,30}\b(?:for|x)\s+(?:the\s+)?(?:last\s+|past\s+)?~?\s*"
                     r"(?:\d|(?:a|an|one|two|three|four|five|six|several)\s+(?:days?|weeks?|months?))|"
                     # "good reduction of head turning for ~10 weeks", "~50% less jaw pain so far (4 weeks)"
                     r"reduc\w+|less (?:\w+ )?pain|\d+\s*%\s*(?:less|better|relief|improve\w*|reduc\w*|for|x|lasting)\b|so far|wanes|wore off|"
                     r"sore(?:ness)?\s+for|bought\s+(?:her|him|them|me|us)\b|"
                     # "completely pain-free for well over a year until this episode": a remission
                     r"\b(?:pain|symptom|headache)[- ]free\b|"
                     # "the September injections were good for 2 months": a relief
                     r"\b(?:good|great|fine|well|settled|quiet) for\b|"
                     # "then gradual return of the pain over the last week", "pain 8/10 -> 3/10 for about 7 weeks"
                     r"\breturn of\b|\bgradual(?:ly)? return|\d+/10\s*(?:->|→|=>|to)\s*\d+(?:/10)?\b|"
                     # "got about a month out of the last round": the relief of a treatment
                     r"\bgot\b[^.;]{0,25}\bout of\b|"
                     # "about a 60% improvement, and it held for about 7 weeks": how long the relief held
                     r"\b(?:it|that|this|which|relief|benefit|effect)\s+(?:has\s+|had\s+)?held\b|"
                     # the duration of a side effect: "her sugars ran high for three days after the last one"
                     r"\b(?:sugars?|glucose|BP|blood pressure)\b|"
                     # an age, not a duration: "woman of 46 years", "aged 52 years", "61 years of age"
                     r"\b(?:wom[ae]n|m[ae]n|male|female|lady|gentleman|girl|boy|patient|pt|person)\s+of\s+\d+\s*(?:years?|yrs?)\b|"
                     r"\baged?\s*:?\s*\d+\s*(?:years?|yrs?)\b|\b\d+\s*(?:years?|yrs?)\s+of\s+age\b)", re.I)
PLAN_DURATION = re.compile(r"\b(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\s+(?:weeks?|months?|years?|mo)\s+of\s+(?:symptoms|pain)\b|\b(?:symptoms|pain)\s+(?:present\s+)?(?:x|for)\s*\d", re.I)
SCHEDULE_BEFORE = re.compile(r"\b(?:every|q\s?\d|f/u|follow[- ]?up|rtc|return|again in|review(?:ed)? in|recheck in|"
                             r"see (?:him|her|them|you|the patient) (?:again )?in)\b", re.I)
PAIN = re.compile(r"pain|ache|aching|symptom|\bsx\b|discomfort|spasm|tight|stiff|soreness|headache|c/o|complain|hx|history|onset|"
                  r"started|began|duration|myalgia|myofascial", re.I)


# "L neck/shoulder myofascial pain, 10 months," / "pain (10 months)"
BARE = re.compile(rf"\b(?:pain|symptoms|discomfort|ache)\b(?:[^.;\n\d(]|\([A-Z]\d[\d.]{{0,6}}\)){{0,40}}?[,:(-]\s*{NUMBER}\s*[- ]?{UNIT}\b(?!\s*(?:ago|old|later|after|of\b))", re.I)
# "for a year and a half"
HALF_MORE = re.compile(r"\s+and\s+a\s+half\b", re.I)
YEAR_HALF = re.compile(r"\b(?:a|one) year and a half\b|\b(?:a|one) and a half years\b", re.I)
# "for the past year"
PAST_ONE = re.compile(r"\b(?:for|over|during|in)\s+the\s+(?:past|last)\s+(year|month|week)\b", re.I)
# "treated here since Feb", "on meloxicam since March": the start of a treatment, not of the pain
# "on meloxicam since March" (not "pain on both sides since the accident")
NOT_ONSET = re.compile(r"\b(?:treated|seen|followed|here|therapy|PT|taking|on (?!(?:both|the|each|either|her|his|left|right)\b)\w+|using|"
                       r"attending|working|sessions?|visits?|injections?|TPIs?)\s+(?:\w+\s+){0,2}$", re.I)


# "June 2024", "June 14 of this year", "March 3rd, 2025"
_MONTH = (r"(?P<mon>jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?(?:\s+(?P<mday>[12]?\d|3[01])(?:st|nd|rd|th)?\b)?"
          r"(?:,?\s+(?:of\s+)?(?P<myear>last year|this year|\d{4}))?\b")
_HOLIDAY = (r"(?P<hol>thanksgiving|christmas|new year'?s(?: day)?|halloween|july 4th|fourth of july|labor day|memorial day|easter)"
            r"(?:\s+(?:weekend|sunday|day))?(?:,?\s+(?:of\s+)?(?P<hyear>\d{4})|,?\s+(?:of\s+)?(?P<hrel>this|last)\s+year)?")
# "7/10" is a pain score, never July 2010
_NUMERIC = r"(?P<m1>\d{1,2})/(?:(?P<d1>\d{1,2})/)?(?P<y1>\d{4}|(?!10\b)\d{2}\b)|(?P<iy>\d{4})-(?P<im>\d{1,2})-(?P<id>\d{1,2})\b"
# "started when he shoveled the driveway after the big storm in February of last year", "since MVA
# 10/2024", "since wisdom tooth extraction 3/20/2025", "onset ~Thanksgiving 2024"
ONSET_EVENT = re.compile(rf"\b(?:since|started|start|began|begun|onset|dating back to|dates back to|dat(?:es|ed|ing)(?:\s+(?:it|them|this|that|the\s+\w+))?(?:\s+\w+ly)?\s+(?:back\s+)?(?:to|from)|going back to|goes back to|"
                         rf"rear-ended|rear ended|injured|fell|slipped|tripped|MVA|MVC|collision|accident|DOI|date of injury|injury date)\b"
                         rf"(?P<gap>(?:[^.;\n]|\n(?![ \t]*\n)){{0,90}}?)(?:\b(?:in|on|around|about|approximately)\s+|~\s*|\b)(?:{_MONTH}|{_HOLIDAY}|{_NUMERIC})", re.I)
# every ONSET_EVENT match starts with one of these (the prefilter on the folded sentence)
ONSET_WORDS = ("since", "dates", "dated", "dating", "start", "began", "begun", "onset", "back", "rear", "injur", "fell", "slipp", "tripp", "mva", "mvc",
               "collision", "accident", "doi")
SENTENCE_CLOSED = re.compile(r"[.!?;:]\s*$")
HOLIDAY_WORDS = ("thanksgiving", "christmas", "new year", "halloween", "labor day", "memorial day", "easter")  # July: a month
has_holiday = has_any(HOLIDAY_WORDS)
has_month = has_any(MONTHS)
has_since_word = has_any(("since", "onset", "begin", "start", "began", "begun"))
has_onset_word = has_any(ONSET_WORDS)


def _may_hold_date(text: str) -> bool:
    """False only when ONSET_EVENT cannot match text: it ends on a month, a holiday or a date written
    with '/' or '-' and digits."""
    low = folded(text)
    return has_month(low) or has_holiday(low) or (
        ("/" in text or "-" in text) and DIGIT.search(text) is not None)


# "rear-ended at a stoplight yesterday", "tweaked it lifting boxes last night": a day
YESTERDAY = re.compile(r"\b(?:started|began|begun|onset|injured|hurt|strained|twisted|tweaked|pulled|fell|slipped|rear-ended|"
                       r"rear ended|lifting|lifted|woke|awoke|developed|noticed)\b[^.;\n]{0,60}?\b(?:yesterday|last night)\b", re.I)


def _may_give_since(text: str, low: str) -> bool:
    """False only when SINCE cannot match text: it opens on one of these words and ends on a month or digits."""
    return has_since_word(low) and (DIGIT.search(text) is not None or has_month(low))


RECURRED = re.compile(r"\b(?:(?:came|come|coming|comes|is|was|crept|creeping|slowly|gradually|been)\s+back|returned|recurred|again|"
                      r"flared?|worse|worsening)\s+(?:\w+\s+)?$", re.I)
# British shorthand: "18/12 hx of neck pain" is 18 months, "pain for 6/52" 6 weeks (never a date: it
# needs "hx"/"history" after it or "for"/"x" before it)
UK_DURATION = re.compile(r"\b(\d{1,2})/(12|52)\s*(?=(?:hx|history|h/o)\b)|(?:\bfor|\bx|\bover (?:the )?(?:last|past))\s*(\d{1,2})/(12|52)\b"
                         r"(?!/|\s*\d)", re.I)
CAME_BACK = r"(?:(?:came|come|coming|comes|crept|creeping|crawled)\s+back|returned|recurred)"
CAME_BACK_AFTER = re.compile(rf"[^.;]{{0,60}}?\b{CAME_BACK}\b", re.I)
WHERE_BEFORE = re.compile(r"\bwhere (?:he|she|they|it|I|we) $", re.I)  # "back to where he started by Christmas"
THERAPY_STARTED = re.compile(r"(?:started|began|begun)\b", re.I)
# "the pain has crept back over the last week": how long since it came back, not how long it has lasted
RETURNED = re.compile(rf"\b{CAME_BACK}\s+(?:\w+\s+)?$", re.I)
TREATMENT_GAP = re.compile(r"\b(?:PT|therapy|medications?|meds?|taking|took|starting|meloxicam|ibuprofen|injections?|TPIs?|program|"
                           r"exercises?|seen|treated|visits?|DN|needling|OMT|TENS|chiro\w*|splint|brace)\b", re.I)
HOLIDAYS = {"thanksgiving": None, "christmas": (12, 25), "new year": (1, 1), "halloween": (10, 31), "july 4th": (7, 4),
            "fourth of july": (7, 4), "labor day": None, "memorial day": None}


def _holiday(name: str, year: int) -> date | None:
    if name == "thanksgiving":  # the fourth Thursday of November
        first = date(year, 11, 1)
        return date(year, 11, 1 + (3 - first.weekday()) % 7 + 21)
    if name == "easter":  # Gregorian computus (Meeus/Jones/Butcher)
        a, b, c = year % 19, year // 100, year % 100
        d, e = b // 4, b % 4
        g = (8 * b + 13) // 25
        h = (19 * a + b - d - g + 15) % 30
        i, k = c // 4, c % 4
        l_ = (32 + 2 * e + 2 * i - h - k) % 7
        m = (a + 11 * h + 22 * l_) // 451
        month = (h + l_ - 7 * m + 114) // 31
        return date(year, month, (h + l_ - 7 * m + 114) % 31 + 1)
    return date(year, *HOLIDAYS[name]) if HOLIDAYS.get(name) else None


def _event_days(m: re.Match, dos: str | None) -> int | None:
    if not dos:
        return None
    try:
        ref = date.fromisoformat(dos)
        if m.group("mon"):
            month = MONTHS[m.group("mon")[:3].lower()]
            y = (m.group("myear") or "").lower()
            year = (ref.year - 1 if y == "last year" else ref.year if y == "this year" else int(y) if y
                    else (ref.year if month <= ref.month else ref.year - 1))
            start = date(year, month, int(m.group("mday") or 1))
            if not y and start > ref:
                start = date(year - 1, month, start.day)  # "since June 14" in a note of June 2
        elif m.group("hol"):
            name = m.group("hol").lower().replace("'s day", "").replace("'s", "").replace("s day", "").strip()
            rel = (m.group("hrel") or "").lower()
            if m.group("hyear") or rel:
                start = _holiday(name, int(m.group("hyear")) if m.group("hyear") else ref.year - (rel == "last"))
            else:  # the last one before the visit
                start = _holiday(name, ref.year)
                if start is not None and start > ref:
                    start = _holiday(name, ref.year - 1)
            if start is None:
                return None
        elif m.group("iy"):
            start = date(int(m.group("iy")), int(m.group("im")), int(m.group("id")))
        else:
            y = int(m.group("y1"))
            y = y + 2000 if y < 100 else y
            start = date(y, int(m.group("m1")), int(m.group("d1") or 1))
    except (ValueError, KeyError):
        return None
    d = (ref - start).days
    return d if d >= 0 else None


def _clause_window(text: str, m: re.Match) -> str:
    """Up to 40 characters before and 30 after the match, within its clause (a relief or a therapy in
    the next clause is not about this duration: "pain x 1 yr, PT x 8 weeks and meloxicam without relief")."""
    before = text[max(0, m.start() - 40):m.start()]
    before = re.split(r"[,;]", before)[-1]
    after = re.split(r"[,;.]", text[m.end():m.end() + 30])[0]
    return before + m.group(0) + after


def _days(num: str, unit: str) -> int | None:
    num = num.lower().strip()
    if num in ("half a",):
        n = 0.5
    elif num == "one and a half":
        n = 1.5
    elif num in ("a couple of", "couple of"):
        n = 2
    else:
        n = to_number(num)
    if n is None:
        return None
    u = unit.lower().rstrip("s")
    u = {"mth": "month", "mos": "month", "mo": "month", "wks": "week", "yrs": "year"}.get(u, u)
    if u not in UNIT_DAYS:
        u = u[:1]
    return int(round(n * UNIT_DAYS.get(u, 0))) or None


def _since_days(m: re.Match, dos: str | None) -> int | None:
    if not dos:
        return None
    try:
        ref = date.fromisoformat(dos)
        if m.group(1):
            month = MONTHS[m.group(1)[:3].lower()]
            # "since August" (no year): the most recent August on or before the date of service
            year = int(m.group(2)) if m.group(2) else (ref.year if month <= ref.month else ref.year - 1)
            start = date(year, month, 1)
        elif m.group(3):
            start = date(int(m.group(4)), int(m.group(3)), 1)
        else:
            start = date(int(m.group(5)), 1, 1)
    except (ValueError, KeyError):
        return None
    d = (ref - start).days
    return d if d >= 0 else None


APPROXIMATE = re.compile(r"\W*(?:for\s+)?(?:(?:the\s+)?(?:past|last)\s+)?(?:well\s+)?(?:over|more than|greater than|at least|about|approx\w*\.?|"
                         r"roughly|around|nearly|almost|close to|~|>)\s", re.I)
DATED = re.compile(r"\W*(?:since|started|start|began|begun|onset|dat(?:es|ed|ing))\b", re.I)


# a paragraph copied from an earlier note: its "about 5 months" was true then, so a duration stated
# today wins over it (note.carried_forward_blocks; view_of has already found them)
def _carried_forward(view: NoteView, pos: int) -> bool:
    return any(a <= pos < b for a, b in view.memo(carried_forward_blocks, lambda: carried_forward_blocks(view.text)))


def extract_duration(view: NoteView) -> tuple[int | None, Evidence | None]:
    candidates: list[tuple[int, int, int, Evidence]] = []
    for s in view.sentences:
        if s.section in ("medications", "review_of_systems", "signature"):
            continue
        if s.section == "plan" and not PLAN_DURATION.search(s.text):
            continue  # a plan's numbers are follow-up intervals, unless it restates "5 months of symptoms"
        # procedure sections sometimes open with the indication; rank their durations last
        penalty = 2 if s.section == "procedure" or _carried_forward(view, s.start) else 0
        text = s.text
        low = folded(text)  # word prefilters: each pattern below needs one of its words in the sentence
        for m in (DURATION.finditer(text) if _may_give_duration(text, low) else ()):
            if HALF_MORE.match(text, m.end()):
                continue  # "for a year and a half": YEAR_HALF reads it
            if EXCLUDE.search(_clause_window(text, m)) or SCHEDULE_BEFORE.search(text[max(0, m.start() - 15):m.end()]) \
                    or RETURNED.search(text[max(0, m.start() - 25):m.start()]):
                continue
            g = [x for x in m.groups()]
            # groups: per alternative (num, num2, unit)
            num = unit = None
            for i in range(0, len(g), 3):
                if g[i] and g[i + 2]:
                    num, unit = g[i], g[i + 2]
                    break
            if not num:
                continue
            if unit.lower() in ("m", "d", "w", "y") and not re.search(r"x\s*\d|\d\s*[mdwy]\b", m.group(0), re.I):
                continue
            if unit.lower() in ("m", "d", "w", "y") and text[m.end():m.end() + 1] == "/":
                continue  # "L levator x2 w/ 1% lido": "w/" is "with"
            if unit in ("M", "F") or (num.isalpha() and re.search(re.escape(num) + re.escape(unit), m.group(0))):
                continue  # "44M w/ low back pain" is a 44-year-old man; "pain, and" is not "an d"
            days = _days(num, unit)
            if not days:
                continue
            rank = (0 if PAIN.search(text) else 1) + penalty
            if THERAPY_STARTED.match(m.group(0)) and TREATMENT_GAP.search(text[max(0, m.start() - 40):m.start()]):
                continue  # "Currently in PT 2x/week, started 3 weeks ago": the therapy's start
            if re.search(r"\bnow\b|\bupdate\b|\bcurrently\b", text[max(0, m.start() - 30):m.end()], re.I):
                rank -= 1  # copy-forward text: "symptoms now for about 15 months" updates "x 1 yr" above it
            candidates.append((rank, s.start + m.start(), days,
                               Evidence(m.group(0), s.start + m.start(), s.start + m.end())))
        for m in (YESTERDAY.finditer(text) if "yesterday" in low or "last night" in low else ()):
            if not EXCLUDE.search(_clause_window(text, m)):
                rank = (0 if PAIN.search(text) else 1) + penalty
                candidates.append((rank, s.start + m.start(), 1, Evidence(m.group(0), s.start + m.start(), s.start + m.end())))
        for m in (UK_DURATION.finditer(text) if "/12" in text or "/52" in text else ()):
            if not EXCLUDE.search(_clause_window(text, m)):
                n, per = int(m.group(1) or m.group(3)), m.group(2) or m.group(4)
                rank = (0 if PAIN.search(text) else 1) + penalty
                candidates.append((rank, s.start + m.start(), n * (30 if per == "12" else 7),
                                   Evidence(m.group(0), s.start + m.start(), s.start + m.end())))
        for m in (YEAR_HALF.finditer(text) if "half" in low else ()):
            if not EXCLUDE.search(_clause_window(text, m)):
                rank = (0 if PAIN.search(text) else 1) + penalty
                candidates.append((rank, s.start + m.start(), 547, Evidence(m.group(0), s.start + m.start(), s.start + m.end())))
        bare = "pain" in low or "symptoms" in low or "discomfort" in low or "ache" in low
        past_one = "the" in low and ("past" in low or "last" in low)
        for pattern in (BARE, PAST_ONE):
            if not (bare if pattern is BARE else past_one):
                continue
            for m in pattern.finditer(text):
                if EXCLUDE.search(_clause_window(text, m)) or RETURNED.search(text[max(0, m.start() - 25):m.start()]):
                    continue
                if pattern is PAST_ONE and re.search(r"\b(?:PT|therapy|twice|times|injections?|doses?|visits?)\b[^.;]{0,25}$",
                                                     text[max(0, m.start() - 40):m.start()], re.I):
                    continue  # "PT twice in the past year" dates the therapy, not the pain
                if pattern is BARE and (m.group(3) in ("M", "F") or (m.group(1).isalpha() and (m.group(1) + m.group(3)) in m.group(0))):
                    continue  # "pain, and" is not "an d"
                days = _days(m.group(1), m.group(3)) if pattern is BARE else _days("1", m.group(1))
                if days:
                    rank = (0 if PAIN.search(text) else 1) + penalty
                    candidates.append((rank, s.start + m.start(), days,
                                       Evidence(m.group(0), s.start + m.start(), s.start + m.end())))
        # "ever since she slipped on wet leaves in\nSeptember 2024.": a date wrapped onto the next line
        dated = ""
        if has_onset_word(low):
            nxt = view.sentences[s.index + 1] if s.index + 1 < len(view.sentences) else None
            dated = view.text[s.start:nxt.end] if nxt is not None and not SENTENCE_CLOSED.search(text) else text
        for m in (ONSET_EVENT.finditer(dated) if dated and _may_hold_date(dated) else ()):
            if m.start() >= len(text):
                break
            if TREATMENT_GAP.search(m.group("gap") or "") or NOT_ONSET.search(dated[max(0, m.start() - 40):m.start()]) \
                    or RECURRED.search(dated[max(0, m.start() - 25):m.start()]) or CAME_BACK_AFTER.match(dated, m.end()) \
                    or WHERE_BEFORE.search(dated[max(0, m.start() - 12):m.start()]):
                continue
            days = _event_days(m, view.date_of_service)
            if days:
                rank = (0 if PAIN.search(text) else 1) + penalty
                candidates.append((rank, s.start + m.start() + 1, days, Evidence(m.group(0), s.start + m.start(), s.start + m.end())))
        for m in (SINCE.finditer(text) if _may_give_since(text, low) else ()):
            if NOT_ONSET.search(text[max(0, m.start() - 40):m.start()]) or RECURRED.search(text[max(0, m.start() - 25):m.start()]) \
                    or CAME_BACK_AFTER.match(text, m.end()):
                continue  # "pain slowly back since July", "since early March the ache has crept back": a recurrence
            if re.match(r"\s*(?:of\s+)?(?:last|this)\s+year|-\d", text[m.end():m.end() + 20], re.I):
                continue  # "since March of last year", "since 2025-03-20": ONSET_EVENT reads the full date
            days = _since_days(m, view.date_of_service)
            if days:
                rank = (0 if PAIN.search(text) else 1) + penalty
                candidates.append((rank, s.start + m.start(), days, Evidence(m.group(0), s.start + m.start(), s.start + m.end())))
    if not candidates:
        return None, None
    candidates.sort(key=lambda c: (c[0], c[1]))
    _, _, days, ev = candidates[0]
    if APPROXIMATE.match(ev.text):
        # "for well over two years, since January 2023": the dated onset in the same sentence is the exact one
        sent = next((x for x in view.sentences if x.start <= ev.start < x.end), None)
        for rank, _, d, e in candidates[1:]:
            if sent is not None and rank == candidates[0][0] and sent.start <= e.start < sent.end and DATED.match(e.text):
                return d, e
    return days, ev
