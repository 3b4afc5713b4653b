"""Build the medspaCy pipeline: tokenizer, sentence splitter, sectionizer, target matcher, ConText.

Rules come from the JSON files in lexicons/ (TargetRule/ConTextRule/SectionRule objects added with
.add(): medspaCy's `rules=` config path for the target matcher crashes, and nlp.to_disk does not
persist rules, so the pipeline is always rebuilt from data).
"""
from __future__ import annotations

import json
import re
from functools import lru_cache, partial
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Span

from . import fastcontext, fastprune, fastsection, fasttarget, sentences  # noqa: F401  (sentences registers docgap_sentences)
from .spelling import SpellingIndex
from .errors import LexiconError
from .lexicon import Lexicons, load_lexicons

SPLITTERS = ("docgap", "pyrush", "sentencizer")

# ConText categories -> Span attributes. The defaults (is_negated, is_hypothetical, is_historical)
# exist in medspaCy; the therapy outcomes are ours.
CONTEXT_ATTRS = {
    "NEGATED_EXISTENCE": {"is_negated": True},
    "HYPOTHETICAL": {"is_hypothetical": True},
    "HISTORICAL": {"is_historical": True},
    "FAILED": {"is_failed": True},
    "DECLINED": {"is_declined": True},
    "CURRENT": {"is_current": True},
    "TRIED": {"is_tried": True},
}
SPAN_GROUP = "docgap"


def _quiet_loguru() -> None:
    # PyRuSH >= 1.0.10 logs every document at DEBUG through loguru's stderr sink.
    try:
        from loguru import logger

        logger.disable("PyRuSH")
        logger.disable("medspacy")
    except ImportError:  # pragma: no cover
        pass


def _register_extensions() -> None:
    for attr in ("is_failed", "is_declined", "is_current", "is_tried"):
        if not Span.has_extension(attr):
            Span.set_extension(attr, default=False)


# generic titles that may be followed by a dash or parenthesis on their line; a title such as
# "Trigger Point Injection - Procedure Record" names the note, not a section
DASH_TITLES = {"procedure", "procedures", "procedure details", "technique", "plan", "assessment", "exam",
               "examination", "physical exam", "impression", "indication", "indications", "medications"}


def _headers_end_line(sectionizer, doc, matches):
    """A title written with its colon ("Plan:") may have text after it on the same line; a bare title
    ("Procedure Details", "Plan") is a header when it is alone on its line or followed by a dash or a
    parenthesis ("Procedure - ...", "Procedure (consent, prep): ...")."""
    from medspacy.section_detection import util

    def opens_line(m):  # "Procedure - trigger point injections", "Procedure (consent, prep):"
        nxt = doc[m[2]] if m[2] < len(doc) else None
        return (nxt is not None and nxt.text in ("-", "–", "—", "(") and doc[m[2] - 1].whitespace_
                and doc[m[1]:m[2]].text.lower() in DASH_TITLES)

    return [m for m in matches if doc[m[2] - 1].text == ":" or opens_line(m)
            or util.is_end_line(m[2] - 1, doc, sectionizer.newline_pattern)]


SENTENCE_END = {".", "!", "?"}


def _headers_start_line(sectionizer, doc, matches):
    """A title starts a section at the start of a line, or inside a paragraph when it is capitalized,
    written with its colon and follows the end of a sentence: dictated and one-line notes run their
    headers on ("... on naproxen.  Exam: taut bands ...  Procedure: 1% lidocaine ...")."""
    from medspacy.section_detection import util

    def run_in(m):
        start, end = m[1], m[2]
        if start == 0 or doc[end - 1].text != ":" or not doc[start].text[:1].isupper():
            return False
        i = start - 1
        while i > 0 and doc[i].is_space:  # "today.  Exam:" has a whitespace token between
            i -= 1
        prev = doc[i]
        spaced = i < start - 1 or prev.whitespace_ != ""
        return spaced and (prev.text in SENTENCE_END or prev.text.endswith("."))

    return [m for m in matches if util.is_start_line(m[1], doc, sectionizer.newline_pattern) or run_in(m)]


