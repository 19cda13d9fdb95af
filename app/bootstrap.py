"""Wiring in one place: build the engine, apply migrations, build the services.

Nothing here runs at import time; `build_core` is called by the CLI, the tests and the
benchmarks, and `Core.close()` disposes of what it built.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import OperationalError

from app.models.db import Database
from app.models.migrate import upgrade
from app.services.auth import AuthService
from app.services.clock import Clock, SystemClock
from app.services.counter_service import CounterService
from app.services.demo import ensure_demo_hall
from app.services.errors import DatabaseUnavailable
from app.services.evaluation_service import EvaluationService
from app.services.hall_ref import HallDirectory
from app.services.queue_queries import QueueQueries
from app.services.queue_service import QueueService
from app.settings import Settings, default_data_dir

log = logging.getLogger(__name__)


@dataclass
class Core:
    """The services of one process, handed to the windows and workers that use them."""

    settings: Settings
    db: Database
    halls: HallDirectory
    queue: QueueService
    counters: CounterService
    evaluations: EvaluationService
    queries: QueueQueries
    auth: AuthService
    clock: Clock

    @property
    def hall_code(self) -> str:
        return self.settings.station.hall

    def close(self) -> None:
        self.db.dispose()


def build_core(
    settings: Settings,
    *,
    data_dir: Path | None = None,
    clock: Clock | None = None,
    demo: bool | None = None,
    migrate: bool = True,
    pool_size: int = 10,
) -> Core:
    """Connect, migrate and wire. `demo=None` seeds the demo hall on the embedded default."""
    url = settings.database_url(data_dir or default_data_dir())
    db = Database.from_url(url, pool_size=pool_size)
    try:
        if migrate:
            upgrade(db.engine)
        embedded = url.startswith("sqlite")
        if (demo or (demo is None and embedded)) and ensure_demo_hall(db):
            log.info("demo hall created in %s", url)
    except OperationalError as exc:
        db.dispose()
        raise DatabaseUnavailable(f"cannot open the central database: {exc.orig}") from exc
    clock = clock or SystemClock()
    halls = HallDirectory(db)
    return Core(
        settings=settings,
        db=db,
        halls=halls,
        queue=QueueService(db, halls, clock),
        counters=CounterService(db, halls, clock),
        evaluations=EvaluationService(db, halls, clock),
        queries=QueueQueries(db, halls, clock),
        auth=AuthService(db),
        clock=clock,
    )
