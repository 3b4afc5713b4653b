"""medspaCy's ConText graph without its all-pairs loops: the same target modifiers, with one fix.

The fix: limit_scope below is medspaCy's with a symmetric overlap test (medspaCy issue #232; see
scopes_overlap). The equivalence tests in tests/test_scale.py compare against medspaCy's all-pairs
graph running the same limit_scope. Modifiers that cannot reach a target are not built at all (see
_target_sentences), so doc._.context_graph.modifiers lists only the modifiers in play.

medspaCy 1.3.1 compares every modifier with every other modifier (update_scopes) and with every
target (apply_modifiers) of a Doc through several property lookups per pair: with ~527 rules that was
about half of docgap's time per note. The same methods are called here, only on the pairs that can
matter, in the original order:

- limit_scope only ever shrinks a scope, and it changes `self` only when the other modifier starts
  inside self's forward scope or ends inside its backward scope. A pair that cannot do that with the
  initial scopes never can, so skipping it changes nothing.
- modifies() is false unless tuple_overlaps(scope, target), i.e. the target's first token or its last
  token lies inside the scope: candidates come from a token -> modifiers index of the final scopes
  (built for those tokens only).
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right

import numpy
from medspacy.context import context as _context_module
from medspacy.context.context import ConText
from medspacy.context.context_graph import ConTextGraph
from medspacy.context.context_modifier import ConTextModifier
from medspacy.util import tuple_overlaps
from spacy.attrs import SENT_START
from spacy.tokens import Doc


class IndexedConTextGraph(ConTextGraph):
    def update_scopes(self):
        mods = self.modifiers
        n = len(mods)
        if n < 2:
            return
        starts = sorted((m.modifier_span[0], i) for i, m in enumerate(mods))
        ends = sorted((m.modifier_span[1], i) for i, m in enumerate(mods))
        start_keys = [s for s, _ in starts]
        end_keys = [e for e, _ in ends]
        pairs = set()
        for i, m in enumerate(mods):
            ms, me = m.modifier_span
            ss, se = m.scope_span
            # others starting strictly inside (ms, se): may cut a forward scope
            for _, j in starts[bisect_right(start_keys, ms):bisect_left(start_keys, se)]:
                if j != i:
                    pairs.add((i, j) if i < j else (j, i))
            # others ending strictly inside (ss, me): may cut a backward scope
            for _, j in ends[bisect_right(end_keys, ss):bisect_left(end_keys, me)]:
                if j != i:
                    pairs.add((i, j) if i < j else (j, i))
        keys = [_limit_key(m) for m in mods]
        for i, j in sorted(pairs):
            # only the calls whose static checks (direction, categories) let limit_scope act
            if _may_limit(keys[i], keys[j]):
                limit_scope(mods[i], mods[j])
            if _may_limit(keys[j], keys[i]):
                limit_scope(mods[j], mods[i])

    def apply_modifiers(self):
        if self.prune_on_modifier_overlap:
            for i in range(len(self.modifiers) - 1, -1, -1):
                modifier = self.modifiers[i]
                for target in self.targets:
                    if tuple_overlaps((target.start, target.end), modifier.modifier_span):
                        self.modifiers.pop(i)
                        break

        # token -> the modifiers whose scope holds it, for the only tokens asked: targets' first and last
        asked = sorted({t for target in self.targets for t in (target.start, target.end - 1)})
        by_token: dict[int, list[int]] = {}
        for k, modifier in enumerate(self.modifiers):
            ss, se = modifier.scope_span
            for t in asked[bisect_left(asked, ss):bisect_left(asked, se)]:
                by_token.setdefault(t, []).append(k)
        if by_token:
            for target in self.targets:
                ts, te = target.start, target.end
                cand = by_token.get(ts, [])
                last = by_token.get(te - 1)
                if last and last is not cand:
                    cand = sorted(set(cand).union(last))
                for k in cand:
                    modifier = self.modifiers[k]
                    if modifier.modifies(target):
                        modifier.modify(target)

        edges = []
        for modifier in self.modifiers:
            modifier.reduce_targets()
            for target in modifier._targets:
                edges.append((target, modifier))
        self.edges = edges


def scopes_overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Two token ranges share a token. medspaCy's tuple_overlaps(a, b) is false when b holds all of a
    (medspaCy issue #232), so once a backward scope had been cut by one terminator, a terminator nearer
    the cue (whose own scope is the whole sentence) could no longer cut it: "PT; meloxicam but no
    relief" let "no relief" reach PT whenever any earlier terminator stood in the sentence."""
    return a[0] < b[1] and b[0] < a[1]


