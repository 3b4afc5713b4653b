"""Length-preserving clean-up: markup becomes spaces so every offset still points into the original text."""
from __future__ import annotations

import re

HTML_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][^<>]{0,300}>")
HTML_BLOCK = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.I | re.S)
HTML_ENTITY = re.compile(r"&(?:[a-zA-Z]{2,8}|#\d{2,5});")
RTF_CONTROL = re.compile(r"\\[a-zA-Z]{1,32}-?\d{0,10} ?|\\'[0-9a-fA-F]{2}|[{}]")
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _blank(m: re.Match) -> str:
    return re.sub(r"[^\n]", " ", m.group(0))


def clean_for_nlp(text: str) -> str:
    """Same length as `text`; markup and control characters blanked out."""
    out = text
    if "<" in out:
        out = HTML_BLOCK.sub(_blank, out)
        out = HTML_TAG.sub(lambda m: "\n" + " " * (len(m.group(0)) - 1)
                           if re.match(r"<\s*/?\s*(br|p|div|li|tr|h\d)\b", m.group(0), re.I) else _blank(m), out)
    if "&" in out:
        out = HTML_ENTITY.sub(_blank, out)
    if "{\\rtf" in out or "\\par" in out:
        out = RTF_CONTROL.sub(_blank, out)
    out = CONTROL_CHARS.sub(" ", out)
    if len(SPOKEN_MARK.findall(out)) >= 4:
        out = _spoken_punctuation(out)
    if "\n" in out and WRAPPED.search(out) and not _typed_in_lower_case(out):
        out = WRAPPED.sub(lambda m: m.group(1) + " ", out)
    assert len(out) == len(text)
    return out


# A line wrapped mid-sentence ("... each with positive jump\nsign."): a long line that ends inside a
# sentence, followed by a line that goes on in lower case. Joined with a space so phrases match.
WRAPPED = re.compile(r"(?m)(^(?![^\n]*\S[ \t]{3,}\S)[^\n]{40,}[A-Za-z0-9,)])\n(?=[ \t]*[a-z])")  # not a row of columns


WORD = re.compile(r"[A-Za-z]+")


def _typed_in_lower_case(text: str) -> bool:
    """A note typed all in lower case ("pt 71m here for first tpi r hip\nexam r glute med taut band") gives
    no case cue for a wrapped line: its line breaks stay."""
    words = WORD.findall(text)
    return mostly_lower_case(len(words), sum(1 for w in words if not w.islower()))


def mostly_lower_case(words: int, capitalized: int) -> bool:
    """At least 20 words, at most 1 in 100 of them with a capital (also the sentence splitter's test)."""
    return words >= 20 and capitalized * 100 <= words


# Raw speech-recognition output keeps the dictated punctuation as words ("... 8 weeks period new
# paragraph exam colon taut band ..."). When a note has several, they become the marks themselves,
# padded with spaces to keep every offset.
SPOKEN_MARK = re.compile(r"(?<=\w)[ \t]+(?:period|comma|colon)\b(?=[ \t]*(?:\n|$|[a-z0-9]))", re.I)
SPOKEN = re.compile(r"(?<=\w)([ \t]+)(period|comma|colon|semicolon)\b|\b(new paragraph|next paragraph|new line)\b", re.I)
NOT_SPOKEN = re.compile(r"\b(?:a|the|this|that|same|short|brief|long|trial|follow[- ]up|refractory|waiting|washout)$", re.I)
MARKS = {"period": ".", "comma": ",", "colon": ":", "semicolon": ";"}


def _spoken_punctuation(text: str) -> str:
    def sub(m: re.Match) -> str:
        if m.group(3):
            return "\n\n" + " " * (len(m.group(0)) - 2)
        if NOT_SPOKEN.search(text[max(0, m.start() - 12):m.start()]):
            return m.group(0)  # "over a period of 6 weeks"
        return MARKS[m.group(2).lower()] + " " * (len(m.group(0)) - 1)
    return SPOKEN.sub(sub, text)
