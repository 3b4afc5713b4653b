"""Typo tolerance: one edit from exactly one lexicon word of 7+ letters, never for listed common words."""
import pytest

from docgap.spelling import SpellingIndex

INDEX = SpellingIndex(["trapezius", "levator", "scapulae", "injections", "infraspinatus", "supraspinatus",
                       "lidocaine"], never_correct=["elevator"])


@pytest.mark.parametrize("token, expected", [
    ("trapezuis", "trapezius"),        # swapped letters
    ("trapezus", "trapezius"),         # a letter dropped
    ("trapezzius", "trapezius"),       # a letter added
    ("injecitons", "injections"),
    ("lidocane", "lidocaine"),
    ("Scapuale", "scapulae"),
    ("trapezius", None),               # already a lexicon word
    ("elevator", None),                # a real word one edit from "levator"
    ("levatr", None),                  # under 7 letters: too many real words nearby
    ("trapxxxus", None),               # two edits
    ("xrapezius", None),               # the first letter must agree
])
def test_correct(token, expected):
    assert INDEX.correct(token) == expected


def test_ambiguous_correction_is_left_alone():
    idx = SpellingIndex(["abcdefgh", "abcdefgj"])
    assert idx.correct("abcdefgk") is None


def test_misspelled_mentions_are_found_with_original_offsets(extract):
    text = "Trigger point injecitons performed to the left trapezuis with 1% lidocane 2 mL."
    f = extract(text)
    assert [(m.name, m.laterality, text[m.start:m.end]) for m in f.muscles] == [("trapezius", "left", "trapezuis")]
    assert [d.name for d in f.drugs] == ["lidocaine"]


def test_two_spellings_of_one_concept_are_not_ambiguous():
    idx = SpellingIndex(["lidocain", "lidocaine"], concepts={"lidocain": {"lidocaine"}, "lidocaine": {"lidocaine"}})
    assert idx.correct("lidocane") in ("lidocain", "lidocaine")
    assert SpellingIndex(["abcdefgh", "abcdefgj"], concepts={"abcdefgh": {1}, "abcdefgj": {2}}).correct("abcdefgk") is None
