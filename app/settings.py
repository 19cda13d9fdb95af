"""The station's typed settings, kept as TOML in the platformdirs config folder.

One `Settings` object is loaded at start and passed in; nothing imports it as a global.
A file that cannot be read is reported with its path and line and the app does not start
on guesses. Secrets (the central database password) live in the OS keyring, never here.
Where the file, the data folder and the database are is decided in `app.locations`.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import tomli_w

# `x as x`: re-exported for the bootstrap and the CLI, which ask here where the files are.
from app import locations
from app.locations import default_config_path as default_config_path  # noqa: PLC0414
from app.locations import default_data_dir as default_data_dir  # noqa: PLC0414
from app.settings_toml import MissingSettingsFile as MissingSettingsFile  # noqa: PLC0414
from app.settings_toml import SettingsError as SettingsError  # noqa: PLC0414
from app.settings_toml import build_section, list_of_tables
from app.settings_wake import wake_problem
from app.toml_lines import line_of as _line_of

SETTINGS_VERSION = 1
ROLES = ("counter", "kiosk", "display", "manager", "admin", "bus")
DEVICE_KINDS = ("caller", "evaluator", "dispenser_panel", "printer", "led")
# LED register layouts (docs/PROTOCOL.md section 3): the number's digits, or its characters
LED_LAYOUTS = ("digits", "ascii")
RECEIPT_PAPERS = ("roll80", "a4")
SYNC_MODES = ("direct", "cached")
_RECEIPT_PREFIX = re.compile(r"[A-Z0-9]{1,16}")


@dataclass(frozen=True)
class DatabaseSettings:
    # Empty URL: the embedded SQLite central database in the user data folder.
    url: str = ""
    # SQLite cache of this station (used by the sync worker); empty: user data folder.
    cache_path: str = ""
    # the url is a PgBouncer in transaction mode: no prepared statements, no session state
    pgbouncer: bool = False
    # where this PC LISTENs if the url is a PgBouncer: PostgreSQL itself; empty: the url
    listen_url: str = ""


@dataclass(frozen=True)
class StationSettings:
    name: str = "PC-1"
    hall: str = "DEMO"
    roles: tuple[str, ...] = ("kiosk", "counter", "display")
    # Counter number this PC serves as (counter role); 0: pick at login.
    counter: int = 0
    # Dispenser series this PC issues from (kiosk role): numbers start..end per service/day.
    dispenser: str = "D1"
    number_start: int = 1
    number_end: int = 999


@dataclass(frozen=True)
class UiSettings:
    language: str = "zh_CN"
    voice: bool = True
    voice_languages: tuple[str, ...] = ("zh_CN", "en_US")
    display_fullscreen: bool = False
    refresh_ms: int = 500


@dataclass(frozen=True)
class BusSettings:
    name: str
    url: str
    baud: int = 9600


@dataclass(frozen=True)
class DeviceSettings:
    kind: str
    bus: str
    address: int = 1
    counter: int = 0
    dispenser: str = ""
    # dispenser panel: button number (as text) -> service code
    buttons: dict[str, str] = field(default_factory=dict)
    # evaluator: 4 or 5 keys
    scale: int = 4
    # printer: 58 or 80 mm paper
    paper_mm: int = 80
    # led: "digits" (register 0: 1 for A001) or "ascii" (four character registers: A001)
    layout: str = "digits"


@dataclass(frozen=True)
class SecuritySettings:
    # failed log-ins before an account is locked, and for how long (counted centrally)
    lockout_attempts: int = 5
    lockout_minutes: int = 15
    min_password_length: int = 8


@dataclass(frozen=True)
class ReceiptSettings:
    # receipt number prefix of this station (A-Z, 0-9); empty: from the station's name
    prefix: str = ""
    # "roll80" (80 mm roll) or "a4" sheet, printed through the system's printer
    paper: str = "roll80"
    # an ESC/POS thermal printer's port (/dev/ttyUSB1, COM4, socket://host:9100);
    # empty: receipts go to the system printer chosen in the print dialog
    escpos_url: str = ""
    # the ESC/POS printer's paper: 80 or 58 mm
    escpos_paper_mm: int = 80

    def receipt_prefix(self, station_name: str) -> str:
        """The prefix of this station's receipt numbers."""
        made = "".join(c for c in station_name.upper() if c.isascii() and c.isalnum())
        return self.prefix or made[:16] or "PC"


