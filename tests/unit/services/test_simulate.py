"""The hall-day simulator: deterministic, sensible, and true to the database it ran in."""

from __future__ import annotations

import json
import statistics
import tempfile
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.bootstrap import build_core
from app.models import Counter as CounterRow
from app.models import CounterSession, Hall, Service, Ticket, TicketEvent
from app.models.db import Database
from app.services.clock import ManualClock
from app.services.simulation.model import (
    MAX_HOURS,
    NEVER,
    customers,
    opening_time,
    service_seconds,
)
from app.services.simulation.run import Report, SimulationConfig, format_report
from app.services.simulation.run import run_simulation as run_with
from app.settings import Settings


def run_simulation(config: SimulationConfig) -> Report:
    """The simulator on the application's own wiring, as the CLI runs it."""
    return run_with(config, build_core)


def _run(**kw: object) -> dict[str, object]:
    return run_simulation(SimulationConfig(**kw)).to_dict()  # type: ignore[arg-type]


def _in_hall(data: dict[str, object], hall: str) -> dict[str, object]:
    """The JSON report as the same run in hall `hall` gives it: the hall's code, and the
    receipt series named after it (SIMC01-00000001 in SIM, SIM2C01-00000001 in SIM2)."""
    was = data["hall"]
    text = json.dumps(data).replace(f'"{was}"', f'"{hall}"').replace(f'"{was}C', f'"{hall}C')
    return json.loads(text)  # type: ignore[no-any-return]


# ---------------------------------------------------------------- the customer stream


def test_customers_are_drawn_from_the_seed_alone() -> None:
    a = customers(SimulationConfig(counters=3, hours=4, seed=5))
    b = customers(SimulationConfig(counters=9, hours=4, seed=5))
    c = customers(SimulationConfig(counters=3, hours=4, seed=6))
    assert a == b  # a what-if with more counters meets the very same customers
    assert a != c
    assert all(x.arrival_s < y.arrival_s for x, y in zip(a, a[1:], strict=False))
    assert all(0 <= x.arrival_s < 4 * 3600 for x in a)


def test_hall_curve_peaks_in_the_late_morning() -> None:
    day = customers(SimulationConfig(hours=8, seed=11))
    hour = Counter(int((opening_time() + timedelta(seconds=c.arrival_s)).hour) for c in day)
    assert hour[10] + hour[11] > 2 * (hour[12] + hour[8])  # 10-12 busy; lunch and 08:30 quiet
    assert 380 <= len(day) <= 560  # ~58/h average over an 8-hour day


def test_constant_rate_and_mix_of_services() -> None:
    day = customers(SimulationConfig(hours=10, seed=3, arrivals_per_hour=100, no_show_rate=0.2))
    assert 900 <= len(day) <= 1100
    needs = Counter(c.need for c in day)
    assert needs["PAY"] > needs["APPLY"] > needs["GREEN"]
    assert set(needs) == {"PAY", "APPLY", "ENQ", "GREEN"}
    assert 0.15 <= sum(c.shows == NEVER for c in day) / len(day) <= 0.25
    assert any(c.priority == 2 for c in day) and any(c.priority == 1 for c in day)
    assert all(c.priority == 0 for c in day if c.need == "GREEN")  # the service has the weight


def test_service_times_average_the_service_default() -> None:
    import random

    rng = random.Random(0)
    times = [service_seconds(480, rng.gauss(0, 1)) for _ in range(20_000)]
    assert 450 <= statistics.fmean(times) <= 510
    assert min(times) >= 30 and max(times) <= 4 * 480
    assert statistics.median(times) < statistics.fmean(times)  # skewed: a few long cases


@pytest.mark.parametrize(
    ("kw", "word"),
    [
        ({"counters": 0}, "--counters"),
        ({"counters": 100}, "--counters"),
        ({"hours": 0}, "--hours"),
        ({"hours": MAX_HOURS + 1}, "--hours"),
        ({"arrivals_per_hour": 0}, "--arrivals-per-hour"),
        ({"no_show_rate": 0.9}, "--no-show-rate"),
    ],
)
def test_bad_configuration_is_refused(kw: dict[str, object], word: str) -> None:
    with pytest.raises(ValueError, match=word):
        SimulationConfig(**kw)  # type: ignore[arg-type]


