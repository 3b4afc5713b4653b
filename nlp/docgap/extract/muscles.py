"""Injected muscles with laterality and per-muscle injections; the session's injection count."""
from __future__ import annotations

import re

from ..facts import Evidence, Muscle
from .note import INJECTION_CUE, NUM, Mention, NoteView, to_number
from .procedure import performed, sentence_is_planning

SIDE_WORD = re.compile(
    r"\b(?:left|right|lt|rt|L|R)\s*(?:and|&|/)\s*(?:left|right|lt|rt|L|R)\b|\b(bilateral(?:ly)?|bilat|b/l|B/L|BL|both|left|right|lt|rt|L|R)\b(?!\s*/\s*[lr]\b)|\b(?:L|R)(?=\s*[-/]?\s*(?:sided|side)\b)",
    re.I)
POST_SIDE = re.compile(r"^[\s,]*(?:\(\s*)?(bilaterally|bilateral|b/l|bilat|on the left|on the right|on both sides|left|right|L|R|lt|rt)\b(?:\s*\))?",
                       re.I)
BREAK = re.compile(r"[;\n]|\.\s")
EXAM_ONLY = re.compile(r"\b(tender|tenderness|TTP|palpation|palpated|spasm|taut|trigger points? (?:noted|identified|present|found)|"
                       r"range of motion|ROM|strength|reflex|exam|examination)\b", re.I)
PER_MUSCLE = re.compile(rf"^[\s,:-]*(?:(?:was|were)\s+(?:injected|needled)\s+)?(?:at|in|with)\s+({NUM})\s+(?:separate\s+|distinct\s+|different\s+)?(?:points?|sites?|locations?|places?|trigger points?|TrPs?|injections?)\b|^[\s,:-]*(?:\(\s*)?(?:x|×|X)\s*(\d+)|^[\s,:-]*(?:\(\s*)?({NUM})\s+(?:injections?|sites?|points?|trigger points?|TrPs?|TPs?)\b"
                        rf"|^[\s,:-]*(?:\(\s*)?(?:#|no\.?)\s*(\d+)", re.I)
PRE_COUNT = re.compile(rf"\b({NUM})\s+(?:injections?|sites?|points?|trigger points?|TrPs?|TPs?)\s+(?:each\s+)?(?:in(?:to)?|to|of|at|within)\s+(?:the\s+)?(?:[\w/]+\s+){{0,3}}$",
                       re.I)
PRE_X = re.compile(r"(?:^|[\s;,:(])(?:x|×)\s*(\d{1,2})\s+(?:(?:into|in|to|at)\s+(?:the\s+)?)?(?:(?:left|right|lt|rt|L|R|bilateral|b/l)\s+)?(?:upper\s+|lower\s+|mid(?:dle)?\s+)?$", re.I)
IN_EACH = re.compile(rf"\b({NUM})\s+(?:injections?\s+|sites?\s+|points?\s+|trigger points?\s+)?(?:(?:was|were)\s+(?:injected|needled)\s+)?(?:in(?:to)?|at|on|per)\s+(?:each|every)\b"
                     rf"|\beach\s+(?:side|muscle)\s+(?:x|×)\s*(\d+)|\b({NUM})\s+(?:injections?|sites?|points?|trigger points?|TrPs?)\s+(?:each|per)\s+(?:side|muscle)\b",
                     re.I)