@dataclass(frozen=True)
class SyncSettings:
    # "direct": every step on the central database (one-PC halls, a LAN with the server);
    # "cached": the counter business on this station's cache, synced to a central PostgreSQL
    mode: str = "direct"
    # seconds between syncs when the centre sends no NOTIFY
    interval_s: float = 2.0
    # the hall database (PostgreSQL on the hall's server PC) where the hall's queue lives
    # while the centre may be away; "" keeps the queue on the central database
    hall_url: str = ""
    # true on the one PC that serves the hall database: it migrates it, keeps its
    # reference rows from the centre and pushes its queue rows there
    hall_server: bool = False
    # wake-ups: "listen" (a LISTEN of this PC's own), "relay" (this PC's LISTEN passed on to
    # the hall on relay_port), "tcp://host:port" (from the relay PC: nothing at the centre)
    wake: str = "listen"
    relay_port: int = 7655


@dataclass(frozen=True)
class Settings:
    version: int = SETTINGS_VERSION
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    station: StationSettings = field(default_factory=StationSettings)
    ui: UiSettings = field(default_factory=UiSettings)
    security: SecuritySettings = field(default_factory=SecuritySettings)
    receipts: ReceiptSettings = field(default_factory=ReceiptSettings)
    sync: SyncSettings = field(default_factory=SyncSettings)
    buses: tuple[BusSettings, ...] = ()
    devices: tuple[DeviceSettings, ...] = ()
    # Where the file came from (not saved).
    path: Path | None = None

    def database_url(
        self, data_dir: Path | None = None, *, environ: Mapping[str, str] | None = None
    ) -> str:
        """The central database URL of these settings (`locations.database_url` decides)."""
        return locations.database_url(self.database.url, data_dir, environ=environ)


def _upgrade(raw: dict[str, Any], path: Path | None, text: str) -> dict[str, Any]:
    version = raw.get("version", SETTINGS_VERSION)
    if not isinstance(version, int) or isinstance(version, bool):
        raise SettingsError(
            path, "'version' must be a whole number", _line_of(text, None, "version")
        )
    if version > SETTINGS_VERSION:
        raise SettingsError(
            path,
            f"settings version {version} is newer than this HallDesk understands "
            f"({SETTINGS_VERSION}); update HallDesk",
            _line_of(text, None, "version"),
        )
    # Version 0 (pre-release files) had the database URL at the top level.
    if version == 0:
        raw = dict(raw)
        if "database_url" in raw:
            raw.setdefault("database", {})["url"] = raw.pop("database_url")
        raw["version"] = SETTINGS_VERSION
    return raw


def parse_settings(text: str, path: Path | None = None) -> Settings:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        line = int(match.group(1)) if match else None
        raise SettingsError(path, f"not valid TOML: {exc}", line) from exc
    raw = _upgrade(raw, path, text)
    top = {f.name for f in fields(Settings)} - {"path"}
    for key in raw:
        if key not in top:
            raise SettingsError(path, f"unknown section '{key}'", _line_of(text, None, key))
    database = build_section(DatabaseSettings, raw.get("database", {}), text, path, "database")
    station = build_section(StationSettings, raw.get("station", {}), text, path, "station")
    ui = build_section(UiSettings, raw.get("ui", {}), text, path, "ui")
    security = build_section(SecuritySettings, raw.get("security", {}), text, path, "security")
    receipts = build_section(ReceiptSettings, raw.get("receipts", {}), text, path, "receipts")
    sync = build_section(SyncSettings, raw.get("sync", {}), text, path, "sync")
    buses = tuple(
        build_section(BusSettings, item, text, path, "buses", ("name", "url"), n)
        for n, item in enumerate(list_of_tables(raw.get("buses", []), text, path, "buses"))
    )
    devices = tuple(
        build_section(DeviceSettings, item, text, path, "devices", ("kind", "bus"), n)
        for n, item in enumerate(list_of_tables(raw.get("devices", []), text, path, "devices"))
    )
    settings = Settings(
        version=SETTINGS_VERSION,
        database=database,
        station=station,
        ui=ui,
        security=security,
        receipts=receipts,
        sync=sync,
        buses=buses,
        devices=devices,
        path=path,
    )
    _validate(settings, text, path)
    return settings


