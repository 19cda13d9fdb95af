"""The staffing advisor (issue 10): how many counters each service needs, hour by hour, to
keep its average wait under a target, by Erlang C; and how that compares with what was open.

Pure arithmetic on a few numbers, so the dashboard, the CLI and the tests call the same
thing: per service, the arrivals per hour of each clock hour, the mean time a counter is
taken by one of its customers (first call to finish: walk-up, recalls and no-shows
included), the target for the average wait, and optionally the counters that were open.
`staffing_day` reads those numbers from a day's tickets and counter sessions.

The model: each service a pool of identical counters, Poisson arrivals, one queue in
order, every hour in its steady state (M/M/c). Erlang C is the probability that a
customer waits, W_q = C / (cμ - λ) the average wait. Two things it leaves out, both on
the safe side or said in the output:
- service times less spread than the exponential's wait less than it says (M/G/c waits
  are about (1 + CV²)/2 of these: the demo hall's, CV ≈ 0.45, about 0.6);
- a queue carried over from a busier hour is not in an hour's figure.

Edge cases, decided here: no arrivals in an hour need no counter (0; `min_counters` keeps
a service open all the same); a load A = λ·s of c Erlangs or more is unstable (the queue
grows all day, the wait is infinite) and never advised; bad numbers raise `ValueError`.

Counters shared between services (the demo hall's all serve two or more) are counted as
open for each service they serve: the per-service comparison is each service's view. The
hall row (`HourTotal`) counts each open counter once, and gives two bounds for what the
hall needs: the services' advice added up (each service at counters of its own) and one
pool (every counter serving every service in one queue, the strictest target): a hall of
shared counters needs between the two.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

MAX_ADVISED_COUNTERS = 999  # a target that needs more is refused as unreachable
# A wait within this share of the target meets it: 2 counters at 1 Erlang wait 2 minutes,
# which floats compute as 120.00000000000003 s.
TARGET_REL_TOL = 1e-9


def _check(name: str, value: float, *, zero_ok: bool) -> None:
    ok = math.isfinite(value) and (value >= 0 if zero_ok else value > 0)
    if not ok:
        floor = "0 or more" if zero_ok else "above 0"
        raise ValueError(f"{name} must be a finite number {floor}, not {value!r}")


def erlang_b(servers: int, load: float) -> float:
    """Erlang B: the blocking probability of `servers` with an offered `load` in Erlangs,
    by the recursion B(k) = A·B(k-1) / (k + A·B(k-1)), B(0) = 1: no factorials, no
    overflow, exact to rounding for thousands of servers."""
    if servers < 0:
        raise ValueError(f"servers must be 0 or more, not {servers}")
    _check("load", load, zero_ok=True)
    b = 1.0
    for k in range(1, servers + 1):
        b = load * b / (k + load * b)
    return b


def _c_from_b(servers: int, load: float, b: float) -> float:
    return servers * b / (servers - load * (1.0 - b))


def erlang_c(servers: int, load: float) -> float:
    """Erlang C: the probability that a customer waits, with `servers` counters and an
    offered `load` A in Erlangs; C = c·B / (c - A·(1 - B)). 1.0 when A ≥ c (unstable:
    everyone waits, longer and longer)."""
    b = erlang_b(servers, load)
    if load >= servers:
        return 1.0
    return _c_from_b(servers, load, b)


def mean_wait_s(servers: int, arrivals_per_hour: float, mean_service_s: float) -> float:
    """The average wait in the queue, seconds: W_q = C / (cμ - λ) = C·s / (c - A).
    0 without arrivals; `math.inf` when the load reaches the counters (A ≥ c)."""
    _check("arrivals per hour", arrivals_per_hour, zero_ok=True)
    _check("mean service time", mean_service_s, zero_ok=False)
    if servers < 0:
        raise ValueError(f"servers must be 0 or more, not {servers}")
    if arrivals_per_hour == 0:
        return 0.0
    load = arrivals_per_hour * mean_service_s / 3600
    if load >= servers:
        return math.inf
    return erlang_c(servers, load) * mean_service_s / (servers - load)


def counters_needed(arrivals_per_hour: float, mean_service_s: float, target_wait_s: float) -> int:
    """The fewest counters whose average wait (`mean_wait_s`) is at most `target_wait_s`
    (to `TARGET_REL_TOL`): 0 without arrivals, never fewer than the load needs to be
    stable. One pass of the Erlang B recursion up from c = 1: the cost is the answer's."""
    _check("arrivals per hour", arrivals_per_hour, zero_ok=True)
    _check("mean service time", mean_service_s, zero_ok=False)
    _check("target wait", target_wait_s, zero_ok=False)
    if arrivals_per_hour == 0:
        return 0
    load = arrivals_per_hour * mean_service_s / 3600
    limit = target_wait_s * (1 + TARGET_REL_TOL)
    b = 1.0
    for c in range(1, MAX_ADVISED_COUNTERS + 1):
        b = load * b / (c + load * b)
        if load < c and _c_from_b(c, load, b) * mean_service_s / (c - load) <= limit:
            return c
    raise ValueError(
        f"{arrivals_per_hour:g} arrivals an hour at {mean_service_s:g} s each need more "
        f"than {MAX_ADVISED_COUNTERS} counters for an average wait of {target_wait_s:g} s"
    )


# ---------------------------------------------------------------------- the day's table


