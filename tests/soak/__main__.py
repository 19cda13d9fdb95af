"""The long crash probe, as `scripts/soak` runs it, with a summary to print.

    python -m tests.soak [--backend sqlite|postgres|both] [--workers 5] [--kills 60] [--json]

PostgreSQL runs on a throw-away cluster of its own (tests/pg_server.py), always: the
probe crashes the server, so it cannot be one somebody else uses.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
from dataclasses import asdict
from datetime import date
from pathlib import Path

import keyring
from keyring.backends.null import Keyring as NullKeyring

from tests.pg_server import PgServer
from tests.soak.probe import Plan, run_probe, summary


def _machine() -> dict[str, object]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "date": date.today().isoformat(),
        "cpus": os.cpu_count(),
        "cpu": model,
        "python": platform.python_version(),
        "load": os.getloadavg()[0],
    }


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Crash probe: kill -9 workers, crash PostgreSQL.")
    p.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    p.add_argument("--workers", type=int, default=5)
    p.add_argument("--kills", type=int, default=60)
    p.add_argument("--outage", type=float, default=1.0, help="seconds the server stays down")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--json", action="store_true")
    p.add_argument("--keep", type=Path, help="keep records and logs in this folder")
    args = p.parse_args(argv)

    # the throw-away cluster needs no password: keep keyring from looking for one
    keyring.set_keyring(NullKeyring())  # type: ignore[no-untyped-call]

    machine = _machine()
    print(f"load at start {machine['load']:.2f}", file=sys.stderr)
    outcomes = []
    with tempfile.TemporaryDirectory(prefix="halldesk-soak-") as tmp:
        base = args.keep or Path(tmp)
        for backend in ("sqlite", "postgres"):
            if args.backend not in (backend, "both"):
                continue
            plan = Plan(
                args.workers, args.kills, backend == "postgres", args.outage, seed=args.seed
            )
            if backend == "sqlite":
                url = f"sqlite:///{base / 'sqlite' / 'central.sqlite3'}"
                outcomes.append(run_probe(url, base / "sqlite", plan, None, _say))
                continue
            server = PgServer()
            try:
                url = server.start()
                outcomes.append(run_probe(url, base / "postgres", plan, server, _say))
            finally:
                server.stop()
    machine["load_end"] = os.getloadavg()[0]
    if args.json:
        print(
            json.dumps(
                {
                    "machine": machine,
                    "runs": [{**asdict(o), "max_back_s": o.max_back_s} for o in outcomes],
                },
                indent=2,
                default=str,
            )
        )
    else:
        print(
            f"{machine['date']}, {machine['cpus']} × {machine['cpu']}, Python "
            f"{machine['python']}, load {machine['load']:.2f} → {machine['load_end']:.2f}"
        )
        for o in outcomes:
            print(summary(o))
    return 1 if any(o.report.problems for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
