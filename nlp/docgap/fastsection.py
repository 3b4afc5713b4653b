"""medspaCy's Sectionizer with its per-token attribute loop done in bulk, with identical results.

Sectionizer.__call__ (medspaCy 1.3.1) ends by setting `token._.section` on every token, one
Underscore object per token: about 15% of docgap's time per note. This is the same method, line
for line, except that loop, which writes the same entries straight into doc.user_data (the
key a Token extension uses: ("._.", name, token.idx, None)). Checked against the original by
tests/test_scale.py.
"""
from __future__ import annotations

from itertools import repeat

from medspacy.section_detection.section import Section
from medspacy.section_detection.sectionizer import Sectionizer
from spacy.attrs import IDX
from spacy.tokens import Doc

_ORIGINAL = Sectionizer.__call__


def sectionizer_call(self, doc: Doc) -> Doc:
    matches = self._Sectionizer__matcher(doc)
    if self.require_start_line:
        matches = self.filter_start_lines(doc, matches)
    if self.require_end_line:
        matches = self.filter_end_lines(doc, matches)
    if self._parent_sections:
        matches = self.set_parent_sections(matches)

    doc._.sections = []
    if len(matches) == 0:
        doc._.sections.append(Section(None, 0, 0, 0, len(doc)))
        return doc

    section_list = []
    first_match = matches[0]
    if first_match[1] != 0:
        section_list.append(Section(None, 0, 0, 0, first_match[1]))

    for i, match in enumerate(matches):
        parent = None
        if len(match) == 4:
            (match_id, start, end, parent_idx) = match
            if parent_idx is not None:
                parent = section_list[parent_idx]
        else:
            (match_id, start, end) = match

        if self._apply_sentence_boundary:
            doc[start].sent_start = True
            if end < len(doc):
                doc[end].sent_start = True

        rule = self._Sectionizer__matcher.rule_map[self.nlp.vocab.strings[match_id]]
        category = rule.category
        if i == len(matches) - 1:
            if self.max_section_length is None and rule.max_scope is None:
                section_list.append(Section(category, start, end, end, len(doc), parent, rule))
            else:
                if rule.max_scope is not None:
                    scope_end = min(end + rule.max_scope, doc[-1].i + 1)
                else:
                    scope_end = min(end + self.max_section_length, doc[-1].i + 1)
                section_list.append(Section(category, start, end, end, scope_end, parent, rule))
        else:
            next_match = matches[i + 1]
            if len(match) == 4:
                _, next_start, _, _ = next_match
            else:
                _, next_start, _ = next_match
            if self.max_section_length is None and rule.max_scope is None:
                section_list.append(Section(category, start, end, end, next_start, parent, rule))
            else:
                if rule.max_scope is not None:
                    scope_end = min(end + rule.max_scope, next_start)
                else:
                    scope_end = min(end + self.max_section_length, next_start)
                section_list.append(Section(category, start, end, end, scope_end, parent, rule))

    idx = doc.to_array([IDX]).tolist()  # token.idx of every token, without a Token object each
    user_data = doc.user_data
    for section in section_list:
        doc._.sections.append(section)
        start, end = section.section_span
        # what token._.section = section writes for each token of the section
        user_data.update(zip(zip(repeat("._."), repeat("section"), idx[start:end], repeat(None)), repeat(section)))

    if self.assertion_attributes_mapping:
        if self._input_span_type.lower() == "ents":
            self.set_assertion_attributes(doc.ents)
        elif self._input_span_type.lower() == "group":
            self.set_assertion_attributes(doc.spans[self._span_group_name])

    return doc


def install() -> None:
    """Patch medspaCy's Sectionizer (idempotent). `section` must stay a plain Token extension."""
    from spacy.tokens import Token

    default, method, getter, setter = Token.get_extension("section")
    if getter is None and setter is None and method is None:
        Sectionizer.__call__ = sectionizer_call


def uninstall() -> None:
    Sectionizer.__call__ = _ORIGINAL
