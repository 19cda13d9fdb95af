"""Command line: `python main.py [options] [command]`.

Commands: `run` (default: the windows of this station's roles), `simulate` (the hall-day
simulator, also the headless demo), `init-db` (migrate, optionally seed the demo hall),
`db-password` (store the central database password in the OS keyring), `init-config`
(write a settings file with the defaults), `report` (a hall's report: `cli_report`).
"""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import shlex
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from app import __version__, cli_audit, cli_report, cli_staff, cli_staffing, cli_sync
from app.settings import (
    ROLES,
    MissingSettingsFile,
    Settings,
    SettingsError,
    SyncSettings,
    default_config_path,
    load_settings,
    save_settings,
)

if TYPE_CHECKING:  # imported when used, so --version and --help stay quick
    from app.bootstrap import Core, StationDevices

log = logging.getLogger("halldesk")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="halldesk", description="HallDesk hall software")
    p.add_argument("--version", action="version", version=f"HallDesk {__version__}")
    p.add_argument(
        "--config",
        type=Path,
        help="settings file, which must exist (`init-config` writes one); default: "
        "halldesk.toml in the user config folder, written with the defaults on first start",
    )
    p.add_argument("--data-dir", type=Path, help="folder of the embedded database")
    p.add_argument("--role", action="append", choices=ROLES, help="role(s) to start")
    p.add_argument("--headless", action="store_true", help="run the roles that need no window")
    p.add_argument(
        "--demo",
        action="store_true",
        help="seed the demo hall if missing; without a display, run the headless hall demo",
    )
    p.add_argument("--traffic", action="store_true", help="demo: customers and counters 2-6 live")
    p.add_argument("-v", "--verbose", action="store_true")
    sub = p.add_subparsers(dest="command")
    sub.add_parser("run", help="start this station's windows (default)")
    _add_simulate(sub)
    init = sub.add_parser("init-db", help="apply migrations to the central database")
    init.add_argument("--demo", action="store_true", dest="init_demo")
    pw = sub.add_parser("db-password", help="store the database password in the OS keyring")
    pw.add_argument("--url", help="database URL (default: the configured one)")
    sub.add_parser(
        "init-config", help="write the default settings to --config FILE (never overwrites)"
    )
    cli_audit.add_parser(sub)
    cli_staff.add_parsers(sub)
    cli_sync.add_parser(sub)
    cli_report.add_parser(sub)
    cli_staffing.add_parser(sub)
    return p


# The headless demo shows 2 hours; this is the whole day it stands for.
WHOLE_DAY = "python main.py simulate --hours 8 --counters 6"