TOTAL = re.compile(
    rf"(?:total(?:\s+of)?|totaling|number of (?:injections|trigger points|sites)(?: injected)?|#\s*(?:of\s*)?(?:injections|sites|TPs|trigger points)|injections?\s*(?:performed|given)?\s*:|sites?\s*:)\s*:?\s*({NUM})\b"
    rf"|\b({NUM})\s+(?:separate\s+|distinct\s+|individual\s+|active\s+|myofascial\s+)?(?:trigger[- ]points?|TrPs?|TPs|injection sites?|sites|injections|points|TPIs)\s+(?:\w+\s+){{0,3}}?(?:were|was)?\s*(?:injected|needled|treated|performed|identified and injected|given)"
    rf"|\b(?:injected|needled|treated|injecting|needling)\s+(?:a total of\s+)?({NUM})\s+(?:separate\s+|distinct\s+|individual\s+|active\s+)?(?:trigger[- ]points?|TrPs?|TPs|sites|points|areas|locations)"
    rf"|\b(?:TPIs?|trigger point injections?|injections?|dry needling)\s*(?:performed|given|done|administered)?\s*(?:x|×)\s*({NUM})\b"
    rf"|(?<![/\d.])\b({NUM})\s+(?:TPIs|trigger point injections|injections)\b"
    rf"|\b(?:into|among|between|across|over)\s+(?:each\s+of\s+)?(?:the\s+)?({NUM})\s+(?:\w+\s+){{0,2}}?(?:trigger[- ]points?|TrPs?|TPs|sites|points)"
    rf"|\b({NUM})\s+(?:trigger[- ]points?|TrPs?|TPs|injection sites?|sites|injections|points)\s*(?:total|in total|overall)\b"
    rf"|\(\s*({NUM})\s+(?:total|TrPs? total|sites total|points total)\s*\)"
    rf"|\btotal(?:\s+of)?\s+({NUM})\s+(?:injections|sites|points|trigger points|TrPs|TPs)\b",
    re.I)
DOSE_AFTER = re.compile(r"^\s*(?:mg|mL|ml|cc|units?|U|IU|%|mcg)\b", re.I)
EACH_ONCE = re.compile(r"\b(?:each|every)\s+(?:muscle|site|trigger point|area)\s+(?:was\s+)?(?:injected|needled)\s+once\b|\bone\s+injection\s+(?:per|in each|into each)\s+muscle\b|\bsingle\s+injection\s+(?:in|into)\s+each\b", re.I)


def _side(view: NoteView, m: Mention) -> list[str | None]:
    after = view.text[m.end:m.end + 20]
    post = POST_SIDE.match(after)
    if post:
        return _expand(post.group(1))
    seg_start = m.sent.start
    before = view.text[seg_start:m.start]
    # stop at the last hard break so a side from an earlier clause does not leak
    cut = max((b.end() for b in BREAK.finditer(before)), default=0)
    before = before[cut:]
    sides = list(SIDE_WORD.finditer(before))
    if sides:
        return _expand(sides[-1].group(0))
    return [None]


def _expand(word: str) -> list[str | None]:
    w = word.lower().strip()
    if w.startswith("bilat") or w in ("b/l", "bl", "both", "on both sides") or re.fullmatch(
            r"(?:left|right|lt|rt|l|r)\s*(?:and|&|/)\s*(?:left|right|lt|rt|l|r)", w) and w[0] != w[-1]:
        return ["left", "right"]
    if w in ("left", "l", "lt", "on the left"):
        return ["left"]
    if w in ("right", "r", "rt", "on the right"):
        return ["right"]
    return [None]


def _injected(view: NoteView, m: Mention) -> bool:
    if not performed(m, view):
        return False
    s = m.sent
    if s.section in ("history_of_present_illness", "past_medical_history", "medications", "review_of_systems"):
        return False
    if INJECTION_CUE.search(s.text):
        return True
    if s.section == "procedure" and not EXAM_ONLY.search(s.text):
        return True
    return False


def _per_muscle_count(view: NoteView, m: Mention) -> int | None:
    after = view.text[m.end:m.end + 40]
    pm = PER_MUSCLE.match(after)
    if pm:
        n = to_number(next(g for g in pm.groups() if g))
        return int(n) if n else None
    before = view.text[max(m.sent.start, m.start - 60):m.start]
    px = PRE_X.search(before)
    if px:
        return int(px.group(1))
    pc = PRE_COUNT.search(before)
    if pc:
        n = to_number(pc.group(1))
        return int(n) if n else None
    return None