def _spelling_index(lex: Lexicons) -> SpellingIndex:
    path = Path(lex.source_dir) / "spelling.json"
    data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    unknown = set(data) - {"description", "never_correct"}
    if unknown:
        raise LexiconError(f"spelling.json: unknown key(s) {sorted(unknown)}")
    never = data.get("never_correct", [])
    if not isinstance(never, list) or not all(isinstance(w, str) for w in never):
        raise LexiconError("spelling.json never_correct: expected a list of words")
    concepts: dict[str, set] = {}
    for t in lex.terms:
        if not t.spell:
            continue  # the phrases expanded from a word pattern are not lexicon words
        for w in re.findall(r"[A-Za-z]+", t.text):
            concepts.setdefault(w.lower(), set()).add((t.label, t.value))
    return SpellingIndex(concepts, never, concepts)


def build_pipeline(lexicons: Lexicons | None = None, splitter: str = "docgap") -> Language:
    """A fresh pipeline. Costly (about a second): build once per process and reuse."""
    import medspacy
    from medspacy.context import ConTextRule
    from medspacy.section_detection import SectionRule
    from medspacy.target_matcher import TargetRule

    if splitter not in SPLITTERS:
        raise ValueError(f"unknown sentence splitter {splitter!r}; choose one of {', '.join(SPLITTERS)}")
    _quiet_loguru()
    _register_extensions()
    fastcontext.install()  # same ConText results, without its all-pairs loops
    fastsection.install()  # same sections, token attributes set in bulk
    fasttarget.install()  # same target spans, their rule stored without an Underscore object each
    fastprune.install()  # same pruned matches, without a quadratic list.pop(0)
    lex = lexicons or load_lexicons()
    nlp = medspacy.load(medspacy_enable=["medspacy_tokenizer"])
    nlp.max_length = 2_000_000
    if splitter == "docgap":
        nlp.add_pipe("docgap_sentences")
    elif splitter == "sentencizer":
        nlp.add_pipe("sentencizer")
    else:
        nlp.add_pipe("medspacy_pyrush")

    nlp.add_pipe("docgap_spelling").set_index(_spelling_index(lex))

    sectionizer = nlp.add_pipe(
        "medspacy_sectionizer",
        config={"rules": None, "require_start_line": True, "require_end_line": True, "input_span_type": "group",
                "span_group_name": SPAN_GROUP, "span_attrs": None},
    )
    sectionizer.add(SectionRule.from_json(str(Path(lex.source_dir) / "section_rules.json")))
    sectionizer.filter_start_lines = partial(_headers_start_line, sectionizer)
    sectionizer.filter_end_lines = partial(_headers_end_line, sectionizer)

    matcher = nlp.add_pipe(
        "medspacy_target_matcher",
        # NORM: lower case, with misspelled lexicon words replaced by the word (docgap_spelling)
        config={"result_type": "group", "span_group_name": SPAN_GROUP, "prune": True, "phrase_matcher_attr": "NORM"},
    )
    matcher.add([TargetRule(t.text, t.label, attributes=None, metadata={"value": t.value, "extra": list(t.extra)})
                 for t in lex.terms])

    context = nlp.add_pipe(
        "medspacy_context",
        config={"rules": None, "input_span_type": "group", "span_group_name": SPAN_GROUP,
                "span_attrs": CONTEXT_ATTRS, "prune_on_modifier_overlap": False},
    )
    context.add(ConTextRule.from_json(str(Path(lex.source_dir) / "context_rules.json")))
    return nlp


@lru_cache(maxsize=4)
def default_pipeline(splitter: str = "docgap", lexicon_dir: str | None = None) -> tuple[Language, Lexicons]:
    lex = load_lexicons(lexicon_dir)
    return build_pipeline(lex, splitter), lex
