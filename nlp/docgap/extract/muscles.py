"""Injected muscles with laterality and per-muscle injections; the session's injection count."""
from __future__ import annotations

import re
from functools import lru_cache

from ..facts import Evidence, Muscle
from ..side_columns import column_blocks, count_grids
from .note import NUM, Mention, NoteView, cue, folded, has_any, injection_cue, to_number
from .procedure import above_reference, dosed, earlier_session_sentence, performed, sentence_is_planning
from .scores import qualitative, response_context

SIDE_WORD = re.compile(
    r"\b(?:left|right|lt|rt|L|R)\s*(?:and|&|/)\s*(?:left|right|lt|rt|L|R)\b|\b(bilateral(?:ly)?|bilat|b/l|B/L|BL|both|left|right|lt|rt|L|R)\b(?!\s*/\s*[lr]\b)|\b(?:L|R)(?=\s*[-/]?\s*(?:sided|side)\b)",
    re.I)
POST_SIDE = re.compile(r"^[ \t,|]*(?:pars\s+\w+\s+)?(?:\(\s*)?(bilaterally|bilateral|b/l|bilat|on the left|on the right|on both sides|"
                       r"(?:L|R|left|right)\s*(?:and|&|/|\+)\s*(?:L|R|left|right)|left|right|"
                       r"[LR]\s*[<>=]\s*[LR]|L|R|lt|rt|"
                       # Latin, after the name: "m. trapezius pars descendens sin.", "m. levator scapulae dextra"
                       r"sin(?:istr[ae]|ister)?\.?|dext(?:r[ae]|er)?\.?|dex\.)(?![\w])(?:\s*\))?",
                       re.I)
TABLE_ROW_MARKED = re.compile(r"^[^\n|]*\|[^\n|]*\|[^\n]*$|^[^\t\n]*\t[^\t\n]*\t")
SPACED = re.compile(r"[ \t]{2,}")


class _TableRow:
    """A table row: cells split by pipes or tabs, or a plain-text table aligned with runs of spaces
    ('QL          R      2        2 mL 0.25% bupivacaine'): three or more short cells, not prose."""

    @staticmethod
    def match(line: str):
        if TABLE_ROW_MARKED.match(line):
            return True
        cells = [c for c in SPACED.split(line.strip()) if c]
        if len(cells) < 3 or any(len(c) > 45 for c in cells):
            return False
        return sum(1 for c in cells if re.search(r"\.(?:\s|$)", c)) <= 1


TABLE_ROW = _TableRow()
BREAK = re.compile(r"[;\n]|(?<!\b[lLrR][tT])\.\s")  # not the period of "lt. levator"
EXAM_ONLY = re.compile(r"\b(tender|tenderness|TTP|palpation|palpated|spasm|taut|trigger points? (?:noted|identified|present|found)|"
                       r"range of motion|ROM|strength|reflex|exam|examination)\b", re.I)
PER_MUSCLE = re.compile(rf"^[\s,:-]*(?:\d+(?:\.\d+)?\s*(?:U|units?|mL|ml|cc|mg)\b[\s,]*(?:(?:divided|split|spread)\s+)?(?:over|into|among|across|in|at)\s+)({NUM})\s+(?:trigger points?|points?|sites?|TrPs?|TPs?|injections?)\b|"
                        rf"^[\s,:-]*(?:(?:was|were)\s+(?:injected|needled)\s+)?(?:at|in|with)\s+({NUM})\s+(?:separate\s+|distinct\s+|different\s+)?(?:points?|sites?|locations?|places?|trigger points?|TrPs?|injections?)\b|^[\s,:-]*(?:\(\s*)?(?:x|×|X)\s*(\d+)|^[\s,:-]*(?:\(\s*)?({NUM})\s+(?:injections?|sites?|points?|trigger points?|TrPs?|TPs?)\b(?!\s+(?:altogether|total|in total|in all|overall)\b)(?![^()\n]*\btotal\b[^()\n]*\))"
                        rf"|^[\s,:-]*(?:\(\s*)?(?:#|no\.?)\s*(\d+)", re.I)
PRE_COUNT = re.compile(rf"\b({NUM})\s+(?:injections?|sites?|points?|trigger points?|TrPs?|TPs?)\s+(?:each\s+)?(?:in(?:to)?|to|of|at|within)\s+(?:the\s+)?(?:[\w/]+\s+){{0,3}}$",
                       re.I)
PRE_X = re.compile(r"(?:^|[\s;,:(])(?:x|×)\s*(\d{1,2})\s+(?:(?:into|in|to|at)\s+(?:the\s+)?)?(?:(?:left|right|lt|rt|L|R|bilateral|b/l)\s+)?(?:upper\s+|lower\s+|mid(?:dle)?\s+)?$", re.I)
IN_EACH = re.compile(rf"\b({NUM})\s+(?:injections?\s+|sites?\s+|points?\s+|trigger points?\s+)?(?:(?:was|were)\s+(?:injected|needled)\s+)?(?:in(?:to)?|at|on|per)\s+(?:each|every)\b"
                     rf"|\beach\s+(?:side|muscle)\s+(?:x|×)\s*(\d+)|\b({NUM})\s+(?:injections?|sites?|points?|trigger points?|TrPs?|TPs?|needles?|needle sticks?|sticks?)\s+(?:each|per|ea)\b"
                     rf"|\beach\s+(?:injected|needled)\s+({NUM}|once|twice|thrice)\b|\b(?:x|×)\s*(\d+)\s+(?:each|ea)\b|\b(\d+)\s+(?:each|ea)\b"
                     rf"|\b({NUM})\s+(?:per|each|on each|on either)\s+side\b"
                     rf"|\b({NUM})\s+(?:trigger\s+)?(?:injections?|sites?|points?|needles?)\s+each\s+(?:in|into|to|at)\b",
                     re.I)
EACH_WORDS = ("ea", "every", "per", "either")  # every alternative of IN_EACH has one ("each" holds "ea")
has_each_word = has_any(EACH_WORDS)
_each_in = lru_cache(maxsize=4096)(lambda text: has_each_word(folded(text)))  # a sentence: may a part of it match IN_EACH


def _in_each(text: str) -> re.Match | None:
    """IN_EACH.search(text), skipping the slow search when none of its words is there."""
    low = folded(text)
    return IN_EACH.search(text) if has_each_word(low) else None


TOTAL = re.compile(
    rf"(?:total(?:\s+of)?|totaling|number of (?:injections|trigger points|sites)(?: injected)?|(?:TrPs?|TPs?|trigger points|points|sites)\s+(?:injected|needled|treated)\s*:|#\s*(?:of\s*)?(?:injections|sites|TPs|trigger points)|injections?\s*(?:performed|given)?\s*:|sites?\s*:)\s*:?\s*({NUM})\b"
    rf"|\b({NUM})\s+(?:separate\s+|distinct\s+|individual\s+|active\s+|myofascial\s+)?(?:trigger[- ]points?|TrPs?|TPs?|injection sites?|sites|injections|points|TPIs)\s+(?:\w+\s+){{0,3}}?(?:were|was)?\s*(?:injected|needled|treated|performed|identified and injected|given)"
    rf"|\b(?:injected|needled|treated|injecting|needling)\s+(?:a total of\s+)?({NUM})\s+(?:separate\s+|distinct\s+|individual\s+|active\s+)?(?:trigger[- ]points?|TrPs?|TPs|sites|points|areas|locations)"
    rf"|\b(?:TPIs?|trigger point injections?|injections?|dry needling)\s*(?:performed|given|done|administered)?\s*(?:x|×)\s*({NUM})\b"
    rf"|(?<![/\d.:])\b({NUM})\s+(?:TPIs|trigger point injections|injections)\b"  # not the time in "10:18 TPIs"
    rf"|\b({NUM})\s+(?:trigger[- ]points|TrPs|TPs|injection sites|sites|points)\s+(?:in\s+)?total\b"  # "6 sites total"
    rf"|\b(?:into|among|between|across|over|(?:at|in)(?=\s+each\s+of))\s+(?:each\s+of\s+)?(?:the\s+)?({NUM})\s+(?:\w+\s+){{0,2}}?(?:trigger[- ]points?|TrPs?|TPs|sites|points)"
    rf"|\b({NUM})\s+(?:trigger[- ]points?|TrPs?|TPs?|injection sites?|sites|injections|points|pts|needles|needle insertions|sticks)\s*(?:total|tot|in total|overall)\b"
    rf"|(?<![\w/#])#\s?(\d{{1,2}})\b(?!\s*(?:g\b|gauge|needle))(?!\s+[a-zA-Z])"
    rf"|\(\s*({NUM})\s+(?:total|TrPs? total|sites total|points total|TrPs?|TPs?|trigger points|sites|points|injections)\s*[);,]"
    rf"|\btotal(?:\s+of)?\s+({NUM})\s+(?:injections|sites|points|trigger points|TrPs|TPs|sticks|shots)\b"
    rf"|=\s*({NUM})\s+(?:needle\s+)?(?:insertions?|injections?|sites?|points?|TrPs?|TPs?|total)\b"
    rf"|\b(?:as\s+)?(a)\s+single\s+injection\b"
    rf"|(?<![\d.])\b(\d{{1,2}})\s+total\b(?!\s*(?:mL|ml|cc|mg|units?|volume|dose))"
    rf"|\b({NUM})\s+(?:in all|altogether|in total)\b"
    rf"|\b({NUM})\s+total\s+(?:injections|sites|points|trigger points|TrPs|TPs)\b",
    re.I)
