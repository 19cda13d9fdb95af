"""The hall-day simulator: a day of customers run through the real queue service.

A discrete-event simulation on a `ManualClock`: the clock jumps from one event to the next
(a customer arrives, walks up to a counter, finishes, fails to show...), and every step a
clerk or the dispenser takes is the real service call on a real database, so a day of
8 hours runs in seconds and leaves the same rows a real day would.

At each counter a demo clerk (1001, 1002, ...) logs in at opening and, whenever free,
presses "call next" (which also finishes the customer before). A called customer walks
up and is served; one who does not come is recalled once and then marked a no-show; a
few are transferred part-way to another service. At closing time the dispenser stops:
clerks finish the customer in front of them, call nobody else and log out; who is still
in the queue is reported as waiting at close. A customer of the bill payment service pays
at the counter before the clerk calls the next one (`till`).

Determinism: the customers are drawn up front from `random.Random(seed)`
(`model`), the clock is the only time source, and counters are woken in a fixed
order, so the same configuration gives the same report, row for row.

Wiring: the services are the application's own, built by `app.bootstrap.build_core` from a
`Settings` that points at the run's database. The services layer may not import the
bootstrap, so the caller (the CLI, a test) hands `build_core` in.
"""

from __future__ import annotations

import heapq
import logging
import secrets
import shutil
import tempfile
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from app.services import errors
from app.services.clock import ManualClock
from app.services.dto import HallInfo, TicketInfo
from app.services.errors import DomainError
from app.services.queue.service import PRIORITY_LEVELS
from app.services.simulation.demo_hall import DEMO_PASSWORD
from app.services.simulation.hall_setup import CoreBuilder, SimulationCore, prepare_hall
from app.services.simulation.model import (
    DEMO_COUNTERS,
    NEVER,
    SHOWS,
    Customer,
    SimulationConfig,
    customers,
    opening_time,
    service_seconds,
)
from app.services.simulation.report import (
    DONE,
    NO_SHOW,
    TRANSFERRED,
    WAITING,
    CounterRow,
    Leg,
    Report,
    ServiceRow,
    format_report,
    stats,
)
from app.services.simulation.till import PAY_SERVICE, Till
from app.settings import DatabaseSettings, Settings

__all__ = ["CoreBuilder", "Report", "SimulationConfig", "format_report", "run_simulation"]

log = logging.getLogger(__name__)

CALL_WAIT_S = 30.0  # how long a clerk waits for a called customer before recalling
FIRST_JOB_NUMBER = 1000  # counter n is staffed by demo clerk 1000 + n

ARRIVE, SHOW, RECALL, NO_SHOW_EVENT, END, CLOSE = range(6)


@dataclass
class _Desk:
    """A counter as the simulation drives it."""

    number: int
    clerk: str
    services: tuple[str, ...]
    added: bool = False
    state: str = "idle"  # idle | busy | closed
    idle_since: float = 0.0
    current: Leg | None = None
    ticket: uuid.UUID | None = None  # of the current leg
    called_s: float = 0.0
    busy_s: float = 0.0
    closed_s: float = 0.0
    legs: list[Leg] = field(default_factory=list)


