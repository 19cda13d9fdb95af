"""The figures of a hall over a period, as plain frozen dataclasses (they cross threads).

Names follow the simulator's report (`app.services.simulation.report`) wherever the two
say the same thing: `issued`, `transferred_in`, `served`, `no_shows`, `transferred`,
`avg_wait_s`, `max_wait_s`, `avg_service_s`, `over_threshold`; `waiting` is what the
simulator calls `waiting_at_close` (for a period that includes today: waiting now).

Definitions (one ticket row is one leg of a visit; a transfer closes a leg, opens another):
- issued: printed tickets (first legs); transferred_in: legs opened by a transfer.
- served / no_shows / transferred / waiting: legs whose status is done / no_show /
  transferred / waiting.
- wait of a leg: its first call minus the moment it joined that queue: `queue_at` of a
  printed ticket, the transfer time (`issued_at`) of a transferred leg. Averages and the
  longest wait are over the legs that were called; over_threshold counts the waits longer
  than the service's alert threshold (`wait_threshold_min`).
- service (handling) time: finish minus start of service, of the legs served to the end.
- idle time of a clerk at a counter: logged in, not paused, and no customer called or
  served there (a ticket counts from its first call to its end; one put on hold counts
  until its end too, so holds make the idle time a little shorter than it was).
- satisfaction: satisfied / rated, satisfied being 0 very satisfied or 1 satisfied and
  dissatisfied 3 or 4 (2, fair, is neither), as the live dashboard counts them
  (`live.SATISFIED`); requests closed as not rated are left out of both, and shown on
  their own; a request still open is counted nowhere.
- complaints: the "dissatisfied" alerts raised in the period; handled: acknowledged.
- payments: taken in the period and not voided (`count`, `collected_fen`, as the
  simulator's till); the voided ones are `voids` / `voided_fen`.

Averages are rounded to 0.1 s as the simulator rounds them. Each verdict of a KPI is
decided on exact integers (counts and microseconds), never on a rounded figure.
"""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

SATISFACTION_TARGET_PCT = 98
COMPLAINTS_TARGET_PCT = 100
# Wait distribution: the lower bounds of the buckets, in minutes (the last is open).
WAIT_BUCKETS_MIN = (0, 5, 10, 15, 20, 30, 45, 60)


class Verdict(enum.StrEnum):
    GREEN = "green"
    RED = "red"
    NO_DATA = "no_data"  # nothing to judge yet (nobody rated, nobody called)


@dataclass(frozen=True)
class Period:
    """Business days `first`..`last` (both included) in the hall's time zone."""

    first: date
    last: date

    def __post_init__(self) -> None:
        if self.first > self.last:
            raise ValueError(f"the period starts on {self.first} after it ends on {self.last}")

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


@dataclass(frozen=True)
class Stats:
    """Counts and times of a set of legs (a service, a day, the hall)."""

    issued: int
    transferred_in: int
    served: int
    no_shows: int
    transferred: int
    waiting: int
    avg_wait_s: float
    max_wait_s: float
    avg_service_s: float
    over_threshold: int


@dataclass(frozen=True)
class ServiceFigures:
    code: str
    name_zh: str
    name_en: str
    target_wait_s: int  # the service's wait threshold: its average wait should stay under
    stats: Stats
    wait_verdict: Verdict


@dataclass(frozen=True)
class Satisfaction:
    rated: int
    satisfied: int
    dissatisfied: int
    not_rated: int

    @property
    def pct(self) -> float | None:
        return round(100 * self.satisfied / self.rated, 1) if self.rated else None

    @property
    def verdict(self) -> Verdict:
        if not self.rated:
            return Verdict.NO_DATA
        ok = 100 * self.satisfied >= SATISFACTION_TARGET_PCT * self.rated
        return Verdict.GREEN if ok else Verdict.RED


@dataclass(frozen=True)
class ClerkFigures:
    """One clerk at one counter over the period (a clerk at two counters has two rows)."""

    counter: int
    job_number: str
    name: str
    served: int
    no_shows: int
    transferred: int
    avg_service_s: float
    logged_in_s: float
    paused_s: float
    busy_s: float
    idle_s: float
    satisfaction: Satisfaction
    payments: int
    collected_fen: int
    voids: int

    @property
    def payments_per_hour(self) -> float:
        hours = self.logged_in_s / 3600
        return round(self.payments / hours, 1) if hours > 0 else 0.0


