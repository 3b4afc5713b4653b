"""medspaCy's ConText graph without its all-pairs loops, with identical results.

medspaCy 1.3.1 compares every modifier with every other modifier (update_scopes) and with every
target (apply_modifiers) of a Doc through several property lookups per pair: with ~527 rules that was
about half of docgap's time per note. The same methods are called here, only on the pairs that can
matter, in the original order:

- limit_scope only ever shrinks a scope, and it changes `self` only when the other modifier starts
  inside self's forward scope or ends inside its backward scope. A pair that cannot do that with the
  initial scopes never can, so skipping it changes nothing.
- modifies() is false unless tuple_overlaps(scope, target), i.e. the target's first token or its last
  token lies inside the scope: candidates come from a token -> modifiers index of the final scopes.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right

from medspacy.context import context as _context_module
from medspacy.context.context_graph import ConTextGraph
from medspacy.util import tuple_overlaps


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
        for i, j in sorted(pairs):
            mods[i].limit_scope(mods[j])
            mods[j].limit_scope(mods[i])

    def apply_modifiers(self):
        if self.prune_on_modifier_overlap:
            for i in range(len(self.modifiers) - 1, -1, -1):
                modifier = self.modifiers[i]
                for target in self.targets:
                    if tuple_overlaps((target.start, target.end), modifier.modifier_span):
                        self.modifiers.pop(i)
                        break

        by_token: dict[int, list[int]] = {}
        for k, modifier in enumerate(self.modifiers):
            ss, se = modifier.scope_span
            for t in range(ss, se):
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


def install() -> None:
    """Make medspaCy's ConText component build IndexedConTextGraph (idempotent)."""
    _context_module.ConTextGraph = IndexedConTextGraph
