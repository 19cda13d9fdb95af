"""Device benchmarks (a plain script, not collected by pytest).

    python tests/bench/bench_devices.py [--presses 60] [--json]

Measures
1. the 68 frame decoder's throughput, MB/s, on a stream of frames mixed with noise, fed in
   256-byte reads as the bus master does, and in one buffer;
2. key press -> acknowledgement round trip at 9600 baud through a pty pair: the simulator
   paces both directions at 10 bits per byte, so the wire time of the key frame and of its
   echo is really spent; reported as the ratio to that wire time;
3. the host's own share per frame: round trip minus wire time (goal: under 5 ms).  This
   also contains the simulator's scheduling, so it is an upper bound; the bus thread's own
   time from the read that completed a frame to the acknowledgement written is shown too.
The simulator runs in a child process (a device is another machine), the bus master here.
A second round trip run without pacing shows the pure software path through the pty.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import statistics
import sys
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
HOST_SHARE_GOAL_MS = 5.0


def _decoder_stream(size: int, seed: int = 7) -> tuple[bytes, int]:
    from app.devices import frame68

    rng = random.Random(seed)
    out = bytearray()
    frames = 0
    while len(out) < size:
        if rng.random() < 0.1:
            out += bytes(rng.randrange(256) for _ in range(rng.randint(1, 12)))
        else:
            data = bytes(rng.randrange(256) for _ in range(rng.randint(0, 8)))
            out += frame68.encode(frame68.Frame(rng.randint(1, 0xFE), 0x10, data))
            frames += 1
    return bytes(out), frames


def bench_decoder(size: int = 2_000_000, repeat: int = 3) -> dict[str, float]:
    from app.devices import frame68

    stream, sent = _decoder_stream(size)
    chunked_best = whole_best = float("inf")
    found = 0
    for _ in range(repeat):
        started = time.perf_counter()
        buffer = bytearray()
        found = 0
        for pos in range(0, len(stream), 256):
            buffer += stream[pos : pos + 256]
            frames, used = frame68.decode(buffer)
            found += len(frames)
            del buffer[:used]
        chunked_best = min(chunked_best, time.perf_counter() - started)
        started = time.perf_counter()
        frame68.decode(stream)
        whole_best = min(whole_best, time.perf_counter() - started)
    megabytes = len(stream) / 1e6
    return {
        "decoder_mb_per_s_256B_reads": megabytes / chunked_best,
        "decoder_mb_per_s_one_buffer": megabytes / whole_best,
        "decoder_frames_per_s": found / chunked_best,
        "decoder_frames_found_of_sent": found / sent,
    }


def _use_repo() -> None:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))


def _simulator_process(conn: Connection, addresses: list[int], pace: bool, baud: int) -> None:
    """Child process: the simulated keypads, driven by messages from the parent."""
    _use_repo()
    from app.devices import frame68
    from app.devices.simulator import Simulator

    sim = Simulator(pace=pace, baudrate=baud)
    for address in addresses:
        sim.add_keypad(address)
    sim.start()
    try:
        conn.send(sim.hall_url)
        while True:
            message = conn.recv()
            if message[0] != "press":
                break
            _, address, key = message
            sim.press_key(address, frame68.Key(key))
            while not sim.idle(address):
                time.sleep(0.0005)
            conn.send(sim.device(address).round_trips[-1])
        sent = sum(
            1 for a in addresses for f in sim.frames_sent(a) if f.command == frame68.Command.KEY
        )
        conn.send(sent)
    finally:
        sim.stop()


def bench_round_trip(presses: int, pace: bool, baudrate: int = 9600) -> dict[str, float]:
    """Simulator in a child process (a device is another machine), bus master here."""
    from app.devices import frame68
    from app.devices.bus import BusDevice, BusMaster, BusTiming, DeviceKind
    from app.devices.events import DeviceOnline, KeyPressed
    from app.devices.frame68 import Key
    from app.devices.transport import wire_time

    # 8 keypads x 9 keys: no frame repeats within the 1 s duplicate window
    addresses = list(range(1, 9))
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    process = context.Process(
        target=_simulator_process, args=(child, addresses, pace, baudrate), daemon=True
    )
    process.start()
    seen: list[object] = []
    trips: list[float] = []
    bus: BusMaster | None = None
    try:
        url = parent.recv()
        bus = BusMaster(
            url,
            [BusDevice(a, DeviceKind.CALLER_KEYPAD) for a in addresses],
            on_event=seen.append,
            timing=BusTiming(poll_interval=3600.0),  # no polls during the measurement
            baudrate=baudrate,
        )
        bus.start()
        deadline = time.monotonic() + 10
        while sum(1 for e in seen if isinstance(e, DeviceOnline)) < len(addresses):
            if time.monotonic() > deadline:
                raise RuntimeError("keypads never came online")
            time.sleep(0.01)
        keys = list(Key)
        for n in range(presses):
            address = addresses[n % len(addresses)]
            parent.send(("press", address, int(keys[(n // len(addresses)) % len(keys)])))
            trips.append(parent.recv())
            time.sleep(0.015)  # 72 distinct frames take > 1 s: none is a duplicate
        stats = bus.stats
        bus.stop()  # before the ports vanish with the child
        parent.send(("stop",))
        retries = parent.recv() - presses
    finally:
        if bus is not None:
            bus.stop()
        if process.is_alive():
            parent.send(("stop",))
        process.join(10)
    keys_seen = sum(1 for e in seen if isinstance(e, KeyPressed))
    frame_bytes = len(frame68.encode(frame68.key_pressed(3, Key.CALL_NEXT)))
    wire = wire_time(2 * frame_bytes, baudrate) if pace else 0.0
    trips_ms = sorted(t * 1000 for t in trips)
    share = [t - wire * 1000 for t in trips_ms]
    p95 = trips_ms[int(0.95 * (len(trips_ms) - 1))]
    result = {
        "presses": float(presses),
        "keys_reported": float(keys_seen),
        "retransmissions": float(retries),
        "round_trip_ms_median": statistics.median(trips_ms),
        "round_trip_ms_p95": p95,
        "round_trip_ms_max": trips_ms[-1],
        "host_read_to_ack_ms_mean": stats.ack_seconds_total / max(stats.acks, 1) * 1000,
        "host_read_to_ack_ms_max": stats.ack_seconds_max * 1000,
    }
    if pace:
        result |= {
            "wire_ms": wire * 1000,
            "ratio_to_wire_median": statistics.median(trips_ms) / (wire * 1000),
            "host_share_ms_median": statistics.median(share),
            "host_share_ms_p95": share[int(0.95 * (len(share) - 1))],
            "host_share_ms_max": share[-1],
        }
    return result


def _table(results: dict[str, Any]) -> str:
    d, paced, raw = results["decoder"], results["paced_9600"], results["unpaced"]
    rows = [
        ("decoder, 256-byte reads", f"{d['decoder_mb_per_s_256B_reads']:.1f} MB/s", ""),
        ("decoder, one buffer", f"{d['decoder_mb_per_s_one_buffer']:.1f} MB/s", ""),
        ("decoder, frames", f"{d['decoder_frames_per_s']:,.0f} frames/s", ""),
        (
            "key->ack at 9600 (median/p95)",
            f"{paced['round_trip_ms_median']:.2f} / {paced['round_trip_ms_p95']:.2f} ms",
            f"wire {paced['wire_ms']:.2f} ms",
        ),
        ("  ratio to wire time", f"{paced['ratio_to_wire_median']:.3f} x", ""),
        (
            "host share per frame (median/p95/max)",
            f"{paced['host_share_ms_median']:.2f} / {paced['host_share_ms_p95']:.2f}"
            f" / {paced['host_share_ms_max']:.2f} ms",
            f"goal < {HOST_SHARE_GOAL_MS:.0f} ms",
        ),
        (
            "host: read done -> ack written (mean/max)",
            f"{paced['host_read_to_ack_ms_mean']:.3f} / {paced['host_read_to_ack_ms_max']:.3f} ms",
            "inside the bus thread",
        ),
        (
            "key->ack unpaced pty (median/p95)",
            f"{raw['round_trip_ms_median']:.2f} / {raw['round_trip_ms_p95']:.2f} ms",
            "software only",
        ),
        (
            "presses / reported / retransmitted",
            f"{paced['presses']:.0f} / {paced['keys_reported']:.0f}"
            f" / {paced['retransmissions']:.0f}",
            "",
        ),
    ]
    width = max(len(r[0]) for r in rows)
    lines = [f"{'measure':{width}}  {'value':28}  note", "-" * (width + 44)]
    lines += [f"{name:{width}}  {value:28}  {note}" for name, value, note in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--presses", type=int, default=60)
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    _use_repo()
    results = {
        "decoder": bench_decoder(),
        "paced_9600": bench_round_trip(args.presses, pace=True),
        "unpaced": bench_round_trip(args.presses, pace=False),
    }
    print(json.dumps(results, indent=2) if args.json else _table(results))
    ok = results["paced_9600"]["host_share_ms_median"] < HOST_SHARE_GOAL_MS
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