def limit_scope(self: ConTextModifier, other: ConTextModifier) -> bool:
    """ConTextModifier.limit_scope (medspaCy 1.3.1) with a symmetric overlap test (scopes_overlap)."""
    if not scopes_overlap(self.scope_span, other.scope_span):
        return False
    if self.direction.upper() == "TERMINATE":
        return False
    if (other.direction.upper() != "TERMINATE") and (other.category.upper() not in self.rule.terminated_by) \
            and (other.category.upper() != self.category.upper()):
        return False
    if self.category == other.category and (
            (self.allowed_types != other.allowed_types) or (self.excluded_types != other.excluded_types)):
        return False
    orig_scope = self.scope_span
    if self.direction.lower() in ("forward", "bidirectional"):
        if other > self:
            self._scope_end = min(self._scope_end, other.modifier_span[0])
    if self.direction.lower() in ("backward", "bidirectional"):
        if other < self:
            self._scope_start = max(self._scope_start, other.modifier_span[1])
    return orig_scope != self.scope_span


def _limit_key(m: ConTextModifier) -> tuple[bool, str, object]:
    rule = m.rule
    return rule.direction.upper() == "TERMINATE", rule.category.upper(), rule.terminated_by


def _may_limit(me: tuple, other: tuple) -> bool:
    """False when limit_scope (below) returns before touching the scope whatever the scopes are: self
    terminates, or other neither terminates nor is a category that ends self's scope or shares it."""
    if me[0]:
        return False
    return other[0] or other[1] in me[2] or other[1] == me[1]


def install() -> None:
    """Make medspaCy's ConText component build IndexedConTextGraph and set modifier scopes in one pass
    (idempotent)."""
    _context_module.ConTextGraph = IndexedConTextGraph
    ConText.__call__ = context_call


# --- ConText.__call__ with the modifiers' sentence scopes from one pass over the Doc -------------------
# medspaCy's ConTextModifier.__init__ finds each modifier's sentence through Token.sent (a backward and
# forward scan of the Doc and two Span objects per modifier). When no sentence hooks are set and
# ConText has no max_scope, the same sentence bounds come from the SENT_START array by bisection, and
# the scope is passed to the constructor, which then skips its own __set_scope.

_ORIGINAL_CALL = ConText.__call__


def _sentence_starts(doc: Doc) -> list[int] | None:
    """The tokens with sent_start == 1, when Token.sent would derive sentences from them."""
    if "sent" in doc.user_token_hooks or "sent" in doc.user_span_hooks or "sents" in doc.user_hooks \
            or not doc.has_annotation("SENT_START"):
        return None
    return numpy.flatnonzero(doc.to_array([SENT_START]) == 1).tolist()


def _scope(rule, start: int, end: int, sent_start: int, sent_end: int) -> tuple[int, int]:
    """ConTextModifier.__set_scope (medspaCy 1.3.1) for a modifier in the sentence [sent_start, sent_end)."""
    max_scope = rule.max_scope
    direction = rule.direction.lower()
    if direction == "forward":
        scope_start, scope_end = end, sent_end
        if max_scope is not None and (scope_end - scope_start) > max_scope:
            scope_end = end + max_scope
    elif direction == "backward":
        scope_start, scope_end = sent_start, start
        if max_scope is not None and (scope_end - scope_start) > max_scope:
            scope_start = start - max_scope
    else:  # bidirectional (and terminate)
        scope_start, scope_end = sent_start, sent_end
        if max_scope is not None and (start - scope_start) > max_scope:
            scope_start = start - max_scope
        if max_scope is not None and (scope_end - end) > max_scope:
            scope_end = end + max_scope
    return scope_start, scope_end


def _target_sentences(targets, starts: list[int], n: int) -> list[bool]:
    """Which sentences hold a token of some target. Without max_scope every scope lies in its modifier's
    sentence, so a modifier whose span and scope touch none of these sentences can neither modify a
    target nor limit the scope of a modifier that can (each needs overlapping token ranges): it is not
    built, and doc._.context_graph.modifiers lists only the modifiers in play."""
    marks = [False] * (len(starts) + 1)
    for t in targets:
        a = bisect_right(starts, t.start)
        b = bisect_right(starts, max(t.start, t.end - 1))
        for k in range(a, b + 1):
            marks[k] = True
    return marks