def extract_muscles(view: NoteView) -> tuple[list[Muscle], list[Evidence]]:
    muscles: list[Muscle] = []
    groups: list[Evidence] = []
    injected_sents = set()
    for m in view.of("MUSCLE", "MUSCLE_GROUP"):
        if not _injected(view, m):
            continue
        injected_sents.add(m.sent.index)
        if m.label == "MUSCLE_GROUP":
            groups.append(Evidence(m.text, m.start, m.end))
            continue
        n = _per_muscle_count(view, m)
        sides = _side(view, m)
        each = IN_EACH.search(view.text[m.start:m.sent.end]) or IN_EACH.search(view.text[m.sent.start:m.start])
        for side in sides:
            per = n
            if per is not None and len(sides) == 2 and not each:
                # "bilateral trapezius x4" counts injections across both sides
                per = per / 2 if per % 2 == 0 else None
                per = int(per) if per else None
            if per is None and each:
                v = to_number(next(g for g in each.groups() if g))
                per = int(v) if v else None
            muscles.append(Muscle(m.value, side, per, m.text, m.start, m.end))
    # one entry per (name, side): several mentions of the same injected muscle count once
    merged: dict[tuple, Muscle] = {}
    for mu in muscles:
        key = (mu.name, mu.laterality)
        if key in merged:
            if merged[key].injections is None:
                merged[key].injections = mu.injections
            elif mu.injections is not None and mu.start != merged[key].start:
                merged[key].injections += mu.injections
        else:
            merged[key] = mu
    # a side-less mention of a muscle also named with a side is the same muscle
    sided = {n for (n, s) in merged if s}
    result = [mu for (n, s), mu in merged.items() if s or n not in sided]
    return result, groups


EACH_AFTER = re.compile(r"^\s*(?:(?:was|were)\s+(?:injected|needled)\s+)?(?:in(?:to)?|at|on|per)\s+(?:each|every)\b|^\s*each\b", re.I)
MUSCLE_AFTER = re.compile(r"^\s*(?:(?:was|were)\s+(?:injected|needled)\s+)?(?:in(?:to)?|to|at|of|within)\s+(?:the\s+)?$|^\s*$", re.I)


def _next_to_muscle(view: NoteView, start: int, end: int) -> bool:
    """Is this count attached to one muscle: 'R QL: 2 injections', '2 trigger points in the R trap'?"""
    for m in view.of("MUSCLE"):
        if 0 <= start - m.end <= 4 and re.fullmatch(r"[\s:=-]*", view.text[m.end:start]):
            return True
        if 0 <= m.start - end <= 40:
            gap = view.text[end:m.start]
            gap = re.sub(r"\b(?:left|right|lt|rt|L|R|bilateral|b/l|upper|lower|mid|middle)\b", "", gap, flags=re.I)
            if MUSCLE_AFTER.match(gap):
                return True
    return False


def extract_injection_count(view: NoteView, muscles: list[Muscle], groups: list[Evidence] = ()) -> int | None:
    """An explicit total wins; then 'each muscle once'; then the sum of per-muscle counts (group terms
    with a count included); then a count written against a single muscle."""
    attached: list[int] = []
    for s in view.sentences:
        if s.section in ("history_of_present_illness", "past_medical_history", "medications"):
            continue
        if s.section == "plan" and sentence_is_planning(view, s):
            continue
        if re.search(r"\b(ago|previous|prior(?! to)|last (?:time|visit|session))\b", s.text, re.I):
            continue
        if not (INJECTION_CUE.search(s.text) or re.search(r"trigger|TrP|\bTPs?\b|points?\b", s.text, re.I)):
            continue
        for t in TOTAL.finditer(s.text):
            gi = next(i for i, g in enumerate(t.groups(), 1) if g)
            if DOSE_AFTER.match(s.text[t.end(gi):]):
                continue  # "total 6 mL" is a volume, not a count
            n = to_number(t.group(gi))
            if not (n and 0 < n < 60 and float(n).is_integer()):
                continue
            if not re.search(r"total", t.group(0), re.I) and (
                    EACH_AFTER.match(s.text[t.end():]) or _next_to_muscle(view, s.start + t.start(), s.start + t.end())):
                attached.append(int(n))  # "2 injections in the R trap", "R QL: 2 injections": maybe per muscle
                continue
            return int(n)
    if EACH_ONCE.search(view.text) and muscles:
        return len(muscles)
    if muscles and all(m.injections for m in muscles):
        group_counts = [_per_muscle_count(view, g) for g in _group_mentions(view, groups)]
        if all(group_counts):
            return sum(m.injections for m in muscles) + sum(group_counts)
    if attached and len({m.name for m in muscles}) <= 1:
        return attached[0]
    if attached and not any(m.injections for m in muscles):
        return attached[0]  # "6 trigger points injected in the bilateral upper trapezius and paraspinals"
    return None


def _group_mentions(view: NoteView, groups) -> list[Mention]:
    starts = {g.start for g in groups}
    return [m for m in view.of("MUSCLE_GROUP") if m.start in starts]
