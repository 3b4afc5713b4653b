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


def second_cells(text: str, block: ColumnBlock) -> list[int]:
    """Character offsets where a row's second cell starts (text after two or more spaces at or past the split)."""
    out = []
    pos = block.start
    for line in text[block.start:block.end].split("\n"):
        m = re.compile(r"[ \t]{2,}(\S)").search(line, max(0, block.split - 6))
        if m and m.start(1) >= block.split - 2 and line[:m.start()].strip():
            out.append(pos + m.start(1))
        pos += len(line) + 1
    return out
