"""A cached station's own database: the local SQLite cache, its first copy of the hall,
its outbox capture, and the sync worker and change listener that keep it and the central
PostgreSQL in step (`[sync] mode = "cached"`, issue 9).

Called by the bootstrap only. The counter business (accounts, what is owed, payments,
corrections, closing, history) and the log-in run on the cache, so a counter takes
payments with the centre away. The queue runs on the centre, or, with `[sync] hall_url`,
on the hall database on the hall's server PC, which goes on while the centre is away
(`open_hall`; see docs/architecture.md and app.services.sync.hall).
A new station must reach the centre once to copy its hall (resumable: an interrupted copy
goes on where it stopped at the next start); after that it starts and works without it.
The windows' start makes that copy first, on a worker thread with a progress window
(`pending_first_copy`, `FirstCopy`); `open_cache` then finds it whole. Elsewhere (`init-db`,
`--headless`) `open_cache` makes it itself and logs its progress.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import DBAPIError

from app.models.db import Database
from app.models.migrate import upgrade
from app.services.errors import DatabaseUnavailable, DomainError
from app.services.sync.capture import install_capture
from app.services.sync.copy_progress import CopyProgress
from app.services.sync.hall import install_hall_outbox, refresh_reference
from app.services.sync.initial import InitialResult, initial_sync, initial_sync_complete
from app.services.sync.listen import ChangeListener
from app.services.sync.prune import prune_change_log, report_cursor
from app.services.sync.pull import pull_all
from app.services.sync.worker import SyncWorker
from app.settings import Settings

log = logging.getLogger(__name__)

PRUNE_EVERY_S = 600.0  # a station prunes the central change log at most this often
INITIAL_BATCH = 20_000  # rows a committed batch of the first copy (fewer index rewrites)


@dataclass(frozen=True)
class HallStores:
    """The hall database, and on the hall server the worker that syncs it with the centre."""

    db: Database
    worker: SyncWorker | None = None

    def stop(self) -> None:
        if self.worker is not None:
            self.worker.stop()
        self.db.dispose()


@dataclass(frozen=True)
class CachedStores:
    cache: Database
    worker: SyncWorker
    listener: ChangeListener
    hall: HallStores | None = None  # where the queue runs, when not on the centre

    def stop(self) -> None:
        self.listener.stop()
        self.worker.stop()
        if self.hall is not None:
            self.hall.stop()
        self.cache.dispose()


class Puller:
    """The worker's pull: pull everything, tell the centre how far this station got, and
    now and then prune the change log below every station's cursor."""

    def __init__(self, central: Database, cache: Database, hall: str, station: str) -> None:
        self._central, self._cache, self._hall, self._station = central, cache, hall, station
        self._reported: tuple[int, int] | None = None
        self._pruned_at = 0.0

    def __call__(self) -> None:
        cursor = pull_all(self._central, self._cache, self._hall).cursor
        if cursor != self._reported:
            report_cursor(self._central, self._station, self._hall, cursor)
            self._reported = cursor
        if time.monotonic() - self._pruned_at > PRUNE_EVERY_S:
            self._pruned_at = time.monotonic()
            done = prune_change_log(self._central)
            if done.deleted:
                log.info("change log pruned: %s rows up to %s", done.deleted, done.horizon)


def cache_path(settings: Settings, data_dir: Path) -> Path:
    given = settings.database.cache_path.strip()
    return Path(given) if given else data_dir / f"cache-{settings.station.hall}.sqlite3"


@dataclass(frozen=True)
class FirstCopy:
    """A new station's first copy of its hall, still to be made or finished: `run` makes
    it (on a worker thread: it blocks for minutes with a big book), `close` disposes of
    both stores, which are this copy's own."""

    central: Database
    cache: Database
    hall: str
    batch: int = INITIAL_BATCH

    def run(
        self, progress: Callable[[CopyProgress], None], should_stop: Callable[[], bool]
    ) -> InitialResult:
        """Copy until whole, or until `should_stop()` says so between two batches
        (`stopped` in the result: the next start goes on from there)."""

        def report(done: CopyProgress) -> None:
            _progress(done)
            progress(done)

        return initial_sync(
            self.central,
            self.cache,
            self.hall,
            batch=self.batch,
            progress=report,
            should_stop=should_stop,
        )

    def close(self) -> None:
        self.cache.dispose()
        self.central.dispose()


