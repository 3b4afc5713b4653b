"""Flatten a medspaCy Doc into plain Mentions and Sentences, the only spaCy-aware step of extraction.

ConText in medspaCy 1.3.1 applies a rule's max_scope across sentence boundaries, so modifiers are
kept here only when they sit in the same sentence as their target.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable

import numpy
from medspacy._extensions import get_section_category_token
from spacy.attrs import IDX, LENGTH, SENT_START
from spacy.tokens import Doc, Span, Token

from ..pipeline import SPAN_GROUP


@dataclass(slots=True)  # tens of them per note, read in every extractor's inner loop
class Sentence:
    index: int
    start: int  # char offsets into the original text
    end: int
    text: str
    section: str | None


@dataclass(slots=True)
class Mention:
    label: str
    value: str
    extra: tuple
    text: str
    start: int
    end: int
    sent: Sentence
    modifiers: set[str] = field(default_factory=set)
    modifier_texts: list[str] = field(default_factory=list)

    @property
    def section(self) -> str | None:
        return self.sent.section

    def has(self, *categories: str) -> bool:
        return bool(self.modifiers.intersection(categories))


@dataclass
class NoteView:
    text: str
    sentences: list[Sentence]
    mentions: list[Mention]
    date_of_service: str | None = None
    _index: dict = field(default_factory=dict, init=False, repr=False, compare=False)
    _index_key: tuple | None = field(default=None, init=False, repr=False, compare=False)
    _memo: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def memo(self, key, compute: Callable[[], object]):
        """A value derived from the finished view, computed once per note (extractors ask some of
        them once per mention)."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def of(self, *labels: str) -> list[Mention]:
        return [m for m in self.mentions if m.label in labels]

    def in_sentence(self, sent: Sentence, *labels: str) -> list[Mention]:
        ms = self._by_sentence().get(id(sent), ())
        return [m for m in ms if m.sent is sent and (not labels or m.label in labels)]

    def _by_sentence(self) -> dict[int, list[Mention]]:
        """id(sentence) -> its mentions in order, built once (in_sentence is asked once per mention);
        rebuilt if the mention list has changed since."""
        key = (id(self.mentions), len(self.mentions))
        if self._index_key != key:
            index: dict[int, list[Mention]] = {}
            for m in self.mentions:
                index.setdefault(id(m.sent), []).append(m)
            self._index, self._index_key = index, key
        return self._index

    def sections(self) -> set[str]:
        return {s.section for s in self.sentences if s.section}


def _sentence_bounds(doc: Doc) -> list[tuple[int, int, int, int, str | None]]:
    """(token start, token end, start_char, end_char, section category) of each of doc.sents."""
    if len(doc) and doc.has_annotation("SENT_START") and "sents" not in doc.user_hooks and _plain_section_extensions():
        # The same values as the loop below, from the Doc's arrays and the entries the sectionizer
        # wrote in user_data (see fastsection.py), without a Span and two Underscore objects per sentence.
        n = len(doc)
        arr = doc.to_array([SENT_START, IDX, LENGTH]).astype(numpy.int64)
        starts = [0] + (numpy.flatnonzero(arr[1:, 0] == 1) + 1).tolist()
        ends = starts[1:] + [n]
        idx, length = arr[:, 1].tolist(), arr[:, 2].tolist()
        data = doc.user_data
        out = []
        for a, b in zip(starts, ends):
            section = data.get(("._.", "section", idx[a], None))
            cat = section.category if section is not None else None
            out.append((a, b, idx[a], idx[b - 1] + length[b - 1], cat if cat else None))
        return out
    out = []
    for s in doc.sents:
        sec = None
        try:
            cat = s[0]._.section_category
            sec = cat if cat else None
        except (AttributeError, IndexError):
            pass
        out.append((s.start, s.end, s.start_char, s.end_char, sec))
    return out