def _add_simulate(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sim = sub.add_parser(
        "simulate",
        help="run a hall day through the real queue service",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Run a simulated hall day (doors open 08:30) through the real queue\n"
        "service and database; print waits, service times and counts per service and\n"
        "counter. The same arguments give the same report.",
        epilog="what if two more counters served the green channel first:\n"
        "  python main.py simulate --counters 8 --extra-services GREEN,PAY",
    )
    sim.add_argument(
        "--counters",
        type=int,
        default=6,
        metavar="N",
        help="counters open all day, 1-99; 1-6 are the demo hall's, 7 and up are added "
        "(default: %(default)s)",
    )
    sim.add_argument(
        "--hours",
        type=float,
        default=8.0,
        metavar="H",
        help="length of the day from 08:30, above 0 and at most 15 (default: %(default)s)",
    )
    sim.add_argument(
        "--seed",
        type=int,
        default=1,
        help="random seed: the same seed brings the same customers (default: %(default)s)",
    )
    sim.add_argument(
        "--arrivals-per-hour",
        type=float,
        default=None,
        metavar="RATE",
        help="a constant arrival rate, at most 1000 (default: the hall's curve, about 58 "
        "an hour with a late-morning peak)",
    )
    sim.add_argument(
        "--no-show-rate",
        type=float,
        default=0.05,
        metavar="SHARE",
        help="share of customers who never come when called, 0-0.5 (default: %(default)s)",
    )
    sim.add_argument(
        "--extra-services",
        action="append",
        default=[],
        metavar="PLAN",
        help="what the added counters (7 and up) serve, service codes PAY, APPLY, ENQ, "
        "GREEN in calling order: GREEN,PAY for every added counter, 8=ENQ for counter 8; "
        "repeat for several counters (default: 7 as the demo's counter 1, 8 as 2, ...)",
    )
    sim.add_argument(
        "--database",
        metavar="URL",
        help="database to run in, whose rows stay in a new hall SIM, SIM2, ... (default: a "
        "temporary SQLite file, removed afterwards; HALLDESK_DATABASE_URL is not used)",
    )
    cli_staffing.add_simulate_option(sim)
    sim.add_argument("--json", action="store_true", help="print the report as JSON")
    cli_report.add_keep_option(sim)


def _has_display() -> bool:
    if sys.platform in ("win32", "darwin"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if not args.verbose:  # Alembic reports every plugin it loads at INFO
        logging.getLogger("alembic").setLevel(logging.WARNING)
    command = args.command or "run"
    if command == "simulate":
        return cli_report.simulate_kept(args, _simulate) if args.keep else _simulate(args)
    if command == "report":  # reads the settings itself, only when no --database is given
        return cli_report.run(args)
    if command == "init-config":
        return _init_config(args.config or default_config_path())
    try:
        settings = load_settings(args.config)
    except MissingSettingsFile as exc:
        hint = f"python main.py --config {shlex.quote(str(exc.path))} init-config"
        print(
            f"HallDesk cannot start: settings file {exc}; write one with: {hint}", file=sys.stderr
        )
        return 2
    except SettingsError as exc:
        print(f"HallDesk cannot start: settings file {exc}", file=sys.stderr)
        return 2
    roles = tuple(args.role or ()) or settings.station.roles
    if args.demo and not args.role and "manager" not in roles:
        roles += ("manager",)  # the demo shows the manager's dashboard too (8001 / 1234)
    settings = replace(settings, station=replace(settings.station, roles=roles))
    if command == "init-db":
        return _init_db(settings, args)
    if command == "db-password":
        return _db_password(settings, args)
    if command in ("audit", "staff", "password", "sync-status"):
        return _account_command(settings, args, command)
    if command == "staffing":
        return cli_staffing.main(settings, args)
    if args.headless:
        return _headless(settings, args)
    if not _has_display():
        if args.demo:  # scripts/run on a machine without a screen
            return _headless_demo()
        named = ", ".join(settings.station.roles)
        print(
            f"HallDesk cannot start: this station has no display (DISPLAY and "
            f"WAYLAND_DISPLAY are unset) for the windows of its roles ({named}); "
            "--headless runs the roles that need no window",
            file=sys.stderr,
        )
        return 2
    return _gui(settings, args)


def _headless_demo() -> int:
    print("No display found: running the headless hall demo (main.py simulate), 2 hours.")
    code = _simulate(_parser().parse_args(["simulate", "--hours", "2", "--counters", "6"]))
    if code == 0:
        print(f"\nThis demo covered 08:30-10:30. The whole day (8 hours): {WHOLE_DAY}")
    return code


def _core(settings: Settings, args: argparse.Namespace, demo: bool) -> Core | None:
    from app.bootstrap import build_core
    from app.services.errors import DatabaseUnavailable

    try:
        return build_core(settings, data_dir=args.data_dir, demo=demo, demo_book=demo)
    except DatabaseUnavailable as exc:
        print(f"HallDesk cannot start: {exc.message}", file=sys.stderr)
        return None


def _start(
    settings: Settings, args: argparse.Namespace, *, demo_devices: bool
) -> tuple[Core, StationDevices] | int:
    """The services and the started devices of this station, the same for the windows and
    `--headless` (`demo_devices`: the demo's simulated devices, which only the windows
    show); or, after one line on stderr, the exit code: 2 when the settings cannot be run
    (a bus that cannot be built, a hall the database lacks), 3 for the database."""
    from app.bootstrap import start_devices
    from app.services import errors

    core = _core(settings, args, demo=bool(args.demo))
    if core is None:
        return 3
    try:
        core.halls.get(core.hall_code)
        return core, start_devices(core, demo=demo_devices)
    except SettingsError as exc:
        problem, code = f"settings file {exc}", 2
    except errors.DatabaseUnavailable as exc:
        problem, code = exc.message, 3
    except errors.DomainError as exc:
        if exc.code != errors.UNKNOWN_HALL:
            core.close()
            raise
        problem, code = _missing_hall(core, args), 2
    core.close()
    print(f"HallDesk cannot start: {problem}", file=sys.stderr)
    return code


def _missing_hall(core: Core, args: argparse.Namespace) -> str:
    from app.services.simulation.demo_hall import DEMO_HALL

    hall = core.hall_code
    database = core.db.engine.url.render_as_string(hide_password=True)
    config = f" --config {shlex.quote(str(args.config))}" if args.config else ""
    fix = (
        f"seed the demo hall with: python main.py{config} init-db --demo"
        if hall == DEMO_HALL
        else "set it to a hall code of that database"
    )
    where = core.settings.path or "<settings>"
    missing = f"[station] hall {hall!r} is not in the central database {database}"
    return f"settings file {where}: {missing}; {fix}"


def _gui(settings: Settings, args: argparse.Namespace) -> int:
    copied = cli_sync.first_copy(settings, args)
    if copied is not None:
        return copied
    started = _start(settings, args, demo_devices=bool(args.demo))
    if isinstance(started, int):
        return started
    core, devices = started
    from app.bootstrap import build_station
    from app.services.simulation.traffic import DemoTraffic
    from app.ui.application import run_gui

    parts = (core.hall_code, core.queue, core.counters, core.evaluations, core.auth)
    traffic = DemoTraffic(*parts).start() if args.demo and args.traffic else None
    try:
        return int(run_gui(build_station(core, devices)))
    finally:
        if traffic is not None:
            traffic.stop()
        devices.stop()
        core.close()


def _account_command(settings: Settings, args: argparse.Namespace, command: str) -> int:
    """audit, staff, password: one administrator's or clerk's step, then exit. Always on
    the central database, also from a cached station: staff and passwords are the
    centre's, and the audit log is read where every station's rows arrive. sync-status:
    the station as it is configured."""
    if command != "sync-status":
        settings = replace(settings, sync=SyncSettings())
    core = _core(settings, args, demo=False)
    if core is None:
        return 3
    run = {"audit": cli_audit.run, "staff": cli_staff.run_staff, "password": cli_staff.run_password}
    try:
        return int(run.get(command, cli_sync.run)(core, args))
    finally:
        core.close()


def _headless(settings: Settings, args: argparse.Namespace) -> int:
    started = _start(settings, args, demo_devices=False)
    if isinstance(started, int):
        return started
    core, devices = started
    from app.headless import run_headless

    try:
        return run_headless(core, devices)
    finally:
        core.close()


def _init_db(settings: Settings, args: argparse.Namespace) -> int:
    core = _core(settings, args, demo=bool(args.init_demo or args.demo))
    if core is None:
        return 3
    core.close()
    print("database is at the newest schema")
    return 0


def _init_config(path: Path) -> int:
    if path.exists():
        print(f"{path} already exists; not overwritten", file=sys.stderr)
        return 2
    try:
        save_settings(Settings(), path)
    except OSError as exc:
        print(f"cannot write {path}: {exc.strerror}", file=sys.stderr)
        return 2
    print(f"wrote the default settings to {path}")
    return 0


def _db_password(settings: Settings, args: argparse.Namespace) -> int:
    import keyring
    from keyring.errors import KeyringError
    from sqlalchemy.engine import make_url

    from app.models.db import KEYRING_SERVICE, keyring_account

    url = make_url(args.url or settings.database_url(args.data_dir))
    if not url.username:
        print("the database URL names no user", file=sys.stderr)
        return 2
    password = getpass.getpass(f"password for {url.username}@{url.host}: ")
    try:
        keyring.set_password(KEYRING_SERVICE, keyring_account(url), password)
    except KeyringError as exc:
        print(f"no usable keyring on this machine: {exc}", file=sys.stderr)
        return 3
    print("stored in the OS keyring")
    return 0


def _simulate(args: argparse.Namespace) -> int:
    from app.bootstrap import build_core
    from app.services.errors import DomainError
    from app.services.simulation.run import SimulationConfig, format_report, run_simulation

    try:
        config = SimulationConfig(
            counters=args.counters,
            hours=args.hours,
            seed=args.seed,
            arrivals_per_hour=args.arrivals_per_hour,
            no_show_rate=args.no_show_rate,
            database_url=args.database,
            extra_services=tuple(args.extra_services),
            service=args.service,
        )
    except ValueError as exc:
        print(f"halldesk simulate: {exc}", file=sys.stderr)
        return 2
    try:
        report = run_simulation(config, build_core)
    except DomainError as exc:
        print(f"HallDesk cannot simulate: {exc.message}", file=sys.stderr)
        return 3
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(format_report(report))
    return 0
