"""A station's cache beside a central database, for the sync tests: the cache seeded with
a plain copy of the central hall (what the initial sync does, done here the simplest way),
the billing services on the cache with its outbox capture, and a count of every pushed
table on both sides."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, text

from app.models import Base, Hall, Service
from app.models.db import Database
from app.models.migrate import upgrade
from app.services.billing.payments import PaymentService
from app.services.clock import Clock, ManualClock
from app.services.hall_ref import HallDirectory
from app.services.security.actor import Actor
from app.services.security.auth import AuthService
from app.services.simulation.demo_accounts import seed_demo_accounts
from app.services.simulation.demo_hall import ensure_demo_hall
from app.services.sync.capture import PUSHED, install_capture
from app.services.sync.pulled import PULLED
from app.services.sync.push import drain

HALL = "DEMO"
# what the centre keeps and stations only read: the pulled tables no station pushes
REFERENCE = tuple(name for name in PULLED if name not in PUSHED)
KEY = b"k" * 32
# A fixed day for the tests whose figures are late fees (they grow every day): the day the
# state machine first found a late fee paid twice; 09:00 in the hall (Shanghai).
BOOK_DAY = date(2026, 12, 4)
BOOK_START = datetime(2026, 12, 4, 1, 0, tzinfo=UTC)


class StepClock(ManualClock):
    """A clock a minute further on each time it is read: payments taken one after the
    other on a fixed day, in the order they were taken."""

    def now(self) -> datetime:
        return self.advance(60)


def central_with_book(url: str, accounts: int = 40, book_day: date | None = None) -> Database:
    """The central database of `url` (migrated) with the demo hall and a book of accounts
    whose bills run up to the month before `book_day` (default: today) (the test
    template's demo hall has none: one is added to it)."""
    db = Database.from_url(url, use_keyring=False)
    upgrade(db.engine)
    if not ensure_demo_hall(db, accounts=accounts, book_day=book_day):
        with db.write() as s:
            hall = s.scalars(select(Hall).where(Hall.code == HALL)).one()
            services = {v.code: v.id for v in s.scalars(select(Service))}
            seed_demo_accounts(s, hall.id, HALL, services, count=accounts, today=book_day)
    return db


def copy_reference(central: Database, cache: Database) -> None:
    """Every row of the reference tables, central → cache (Core, so not captured)."""
    with central.read() as src, cache.write() as dst:
        for table in Base.metadata.sorted_tables:
            if table.name in REFERENCE:
                rows = [dict(r._mapping) for r in src.execute(select(table))]
                if rows:
                    dst.execute(insert(table), rows)


@dataclass
class Station:
    cache: Database
    billing: PaymentService
    auth: AuthService

    def clerk(self, job: str = "1001") -> Actor:
        return self.auth.login(job, "1234")

    def pay(self, actor: Actor, account: str, amount: str, prefix: str = "PC1", **kw: Any):  # type: ignore[no-untyped-def]
        return self.billing.pay(
            actor,
            HALL,
            account,
            Decimal(amount),
            "cash",
            tendered=Decimal(amount),
            counter_number=kw.pop("counter_number", 1),
            station_prefix=prefix,
            **kw,
        )


def make_station(central: Database, path: Path, clock: Clock | None = None) -> Station:
    """A station cache at `path` seeded from `central`; its payments are taken at the time
    of `clock` (default: the system clock)."""
    cache = Database.from_url(f"sqlite:///{path}", use_keyring=False)
    upgrade(cache.engine)
    copy_reference(central, cache)
    install_capture(cache)
    auth = AuthService(cache, station=path.stem)
    billing = PaymentService(cache, HallDirectory(cache), auth, clock, receipt_key=KEY)
    return Station(cache, billing, auth)


def counts(db: Database) -> dict[str, int]:
    with db.read() as s:
        return {
            name: int(s.scalar(select(func.count()).select_from(text(name))) or 0)
            for name in PUSHED
        }


def ids(db: Database, table: str) -> list[Any]:
    with db.read() as s:
        return sorted(s.scalars(select(Base.metadata.tables[table].c.id)).all())


def drain_at_once(stations: list[Station], central: Database, batch: int = 500) -> None:
    """Every station drains its outbox into `central`, all starting at the same moment
    (one thread each); the first error of any is raised."""
    start = threading.Barrier(len(stations))
    failed: list[BaseException] = []

    def run(station: Station) -> None:
        try:
            start.wait()
            drain(station.cache, central, batch=batch)
        except BaseException as exc:  # noqa: BLE001 - raised below
            failed.append(exc)

    threads = [threading.Thread(target=run, args=(st,)) for st in stations]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not any(t.is_alive() for t in threads), "a drain did not end within 60 s"
    if failed:
        raise failed[0]
