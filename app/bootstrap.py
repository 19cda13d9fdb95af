"""Wiring in one place: build the engine, apply migrations, build the services.

Nothing here runs at import time; `build_core` is called by the CLI, the tests and the
benchmarks, and `Core.close()` disposes of what it built.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DatabaseError

from app.devices.bus import BusTiming
from app.models.db import Database
from app.models.migrate import upgrade
from app.services.billing.accounts import AccountsService
from app.services.billing.closing import ClosingService
from app.services.billing.history import PaymentHistory
from app.services.billing.payments import PaymentService
from app.services.billing.receipt_out import EscPosReceipts
from app.services.clock import Clock, SystemClock
from app.services.desks.admin import StationAdmin
from app.services.desks.cashier import CashierDesk
from app.services.desks.counter import CounterDesk
from app.services.desks.display import DisplayFeed
from app.services.desks.kiosk import KioskDesk
from app.services.desks.manager import ManagerDesk
from app.services.desks.station import Station, UiPrefs
from app.services.devices.dispenser import DispenserService
from app.services.devices.hub import DeviceHub
from app.services.devices.keypad import KeypadActions
from app.services.devices.setup import evaluator_scale
from app.services.errors import DatabaseUnavailable, DomainError
from app.services.evaluation.service import EvaluationService
from app.services.hall_ref import HallDirectory
from app.services.monitoring.live import HallMonitor
from app.services.queue.counters import CounterService
from app.services.queue.queries import QueueQueries
from app.services.queue.service import QueueService
from app.services.security.audit import AuditService
from app.services.security.auth import AuthService, PasswordPolicy
from app.services.simulation.demo_accounts import DEMO_ACCOUNTS
from app.services.simulation.demo_devices import DemoDevices
from app.services.simulation.demo_hall import ensure_demo_hall
from app.settings import Settings, default_data_dir
from app.station_cache import (
    INITIAL_BATCH,
    CachedStores,
    FirstCopy,
    open_cache,
    pending_first_copy,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Core:
    """The services of one process, built once; the CLI, the tests and the benchmarks use
    them directly, the windows get a `Station` of desks built from them."""

    settings: Settings
    db: Database
    halls: HallDirectory
    queue: QueueService
    counters: CounterService
    evaluations: EvaluationService
    dispenser: DispenserService
    queries: QueueQueries
    auth: AuthService
    audit: AuditService
    clock: Clock
    billing: PaymentService
    closing: ClosingService
    accounts: AccountsService
    history: PaymentHistory
    # a cached station: its cache, sync worker and listener (None: direct)
    cached: CachedStores | None = None

    @property
    def hall_code(self) -> str:
        return self.settings.station.hall

    @property
    def queue_db(self) -> Database:
        """Where the queue runs: the hall database of a hall that has one, else the centre."""
        hall = self.cached.hall if self.cached is not None else None
        return hall.db if hall is not None else self.db

    def close(self, print_timeout: float = 5.0) -> None:
        """Let the prints handed to printers finish (or raise their alerts), then close."""
        self.dispenser.wait_prints(print_timeout)
        if self.cached is not None:
            self.cached.stop()
        self.db.dispose()


@dataclass(frozen=True)
class StationDevices:
    """The devices this process drives: the hub of the settings (or of the demo's
    simulator), the simulator itself in the demo, and the settings they run on."""

    settings: Settings
    hub: DeviceHub | None = None
    demo: DemoDevices | None = None

    def stop(self) -> None:
        """Stop the hub (drained, ports closed, threads joined), then the simulator."""
        if self.hub is not None:
            self.hub.stop()
        if self.demo is not None:
            self.demo.stop()


def build_core(
    settings: Settings,
    *,
    data_dir: Path | None = None,
    clock: Clock | None = None,
    demo: bool = False,
    demo_book: bool = False,
    migrate: bool = True,
    pool_size: int = 10,
    environ: Mapping[str, str] | None = None,  # {}: no HALLDESK_DATABASE_URL (simulator)
    receipt_key: bytes | None = None,  # None: the station's key in the OS keyring
) -> Core:
    """Connect, migrate and wire; `demo` seeds the demo hall (its staff log in with the
    published password 1234) if it is missing, and only when asked (`--demo`)."""
    db, central_ok = _open_central(
        settings,
        data_dir,
        demo=demo,
        demo_book=demo_book,
        migrate=migrate,
        pool_size=pool_size,
        environ=environ,
    )
    cached_mode = settings.sync.mode == "cached"
    cached = None
    if cached_mode:
        try:
            cached = open_cache(settings, db, data_dir or default_data_dir(), central_ok=central_ok)
        except DomainError:
            db.dispose()
            raise
    local = cached.cache if cached is not None else db  # where the counter business runs
    # where the queue runs: the centre, or the hall database of a hall that has one
    queue_db = cached.hall.db if cached is not None and cached.hall is not None else db
    clock = clock or SystemClock()
    halls = HallDirectory(queue_db)
    queue = QueueService(queue_db, halls, clock)
    sec = settings.security
    policy = PasswordPolicy(sec.lockout_attempts, sec.lockout_minutes, sec.min_password_length)
    auth = AuthService(local, clock=clock, policy=policy, station=settings.station.name)
    local_halls = HallDirectory(local) if cached is not None else halls
    evaluations = EvaluationService(queue_db, halls, clock, auth=auth)
    key = receipt_key or _receipt_key(settings.station.name)
    return Core(
        settings=settings,
        db=db,
        halls=halls,
        queue=queue,
        counters=CounterService(queue_db, halls, clock, auth=auth),
        evaluations=evaluations,
        dispenser=DispenserService(queue, halls, evaluations, settings.station),
        queries=QueueQueries(queue_db, halls, clock),
        auth=auth,
        audit=AuditService(db, auth.proofs, clock),
        clock=clock,
        billing=PaymentService(local, local_halls, auth, clock, receipt_key=key),
        closing=ClosingService(local, local_halls, auth, clock),
        accounts=AccountsService(local, local_halls),
        history=PaymentHistory(local, local_halls, auth, clock),
        cached=cached,
    )


def _open_central(
    settings: Settings,
    data_dir: Path | None,
    *,
    demo: bool,
    demo_book: bool,
    migrate: bool,
    pool_size: int,
    environ: Mapping[str, str] | None,
) -> tuple[Database, bool]:
    """The central database, migrated and with the demo hall if asked, and whether it
    could be reached (only a cached station goes on without it: False then)."""
    url = settings.database_url(data_dir or default_data_dir(), environ=environ)
    shown = _safe_url(url)
    try:
        db = Database.from_url(url, pool_size=pool_size, pgbouncer=settings.database.pgbouncer)
    except (ArgumentError, ValueError, OSError) as exc:
        raise DatabaseUnavailable(f"cannot use the database URL {shown}: {exc}") from exc
    cached_mode = settings.sync.mode == "cached"
    if cached_mode and db.dialect != "postgresql":
        db.dispose()
        raise DatabaseUnavailable(f"a cached station syncs with a central PostgreSQL, not {shown}")
    central_ok = True
    try:
        if migrate:
            upgrade(db.engine)
        # the book of 2,000 accounts only where a person will use it (`--demo`): the
        # tests' many demo halls need the hall, not 24,000 bills each
        book = DEMO_ACCOUNTS if demo_book else 0
        if demo and ensure_demo_hall(db, accounts=book, paid_history=demo_book):
            log.info("demo hall created in %s", shown)
    except DatabaseError as exc:  # unreachable, refused, or a file that is no database
        if not cached_mode:
            db.dispose()
            raise DatabaseUnavailable(
                f"cannot open the central database {shown}: {exc.orig}"
            ) from exc
        central_ok = False  # a cached station starts on its cache
        log.warning("central database %s unreachable; working from the cache", shown)
    return db, central_ok


def first_copy(
    settings: Settings,
    *,
    data_dir: Path | None = None,
    demo: bool = False,
    environ: Mapping[str, str] | None = None,
    batch: int | None = None,
) -> FirstCopy | None:
    """A cached station's first copy of its hall, when it is still to be made (or to be
    finished) and the centre can be reached: the windows' start runs it with a progress
    window before `build_core`, which then finds the copy whole. None for a direct
    station, a whole copy (the centre is not contacted) or a centre out of reach
    (`build_core` then says what it always says). `batch`: rows a committed batch."""
    if settings.sync.mode != "cached":
        return None

    def central() -> Database | None:
        db, reached = _open_central(
            settings,
            data_dir,
            demo=demo,
            demo_book=demo,
            migrate=True,
            pool_size=2,
            environ=environ,
        )
        if not reached:
            db.dispose()
            return None
        return db

    where = data_dir or default_data_dir()
    return pending_first_copy(settings, where, central, batch or INITIAL_BATCH)


RECEIPT_KEY_SERVICE = "halldesk-receipt-key"


def _receipt_key(station: str) -> bytes:
    """The station's receipt check key (the HMAC key of the receipts' QR check value),
    kept in the OS keyring and made on first use. With no usable keyring, a key of this
    process only: its receipts verify until it quits, and the log says so."""
    import keyring
    from keyring.errors import KeyringError

    try:
        stored = keyring.get_password(RECEIPT_KEY_SERVICE, station)
        if not stored:
            stored = secrets.token_hex(32)
            keyring.set_password(RECEIPT_KEY_SERVICE, station, stored)
        return bytes.fromhex(stored)
    except (KeyringError, ValueError) as exc:
        log.warning("no receipt key in the keyring (%s): receipts verify until exit", exc)
        return secrets.token_bytes(32)


def _safe_url(url: str) -> str:
    """The URL for messages: never the password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(not a database URL)"


