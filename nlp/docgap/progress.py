"""A one-line progress bar on stderr (rate and ETA), shown only on a terminal: quiet in pipes and CI."""
from __future__ import annotations

import os
import sys
import time


def wanted(quiet: bool, stream=None) -> bool:
    stream = stream or sys.stderr
    return not quiet and not os.environ.get("CI") and hasattr(stream, "isatty") and stream.isatty()


def _clock(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


class Progress:
    def __init__(self, total: int | None = None, stream=None, every: float = 0.25):
        self.total = total
        self.stream = stream or sys.stderr
        self.every = every
        self.label, self.done, self.base, self.t0, self.last = "", 0, 0, time.monotonic(), 0.0

    def start(self, label: str, done: int = 0, total: int | None = None) -> None:
        if self.label:
            self.stream.write("\n")
        self.label, self.done, self.base = label, done, done
        self.total = total if total is not None else self.total
        self.t0 = time.monotonic()
        self._draw()

    def update(self, n: int) -> None:
        self.done += n
        now = time.monotonic()
        if now - self.last >= self.every or (self.total and self.done >= self.total):
            self._draw(now)

    def _draw(self, now: float | None = None) -> None:
        now = now or time.monotonic()
        self.last = now
        rate = (self.done - self.base) / max(1e-9, now - self.t0)
        line = f"docgap: {self.label} {self.done}"
        if self.total:
            pct = min(100.0, 100.0 * self.done / self.total) if self.total else 0
            width = 24
            fill = int(width * pct / 100)
            line = f"docgap: {self.label} [{'#' * fill}{'.' * (width - fill)}] {self.done}/{self.total}"
            if rate > 0 and self.done < self.total:
                line += f" ETA {_clock((self.total - self.done) / rate)}"
        line += f" {rate:.1f} notes/s"
        self.stream.write("\r" + line[:120].ljust(80))
        self.stream.flush()

    def close(self) -> None:
        if self.label:
            self.stream.write("\n")
            self.stream.flush()
            self.label = ""
