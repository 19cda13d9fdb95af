"""Every benchmark still runs: each tests/bench/bench_*.py at a tiny size, on the suite's
PostgreSQL server, its JSON read back.

Not a timing: the figures depend on the machine and are recorded in docs/PERFORMANCE.md
by `scripts/bench`. What this catches is a benchmark broken by a change to the code it
measures (the queue bench's `--profile` broke when call next's lock took a keyword and
nobody ran it for a day), so that the next person to measure finds it working.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "tests" / "bench"

# name -> (arguments for a run of seconds, keys its JSON report must have)
TINY: dict[str, tuple[list[str], set[str]]] = {
    "accounts": (["--accounts", "300", "--queries", "5"], {"postgresql", "sqlite"}),
    "change_latency": (["--changes", "3"], set()),
    "counter_path": (["--customers", "3", "--postgres"], set()),
    "dashboard": (["--tickets", "200"], set()),
    "devices": (["--presses", "3"], set()),
    "hall_queue": (["--cycles", "10"], set()),
    "hub": (["--presses", "3"], set()),
    "initial_sync": (["--accounts", "300", "--batch", "100", "--changes", "20"], set()),
    "payment": (["--payments", "3", "--profile"], {"postgresql", "sqlite"}),
    "push": (["--records", "60", "--batch", "20"], set()),
    "queue": (
        [
            *("--tickets", "200", "--counters", "3", "--calls", "8"),
            *("--seconds", "0.5", "--rate", "10", "--paced-seconds", "1", "--profile"),
        ],
        {"postgresql", "sqlite"},
    ),
    "report": (["--halls", "2", "--days", "2", "--per-day", "20", "--sqlite"], set()),
    "service_path": (
        [
            *("--rounds", "3", "--waiting", "50", "--history", "100"),
            *("--counters", "3", "--per-counter", "2", "--pause-ms", "1"),
        ],
        set(),
    ),
    "stations": (
        [
            *("--stations", "4", "--per-hall", "2", "--seconds", "3", "--direct-seconds", "2"),
            *("--procs", "1", "--threads", "2", "--pool", "2"),
            *("--probe-listeners", "2", "--probe-commits", "10", "--probe-rate", "50"),
        ],
        set(),
    ),
}


def test_every_benchmark_has_a_tiny_run() -> None:
    found = {p.stem.removeprefix("bench_") for p in BENCH.glob("bench_*.py")}
    assert found == set(TINY), "give each benchmark its tiny run here"


@pytest.mark.postgres
@pytest.mark.timeout(300)
@pytest.mark.parametrize("name", sorted(TINY))
def test_benchmark_runs(name: str, pg_admin_url: str, tmp_path: Path) -> None:
    args, keys = TINY[name]
    env = {
        **os.environ,
        "HALLDESK_BENCH_DATABASE_URL": pg_admin_url,
        "QT_QPA_PLATFORM": "offscreen",
        "HOME": str(tmp_path),  # no bench writes into the user's own folders
    }
    done = subprocess.run(
        [sys.executable, str(BENCH / f"bench_{name}.py"), *args, "--json"],
        check=False,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=280,
    )
    assert done.returncode == 0, f"bench_{name} failed:\n{done.stderr[-3000:]}"
    report = json.loads(done.stdout)
    assert isinstance(report, dict) and report, f"bench_{name} reported nothing"
    assert keys <= set(report), f"bench_{name}: {sorted(report)}"