TOTAL_WORD_AFTER = re.compile(r"^\s*(?:total|in total|altogether|in all|overall)\b", re.I)
DOSE_AFTER = re.compile(r"^\s*(?:mg|mL|ml|cc|units?|U|IU|%|mcg|out of|/\s*10)\b", re.I)
EACH_TIMES = re.compile(rf"\b(?:injected|needled|treated)\s+each\s+of\s+(?:the|these|those)\s+({NUM})\s+(?:muscles|sites)\s+"
                        r"(?:(once|twice|thrice)\b|(\d+)\s+times\b)", re.I)
REPEATS = {"once": 1, "twice": 2, "thrice": 3}
EACH_ONCE = re.compile(r"\b(?:each|every)\s+(?:muscle|site|trigger point|area)\s+(?:was\s+)?(?:injected|needled)\s+once\b|\b(?:one|1|a single)\s+(?:injection|trigger point|point|site)\s+(?:per|in each|into each|in every)\s+muscle\b|\bsingle\s+injection\s+(?:in|into)\s+each\b"
                       r"|\b(?:placed|injected|given|deposited)\s+(?:in|into|at)\s+each\s+of\b", re.I)


SIDE_BOX = re.compile(r"(?:\[\s*([xX✓✔*]?)\s*\]|(☐)|[☑☒])[ \t]*(L|R|lt|rt|left|right)\b[ \t]*", re.I)
SIDE_BOXES = re.compile(rf"[ \t]*(?:{SIDE_BOX.pattern}){{2}}", re.I)


def _ticked_sides(view: NoteView, m: Mention) -> list[str | None] | None:
    """'[x] Trapezius   [x] L   [x] R': a template row with a box per side; the ticked boxes are the sides."""
    line_end = view.text.find("\n", m.end)
    rest = view.text[m.end:len(view.text) if line_end == -1 else line_end]
    if not SIDE_BOXES.match(rest):
        return None
    sides = []
    for b in SIDE_BOX.finditer(rest):
        if not (b.group(2) or (b.group(0).startswith("[") and not b.group(1))):
            sides += _expand(b.group(3))
    return sorted(set(sides)) or [None]


OWN_POINTS = re.compile(r"[ \t]+(?:trigger[ \t]+)?(?:points?|sites?|TrPs?|TPs?|bands?|injections?|nodules?)\b", re.I)


BOTH_LATER = re.compile(r"\b\d+\s*[RL]\s*/\s*\d+\s*[LR]\b|\beach\s+(?:R|L|right|left)\s*(?:/|and|&)\s*(?:R|L|right|left)\b|"
                        r"\b(?:ea|each|per)\.?\s+side\b|(?:\bx|×)\s*\d+\s+(?:bilat\w*|b/l)\b|"
                        r"\bon the (?:right|left)\b[^.;]{0,25}\bon the (?:right|left)\b", re.I)
ONE_SIDE_AFTER = re.compile(r"[ \t]*[:=-]?[ \t]*\d+\s*(R|L)\b(?![ \t]*/)")
SIDE_HEADING = re.compile(r"[ \t]*(RIGHT|LEFT|Right|Left)(?:[ \t]+(?:SIDE|side|Side))?[ \t]*:?[ \t]*$")


def _side_heading(view: NoteView, m: Mention) -> str | None:
    """'RIGHT SIDE:' alone on a line: the lines under it (up to a blank line or the next heading) are that side."""
    text = view.text
    if "IGHT" not in text and "EFT" not in text and "ight" not in text and "eft" not in text:
        return None
    start = text.rfind("\n", 0, m.start) + 1
    for _ in range(12):
        if start == 0:
            return None
        prev = text.rfind("\n", 0, start - 1) + 1
        line = text[prev:start - 1]
        if not line.strip():
            return None
        h = SIDE_HEADING.match(line)
        if h:
            return h.group(1).lower()
        if line.rstrip().endswith(":") and not line.startswith((" ", "\t", "-")):
            return None  # another heading
        start = prev
    return None


def _grid_of(view: NoteView, m: Mention):
    """The 'Muscle  R  L' count grid the mention stands in (side_columns.py), or None."""
    return next((g for g in view.memo(_grid_of, lambda: count_grids(view.text)) if g.start <= m.start < g.end), None)


def _grid_counts(view: NoteView, m: Mention) -> dict[str, int] | None:
    grid = _grid_of(view, m)
    return grid.counts(view.text, m.start) if grid is not None else None


def _column_side(view: NoteView, m: Mention) -> str | None:
    """The side of the RIGHT / LEFT column the mention stands in (side_columns.py)."""
    for block in view.memo(_column_side, lambda: column_blocks(view.text)):
        if block.start <= m.start < block.end:
            return block.side_at(m.start - (view.text.rfind("\n", 0, m.start) + 1))
    return None


def _side(view: NoteView, m: Mention) -> list[str | None]:
    ticked = _ticked_sides(view, m) if "[" in view.text[m.end:m.end + 40] or "☐" in view.text[m.end:m.end + 40] else None
    if ticked is not None:
        return ticked
    after = view.text[m.end:m.end + 32]
    post = POST_SIDE.match(after)
    if post and not any(0 <= o.start - (m.end + post.end()) <= 3
                        and re.fullmatch(r"[ \t]*", view.text[m.end + post.end():o.start])
                        for o in view.of("MUSCLE", "MUSCLE_GROUP")):
        return _expand(post.group(1))  # (", R infraspinatus": that R belongs to the next muscle)
    seg_start = m.sent.start
    before = view.text[seg_start:m.start]
    # stop at the last hard break so a side from an earlier clause does not leak
    cut = max((b.end() for b in BREAK.finditer(before)), default=0)
    before = before[cut:]
    sides = list(SIDE_WORD.finditer(before))
    own_points = OWN_POINTS.match(view.text, m.end)
    if own_points:  # "at both infraspinatus points": both points, not both sides
        sides = [x for x in sides if x.group(0).lower() != "both"]
    both = re.search(r"\b(?:each|both)\s+(?:of\s+the\s+)?(?:upper\s+|lower\s+|middle\s+|mid\s+)?$|\b((?:each|both|per)\s+sides?)\b[^.;,]{0,25}$", before, re.I)
    if both and not (sides and sides[-1].start() >= (both.end(1) if both.group(1) else both.end())) \
            and not (both.group(1) is None and own_points):
        return ["left", "right"]  # "2 points in each rhomboid major" (not "(3 sites each side) and L QL")
    if sides:
        return _expand(sides[-1].group(0))
    # "The trapezius was injected on both sides": a side later in the muscle's own clause
    rest = _after_window(view, m)
    one_after = ONE_SIDE_AFTER.match(view.text, m.end)
    if one_after:  # "Rhomboid minor: 1R"
        return _expand(one_after.group(1))
    both_later = BOTH_LATER.search(rest)
    if not both_later:
        # "Levator scapulae and rhomboids, 2 ea side": the side phrase closing a list of muscles covers them all
        clause = re.split(r"[;\n]|\.\s", view.text[m.end:m.sent.end], maxsplit=1)[0]
        later_all = BOTH_LATER.search(clause)
        if later_all and not SIDE_WORD.search(clause[:later_all.start()]) and re.fullmatch(
                r"[\w\s,&()'.-]*", clause[:later_all.start()]):  # one character class: no backtracking
            both_later = later_all
    if both_later:  # "Upper trapezius: 2R/1L", "1 each R/L", "2 ea side", "x2 bilat", "three on the right and one on the left"
        return ["left", "right"]
    later = re.search(r"\b(?:on both sides|bilaterally|(?:each|per|both) sides?|on the (left|right)(?: side)?)\b"
                      r"|\(\s*(?:R|L|right|left)\s*(?:and|&|\+|,)\s*(?:R|L|right|left)\s*\)", rest, re.I)
    if later:  # "splenius capitis: 2 in each (R and L)"
        return [later.group(1).lower()] if later.group(1) else ["left", "right"]
    column = _column_side(view, m) or _side_heading(view, m)
    if column:
        return [column]
    heading = lead_in(view, m.sent)
    if heading:
        # "Trigger point injections, left chest wall, ...:" then "1st - pectoralis major": the list's side
        found = {s for w in SIDE_WORD.finditer(heading) for s in _expand(w.group(0))}
        if len(found) == 1 and None not in found:
            return list(found)
    return [None]


