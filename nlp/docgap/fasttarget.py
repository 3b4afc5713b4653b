"""medspaCy's TargetMatcher.__call__ writing span._.target_rule straight into doc.user_data, with identical
results.

Setting `span._.target_rule` builds an Underscore object per matched span only to store the rule under
the key a Span extension uses: ("._.", name, span.start_char, span.end_char). This is the same method
(medspaCy 1.3.1), line for line, except that assignment. Checked against the original by
tests/test_scale.py.
"""
from __future__ import annotations

import warnings

from medspacy.target_matcher.target_matcher import TargetMatcher
from spacy.tokens import Doc, Span

_ORIGINAL = TargetMatcher.__call__


def target_matcher_call(self, doc: Doc):
    matcher = self._TargetMatcher__matcher
    matches = matcher(doc)
    spans = []
    user_data = doc.user_data
    for rule_id, start, end in matches:
        rule = matcher.rule_map[self.nlp.vocab.strings[rule_id]]
        span = Span(doc, start=start, end=end, label=rule.category)
        user_data[("._.", "target_rule", span.start_char, span.end_char)] = rule  # span._.target_rule = rule
        if rule.attributes is not None:
            for attribute, value in rule.attributes.items():
                setattr(span._, attribute, value)
        spans.append(span)

    if not self.result_type:
        return spans
    elif self.result_type.lower() == "ents":
        for span in spans:
            try:
                doc.ents += (span,)
            except ValueError:
                warnings.warn(f'The result ""{span}"" conflicts with a pre-existing entity in doc.ents. This result has '
                              f"been skipped.", RuntimeWarning)
        return doc
    elif self.result_type.lower() == "group":
        if self.span_group_name in doc.spans.keys():
            doc.spans[self.span_group_name] += spans
        else:
            doc.spans[self.span_group_name] = spans
        return doc


def install() -> None:
    """Patch medspaCy's TargetMatcher (idempotent). `target_rule` must stay a plain Span extension."""
    default, method, getter, setter = Span.get_extension("target_rule")
    if getter is None and setter is None and method is None:
        TargetMatcher.__call__ = target_matcher_call


def uninstall() -> None:
    TargetMatcher.__call__ = _ORIGINAL
