"""The staffing advice checked by simulation (issue 10): the counters advised for a service,
simulated, keep its average wait under the target; one counter fewer does not.

The check, end to end: a pilot day of the enquiries service alone (`--service ENQ`) at a
constant 18 an hour is read back from its database as the advisor reads a real day
(`read_hall_day`); from its measured time at a counter the advisor picks the counters for
an average wait of 5 minutes; then the simulator runs that many counters, and one fewer,
over three other 15-hour days, and the average waits are compared with the target.

Why these numbers, and why the check is not a matter of luck:
- Erlang C is a steady-state model with exponential service; the simulator's service
  times are lognormal (CV ≈ 0.45 with the walk-up), for which waits run at about
  (1 + CV²)/2 ≈ 0.6 of Erlang's (Allen-Cunneen), and each day starts empty. The advice
  is on the safe side; the test is only fair to "one fewer" where Erlang's figure for it
  is far over the target. At 18/h × ≈ 6.4 min (≈ 1.9 Erlangs) the advice is 3 counters
  (Erlang: ≈ 2.4 min) and 2 counters are 96 % busy (Erlang: over an hour).
- Day averages of a queue that busy spread widely, so the waits are averaged over three
  15-hour days (≈ 800 customers per staffing). tests/bench/staffing_spread.py repeats
  this check on 1,500 other sets of seeds, with the simulator's own customers and a copy
  of its queue without the database (which gives the simulator's figures to 0.1 s): the
  advised counters' average never went over 3.2 min, one fewer's never under 6.1 min.
  With the seeds here the simulator gives 1.5 and 15.4 min.
"""

from __future__ import annotations

import statistics
from pathlib import Path

import pytest

from app.bootstrap import build_core
from app.models.db import Database
from app.services.monitoring.staffing import advise_hour, mean_wait_s
from app.services.monitoring.staffing_day import read_hall_day
from app.services.simulation.model import SIM_DATE, opening_time
from app.services.simulation.run import Report, SimulationConfig, run_simulation

SERVICE = "ENQ"
RATE = 18.0  # arrivals an hour, constant
TARGET_S = 300.0  # the average wait to keep under: 5 minutes
HOURS = 15.0  # 08:30-23:30, the longest day the simulator runs
SEEDS = (2, 3, 4)  # the pilot day is seed 1


def _day(counters: int, seed: int, database_url: str | None = None) -> Report:
    config = SimulationConfig(
        counters=counters,
        hours=HOURS,
        seed=seed,
        arrivals_per_hour=RATE,
        no_show_rate=0.0,  # Erlang C has no no-shows; their minute at the counter would blur
        service=SERVICE,
        database_url=database_url,
    )
    return run_simulation(config, build_core)


def _average_wait_s(reports: list[Report]) -> float:
    return statistics.fmean(
        next(r for r in report.services if r.code == SERVICE).stats.avg_wait_s for report in reports
    )


@pytest.mark.timeout(600)
def test_the_advised_counters_meet_the_target_and_one_fewer_does_not(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'pilot.sqlite3'}"
    pilot = _day(6, 1, url)  # counters to spare: the pilot measures, it does not queue
    db = Database.from_url(url, use_keyring=False)
    try:
        day = read_hall_day(
            db, pilot.hall, SIM_DATE, now=opening_time().replace(hour=23, minute=59)
        )
    finally:
        db.dispose()
    measured = next(s for s in day.services if s.code == SERVICE)
    assert day.hours == tuple(range(8, 24))
    assert measured.arrived == pilot.customers and measured.timed >= pilot.customers - 2
    # time at a counter: the service's 6 min, the walk-up (10-35 s) and a few recalls
    assert 360 < measured.mean_service_s < 420
    rate = measured.arrived / HOURS
    assert 15 < rate < 21

    advice = advise_hour(SERVICE, 12, RATE, measured.mean_service_s, TARGET_S)
    assert advice.counters == 3
    assert advice.wait_s < 0.6 * TARGET_S  # Erlang: ≈ 2.4 min with 3 counters
    assert advice.wait_one_fewer_s is not None and advice.wait_one_fewer_s > 10 * TARGET_S
    # the day's own rate gives the same advice: it does not hang on the rate we set
    assert advise_hour(SERVICE, 12, rate, measured.mean_service_s, TARGET_S).counters == 3
    assert mean_wait_s(3, rate, measured.mean_service_s) < TARGET_S

    advised = [_day(advice.counters, seed) for seed in SEEDS]
    fewer = [_day(advice.counters - 1, seed) for seed in SEEDS]
    assert [r.customers for r in advised] == [r.customers for r in fewer]  # the same people
    waits = (_average_wait_s(advised), _average_wait_s(fewer))
    print(
        f"\n{SERVICE} {RATE:g}/h, {measured.mean_service_s:.0f} s at a counter: "
        f"Erlang {advice.wait_s / 60:.1f} min at {advice.counters} counters; simulated "
        f"{waits[0] / 60:.1f} min at {advice.counters}, {waits[1] / 60:.1f} min at "
        f"{advice.counters - 1}; target {TARGET_S / 60:g} min"
    )
    assert waits[0] <= TARGET_S < waits[1]
