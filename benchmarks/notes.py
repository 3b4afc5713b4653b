"""Seeded synthetic notes for benchmarks: sections and lines of the gold corpus recombined.

Each note takes its blocks (blank-line separated sections) from several different corpus notes, in
the usual order of a note (history first, procedure last), until it reaches a drawn word count. The
records carry realistic metadata (patients with several sessions, dates, payers, billed lines), so
the frequency rules and the claim rules run too. Same seed, same notes.
"""
from __future__ import annotations

import json
import random
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = [ROOT / "corpus_samples" / "dev.jsonl", ROOT / "corpus_samples" / "test.jsonl"]


def load_corpus() -> list[dict]:
    out = []
    for p in CORPUS:
        out += [json.loads(line) for line in open(p, encoding="utf-8") if line.strip()]
    return out


def _blocks(text: str) -> list[str]:
    blocks = [b.strip("\n") for b in text.replace("\r\n", "\n").split("\n\n") if b.strip()]
    if len(blocks) < 3:  # a note without blank lines: fall back to its lines
        blocks = [ln for ln in text.split("\n") if ln.strip()]
    return blocks


class NoteMaker:
    def __init__(self, seed: int = 7):
        self.rng = random.Random(seed)
        self.corpus = load_corpus()
        # (relative position in its note, block): position keeps recombined notes in a note's order
        self.pool: list[tuple[float, str]] = []
        for r in self.corpus:
            bl = _blocks(r["text"])
            for i, b in enumerate(bl):
                self.pool.append((i / max(1, len(bl) - 1), b))
        self.meta = [{k: r.get(k) for k in ("payer", "billed", "diagnoses")} for r in self.corpus]

    def text(self, words: int, cap: int | None = None) -> str:
        """A note of at least `words` words (at most `cap` when given) built from blocks of several notes."""
        picked, n, misses = [], 0, 0
        while n < words:
            pos, block = self.rng.choice(self.pool)
            w = len(block.split())
            if cap is not None and n + w > cap:
                misses += 1
                if misses < 200:
                    continue
                # short notes: a block's first lines, cut to what is left
                block = " ".join(block.split()[:max(1, cap - n)])
                w = len(block.split())
            picked.append((pos, block))
            n += w
        picked.sort(key=lambda pb: pb[0])
        return "\n\n".join(b for _, b in picked) + "\n"

    def records(self, count: int, min_words: int = 150, max_words: int = 900, patients: int | None = None):
        """`count` records in input order; about three sessions per patient, dates spread over two years."""
        patients = patients or max(1, count // 3)
        start = date(2024, 1, 1)
        for i in range(count):
            meta = self.rng.choice(self.meta)
            yield {
                "note_id": f"bench-{i:07d}",
                "patient_id": f"p{self.rng.randrange(patients):06d}",
                "date_of_service": (start + timedelta(days=self.rng.randrange(730))).isoformat(),
                "payer": meta["payer"],
                "billed": meta["billed"],
                "diagnoses": meta["diagnoses"],
                "text": self.text(self.rng.randint(min_words, max_words), max_words),
            }


def write_jsonl(path: Path, records) -> int:
    n = 0
    with open(path, "w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r) + "\n")
            n += 1
    return n


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser(description="write seeded benchmark notes as JSONL")
    ap.add_argument("out")
    ap.add_argument("-n", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--min-words", type=int, default=150)
    ap.add_argument("--max-words", type=int, default=900)
    a = ap.parse_args()
    print(write_jsonl(Path(a.out), NoteMaker(a.seed).records(a.n, a.min_words, a.max_words)))
