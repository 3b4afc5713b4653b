"""A line-aware sentence splitter for clinical notes.

Clinical notes break meaning at line ends (headers, bullets, med lists) far more than prose does, and
PyRuSH costs 80-90% of medspaCy's default pipeline time. This splitter sets sentence starts:
- at every line break, unless the next line continues a wrapped sentence (it starts in lower case and
  the previous line ends without punctuation or colon);
- after '.', '!' or '?' when the next token starts with an upper-case letter, a digit or a bullet,
  and the period is not part of a known abbreviation.
Compare with PyRuSH and spaCy's sentencizer: benchmarks/sentence_splitters.py.
"""
from __future__ import annotations

import re

import numpy
from spacy.attrs import IS_ALPHA, IS_SPACE, IS_TITLE, IS_UPPER, ORTH, SENT_START
from spacy.language import Language
from spacy.tokens import Doc

from .side_columns import column_blocks, second_cells
from .textprep import mostly_lower_case

# Periods that do not end a sentence. Units and dosing (mg., BID., qhs.) are left out on purpose: before
# an upper-case word they end one ("naproxen 500 mg BID. Trigger point injections were ...").
ABBREVIATIONS = frozenset("""dr mr mrs ms pt pts approx appt dept e.g i.e vs etc fig no st jr sr inj hx tx dx
sx fx px rx y.o inc cont incl esp resp""".split())
# a side written with a period before a lower-case muscle ("lt. levator x2") does not end the sentence;
# before an upper-case word it still can ("worse on the rt. Tolerated well.")
SIDE_ABBREVIATIONS = frozenset({"lt", "rt", "bilat", "bil"})
BULLETS = frozenset({"-", "*", "•", "·", "○", "▪", "–", "—", ">"})


_ENDS: dict[int, bool] = {}  # ORTH id -> the token text holds a line break, '.', '!' or '?' (same in every Doc)


def _has_end_char(orth: int, strings) -> bool:
    found = _ENDS.get(orth)
    if found is None:
        if len(_ENDS) > 200_000:
            _ENDS.clear()
        text = strings[orth]
        found = _ENDS[orth] = "\n" in text or "." in text or "!" in text or "?" in text
    return found


def _candidates(doc: Doc) -> list[int]:
    """The tokens that can start a sentence. Every rule below needs a line break, '.', '!' or '?' in
    the previous token (or the one before it, across a run of spaces; a token's trailing whitespace is
    at most one space); looking at only those tokens gives the same flags without a Python step (and
    a Token object) for every token of the note."""
    arr = doc.to_array([ORTH, IS_SPACE])
    orths = arr[:, 0]
    uniq = numpy.unique(orths)
    strings = doc.vocab.strings
    ends = uniq[[_ENDS.get(o) or _has_end_char(o, strings) for o in uniq.tolist()]]
    owners = numpy.flatnonzero(numpy.isin(orths, ends))
    n = len(doc)
    nxt = owners + 1
    nxt = nxt[nxt < n]
    skip = nxt[arr[nxt, 1] != 0] + 1  # the token after a run of spaces that follows the owner
    cands = numpy.unique(numpy.concatenate([nxt, skip]))
    return cands[cands < n].tolist()