def _plain_section_extensions() -> bool:
    """token._.section is a stored value and token._.section_category medspaCy's getter of its category."""
    if not (Token.has_extension("section") and Token.has_extension("section_category")):
        return False
    _, method, getter, setter = Token.get_extension("section")
    return method is None and getter is None and setter is None and \
        Token.get_extension("section_category")[2] is get_section_category_token


def _doc_text(doc: Doc, text: str | None) -> str:
    """doc.text, or the text the caller made doc from (spaCy keeps it exactly): Doc.text joins every
    token again on each access."""
    if text is not None and len(doc) and len(text) == doc[-1].idx + len(doc[-1].text_with_ws):
        return text
    return doc.text


def _chars(doc: Doc, text: str, start: int, end: int) -> str:
    """doc[start:end].text as a slice of text (a Span's text joins its tokens)."""
    return text[doc[start].idx:doc[end - 1].idx + len(doc[end - 1])] if end > start else ""


def _span_attrs(doc: Doc):
    """span -> (span._.target_rule, span._.modifiers). When both are plain stored extensions, read the
    doc.user_data entries they live in (what Underscore does, without an Underscore object per access)."""
    plain = Span.has_extension("target_rule") and Span.has_extension("modifiers") and all(
        Span.get_extension(name)[1:] == (None, None, None) and not isinstance(Span.get_extension(name)[0], (list, dict, set))
        for name in ("target_rule", "modifiers"))
    if not plain:
        return lambda span: (span._.target_rule, span._.modifiers)
    data = doc.user_data
    rule_default, mods_default = Span.get_extension("target_rule")[0], Span.get_extension("modifiers")[0]

    def attrs(span):
        a, b = span.start_char, span.end_char
        return data.get(("._.", "target_rule", a, b), rule_default), data.get(("._.", "modifiers", a, b), mods_default)
    return attrs


def view_of(doc: Doc, date_of_service: str | None = None, text: str | None = None) -> NoteView:
    """text: optionally the string doc was made from (saves rebuilding doc.text)."""
    sents: list[Sentence] = []
    text = _doc_text(doc, text)  # a Span's text is a slice of it
    by_token: list[Sentence | None] = [None] * len(doc)
    for i, (start, end, start_char, end_char, sec) in enumerate(_sentence_bounds(doc)):
        sent = Sentence(i, start_char, end_char, text[start_char:end_char], sec)
        sents.append(sent)
        by_token[start:end] = [sent] * (end - start)
    _close_list_sections(text, sents)
    mentions = []
    span_attrs = _span_attrs(doc)
    for span in doc.spans.get(SPAN_GROUP, []):
        if span.label_ not in ("MUSCLE", "MUSCLE_GROUP", "THERAPY", "PALPATION", "DRUG", "IMAGING", "TPI",
                               "DRY_NEEDLING", "OTHER_PROCEDURE"):
            continue
        sent = by_token[span.start]
        target_rule, modifiers = span_attrs(span)
        meta = target_rule.metadata or {}
        mods, mod_texts = set(), []
        for m in modifiers:
            ms, me = m.modifier_span
            if span.start <= ms and me <= span.end:
                continue  # a cue inside the target itself ("needling without injectate")
            if 0 <= ms < len(by_token) and by_token[ms] is sent:
                category = m.category
                if category == "HYPOTHETICAL" and re.search(r"\bin\s+$", text[max(0, doc[ms].idx - 4):doc[ms].idx]) \
                        and doc[ms].lower_ == "order":
                    continue  # "points in order: first ..." is a sequence, not an order for a test
                if category == "NEGATED_EXISTENCE" and any(
                        o is not m and o.category != category and o.modifier_span[0] <= ms and me <= o.modifier_span[1]
                        and o.modifier_span != m.modifier_span for o in modifiers):
                    continue  # the "not" of "did not restart PT" (TRIED): a longer cue holds it
                if category == "NEGATED_EXISTENCE" and doc[ms].lower_ in ("neither", "nor") and NEITHER_OUTCOME.search(
                        text, span.end_char, sent.end if sent is not None else len(text)):
                    category = "FAILED"  # "neither ibuprofen nor a course of massage therapy helped": tried, no help
                if category == "NEGATED_EXISTENCE":
                    after = doc[me - 1].idx + len(doc[me - 1])
                    if PROCEDURAL_NEGATION.match(text[after:after + 25]) \
                            or re.search(r"aspirat\w*\W{0,3}$", text[max(0, doc[ms].idx - 20):doc[ms].idx], re.I):
                        continue  # "negative aspiration", "no blood return": procedure safety, not negation
                    if OUTCOME_AFTER.match(text[after:after + 30]):
                        continue  # "PT without improvement, naproxen ...": an outcome, not the absence of naproxen
                    if me <= span.start and NEGATED_HEAD.match(text[after:span.start_char]):
                        continue  # "no corticosteroid: L upper trapezius x2": the cue negates the words before the colon
                    if me <= span.start and NEGATION_OBJECT.search(text[after:span.start_char]):
                        # "no lifting > 15 lb) and ibuprofen", "with no real change, and still takes meloxicam":
                        # the cue negates something else before the target
                        continue
                mods.add(category)
                mod_texts.append(_chars(doc, text, ms, me))
        start_char, end_char = span.start_char, span.end_char
        mentions.append(Mention(span.label_, meta.get("value", ""), tuple(meta.get("extra") or ()),
                                text[start_char:end_char], start_char, end_char, sent, mods, mod_texts))
    mentions.sort(key=lambda m: m.start)
    _unchecked_boxes(text, mentions)
    blocks = carried_forward_blocks(text)
    _copied_forward(blocks, mentions)
    view = NoteView(text, sents, mentions, date_of_service)
    view.memo(carried_forward_blocks, lambda: blocks)  # duration ranks by them too: found once per note
    return view


