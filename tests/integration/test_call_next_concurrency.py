"""Eight counters call next at once, each in its own thread with its own engine: every
ticket is called exactly once, none is lost, nobody gets an error. On a SQLite file
(BEGIN IMMEDIATE) and on PostgreSQL (FOR UPDATE SKIP LOCKED)."""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter as Tally
from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from app.models import (
    Counter,
    CounterService,
    CounterSession,
    Hall,
    Service,
    Staff,
    Ticket,
    TicketEvent,
)
from app.models.db import Database
from app.models.migrate import upgrade
from app.services.dto import TicketInfo
from app.services.errors import DomainError
from app.services.hall_ref import HallDirectory
from app.services.queue.counters import CounterService as Sessions
from app.services.queue.service import QueueService
from app.services.security.auth import AuthService

CLERK_PASSWORD = "clerk-pw-1"
CLERK_HASH = PasswordHasher().hash(CLERK_PASSWORD)  # one hash: the clerks are test fixtures

HALL = "CONC"
COUNTERS = 8
PREFIXES = "ABCD"
TICKETS = 2000
SECONDS_LIMIT = 90  # measured 7-21 s on SQLite, 11 s on PostgreSQL; a guard, not a benchmark


def _build_hall(db: Database, tickets: int) -> None:
    """A hall of 8 counters that all serve the same 4 services, each in its own order,
    and `tickets` waiting today (some with priority)."""
    now = datetime.now(UTC)
    hall_id = uuid.uuid4()
    with db.write() as s:
        s.add(Hall(id=hall_id, code=HALL, name_zh="并发厅", name_en="Load hall", timezone="UTC"))
        services = [
            Service(
                id=uuid.uuid4(),
                hall_id=hall_id,
                code=f"S{p}",
                prefix=p,
                name_zh=p,
                name_en=p,
                priority_weight=0,
                wait_threshold_min=20,
                default_service_s=300,
                sort_order=n,
                active=True,
            )
            for n, p in enumerate(PREFIXES)
        ]
        s.add_all(services)
        s.flush()
        for n in range(1, COUNTERS + 1):
            order = services[n % 4 :] + services[: n % 4]
            counter = Counter(id=uuid.uuid4(), hall_id=hall_id, number=n, active=True)
            counter.services = [
                CounterService(service_id=svc.id, rank=r) for r, svc in enumerate(order)
            ]
            s.add(counter)
            s.add(
                Staff(
                    id=uuid.uuid4(),
                    hall_id=hall_id,
                    job_number=f"C{n:03d}",
                    name=f"clerk {n}",
                    role="clerk",
                    password_hash=CLERK_HASH,
                    active=True,
                )
            )
        per_service = tickets // len(services)
        for svc in services:
            for number in range(1, per_service + 1):
                at = now - timedelta(seconds=per_service - number)
                s.add(
                    Ticket(
                        id=uuid.uuid4(),
                        hall_id=hall_id,
                        service_id=svc.id,
                        business_date=now.date(),
                        prefix=svc.prefix,
                        number=number,
                        code=f"{HALL}-{now:%Y%m%d}-{svc.prefix}{number:03d}",
                        dispenser="D1",
                        status="waiting",
                        priority=2 if number % 97 == 0 else 0,
                        queue_at=at,
                        issued_at=at,
                        recall_count=0,
                        transfers=0,
                    )
                )


def _hall_url(db_url: str, tickets: int) -> str:
    db = Database.from_url(db_url, use_keyring=False)
    try:
        upgrade(db.engine)
        _build_hall(db, tickets)
    finally:
        db.dispose()
    return db_url


@pytest.fixture
def hall_url(db_url: str) -> str:
    return _hall_url(db_url, TICKETS)


@pytest.fixture
def empty_hall_url(db_url: str) -> str:
    return _hall_url(db_url, 0)