@Language.component("docgap_sentences", assigns=["token.is_sent_start"])
def docgap_sentences(doc: Doc) -> Doc:
    n = len(doc)
    if n == 0:
        return doc
    # Collected and written once: Token.is_sent_start's setter rescans the whole Doc on every call.
    flags = numpy.full(n, -1, dtype=numpy.int64)
    flags[0] = 1
    lower_case_note = _written_in_lower_case(doc)
    for i in _candidates(doc):
        tok, prev = doc[i], doc[i - 1]
        start = False
        if prev.is_space and "\n" not in prev.text and i >= 2 and not tok.is_space:
            # "distress.  There are": a run of spaces after the period is its own token
            prev = doc[i - 2]
            i_prev = i - 2
        else:
            i_prev = i - 1
        if "\n" in prev.text_with_ws:
            if prev.is_space:
                before = doc[i - 2] if i >= 2 else None
            else:
                before = prev
            wrapped = (
                not lower_case_note
                and tok.text[:1].islower()
                and before is not None
                and before.text not in {".", ":", "!", "?", ";"}
                and prev.text_with_ws.count("\n") == 1
            )
            start = not wrapped
        elif prev.text in {".", "!", "?"} and not tok.is_space:
            before = doc[i_prev - 1].lower_ if i_prev >= 1 else ""
            first = tok.text[:1]
            before_tok = doc[i_prev - 1] if i_prev >= 1 else None
            if before_tok is not None and before_tok.like_num and len(before_tok.text) <= 2 and (
                    before_tok.i == 0 or "\n" in doc[before_tok.i - 1].text_with_ws):
                tok.is_sent_start = False  # "1. R upper trapezius": list numbering, not a sentence end
                continue
            abbreviation = before in ABBREVIATIONS and not (before_tok is not None and before_tok.text in ("PT", "PTs"))
            if (first.isupper() or first.isdigit() or tok.text in BULLETS) and not abbreviation:
                start = True
            elif (first.islower() and tok.is_alpha or first in "~(#*\"'") and not abbreviation and len(before) > 1 \
                    and before not in SIDE_ABBREVIATIONS and prev.idx + 1 < tok.idx:
                start = True  # shorthand starts sentences in lower case: "... stretches, heat. f/u PCP prn."
        elif prev.text.endswith(".") and len(prev.text) > 1 and prev.lower_[:-1] not in ABBREVIATIONS:
            # tokens like "Dr." keep their period; a sentence-final "word." also lands here
            if tok.text[:1].isupper() and not prev.text[:-1].replace(".", "").isdigit():
                # "J. Smith" and "U.S." keep going; "jump sign L > R. Trigger point ..." ends
                start = prev.lower_.rstrip(".") not in ABBREVIATIONS and (
                    not prev.text[:-1].isupper() or prev.text[:-1] in ("L", "R"))
        if tok.is_space:
            start = False
        if start:
            flags[i] = 1
    orths = doc.to_array([ORTH])
    for i in _form_field_starts(doc, orths) + _column_cell_starts(doc, orths):
        flags[i] = 1
    doc.from_array([SENT_START], flags.astype(numpy.uint64))
    return doc


def _written_in_lower_case(doc: Doc) -> bool:
    """A note typed all in lower case ("pt 71m here for first tpi r hip") gives no case cue for a wrapped
    line, so each line break ends a sentence (textprep keeps those line breaks by the same test)."""
    arr = doc.to_array([IS_ALPHA, IS_TITLE, IS_UPPER])
    return mostly_lower_case(int(arr[:, 0].sum()), int(((arr[:, 1] + arr[:, 2]) > 0).sum()))


FORM_FIELD = re.compile(r"\s*[A-Za-z#][^:|\n]{0,40}:")


def _form_field_starts(doc: Doc, orths) -> list[int]:
    """Smart-form lines ("Procedure: TPI | Indication: ...; PT - no change | Muscles: L piriformis | ..."):
    each 'Label: value' field between pipes is a sentence of its own. Table rows ("| L | trapezius |
    2 |") have no such labels and stay one sentence."""
    pipe = doc.vocab.strings["|"]
    if not (orths == pipe).any():
        return []  # no '|' token (the only ones _pipe_token_starts looks at); most notes, without doc.text
    text = doc.text
    starts = []
    line_start = 0
    for line in text.split("\n"):
        fields = line.split("|")
        if len(fields) >= 3 and sum(1 for f in fields if FORM_FIELD.match(f)) >= 2:
            starts.extend(_pipe_token_starts(doc, line_start, line_start + len(line)))
        line_start += len(line) + 1
    return starts


_COLUMN_HEADS = ("RIGHT", "LEFT", "Right", "Left")


def _column_cell_starts(doc: Doc, orths) -> list[int]:
    """Rows under a RIGHT / LEFT header (side_columns.py): each row, and each row's second cell, starts a sentence."""
    if not numpy.isin(orths, [doc.vocab.strings[w] for w in _COLUMN_HEADS]).any():
        return []
    text = doc.text
    out = []
    for block in column_blocks(text):
        pos = block.start
        starts = list(second_cells(text, block))
        for line in text[block.start:block.end].split("\n"):
            if line.strip():
                starts.append(pos + len(line) - len(line.lstrip()))
            pos += len(line) + 1
        for c in starts:
            span = doc.char_span(c, c + 1, alignment_mode="expand")
            if span is not None and span[0].idx == c and span[0].i > 0:
                out.append(span[0].i)
    return out


def _pipe_token_starts(doc: Doc, a: int, b: int) -> list[int]:
    """The first non-space token after each '|' token between characters a and b."""
    out = []
    span = doc.char_span(a, b, alignment_mode="expand")
    if span is None:
        return out
    for t in span:
        if t.text == "|" and t.i + 1 < len(doc):
            j = t.i + 1
            while j < len(doc) and doc[j].is_space:
                j += 1
            if j < len(doc) and doc[j].idx < b:
                out.append(j)
    return out
