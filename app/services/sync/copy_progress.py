"""How far a station's first copy of its hall has come, and how long it may still take.

Pure arithmetic, no I/O, so a window and the log can show it and the tests can check it
without a database.

`CopyTally` weights every table by its rows: the whole copy is the rows of all its tables,
counted once at the start (a resumed copy counts what it had done before as done), so a
bar over the whole copy moves evenly and never falls back to 0 when the next table starts.
A table that grew while it was copied raises its total; a finished table's total becomes
the rows it really copied, so the end is exactly 100 %.

`TimeLeft` estimates the rest from the pace of the recent batches (not from the start of
the copy: the first tables are small and their rows cost differently).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CopyProgress:
    """The copy after a committed batch: the table in hand, and the whole copy."""

    table: str
    table_done: int  # rows of `table` copied so far (earlier calls' included)
    table_total: int  # rows of `table`
    done: int  # rows of all tables copied so far
    total: int  # rows of all tables

    @property
    def fraction(self) -> float:
        """The share of the whole copy that is done, 0.0 to 1.0."""
        return min(1.0, self.done / self.total) if self.total else 1.0


class CopyTally:
    """The rows of every table of one copy: counted at its start, kept up per batch."""

    def __init__(self, counted: Mapping[str, tuple[int, int]]) -> None:
        """`counted`: per table, (rows of the hall, rows of them copied already)."""
        self._total = {name: max(total, done) for name, (total, done) in counted.items()}
        self._done = {name: done for name, (_total, done) in counted.items()}

    def done_of(self, table: str) -> int:
        return self._done[table]

    def add(self, table: str, rows: int, *, finished: bool) -> CopyProgress:
        """Count `rows` more of `table` copied; `finished`: the table is whole now."""
        self._done[table] += rows
        done = self._done[table]
        self._total[table] = done if finished else max(self._total[table], done)
        return self.progress(table)

    def progress(self, table: str) -> CopyProgress:
        return CopyProgress(
            table,
            self._done[table],
            self._total[table],
            sum(self._done.values()),
            sum(self._total.values()),
        )


class TimeLeft:
    """Seconds left of a copy, from the rows copied over the last `window_s` seconds."""

    def __init__(self, window_s: float = 60.0, min_span_s: float = 3.0) -> None:
        self._window_s = window_s
        self._min_span_s = min_span_s
        self._samples: deque[tuple[float, int]] = deque()

    def add(self, at: float, done: int, total: int) -> float | None:
        """`done` of `total` rows copied at monotonic time `at`: the seconds left, or None
        while the pace is not known yet (fewer than `min_span_s` seconds seen, no rows)."""
        if done >= total:
            return 0.0
        self._samples.append((at, done))
        # keep one sample at or before the window's start, so the span covers it
        while len(self._samples) > 2 and self._samples[1][0] <= at - self._window_s:
            self._samples.popleft()
        first_at, first_done = self._samples[0]
        span, rows = at - first_at, done - first_done
        if span < self._min_span_s or rows <= 0:
            return None
        return (total - done) * span / rows


def hours_minutes(seconds: float) -> tuple[int, int] | None:
    """A time left as whole (hours, minutes), rounded up to the minute; None under a
    minute (a window says "less than a minute")."""
    if seconds < 60:
        return None
    minutes = math.ceil(seconds / 60)
    return divmod(minutes, 60)