def _expand(word: str) -> list[str | None]:
    w = word.lower().strip()
    if re.fullmatch(r"[lr]\s*[<>=]\s*[lr]", w):
        return ["left", "right"]  # "levator (L>R)": both sides, the left worse
    if w.startswith("bilat") or w in ("b/l", "bl", "both", "on both sides") or re.fullmatch(
            r"(?:left|right|lt|rt|l|r)\s*(?:and|&|/|\+)\s*(?:left|right|lt|rt|l|r)", w) and w[0] != w[-1]:
        return ["left", "right"]
    if w in ("left", "l", "lt", "on the left") or w.startswith("sin"):
        return ["left"]
    if w in ("right", "r", "rt", "on the right") or w.startswith("dex"):
        return ["right"]
    return [None]


PERFORMED_TODAY = re.compile(r"\b(today|this visit|were performed|was performed)\b", re.I)
NOT_INJECTED = re.compile(r"\bnot (?:injected|needled|treated)\b|\bno injection\b|\b(?:deferred|skipped|omitted|left alone)\b|"
                          r"\b(?:did not|didn't|do not|will not|won't|not to) (?:inject|needle)\b|\b(?:nothing|anything) to inject\b", re.I)
not_injected = cue(NOT_INJECTED)


EARLIER = re.compile(r"\b(?:after|since)\s+(?:the\s+|her\s+|his\s+|last\s+|prior\s+)?(?:[\w/]+\s+){0,4}?(?:TPIs?|TrPIs?|injections|shots)\b"
                     r"|\b(?:s/p|status post|previous|last|ago)\b|\bprior\b(?!\s+to\b)", re.I)
STRONG_INJECTION = re.compile(r"inject|\bTPIs?\b|\bTrPIs?\b|needl|infiltrat|\bDN\b|\bIMS\b", re.I)
strong_injection = cue(STRONG_INJECTION)
TABLE_COUNT_HEAD = re.compile(r"(?:^|\|)\s*#\s*(?:of\s*)?(?:TrPs|TPs|pts|points|sites|inj\w*)\s*(?:\||$)", re.I)  # "| # TPs |"
LEAD_IN_WORDS = re.compile(r"inject|needl|\bTPIs?\b|\bsites?\b|\bpoints\b|\blog\b|treated|\bDN\b|\bIMS\b|\bTDN\b", re.I)


def lead_in(view: NoteView, sent) -> str | None:
    """The line that introduces the list or table this sentence's line belongs to ("Sites injected:",
    "IMS ... 0.30 x 60 mm:", a table header), found by walking up without crossing a blank line."""
    return view.memo((lead_in, sent.start), lambda: _lead_in(view, sent))


def _lead_in(view: NoteView, sent) -> str | None:
    text = view.text
    start = text.rfind("\n", 0, sent.start) + 1
    for _ in range(15):
        if start == 0:
            return None
        prev_end = start - 1
        prev_start = text.rfind("\n", 0, prev_end) + 1
        line = text[prev_start:prev_end]
        if not line.strip():
            return None
        stripped = line.rstrip()
        if (stripped.endswith(":") or TABLE_ROW.match(stripped)) and (
                LEAD_IN_WORDS.search(stripped) or dosed(stripped) or (TABLE_ROW.match(stripped) and TABLE_COUNT_HEAD.search(stripped))) \
                and not EXAM_ONLY.search(stripped):  # "... 2 mL per point:" introduces the sites too
            return stripped
        start = prev_start
    return None


def _counted_beside_injectate(view: NoteView, s) -> bool:
    """'Mixed in a 10 mL syringe: Sarapin 5 mL + 1% lidocaine 5 mL.' / 'Levator scapulae x2 each side; R UT x1.'
    / '1 mL per site.': a counted muscle line next to the injectate is the procedure, even under 'Exam:'."""
    if not counted_sites(s.text):
        return False
    near = view.sentences[max(0, s.index - 1):s.index + 2]
    return any(t is not s and (view.in_sentence(t, "DRUG") or dosed(t.text)) for t in near)


counted_sites = cue(re.compile(r"(?:\bx|×)\s?\d|\b\d+\s*(?:pts?|points?|sites?|TrPs?)\b", re.I))


def _parenthesis(view: NoteView, m: Mention) -> str | None:
    """The parenthesis the mention sits in, within its sentence."""
    s = m.sent
    if "(" not in s.text:
        return None
    rel = m.start - s.start
    open_ = s.text.rfind("(", 0, rel)
    if open_ == -1 or s.text.rfind(")", 0, rel) > open_:
        return None
    close = s.text.find(")", rel)
    return s.text[open_:close + 1 if close != -1 else len(s.text)]


def _injected(view: NoteView, m: Mention) -> bool:
    if not performed(m, view):
        return False
    if view.in_sentence(m.sent, "TPI", "DRY_NEEDLING") and earlier_session_sentence(view, m.sent):
        return False  # "Seen on 01/21/2025 for TPIs (bilateral QL, L gluteus medius)."
    paren = _parenthesis(view, m)
    if paren and NOT_INJECTED.search(paren):
        return False  # "(pectoralis major traversed, not injected)"
    if not_injected(m.sent.text) and m.sent.text.count(",") < 3:
        # "L medial pterygoid: tender intraorally, no referral; not injected today." (the muscle's own
        # clause, or the clause right after it when the muscle's clause is only findings)
        rel = m.start - m.sent.start
        clauses = m.sent.text.split(";")
        pos, k = 0, 0
        for k, c in enumerate(clauses):
            if pos + len(c) >= rel:
                break
            pos += len(c) + 1
        own = clauses[k]
        nxt = clauses[k + 1] if k + 1 < len(clauses) else ""
        if not_injected(own) or (not_injected(nxt) and not injection_cue(own)
                                        and not re.search(r"\b(?:performed|were|was)\b", nxt, re.I)):
            return False
    s = m.sent
    if s.section in ("history_of_present_illness", "past_medical_history", "medications", "review_of_systems"):
        return False
    grid = _grid_of(view, m)
    if grid is not None and (LEAD_IN_WORDS.search(grid.heading(view.text)) or dosed(grid.heading(view.text))):
        return True  # a row of a count grid under "Injections (1% lidocaine, 1 mL per point):"
    if response_context(s.text) and not PERFORMED_TODAY.search(s.text) and (
            qualitative(s.text) or EARLIER.search(s.text)):
        # "TrPI 5/6 (R masseter x2, R temporalis x1): reports ~50% less jaw pain for 3 wks",
        # "Returns one month after L infraspinatus/teres major TPIs."
        return False
    if s.section == "physical_exam":
        # "TrPs L glute med x2" on exam counts trigger points found, not injections
        # ("not convinced there is anything to inject there": an injection word that is negated is no cue)
        strong = strong_injection(NOT_INJECTED.sub(" ", s.text) if not_injected(s.text) else s.text)
        return bool(strong or dosed(s.text)) or lead_in(view, s) is not None \
            or _counted_beside_injectate(view, s) or above_reference(view) is not None or _enumerated_under_dose(view, m)
    if injection_cue(s.text) or view.in_sentence(s, "TPI", "DRY_NEEDLING") or dosed(s.text) \
            or re.match(r"\s*:?\s*\d{1,2}\s*(?:TrPs?|TPs?|trigger points?|points?)\b", view.text[m.end:m.end + 22]) \
            or (view.in_sentence(s, "DRUG") and re.search(r"\b(?:to|into)\s+(?:the\s+)?", s.text)):
        return True  # "1% lidocaine 1 mL each: R upper trapezius, ...", "Bupivacaine 0.25% to the bilateral rectus abdominis"
    if s.section == "procedure" and (not EXAM_ONLY.search(s.text) or re.search(r"\b(?:divided|distributed|split)\b", s.text, re.I)):
        return True  # "Mixture divided between the R gluteus medius (below the iliac crest), ..."
    return lead_in(view, s) is not None


COUNT_HEADER = re.compile(r"^(?:#\s*(?:of\s*)?(?:points|pts|injections|inj|sites|TrPs|TPs)|points?|pts|injections?|sites?|TrPs?|TPs?|"
                          r"trigger points?|number|no\.?|count|qty|n)(?:\s+(?:needled|injected|treated|inj\.?))?$", re.I)


