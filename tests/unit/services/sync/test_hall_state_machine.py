"""A Hypothesis state machine over a whole hall and its centre (issue 9): a counter's
cache takes payments, the hall database issues tickets and calls and finishes them at
three counters; the link is cut and healed; either pushes, or pushes with the reply lost
(the centre committed, the outbox not trimmed, the records sent again); the hall server
or the counter's station crashes (connections dropped mid-work, the cache reopened) —
with the invariants checked after every step:

- the hall never gives a number twice, nor calls a ticket at two counters;
- the centre holds no queue row the hall does not have, and no row in a state the hall
  never had (its tickets' states only move forward); no payment twice, none that the
  station did not commit, and every payment of the station is at the centre or in its
  outbox;
- with the link up and both outboxes drained, the centre's queue rows are the hall's, each
  event is there once, and the centre's payments are the station's, to the fen.

Real PostgreSQL for the centre and the hall database (a hall database needs PostgreSQL),
a real SQLite file for the cache; each example gets two fresh databases cloned from the
test template, so the hall's reference rows are the centre's. The link is cut by the
machine refusing to call the centre, as a dead link refuses (the tests beside this one
cut a real TCP proxy). The payments alone, with two stations paying the same bills, have
their own machine (test_sync_state_machine.py).
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections import Counter
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
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

from app.models import Payment
from app.models.db import Database
from app.services.billing.payments import PaymentService
from app.services.errors import DomainError
from app.services.hall_ref import HallDirectory
from app.services.queue.counters import CounterService
from app.services.queue.service import QueueService
from app.services.security.auth import AuthService
from app.services.sync.capture import OUTBOX, install_capture
from app.services.sync.hall import install_hall_outbox
from app.services.sync.push import push
from tests.conftest import TEMPLATE, new_database
from tests.unit.services.sync.sync_helpers import KEY, central_with_book, make_station

HALL = "DEMO"
COUNTERS = (1, 2, 4)  # together they serve PAY, APPLY and ENQ
ORDER = {"waiting": 0, "called": 1, "serving": 2, "done": 3, "no_show": 3, "transferred": 3}
MIRROR = "SELECT id, prefix, number, status, counter_id, called_at, finished_at FROM tickets"


def _rows(db: Database, sql: str) -> list[tuple[Any, ...]]:
    with db.engine.connect() as c:
        return sorted((tuple(r) for r in c.execute(text(sql))), key=repr)


def _payments(db: Database, *, whole: bool = False) -> list[Any]:
    """The payments' ids (or whole rows: id, amount, receipt number), typed, sorted."""
    columns = (Payment.id, Payment.amount_fen, Payment.receipt_number) if whole else (Payment.id,)
    with db.read() as s:
        rows = [tuple(r) if whole else r[0] for r in s.execute(select(*columns))]
    return sorted(rows, key=repr)


class HallSync(RuleBasedStateMachine):
    admin_url = ""

    def __init__(self) -> None:
        super().__init__()
        self._stack = contextlib.ExitStack()
        central_url = self._stack.enter_context(new_database(self.admin_url, TEMPLATE))
        self.hall_url = self._stack.enter_context(new_database(self.admin_url, TEMPLATE))
        self.central = central_with_book(central_url, accounts=4)
        self.dir = Path(tempfile.mkdtemp(prefix="halldesk-hall-sm-"))
        self.station = make_station(self.central, self.dir / "pc1.sqlite3")
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
        self.station.cache.dispose()
        self.central.dispose()
        self._stack.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def _stores(self, which: str) -> Database:
        return self.hall if which == "hall" else self.station.cache

    # ------------------------------------------------------------------ steps
    @rule(service=st.sampled_from(("PAY", "APPLY", "ENQ")))
    def issue(self, service: str) -> None:
        self.queue.issue_ticket(HALL, service)

    @rule(account=st.integers(1, 4), yuan=st.integers(1, 300))
    def pay(self, account: int, yuan: int) -> None:
        self.station.pay(self.station.clerk(), f"33{account:08d}", str(Decimal(yuan)))

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
    @rule(which=st.sampled_from(("hall", "station")), batch=st.integers(1, 8))
    def sync(self, which: str, batch: int) -> None:
        push(self._stores(which), self.central, batch=batch)

    @precondition(lambda self: self.up)
    @rule()
    def sync_everything(self) -> None:
        for stores in (self.hall, self.station.cache):
            while push(stores, self.central, batch=50).left:
                pass

    @precondition(lambda self: self.up)
    @rule(which=st.sampled_from(("hall", "station")), batch=st.integers(1, 8))
    def sync_reply_lost(self, which: str, batch: int) -> None:
        stores = self._stores(which)
        with stores.read() as s:
            sent = [
                dict(r._mapping)
                for r in s.execute(select(OUTBOX).order_by(OUTBOX.c.id).limit(batch))
            ]
        push(stores, self.central, batch=batch)
        if sent:  # the centre committed, the sender never heard: sent again
            with stores.write() as s:
                s.execute(insert(OUTBOX), sent)

    @rule()
    def crash_hall_server(self) -> None:
        self.hall.dispose()  # every connection of the hall server gone
        self._open_hall()

    @rule()
    def crash_station(self) -> None:
        path = self.dir / "pc1.sqlite3"
        self.station.cache.dispose()
        cache = Database.from_url(f"sqlite:///{path}", use_keyring=False)
        install_capture(cache)
        self.station = replace(
            self.station,
            cache=cache,
            auth=(auth := AuthService(cache, station="pc1")),
            billing=PaymentService(cache, HallDirectory(cache), auth, receipt_key=KEY),
        )

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
    def payments_once(self) -> None:
        central = _payments(self.central)
        assert len(central) == len(set(central))
        mine = set(_payments(self.station.cache))
        with self.station.cache.read() as s:
            waiting = set(
                s.scalars(select(OUTBOX.c.row_id).where(OUTBOX.c.table_name == "payments"))
            )
        assert set(central) <= mine, "a payment no station committed"
        assert mine <= set(central) | waiting, "a payment neither sent nor waiting"

    @invariant()
    def drained_means_equal(self) -> None:
        empty = [(0,)]
        if not self.up or any(
            _rows(db, "SELECT count(*) FROM outbox") != empty
            for db in (self.hall, self.station.cache)
        ):
            return
        assert _payments(self.central, whole=True) == _payments(self.station.cache, whole=True)
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
            max_examples=10,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
