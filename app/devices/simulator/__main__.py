"""``python -m app.devices.simulator``: play hall devices on ptys or TCP ports.

Without device options it plays a demo hall: keypads 1-3, evaluators 11 (4 keys) and
12 (5 keys), dispenser panel 9, a printer and LED displays 1-3.  It prints the port paths;
configure HallDesk with them (they are symlinks that stay valid across ``unplug``).  Then
it runs ``--script FILE`` or reads the same commands from stdin (``help`` lists them).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from app.devices.escpos import PaperStatus
from app.devices.simulator.core import Simulator
from app.devices.simulator.script import PAPER_NAMES, ScriptError, run_script


def _addresses(text: str) -> list[int]:
    try:
        return [int(part, 0) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"addresses like 1,2,0x10: {text!r}") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m app.devices.simulator",
        description="Simulated hall devices (keypads, evaluators, dispenser, printer, LEDs).",
    )
    add = parser.add_argument
    add("--keypad", type=_addresses, default=[], help="caller keypad addresses, e.g. 1,2,3")
    add("--evaluator", type=_addresses, default=[], help="4-key evaluator addresses")
    add("--evaluator5", type=_addresses, default=[], help="5-key evaluator addresses")
    add("--dispenser", type=_addresses, default=[], help="dispenser panel addresses")
    add("--led", type=_addresses, default=[], help="Modbus LED display unit ids (digits)")
    add("--led-ascii", type=_addresses, default=[], help="LED unit ids showing letters (ascii)")
    add("--printer", action="store_true", help="play an ESC/POS printer")
    add("--paper", choices=sorted(PAPER_NAMES), default="ok", help="printer paper state")
    add("--dir", help="directory of the stable pty symlinks (default: a new temp dir)")
    add("--tcp", type=int, metavar="PORT", help="listen on 127.0.0.1:PORT, PORT+1, ...")
    add("--baud", type=int, default=9600, help="baud rate used for --pace (default 9600)")
    add("--pace", action="store_true", help="send and receive at wire speed (10 bits/byte)")
    add("--script", metavar="FILE", help="scenario file; '-' or none: read stdin")
    add("--interactive", action="store_true", help="after --script, keep reading stdin")
    add("--seed", type=int, help="seed of the noise generator")
    add("-q", "--quiet", action="store_true", help="do not log what the devices get")
    return parser


def configure(sim: Simulator, args: argparse.Namespace) -> None:
    chosen = args.keypad or args.evaluator or args.evaluator5 or args.dispenser
    if not (chosen or args.led or args.led_ascii or args.printer):
        args.keypad, args.evaluator, args.evaluator5 = [1, 2, 3], [11], [12]
        args.dispenser, args.led, args.printer = [9], [1, 2, 3], True
    for address in args.keypad:
        sim.add_keypad(address)
    for address in args.evaluator:
        sim.add_evaluator(address, keys=4)
    for address in args.evaluator5:
        sim.add_evaluator(address, keys=5)
    for address in args.dispenser:
        sim.add_dispenser(address)
    for address in args.led:
        sim.add_led(address)
    for address in args.led_ascii:
        sim.add_led(address, "ascii")
    if args.printer:
        sim.add_printer(PaperStatus(PAPER_NAMES[args.paper]))


def _interactive(sim: Simulator) -> None:
    prompt = sys.stdin.isatty()
    while True:
        if prompt:
            sys.stdout.write("sim> ")
            sys.stdout.flush()
        line = sys.stdin.readline()
        if not line:
            return
        try:
            if not run_script(sim, [line], sys.stdout, stop_on_error=True):
                return
        except (ScriptError, ValueError):
            continue  # already reported


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING if args.quiet else logging.INFO,
        format="%(asctime)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    sim = Simulator(args.dir, tcp_port=args.tcp, baudrate=args.baud, pace=args.pace, seed=args.seed)
    try:
        configure(sim, args)
        sim.start()
    except (ValueError, OSError) as exc:
        print(f"simulator: {exc}", file=sys.stderr)
        sim.stop()
        return 2
    try:
        print("Simulated ports (configure HallDesk with these; they survive 'unplug'):")
        for name, port in sim.ports.items():
            print(f"  {name:8} {port.url}")
        sys.stdout.flush()
        if args.script and args.script != "-":
            with open(args.script, encoding="utf-8") as script:
                if not run_script(sim, script, sys.stdout) or not args.interactive:
                    return 0
        _interactive(sim)
        return 0
    except (ScriptError, ValueError) as exc:
        print(f"simulator: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    finally:
        sim.stop()


if __name__ == "__main__":
    sys.exit(main())
