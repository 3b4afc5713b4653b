"""Side-by-side columns under a RIGHT / LEFT header line:

          RIGHT                          LEFT
          masseter ........ 2 points     masseter ........ 2 points
          temporalis (ant.)  1 point     temporalis ...... not injected

Each cell is its own sentence (so "not injected" belongs to one muscle) and takes its side from the
header word above its column. Text only: the sentence splitter and the muscle extractor both read it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

HEADER = re.compile(r"(?m)^([ \t]*)(RIGHT|LEFT|Right|Left)([ \t]{4,})(RIGHT|LEFT|Right|Left)[ \t]*$")
BLANK = re.compile(r"\n[ \t]*\n")
CELL_START = re.compile(r"[ \t]{2,}(\S)")


@dataclass(frozen=True)
class ColumnBlock:
    start: int  # first character after the header line
    end: int  # the blank line (or the end of the text) that closes the rows
    split: int  # column (characters from the line start) where the second column begins
    sides: tuple[str, str]  # (first column's side, second column's side)

    def side_at(self, column: int) -> str:
        return self.sides[1] if column >= self.split else self.sides[0]


def column_blocks(text: str) -> list[ColumnBlock]:
    if "RIGHT" not in text and "LEFT" not in text and "Right" not in text and "Left" not in text:
        return []
    blocks = []
    for h in HEADER.finditer(text):
        a, b = h.group(2).lower(), h.group(4).lower()
        if a == b:
            continue
        split = len(h.group(1)) + len(h.group(2)) + len(h.group(3)) - 2  # a cell may start just left of its header
        end = BLANK.search(text, h.end())
        blocks.append(ColumnBlock(h.end() + 1, end.start() if end else len(text), split, (a, b)))
    return blocks


# "Muscle   R   L" over rows of counts: "Upper trapezius   2   2", "Infraspinatus   0   1"
GRID_HEADER = re.compile(r"(?im)^[ \t]*(?:muscles?|sites?|locations?|trigger points?)[ \t]{2,}(R|L|right|left)[ \t]{2,}(R|L|right|left)[ \t]*$")
SIDE_NAMES = {"r": "right", "l": "left", "right": "right", "left": "left"}


@dataclass(frozen=True)
class CountGrid:
    head: int  # where the header line starts
    start: int
    end: int
    columns: tuple[tuple[int, int, str], ...]  # (first column, last column, side) of each side heading

    def heading(self, text: str) -> str:
        """The last non-blank line above the grid ("Injections (1% lidocaine, 1 mL per point):")."""
        before = text[:self.head].rstrip()
        return before[before.rfind("\n") + 1:]

    def counts(self, text: str, pos: int) -> dict[str, int] | None:
        """{side: count} of the row holding pos, from the numbers under the side headings (None: not a grid row)."""
        line_start = text.rfind("\n", 0, pos) + 1
        line_end = text.find("\n", pos)
        line = text[line_start:len(text) if line_end == -1 else line_end]
        out = {}
        for a, b, side in self.columns:
            for num in re.finditer(r"\d+", line):
                if num.start() <= b + 2 and num.end() >= a - 2:
                    out[side] = int(num.group(0))
                    break
        return out if len(out) == len(self.columns) else None


def count_grids(text: str) -> list[CountGrid]:
    if "\n" not in text:
        return []
    grids = []
    for h in GRID_HEADER.finditer(text):
        a, b = SIDE_NAMES[h.group(1).lower()], SIDE_NAMES[h.group(2).lower()]
        if a == b:
            continue
        line_start = h.start()
        cols = tuple((h.start(i) - line_start, h.end(i) - line_start - 1, s) for i, s in ((1, a), (2, b)))
        end = BLANK.search(text, h.end())
        grids.append(CountGrid(h.start(), h.end() + 1, end.start() if end else len(text), cols))
    return grids


def second_cells(text: str, block: ColumnBlock) -> list[int]:
    """Character offsets where a row's second cell starts (text after two or more spaces at or past the split)."""
    out = []
    pos = block.start
    for line in text[block.start:block.end].split("\n"):
        m = CELL_START.search(line, max(0, block.split - 6))
        if m and m.start(1) >= block.split - 2 and line[:m.start()].strip():
            out.append(pos + m.start(1))
        pos += len(line) + 1
    return out
