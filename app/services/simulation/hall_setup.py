"""The simulated hall in its database, and what the simulator needs of the application.

Each run gets a hall of its own (SIM, SIM2, ...) built as the demo hall, with the added
counters serving what the user planned (`SimulationConfig.extra_services`; every counter
its one service under `SimulationConfig.service`) and a book of accounts sized to the
day's customers (`till.book_size`), billed up to the simulated day.
The services it runs on are the application's, built by `app.bootstrap.build_core`; the
services layer may not import the bootstrap, so `CoreBuilder` describes the function the
caller hands in.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

from sqlalchemy import delete, select

from app.models import Counter, Hall, Service
from app.models import CounterService as CounterServiceLink
from app.models.db import Database
from app.services import errors
from app.services.billing.payments import PaymentService
from app.services.clock import Clock
from app.services.hall_ref import HallDirectory
from app.services.queue.counters import CounterService
from app.services.queue.queries import QueueQueries
from app.services.queue.service import QueueService
from app.services.security.auth import AuthService
from app.services.simulation.demo_hall import ensure_demo_hall
from app.services.simulation.model import SIM_DATE, SimulationConfig, customers
from app.services.simulation.till import book_size
from app.settings import Settings

HALL_CODE = "SIM"


class SimulationCore(Protocol):
    """What the simulator uses of `app.bootstrap.Core` (read-only: Core is frozen)."""

    @property
    def db(self) -> Database: ...
    @property
    def halls(self) -> HallDirectory: ...
    @property
    def queue(self) -> QueueService: ...
    @property
    def counters(self) -> CounterService: ...
    @property
    def queries(self) -> QueueQueries: ...
    @property
    def auth(self) -> AuthService: ...
    @property
    def billing(self) -> PaymentService: ...

    def close(self) -> None: ...


class CoreBuilder(Protocol):
    """`app.bootstrap.build_core`, as the simulator calls it."""

    def __call__(
        self,
        settings: Settings,
        *,
        data_dir: Path | None = ...,
        clock: Clock | None = ...,
        demo: bool = ...,
        pool_size: int = ...,
        environ: Mapping[str, str] | None = ...,
        receipt_key: bytes | None = ...,
    ) -> SimulationCore: ...


def prepare_hall(db: Database, config: SimulationConfig) -> str:
    """Create the run's hall and return its code; `DatabaseUnavailable` if the database
    cannot be written."""
    with errors.database_reached("cannot open the database"):
        hall_code = _fresh_hall(db)
        ensure_demo_hall(
            db,
            code=hall_code,
            counters=config.counters,
            accounts=book_size(len(customers(config))),
            book_day=SIM_DATE,
        )
        _plan_counters(db, hall_code, config.counter_plans())
    return hall_code


def _plan_counters(db: Database, hall_code: str, plans: Mapping[int, tuple[str, ...]]) -> None:
    """Give the counters planned the services planned for them, in calling order."""
    if not plans:
        return
    with db.write() as s:
        hall_id = s.scalar(select(Hall.id).where(Hall.code == hall_code))
        service_id = {
            code: sid
            for code, sid in s.execute(
                select(Service.code, Service.id).where(Service.hall_id == hall_id)
            )
        }
        counters = s.scalars(
            select(Counter).where(Counter.hall_id == hall_id, Counter.number.in_(list(plans)))
        ).all()
        s.execute(
            delete(CounterServiceLink).where(
                CounterServiceLink.counter_id.in_([c.id for c in counters])
            )
        )
        for c in counters:
            s.add_all(
                CounterServiceLink(counter_id=c.id, service_id=service_id[code], rank=rank)
                for rank, code in enumerate(plans[c.number])
            )


def _fresh_hall(db: Database) -> str:
    """A hall code not used yet in this database (SIM, SIM2, ...), so a run on a shared
    test database never mixes with another run's tickets or counters."""
    with db.read() as s:
        taken = set(s.scalars(select(Hall.code).where(Hall.code.like(f"{HALL_CODE}%"))))
    n = 1
    while (code := HALL_CODE if n == 1 else f"{HALL_CODE}{n}") in taken:
        n += 1
    return code