_DB_URL = re.compile(r"(sqlite|postgres|postgresql)(\+\w+)?://\S*")
# Bus ports: a device path (/dev/ttyUSB0, COM3, a pty) or the pyserial URLs HallDesk uses.
_NET_PORT = re.compile(r"(socket|rfc2217)://([\w.-]+|\[[0-9A-Fa-f:.]+\]):(\d{1,5})/?(\?\S*)?")
PORT_URL_FORMS = "/dev/ttyUSB0, COM3 (a device), socket://host:port, rfc2217://host:port, loop://"


def port_url_problem(url: str) -> str | None:
    """Why `url` is no port this station can open, or None; says nothing of whether the
    device is there now (an adapter may be plugged in later: the port then says why)."""
    scheme, sep, rest = url.partition("://")
    scheme = scheme.lower()  # as pyserial reads it
    if not sep or scheme == "loop":
        return None
    if scheme in ("socket", "rfc2217"):
        net = _NET_PORT.fullmatch(f"{scheme}://{rest}")
        if net and 0 < int(net[3]) < 65536:
            return None
        return f"'{url}' is not {scheme}://host:port (port 1..65535)"
    return f"unknown port scheme '{scheme}://' in '{url}' (known: {PORT_URL_FORMS})"


def _validate_sync(s: Settings, fail: Any) -> None:
    if s.sync.hall_url and (s.sync.mode != "cached" or not s.sync.hall_url.startswith("postgres")):
        raise fail(
            'a hall database is a PostgreSQL URL of a cached station ([sync] mode = "cached")',
            "sync",
            "hall_url",
        )
    if s.sync.hall_server and not s.sync.hall_url:
        raise fail("hall_server needs the hall database's hall_url", "sync", "hall_server")
    if problem := wake_problem(s.database, s.sync):
        raise fail(*problem)