@pytest.mark.parametrize("counters", [0, -3, 100, 200])
def test_too_few_and_too_many_counters_are_one_message(counters: int) -> None:
    with pytest.raises(ValueError) as caught:
        SimulationConfig(counters=counters)
    assert str(caught.value) == f"--counters must be between 1 and 99, not {counters}"


@pytest.mark.parametrize(
    ("counters", "plans", "words"),
    [
        (8, ("GREEN,FOO",), "unknown service 'FOO' (known: PAY, APPLY, ENQ, GREEN)"),
        (8, ("3=PAY",), "'3' is not an added counter (with --counters 8: 7-8)"),
        (8, ("9=PAY",), "'9' is not an added counter"),
        (7, ("x=PAY",), "'x' is not an added counter (with --counters 7: 7)"),
        (6, ("GREEN",), "--counters 6 adds no counter"),
        (8, ("7=",), "name services"),
        (8, ("PAY,,GREEN",), "name services"),
        (8, ("PAY,pay",), "named twice"),
        (8, ("PAY", "GREEN"), "two plans for every added counter"),
        (8, ("7=PAY", "7=GREEN"), "two plans for counter 7"),
    ],
)
def test_plans_for_added_counters_that_cannot_be_followed_are_refused(
    counters: int, plans: tuple[str, ...], words: str
) -> None:
    with pytest.raises(ValueError, match="^--extra-services") as caught:
        SimulationConfig(counters=counters, extra_services=plans)
    assert words in str(caught.value)


def test_plans_for_added_counters() -> None:
    def plans(*given: str, counters: int = 9) -> dict[int, tuple[str, ...]]:
        return SimulationConfig(counters=counters, extra_services=given).added_counter_services()

    assert plans() == {}  # the demo counters' plans, repeated
    assert plans("green, pay") == {7: ("GREEN", "PAY"), 8: ("GREEN", "PAY"), 9: ("GREEN", "PAY")}
    assert plans("8=ENQ") == {8: ("ENQ",)}
    assert plans("GREEN,PAY", "8=ENQ") == {7: ("GREEN", "PAY"), 8: ("ENQ",), 9: ("GREEN", "PAY")}


# ---------------------------------------------------------------- whole runs


def test_same_seed_same_report() -> None:
    first = run_simulation(SimulationConfig(counters=3, hours=1.5, seed=4))
    second = run_simulation(SimulationConfig(counters=3, hours=1.5, seed=4))
    assert first.to_dict() == second.to_dict()
    assert format_report(first) == format_report(second)
    assert first.totals.issued > 30


def test_different_seeds_differ() -> None:
    a = _run(counters=3, hours=1.5, seed=4)
    b = _run(counters=3, hours=1.5, seed=5)
    assert a["totals"] != b["totals"]


def test_the_simulator_runs_on_the_bootstrap_wiring(sqlite_url: str) -> None:
    """Its services are the application's, built by build_core on a Settings pointing at
    its database, with its clock, and HALLDESK_DATABASE_URL kept out."""
    calls: list[tuple[Settings, dict[str, object]]] = []

    def spy(settings: Settings, **kw: object):  # type: ignore[no-untyped-def]
        calls.append((settings, kw))
        return build_core(settings, **kw)  # type: ignore[arg-type]

    config = SimulationConfig(counters=2, hours=0.5, seed=1, database_url=sqlite_url)
    report = run_with(config, spy)
    [(settings, kw)] = calls
    assert settings.database.url == sqlite_url
    assert kw["environ"] == {} and kw["demo"] is False
    assert isinstance(kw["clock"], ManualClock)
    assert _in_hall(report.to_dict(), "SIM2") == run_simulation(config).to_dict()


