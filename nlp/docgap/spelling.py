"""Typo tolerance for lexicon words: "trapezuis", "injecitons", "levator scapuale".

A token that is not a lexicon word but is one edit (insertion, deletion, substitution or transposition)
away from exactly one lexicon word of at least MIN_LENGTH letters gets that word as its NORM; the target
matcher matches on NORM, so the misspelled mention is found with its original offsets. Short words are
never corrected (too many real words sit one edit from "trap" or "QL"), and neither are the common
words listed in lexicons/spelling.json `never_correct` ("elevator" is not "levator").
"""
from __future__ import annotations

import re
from typing import Iterable

import numpy
from spacy.attrs import IS_ALPHA, IS_SPACE, LENGTH, ORTH
from spacy.language import Language
from spacy.tokens import Doc

MIN_LENGTH = 7
WORD = re.compile(r"^[a-z]+$")


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


class SpellingIndex:
    def __init__(self, words: Iterable[str], never_correct: Iterable[str] = (),
                 concepts: dict[str, set] | None = None):
        lowered = {x.lower() for x in words}
        self.words = {w for w in lowered if len(w) >= MIN_LENGTH and WORD.match(w)}
        self.joinable = {w for w in lowered if len(w) >= 5 and WORD.match(w)}  # rejoined across a line: "me-\ndius"
        # word -> the concepts whose terms use it: two spellings of one concept ("lidocain",
        # "lidocaine") are not an ambiguity
        self.concepts = concepts or {}
        self.never = {w.lower() for w in never_correct}
        self.by_delete: dict[str, set[str]] = {}
        for w in self.words:
            for d in _deletes(w):
                self.by_delete.setdefault(d, set()).add(w)

    def correct(self, token: str) -> str | None:
        t = token.lower()
        if len(t) < MIN_LENGTH or t in self.words or t in self.never or not WORD.match(t):
            return None
        found: set[str] = set(self.by_delete.get(t, ()))  # a letter dropped: "trapezus"
        for d in _deletes(t):
            if d in self.words:
                found.add(d)  # a letter added: "trapezzius"
            found |= {w for w in self.by_delete.get(d, ()) if len(w) == len(t)}  # swapped or replaced
        found = {w for w in found if w[0] == t[0]}
        if len(found) > 1:
            shared = set.intersection(*(self.concepts.get(w, {w}) for w in found))
            if shared:
                return max(found, key=lambda w: (len(self.concepts.get(w, ())), w))
        return found.pop() if len(found) == 1 else None


@Language.factory("docgap_spelling", default_config={})
def make_spelling(nlp, name):  # untyped: spaCy resolves factory annotations at runtime
    return SpellingNormalizer()


CACHE_SIZE = 50_000



class SpellingNormalizer:
    def __init__(self):
        self.index = SpellingIndex(())
        self._cache: dict[str, str | None] = {}  # token text -> correct(text): the same words recur in every note

    def _rejoin(self, doc: Doc) -> None:
        """Tokens of a lexicon word split by a line-end hyphen ("quadra", "-", "\\n", "tus") become one token
        whose NORM is the word (the target matcher matches on NORM; the token keeps its text, so offsets
        still point into the note)."""
        hyphen = doc.vocab.strings["-"]
        arr = doc.to_array([ORTH, IS_SPACE])
        at = numpy.flatnonzero(arr[:-2, 0] == hyphen) if len(doc) > 3 else ()
        spans = []
        for i in (int(x) for x in at):
            if i == 0 or not arr[i + 1, 1] or "\n" not in doc[i + 1].text:
                continue
            first, rest = doc[i - 1], doc[i + 2]
            if first.whitespace_ or not first.is_alpha or not rest.is_alpha or not rest.text[:1].islower():
                continue
            word = (first.text + rest.text).lower()
            if word in self.index.joinable:
                spans.append((doc[i - 1:i + 3], word))
        if spans:
            with doc.retokenize() as retokenizer:
                for span, word in spans:
                    retokenizer.merge(span, attrs={"NORM": word})

    def set_index(self, index: SpellingIndex) -> None:
        self.index = index
        self._cache = {}

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc):
            return doc
        self._rejoin(doc)
        # Only alphabetic tokens of MIN_LENGTH+ letters can be corrected: pick them from the Doc's arrays
        # instead of building a Token object for every token.
        arr = doc.to_array([LENGTH, IS_ALPHA])
        cache = self._cache
        for i in numpy.flatnonzero((arr[:, 0] >= MIN_LENGTH) & (arr[:, 1] != 0)).tolist():
            tok = doc[i]
            text = tok.text
            fixed = cache.get(text, False)
            if fixed is False:
                if len(cache) >= CACHE_SIZE:
                    cache.clear()
                fixed = cache[text] = self.index.correct(text)
            if fixed:
                tok.norm_ = fixed
        return doc