class _HallDay:
    """One run: the services, the event heap and what happened to every leg."""

    def __init__(
        self, config: SimulationConfig, core: SimulationCore, clock: ManualClock, hall_code: str
    ) -> None:
        self.config = config
        self.clock = clock  # the one the core's services were built with
        self.start = self.clock.now()
        halls = core.halls
        self.queue = core.queue
        self.desks_service = core.counters
        self.queries = core.queries
        self.auth = core.auth
        self.hall_code = hall_code
        self.hall: HallInfo = halls.get(hall_code)
        self.close_s = config.hours * 3600
        self.customers = customers(config)
        self.till = Till(
            core.billing, core.auth, hall_code, seed=config.seed, customers=len(self.customers)
        )
        self.legs: dict[uuid.UUID, Leg] = {}
        self.all_legs: list[Leg] = []
        self.turned_away = 0
        self.last_out_s = 0.0
        self._heap: list[tuple[float, int, int, int]] = []
        self._seq = 0
        code_of = {s.id: s.code for s in self.hall.services}
        self.desks = [
            _Desk(
                number=c.number,
                clerk=str(FIRST_JOB_NUMBER + c.number),
                services=tuple(code_of[sid] for sid in c.service_ids if sid in code_of),
                added=c.number > DEMO_COUNTERS,
            )
            for n in range(1, config.counters + 1)
            if (c := halls.counter(self.hall, n))
        ]
        self.offered = {code for d in self.desks for code in d.services}

    # ------------------------------------------------------------------ the loop
    def run(self) -> None:
        for d in self.desks:
            staff = self.auth.login(d.clerk, DEMO_PASSWORD)
            self.desks_service.open_session(self.hall_code, d.number, staff)
            self.till.open(d.number, staff)
        for c in self.customers:
            self._at(c.arrival_s, ARRIVE, c.index)
        self._at(self.close_s, CLOSE, 0)
        steps = {
            SHOW: self._show,
            RECALL: self._recall,
            NO_SHOW_EVENT: self._no_show,
            END: self._end,
        }
        while self._heap:
            t, _, kind, arg = heapq.heappop(self._heap)
            self.clock.set(self.start + timedelta(seconds=t))
            if kind == ARRIVE:
                self._arrive(self.customers[arg], t)
            elif kind == CLOSE:
                self._close(t)
            else:
                steps[kind](self.desks[arg - 1], t)

    def _at(self, t: float, kind: int, arg: int) -> None:
        self._seq += 1
        heapq.heappush(self._heap, (t, self._seq, kind, arg))

    # ------------------------------------------------------------------ customers
    def _arrive(self, c: Customer, t: float) -> None:
        code, priority = c.need, c.priority
        if code not in self.offered:  # the dispenser offers only services someone serves
            code = next(s.code for s in self.hall.services if s.code in self.offered)
            priority = max(priority, PRIORITY_LEVELS["elderly"] if c.need == "GREEN" else 0)
        try:
            issued = self.queue.issue_ticket(self.hall_code, code, priority=priority)
        except DomainError as exc:
            if exc.code != errors.SERIES_EXHAUSTED:
                raise
            self.turned_away += 1
            return
        self._new_leg(issued.ticket, c, first=True)
        self._wake(code, t)

    def _new_leg(self, ticket: TicketInfo, c: Customer, *, first: bool) -> None:
        service = self.hall.service_by_id(ticket.service_id)
        assert service is not None
        leg = Leg(
            customer=c.index,
            service=service.code,
            first=first,
            threshold_s=service.wait_threshold_min * 60,
        )
        self.legs[ticket.id] = leg
        self.all_legs.append(leg)

    def _wake(self, code: str, t: float) -> None:
        """The clerk idle longest at a counter serving `code` presses "call next"."""
        idle = [d for d in self.desks if d.state == "idle" and code in d.services]
        if idle:
            self._free(min(idle, key=lambda d: (d.idle_since, d.number)), t)

    # ------------------------------------------------------------------ a counter's steps
    def _free(self, d: _Desk, t: float) -> None:
        """The clerk is done with the customer in front (if any): call the next one."""
        if t >= self.close_s:
            if d.current is not None:
                self.queue.finish(self.hall_code, d.number)
                self._ended(d, t, DONE)
            self.desks_service.close_session(self.hall_code, d.number)
            d.state, d.closed_s = "closed", t
            return
        called = self.queue.call_next(self.hall_code, d.number)
        if d.current is not None:
            self._ended(d, t, DONE)
        if called is None:
            d.state, d.idle_since = "idle", t
            return
        leg = self.legs[called.id]
        assert called.called_at is not None
        joined = called.issued_at if called.transfers else called.queue_at
        leg.wait_s = (called.called_at - joined).total_seconds()
        leg.counter = d.number
        d.state, d.current, d.ticket, d.called_s = "busy", leg, called.id, t
        customer = self.customers[leg.customer]
        if leg.first and customer.shows != SHOWS:
            self._at(t + CALL_WAIT_S, RECALL, d.number)
        else:
            self._at(t + customer.walk_s, SHOW, d.number)

    def _show(self, d: _Desk, t: float) -> None:
        self.queue.start_serving(self.hall_code, d.number)
        leg = d.current
        assert leg is not None
        c = self.customers[leg.customer]
        svc = self.hall.service(c.need if leg.first else leg.service)
        assert svc is not None
        full = service_seconds(svc.default_service_s, c.service_z if leg.first else c.second_z)
        if leg.first and c.transfer_after is not None:
            full *= c.transfer_after
        self._at(t + full, END, d.number)
        leg.started_s = t

    def _recall(self, d: _Desk, t: float) -> None:
        self.queue.recall(self.hall_code, d.number)
        leg = d.current
        assert leg is not None
        c = self.customers[leg.customer]
        if c.shows == NEVER:
            self._at(t + CALL_WAIT_S, NO_SHOW_EVENT, d.number)
        else:
            self._at(t + c.walk_s, SHOW, d.number)

    def _no_show(self, d: _Desk, t: float) -> None:
        self.queue.no_show(self.hall_code, d.number)
        self._ended(d, t, NO_SHOW)
        self._free(d, t)

    def _end(self, d: _Desk, t: float) -> None:
        leg = d.current
        assert leg is not None
        c = self.customers[leg.customer]
        if not (leg.first and c.transfer_after is not None):
            if leg.service == PAY_SERVICE:
                self.till.take(d.number, d.ticket, c.index)
            self._free(d, t)  # call next finishes this customer
            return
        target = self._transfer_target(d, leg.service)
        new_leg = self.queue.transfer(self.hall_code, d.number, target)
        self._ended(d, t, TRANSFERRED)
        self._new_leg(new_leg, c, first=False)
        self._free(d, t)  # may call the new leg itself, if this counter serves the target
        if self.legs[new_leg.id].wait_s is None:
            self._wake(target, t)

    def _transfer_target(self, d: _Desk, current: str) -> str:
        counter = self.hall.counter(d.number)
        default = self.hall.transfer_target(counter) if counter is not None else None
        if default is not None and default.code != current and default.code in self.offered:
            return default.code
        return next(s.code for s in self.hall.services if s.code in self.offered - {current})

    def _ended(self, d: _Desk, t: float, outcome: str) -> None:
        leg = d.current
        assert leg is not None
        leg.outcome = outcome
        if outcome == DONE and leg.started_s is not None:
            leg.service_s = t - leg.started_s
        d.busy_s += t - d.called_s
        d.legs.append(leg)
        d.current = None
        self.last_out_s = max(self.last_out_s, t)

    def _close(self, t: float) -> None:
        for d in self.desks:
            if d.state == "idle":
                self.desks_service.close_session(self.hall_code, d.number)
                d.state, d.closed_s = "closed", t

    # ------------------------------------------------------------------ the result
    def report(self, database: str) -> Report:
        waiting = sum(1 for leg in self.all_legs if leg.outcome == WAITING)
        in_db = self.queries.snapshot(self.hall_code).waiting_total
        if in_db != waiting:  # the simulator's books and the database must agree
            raise RuntimeError(f"simulation counts {waiting} waiting, the database {in_db}")
        rows = tuple(
            ServiceRow(
                code=s.code,
                name_en=s.name_en,
                name_zh=s.name_zh,
                offered=s.code in self.offered,
                stats=stats(
                    (leg for leg in self.all_legs if leg.service == s.code), per_customer=False
                ),
            )
            for s in self.hall.services
        )
        counters = tuple(
            CounterRow(
                number=d.number,
                clerk=d.clerk,
                services=d.services,
                added=d.added,
                served=sum(1 for leg in d.legs if leg.outcome == DONE),
                no_shows=sum(1 for leg in d.legs if leg.outcome == NO_SHOW),
                transferred=sum(1 for leg in d.legs if leg.outcome == TRANSFERRED),
                busy_pct=round(100 * d.busy_s / d.closed_s, 1) if d.closed_s else 0.0,
            )
            for d in self.desks
        )

        local = self.start.astimezone(ZoneInfo(self.hall.timezone))

        def hhmm(seconds: float) -> str:
            return f"{local + timedelta(seconds=seconds):%H:%M}"

        return Report(
            counters=self.config.counters,
            hours=self.config.hours,
            seed=self.config.seed,
            arrivals_per_hour=self.config.arrivals_per_hour,
            no_show_rate=self.config.no_show_rate,
            extra_services=self.config.extra_services,
            database=database,
            hall=self.hall_code,
            day=local.date().isoformat(),
            opened=hhmm(0),
            closed=hhmm(self.close_s),
            last_out=hhmm(max(self.last_out_s, self.close_s)),
            customers=len(self.customers),
            turned_away=self.turned_away,
            totals=stats(self.all_legs, per_customer=True),
            services=rows,
            counter_rows=counters,
            payments=self.till.report(),
            service=self.config.service,
        )


def run_simulation(config: SimulationConfig, build_core: CoreBuilder) -> Report:
    """Run the hall day of `config` on services built by `build_core` (pass
    `app.bootstrap.build_core`) and report it. Raises `DatabaseUnavailable` when the
    database cannot be opened."""
    # Its own database: a temporary embedded one unless given, never HALLDESK_DATABASE_URL.
    folder = None if config.database_url else Path(tempfile.mkdtemp(prefix="halldesk-sim-"))
    settings = Settings(database=DatabaseSettings(url=config.database_url or ""))
    clock = ManualClock(opening_time())
    try:
        core = build_core(
            settings,
            data_dir=folder,
            clock=clock,
            demo=False,
            pool_size=2,
            environ={},
            receipt_key=secrets.token_bytes(32),  # receipts of a day nobody prints
        )
        try:
            hall_code = prepare_hall(core.db, config)
            day = _HallDay(config, core, clock, hall_code)
            log.info(
                "simulating %d customers at %d counters in hall %s",
                len(day.customers),
                config.counters,
                hall_code,
            )
            day.run()
            return day.report(core.db.dialect + (" (temporary file)" if folder else ""))
        finally:
            core.close()
    finally:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
