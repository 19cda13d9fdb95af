"""What one PC's windows are handed: a desk per role and the few preferences of the UI.

Built once in `app.bootstrap.build_station`; the windows receive their own desk from it
and never reach into the settings, the device hub or other services.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.services.clock import Clock
from app.services.desks.admin import StationAdmin
from app.services.desks.cashier import CashierDesk
from app.services.desks.counter import CounterDesk
from app.services.desks.display import DisplayFeed
from app.services.desks.kiosk import KioskDesk
from app.services.desks.manager import ManagerDesk
from app.services.simulation.demo_devices import DemoDevices
from app.settings import UiSettings


@dataclass(frozen=True)
class UiPrefs:
    language: str = "zh_CN"
    voice: bool = True
    voice_languages: tuple[str, ...] = ("zh_CN", "en_US")
    display_fullscreen: bool = False
    refresh_ms: int = 500
    receipt_paper: str = "roll80"  # "roll80" or "a4": the page of a receipt printed to PDF

    @classmethod
    def of(cls, ui: UiSettings, receipt_paper: str = "roll80") -> UiPrefs:
        return cls(
            ui.language,
            ui.voice,
            ui.voice_languages,
            ui.display_fullscreen,
            ui.refresh_ms,
            receipt_paper,
        )


@dataclass(frozen=True)
class Station:
    roles: tuple[str, ...]
    ui: UiPrefs
    clock: Clock
    counter: CounterDesk
    cashier: CashierDesk
    kiosk: KioskDesk
    display: DisplayFeed
    admin: StationAdmin
    manager: ManagerDesk
    # the hall's last event id: the windows' one question "did anything change?"
    last_event_id: Callable[[], int]
    # the demo's simulated devices, when `scripts/run` plays them (shown in a window)
    demo_devices: DemoDevices | None = None
