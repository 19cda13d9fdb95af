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

Wake-ups (`[sync] wake`): a LISTEN of the station's own, or one per hall held by the
hall's relay PC (the hall server is a good one) and passed on to the others over the LAN
(app.services.sync.relay), so a utility of 1,000 halls holds 1,000 listening sessions at
the centre, not 30,000; with `[database] pgbouncer` the rest of a station's work goes
through a PgBouncer in transaction mode and holds no server session while idle
(docs/PERFORMANCE.md, "Past one machine").
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError

from app.models.db import Database, normalise_url
from app.models.migrate import upgrade
from app.services.errors import DatabaseUnavailable, DomainError
from app.services.sync.capture import install_capture
from app.services.sync.copy_progress import CopyProgress
from app.services.sync.hall import install_hall_outbox, refresh_reference
from app.services.sync.initial import InitialResult, initial_sync, initial_sync_complete
from app.services.sync.listen import ChangeListener
from app.services.sync.prune import prune_change_log, read_to, report_cursor
from app.services.sync.pull import pull_all
from app.services.sync.relay import WakeClient, WakeRelay
from app.services.sync.worker import SyncWorker
from app.settings import Settings

log = logging.getLogger(__name__)

PRUNE_EVERY_S = 600.0  # a station prunes its hall's change log at most this often
REPORT_EVERY_S = 300.0  # and tells the centre how far it has read at most this often
# a change committed behind an older open transaction: pulled again after 50 ms, doubling
HELD_FIRST_S, HELD_LAST_S = 0.05, 0.8
INITIAL_BATCH = 20_000  # rows a committed batch of the first copy (fewer index rewrites)


class Waker(Protocol):
    """What wakes the worker when the centre changes: a listener, a relay, a relay's client."""

    def start(self) -> None: ...
    def stop(self, timeout: float = 5.0) -> None: ...


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
    wakers: tuple[Waker, ...]
    hall: HallStores | None = None  # where the queue runs, when not on the centre

    def stop(self) -> None:
        for waker in self.wakers:
            waker.stop()
        self.worker.stop()
        if self.hall is not None:
            self.hall.stop()
        self.cache.dispose()


class Puller:
    """The worker's pull: pull everything (again shortly while the centre says a committed
    change waits behind an older transaction: a wake-up came before its change could be
    read), tell the centre how far this station has read (at most every `report_every_s`:
    the pruning needs no more), and now and then prune its hall's change log. The first
    prune comes at a random moment of the first period, so that a utility's stations
    switched on at eight do not all prune at once."""

    def __init__(
        self,
        central: Database,
        cache: Database,
        hall: str,
        station: str,
        *,
        report_every_s: float = REPORT_EVERY_S,
        prune_every_s: float = PRUNE_EVERY_S,
    ) -> None:
        self._central, self._cache, self._hall, self._station = central, cache, hall, station
        self._report_every_s, self._prune_every_s = report_every_s, prune_every_s
        self._reported: tuple[int, int] | None = None
        self._reported_at = 0.0
        self._pruned_at = time.monotonic() - random.uniform(0, prune_every_s)

    def __call__(self) -> None:
        result = pull_all(self._central, self._cache, self._hall)
        delay = HELD_FIRST_S
        while result.held and delay <= HELD_LAST_S:  # woken before its change can be read
            time.sleep(delay)
            delay *= 2
            result = pull_all(self._central, self._cache, self._hall)
        reach = read_to(result.cursor, result.horizon)
        now = time.monotonic()
        due = self._reported is None or now - self._reported_at >= self._report_every_s
        if reach != self._reported and due:
            report_cursor(self._central, self._station, self._hall, reach)
            self._reported, self._reported_at = reach, now
        if now - self._pruned_at >= self._prune_every_s:
            self._pruned_at = now
            done = prune_change_log(self._central, self._hall)
            if done.deleted:
                log.info("change log pruned: %s rows up to %s", done.deleted, done.horizon)


def listen_url(settings: Settings, central: Database) -> URL:
    """Where this PC LISTENs: `[database] listen_url` (PostgreSQL itself, when the url is a
    PgBouncer), with the url's password unless the keyring holds one of its own; else
    the central url."""
    given = settings.database.listen_url.strip()
    if not given:
        return central.engine.url
    url = normalise_url(given)
    if url.password is None and central.engine.url.password is not None:
        url = url.set(password=central.engine.url.password)
    return url


def wakers(settings: Settings, central: Database, worker: SyncWorker) -> tuple[Waker, ...]:
    """The station's wake-ups, by `[sync] wake` (see the module docstring)."""
    hall, wake = settings.station.hall, settings.sync.wake
    if wake == "listen":
        return (ChangeListener(listen_url(settings, central), worker.wake, hall=hall),)
    if wake == "relay":
        relay = WakeRelay("0.0.0.0", settings.sync.relay_port, local=worker.wake)
        listener = ChangeListener(listen_url(settings, central), relay.wake, hall=hall)
        return (relay, listener)
    return (WakeClient(wake, worker.wake),)


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
    try:
        hall_stores = open_hall(settings, central, central_ok=central_ok)
    except (DomainError, DBAPIError):
        cache.dispose()
        raise
    started: list[Waker] = []
    worker.start()
    for waker in wakers(settings, central, worker):
        try:
            waker.start()
            started.append(waker)
        except OSError as exc:  # the relay's port taken: the hall's others poll meanwhile
            log.error("wake-ups: %s cannot start: %s", type(waker).__name__, exc)
    return CachedStores(cache, worker, tuple(started), hall_stores)


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
