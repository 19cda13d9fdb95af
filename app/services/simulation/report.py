"""The result of a simulated hall day: counts, waits and service times, as a table or JSON.

Built from what the queue service returned during the run (the called, serving and
finished times it wrote), one `Leg` per queue visit: a transferred customer has two legs,
the printed ticket and the leg in the service they were sent on to.

Wait of a leg: its first call minus the moment it joined that queue (`queue_at` of a
printed ticket; the transfer time of a transferred leg). Service time: finish minus start
of service, for legs that were served to the end. Payments: what the till took at the
bill payment counters (`till`), net of the voided ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

DONE = "done"
NO_SHOW = "no_show"
TRANSFERRED = "transferred"
WAITING = "waiting"


@dataclass
class Leg:
    """One queue visit as the simulator saw it (mutable while the day runs)."""

    customer: int
    service: str
    first: bool  # the printed ticket (not a transferred leg)
    threshold_s: int
    wait_s: float | None = None  # set when first called
    started_s: float | None = None  # simulation time service started
    service_s: float | None = None  # set when served to the end
    outcome: str = WAITING
    counter: int | None = None


@dataclass(frozen=True)
class Stats:
    issued: int
    transferred_in: int
    served: int
    no_shows: int
    transferred: int
    waiting_at_close: int
    avg_wait_s: float
    max_wait_s: float
    avg_service_s: float
    over_threshold: int


@dataclass(frozen=True)
class ServiceRow:
    code: str
    name_en: str
    name_zh: str
    offered: bool
    stats: Stats


@dataclass(frozen=True)
class CounterRow:
    number: int
    clerk: str
    services: tuple[str, ...]  # in calling order
    added: bool  # beyond the demo hall's counters (what-if), planned by --extra-services
    served: int
    no_shows: int
    transferred: int
    busy_pct: float


@dataclass(frozen=True)
class StationReceipts:
    """The receipt series a counter printed on during the day."""

    prefix: str
    first_receipt: str
    last_receipt: str


@dataclass(frozen=True)
class Payments:
    """The day's counter payments. `count` and `collected_fen` leave the voided payments
    out (collected = Σ receipts − voids); the receipt series include them, as a void keeps
    its number."""

    count: int
    collected_fen: int
    by_method: tuple[tuple[str, int], ...]  # (method, fen collected), cash, card, qr
    voids: int
    voided_fen: int
    stations: tuple[StationReceipts, ...]  # counters that took a payment, in order

    def to_dict(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "collected_fen": self.collected_fen,
            "by_method": dict(self.by_method),
            "voids": self.voids,
            "voided_fen": self.voided_fen,
            "stations": {
                r.prefix: {"first_receipt": r.first_receipt, "last_receipt": r.last_receipt}
                for r in self.stations
            },
        }


@dataclass(frozen=True)
class Report:
    counters: int
    hours: float
    seed: int
    arrivals_per_hour: float | None
    no_show_rate: float
    extra_services: tuple[str, ...]  # the plans as given (`SimulationConfig`)
    database: str
    hall: str  # code of the hall the run created (SIM, or SIM2... on a shared database)
    day: str  # the simulated business date, ISO
    opened: str  # hall time HH:MM
    closed: str
    last_out: str  # when the last customer left a counter
    customers: int  # people who came, including those turned away
    turned_away: int  # the dispenser's series was used up
    totals: Stats
    services: tuple[ServiceRow, ...]
    counter_rows: tuple[CounterRow, ...]
    payments: Payments
    service: str | None = None  # one service alone (`SimulationConfig.service`)

    def to_dict(self) -> dict[str, Any]:
        return {
            "config": {
                "counters": self.counters,
                "hours": self.hours,
                "seed": self.seed,
                "arrivals_per_hour": self.arrivals_per_hour,
                "no_show_rate": self.no_show_rate,
                "extra_services": list(self.extra_services),
                "database": self.database,
            }
            | ({"service": self.service} if self.service else {}),
            "hall": self.hall,
            "day": self.day,
            "opened": self.opened,
            "closed": self.closed,
            "last_out": self.last_out,
            "customers": self.customers,
            "turned_away": self.turned_away,
            "totals": asdict(self.totals),
            "services": [
                {"code": r.code, "name_en": r.name_en, "name_zh": r.name_zh, "offered": r.offered}
                | asdict(r.stats)
                for r in self.services
            ],
            "counters": [asdict(c) | {"services": list(c.services)} for c in self.counter_rows],
            "payments": self.payments.to_dict(),
        }


def _mean(values: Sequence[float]) -> float:
    return round(sum(values) / len(values), 1) if values else 0.0


def stats(legs: Iterable[Leg], *, per_customer: bool) -> Stats:
    """Counts and times of these legs. `per_customer` counts visits (the overall line):
    issued are printed tickets, and served / no-show / waiting are the visits' last legs."""
    legs = list(legs)
    finals = [leg for leg in legs if leg.outcome != TRANSFERRED] if per_customer else legs
    waits = [leg.wait_s for leg in legs if leg.wait_s is not None]
    services = [leg.service_s for leg in legs if leg.service_s is not None]
    return Stats(
        issued=sum(1 for leg in legs if leg.first),
        transferred_in=sum(1 for leg in legs if not leg.first),
        served=sum(1 for leg in finals if leg.outcome == DONE),
        no_shows=sum(1 for leg in finals if leg.outcome == NO_SHOW),
        transferred=sum(1 for leg in legs if leg.outcome == TRANSFERRED),
        waiting_at_close=sum(1 for leg in finals if leg.outcome == WAITING),
        avg_wait_s=_mean(waits),
        max_wait_s=round(max(waits), 1) if waits else 0.0,
        avg_service_s=_mean(services),
        over_threshold=sum(
            1 for leg in legs if leg.wait_s is not None and leg.wait_s > leg.threshold_s
        ),
    )


