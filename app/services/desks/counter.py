"""The counter desk: everything a counter (窗口) does, for its window and its caller keypad.

One desk per station. It logs a clerk in and out at a counter, reads the counter's state
(with what the rules allow now, its open alerts and its newest rating), and does every
step. A step is checked against the rules table (`rules.refusal`) on a fresh read of the
counter before the queue is asked, whether it came from a key of the window or a key of
the keypad: both ask the same desk, so they cannot disagree. Every method blocks on the
database: call it from a worker thread, never from the GUI thread.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from app.services import errors
from app.services.clock import Clock
from app.services.desks.rules import allowed_actions, refusal
from app.services.dto import (
    CounterState,
    HallInfo,
    RatingState,
    ServiceInfo,
    StaffInfo,
    TicketInfo,
)
from app.services.errors import DomainError
from app.services.evaluation.alerts import AlertInfo
from app.services.evaluation.service import EvaluationService
from app.services.queue.counters import CounterService
from app.services.queue.queries import QueueQueries
from app.services.queue.service import QueueService
from app.services.security.auth import Actor, AuthService

log = logging.getLogger(__name__)

KEYPAD_PAUSE_REASON = "keypad"
DISSATISFIED_ALERT = "dissatisfied"


@dataclass(frozen=True)
class DeskState:
    """A counter as its window shows it: the queue state, what may be done now, the
    customer alerts of this counter and its newest rating."""

    hall: HallInfo
    counter_number: int
    state: CounterState | None
    allowed: frozenset[str]
    alerts: tuple[AlertInfo, ...] = ()
    rating: RatingState | None = None


@dataclass(frozen=True)
class StepResult:
    action: str
    ticket: TicketInfo | None
    desk: DeskState


@dataclass(frozen=True)
class LoginResult:
    actor: Actor
    desk: DeskState

    @property
    def staff(self) -> StaffInfo:
        return self.actor.staff


@dataclass(frozen=True)
class StepArgs:
    """What some steps need besides the counter: the transfer target, the number to call,
    the held ticket to call back, the pause reason."""

    service_code: str | None = None
    number: str = ""
    ticket_id: uuid.UUID | None = None
    reason: str = ""


class CounterDesk:
    def __init__(
        self,
        hall_code: str,
        queue: QueueService,
        counters: CounterService,
        queries: QueueQueries,
        evaluations: EvaluationService,
        auth: AuthService,
        clock: Clock,
        *,
        fixed_counter: int = 0,
        evaluator_scale: Callable[[int], int] = lambda _counter: 4,
    ) -> None:
        self.hall_code = hall_code
        self.fixed_counter = fixed_counter
        self.clock = clock
        self._queue = queue
        self._counters = counters
        self._queries = queries
        self._evaluations = evaluations
        self._auth = auth
        self._scale = evaluator_scale

    # ------------------------------------------------------------------ reading
    def hall(self) -> HallInfo:
        return self._queries.hall(self.hall_code)

    def read(self, counter_number: int) -> DeskState:
        """The counter's state whoever is logged in there (0: no counter chosen yet)."""
        hall = self.hall()
        if not counter_number:
            return DeskState(hall, 0, None, frozenset())
        state = self._queries.counter_state(self.hall_code, counter_number)
        alerts: tuple[AlertInfo, ...] = ()
        rating = None
        if state.session_open:
            alerts = tuple(
                a
                for a in self._evaluations.alerts(self.hall_code)
                if a.kind == DISSATISFIED_ALERT and a.counter_number == counter_number
            )
            rating = self._queries.latest_rating(self.hall_code, counter_number)
        return DeskState(hall, counter_number, state, allowed_actions(state), alerts, rating)

    def transfer_choices(
        self, hall: HallInfo, counter_number: int, current: TicketInfo
    ) -> tuple[list[ServiceInfo], str | None]:
        """The services a customer can be sent to, and the counter's default among them."""
        counter = hall.counter(counter_number)
        target = hall.transfer_target(counter) if counter is not None else None
        choices = [s for s in hall.services if s.id != current.service_id]
        return choices, target.code if target is not None else None

    # ------------------------------------------------------------------ log-in
    def log_in(
        self,
        job_number: str,
        password: str,
        counter_number: int,
        *,
        new_password: str | None = None,
    ) -> LoginResult:
        """Check the password and open (or take back) the clerk's session at the counter.
        After an administrator's reset the clerk must give `new_password` too."""
        number = self.fixed_counter or counter_number
        actor = self._auth.login(job_number, password, new_password=new_password)
        self._counters.open_session(self.hall_code, number, actor)
        return LoginResult(actor, self.read(number))

    # ------------------------------------------------------------------ steps
    def step(
        self,
        counter_number: int,
        action: str,
        args: StepArgs | None = None,
        *,
        actor: Actor | None = None,
    ) -> StepResult:
        """Do `action` at the counter if the rules allow it now; DomainError if not. The
        window passes its logged-in `actor`, who must be the clerk of the counter's open
        session; the counter's own keypad acts for that clerk (`actor` None)."""
        args = args or StepArgs()
        state = self._queries.counter_state(self.hall_code, counter_number)
        if actor is not None:
            self._auth.check(actor, "clerk")
            if state.session_open and (state.staff is None or state.staff.id != actor.id):
                raise DomainError(
                    errors.COUNTER_CLOSED,
                    f"{actor.job_number} is not logged in at counter {counter_number}",
                )
        code = refusal(action, state)
        if code is not None:
            raise DomainError(code, f"counter {counter_number}: {action} refused ({code})")
        ticket = self._do(counter_number, action, state, args)
        done = "resume" if action == "pause" and state.paused else action
        return StepResult(done, ticket, self.read(counter_number))

    def press(self, counter_number: int, action: str) -> bool:
        """A keypad key: the same step as the window's; False when refused (the keypad
        beeps). A keypad pauses with the reason "keypad"."""
        try:
            self.step(counter_number, action, StepArgs(reason=KEYPAD_PAUSE_REASON))
        except DomainError as exc:
            log.info("counter %s: keypad %s refused: %s", counter_number, action, exc.message)
            return False
        return True

    def _do(
        self, number: int, action: str, state: CounterState, args: StepArgs
    ) -> TicketInfo | None:
        hall, queue = self.hall_code, self._queue
        if action == "call_next":
            return queue.call_next(hall, number)
        if action == "call_number":
            return queue.call_number(hall, number, args.number)
        if action == "recall":
            return queue.recall(hall, number)
        if action == "start":
            return queue.start_serving(hall, number)
        if action == "finish":
            return queue.finish(hall, number)
        if action == "no_show":
            return queue.no_show(hall, number)
        if action == "hold":
            return queue.hold(hall, number)
        if action == "call_back":
            return queue.call_back(hall, number, args.ticket_id)
        if action == "transfer":
            return queue.transfer(hall, number, args.service_code)
        if action == "rate":
            self._evaluations.request_rating(hall, number, self._scale(number))
            return None
        if action == "pause":
            if state.paused:
                self._counters.resume(hall, number)
            else:
                self._counters.pause(hall, number, args.reason)
            return None
        if action == "logout":
            self._counters.close_session(hall, number)
            return None
        raise DomainError(errors.BAD_INPUT, f"unknown counter step {action!r}")