def _migrated_cache(settings: Settings, data_dir: Path) -> Database:
    path = cache_path(settings, data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    cache = Database.from_url(f"sqlite:///{path}", use_keyring=False)
    try:
        upgrade(cache.engine)
    except DBAPIError:
        cache.dispose()
        raise
    return cache


def pending_first_copy(
    settings: Settings,
    data_dir: Path,
    central: Callable[[], Database | None],
    batch: int = INITIAL_BATCH,
) -> FirstCopy | None:
    """The first copy this station still has to make (or finish): None when its cache is
    whole (the centre is not contacted then) or when `central()`, the migrated central
    database, is None because the centre cannot be reached."""
    cache = _migrated_cache(settings, data_dir)
    try:
        if initial_sync_complete(cache, settings.station.hall):
            cache.dispose()
            return None
        reached = central()
    except BaseException:
        cache.dispose()
        raise
    if reached is None:
        cache.dispose()
        return None
    return FirstCopy(reached, cache, settings.station.hall, batch)


def open_cache(
    settings: Settings, central: Database, data_dir: Path, *, central_ok: bool
) -> CachedStores:
    """The station's cache, copied from the centre if it is new (or its copy unfinished),
    with the outbox capture on and the sync worker and listener started."""
    hall = settings.station.hall
    cache = _migrated_cache(settings, data_dir)
    try:
        if central_ok:
            done = initial_sync(central, cache, hall, batch=INITIAL_BATCH, progress=_progress)
            if done.rows_copied:
                log.info("initial sync of hall %s: %s rows", hall, done.rows_copied)
        elif not initial_sync_complete(cache, hall):
            raise DatabaseUnavailable(
                f"this station has no whole copy of hall {hall} yet and cannot reach the "
                "central database to finish it: connect it once, then it works offline too"
            )
    except (DomainError, DBAPIError):
        cache.dispose()
        raise
    install_capture(cache)
    worker = SyncWorker(
        cache,
        central,
        pull=Puller(central, cache, hall, settings.station.name),
        interval=settings.sync.interval_s,
    )
    listener = ChangeListener(central.engine.url, worker.wake)
    try:
        hall_stores = open_hall(settings, central, central_ok=central_ok)
    except (DomainError, DBAPIError):
        cache.dispose()
        raise
    worker.start()
    listener.start()
    return CachedStores(cache, worker, listener, hall_stores)


class HallReference:
    """The hall server's pull: the hall's reference rows, copied whole from the centre."""

    def __init__(self, central: Database, hall_db: Database, hall: str) -> None:
        self._central, self._hall_db, self._hall = central, hall_db, hall

    def __call__(self) -> None:
        changed = refresh_reference(self._central, self._hall_db, self._hall)
        if changed:
            log.info("hall database: %s reference rows from the centre", changed)


def open_hall(settings: Settings, central: Database, *, central_ok: bool) -> HallStores | None:
    """The hall database of `[sync] hall_url` (None without one). On the hall server it is
    migrated, made a hall database, given the hall's reference rows (when the centre is
    there) and synced by a worker of its own; the other stations only use it."""
    url = settings.sync.hall_url
    if not url:
        return None
    hall_db = Database.from_url(url, pool_size=4)
    if not settings.sync.hall_server:
        return HallStores(hall_db)
    hall = settings.station.hall
    try:
        upgrade(hall_db.engine)
        install_hall_outbox(hall_db)
        if central_ok:
            refresh_reference(central, hall_db, hall)
    except DBAPIError as exc:
        hall_db.dispose()
        raise DatabaseUnavailable(f"cannot open the hall database: {exc.orig}") from exc
    except DomainError:
        hall_db.dispose()
        raise
    worker = SyncWorker(
        hall_db,
        central,
        pull=HallReference(central, hall_db, hall),
        interval=settings.sync.interval_s,
    )
    worker.start()
    return HallStores(hall_db, worker)


def _progress(done: CopyProgress) -> None:
    """The first copy's progress, a line a batch (`init-db` or the first start shows it)."""
    log.info(
        "copying hall from the centre: %s %s of %s, %s of %s rows in all (%s %%)",
        done.table,
        f"{done.table_done:,}",
        f"{done.table_total:,}",
        f"{done.done:,}",
        f"{done.total:,}",
        int(done.fraction * 100),
    )
