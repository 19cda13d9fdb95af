"""How much the staffing advisor's simulation check (tests/unit/services/test_staffing_check.py)
could depend on its seeds: the check repeated on many other seeds, in seconds.

    .venv/bin/python tests/bench/staffing_spread.py [--repeats 1500] [--json]

The customers are the simulator's own (`model.customers`: arrivals, service-time draws,
walk-up, late comers); only the queue is stripped down to what one service alone at
counters of its own does in `run.py`, without the database: a free clerk calls the
waiting customer of the highest priority, earliest first; a customer who shows walks up
and is served; a late one is recalled after `CALL_WAIT_S` and then walks up; nobody is
called at or after closing time, and those left waiting have no wait. Repetition r
checks the seeds 3r + 2, 3r + 3, 3r + 4 (r = 0 is the test's); with `--verify` the first
repetition is also run through the real simulator, to show that the copy agrees.

Not a benchmark (the figures do not depend on the machine): not run by scripts/bench.
"""

from __future__ import annotations

import argparse
import heapq
import json
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.services.simulation.demo_hall import SERVICES  # noqa: E402
from app.services.simulation.model import (  # noqa: E402
    LATE,
    SimulationConfig,
    customers,
    service_seconds,
)
from app.services.simulation.run import CALL_WAIT_S  # noqa: E402

SERVICE, RATE, TARGET_S, HOURS = "ENQ", 18.0, 300.0, 15.0  # as the test
ADVISED = 3


def day_average_wait_s(counters: int, seed: int) -> float:
    config = SimulationConfig(
        counters=counters,
        hours=HOURS,
        seed=seed,
        arrivals_per_hour=RATE,
        no_show_rate=0.0,
        service=SERVICE,
    )
    default_s = next(s.default_s for s in SERVICES if s.code == SERVICE)
    close = HOURS * 3600
    free = [0.0] * counters  # when each clerk is free again
    waiting: list[tuple[int, float, int]] = []  # (-priority, arrival, index)
    people = customers(config)
    waits: list[float] = []
    events = [(c.arrival_s, c.index) for c in people]
    i = 0
    # Event by event: the next arrival, or the next clerk to free up with someone waiting.
    while i < len(events) or waiting:
        t_free = min(free)
        if i < len(events) and (not waiting or events[i][0] <= t_free):
            t, k = events[i]
            i += 1
            heapq.heappush(waiting, (-people[k].priority, t, k))
            if t_free > t:
                continue
            t_call = t  # an idle clerk calls at once
        else:
            t_call = t_free
        if t_call >= close:
            break
        _, arrived, k = heapq.heappop(waiting)
        c = people[k]
        clerk = free.index(t_free)
        waits.append(t_call - arrived)
        walk = c.walk_s + (CALL_WAIT_S if c.shows == LATE else 0.0)
        free[clerk] = t_call + walk + service_seconds(default_s, c.service_z)
    return statistics.fmean(waits)


def check(repetition: int) -> tuple[float, float]:
    seeds = [3 * repetition + 2 + j for j in range(3)]

    def average(counters: int) -> float:
        return statistics.fmean(day_average_wait_s(counters, s) for s in seeds)

    return average(ADVISED), average(ADVISED - 1)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=1500)
    p.add_argument("--json", action="store_true")
    p.add_argument("--verify", action="store_true", help="run the test's seeds in the simulator")
    args = p.parse_args()
    results = [check(r) for r in range(args.repeats)]
    advised = sorted(a for a, _ in results)
    fewer = sorted(b for _, b in results)
    out = {
        "repeats": args.repeats,
        "target_s": TARGET_S,
        "advised_max_s": round(advised[-1], 1),
        "advised_median_s": round(statistics.median(advised), 1),
        "advised_over_target": sum(a > TARGET_S for a in advised),
        "one_fewer_min_s": round(fewer[0], 1),
        "one_fewer_median_s": round(statistics.median(fewer), 1),
        "one_fewer_at_or_under_target": sum(b <= TARGET_S for b in fewer),
        "test_seeds_s": [round(x, 1) for x in results[0]],
    }
    if args.verify:
        from app.bootstrap import build_core
        from app.services.simulation.run import run_simulation

        def simulated(counters: int) -> float:
            return statistics.fmean(
                next(
                    r.stats.avg_wait_s
                    for r in run_simulation(
                        SimulationConfig(
                            counters=counters,
                            hours=HOURS,
                            seed=seed,
                            arrivals_per_hour=RATE,
                            no_show_rate=0.0,
                            service=SERVICE,
                        ),
                        build_core,
                    ).services
                    if r.code == SERVICE
                )
                for seed in (2, 3, 4)
            )

        out["test_seeds_simulator_s"] = [round(simulated(c), 1) for c in (ADVISED, ADVISED - 1)]
    if args.json:
        print(json.dumps(out))
    else:
        for key, value in out.items():
            print(f"{key:30s} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
