"""Live traffic for the demo (`scripts/run --traffic`): the demo hall's customers and the
clerks of counters 2-6 play a day in real time, through the real services, while a person
works counter 1 and watches the manager's dashboard.

Customers arrive at random (`arrivals_per_min`, Poisson) for the hall's services in the
demo's mix; each simulated counter logs its clerk in, calls the next customer, serves for
a random time around its service's length (shortened by `speed` so the dashboard moves),
now and then lets the customer not come (no-show), asks most customers to rate (a few are
dissatisfied: the manager's alerts; the others are not asked) and calls the next.
Counter 1 is left to the person.

One thread, one step at a time on the real clock; a step refused by the services (a
counter someone else took over, the database away for a moment) is logged and the
traffic goes on. `stop()` ends it and logs the clerks out.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TypeVar

from app.services.errors import DomainError
from app.services.evaluation.service import EvaluationService
from app.services.queue.counters import CounterService
from app.services.queue.service import QueueService
from app.services.security.auth import AuthService
from app.services.simulation.demo_hall import DEMO_PASSWORD, SERVICES

log = logging.getLogger(__name__)
T = TypeVar("T")

MIX = {"PAY": 0.55, "APPLY": 0.25, "ENQ": 0.15, "GREEN": 0.05}
NO_SHOW = 0.05
RATED = 0.8  # customers asked who rate (the others are left to time out)
RATINGS = (0, 0, 0, 1, 1, 1, 1, 2, 3)  # mostly satisfied; one in nine dissatisfied


@dataclass
class _Desk:
    number: int
    busy_until: float = 0.0  # monotonic time the current customer leaves
    serving: bool = False


class DemoTraffic:
    def __init__(
        self,
        hall_code: str,
        queue: QueueService,
        counters: CounterService,
        evaluations: EvaluationService,
        auth: AuthService,
        *,
        desks: tuple[int, ...] = (2, 3, 4, 5, 6),
        arrivals_per_min: float = 3.0,
        speed: float = 6.0,
        seed: int | None = None,
        tick_s: float = 0.25,
        opening_queue: int = 5,
    ) -> None:
        self._hall = hall_code
        self._queue, self._counters = queue, counters
        self._evaluations, self._auth = evaluations, auth
        self._desks = [_Desk(n) for n in desks]
        self._rate = arrivals_per_min / 60.0
        self._speed = speed
        self._rng = random.Random(seed)
        self._tick = tick_s
        self._opening = opening_queue  # customers already at the door when it starts
        self._lengths = {s.code: s.default_s for s in SERVICES}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.issued = self.called = self.finished = self.rated = 0

    def start(self) -> DemoTraffic:
        self._thread = threading.Thread(target=self._run, name="demo-traffic", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
        for desk in self._desks:  # the customer at the counter is served, the clerk leaves
            if desk.serving:
                served = self._try(partial(self._queue.finish, self._hall, desk.number))
                self.finished += served is not None
            self._try(partial(self._counters.close_session, self._hall, desk.number))

    def _run(self) -> None:
        for desk in self._desks:
            self._try(partial(self._log_in, desk.number))
        for _ in range(self._opening):
            self._arrive()
        while not self._stop.wait(self._tick):
            if self._rng.random() < self._rate * self._tick:
                self._arrive()
            now = time.monotonic()
            for desk in self._desks:
                if desk.serving and now >= desk.busy_until:
                    self._finish(desk)
                elif not desk.serving and now >= desk.busy_until:
                    self._call(desk)

    def _log_in(self, number: int) -> None:
        clerk = self._auth.login(f"{1000 + number}", DEMO_PASSWORD)
        self._counters.open_session(self._hall, number, clerk)

    def _arrive(self) -> None:
        service = self._rng.choices(list(MIX), weights=list(MIX.values()))[0]
        if self._try(lambda: self._queue.issue_ticket(self._hall, service, dispenser="D1")):
            self.issued += 1

    def _call(self, desk: _Desk) -> None:
        ticket = self._try(lambda: self._queue.call_next(self._hall, desk.number))
        if ticket is None:
            desk.busy_until = time.monotonic() + 2.0  # nobody waiting: look again soon
            return
        self.called += 1
        if self._rng.random() < NO_SHOW:
            self._try(lambda: self._queue.no_show(self._hall, desk.number))
            desk.busy_until = time.monotonic() + 1.0
            return
        self._try(lambda: self._queue.start_serving(self._hall, desk.number))
        code = next((s.code for s in SERVICES if ticket.display_number.startswith(s.prefix)), "")
        mean = self._lengths.get(code, 300) / self._speed
        desk.serving = True
        desk.busy_until = time.monotonic() + self._rng.uniform(0.5, 1.5) * mean

    def _finish(self, desk: _Desk) -> None:
        desk.serving = False
        if self._rng.random() < RATED:
            request = self._try(lambda: self._evaluations.request_rating(self._hall, desk.number))
            if request is not None:
                rating = self._rng.choice(RATINGS)
                if self._try(lambda: self._evaluations.record_rating(request.id, rating)):
                    self.rated += 1
        if self._try(lambda: self._queue.finish(self._hall, desk.number)):
            self.finished += 1
        desk.busy_until = time.monotonic() + self._rng.uniform(1.0, 4.0)

    def _try(self, step: Callable[[], T]) -> T | None:
        try:
            return step()
        except DomainError as exc:
            log.info("demo traffic: %s", exc.message)
            return None