def test_without_a_database_it_runs_in_a_temporary_file_whatever_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HALLDESK_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    report = run_simulation(SimulationConfig(counters=2, hours=0.5, seed=1))
    assert report.database == "sqlite (temporary file)" and report.totals.issued > 0
    assert list(tmp_path.iterdir()) == []  # removed afterwards


def test_added_counters_serve_what_the_user_plans() -> None:
    """The what-if of the green channel: two more counters that call it first."""
    plain = run_simulation(SimulationConfig(counters=8, hours=3, seed=1))
    green = run_simulation(
        SimulationConfig(counters=8, hours=3, seed=1, extra_services=("GREEN,PAY",))
    )
    by_number = {c.number: c for c in green.counter_rows}
    assert [c.services for c in plain.counter_rows][6:] == [("PAY", "APPLY")] * 2
    assert by_number[7].services == by_number[8].services == ("GREEN", "PAY")
    assert [c.added for c in green.counter_rows] == [False] * 6 + [True] * 2
    assert by_number[6].services == ("GREEN", "PAY", "APPLY", "ENQ")  # demo ones untouched
    wait = {r.code: r.stats.avg_wait_s for r in green.services}
    before = {r.code: r.stats.avg_wait_s for r in plain.services}
    assert wait["GREEN"] < 0.5 * before["GREEN"]
    data = green.to_dict()
    assert data["config"]["extra_services"] == ["GREEN,PAY"]  # type: ignore[index]
    assert [c["services"] for c in data["counters"]][6:] == [["GREEN", "PAY"]] * 2  # type: ignore[index]
    assert [c["added"] for c in data["counters"]] == [False] * 6 + [True] * 2  # type: ignore[index]
    lines = format_report(green).splitlines()
    assert [line.split()[0] for line in lines[-3:-1]] == ["7+", "8+"]
    assert all(line.endswith("%  GREEN PAY") for line in lines[-3:-1])
    assert lines[-1] == (
        "+ added to the demo hall's counters; they serve as planned: --extra-services GREEN,PAY"
    )


def test_one_added_counter_planned_alone(sqlite_url: str) -> None:
    report = run_simulation(
        SimulationConfig(
            counters=9, hours=1, seed=3, database_url=sqlite_url, extra_services=("8=ENQ",)
        )
    )
    assert [c.services for c in report.counter_rows][6:] == [
        ("PAY", "APPLY"),  # 7 as the demo's 1
        ("ENQ",),
        ("APPLY", "PAY"),  # 9 as the demo's 3
    ]
    db = Database.from_url(sqlite_url, use_keyring=False)
    try:
        with db.read() as s:
            hall_id = s.scalar(select(Hall.id).where(Hall.code == report.hall))
            eight = s.scalar(
                select(CounterRow).where(CounterRow.hall_id == hall_id, CounterRow.number == 8)
            )
            assert eight is not None and len(eight.services) == 1
    finally:
        db.dispose()


def test_two_more_counters_lower_the_waits() -> None:
    """The manager's what-if: the same customers, two more counters."""
    four = run_simulation(SimulationConfig(counters=4, hours=2.5, seed=2))
    six = run_simulation(SimulationConfig(counters=6, hours=2.5, seed=2))
    assert four.customers == six.customers
    assert six.totals.avg_wait_s < 0.6 * four.totals.avg_wait_s
    assert six.totals.max_wait_s < four.totals.max_wait_s
    assert six.totals.waiting_at_close <= four.totals.waiting_at_close
    assert six.totals.served >= four.totals.served


