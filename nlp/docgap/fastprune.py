"""medspaCy's prune_overlapping_matches without its quadratic list.pop(0), with identical results.

MedspacyMatcher.__call__ (medspaCy 1.3.1) prunes the matches of the sectionizer, the target matcher and
ConText on every Doc. The original pops the head of a Python list in a loop and recurses until no
overlap is left; this is the same passes, in the same order, over a deque and a loop. Checked against
the original on random match lists by tests/test_scale.py.
"""
from __future__ import annotations

from collections import deque

from medspacy.common import medspacy_matcher
from medspacy.common import util as _util
from medspacy.util import tuple_overlaps

_ORIGINAL = _util.prune_overlapping_matches


def _length(match) -> int:
    return match[2] - match[1]


def prune_overlapping_matches(matches, strategy: str = "longest"):
    if strategy != "longest":
        raise NotImplementedError("No other filtering strategy has been implemented. Coming in a future update.")
    while True:
        if len(matches) == 0:
            return matches
        unpruned = deque(sorted(matches, key=lambda x: (x[1], x[2])))
        pruned = []
        curr = unpruned.popleft()
        while True:
            if not unpruned:
                pruned.append(curr)
                break
            nxt = unpruned.popleft()
            if tuple_overlaps((curr[1], curr[2]), (nxt[1], nxt[2])):
                pruned.append(max(curr, nxt, key=_length))  # the longer; the first of two equal ones
                if not unpruned:
                    break
                curr = unpruned.popleft()
            else:
                pruned.append(curr)
                curr = nxt
        if len(pruned) == len(matches):
            return pruned
        matches = pruned  # another pass, as the original's recursive call


def install() -> None:
    """MedspacyMatcher looks the function up in its own module at call time (idempotent)."""
    medspacy_matcher.prune_overlapping_matches = prune_overlapping_matches


def uninstall() -> None:
    medspacy_matcher.prune_overlapping_matches = _ORIGINAL