def _validate(s: Settings, text: str, path: Path | None) -> None:
    def fail(message: str, section: str, key: str | None, index: int = 0) -> SettingsError:
        return SettingsError(path, message, _line_of(text, section, key, index))

    url = s.database.url.strip()
    if url and not _DB_URL.fullmatch(url):
        raise fail(
            f"database url {url!r} is neither postgresql://user@host/name nor sqlite:///file",
            "database",
            "url",
        )
    for role in s.station.roles:
        if role not in ROLES:
            raise fail(f"unknown role '{role}' (known: {', '.join(ROLES)})", "station", "roles")
    if s.station.counter < 0:
        raise fail("counter must be 0 (pick at login) or a counter number", "station", "counter")
    if not 1 <= len(s.station.dispenser) <= 16:
        raise fail("dispenser must be a name of 1 to 16 characters", "station", "dispenser")
    if not 1 <= s.station.number_start <= s.station.number_end <= 999:
        key = "number_start" if not 1 <= s.station.number_start <= 999 else "number_end"
        raise fail("number_start..number_end must lie within 1..999", "station", key)
    if s.ui.refresh_ms < 50 or s.ui.refresh_ms > 5000:
        raise fail("refresh_ms must be 50..5000", "ui", "refresh_ms")
    for key, low, high in (
        ("lockout_attempts", 1, 100),
        ("lockout_minutes", 1, 1440),
        ("min_password_length", 6, 64),
    ):
        if not low <= getattr(s.security, key) <= high:
            raise fail(f"{key} must be {low}..{high}", "security", key)
    if s.sync.mode not in SYNC_MODES:
        raise fail(f"mode must be one of {', '.join(SYNC_MODES)}", "sync", "mode")
    if s.sync.mode == "cached" and url and not url.startswith("postgres"):
        raise fail(
            "a cached station syncs with a central PostgreSQL [database] url", "sync", "mode"
        )
    if not 0.2 <= s.sync.interval_s <= 600:
        raise fail("interval_s must be 0.2..600", "sync", "interval_s")
    _validate_sync(s, fail)
    r = s.receipts
    if r.prefix and not _RECEIPT_PREFIX.fullmatch(r.prefix):
        raise fail("prefix must be 1-16 of A-Z and 0-9", "receipts", "prefix")
    if r.paper not in RECEIPT_PAPERS:
        raise fail(f"paper must be one of {', '.join(RECEIPT_PAPERS)}", "receipts", "paper")
    if r.escpos_url and (problem := port_url_problem(r.escpos_url)):
        raise fail(f"escpos_url: {problem}", "receipts", "escpos_url")
    if r.escpos_paper_mm not in (58, 80):
        raise fail("escpos_paper_mm must be 58 or 80", "receipts", "escpos_paper_mm")
    seen: set[str] = set()
    for n, b in enumerate(s.buses):
        if b.name in seen:
            raise fail(f"two [[buses]] are named '{b.name}'", "buses", "name", n)
        seen.add(b.name)
        if not b.url.strip():
            raise fail(f"bus '{b.name}' has no port url", "buses", "url", n)
        if problem := port_url_problem(b.url):
            raise fail(f"bus '{b.name}': {problem}", "buses", "url", n)
        if b.baud <= 0:
            raise fail(f"bus '{b.name}': baud must be above 0", "buses", "baud", n)
    for n, d in enumerate(s.devices):
        if d.kind not in DEVICE_KINDS:
            known = ", ".join(DEVICE_KINDS)
            raise fail(f"unknown device kind '{d.kind}' (known: {known})", "devices", "kind", n)
        if d.bus not in seen:
            raise fail(f"device on unknown bus '{d.bus}'", "devices", "bus", n)
        if not 1 <= d.address <= 0xFE:
            raise fail(f"device address {d.address} outside 1..254", "devices", "address", n)
        if d.counter < 0:
            raise fail("a device's counter cannot be negative", "devices", "counter", n)
        if d.scale not in (4, 5):
            raise fail("evaluator scale must be 4 or 5", "devices", "scale", n)
        if d.paper_mm not in (58, 80):
            raise fail("paper_mm must be 58 or 80", "devices", "paper_mm", n)
        if d.layout not in LED_LAYOUTS:
            known = ", ".join(LED_LAYOUTS)
            raise fail(f"unknown LED layout '{d.layout}' (known: {known})", "devices", "layout", n)
        if d.layout != "digits" and d.kind != "led":
            raise fail(f"layout is for LED displays, not a {d.kind}", "devices", "layout", n)


def load_settings(path: Path | None = None, *, create: bool = True) -> Settings:
    """Read the settings file: the given one, which must exist (a mistyped `--config` must
    not start a station on defaults), else the user config folder's, written with the
    defaults on first start unless `create` is false."""
    target = path or default_config_path()
    if not target.exists():
        if path is not None:
            raise MissingSettingsFile(target, "no such file")
        settings = replace(Settings(), path=target)
        if create:
            try:
                save_settings(settings, target)
            except OSError as exc:
                raise SettingsError(target, f"cannot be written: {exc.strerror}") from exc
        return settings
    try:
        text = target.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise SettingsError(target, f"not UTF-8 text ({exc.reason})") from exc
    except OSError as exc:
        raise SettingsError(target, f"cannot be read: {exc.strerror}") from exc
    return parse_settings(text, target)


def settings_to_toml(settings: Settings) -> str:
    data = asdict(settings)
    data.pop("path", None)
    data["buses"] = [dict(b) for b in data["buses"]]
    data["devices"] = [dict(d) for d in data["devices"]]
    if not data["buses"]:
        data.pop("buses")
    if not data["devices"]:
        data.pop("devices")
    header = "# HallDesk station settings. The database password is kept in the OS keyring.\n"
    return header + tomli_w.dumps(_lists(data))


def _lists(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _lists(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return [_lists(v) for v in value]
    return value


def save_settings(settings: Settings, path: Path | None = None) -> Path:
    """Write atomically: a half-written settings file must never be left behind."""
    target = path or settings.path or default_config_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(target.suffix + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(settings_to_toml(settings))
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, target)
    return target