def test_report_and_json() -> None:
    report = run_simulation(SimulationConfig(counters=6, hours=1, seed=9))
    data = json.loads(json.dumps(report.to_dict(), ensure_ascii=False))
    assert data["config"]["counters"] == 6 and data["hall"] == "SIM"
    assert [s["code"] for s in data["services"]] == ["PAY", "APPLY", "ENQ", "GREEN"]
    assert [c["number"] for c in data["counters"]] == [1, 2, 3, 4, 5, 6]
    assert [c["clerk"] for c in data["counters"]] == [str(1000 + n) for n in range(1, 7)]
    t = data["totals"]
    assert t["issued"] == t["served"] + t["no_shows"] + t["waiting_at_close"]
    assert t["issued"] == sum(s["issued"] for s in data["services"])
    assert sum(c["served"] for c in data["counters"]) == sum(s["served"] for s in data["services"])
    assert 0 <= t["avg_wait_s"] <= t["max_wait_s"]
    assert data["opened"] == "08:30" and data["closed"] == "09:30"
    assert all(0 < c["busy_pct"] <= 100 for c in data["counters"])
    text = format_report(report)
    assert f"issued {t['issued']}" in text and "still waiting at close" in text
    assert "GREEN Green channel" in text and " *" not in text  # 6 counters serve every service


def test_services_nobody_serves_are_not_offered() -> None:
    data = _run(counters=3, hours=1, seed=7)  # counters 1-3 serve only PAY and APPLY
    rows = {s["code"]: s for s in data["services"]}  # type: ignore[attr-defined]
    assert not rows["ENQ"]["offered"] and rows["ENQ"]["issued"] == 0
    assert not rows["GREEN"]["offered"] and rows["GREEN"]["issued"] == 0
    assert rows["PAY"]["issued"] + rows["APPLY"]["issued"] == data["customers"]


def test_without_no_shows_nobody_is_marked_no_show() -> None:
    none = _run(counters=4, hours=1.5, seed=3, no_show_rate=0.0)
    many = _run(counters=4, hours=1.5, seed=3, no_show_rate=0.3)
    assert none["totals"]["no_shows"] == 0  # type: ignore[index]
    assert many["totals"]["no_shows"] >= 10  # type: ignore[index]


# ---------------------------------------------------------------- against the database rows


def _finals(rows: list[Ticket]) -> list[Ticket]:
    followed = {t.previous_id for t in rows if t.previous_id is not None}
    return [t for t in rows if t.id not in followed]


def test_every_ticket_accounted_for_in_the_database(db_url: str) -> None:
    """issued = served + no-shows + still waiting at close, counted on the rows."""
    report = run_simulation(
        SimulationConfig(counters=4, hours=1.5, seed=8, no_show_rate=0.1, database_url=db_url)
    )
    db = Database.from_url(db_url, use_keyring=False)
    try:
        with db.read() as s:
            hall_id = s.scalar(select(Hall.id).where(Hall.code == report.hall))
            rows = list(s.scalars(select(Ticket).where(Ticket.hall_id == hall_id)))
            events = list(
                s.scalars(
                    select(TicketEvent)
                    .where(TicketEvent.hall_id == hall_id)
                    .order_by(TicketEvent.id)
                )
            )
            codes = {
                sid: code
                for sid, code in s.execute(
                    select(Service.id, Service.code).where(Service.hall_id == hall_id)
                )
            }
            open_sessions = s.scalar(
                select(CounterSession.id)
                .join(CounterRow, CounterRow.id == CounterSession.counter_id)
                .where(CounterRow.hall_id == hall_id, CounterSession.ended_at.is_(None))
            )
    finally:
        db.dispose()
    t = report.totals
    printed = [r for r in rows if r.previous_id is None]
    finals = Counter(r.status for r in _finals(rows))
    assert len(printed) == t.issued == report.customers > 40
    assert finals["done"] == t.served and finals["no_show"] == t.no_shows
    assert finals["waiting"] == t.waiting_at_close
    assert t.issued == t.served + t.no_shows + t.waiting_at_close
    assert set(finals) <= {"done", "no_show", "waiting"}  # nobody left at a counter
    assert sum(r.status == "transferred" for r in rows) == t.transferred > 0
    by_id = {r.id: r for r in rows}
    for leg in (r for r in rows if r.previous_id is not None):
        before = by_id[leg.previous_id]
        assert before.status == "transferred" and before.service_id != leg.service_id
        assert (leg.prefix, leg.number, leg.queue_at) == (
            before.prefix,
            before.number,
            before.queue_at,
        )
    assert t.no_shows > 0 and t.served > 0
    assert open_sessions is None  # every clerk logged out at closing time
    # Every no-show was recalled exactly once before being given up.
    kinds: dict[object, list[str]] = {}
    for e in events:
        kinds.setdefault(e.ticket_id, []).append(e.kind)
    for r in rows:
        if r.status == "no_show":
            assert kinds[r.id] == ["issued", "called", "recalled", "no_show"]
    # Waits in the report are the database's: first call minus the time the leg joined
    # that queue (queue_at of a printed ticket, the transfer time of a transferred leg).
    waits: dict[str, list[float]] = {}
    for r in rows:
        if r.called_at is not None:
            joined = r.queue_at if r.previous_id is None else r.issued_at
            waits.setdefault(codes[r.service_id], []).append((r.called_at - joined).total_seconds())
    assert waits
    for row in report.services:
        mine = waits.get(row.code, [])
        assert row.stats.max_wait_s == pytest.approx(max(mine, default=0), abs=0.1)
        assert row.stats.avg_wait_s == pytest.approx(statistics.fmean(mine or [0]), abs=0.1)


