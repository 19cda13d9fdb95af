"""The display feed (叫号大屏): the hall's snapshot and the calls made since the display
last looked, paged through the event log here rather than in the window."""

from __future__ import annotations

from dataclasses import dataclass

from app.services.dto import HallInfo, HallSnapshot, QueueEvent
from app.services.queue.queries import CALL_KINDS, QueueQueries

EVENT_BATCH = 200


@dataclass(frozen=True)
class DisplayUpdate:
    hall: HallInfo
    snapshot: HallSnapshot
    calls: tuple[QueueEvent, ...]  # new calls since `after`, oldest first (to be spoken)
    last_seen: int


class DisplayFeed:
    def __init__(self, hall_code: str, queries: QueueQueries, *, recent: int = 11) -> None:
        self.hall_code = hall_code
        self._queries = queries
        self._recent = recent

    def read(self, after: int | None) -> DisplayUpdate:
        """The snapshot and the calls after event `after`; None: start from now, so
        nothing old is announced."""
        queries, code = self._queries, self.hall_code
        hall = queries.hall(code)
        if after is None:
            snapshot = queries.snapshot(code, recent=self._recent)
            return DisplayUpdate(hall, snapshot, (), snapshot.last_event_id)
        calls: list[QueueEvent] = []
        last = after
        while True:
            batch = queries.events_after(code, last, EVENT_BATCH)
            calls += [e for e in batch if e.kind in CALL_KINDS]
            if batch:
                last = batch[-1].id
            if len(batch) < EVENT_BATCH:
                break
        snapshot = queries.snapshot(code, recent=self._recent)
        return DisplayUpdate(hall, snapshot, tuple(calls), last)