def counter_desk(core: Core, devices: Settings | None = None) -> CounterDesk:
    """The counter desk of this station; `devices` are the settings whose evaluators give
    the rating scale (the demo's simulated ones, once started)."""
    device_list = (devices or core.settings).devices
    return CounterDesk(
        core.hall_code,
        core.queue,
        core.counters,
        core.queries,
        core.evaluations,
        core.auth,
        core.clock,
        fixed_counter=core.settings.station.counter,
        evaluator_scale=lambda counter: evaluator_scale(device_list, counter),
    )


def cashier_desk(core: Core) -> CashierDesk:
    """The fee business of this station's counter, printing where `[receipts]` says."""
    station, receipts = core.settings.station, core.settings.receipts
    escpos = None
    if receipts.escpos_url:
        escpos = EscPosReceipts(receipts.escpos_url, receipts.escpos_paper_mm)
    return CashierDesk(
        core.hall_code,
        core.halls,
        core.accounts,
        core.billing,
        core.history,
        core.closing,
        core.auth,
        core.clock,
        station_prefix=receipts.receipt_prefix(station.name),
        escpos=escpos,
        sync=core.cached.worker if core.cached is not None else None,
    )


def manager_desk(core: Core) -> ManagerDesk:
    """The dashboard's desk: the hall's figures where its queue runs, alerts kept there."""
    sync = core.cached.worker.status if core.cached is not None else (lambda: None)
    monitor = HallMonitor(core.queue_db, core.halls, core.clock)
    name = core.settings.station.name
    return ManagerDesk(core.hall_code, name, core.auth, monitor, core.evaluations, core.db, sync)