def _cells(line: str) -> list[str]:
    if "|" in line:
        return [c.strip() for c in line.strip().strip("|").split("|")]
    if "\t" in line:
        return [c.strip() for c in line.split("\t")]
    return [c for c in SPACED.split(line.strip()) if c]


def _table_count(view: NoteView, m: Mention) -> int | None:
    """Injections on a table row: from a 'Points'/'Injections' column, or 1 per row of a numbered log."""
    text = view.text
    ls = text.rfind("\n", 0, m.start) + 1
    le = text.find("\n", m.start)
    le = len(text) if le == -1 else le
    row = text[ls:le]
    if not TABLE_ROW.match(row):
        return None
    lines, start = [], ls
    while start > 0:  # walk up to the header: the first row of the block
        ps = text.rfind("\n", 0, start - 1) + 1
        line = text[ps:start - 1]
        if not TABLE_ROW.match(line):
            break
        lines.insert(0, line)
        start = ps
    header = next((ln for ln in lines if re.search(r"[A-Za-z]", ln) and not re.fullmatch(r"[\s|:-]*", ln)), None)
    if header is None:
        return None
    heads, cells = _cells(header), _cells(row)
    # a "Site" column names the site; the count column is the one holding a number on this row
    cols = [i for i, h in enumerate(heads) if COUNT_HEADER.match(h) and h != "#" and i < len(cells)]
    col = next((i for i in cols if cells[i] and to_number(cells[i]) is not None), cols[0] if cols else None)
    if col is not None and col < len(cells):
        n = to_number(cells[col]) if cells[col] else None
        return int(n) if n is not None and float(n).is_integer() else None
    if heads and heads[0] == "#" and cells and cells[0].isdigit():
        return 1  # a numbered injection log: one row per injection
    return None


# "Trapezius L x2, R x2"
SIDE_PAIR = re.compile(r"^\s*[-:,]?\s*(L|R|left|right)\s*(?:x|×|-|:)?\s*(\d{1,2})\s*[,;/]\s*(L|R|left|right)\s*(?:x|×|-|:)?\s*(\d{1,2})\b", re.I)
# "Trapezius - L / 2": side, then the number of points
SIDE_SLASH = re.compile(r"^[ \t]*[-:–][ \t]*(L|R|left|right|lt|rt|bilat(?:eral)?|B/L)[ \t]*/[ \t]*(\d{1,2})\b(?![ \t]*(?:mL|ml|cc|mg|%))", re.I)
# "splenius capitis: one L, one R"
COUNT_SIDE_PAIR = re.compile(rf"^\s*[-:,]?\s*\(?\s*({NUM})\s+(?:(?:pts?|points?|sites?|inj)\s+)?(L|R|left|right)\s*[,;/]\s*"
                             rf"({NUM})\s+(?:(?:pts?|points?|sites?|inj)\s+)?(L|R|left|right)\b", re.I)
# "2 points in the left upper trapezius, 2 in the right"
ELLIPSIS_SIDE = re.compile(rf"^[^;.]*?,?\s*(?:and\s+)?({NUM})\s+(?:(?:points?|injections?|sites?)\s+)?(?:in|on|to|into)\s+the\s+(right|left)\b(?!\s+\w+\s+(?:muscle|trapezius|levator))", re.I)


LANDMARK_BEFORE = re.compile(r"\b(?:deep to|superficial to|beneath|underneath|overlying|through|adjacent to|lateral to|medial to|"
                             r"inferior to|superior to|(?<!divided )(?<!split )(?<!distributed )(?<!shared )between)\s+(?:the\s+)?(?:[LR]\s+|left\s+|right\s+)?$", re.I)


def _neighbours(view: NoteView, m: Mention) -> tuple[int, int]:
    """The end of the previous and the start of the next muscle mention in the sentence."""
    ms = view.in_sentence(m.sent, "MUSCLE", "MUSCLE_GROUP")
    prev_end = max((o.end for o in ms if o.end <= m.start), default=m.sent.start)
    next_start = min((o.start for o in ms if o.start >= m.end), default=m.sent.end)
    return prev_end, next_start


def _after_window(view: NoteView, m: Mention) -> str:
    """The text after the mention up to the next muscle or the end of its clause (asked several times per mention)."""
    return view.memo((_after_window, m.start, m.end), lambda: _compute_after_window(view, m))


def _compute_after_window(view: NoteView, m: Mention) -> str:
    _, nxt = _neighbours(view, m)
    after = view.text[m.end:nxt]
    cut = re.search(r";|(?<!\.)\.\s|\n", after)  # not the dot leaders of "R biceps ...... 1"
    return after[:cut.start()] if cut else after


SIDE_PHRASE = r"(?:(?:bilaterally|bilateral|b/l|bilat|left|right|L|R|on the (?:left|right)|on both sides)\b(?:\s+only\b)?[\s,:-]*)?"
# a count written after its muscle: "x2", "(2)", "(x2)", "2 injections", "at 2 points", "twice", "2 ea"
COUNT_AFTER = re.compile(rf"^(?:[\s,:|-]|\.{{2,}}|…)*(?:\([^)\d]{{1,40}}\)[\s,:|-]*)?(?:\(?[CTLS]\d{{1,2}}(?:\s*[-/]\s*[CTLS]?\d{{1,2}})?(?:\s+level)?\)?[\s,]*)?{SIDE_PHRASE}(?:(?:(?:was|were)\s+)?(?:injected|needled)\s+(?:today\s+|this visit\s+)?)?"
                         rf"(?:(?:at|in)\s+({NUM})(?=\s*[,.;)]|\s+(?:with|and|using)\b|\s*$)|"
                         rf"\(\s*(?:x\s*)?(\d+|one|two|three|four|five|six)\s*\)|(?:x|×)\s*(\d+)\b(?!\s*(?:each|ea)\b)"
                         rf"|({NUM})\s+(?:injections?|inj\.?|sites?|points?|pts?|spots?|insertions?|trigger points?|TrPs?|TPs?)(?!\w)(?!\s+(?:each|per|altogether|total|in total|in all|overall)\b)"
                         rf"|[:-]\s*(one|two|three|four|five|six)\b(?=\s*[,.;)(|]|\s*$)"
                         rf"|(?:at|in|with|into)\s+({NUM})\s+(?:separate\s+|distinct\s+|different\s+)?(?:points?|sites?|locations?|places?|trigger points?|TrPs?|injections?)\b"
                         rf"|(once|twice|thrice|{NUM}\s+times)\b|\btimes\s+(\d{{1,2}})\b"
                         rf"|(\d{{1,2}})(?=\s*(?:(?:each|per|on each)\s+side\b|[,);|]|\.(?!\d)|$|\s+and\b))"
                         rf"|\(\s*(\d{{1,2}})\s*(?:pts?|points?|sites?|TPs?|TrPs?|inj|needles?)\.?(?:\s+each)?\s*\)"
                         rf"|:\s*(\d{{1,2}})\s*(?:TrPs?|TPs?|pts?|points?|sites?)\b"
                         rf"|[^;.\n]{{0,50}}?\b(?:injected|needled)\s+(?:at|in|with|into)\s+({NUM})\s+(?:separate\s+)?(?:points?|sites?|locations?|trigger points?|TrPs?)\b)", re.I)
# a count written before its muscle: "two trigger points in the left", "and one in the", "x2 R"
COUNT_BEFORE = re.compile(rf"\b({NUM})\s+(?:trigger points?\s+|TPs?\s+|TrPs?\s+|injections?\s+|points?\s+|sites?\s+)?"
                          rf"(?:(?:was|were)\s+)?(?:injected\s+|needled\s+)?(?:each\s+)?(?:in(?:to)?|to|at|of|within)\s+(?:the\s+)?"
                          rf"(?:(?:left|right|L|R|bilateral|b/l)\s+)?(?:upper\s+|lower\s+|mid(?:dle)?\s+)?$", re.I)


SIDE_COUNT = re.compile(rf"\b({NUM})\s+(?:(?:injections?|points?|sites?|TPs?|TrPs?|trigger points?)\s+)?(?:on the |in the |)(right|left|R|L)\b", re.I)


TIGHT_SIDE_COUNTS = re.compile(r"[ \t]*[:=-]?[ \t]*(\d+)\s*(R|L)\s*/\s*(\d+)\s*(R|L)\b", re.I)


def _side_counts(view: NoteView, m: Mention) -> dict[str, int]:
    """'bilat UT (3 on the right, 2 on the left)'"""
    out = {}
    after = _after_window(view, m)
    tight = TIGHT_SIDE_COUNTS.match(after)
    if tight:  # "Middle trapezius: 2R/1L"
        a, b = (int(tight.group(1)), tight.group(2).upper()), (int(tight.group(3)), tight.group(4).upper())
        if a[1] != b[1]:
            return {("right" if s == "R" else "left"): n for n, s in (a, b)}
    for c in SIDE_COUNT.finditer(after):
        n = to_number(c.group(1))
        side = "left" if c.group(2).lower() in ("left", "l") else "right"
        if n and float(n).is_integer():
            out.setdefault(side, int(n))
    return out if len(out) == 2 else {}