def test_eight_counters_call_two_thousand_tickets(hall_url: str) -> None:
    start_line = threading.Barrier(COUNTERS)
    called: dict[int, list[TicketInfo]] = {n: [] for n in range(1, COUNTERS + 1)}
    failures: list[BaseException] = []

    def counter(number: int) -> None:
        db = Database.from_url(hall_url, pool_size=1, use_keyring=False)
        try:
            halls = HallDirectory(db)
            queue = QueueService(db, halls)
            auth = AuthService(db)
            staff = auth.login(f"C{number:03d}", CLERK_PASSWORD)
            Sessions(db, halls, auth=auth).open_session(HALL, number, staff)
            start_line.wait(timeout=30)
            while (ticket := queue.call_next(HALL, number)) is not None:
                called[number].append(ticket)
        except BaseException as exc:  # reported below, with the counter's number
            failures.append(exc)
            start_line.abort()
        finally:
            db.dispose()

    threads = [
        threading.Thread(target=counter, args=(n,), name=f"counter-{n}")
        for n in range(1, COUNTERS + 1)
    ]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=SECONDS_LIMIT * 2)
    elapsed = time.monotonic() - began
    assert not any(t.is_alive() for t in threads), "a counter is stuck"
    assert failures == []
    assert elapsed < SECONDS_LIMIT, f"{elapsed:.1f} s"

    got = [t.id for tickets in called.values() for t in tickets]
    assert len(got) == TICKETS and len(set(got)) == TICKETS
    assert sum(1 for tickets in called.values() if tickets) >= 2

    db = Database.from_url(hall_url, use_keyring=False)
    try:
        with db.read() as s:
            hall_id = s.scalar(select(Hall.id).where(Hall.code == HALL))
            statuses = Tally(
                dict(
                    s.execute(
                        select(Ticket.status, func.count())
                        .where(Ticket.hall_id == hall_id)
                        .group_by(Ticket.status)
                    ).all()
                )
            )
            calls = dict(
                s.execute(
                    select(TicketEvent.ticket_id, func.count())
                    .where(TicketEvent.hall_id == hall_id, TicketEvent.kind == "called")
                    .group_by(TicketEvent.ticket_id)
                ).all()
            )
            ids = set(s.scalars(select(Ticket.id).where(Ticket.hall_id == hall_id)))
    finally:
        db.dispose()
    assert statuses == {"done": TICKETS}
    assert set(calls) == ids == set(got)
    assert set(calls.values()) == {1}


def test_dispensers_issue_at_once_without_gaps_or_doubles(empty_hall_url: str) -> None:
    """Four kiosks on one series and two on another, all issuing at the same time."""
    per_thread = 40
    plan = [("D1", (1, 499))] * 4 + [("D2", (500, 999))] * 2
    start_line = threading.Barrier(len(plan))
    numbers: list[tuple[str, int]] = []
    failures: list[BaseException] = []
    lock = threading.Lock()

    def kiosk(dispenser: str, rng: tuple[int, int]) -> None:
        db = Database.from_url(empty_hall_url, pool_size=1, use_keyring=False)
        try:
            queue = QueueService(db, HallDirectory(db))
            start_line.wait(timeout=30)
            for _ in range(per_thread):
                issued = queue.issue_ticket(HALL, "SA", dispenser=dispenser, number_range=rng)
                with lock:
                    numbers.append((dispenser, int(issued.ticket.display_number[1:])))
        except BaseException as exc:
            failures.append(exc)
            start_line.abort()
        finally:
            db.dispose()

    threads = [threading.Thread(target=kiosk, args=p) for p in plan]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=SECONDS_LIMIT)
    assert failures == []
    d1 = sorted(n for d, n in numbers if d == "D1")
    d2 = sorted(n for d, n in numbers if d == "D2")
    assert d1 == list(range(1, 4 * per_thread + 1))
    assert d2 == list(range(500, 500 + 2 * per_thread))


def test_clerks_logging_in_at_once_leave_one_session_per_counter(empty_hall_url: str) -> None:
    """Eight clerks try counters 1 and 2 at the same moment, three rounds: afterwards each
    counter and each clerk has at most one open session, and a loser is told `counter_busy`."""
    outcomes: list[str] = []
    lock = threading.Lock()

    for _ in range(3):
        start_line = threading.Barrier(COUNTERS)

        def clerk(n: int, start_line: threading.Barrier = start_line) -> None:
            db = Database.from_url(empty_hall_url, pool_size=1, use_keyring=False)
            try:
                auth = AuthService(db)
                staff = auth.login(f"C{n:03d}", CLERK_PASSWORD)
                sessions = Sessions(db, HallDirectory(db), auth=auth)
                start_line.wait(timeout=30)
                try:
                    sessions.open_session(HALL, 1 + n % 2, staff)
                    result = "ok"
                except DomainError as exc:
                    result = exc.code
            except BaseException as exc:
                result = repr(exc)
            finally:
                db.dispose()
            with lock:
                outcomes.append(result)

        threads = [threading.Thread(target=clerk, args=(n,)) for n in range(1, COUNTERS + 1)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=SECONDS_LIMIT)

    assert set(outcomes) <= {"ok", "counter_busy"}, outcomes
    assert outcomes.count("ok") >= 2
    db = Database.from_url(empty_hall_url, use_keyring=False)
    try:
        with db.read() as s:
            open_rows = s.execute(
                select(CounterSession.counter_id, CounterSession.staff_id).where(
                    CounterSession.ended_at.is_(None)
                )
            ).all()
    finally:
        db.dispose()
    assert len({c for c, _ in open_rows}) == len(open_rows) == 2
    assert len({st for _, st in open_rows}) == 2
