"""A Hypothesis state machine over a hall database and its centre (issue 9): issue tickets,
call and finish them at three counters, cut the link, heal it, push, push with the reply
lost (the centre committed, the outbox not trimmed, the records sent again), crash the
hall server (its connections dropped mid-work) — with the invariants checked after every
step:

- the hall never gives a number twice, nor calls a ticket at two counters;
- the centre holds no queue row the hall does not have, and no row in a state the hall
  never had (its tickets' states only move forward);
- with the link up and the outbox drained, the centre's queue rows are the hall's, and
  each event is there once.

Real PostgreSQL for both (a hall database needs PostgreSQL); each example gets two fresh
databases cloned from the test template, so the hall's reference rows are the centre's.
The link is cut by the machine refusing to call the centre, as a dead link refuses (the
tests beside this one cut a real TCP proxy).
"""

from __future__ import annotations

import contextlib
from collections import Counter
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import insert, select, text

from app.models.db import Database
from app.services.errors import DomainError
from app.services.hall_ref import HallDirectory
from app.services.queue.counters import CounterService
from app.services.queue.service import QueueService
from app.services.security.auth import AuthService
from app.services.sync.capture import OUTBOX
from app.services.sync.hall import install_hall_outbox
from app.services.sync.push import push
from tests.conftest import TEMPLATE, new_database

HALL = "DEMO"
COUNTERS = (1, 2, 4)  # together they serve PAY, APPLY and ENQ
ORDER = {"waiting": 0, "called": 1, "serving": 2, "done": 3, "no_show": 3, "transferred": 3}
MIRROR = "SELECT id, prefix, number, status, counter_id, called_at, finished_at FROM tickets"


def _rows(db: Database, sql: str) -> list[tuple[Any, ...]]:
    with db.engine.connect() as c:
        return sorted((tuple(r) for r in c.execute(text(sql))), key=repr)


class HallSync(RuleBasedStateMachine):
    admin_url = ""

    def __init__(self) -> None:
        super().__init__()
        self._stack = contextlib.ExitStack()
        central_url = self._stack.enter_context(new_database(self.admin_url, TEMPLATE))
        self.hall_url = self._stack.enter_context(new_database(self.admin_url, TEMPLATE))
        self.central = Database.from_url(central_url, use_keyring=False, pool_size=2)
        self._open_hall()
        install_hall_outbox(self.hall)
        auth = AuthService(self.hall, station="HALL")
        counters = CounterService(self.hall, HallDirectory(self.hall), auth=auth)
        for n in COUNTERS:
            counters.open_session(HALL, n, auth.login(f"{1000 + n}", "1234"))
        self.up = True

    def _open_hall(self) -> None:
        self.hall = Database.from_url(self.hall_url, use_keyring=False, pool_size=2)
        self.queue = QueueService(self.hall, HallDirectory(self.hall))

    def teardown(self) -> None:
        self.hall.dispose()
        self.central.dispose()
        self._stack.close()

    # ------------------------------------------------------------------ steps
    @rule(service=st.sampled_from(("PAY", "APPLY", "ENQ")))
    def issue(self, service: str) -> None:
        self.queue.issue_ticket(HALL, service)

    @rule(counter=st.sampled_from(COUNTERS))
    def call(self, counter: int) -> None:
        with contextlib.suppress(DomainError):  # a customer still at the counter
            self.queue.call_next(HALL, counter)

    @rule(counter=st.sampled_from(COUNTERS))
    def finish(self, counter: int) -> None:
        with contextlib.suppress(DomainError):  # nobody at the counter
            self.queue.finish(HALL, counter)

    @rule()
    def cut(self) -> None:
        self.up = False

    @rule()
    def heal(self) -> None:
        self.up = True

    @precondition(lambda self: self.up)
    @rule(batch=st.integers(1, 8))
    def sync(self, batch: int) -> None:
        push(self.hall, self.central, batch=batch)

    @precondition(lambda self: self.up)
    @rule()
    def sync_everything(self) -> None:
        while push(self.hall, self.central, batch=50).left:
            pass

    @precondition(lambda self: self.up)
    @rule(batch=st.integers(1, 8))
    def sync_reply_lost(self, batch: int) -> None:
        with self.hall.read() as s:
            sent = [
                dict(r._mapping)
                for r in s.execute(select(OUTBOX).order_by(OUTBOX.c.id).limit(batch))
            ]
        push(self.hall, self.central, batch=batch)
        if sent:  # the centre committed, the hall server never heard: sent again
            with self.hall.write() as s:
                s.execute(insert(OUTBOX), sent)

    @rule()
    def crash(self) -> None:
        self.hall.dispose()  # every connection of the hall server gone
        self._open_hall()

    # ------------------------------------------------------------------ invariants
    @invariant()
    def one_number_one_counter(self) -> None:
        tickets = _rows(self.hall, MIRROR)
        assert max(Counter((t[1], t[2]) for t in tickets).values(), default=1) == 1
        calls = Counter(
            r[0]
            for r in _rows(self.hall, "SELECT ticket_id FROM ticket_events WHERE kind = 'called'")
        )
        assert max(calls.values(), default=1) == 1

    @invariant()
    def the_centre_follows_the_hall(self) -> None:
        hall = {t[0]: t for t in _rows(self.hall, MIRROR)}
        for t in _rows(self.central, MIRROR):
            assert t[0] in hall, "a ticket the hall does not have"
            assert ORDER[t[3]] <= ORDER[hall[t[0]][3]], "a state the hall has not reached"
        origins = Counter(r[0] for r in _rows(self.central, "SELECT origin_id FROM ticket_events"))
        assert max(origins.values(), default=1) == 1
        assert set(origins) <= {r[0] for r in _rows(self.hall, "SELECT id FROM ticket_events")}

    @invariant()
    def drained_means_equal(self) -> None:
        if not self.up or _rows(self.hall, "SELECT count(*) FROM outbox") != [(0,)]:
            return
        assert _rows(self.central, MIRROR) == _rows(self.hall, MIRROR)
        events = "SELECT kind, ticket_id, counter_number, at FROM ticket_events"
        assert _rows(self.central, events) == _rows(self.hall, events)
        series = "SELECT service_id, business_date, dispenser, last_number FROM ticket_series"
        assert _rows(self.central, series) == _rows(self.hall, series)


def test_the_hall_and_its_centre_agree_whatever_happens(pg_admin_url: str, pg_template: str):
    HallSync.admin_url = pg_admin_url
    run_state_machine_as_test(
        HallSync,
        settings=settings(
            max_examples=15,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