def _touches(marks: list[bool], starts: list[int], lo: int, hi: int) -> bool:
    a = bisect_right(starts, lo)
    b = bisect_right(starts, max(lo, hi - 1))
    return any(marks[a:b + 1])


def _modifier_adder(doc: Doc):
    """target._.modifiers += (modifier,), writing the doc.user_data entry Underscore would write when
    the extension is a plain stored tuple (no Underscore object per edge)."""
    from spacy.tokens import Span

    default, method, getter, setter = Span.get_extension("modifiers") or (None, None, None, None)
    if method is not None or getter is not None or setter is not None or not isinstance(default, tuple):
        def add(target, modifier):
            target._.modifiers += (modifier,)
        return add
    data = doc.user_data

    def add_fast(target, modifier):
        global _KEY_OK
        key = ("._.", "modifiers", target.start_char, target.end_char)
        if _KEY_OK is None:
            _KEY_OK = target._._get_key("modifiers") == key
        if not _KEY_OK:  # a spaCy whose Underscore keys spans otherwise (3.7 and 3.8 do not)
            target._.modifiers += (modifier,)
            return
        data[key] = data.get(key, default) + (modifier,)
    return add_fast


_KEY_OK: bool | None = None  # whether Underscore keys a span's extension by ("._.", name, start_char, end_char)


def _set_context_attributes(self, doc: Doc, edges) -> None:
    """ConText.set_context_attributes: `setattr(target._, name, value)` for each edge's mapped attributes,
    written to the doc.user_data entry when the attribute is a plain stored Span extension."""
    from spacy.tokens import Span

    mapping = self.context_attributes_mapping
    data = doc.user_data
    for target, modifier in edges:
        attrs = mapping.get(modifier.category)
        if not attrs:
            continue
        for name, value in attrs.items():
            ext = Span.get_extension(name)
            if _KEY_OK and ext is not None and ext[1:] == (None, None, None):
                data[("._.", name, target.start_char, target.end_char)] = value
            else:
                setattr(target._, name, value)


def context_call(self, doc: Doc, targets: str = None) -> Doc:
    """medspaCy 1.3.1's ConText.__call__, line for line, except how each modifier gets its scope."""
    if not targets and self.input_span_type == "ents":
        targets = doc.ents
    elif not targets and self.input_span_type == "group":
        targets = doc.spans[self.span_group_name]
    elif targets:
        targets = getattr(doc._, targets)
    context_graph = _context_module.ConTextGraph(prune_on_modifier_overlap=self.prune_on_target_overlap)
    targets = list(targets)  # one Span object per target for the three passes below (a SpanGroup makes new ones per pass)
    context_graph.targets = targets
    context_graph.modifiers = []
    matcher = self._ConText__matcher
    matches = matcher(doc)
    starts = None if self.max_scope else _sentence_starts(doc)
    in_play = _target_sentences(targets, starts, len(doc)) if starts is not None else None
    for (match_id, start, end) in matches:
        if starts is None:
            rule = matcher.rule_map[self.nlp.vocab[match_id].text]
            modifier = ConTextModifier(rule, start, end, doc, max_scope=self.max_scope)
        else:
            k = bisect_right(starts, start)  # the sentence of token `start`, as Token.sent finds it
            sent_start = starts[k - 1] if k else 0
            sent_end = starts[k] if k < len(starts) else len(doc)
            if end <= sent_end and not in_play[k]:
                continue  # span and scope inside a sentence with no target (see _target_sentences)
            rule = matcher.rule_map[self.nlp.vocab[match_id].text]
            scope_start, scope_end = _scope(rule, start, end, sent_start, sent_end)
            if not _touches(in_play, starts, min(start, scope_start), max(end, scope_end)):
                continue  # see _target_sentences
            modifier = ConTextModifier(rule, start, end, doc, scope_start=scope_start, scope_end=scope_end,
                                       max_scope=self.max_scope)
        context_graph.modifiers.append(modifier)

    context_graph.update_scopes()
    context_graph.apply_modifiers()
    add = _modifier_adder(doc)
    for target, modifier in context_graph.edges:
        add(target, modifier)
    if self.context_attributes_mapping:
        _set_context_attributes(self, doc, context_graph.edges)
    doc._.context_graph = context_graph
    return doc


def uninstall_call() -> None:
    ConText.__call__ = _ORIGINAL_CALL