RESPECTIVELY = re.compile(rf"((?:{NUM})(?:\s*(?:,|and|&)\s*(?:{NUM}))+)\s*(?:(?:injections?|points?|sites?|TPs?|TrPs?|trigger points?|needles?)\s*)?,?\s*respectively", re.I)


def _respectively(view: NoteView, m: Mention) -> dict:
    """'to the right gluteus medius and the right piriformis, 2 and 1 respectively';
    'R and L upper trapezius and R levator scapulae injected at 3, 2 and 1 points respectively'.
    Returns {side: count} for this mention ({None: count} when it has no side pair)."""
    r = RESPECTIVELY.search(m.sent.text) if "respectively" in folded(m.sent.text) else None
    if not r:
        return {}
    nums = [to_number(x) for x in re.split(r"\s*(?:,|and|&)\s*", r.group(1)) if x.strip()]
    ms = [o for o in view.in_sentence(m.sent, "MUSCLE", "MUSCLE_GROUP") if o.end <= m.sent.start + r.start()]
    if m not in ms:
        return {}
    entries = []
    for o in ms:
        sides = _side(view, o)
        if len(sides) == 2:
            pair = re.search(r"\b(R|L|right|left)\s*(?:and|&|/)\s*(R|L|right|left)\s+(?:\w+\s+){0,2}$",
                             view.text[o.sent.start:o.start], re.I)
            order = [_expand(pair.group(1))[0], _expand(pair.group(2))[0]] if pair else ["left", "right"]
            entries += [(o, side) for side in order]
        else:
            entries.append((o, None))
    if len(entries) != len(nums):
        return {}
    out = {}
    for (o, side), n in zip(entries, nums):
        if o is m and n and float(n).is_integer():
            out[side] = int(n)
    return out


SIDE_HEAD = {"l": "left", "left": "left", "lt": "left", "r": "right", "right": "right", "rt": "right"}


def _table_sides(view: NoteView, m: Mention) -> dict | None:
    """Counts per side from a site table whose header has L and R columns ('Muscle | L | R')."""
    text = view.text
    ls = text.rfind("\n", 0, m.start) + 1
    le = text.find("\n", m.start)
    row = text[ls:len(text) if le == -1 else le]
    if not TABLE_ROW.match(row):
        return None
    start = ls
    header = None
    while start > 0:
        ps = text.rfind("\n", 0, start - 1) + 1
        line = text[ps:start - 1]
        if not TABLE_ROW.match(line):
            break
        if re.search(r"[A-Za-z]", line) and not re.fullmatch(r"[\s|:-]*", line):
            header = line
        start = ps
    if header is None:
        return None
    heads = [h.lower() for h in _cells(header)]
    cols = {SIDE_HEAD[h]: i for i, h in enumerate(heads) if h in SIDE_HEAD}
    if len(cols) != 2:
        return None
    cells = _cells(row)
    out = {}
    for side, i in cols.items():
        n = to_number(cells[i]) if i < len(cells) and cells[i] else None
        out[side] = int(n) if n is not None and float(n).is_integer() else 0
    return out


# "bilat upper trap (1 pt each)": the count is per side
PAREN_EACH = re.compile(r"^\s*\(\s*(?:x\s*)?\d{1,2}\s*(?:pts?|points?|sites?|TPs?|TrPs?|inj\w*)?\.?\s+(?:each|per side|each side)\s*\)", re.I)
ZERO_AFTER = re.compile(r"^[ \t]*(?:[-:=|]|x|×)[ \t]*0\b(?![.,]\d)", re.I)


def _closes_each_list(view: NoteView, m: Mention) -> bool:
    """m ends a list that a per-muscle count opened ("N points each in A, B and m"), so a count right after
    it counts the whole list."""
    before = view.text[m.sent.start:m.start]
    each = _in_each(before)
    if not each:
        return False
    return any(o is not m and each.end() <= o.start - m.sent.start < m.start - m.sent.start
               for o in view.in_sentence(m.sent, "MUSCLE", "MUSCLE_GROUP"))


def _per_muscle_count(view: NoteView, m: Mention) -> int | None:
    tc = _table_count(view, m)
    if tc is not None:
        return tc
    one = ONE_SIDE_AFTER.match(view.text, m.end)
    if one:  # "Rhomboid minor: 1R"
        return int(re.search(r"\d+", one.group(0)).group(0))
    after = view.text[m.end:m.end + 60]
    pm = PER_MUSCLE.match(after)
    if pm and pm.group(1):  # "R masseter - 20 U divided over 3 trigger points"
        n = to_number(pm.group(1))
        return int(n) if n else None
    if ZERO_AFTER.match(view.text[m.end:m.end + 12]):
        return 0  # "L rhomboid major - 0 (see below)": listed, not injected
    ca = COUNT_AFTER.match(_after_window(view, m))
    if (ca or pm) and _closes_each_list(view, m):
        # "one trigger point each in the R UT, L UT, R levator and L levator: 4 points": the list's total
        ca = pm = None
    if (ca or pm) and re.match(r"\s*\(", after):
        counted_before = _count_before(view, m)
        if counted_before is not None:
            # "2 trigger points in the left SCM and 2 trigger points in the left splenius capitis (4 points)":
            # the muscle's own count comes first; the parenthesis totals the list
            return counted_before
    if ca:
        raw = next(g for g in ca.groups() if g)
        raw = re.sub(r"\s+times$", "", raw, flags=re.I)
        n = to_number(raw)
        if n == 0:
            return 0  # "L rhomboid major - 0 (see below)": listed, not injected
        return int(n) if n and float(n).is_integer() else None
    if pm:
        n = to_number(next(g for g in pm.groups() if g))
        return int(n) if n else None
    return _count_before(view, m)


def _count_before(view: NoteView, m: Mention) -> int | None:
    """A count written before the muscle: "x2 L UT", "2 trigger points in the left SCM"."""
    prev_end, _ = _neighbours(view, m)
    before = view.text[max(prev_end, m.start - 60):m.start]
    px = PRE_X.search(before)
    if px:
        return int(px.group(1))
    pc = PRE_COUNT.search(before) or COUNT_BEFORE.search(before)
    if pc:
        n = to_number(pc.group(1))
        return int(n) if n else None
    return None