@dataclass(frozen=True)
class ServiceDemand:
    """What the advisor is told of one service on one day.

    `arrivals`: hall clock hour (0-23) → customers joining its queue per hour in that
    hour. `open_counters`: hour → counters open that serve it (a counter open half the
    hour counts ½), when known. `mean_service_s`: one customer's time at a counter.
    """

    code: str
    arrivals: Mapping[int, float]
    mean_service_s: float
    target_wait_s: float
    open_counters: Mapping[int, float] = field(default_factory=dict)


@dataclass(frozen=True)
class HourAdvice:
    """One service in one hour: the load, what it needs, what was open."""

    service: str
    hour: int  # hall clock hour, 0-23: the hour from hour:00 to hour+1:00
    arrivals_per_hour: float
    mean_service_s: float
    target_wait_s: float
    counters: int  # advised: the fewest whose average wait is at most the target
    wait_s: float  # the average wait with the advised counters (Erlang C)
    wait_one_fewer_s: float | None  # with one counter fewer; inf when unstable; None at 0
    open_counters: float | None  # what was open, None when not known
    open_wait_s: float | None  # the average wait Erlang C gives for what was open (whole)

    @property
    def load_erlangs(self) -> float:
        """A = λ·s: the counters the service keeps busy on average."""
        return self.arrivals_per_hour * self.mean_service_s / 3600

    @property
    def surplus(self) -> float | None:
        """Open minus advised: above 0 more than needed, below 0 a shortfall."""
        return None if self.open_counters is None else self.open_counters - self.counters


@dataclass(frozen=True)
class HourTotal:
    """The hall in one hour: the services' advice added up, the counters one pool of all
    of them would need, and the counters open (each once)."""

    hour: int
    counters: int  # the services' advice added up: counters of their own
    pooled: int  # one queue at counters serving everything, under the strictest target
    open_counters: float | None

    @property
    def surplus(self) -> float | None:
        return None if self.open_counters is None else self.open_counters - self.counters


@dataclass(frozen=True)
class StaffingAdvice:
    """The advice table: `rows` per service (in the order given), hour by hour."""

    hours: tuple[int, ...]
    rows: tuple[HourAdvice, ...]
    totals: tuple[HourTotal, ...]

    def row(self, service: str, hour: int) -> HourAdvice | None:
        return next((r for r in self.rows if r.service == service and r.hour == hour), None)

    def for_service(self, service: str) -> tuple[HourAdvice, ...]:
        return tuple(r for r in self.rows if r.service == service)


def advise_hour(
    service: str,
    hour: int,
    arrivals_per_hour: float,
    mean_service_s: float,
    target_wait_s: float,
    *,
    open_counters: float | None = None,
    min_counters: int = 0,
) -> HourAdvice:
    """The advice for one service in one hour; at least `min_counters`."""
    if not 0 <= hour <= 23:
        raise ValueError(f"hour must be 0-23, not {hour}")
    if open_counters is not None:
        _check("open counters", open_counters, zero_ok=True)
    need = max(counters_needed(arrivals_per_hour, mean_service_s, target_wait_s), min_counters)

    def wait(c: int) -> float:
        return mean_wait_s(c, arrivals_per_hour, mean_service_s)

    whole_open = None if open_counters is None else math.floor(open_counters + 1e-9)
    return HourAdvice(
        service=service,
        hour=hour,
        arrivals_per_hour=arrivals_per_hour,
        mean_service_s=mean_service_s,
        target_wait_s=target_wait_s,
        counters=need,
        wait_s=wait(need),
        wait_one_fewer_s=wait(need - 1) if need > 0 else None,
        open_counters=open_counters,
        open_wait_s=None if whole_open is None else wait(whole_open),
    )


def advise(
    demands: Sequence[ServiceDemand],
    *,
    hours: Sequence[int] | None = None,
    hall_open: Mapping[int, float] | None = None,
    min_counters: int = 0,
) -> StaffingAdvice:
    """The advice for every service and hour: `hours` (default: every hour with an
    arrival or an open counter), `hall_open` the counters open in the hall per hour (each
    counted once, however many services it serves) for the totals."""
    if min_counters < 0:
        raise ValueError(f"min_counters must be 0 or more, not {min_counters}")
    codes = [d.code for d in demands]
    if len(set(codes)) < len(codes):
        raise ValueError(f"a service is given twice: {', '.join(codes)}")
    if hours is None:
        found = {h for d in demands for h in (*d.arrivals, *d.open_counters)}
        found |= set(hall_open or {})
        hours = sorted(found)
    rows = tuple(
        advise_hour(
            d.code,
            h,
            d.arrivals.get(h, 0.0),
            d.mean_service_s,
            d.target_wait_s,
            open_counters=d.open_counters.get(h, 0.0) if d.open_counters else None,
            min_counters=min_counters,
        )
        for d in demands
        for h in hours
    )
    totals = tuple(
        HourTotal(
            hour=h,
            counters=sum(r.counters for r in rows if r.hour == h),
            pooled=_pooled([r for r in rows if r.hour == h], min_counters),
            open_counters=None if hall_open is None else hall_open.get(h, 0.0),
        )
        for h in hours
    )
    return StaffingAdvice(hours=tuple(hours), rows=rows, totals=totals)


def _pooled(rows: Sequence[HourAdvice], min_counters: int) -> int:
    """Counters for the hour's services as one queue: the arrivals added up, the mean
    time weighted by them, the strictest target of a service with arrivals."""
    busy = [r for r in rows if r.arrivals_per_hour > 0]
    if not busy:
        return min_counters
    rate = math.fsum(r.arrivals_per_hour for r in busy)
    mean = math.fsum(r.arrivals_per_hour * r.mean_service_s for r in busy) / rate
    target = min(r.target_wait_s for r in busy)
    return max(counters_needed(rate, mean, target), min_counters)
