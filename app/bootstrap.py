"""Wiring in one place: build the engine, apply migrations, build the services.

Nothing here runs at import time; `build_core` is called by the CLI, the tests and the
benchmarks, and `Core.close()` disposes of what it built.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError

from app.devices.bus import BusTiming
from app.models.db import Database
from app.models.migrate import upgrade
from app.services.clock import Clock, SystemClock
from app.services.devices.dispenser import DispenserService
from app.services.devices.hub import DeviceHub
from app.services.devices.keypad import KeypadActions
from app.services.errors import DatabaseUnavailable
from app.services.evaluation.service import EvaluationService
from app.services.hall_ref import HallDirectory
from app.services.queue.counters import CounterService
from app.services.queue.queries import QueueQueries
from app.services.queue.service import QueueService
from app.services.security.auth import AuthService
from app.services.simulation.demo_devices import DemoDevices
from app.services.simulation.demo_hall import ensure_demo_hall
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
    dispenser: DispenserService
    queries: QueueQueries
    auth: AuthService
    clock: Clock
    devices: DeviceHub | None = None
    demo_devices: DemoDevices | None = None

    @property
    def hall_code(self) -> str:
        return self.settings.station.hall

    def close(self) -> None:
        stop_devices(self)
        self.db.dispose()


def build_core(
    settings: Settings,
    *,
    data_dir: Path | None = None,
    clock: Clock | None = None,
    demo: bool | None = None,
    migrate: bool = True,
    pool_size: int = 10,
    environ: Mapping[str, str] | None = None,  # {}: no HALLDESK_DATABASE_URL (simulator)
) -> Core:
    """Connect, migrate and wire. `demo=None` seeds the demo hall on the embedded default."""
    url = settings.database_url(data_dir or default_data_dir(), environ=environ)
    shown = _safe_url(url)
    try:
        db = Database.from_url(url, pool_size=pool_size)
    except (ArgumentError, ValueError, OSError) as exc:
        raise DatabaseUnavailable(f"cannot use the database URL {shown}: {exc}") from exc
    try:
        if migrate:
            upgrade(db.engine)
        embedded = url.startswith("sqlite")
        if (demo or (demo is None and embedded)) and ensure_demo_hall(db):
            log.info("demo hall created in %s", shown)
    except OperationalError as exc:
        db.dispose()
        raise DatabaseUnavailable(f"cannot open the central database {shown}: {exc.orig}") from exc
    clock = clock or SystemClock()
    halls = HallDirectory(db)
    queue = QueueService(db, halls, clock)
    evaluations = EvaluationService(db, halls, clock)
    return Core(
        settings=settings,
        db=db,
        halls=halls,
        queue=queue,
        counters=CounterService(db, halls, clock),
        evaluations=evaluations,
        dispenser=DispenserService(queue, halls, evaluations, settings.station),
        queries=QueueQueries(db, halls, clock),
        auth=AuthService(db),
        clock=clock,
    )


def _safe_url(url: str) -> str:
    """The URL for messages: never the password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(not a database URL)"


def build_device_hub(core: Core, *, bus_timing: BusTiming | None = None) -> DeviceHub | None:
    """The hall's devices of this station's settings, wired to the services (not started);
    None when the settings configure no device."""
    if not core.settings.devices:
        return None
    actions = KeypadActions(
        core.hall_code, core.queue, core.counters, core.queries, core.evaluations
    )
    return DeviceHub(
        core.settings,
        actions,
        core.queries,
        core.evaluations,
        core.dispenser,
        core.clock,
        bus_timing=bus_timing,
    )


def start_devices(core: Core, *, demo: bool = False, bus_timing: BusTiming | None = None) -> None:
    """Start the device hub of the settings; with `demo` and no device configured, the
    device simulator plays the hall's devices on pty pairs."""
    if demo and not core.settings.devices:
        sim = DemoDevices(core.halls.get(core.hall_code))
        sim.start()
        core.demo_devices = sim
        core.settings = sim.settings_for(core.settings)
    hub = build_device_hub(core, bus_timing=bus_timing)
    if hub is not None:
        hub.start()
        core.devices = hub


def stop_devices(core: Core) -> None:
    """Stop the hub (drained, ports closed, threads joined), then the simulator."""
    if core.devices is not None:
        core.devices.stop()
        core.devices = None
    if core.demo_devices is not None:
        core.demo_devices.stop()
        core.demo_devices = None