def extract_muscles(view: NoteView) -> tuple[list[Muscle], list[Evidence]]:
    muscles: list[Muscle] = []
    groups: list[Evidence] = []
    each_source: dict[int, tuple] = {}  # id(Muscle) -> (sentence, the "N in each" it took its count from)
    injected_sents = set()
    for m in view.of("MUSCLE", "MUSCLE_GROUP"):
        if m.text == "LS" and re.match(r"\s*(?:-\s*)?(?:spine|junction|region|area|paraspinals?|level|segment|radic)", view.text[m.end:m.end + 15], re.I):
            continue  # "LS spine" is lumbosacral, not the levator scapulae
        if not _injected(view, m):
            continue
        injected_sents.add(m.sent.index)
        if m.label == "MUSCLE_GROUP":
            groups.append(Evidence(m.text, m.start, m.end))
            continue
        table = _table_sides(view, m)
        if table is not None:
            # a site table with L / R columns: one entry per side with a count, none for "0 | 0" rows
            for side, c in table.items():
                if c:
                    muscles.append(Muscle(m.value, side, c, m.text, m.start, m.end))
            continue
        slash = SIDE_SLASH.match(view.text[m.end:m.end + 24])
        if slash:  # "Trapezius - L / 2" under "Muscles injected (side / # points):"
            c = to_number(slash.group(2))
            if c and float(c).is_integer():
                for side in _expand(slash.group(1)):
                    per = int(c) // 2 if side and len(_expand(slash.group(1))) == 2 and c % 2 == 0 else int(c)
                    muscles.append(Muscle(m.value, side, per, m.text, m.start, m.end))
            continue
        pair = SIDE_PAIR.match(_after_window(view, m))
        cpair = COUNT_SIDE_PAIR.match(_after_window(view, m))
        if pair or cpair:
            pairs = ((pair.group(1), pair.group(2)), (pair.group(3), pair.group(4))) if pair else \
                ((cpair.group(2), cpair.group(1)), (cpair.group(4), cpair.group(3)))
            for side, c in pairs:
                c = to_number(c)
                if c and float(c).is_integer():
                    muscles.append(Muscle(m.value, _expand(side)[0], int(c), m.text, m.start, m.end))
            continue
        if LANDMARK_BEFORE.search(view.text[max(m.sent.start, m.start - 30):m.start]):
            continue  # "piriformis identified deep to gluteus maximus": an anatomical landmark
        grid = _grid_counts(view, m)
        if grid is not None:  # a row of a "Muscle  R  L" count grid: its numbers are the sides and the counts
            for side, c in sorted(grid.items()):
                if c > 0:
                    muscles.append(Muscle(m.value, side, c, m.text, m.start, m.end))
            continue
        resp = _respectively(view, m)  # authoritative when the sentence says "respectively"
        n = None if resp else _per_muscle_count(view, m)
        if n == 0:
            continue
        sides = _side(view, m)
        other = ELLIPSIS_SIDE.match(_after_window(view, m)) if len(sides) == 1 and sides[0] and n else None
        if other and _expand(other.group(2))[0] != sides[0]:
            c = to_number(other.group(1))
            if c and float(c).is_integer():
                muscles.append(Muscle(m.value, _expand(other.group(2))[0], int(c), m.text, m.start, m.end))
        if len(resp) == 1 and None in resp:
            n = resp[None]
        each = (_in_each(view.text[m.start:m.sent.end]) or _in_each(view.text[m.sent.start:m.start])) \
            if _each_in(m.sent.text) else None
        by_side = {k: v for k, v in resp.items() if k} or (_side_counts(view, m) if len(sides) == 2 else {})
        for side in sides:
            per = by_side.get(side, n)
            if side in by_side:
                muscles.append(Muscle(m.value, side, per, m.text, m.start, m.end))
                continue
            if per is not None and len(sides) == 2 and not each and not PAREN_EACH.match(view.text[m.end:m.end + 30]):
                # "bilateral trapezius x4" counts injections across both sides
                per = per / 2 if per % 2 == 0 else None
                per = int(per) if per else None
            if each and (per is None or (len(sides) == 2 and re.search(r"side", each.group(0), re.I))):
                v = to_number(next(g for g in each.groups() if g))  # "TPIs x4 to b/l upper traps, 2 per side"
                per = int(v) if v else per
            muscles.append(Muscle(m.value, side, per, m.text, m.start, m.end))
            if each:
                each_source[id(muscles[-1])] = (m.sent.index, each.group(0))
    # one entry per (name, side): several mentions of the same injected muscle count once
    merged: dict[tuple, Muscle] = {}
    for mu in muscles:
        key = (mu.name, mu.laterality)
        if key in merged:
            src = each_source.get(id(mu))
            if merged[key].injections is None:
                merged[key].injections = mu.injections
            elif src is not None and src == each_source.get(id(merged[key])):
                pass  # "bilateral temporalis, 2 in each temporalis": one count, read from both mentions
            elif mu.injections is not None and mu.start != merged[key].start:
                merged[key].injections += mu.injections
        else:
            merged[key] = mu
    # a side-less mention of a muscle also named with a side is the same muscle; its count goes to the
    # sided entries that have none ("Muscles: bilat UT ... (UT 2 each side, ...)")
    sided = {n for (n, s) in merged if s}
    for (n, s), mu in merged.items():
        if s is None and n in sided and mu.injections:
            targets = [x for (n2, s2), x in merged.items() if n2 == n and s2 and x.injections is None]
            per_side = re.match(r"[^;.\n]{0,12}?\b(?:each|per|on each|on either)\s+side", view.text[mu.end:mu.end + 30], re.I) \
                or re.search(r"\b(?:each|both)\s+(?:of\s+the\s+)?$", view.text[max(0, mu.start - 15):mu.start], re.I)
            if targets and (per_side or len(targets) == 1):
                for x in targets:
                    x.injections = mu.injections
            elif len(targets) == 2 and mu.injections % 2 == 0:
                for x in targets:
                    x.injections = mu.injections // 2
    result = [mu for (n, s), mu in merged.items() if s or n not in sided]
    # "rhomboid" next to "rhomboid minor" (same side) is that muscle, not another one
    specific = {(mu.name.split("_")[0], mu.laterality) for mu in result if mu.name in GENERIC_OF}
    result = [mu for mu in result if not (mu.name in ("rhomboid", "scalene") and (
        (mu.name, mu.laterality) in specific or (mu.laterality is None and any(n == mu.name for n, _ in specific))))]
    # "Tx: DN - R side:" then "- glute med x3": a side the note gives that muscle elsewhere, when it
    # gives exactly one, is the side injected
    for mu in result:
        if mu.laterality is None:
            sides = {side for m in view.of("MUSCLE") if m.value == mu.name and not m.has("NEGATED_EXISTENCE")
                     for side in _side(view, m)}
            sides.discard(None)
            if len(sides) == 1:
                mu.laterality = sides.pop()
    if result:
        groups = [g for g in groups if not _names_the_area(view, g) and not _member_named(view, g, result)]
    return result, groups


def _member_named(view: NoteView, g: Evidence, result: list[Muscle]) -> bool:
    """'a 25 gauge for the gluteals' beside an injected gluteus medius: the group term names the area of
    muscles already counted (a group with a count of its own is a separate site)."""
    m = next((x for x in view.of("MUSCLE_GROUP") if x.start == g.start), None)
    if m is None or not m.extra:
        return False
    return any(mu.name in m.extra for mu in result) and _per_muscle_count(view, m) is None


GENERIC_OF = {"rhomboid_major", "rhomboid_minor", "scalene_anterior", "scalene_middle", "scalene_posterior"}


def _names_the_area(view: NoteView, g: Evidence) -> bool:
    """'Ultrasound-guided trigger point injection, R upper back' above a list of named muscles: a region
    term with no count of its own, in a sentence that names no muscle, describes where the procedure
    was done, not a site injected without a muscle name."""
    m = next((x for x in view.of("MUSCLE_GROUP") if x.start == g.start), None)
    if m is None:
        return False
    heading = re.match(r"\s*(?:--|—|–|-|:)\s*", view.text[m.end:m.end + 6])
    if heading and any(x.start == m.end + heading.end() for x in view.of("MUSCLE")):
        return True  # "TPI R hamstring -- biceps femoris x2, semitendinosus x1"
    if m.value != "region":
        return False
    return not view.in_sentence(m.sent, "MUSCLE") and _per_muscle_count(view, m) is None


EACH_AFTER = re.compile(r"^\s*(?:(?:was|were)\s+(?:injected|needled)\s+)?(?:in(?:to)?|at|on|per)\s+(?:each|every)\b|^\s*each\b", re.I)
MUSCLE_AFTER = re.compile(r"^\s*(?:(?:was|were)\s+(?:injected|needled|placed|given|administered|delivered)\s+)?(?:in(?:to)?|to|at|of|within)\s+(?:the\s+)?$|^\s*$", re.I)


# what may sit between a muscle and its own count: "R QL: 2 injections", "R masseter - 20 U divided over 3"
COUNT_AFTER_MUSCLE = re.compile(r"[ \t:=(),-]*(?:(?:left|right|L|R|bilateral(?:ly)?)[ \t,:-]*)?(?:\d+(?:\.\d+)?\s*(?:U|units?|mL|ml|cc|mg)\b[ \t,]*)?"
                                r"(?:(?:divided|split|spread)\s+)?(?:(?:over|into|among|across|at|in|x)\s*)?", re.I)


def _next_to_muscle(view: NoteView, start: int, end: int) -> bool:
    """Is this count attached to one muscle (or group): 'R QL: 2 injections', '2 trigger points in the R trap',
    'Bilateral lumbar paraspinals 4 injections'?"""
    for m in view.of("MUSCLE", "MUSCLE_GROUP"):
        if 0 <= start - m.end <= 45 and COUNT_AFTER_MUSCLE.fullmatch(view.text[m.end:start]):
            return True
        if 0 <= m.start - end <= 40:
            gap = view.text[end:m.start]
            gap = re.sub(r"\b(?:left|right|lt|rt|L|R|bilateral|b/l|upper|lower|mid|middle)\b", "", gap, flags=re.I)
            if MUSCLE_AFTER.match(gap):
                return True
    return False


SIDE_SUM = re.compile(rf"\b({NUM})\s+(?:(?:points?|injections?|sites?|TrPs?|TPs?|trigger points?)\s+)?(?:on|in|to)\s+the\s+(left|right)"
                      rf"(?:\s+side)?\s*(?:,|and|&|;)\s*({NUM})\s+(?:(?:points?|injections?|sites?|TrPs?|TPs?|trigger points?)\s+)?(?:on|in|to)\s+the\s+(left|right)\b", re.I)