def test_a_second_run_in_the_same_database_gets_its_own_hall(sqlite_url: str) -> None:
    first = run_simulation(SimulationConfig(counters=2, hours=0.5, seed=1, database_url=sqlite_url))
    second = run_simulation(
        SimulationConfig(counters=2, hours=0.5, seed=1, database_url=sqlite_url)
    )
    assert (first.hall, second.hall) == ("SIM", "SIM2")
    # the earlier run's rows do not leak into the next one, nor its receipt numbers
    assert _in_hall(second.to_dict(), "SIM") == first.to_dict()
    assert second.payments.stations[0].first_receipt == "SIM2C01-00000001"


# ---------------------------------------------------------------- one service alone


def test_one_service_alone_is_checked() -> None:
    with pytest.raises(ValueError, match=r"^--service: unknown service 'FOO' \(known: PAY, "):
        SimulationConfig(service="FOO")
    with pytest.raises(ValueError, match="^--service runs every counter on that service"):
        SimulationConfig(counters=8, service="ENQ", extra_services=("GREEN",))
    assert SimulationConfig(counters=3, service="ENQ").counter_plans() == {
        1: ("ENQ",),
        2: ("ENQ",),
        3: ("ENQ",),
    }
    assert SimulationConfig(counters=8, extra_services=("8=ENQ",)).counter_plans() == {8: ("ENQ",)}


def test_one_service_alone_meets_the_same_customers_at_the_same_times() -> None:
    mixed = customers(SimulationConfig(hours=6, seed=4, arrivals_per_hour=30))
    alone = customers(SimulationConfig(hours=6, seed=4, arrivals_per_hour=30, service="GREEN"))
    assert [c.arrival_s for c in alone] == [c.arrival_s for c in mixed]
    assert {c.need for c in alone} == {"GREEN"}
    assert all(c.transfer_after is None for c in alone)
    assert any(c.transfer_after is not None for c in mixed)


def test_a_run_of_one_service_alone() -> None:
    report = run_simulation(
        SimulationConfig(counters=2, hours=1.5, seed=2, arrivals_per_hour=12, service="ENQ")
    )
    rows = {r.code: r for r in report.services}
    assert rows["ENQ"].stats.issued == report.customers > 5
    assert all(r.stats.issued == 0 and not r.offered for c, r in rows.items() if c != "ENQ")
    assert report.totals.transferred == 0 and report.totals.transferred_in == 0
    assert [c.services for c in report.counter_rows] == [("ENQ",), ("ENQ",)]
    assert report.to_dict()["config"]["service"] == "ENQ"  # type: ignore[index]
    text = format_report(report)
    assert "arrivals: 12/h constant, all for ENQ;" in text
    assert text.count(" *") == 3 and "* not simulated: --service ENQ runs that service" in text
    assert "service" not in _run(counters=1, hours=0.25, seed=1)["config"]  # type: ignore[operator]
