"""The station admin: the field engineer's view of this PC's serial devices.

An administrator logs in; the desk then lists the PC's serial ports, the configured buses
and devices as rows of text (the fields each device kind has, and only those), checks
edited rows exactly as the settings file is checked at start, saves them, shows the live
status of every device and sends the test commands. Blocks on the database, the disk and
the ports: call it from a worker thread.
"""

from __future__ import annotations

from dataclasses import fields, replace
from pathlib import Path
from typing import Any

from app.devices.transport import SerialPortInfo
from app.services import errors
from app.services.devices.hub import DeviceHub
from app.services.devices.setup import DeviceStatus, serial_ports
from app.services.errors import DomainError
from app.services.security import audit
from app.services.security.auth import Actor, AuthService, may
from app.settings import (
    DEVICE_KINDS,
    BusSettings,
    DeviceSettings,
    Settings,
    SettingsError,
    parse_settings,
    save_settings,
    settings_to_toml,
)

BUS_FIELDS: tuple[str, ...] = ("name", "url", "baud")
DEVICE_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(DeviceSettings))
# The fields each kind of device has; the others do not apply to it.
KIND_FIELDS: dict[str, frozenset[str]] = {
    "caller": frozenset({"kind", "bus", "address", "counter"}),
    "evaluator": frozenset({"kind", "bus", "address", "counter", "scale"}),
    "dispenser_panel": frozenset({"kind", "bus", "address", "dispenser", "buttons"}),
    "printer": frozenset({"kind", "bus", "dispenser", "paper_mm"}),
    "led": frozenset({"kind", "bus", "address", "counter", "layout"}),
}
TESTS = ("beep", "show", "rating", "led", "print")

Row = dict[str, str]


class StationAdmin:
    def __init__(self, settings: Settings, auth: AuthService, hub: DeviceHub | None) -> None:
        self._settings = settings
        self._auth = auth
        self._hub = hub

    @property
    def has_devices(self) -> bool:
        """Whether the device hub runs in this process (status and tests need it)."""
        return self._hub is not None

    def log_in(self, job_number: str, password: str) -> Actor:
        actor = self._auth.login(job_number, password)
        if not may(actor.role, "admin"):
            raise DomainError(errors.NOT_ALLOWED, "only an administrator may change the devices")
        return actor

    # ------------------------------------------------------------------ reading
    def serial_ports(self) -> list[SerialPortInfo]:
        return serial_ports()

    def statuses(self) -> list[DeviceStatus]:
        return self._hub.statuses() if self._hub is not None else []

    def bus_rows(self) -> list[Row]:
        return [{"name": b.name, "url": b.url, "baud": str(b.baud)} for b in self._settings.buses]

    def device_rows(self) -> list[Row]:
        return [device_row(d) for d in self._settings.devices]

    # ------------------------------------------------------------------ editing
    def checked(self, buses: list[Row], devices: list[Row]) -> Settings:
        """The settings with these buses and devices, checked as at start; SettingsError
        (naming the field) when a row is wrong."""
        path = self._settings.path
        new = replace(
            self._settings,
            buses=tuple(_bus(r, path) for r in buses),
            devices=tuple(_device(r, path) for r in devices),
        )
        return replace(parse_settings(settings_to_toml(new), path), path=path)

    def save(self, actor: Actor, buses: list[Row], devices: list[Row]) -> Path:
        """Check and write the settings file, audited; `bad_settings` (nothing written)
        if wrong, `not_allowed` unless `actor` is an administrator."""
        self._auth.check(actor, "admin")
        try:
            checked = self.checked(buses, devices)
        except SettingsError as exc:
            raise DomainError(errors.BAD_SETTINGS, str(exc), reason=str(exc)) from exc
        return self._auth.audited(
            actor,
            "admin",
            audit.SETTINGS_SAVED,
            lambda: save_settings(checked),
            record_type="settings",
            record_id=checked.path or "",
            buses=len(checked.buses),
            devices=len(checked.devices),
        )

    # ------------------------------------------------------------------ tests
    def test(self, actor: Actor, which: str, device: DeviceStatus) -> None:
        """A field engineer's test command to one device, audited."""
        self._auth.audited(
            actor,
            "admin",
            audit.DEVICE_TEST,
            lambda: self._test(which, device),
            record_type="device",
            record_id=f"{device.bus}/{device.address}",
            test=which,
        )

    def _test(self, which: str, device: DeviceStatus) -> None:
        hub = self._hub
        if hub is None:
            raise DomainError(errors.NO_DEVICES, "the device hub does not run on this PC")
        if which == "beep":
            hub.test_beep(device.bus, device.address)
        elif which == "show":
            hub.test_show(device.bus, device.address)
        elif which == "rating":
            hub.test_rating(device.bus, device.address)
        elif which == "led":
            hub.test_led(device.bus, device.address)
        elif which == "print":
            hub.test_print(device.dispenser or self._settings.station.dispenser)
        else:
            raise DomainError(errors.BAD_INPUT, f"no device test {which!r}")


def applies(kind: str, field_name: str) -> bool:
    """Whether a device of `kind` has the field (unknown kinds: every field, to be fixed)."""
    return field_name in KIND_FIELDS.get(kind, frozenset(DEVICE_FIELDS))


def device_row(d: DeviceSettings) -> Row:
    values: dict[str, Any] = {f: getattr(d, f) for f in DEVICE_FIELDS}
    values["buttons"] = ",".join(f"{k}={v}" for k, v in d.buttons.items())
    return {f: str(v) if applies(d.kind, f) else "" for f, v in values.items()}


def _bus(row: Row, path: Path | None) -> BusSettings:
    return BusSettings(row.get("name", ""), row.get("url", ""), _int(row, "baud", 9600, path))


def _device(row: Row, path: Path | None) -> DeviceSettings:
    kind = row.get("kind", "")
    if kind not in DEVICE_KINDS:
        raise SettingsError(path, f"device kind '{kind}' is not one of {', '.join(DEVICE_KINDS)}")
    base = DeviceSettings(kind, row.get("bus", ""))
    values: dict[str, Any] = {}
    for f in DEVICE_FIELDS:
        text = row.get(f, "").strip()
        if f in ("kind", "bus") or not text or not applies(kind, f):
            continue
        default = getattr(base, f)
        if f == "buttons":
            pairs = (p.split("=", 1) for p in text.split(",") if "=" in p)
            values[f] = {k.strip(): v.strip() for k, v in pairs}
        elif isinstance(default, int):
            values[f] = _int(row, f, default, path)
        else:
            values[f] = text
    return replace(base, **values)


def _int(row: Row, name: str, default: int, path: Path | None) -> int:
    text = row.get(name, "").strip()
    if not text:
        return default
    try:
        return int(text)
    except ValueError:
        raise SettingsError(path, f"{name} '{text}' is not a whole number") from None