TOTAL_LINE = re.compile(r"\s*totals?\b[^.]*?\b(\d{1,2})\s+(?:injections|sites|trigger points|points|TrPs)\b", re.I)
PAST_WORD = re.compile(r"\b(ago|previous|prior(?! to)|last (?:time|visit|session))\b", re.I)
DIGIT = re.compile(r"\d")
# A TOTAL match is used only when its number is digits, a number word, or "a"/"an" with "single".
COUNT_WORDS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
               "fifteen", "eighteen", "twenty", "single")
has_count_word = has_any(COUNT_WORDS)


def _may_count(text: str) -> bool:
    if DIGIT.search(text):
        return True
    low = folded(text)
    return has_count_word(low)


names_points = cue(re.compile(r"trigger|TrP|\bTPs?\b|points?\b", re.I))


def extract_injection_count(view: NoteView, muscles: list[Muscle], groups: list[Evidence] = ()) -> int | None:
    """An explicit total wins; then 'each muscle once'; then the sum of per-muscle counts (group terms
    with a count included); then a count written against a single muscle."""
    attached: list[int] = []
    for s in view.sentences:
        # "Total Depo-Medrol 80 mg, bupivacaine 6 mL, 2 injections."
        tl = TOTAL_LINE.match(s.text)
        if tl and s.section not in ("history_of_present_illness", "past_medical_history", "medications"):
            return int(tl.group(1))
    for s in view.sentences:
        if s.section in ("history_of_present_illness", "past_medical_history", "medications"):
            continue
        low = folded(s.text)  # SIDE_SUM needs "the" and a side word
        ss = SIDE_SUM.search(s.text) if "the" in low and ("left" in low or "right" in low) else None
        if ss and (injection_cue(s.text) or re.search(r"points?|TrPs?", s.text, re.I)):
            a, b = to_number(ss.group(1)), to_number(ss.group(3))
            if a and b and ss.group(2)[0].lower() != ss.group(4)[0].lower():
                return int(a + b)  # "2 points on the left and 2 on the right"
    for s in view.sentences:
        if s.section in ("history_of_present_illness", "past_medical_history", "medications"):
            continue
        if s.section == "plan" and sentence_is_planning(view, s):
            continue
        if PAST_WORD.search(s.text):
            continue
        if not (injection_cue(s.text) or names_points(s.text)
                or any(s.start <= mu.start < s.end for mu in muscles)):
            continue
        if not _may_count(s.text):
            continue
        closing = PAREN_TOTAL.search(s.text) if "(" in s.text else None
        if closing and (len(view.in_sentence(s, "MUSCLE", "MUSCLE_GROUP")) >= 2 or " each" in s.text) \
                and not any(0 <= s.start + closing.start() - mu.end <= 3 for mu in view.of("MUSCLE", "MUSCLE_GROUP")):
            n = to_number(closing.group(1))
            if n and 0 < n < 40 and float(n).is_integer():
                return int(n)  # "1 mL into the brachioradialis point and 1 mL into each of the two extensor points (3 injections)"
        for t in TOTAL.finditer(s.text):
            gi = next(i for i, g in enumerate(t.groups(), 1) if g)
            if DOSE_AFTER.match(s.text[t.end(gi):]):
                continue  # "total 6 mL" is a volume, not a count
            n = to_number(t.group(gi))
            if not (n and 0 < n < 60 and float(n).is_integer()):
                continue
            if t.group(gi).lower() in ("a", "an") and not re.search(r"\bsingle\b", t.group(0), re.I):
                continue  # "over a palpable trigger point" is not a count
            if re.match(r":\d", s.text[t.end(gi):t.end(gi) + 2]):
                continue  # "Injection: 1:1 mixture" is a ratio
            if re.search(r"\([^()]*$", s.text[:t.start()]) and re.match(r"[^()]*\btotal\b[^()]*\)", s.text[t.end():]):
                return int(n)  # "(3 injections, 6 mL total)"
            before = [mu for mu in muscles if mu.end <= s.start + t.start() and mu.start >= s.start]
            listed = len({mu.start for mu in before})
            if t.group(0).startswith("(") and listed >= 2 and n >= listed and \
                    not any(mu.injections for mu in before[:-1]):
                # "L piriformis, L TFL (3 sites; ...)": a count closing a list of uncounted muscles is its
                # total (not "pectoralis minor (1 point) and serratus anterior (2 points)")
                return int(n)
            if t.group(0).startswith("(") and _in_each(s.text[:t.start()]):
                return int(n)  # "2 points in each of: R trapezius, R levator (4 points)": the per-muscle count came first
            if re.match(r"\s+(?:\w+\s+){0,2}(?:(?:in|into|per|at)\s+each|each\s+(?:in|into|at|to))\b", s.text[t.end():], re.I):
                # "Sites: two trigger points in each muscle", "Injections: 1 trigger point each in R UT, L UT": per muscle
                attached.append(int(n))
                continue
            if t.group(0).lstrip().startswith("#") and re.search(r"\b(?:session|visit|cycle|round|treatment|tx|problem|dx|note|"
                                                                r"TPIs?|TrPIs?|injections?|DN|needling)\s*$",
                                                                s.text[:t.start()], re.I):
                continue  # "Dry needling session #1"
            if not re.search(r"total|#|:", t.group(0), re.I) and not TOTAL_WORD_AFTER.match(s.text[t.end():]) \
                    and not (re.match(r"(?:TPIs?|TrPIs?|trigger point injections?|dry needling)\b", t.group(0), re.I)
                             and not re.search(r"(?:\bx|×)\s?\d", s.text[t.end():])) and (
                    EACH_AFTER.match(s.text[t.end():]) or _next_to_muscle(view, s.start + t.start(), s.start + t.end())):
                attached.append(int(n))  # "2 injections in the R trap", "R QL: 2 injections": maybe per muscle
                continue
            return int(n)
    if EACH_ONCE.search(view.text) and muscles:
        return len(muscles)
    times = EACH_TIMES.search(view.text) if "each" in folded(view.text) else None
    if times and muscles:  # "injected each of the 3 muscles twice"
        n, k = to_number(times.group(1)), REPEATS.get((times.group(2) or "").lower()) or to_number(times.group(3) or "")
        if n and k and n == len(muscles):
            return int(n * k)
    distributed = _distributed_count(view, muscles, groups)
    if distributed:
        return distributed
    enumerated = _enumerated_points(view) or _ordinal_points(view)
    if enumerated:
        return enumerated
    if muscles and all(m.injections for m in muscles):
        group_counts = [_group_count(view, g) for g in _group_mentions(view, groups)]
        if all(group_counts):
            return sum(m.injections for m in muscles) + sum(group_counts)
    if not muscles and groups:
        group_counts = [_group_count(view, g) for g in _group_mentions(view, groups)]
        if group_counts and all(group_counts):
            return sum(group_counts)
    # "R levator, L levator, R SCM (3 injections)": one count after a list whose other muscles have none,
    # at least as large as the list, is the list's total
    counted = [m for m in muscles if m.injections]
    if len(counted) == 1 and len(muscles) > 1 and counted[0].injections >= len(muscles) and re.match(
            r"\s*\(\s*\w+\s+(?:injections?|sites?|points?|trigger points?|TrPs?)\s*\)", view.text[counted[0].end:counted[0].end + 30], re.I):
        return counted[0].injections
    if attached and len({m.name for m in muscles}) <= 1:
        return attached[0]
    if attached and not any(m.injections for m in muscles):
        return attached[0]  # "6 trigger points injected in the bilateral upper trapezius and paraspinals"
    return _count_from_volumes(view)


PER_POINT_VOLUME = re.compile(r"(\d+(?:\.\d+)?)\s*(?:mL|ml|cc)\s+(?:at|into|in|to|per)\s+(?:each\s+)?(?:trigger point|point|site|TP|TrP)s?\b", re.I)
TOTAL_VOLUME = re.compile(r"(?:total|=|full|all|whole)\s*(?:of\s+)?(?:the\s+)?(\d+(?:\.\d+)?)\s*(?:mL|ml|cc)\b|"
                          r"(\d+(?:\.\d+)?)\s*(?:mL|ml|cc)\s+(?:total|in total|in all)\b", re.I)


# a sentence closed by its count: "(3 injections)", "(4 trigger points total)" - not right after a muscle
PAREN_TOTAL = re.compile(rf"\(\s*({NUM})\s+(?:injections|trigger points|points|sites|TrPs|TPIs)(?:\s+(?:in\s+)?total)?\s*\)\s*[.;]?\s*$", re.I)


