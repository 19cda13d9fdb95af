"""Simulated hall hardware for the demo: a newcomer sees keypads and evaluators work with
no hardware at all.

The device simulator plays, on pty pairs, one caller keypad and one evaluator per counter,
a dispenser panel with a button per service, the dispenser's ticket printer and an LED
display above every counter; `demo_settings` points the station's bus configuration at
them, so the real device hub drives them exactly as it would drive real ones.
"""

from __future__ import annotations

from dataclasses import replace

from app.devices.frame68 import Key
from app.devices.simulator.core import Simulator
from app.services.dto import HallInfo
from app.settings import BusSettings, DeviceSettings, Settings

EVALUATOR_BASE = 100
PANEL_ADDRESS = 200


class DemoDevices:
    """The simulator playing a hall's devices; press keys and rate from any thread."""

    def __init__(self, hall: HallInfo, *, pace: bool = True) -> None:
        self.hall = hall
        self.sim = Simulator(pace=pace, seed=1)
        for c in hall.counters:
            self.sim.add_keypad(c.number)
            self.sim.add_evaluator(EVALUATOR_BASE + c.number)
            self.sim.add_led(c.number)
        self.sim.add_dispenser(PANEL_ADDRESS)
        self.sim.add_printer()

    def start(self) -> None:
        self.sim.start()

    def stop(self) -> None:
        self.sim.stop()

    def buttons(self) -> dict[str, str]:
        return {str(i + 1): s.code for i, s in enumerate(self.hall.services)}

    def settings_for(self, settings: Settings) -> Settings:
        """`settings` with the simulator's ports as the station's buses and devices."""
        devices: list[DeviceSettings] = []
        for c in self.hall.counters:
            devices.append(DeviceSettings("caller", "hallbus", c.number, counter=c.number))
            devices.append(
                DeviceSettings("evaluator", "hallbus", EVALUATOR_BASE + c.number, counter=c.number)
            )
            devices.append(DeviceSettings("led", "led", c.number, counter=c.number))
        devices.append(
            DeviceSettings(
                "dispenser_panel",
                "hallbus",
                PANEL_ADDRESS,
                dispenser=settings.station.dispenser,
                buttons=self.buttons(),
            )
        )
        devices.append(
            DeviceSettings("printer", "printer", 1, dispenser=settings.station.dispenser)
        )
        return replace(
            settings,
            buses=(
                BusSettings("hallbus", self.sim.hall_url),
                BusSettings("printer", self.sim.printer_url),
                BusSettings("led", self.sim.led_url),
            ),
            devices=tuple(devices),
        )

    # --- what the demo's device panel does ----------------------------------------
    def press_key(self, counter: int, key: Key) -> None:
        self.sim.press_key(counter, key)

    def rate(self, counter: int, rating: int) -> None:
        self.sim.rate(EVALUATOR_BASE + counter, rating)

    def press_button(self, button: int) -> None:
        self.sim.press_button(PANEL_ADDRESS, button)

    def keypad_text(self, counter: int) -> str:
        """What the keypad's six digits show, blanks as spaces: "  3012"."""
        digits = self.sim.keypad_display(counter)
        if digits is None:
            return ""
        return "".join(" " if d > 9 else str(d) for d in digits)

    def led_value(self, counter: int) -> int:
        return self.sim.led_value(counter)

    def printer_lines(self) -> list[str]:
        return self.sim.printer_lines()
