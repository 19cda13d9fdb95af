"""Simulated hall hardware for the demo: a newcomer sees keypads and evaluators work with
no hardware at all.

The device simulator plays, on pty pairs, one caller keypad and one evaluator per counter,
a dispenser panel with a button per service, the dispenser's ticket printer and an LED
display above every counter (the `ascii` layout: it shows "A001", not "1");
`settings_for` points the station's bus configuration at them, so the real device hub
drives them exactly as it would drive real ones.  `snapshot` reads what they all show, for
the demo's devices window.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from app.devices.escpos import columns_for
from app.devices.escpos_decode import Cut, PrintLine, QrPrinted
from app.devices.frame68 import Key
from app.devices.simulator.core import Simulator
from app.devices.simulator.hallbus import digit_char
from app.services.dto import HallInfo
from app.settings import BusSettings, DeviceSettings, Settings

EVALUATOR_BASE = 100
PANEL_ADDRESS = 200
LED_LAYOUT = "ascii"
PAPER_MM = 80

PaperItem = PrintLine | QrPrinted | Cut


@dataclass(frozen=True)
class KeypadShown:
    """A caller keypad's two display windows, as shown: blanks as spaces."""

    waiting: str
    """D1-D3, the waiting count: "  3"."""
    ticket: str
    """D4-D6, the current ticket's digits "001", blank "   ", or "---" (counter closed)."""
    beeps: int
    """How often it beeped so far (each refused key beeps)."""

    @property
    def closed(self) -> bool:
        return self.ticket == "---"


@dataclass(frozen=True)
class DemoSnapshot:
    """What the simulated devices show, read at one moment (crosses threads)."""

    keypads: dict[int, KeypadShown]
    leds: dict[int, str]
    """Counter -> what its LED display shows ("A001", "" for nothing)."""
    evaluators_lit: frozenset[int]
    """Counters whose evaluator is lit, waiting for the customer's rating."""
    paper: tuple[PaperItem, ...]
    """What the printer put out since the item the snapshot was asked from."""
    paper_total: int


class DemoDevices:
    """The simulator playing a hall's devices; press keys and rate from any thread."""

    def __init__(self, hall: HallInfo, *, pace: bool = True) -> None:
        self.hall = hall
        self.sim = Simulator(pace=pace, seed=1)
        for c in hall.counters:
            self.sim.add_keypad(c.number)
            self.sim.add_evaluator(EVALUATOR_BASE + c.number)
            self.sim.add_led(c.number, LED_LAYOUT)
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
            devices.append(
                DeviceSettings("led", "led", c.number, counter=c.number, layout=LED_LAYOUT)
            )
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
            DeviceSettings(
                "printer", "printer", 1, dispenser=settings.station.dispenser, paper_mm=PAPER_MM
            )
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

    def keypad(self, counter: int) -> KeypadShown:
        digits = self.sim.keypad_display(counter) or bytes((0x0A,) * 6)
        text = "".join(digit_char(d) for d in digits)
        return KeypadShown(text[:3], text[3:], self.sim.keypad_beeps(counter))

    def led_text(self, counter: int) -> str:
        return self.sim.led_text(counter)

    def evaluator_lit(self, counter: int) -> bool:
        return self.sim.evaluator_lit(EVALUATOR_BASE + counter)

    @property
    def paper_columns(self) -> int:
        """Columns of the printer's paper (full-width characters take two)."""
        return columns_for(PAPER_MM)

    def printer_lines(self) -> list[str]:
        return self.sim.printer_lines()

    def snapshot(self, paper_from: int = 0) -> DemoSnapshot:
        """Every keypad, LED and evaluator, and the printer's output from item `paper_from`
        on; it waits on the simulator's ports, so call it off the GUI thread."""
        counters = [c.number for c in self.hall.counters]
        paper = self.sim.printer_paper(paper_from)
        return DemoSnapshot(
            keypads={c: self.keypad(c) for c in counters},
            leds={c: self.led_text(c) for c in counters},
            evaluators_lit=frozenset(c for c in counters if self.evaluator_lit(c)),
            paper=tuple(paper),
            paper_total=paper_from + len(paper),
        )