@dataclass(frozen=True)
class Complaints:
    count: int
    handled: int

    @property
    def pct(self) -> float | None:
        return round(100 * self.handled / self.count, 1) if self.count else None

    @property
    def verdict(self) -> Verdict:
        ok = 100 * self.handled >= COMPLAINTS_TARGET_PCT * self.count  # none: none unhandled
        return Verdict.GREEN if ok else Verdict.RED


@dataclass(frozen=True)
class PaymentTotals:
    count: int
    collected_fen: int
    voids: int
    voided_fen: int


@dataclass(frozen=True)
class HourFigures:
    hour: int  # the hall's clock hour, 0-23 (summed over the period's days)
    arrivals: int  # printed tickets issued in that hour
    served: int  # legs finished as served in that hour


@dataclass(frozen=True)
class WaitBucket:
    from_min: int
    to_min: int | None  # None: open-ended
    legs: int


@dataclass(frozen=True)
class DayFigures:
    day: date
    stats: Stats


@dataclass(frozen=True)
class Kpi:
    kpi: str  # "satisfaction", "complaints_handled", "avg_wait"
    service: str  # the service code of an "avg_wait" KPI, else ""
    value: float | None  # percent, or seconds for avg_wait; None: no data
    target: float
    verdict: Verdict


@dataclass(frozen=True)
class HallReport:
    hall: str
    hall_name_zh: str
    hall_name_en: str
    timezone: str
    period: Period
    taken_at: datetime
    totals: Stats
    services: tuple[ServiceFigures, ...]
    clerks: tuple[ClerkFigures, ...]
    satisfaction: Satisfaction
    complaints: Complaints
    payments: PaymentTotals
    hours: tuple[HourFigures, ...]
    wait_distribution: tuple[WaitBucket, ...]
    days: tuple[DayFigures, ...]

    @property
    def kpis(self) -> tuple[Kpi, ...]:
        waits = tuple(
            Kpi(
                "avg_wait",
                s.code,
                s.stats.avg_wait_s if s.wait_verdict != Verdict.NO_DATA else None,
                s.target_wait_s,
                s.wait_verdict,
            )
            for s in self.services
        )
        return (
            Kpi(
                "satisfaction",
                "",
                self.satisfaction.pct,
                SATISFACTION_TARGET_PCT,
                self.satisfaction.verdict,
            ),
            Kpi(
                "complaints_handled",
                "",
                self.complaints.pct,
                COMPLAINTS_TARGET_PCT,
                self.complaints.verdict,
            ),
            *waits,
        )

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data (the `report --format json` output)."""
        return {
            "hall": self.hall,
            "hall_name_zh": self.hall_name_zh,
            "hall_name_en": self.hall_name_en,
            "timezone": self.timezone,
            "from": self.period.first.isoformat(),
            "to": self.period.last.isoformat(),
            "taken_at": self.taken_at.isoformat(),
            "totals": asdict(self.totals),
            "services": [
                {
                    "code": s.code,
                    "name_en": s.name_en,
                    "name_zh": s.name_zh,
                    "target_wait_s": s.target_wait_s,
                }
                | asdict(s.stats)
                for s in self.services
            ],
            "clerks": [clerk_dict(c) for c in self.clerks],
            "satisfaction": satisfaction_dict(self.satisfaction),
            "complaints": {
                "count": self.complaints.count,
                "handled": self.complaints.handled,
                "handled_pct": self.complaints.pct,
            },
            "payments": asdict(self.payments),
            "hours": [asdict(h) for h in self.hours],
            "wait_distribution": [asdict(b) for b in self.wait_distribution],
            "days": [{"day": d.day.isoformat()} | asdict(d.stats) for d in self.days],
            "kpis": [asdict(k) | {"verdict": k.verdict.value} for k in self.kpis],
        }


def satisfaction_dict(s: Satisfaction) -> dict[str, Any]:
    return asdict(s) | {"satisfaction_pct": s.pct}


def clerk_dict(c: ClerkFigures) -> dict[str, Any]:
    row = asdict(c)
    row.pop("satisfaction")
    return row | satisfaction_dict(c.satisfaction) | {"payments_per_hour": c.payments_per_hour}