def build_device_hub(
    core: Core, settings: Settings | None = None, *, bus_timing: BusTiming | None = None
) -> DeviceHub | None:
    """The hall's devices of `settings` (default: the station's), wired to the counter
    desk and the services (not started); None when the settings configure no device."""
    settings = settings or core.settings
    if not settings.devices:
        return None
    desk = counter_desk(core, settings)
    return DeviceHub(
        settings,
        KeypadActions(desk.press),
        core.queries,
        core.evaluations,
        core.dispenser,
        core.clock,
        bus_timing=bus_timing,
    )


def start_devices(
    core: Core, *, demo: bool = False, bus_timing: BusTiming | None = None
) -> StationDevices:
    """Start the device hub of the settings; with `demo` and no device configured, the
    device simulator plays the hall's devices on pty pairs. SettingsError when the
    settings' buses cannot be built, `unknown_hall` for the demo's devices of a hall the
    database lacks; whatever fails, nothing is left running."""
    settings, sim = core.settings, None
    if demo and not settings.devices:
        sim = DemoDevices(core.halls.get(core.hall_code))
        sim.start()
        settings = sim.settings_for(settings)
    hub = None
    try:
        hub = build_device_hub(core, settings, bus_timing=bus_timing)
        if hub is not None:
            hub.start()
    except BaseException:
        StationDevices(settings, hub, sim).stop()
        raise
    return StationDevices(settings, hub, sim)


def build_station(core: Core, devices: StationDevices | None = None) -> Station:
    """The desks of this PC's windows, over the running devices (if any)."""
    devices = devices or StationDevices(core.settings)
    settings = core.settings
    return Station(
        roles=settings.station.roles,
        ui=UiPrefs.of(settings.ui, settings.receipts.paper),
        clock=core.clock,
        counter=counter_desk(core, devices.settings),
        cashier=cashier_desk(core),
        kiosk=KioskDesk(settings.station, core.queries, core.dispenser),
        display=DisplayFeed(core.hall_code, core.queries),
        admin=StationAdmin(devices.settings, core.auth, devices.hub),
        manager=manager_desk(core),
        last_event_id=lambda: core.queries.last_event_id(core.hall_code),
        demo_devices=devices.demo,
    )
