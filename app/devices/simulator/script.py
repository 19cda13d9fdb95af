"""Simulator scenario commands, one per line (a file, or typed at the prompt).

::

    key 3 0C            keypad 3 presses "call next" (also: key 3 06 0F, key 3 next)
    rate 5 01           evaluator 5 sends rating 01 (invalid values are sent as they are)
    button 9 1          dispenser panel 9, button 1
    wait 0.5            pause the script
    fault noise [N]     junk before the next N device frames (default 1)
    fault badcs [N]     bad checksum on the next N first transmissions
    fault noack [N]     the next N acknowledgements from the host are lost
    fault slow 0.4      answers (polls, printer status, displays) 0.4 s late
    fault none          clear the faults
                        (a fault applies to the hall bus; add "printer" or "led" for those)
    unplug 1.5 [PORT]   pull the cable for 1.5 s (all ports, or hall/printer/led)
    paper ok|near|out   the printer's paper sensor
    mute 3 / unmute 3   switch device 3 off / on (it stops answering polls)
    devfault 3 on|off   fault bit of device 3's poll answers
    state               print what the devices show
    quit
"""

from __future__ import annotations

import shlex
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TextIO

from app.devices.escpos import PaperStatus
from app.devices.frame68 import Key
from app.devices.simulator.core import HALL, PORT_NAMES, Fault, Simulator
from app.devices.simulator.hallbus import SimEvaluator, SimKeypad, display_text

KEY_NAMES = {
    "next": Key.CALL_NEXT,
    "recall": Key.RECALL,
    "finish": Key.FINISH,
    "rate": Key.ASK_RATING,
    "pause": Key.PAUSE,
    "transfer": Key.TRANSFER,
    "noshow": Key.NO_SHOW,
    "hold": Key.HOLD,
    "callback": Key.CALL_BACK,
}
PAPER_NAMES = {"ok": PaperStatus.OK, "near": PaperStatus.NEAR_END, "out": PaperStatus.OUT}


class ScriptError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class ScriptCommand:
    name: str
    args: tuple[str, ...]
    line_number: int = 0


def parse_line(line: str, line_number: int = 0) -> ScriptCommand | None:
    """One command, or ``None`` for a blank line or a ``#`` comment."""
    words = shlex.split(line, comments=True)
    if not words:
        return None
    return ScriptCommand(words[0].lower(), tuple(words[1:]), line_number)


def _int(text: str) -> int:
    try:
        return int(text, 0)
    except ValueError:
        raise ScriptError(f"not a number: {text!r}") from None


def _hex(text: str) -> int:
    try:
        value = int(text, 16)
    except ValueError:
        raise ScriptError(f"not a hex byte: {text!r}") from None
    if not 0 <= value <= 0xFF:
        raise ScriptError(f"not a byte: {text!r}")
    return value


def _float(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ScriptError(f"not a number of seconds: {text!r}") from None


def _need(cmd: ScriptCommand, low: int, high: int) -> None:
    if not low <= len(cmd.args) <= high:
        raise ScriptError(f"{cmd.name}: expected {low}..{high} arguments, got {len(cmd.args)}")


def _key(args: tuple[str, ...]) -> Key | bytes:
    if len(args) == 1 and args[0].lower() in KEY_NAMES:
        return KEY_NAMES[args[0].lower()]
    return bytes(_hex(a) for a in args)


def execute(sim: Simulator, cmd: ScriptCommand, out: TextIO) -> bool:
    """Run one command; ``False`` for ``quit``.  Raises :class:`ScriptError` on bad input."""
    name, args = cmd.name, cmd.args
    try:
        if name == "key":
            _need(cmd, 2, 3)
            sim.press_key(_int(args[0]), _key(args[1:]))
        elif name == "rate":
            _need(cmd, 2, 2)
            sim.rate(_int(args[0]), _hex(args[1]))
        elif name == "button":
            _need(cmd, 2, 2)
            sim.press_button(_int(args[0]), _int(args[1]))
        elif name == "wait":
            _need(cmd, 1, 1)
            time.sleep(_float(args[0]))
        elif name == "fault":
            _fault(sim, cmd)
        elif name == "unplug":
            _need(cmd, 1, 2)
            if len(args) == 2 and args[1] not in PORT_NAMES:
                raise ScriptError(f"unknown port {args[1]!r}")
            sim.unplug(_float(args[0]), args[1] if len(args) == 2 else None)
        elif name == "paper":
            _need(cmd, 1, 1)
            if args[0] not in PAPER_NAMES:
                raise ScriptError("paper ok|near|out")
            sim.set_paper(PAPER_NAMES[args[0]])
        elif name in ("mute", "unmute"):
            _need(cmd, 1, 1)
            sim.set_muted(_int(args[0]), name == "mute")
        elif name == "devfault":
            _need(cmd, 2, 2)
            sim.set_device_fault(_int(args[0]), args[1].lower() in ("on", "1", "yes"))
        elif name == "state":
            print_state(sim, out)
        elif name in ("quit", "exit"):
            return False
        elif name == "help":
            out.write(__doc__ or "")
        else:
            raise ScriptError(f"unknown command {name!r} (try help)")
    except KeyError as exc:
        raise ScriptError(str(exc.args[0] if exc.args else exc)) from None
    return True


def _fault(sim: Simulator, cmd: ScriptCommand) -> None:
    _need(cmd, 1, 3)
    args = list(cmd.args)
    port = HALL
    if args[-1] in PORT_NAMES:
        port = args.pop()
    try:
        fault = Fault(args[0].lower())
    except ValueError:
        raise ScriptError(f"unknown fault {args[0]!r}") from None
    if fault is Fault.SLOW:
        if len(args) != 2:
            raise ScriptError("fault slow SECONDS")
        sim.set_fault(fault, _float(args[1]), port)
    else:
        sim.set_fault(fault, _int(args[1]) if len(args) > 1 else 1, port)


def run_script(
    sim: Simulator, lines: Iterable[str], out: TextIO, *, stop_on_error: bool = True
) -> bool:
    """Run commands; returns ``False`` if ``quit`` was reached."""
    for number, line in enumerate(lines, start=1):
        try:
            cmd = parse_line(line, number)
            if cmd is not None and not execute(sim, cmd, out):
                return False
        except (ScriptError, ValueError) as exc:
            out.write(f"line {number}: {exc}\n")
            if stop_on_error:
                raise
    return True


def print_state(sim: Simulator, out: TextIO) -> None:
    for name, port in sim.ports.items():
        out.write(f"{name:8} {port.url}\n")
    for address in sorted(sim.hall.devices):
        device = sim.device(address)
        with sim.ports[HALL].lock:
            detail = ""
            if isinstance(device, SimKeypad) and device.display is not None:
                detail = f"shows [{display_text(device.display)}] beeps={device.beeps}"
            elif isinstance(device, SimEvaluator):
                detail = f"keys={device.keys} asking={device.rating_requested}"
                detail += f" job={device.job_number!r}"
            out.write(
                f"  {device.kind:9} {address:3d}  sent={len(device.sent)}"
                f" acked={device.delivered} gave_up={device.gave_up} {detail}\n"
            )
    for unit in sorted(sim.led.displays):
        layout = sim.led.displays[unit].layout.value
        out.write(f"  display   {unit:3d}  {layout:6} shows {sim.led_text(unit)!r}\n")
    if sim.printer is not None:
        out.write(f"  printer paper={sim.printer.paper.value} cuts={sim.printer_cuts()}\n")
        for line in sim.printer_lines()[-20:]:
            out.write(f"    | {line}\n")