# "Interval history (carried forward from last visit):", "***Copied from Procedure Note 01/08/2025***": a
# heading line that says the text below was copied from an earlier note
CARRIED_HEADER = re.compile(r"(?im)^(?=[^\n]{0,120}$)[^\n]{0,60}\b(?:carried forward|copied forward|carry[- ]forward|copied from|"
                            r"copy[- ]forward|from (?:the )?(?:last|previous|prior) (?:visit|note|encounter))\b[^\n]*(?<![.!?])$")
CARRIED_END = re.compile(r"(?im)^[^\n]{0,10}\bend (?:of )?(?:the )?cop(?:ied|y)\b[^\n]*$|\n[ \t]*\n")
CARRIED_WORD = re.compile(r"forward|copied|last|previous|prior", re.I)
SESSION_LABELS = ("TPI", "DRY_NEEDLING", "MUSCLE", "MUSCLE_GROUP", "DRUG", "IMAGING")


def carried_forward_blocks(text: str) -> list[tuple[int, int]]:
    """(start, end) of each block of text copied from an earlier note: from its heading to an "end of copied
    text" line or the next blank line."""
    if not CARRIED_WORD.search(text):
        return []  # every CARRIED_HEADER match holds one of these words (one scan, no lower-cased copy of the note)
    blocks = []
    for h in CARRIED_HEADER.finditer(text):
        end = CARRIED_END.search(text, h.end())
        blocks.append((h.start(), end.start() if end else len(text)))
    return blocks


def _copied_forward(blocks: list[tuple[int, int]], mentions: list[Mention]) -> None:
    """A procedure, its sites and drugs inside copied text happened at that earlier visit."""
    if not blocks:
        return
    for m in mentions:
        if m.label in SESSION_LABELS and any(a <= m.start < b for a, b in blocks):
            m.modifiers.add("HISTORICAL")
            m.modifier_texts.append("copied forward")