def _yuan(fen: int) -> str:
    return f"{fen // 100:,}.{fen % 100:02d}"


def _mmss(seconds: float) -> str:
    s = round(seconds)
    return f"{s // 60}:{s % 60:02d}"


def format_report(report: Report) -> str:
    """A table a hall manager can read at a glance."""
    rate = (
        f"{report.arrivals_per_hour:g}/h constant"
        if report.arrivals_per_hour is not None
        else "hall curve (late-morning peak)"
    )
    t = report.totals
    lines = [
        f"HallDesk hall-day simulation: seed {report.seed}, {report.counters} counters, "
        f"{report.hours:g} h on {report.day} ({report.opened}-{report.closed}, "
        f"last customer out {report.last_out})",
        f"arrivals: {rate}{f', all for {report.service}' if report.service else ''}; "
        f"no-show rate {report.no_show_rate:.0%}; "
        f"database: {report.database}, hall {report.hall}",
        "",
        f"customers {report.customers}   issued {t.issued}   served {t.served}   "
        f"no-shows {t.no_shows}   transferred {t.transferred}   "
        f"still waiting at close {t.waiting_at_close}"
        + (f"   turned away {report.turned_away}" if report.turned_away else ""),
        "",
    ]
    head = (
        f"{'service':<30}{'issued':>7}{'+trf':>6}{'served':>8}{'no-show':>9}{'trf':>5}"
        f"{'waiting':>9}{'avg wait':>10}{'longest':>9}{'>limit':>8}{'avg svc':>9}"
    )
    lines += [head, "-" * len(head)]

    def row(label: str, s: Stats) -> str:
        return (
            f"{label:<30}{s.issued:>7}{s.transferred_in:>6}{s.served:>8}{s.no_shows:>9}"
            f"{s.transferred:>5}{s.waiting_at_close:>9}{_mmss(s.avg_wait_s):>10}"
            f"{_mmss(s.max_wait_s):>9}{s.over_threshold:>8}{_mmss(s.avg_service_s):>9}"
        )

    for r in report.services:
        label = f"{r.code:<6}{r.name_en}"[:28] + ("" if r.offered else " *")
        lines.append(row(label, r.stats))
    lines += ["-" * len(head), row("all", t)]
    if report.service:
        lines.append(f"* not simulated: --service {report.service} runs that service alone")
    elif not all(r.offered for r in report.services):
        lines.append(
            "* no counter serves it with this many counters: its customers took the first "
            "service that is served"
        )
    lines += [
        "",
        "waits in min:sec, first call - joined the queue; >limit: waits over the "
        "service's alert threshold",
        *_payment_lines(report.payments),
        "",
        f"{'counter':<9}{'clerk':<7}{'served':>7}{'no-show':>9}{'trf':>5}{'busy':>7}  services",
    ]
    for c in report.counter_rows:
        number = f"{c.number}{'+' if c.added else ''}"
        lines.append(
            f"{number:<9}{c.clerk:<7}{c.served:>7}{c.no_shows:>9}{c.transferred:>5}"
            f"{c.busy_pct:>6.0f}%  {' '.join(c.services)}"
        )
    if any(c.added for c in report.counter_rows):
        plan = " ".join(f"--extra-services {p}" for p in report.extra_services)
        lines.append(
            "+ added to the demo hall's counters; they serve "
            + (f"as planned: {plan}" if plan else "as the demo counters 1, 2, ... do")
        )
    return "\n".join(lines)


def _payment_lines(p: Payments) -> list[str]:
    """The payments block: takings by method, voids, each counter's receipt series."""
    methods = "   ".join(f"{m} {_yuan(fen)}" for m, fen in p.by_method)
    lines = [
        "",
        f"payments {p.count}   collected {_yuan(p.collected_fen)} yuan: {methods}",
        f"voided {p.voids} ({_yuan(p.voided_fen)} yuan, approved by the manager; "
        "collected = receipts - voids)",
    ]
    lines += [f"receipts {r.first_receipt} - {r.last_receipt}" for r in p.stations]
    return lines