def _count_from_volumes(view: NoteView) -> int | None:
    """'Solution: ... = 7 mL. Injected 1 mL at each trigger point until the full 7 mL was used.': with no count
    written, the total volume over the volume per point is the count (when it divides exactly)."""
    for s in view.sentences:
        if s.section in HISTORY or "ml" not in folded(s.text) and "cc" not in folded(s.text):
            continue
        per = PER_POINT_VOLUME.search(s.text)
        if not per:
            continue
        prev = view.sentences[s.index - 1].text if s.index else ""
        totals = [float(t.group(1) or t.group(2)) for t in TOTAL_VOLUME.finditer(s.text)] or \
                 [float(t.group(1) or t.group(2)) for t in TOTAL_VOLUME.finditer(prev)]
        each = float(per.group(1))
        for total in totals:
            n = total / each if each else 0
            if n.is_integer() and 1 <= n <= 30 and total != each:
                return int(n)
    return None


TIMES = rf"(?:(once|twice|thrice)|({NUM})\s+(?:times|separate\s+(?:trigger\s+)?points?|trigger points?|points?|sites?|TrPs?|TPs?))"
# "the left rhomboid major, levator scapulae and infraspinatus were each injected at one trigger point"
EACH_AT = re.compile(rf"\b(?:were|was|are)?\s*each\s+(?:injected|needled|treated)\s+(?:(?:at|in|into|with)\s+)?{TIMES}", re.I)
# "R rotator cuff and R deltoid, 2 each, injected with ..."
LIST_EACH = re.compile(rf"(?<![\d.])\b({NUM})[ \t]+(?:(?:injections?|points?|sites?|TrPs?|TPs?)[ \t]+)?each\b(?![ \t]*(?:[:(]|mL|ml|cc|mg|units?))", re.I)
# "the trapezius was injected twice and the other two muscles once each"
REST_EACH = re.compile(rf"\b(?:the\s+)?(?:other|remaining)\s+({NUM})\s+(?:muscles?|sites?)\s+(?:(?:were|was)\s+(?:injected|needled)\s+)?"
                       rf"(?:(?:at|in)\s+)?{TIMES}\s*each\b", re.I)
HISTORY = ("history_of_present_illness", "past_medical_history", "medications")


def _times(groups: tuple) -> int | None:
    word, num = groups
    n = {"once": 1, "twice": 2, "thrice": 3}.get((word or "").lower()) or (to_number(num) if num else None)
    return int(n) if n and float(n).is_integer() else None


ENUM_ITEM = re.compile(r"^[ \t]*(?:\(?\d{1,2}[).]|#\d{1,2}|\d{1,2}(?:st|nd|rd|th)\b|(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth)\b)"
                       r"[ \t]*[-:.)]?[ \t]*", re.I)
ITEM_COUNT = re.compile(r"(?:\bx|×)\s?\d|\(\s*\d+\s*\)|\b\d+\s*(?:pts?|points?|sites?|TrPs?|TPs?|inj)\b|\b(?:twice|once|each)\b", re.I)


def _enumerated_under_dose(view: NoteView, m: Mention) -> bool:
    """'Mix: Kenalog 10 mg per point + 0.25% bupivacaine 2 mL per point.' then '1st: L rectus abdominis',
    '2nd: L external oblique': an enumerated site under a per-point dose is injected, even in an exam."""
    text = view.text
    ls = text.rfind("\n", 0, m.start) + 1
    if not ENUM_ITEM.match(text[ls:m.start]):
        return False
    lead = _enum_lead(text, _enum_start(text, ls))
    return bool(dosed(lead) or re.search(r"\b(?:per|each|every)\s+(?:point|site|TrP|TP)\b", lead, re.I))


def _enum_start(text: str, ls: int) -> int:
    """The start of the first line of the enumerated block that holds the line starting at ls."""
    start = ls
    while start > 0:
        prev = text.rfind("\n", 0, start - 1) + 1
        if not ENUM_ITEM.match(text[prev:start - 1]):
            break
        start = prev
    return start


def _enum_lead(text: str, start: int) -> str:
    """The line just above an enumerated block (its lead-in), or '' at the top of the note."""
    return text[text.rfind("\n", 0, max(0, start - 1)) + 1:max(0, start - 1)]


def _enumerated_points(view: NoteView) -> int | None:
    """'2 mL at each point:' then '(1) R iliopsoas', '(2) R TFL', '(3) R rectus femoris', or 'first - R pec
    major, sternal' ...: one injection per enumerated site, when the lines carry no counts of their own."""
    text = view.text
    for m in view.of("MUSCLE", "MUSCLE_GROUP"):
        ls = text.rfind("\n", 0, m.start) + 1
        if not ENUM_ITEM.match(text[ls:m.start]) or m.section in HISTORY:
            continue
        # walk up to the lead-in line, then down over the enumerated lines
        start = _enum_start(text, ls)
        lead = _enum_lead(text, start)
        if not re.search(r"\b(?:each|every|per\s+(?:point|site))\b", lead, re.I) or not (
                injection_cue(lead) or re.search(r"\d\s*(?:mL|ml|cc|mg|units?)\b", lead, re.I)):
            return None
        items, pos = 0, start
        while pos < len(text):
            end = text.find("\n", pos)
            end = len(text) if end == -1 else end
            line = text[pos:end]
            if not ENUM_ITEM.match(line):
                break
            if ITEM_COUNT.search(line[ENUM_ITEM.match(line).end():]):
                return None  # the items carry their own counts: the sum of per-muscle counts applies
            items += 1
            pos = end + 1
        return items if items >= 2 else None
    return None


ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8}
ORDINAL = re.compile(r"\b(first|second|third|fourth|fifth|sixth|seventh|eighth)\b(?!\s+(?:visit|time|session|set|round|"
                     r"series|course|injections?|TPIs?|procedure|week|month|day|line|degree))", re.I)


def _ordinal_points(view: NoteView) -> int | None:
    """'the first into the left QL, the second and third into the left gluteus medius, and the fourth into
    the left piriformis': the points are numbered in prose (first to N, each beside a muscle)."""
    for s in view.sentences:
        if s.section in HISTORY or not (injection_cue(s.text) or dosed(s.text) or s.section == "procedure"):
            continue
        muscles = view.in_sentence(s, "MUSCLE", "MUSCLE_GROUP")
        found = []
        for o in ORDINAL.finditer(s.text):
            pos = s.start + o.end()
            if any(0 <= mu.start - pos <= 45 for mu in muscles):
                found.append(ORDINALS[o.group(1).lower()])
            elif found and re.match(r"\s+and\s+(?:the\s+)?(?:first|second|third|fourth|fifth|sixth|seventh|eighth)\b",
                                    s.text[o.end():], re.I):
                found.append(ORDINALS[o.group(1).lower()])  # "the second and third into ..."
        if 1 in found and len(found) >= 2 and sorted(set(found)) == list(range(1, max(found) + 1)):
            return max(found)
    return None


def _distributed_count(view: NoteView, muscles: list[Muscle], groups) -> int | None:
    """A count that applies to each site of a list: 'were each injected at one trigger point',
    'R rotator cuff and R deltoid, 2 each', 'the other two muscles once each'."""
    group_mentions = _group_mentions(view, groups)
    for s in view.sentences:
        if s.section in HISTORY or (s.section == "plan" and sentence_is_planning(view, s)):
            continue
        re_ = REST_EACH.search(s.text)
        if re_:
            others, each = to_number(re_.group(1)), _times(re_.groups()[1:])
            counted = [m.injections for m in muscles if m.injections]
            if others and each and len(counted) + others == len(muscles) + len(group_mentions):
                return sum(counted) + int(others) * each
        listed = [m for m in muscles if s.start <= m.start < s.end]
        listed_groups = [g for g in group_mentions if s.start <= g.start < s.end]
        sites = len(listed) + len(listed_groups)
        if sites < 2 or len(listed) < len(muscles):
            continue  # the list must be the whole session
        ea = EACH_AT.search(s.text)
        n = _times(ea.groups()) if ea else None
        if n is None:
            le = LIST_EACH.search(s.text)
            if le and all(m.start < s.start + le.start() for m in listed + listed_groups) \
                    and (injection_cue(s.text) or s.section == "procedure"):
                n = int(to_number(le.group(1)) or 0) or None
        if n:
            return n * sites
    return None


PER_SIDE = re.compile(rf"\b({NUM})\s+(?:(?:injections?|points?|sites?|TPs?|TrPs?)\s+)?(?:per|each|on each|on either)\s+side\b", re.I)


def _group_count(view: NoteView, g: Mention) -> int | None:
    """'cervical paraspinals, bilaterally, 3 per side' = 6"""
    ps = PER_SIDE.search(_after_window(view, g))
    if ps and len(_side(view, g)) == 2:
        n = to_number(ps.group(1))
        return int(n) * 2 if n else None
    return _per_muscle_count(view, g)


def _group_mentions(view: NoteView, groups) -> list[Mention]:
    starts = {g.start for g in groups}
    return [m for m in view.of("MUSCLE_GROUP") if m.start in starts]