NEITHER_OUTCOME = re.compile(r"\b(?:helped|helps|worked|works|improved|did (?:anything|much)|made (?:a|any) difference|gave (?:any )?relief)\b", re.I)
CHECKBOX = re.compile(r"\[\s*([xX✓✔*]?)\s*\]|☐|☑|☒")


def _unchecked_boxes(text: str, mentions: list[Mention]) -> None:
    """Template checkboxes: '[ ] Trigger point injection(s)  [X] Sacroiliac joint injection' - a mention
    after an empty box on its line (with no other box between) is not documented."""
    if not any(c in text for c in "[☐☑☒"):
        return  # no box anywhere: CHECKBOX cannot match
    for m in mentions:
        line_start = text.rfind("\n", 0, m.start) + 1
        boxes = list(CHECKBOX.finditer(text, line_start, m.start))
        if not boxes:
            continue
        b = boxes[-1]
        if m.start - b.end() > 40:
            continue
        if b.group(0) == "☐" or (b.group(0).startswith("[") and not b.group(1)):
            m.modifiers.clear()  # "[x] PT - failed   [ ] Chiropractic": the "failed" of the ticked box is not this one's
            m.modifiers.add("NEGATED_EXISTENCE")
            m.modifier_texts.append(b.group(0))
        else:
            m.modifiers.discard("NEGATED_EXISTENCE")  # "[X] Ultrasound  [ ] None": the ticked box wins


LIST_SECTIONS = {"medications", "review_of_systems", "past_medical_history"}
BLANK_LINE = re.compile(r"\n[ \t]*\n")


def _close_list_sections(text: str, sents: list[Sentence]) -> None:
    """A medication, allergy or ROS list ends at the first blank line; without a new header the
    sectionizer would carry it over the rest of the note ("Allergies: NKA. Meds: ..." then the procedure)."""
    original = [s.section for s in sents]
    closed = run_in = False
    before = None
    for i in range(1, len(sents)):
        if original[i] != original[i - 1]:
            closed = False  # a new header opens a new section
            # "ID x2 verified. Allergies: NKDA." : a list opened in the middle of a line covers that line only
            run_in = original[i] in LIST_SECTIONS and text[:sents[i].start].rstrip(" \t")[-1:] not in ("\n", "")
            before = original[i - 1]
        if original[i] in LIST_SECTIONS and (closed or BLANK_LINE.search(text[sents[i - 1].start:sents[i].start])):
            closed = True
            sents[i].section = None
        elif original[i] in LIST_SECTIONS and run_in and "\n" in text[sents[i - 1].start:sents[i].start]:
            closed = True
            sents[i].section = before


def join_views(text: str, parts: list[tuple[int, "NoteView"]], date_of_service: str | None = None) -> NoteView:
    """Join the views of consecutive chunks of one note, shifting offsets back into the whole text."""
    sents, mentions = [], []
    for offset, v in parts:
        for s in v.sentences:
            s.start += offset
            s.end += offset
            s.index = len(sents)
            sents.append(s)
        for m in v.mentions:
            m.start += offset
            m.end += offset
            mentions.append(m)
    return NoteView(text, sents, mentions, date_of_service)


def folded(text: str) -> str:
    """text.lower() for cheap `word in folded(text)` prefilters in front of slow re.I patterns: every
    character that re.I matches to an ASCII letter becomes that letter (lower() alone leaves 'ſ' and
    'ı', which re.I matches to 's' and 'i', and turns 'İ' into two characters). So a pattern's literal
    ASCII word can match text only if the word is in folded(text). Checked by tests/test_speed_prefilters.py.
    Sentence-sized texts are remembered (most extractors fold the same sentence); whole notes are not
    kept, so the cache cannot hold thousands of notes in a long scan."""
    return _fold(text) if len(text) > 2000 else _folded_sentence(text)


def _fold(text: str) -> str:
    return text.replace("\u0130", "i").lower().replace("\u017f", "s").replace("\u0131", "i")


_folded_sentence = lru_cache(maxsize=16384)(_fold)


