"""The customers of a simulated hall day: who comes when, for what, and how they behave.

Everything random is drawn here, up front, from one `random.Random(seed)`, and does not
depend on the number of counters: a what-if run with two more counters meets exactly the
same customers, so the difference in waits is the counters' doing, not the dice's.
What the counters added to the demo hall serve is the user's to say (`extra_services`).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from app.services.simulation.demo_hall import COUNTERS, SERVICES

# The simulated business day: a Monday, doors open at 08:30 hall time.
SIM_DATE = date(2025, 6, 2)
OPENING = time(8, 30)
HALL_TZ = "Asia/Shanghai"
MAX_HOURS = 15.0  # 08:30 + 15 h = 23:30: the day never crosses midnight (numbers reset)
MAX_COUNTERS = 99
MAX_ARRIVALS_PER_HOUR = 1000.0
DEMO_COUNTERS = len(COUNTERS)  # counters beyond the demo hall's are "added" in a what-if
SERVICE_CODES = tuple(s.code for s in SERVICES)

# Arrivals per hour at a curve factor of 1.0; the day's average comes out near it.
BASE_ARRIVALS_PER_HOUR = 58.0
# Relative arrival rate by the hall's clock hour: a late-morning peak, a lunch dip and a
# smaller mid-afternoon rise, as the queue logs of utility halls show.
HALL_CURVE = {
    8: 0.55,
    9: 0.95,
    10: 1.35,
    11: 1.45,
    12: 0.70,
    13: 0.80,
    14: 1.05,
    15: 1.10,
    16: 0.95,
    17: 0.60,
}
OFF_HOURS_FACTOR = 0.40

# What customers come for (service codes of the demo hall) and how often.
SERVICE_MIX = (("PAY", 0.55), ("APPLY", 0.22), ("ENQ", 0.15), ("GREEN", 0.08))
ELDERLY_SHARE = 0.08  # priority 1 on a normal service
VIP_SHARE = 0.03  # priority 2
LATE_SHARE = 0.03  # absent at the first call, answer the recall
TRANSFER_SHARE = 0.03  # sent on to another service part-way through
SERVICE_SIGMA = 0.45  # spread of the lognormal service time
MIN_SERVICE_S = 30.0
MAX_SERVICE_FACTOR = 4.0  # no service runs past 4 × the service's default time
WALK_S = (10.0, 35.0)  # from hearing the call to sitting at the counter

SHOWS = "shows"
LATE = "late"
NEVER = "never"


@dataclass(frozen=True)
class SimulationConfig:
    """What the manager asks: N counters for H hours; the rest has realistic defaults.

    `arrivals_per_hour=None` follows the hall curve (`BASE_ARRIVALS_PER_HOUR` × the hour's
    factor); a number is a constant Poisson rate. `database_url=None` runs in a fresh
    SQLite file in a temporary folder that is removed afterwards.

    `extra_services` says what the counters added beyond the demo hall's six serve, codes
    in calling order: "GREEN,PAY" for every added counter, "8=ENQ" for counter 8 alone.
    An added counter nobody planned repeats a demo counter's plan (7 as 1, 8 as 2, ...).

    `service` runs that one service alone (the staffing advisor's check, an M/G/c queue):
    every customer comes for it, every counter serves it and nothing else, nobody is
    transferred. The customers arrive as they would without it, the same seed the same
    times.
    """

    counters: int = 6
    hours: float = 8.0
    seed: int = 1
    arrivals_per_hour: float | None = None
    no_show_rate: float = 0.05
    database_url: str | None = None
    extra_services: tuple[str, ...] = ()
    service: str | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.counters <= MAX_COUNTERS:
            raise ValueError(
                f"--counters must be between 1 and {MAX_COUNTERS}, not {self.counters}"
            )
        if not 0 < self.hours <= MAX_HOURS:
            raise ValueError(
                f"--hours must be above 0 and at most {MAX_HOURS:g}, not {self.hours:g}"
            )
        rate = self.arrivals_per_hour
        if rate is not None and not 0 < rate <= MAX_ARRIVALS_PER_HOUR:
            raise ValueError(
                f"--arrivals-per-hour must be above 0 and at most {MAX_ARRIVALS_PER_HOUR:g}, "
                f"not {rate:g}"
            )
        if not 0 <= self.no_show_rate <= 0.5:
            raise ValueError(f"--no-show-rate must be between 0 and 0.5, not {self.no_show_rate:g}")
        if self.service is not None and self.service not in SERVICE_CODES:
            raise ValueError(
                f"--service: unknown service {self.service!r} (known: {', '.join(SERVICE_CODES)})"
            )
        if self.service is not None and self.extra_services:
            raise ValueError("--service runs every counter on that service: no --extra-services")
        self.added_counter_services()  # refuses a plan that cannot be followed

    def counter_plans(self) -> dict[int, tuple[str, ...]]:
        """The counters whose services differ from the demo hall's, with their codes in
        calling order: every counter under `service`, else the added ones planned."""
        if self.service is not None:
            return {n: (self.service,) for n in range(1, self.counters + 1)}
        return self.added_counter_services()

    def added_counter_services(self) -> dict[int, tuple[str, ...]]:
        """The service codes, in calling order, of each added counter `extra_services`
        plans; raises ValueError naming the option for a plan that cannot be followed."""
        first = DEMO_COUNTERS + 1
        added = range(first, self.counters + 1)
        if self.extra_services and not added:
            raise ValueError(
                f"--extra-services: --counters {self.counters} adds no counter to the demo "
                f"hall's {DEMO_COUNTERS}; use --counters {first} or more"
            )
        shown = f"{first}" if len(added) == 1 else f"{first}-{self.counters}"
        every: tuple[str, ...] | None = None
        own: dict[int, tuple[str, ...]] = {}
        for spec in self.extra_services:
            target, _, listed = spec.rpartition("=")
            codes = tuple(c.strip().upper() for c in listed.split(","))
            if not all(codes):
                raise ValueError(f"--extra-services {spec!r}: name services, e.g. GREEN,PAY")
            for code in codes:
                if code not in SERVICE_CODES:
                    raise ValueError(
                        f"--extra-services: unknown service {code!r} "
                        f"(known: {', '.join(SERVICE_CODES)})"
                    )
            if len(set(codes)) < len(codes):
                raise ValueError(f"--extra-services {spec!r}: a service is named twice")
            if not target.strip():
                if every is not None:
                    raise ValueError("--extra-services: two plans for every added counter")
                every = codes
                continue
            number = int(target) if target.strip().isdigit() else 0
            if number not in added:
                raise ValueError(
                    f"--extra-services {spec!r}: {target.strip()!r} is not an added counter "
                    f"(with --counters {self.counters}: {shown})"
                )
            if number in own:
                raise ValueError(f"--extra-services: two plans for counter {number}")
            own[number] = codes
        return {n: plan for n in added if (plan := own.get(n, every)) is not None}


@dataclass(frozen=True)
class Customer:
    """One visitor, fully decided before the day starts."""

    index: int
    arrival_s: float  # seconds after opening
    need: str  # service code the customer comes for
    priority: int  # 0 normal, 1 elderly, 2 VIP
    service_z: float  # standard normal draw of this customer's service time
    walk_s: float
    shows: str  # SHOWS, LATE (answers the recall) or NEVER (no-show)
    transfer_after: float | None  # share of the service after which the clerk transfers
    second_z: float  # service time draw at the service transferred to


def opening_time() -> datetime:
    """The moment the doors open, timezone-aware in the hall's zone."""
    return datetime.combine(SIM_DATE, OPENING, tzinfo=ZoneInfo(HALL_TZ))


def curve_factor(seconds_after_opening: float) -> float:
    local = opening_time() + timedelta(seconds=seconds_after_opening)
    return HALL_CURVE.get(local.hour, OFF_HOURS_FACTOR)


def arrival_rate(config: SimulationConfig, seconds_after_opening: float) -> float:
    """Arrivals per hour at that moment of the day."""
    if config.arrivals_per_hour is not None:
        return config.arrivals_per_hour
    return BASE_ARRIVALS_PER_HOUR * curve_factor(seconds_after_opening)


def service_seconds(default_s: int, z: float) -> float:
    """Lognormal service time whose mean is the service's default time."""
    mu = math.log(default_s) - SERVICE_SIGMA**2 / 2
    raw = math.exp(mu + SERVICE_SIGMA * z)
    return min(max(raw, MIN_SERVICE_S), MAX_SERVICE_FACTOR * default_s)


def customers(config: SimulationConfig) -> list[Customer]:
    """The day's customers in arrival order: a Poisson stream, thinned to the hall curve."""
    rng = random.Random(config.seed)
    close_s = config.hours * 3600
    peak = (
        config.arrivals_per_hour
        if config.arrivals_per_hour is not None
        else BASE_ARRIVALS_PER_HOUR * max(*HALL_CURVE.values(), OFF_HOURS_FACTOR)
    )
    codes = [code for code, _ in SERVICE_MIX]
    shares = [share for _, share in SERVICE_MIX]
    out: list[Customer] = []
    t = 0.0
    while True:
        t += rng.expovariate(peak / 3600)
        if t >= close_s:
            return out
        if rng.random() * peak >= arrival_rate(config, t):
            continue  # thinned: the hall curve is below its peak at this hour
        need = rng.choices(codes, shares)[0]
        need = config.service or need  # one service alone: the same draws, the same times
        u = rng.random()
        priority = 0
        if need != "GREEN":
            priority = 2 if u < VIP_SHARE else 1 if u < VIP_SHARE + ELDERLY_SHARE else 0
        v = rng.random()
        shows = (
            NEVER
            if v < config.no_show_rate
            else LATE
            if v < config.no_show_rate + LATE_SHARE
            else SHOWS
        )
        transfer = rng.random() < TRANSFER_SHARE and shows != NEVER
        customer = Customer(
            index=len(out),
            arrival_s=t,
            need=need,
            priority=priority,
            service_z=rng.gauss(0.0, 1.0),
            walk_s=rng.uniform(*WALK_S),
            shows=shows,
            transfer_after=rng.uniform(0.3, 0.6) if transfer else None,
            second_z=rng.gauss(0.0, 1.0),
        )
        # one service alone: nobody is transferred, the draws stay those of a mixed day
        out.append(replace(customer, transfer_after=None) if config.service else customer)
