"""Frozen dataclasses that cross threads and signals; never ORM objects."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class ServiceInfo:
    id: uuid.UUID
    code: str
    prefix: str
    name_zh: str
    name_en: str
    priority_weight: int
    wait_threshold_min: int
    default_service_s: int
    handling_limit_min: int = 30
    queue_limit: int = 0  # 0: no alert for a long queue

    def name(self, language: str) -> str:
        return self.name_zh if language.startswith("zh") else self.name_en


@dataclass(frozen=True)
class CounterInfo:
    id: uuid.UUID
    number: int
    name_zh: str
    name_en: str
    service_ids: tuple[uuid.UUID, ...]
    transfer_service_id: uuid.UUID | None


@dataclass(frozen=True)
class HallInfo:
    id: uuid.UUID
    code: str
    name_zh: str
    name_en: str
    timezone: str
    services: tuple[ServiceInfo, ...]
    counters: tuple[CounterInfo, ...]

    def service(self, code: str) -> ServiceInfo | None:
        return next((s for s in self.services if s.code == code), None)

    def service_by_id(self, service_id: uuid.UUID) -> ServiceInfo | None:
        return next((s for s in self.services if s.id == service_id), None)

    def counter(self, number: int) -> CounterInfo | None:
        return next((c for c in self.counters if c.number == number), None)

    def transfer_target(self, counter: CounterInfo) -> ServiceInfo | None:
        """Where the counter sends a customer by default (its transfer service), if any."""
        if counter.transfer_service_id is None:
            return None
        return self.service_by_id(counter.transfer_service_id)

    def name(self, language: str) -> str:
        return self.name_zh if language.startswith("zh") else self.name_en


@dataclass(frozen=True)
class TicketInfo:
    id: uuid.UUID
    code: str
    display_number: str
    service_id: uuid.UUID
    status: str
    priority: int
    queue_at: datetime
    issued_at: datetime
    called_at: datetime | None
    serving_at: datetime | None
    finished_at: datetime | None
    counter_number: int | None
    recall_count: int
    transfers: int
    origin_id: uuid.UUID | None


@dataclass(frozen=True)
class IssuedTicket:
    ticket: TicketInfo
    service: ServiceInfo
    hall_name_zh: str
    hall_name_en: str
    ahead: int
    estimated_wait_s: int

    @property
    def no_wait(self) -> bool:
        """Nobody is ahead: the customer is next, there is no wait to estimate."""
        return self.ahead <= 0

    @property
    def estimated_wait_min(self) -> int:
        """The wait as the kiosk shows it and the ticket prints it, in whole minutes:
        0 exactly when there is no wait (`no_wait`), else at least 1 (rounded up)."""
        if self.no_wait:
            return 0
        return max(1, (self.estimated_wait_s + 59) // 60)


@dataclass(frozen=True)
class StaffInfo:
    id: uuid.UUID
    job_number: str
    name: str
    role: str


@dataclass(frozen=True)
class CounterState:
    counter_number: int
    session_open: bool
    staff: StaffInfo | None
    paused: bool
    pause_reason: str
    current: TicketInfo | None
    held: tuple[TicketInfo, ...]
    # service code -> waiting count, for the services this counter serves, in its order
    waiting: tuple[tuple[str, int], ...]
    last_event_id: int
    # when the current customer was last called (or called back): the counter's timer
    current_since: datetime | None = None

    @property
    def waiting_total(self) -> int:
        return sum(n for _, n in self.waiting)


@dataclass(frozen=True)
class QueueEvent:
    id: int
    kind: str
    display_number: str
    service_id: uuid.UUID | None
    counter_number: int | None
    at: datetime


@dataclass(frozen=True)
class ServiceLoad:
    service_code: str
    waiting: int
    longest_wait_s: int
    over_threshold: int


@dataclass(frozen=True)
class CounterBoard:
    counter_number: int
    current_number: str
    open: bool
    paused: bool


@dataclass(frozen=True)
class HallSnapshot:
    """What the hall display and the manager see at one moment."""

    last_event_id: int
    taken_at: datetime
    loads: tuple[ServiceLoad, ...]
    counters: tuple[CounterBoard, ...]
    recent_calls: tuple[QueueEvent, ...] = field(default_factory=tuple)
    # the calls still current (the ticket is called or served at that open counter), the
    # newest call first: what the hall display shows as "now calling"
    now_calling: tuple[QueueEvent, ...] = field(default_factory=tuple)

    @property
    def waiting_total(self) -> int:
        return sum(load.waiting for load in self.loads)


@dataclass(frozen=True)
class RatingState:
    """The newest rating request of a counter: what the clerk is told about it."""

    id: uuid.UUID
    display_number: str
    status: str  # requested | rated | not_rated
    rating: int | None
    closed_at: datetime | None