def has_any(words) -> Callable[[str], bool]:
    """any(w in text for w in words), as one scan of text (for the word prefilters on folded text)."""
    search = re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))).search
    return lambda text: search(text) is not None


def cue(pattern: re.Pattern) -> Callable[[str], bool]:
    """pattern.search(text) is not None, remembered for recent texts: the extractors test the same sentence
    once per mention in it, and several of them scan every sentence of the note."""
    return lru_cache(maxsize=4096)(lambda text: pattern.search(text) is not None)


WORD_NUMBERS = {"one": 1, "a": 1, "an": 1, "single": 1, "two": 2, "both": 2, "three": 3, "four": 4, "five": 5,
                "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
                "several": None, "few": None, "couple": 2, "a couple": 2, "fifteen": 15, "twenty": 20,
                "eighteen": 18, "once": 1, "twice": 2, "thrice": 3, "half a": 0.5, "half an": 0.5}
NUM = r"(?:\d+(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|eighteen|twenty|a|an|single)"


def to_number(s: str) -> float | None:
    s = s.strip().lower()
    try:
        return float(s)
    except ValueError:
        return WORD_NUMBERS.get(s)


INJECTION_CUE = re.compile(
    r"inject|injection|\bTPIs?\b|\bTrPIs?\b|needl|infiltrat|instill|\binj\b|\bsites?\b|\bsticks?\b|\bshots?\b|"
    r"(?:\bx|×)\s?\d+(?!\s*(?:d|days?|wks?|weeks?|mos?|months?|yrs?|years?|hrs?|hours?|mins?|minutes?|sessions?|visits?)\b)",
    re.I)
injection_cue = cue(INJECTION_CUE)
PERFORMED_CUE = re.compile(
    r"\b(injected|infiltrated|instilled|needled|performed|administered|given|completed|done|placed|delivered|"
    r"treated|tolerated|were injected|was injected|injections? (?:each\s+)?(?:to|into|of|in)|today|this visit|this session|"
    r"(?:alcohol|chlorhexidine|betadine|sterile|skin) prep|no complications|"
    r"aspirat\w*|prepped|prepared|sterile|cleaned|gauge|\d+\s?g|band-?aids?|EBL|hemostasis|consent obtained)\b",
    re.I)
performed_cue = cue(PERFORMED_CUE)
OUTCOME_AFTER = re.compile(r"^[ \t]{0,3}(?:(?:significant|meaningful|lasting|much|any|durable|sustained|real|noticeable)\s+)?"
                           r"(?:relief|improvement|benefit|help|helping|helped|helpful|working|effective|success|effect|going away|gone away|"
                           r"responded|responding|response)\b", re.I)
NEGATED_HEAD = re.compile(r"[ \t]*[\w/-]+(?:[ \t]+[\w/-]+){0,3}[ \t]*:")  # words, then a colon
NEGATION_OBJECT = re.compile(r"[()]|\b(?:change|relief|improvement|benefit|help|difference|effect|success|lifting|"
                             r"bending|running|driving|work)\b[^.;]*?(?:,|\band\b)", re.I)
PROCEDURAL_NEGATION = re.compile(r"^\W{0,3}(?:(?:more|further|additional)\s+)?(?:aspirat|blood|heme|flash|paresthes|complication|return of blood|"
                                 r"injectate|medication (?:injected|used)|drug (?:injected|used)|anesthetic used|steroid used|"
                                 r"epi\b|epinephrine|preservatives?|additives?|contrast|sedation|steroids?\b|medications?\b|meds?\b|drugs?\b|"
                                 r"anesthetics?\b|local\b(?!\s+(?:twitch|tender|trigger|response))|lidocaine|imaging|ultrasound|fluoro|"
                                 r"(?:on\s+)?(?:anticoagula\w*|blood thinners?|warfarin|aspirin)|pregnant|allergi\w*|bleeding|bruising|fever)", re.I)
