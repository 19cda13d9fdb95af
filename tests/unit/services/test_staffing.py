"""The staffing advisor's arithmetic: Erlang B and C against hand-worked and exact values,
the average wait, the fewest counters for a target, and the day's table."""

from __future__ import annotations

import math
from fractions import Fraction
from math import factorial

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.services.monitoring.staffing import (
    MAX_ADVISED_COUNTERS,
    TARGET_REL_TOL,
    ServiceDemand,
    advise,
    advise_hour,
    counters_needed,
    erlang_b,
    erlang_c,
    mean_wait_s,
)

PROPERTY = settings(max_examples=300, database=None, deadline=None)


def exact_erlang_c(servers: int, load: Fraction) -> Fraction:
    """The textbook formula in exact fractions: (A^c/c!)·c/(c-A) over Σ_{k<c} A^k/k! plus
    the same term. Slow and overflow-free in Python's integers: the oracle."""
    top = load**servers / factorial(servers) * Fraction(servers) / (servers - load)
    below = sum(load**k / factorial(k) for k in range(servers))
    return top / (below + top)


# ---------------------------------------------------------------- hand-worked values


def test_ten_an_hour_at_six_minutes_is_one_erlang_and_two_counters_wait_two_minutes() -> None:
    """λ = 10/h, s = 6 min: A = 1 Erlang. By hand: B(1) = 1/(1+1) = 1/2,
    B(2) = 1·½ / (2 + ½) = 1/5, C(2) = 2·⅕ / (2 - 1·⅘) = 1/3; W_q = C·s/(c - A) = 2 min."""
    assert erlang_b(1, 1.0) == pytest.approx(1 / 2)
    assert erlang_b(2, 1.0) == pytest.approx(1 / 5)
    assert erlang_c(2, 1.0) == pytest.approx(1 / 3)
    assert mean_wait_s(2, 10, 360) == pytest.approx(120.0)
    # three counters, by hand: B(3) = ⅕ / (3 + ⅕) = 1/16, C(3) = (3/16) / (3 - 15/16) = 1/11
    assert erlang_c(3, 1.0) == pytest.approx(1 / 11)
    assert mean_wait_s(3, 10, 360) == pytest.approx(360 / 11 / 2)
    # one counter carries the whole Erlang: the queue grows without end
    assert erlang_c(1, 1.0) == 1.0 and mean_wait_s(1, 10, 360) == math.inf
    assert counters_needed(10, 360, 120) == 2  # exactly on the target: enough
    assert counters_needed(10, 360, 119.9) == 3
    assert counters_needed(10, 360, 16.4) == 3 and counters_needed(10, 360, 16.3) == 4


def test_two_erlangs_at_three_counters() -> None:
    """A = 2, c = 3 by hand: A³/3!·3/(3-2) = 4, 1 + 2 + 2 = 5, C = 4/9."""
    assert erlang_c(3, 2.0) == pytest.approx(4 / 9)
    assert exact_erlang_c(3, Fraction(2)) == Fraction(4, 9)


@pytest.mark.parametrize(("servers", "table"), [(11, 0.6821), (12, 0.4494), (13, 0.2853)])
def test_ten_erlangs_as_the_tables_give_them(servers: int, table: float) -> None:
    """The printed Erlang C tables at A = 10 (to four places), and the exact value."""
    assert erlang_c(servers, 10.0) == pytest.approx(table, abs=5e-5)
    exact = float(exact_erlang_c(servers, Fraction(10)))
    assert erlang_c(servers, 10.0) == pytest.approx(exact, rel=1e-12)


def test_hundreds_of_counters_without_overflow() -> None:
    """A^c/c! overflows a float from c ≈ 170; the recursion does not. 900 Erlangs at 950
    counters against the exact fraction."""
    with pytest.raises(OverflowError):
        float(900.0**950)  # the textbook formula in floats cannot even start
    exact = float(exact_erlang_c(950, Fraction(900)))
    assert erlang_c(950, 900.0) == pytest.approx(exact, rel=1e-9)
    assert 0.05 < exact < 0.08


@given(
    servers=st.integers(1, 60),
    load=st.fractions(min_value=Fraction(1, 100), max_value=60, max_denominator=100),
)
@PROPERTY
def test_erlang_c_is_the_exact_formula(servers: int, load: Fraction) -> None:
    got = erlang_c(servers, float(load))
    if load >= servers:
        assert got == 1.0
    else:
        assert got == pytest.approx(float(exact_erlang_c(servers, load)), rel=1e-9, abs=1e-300)


# ---------------------------------------------------------------- monotonicity


@given(
    rate=st.floats(0.1, 400, allow_nan=False),
    service_s=st.floats(30, 3600, allow_nan=False),
    servers=st.integers(1, 80),
)
@PROPERTY
def test_one_more_counter_never_means_a_longer_wait(
    rate: float, service_s: float, servers: int
) -> None:
    load = rate * service_s / 3600
    assert erlang_c(servers + 1, load) <= erlang_c(servers, load)
    assert mean_wait_s(servers + 1, rate, service_s) <= mean_wait_s(servers, rate, service_s)
    assert erlang_b(servers + 1, load) <= erlang_b(servers, load)


@given(
    rate=st.floats(0.1, 300, allow_nan=False),
    service_s=st.floats(30, 1800, allow_nan=False),
    target_s=st.floats(1, 3600, allow_nan=False),
)
@PROPERTY
def test_the_advice_is_the_fewest_counters_that_meet_the_target(
    rate: float, service_s: float, target_s: float
) -> None:
    need = counters_needed(rate, service_s, target_s)
    load = rate * service_s / 3600
    assert need > load  # never an unstable number
    assert mean_wait_s(need, rate, service_s) <= target_s * (1 + TARGET_REL_TOL)
    assert mean_wait_s(need - 1, rate, service_s) > target_s
    # more customers, or a stricter target, never fewer counters
    assert counters_needed(rate * 1.1, service_s, target_s) >= need
    assert counters_needed(rate, service_s, target_s / 2) >= need
    assert counters_needed(rate, service_s, target_s * 2) <= need


# ---------------------------------------------------------------- edges and bad input


def test_no_arrivals_need_no_counter_and_wait_nothing() -> None:
    assert counters_needed(0, 300, 60) == 0
    assert mean_wait_s(0, 0, 300) == 0.0 and mean_wait_s(3, 0, 300) == 0.0
    assert erlang_c(3, 0.0) == 0.0 and erlang_b(0, 5.0) == 1.0
    row = advise_hour("ENQ", 9, 0, 300, 60)
    assert (row.counters, row.wait_s, row.wait_one_fewer_s) == (0, 0.0, None)
    kept_open = advise_hour("ENQ", 9, 0, 300, 60, min_counters=1)
    assert (kept_open.counters, kept_open.wait_s, kept_open.wait_one_fewer_s) == (1, 0.0, 0.0)


def test_a_load_at_or_over_the_counters_is_never_advised() -> None:
    # 36/h at 5 min = 3 Erlangs: 3 counters are exactly saturated, wait infinite
    assert mean_wait_s(3, 36, 300) == math.inf and erlang_c(3, 3.0) == 1.0
    assert counters_needed(36, 300, 10**9) == 4  # even a target of 30 years needs 4
    row = advise_hour("PAY", 10, 36, 300, 600)
    assert row.counters == 4 and row.wait_one_fewer_s == math.inf


@pytest.mark.parametrize(
    ("args", "words"),
    [
        ((-1, 300, 60), "arrivals per hour must be a finite number 0 or more"),
        ((math.nan, 300, 60), "arrivals per hour"),
        ((math.inf, 300, 60), "arrivals per hour"),
        ((10, 0, 60), "mean service time must be a finite number above 0"),
        ((10, -5, 60), "mean service time"),
        ((10, 300, 0), "target wait must be a finite number above 0"),
        ((10, 300, math.nan), "target wait"),
    ],
)
def test_bad_numbers_are_refused(args: tuple[float, float, float], words: str) -> None:
    with pytest.raises(ValueError, match=words):
        counters_needed(*args)


def test_other_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="servers must be 0 or more"):
        erlang_c(-1, 1.0)
    with pytest.raises(ValueError, match="load must be"):
        erlang_b(2, -0.5)
    with pytest.raises(ValueError, match="hour must be 0-23"):
        advise_hour("PAY", 24, 10, 300, 60)
    with pytest.raises(ValueError, match="open counters"):
        advise_hour("PAY", 9, 10, 300, 60, open_counters=-1)
    with pytest.raises(ValueError, match=f"more than {MAX_ADVISED_COUNTERS} counters"):
        counters_needed(100_000, 3600, 60)
    twice = [ServiceDemand("PAY", {9: 1}, 300, 60), ServiceDemand("PAY", {9: 2}, 300, 60)]
    with pytest.raises(ValueError, match="a service is given twice"):
        advise(twice)


# ---------------------------------------------------------------- the day's table


def test_the_table_per_service_and_hour_against_what_was_open() -> None:
    pay = ServiceDemand(
        "PAY", {9: 10.0, 10: 36.0}, 360.0, 120.0, open_counters={9: 3.0, 10: 2.5, 11: 1.0}
    )
    enq = ServiceDemand("ENQ", {10: 6.0}, 600.0, 300.0)  # open counters not known
    advice = advise([pay, enq], hall_open={9: 3.0, 10: 4.0, 11: 1.0})
    assert advice.hours == (9, 10, 11)
    assert [r.service for r in advice.rows] == ["PAY"] * 3 + ["ENQ"] * 3
    nine = advice.row("PAY", 9)
    assert nine is not None
    assert (nine.counters, nine.load_erlangs) == (2, pytest.approx(1.0))
    assert nine.wait_s == pytest.approx(120.0) and nine.wait_one_fewer_s == math.inf
    assert nine.surplus == 1.0 and nine.open_wait_s == pytest.approx(360 / 11 / 2)
    ten = advice.row("PAY", 10)  # 3.6 Erlangs, 2 minutes: 5 counters; 2.5 open: short 2.5
    assert ten is not None and ten.counters == counters_needed(36, 360, 120) == 5
    assert ten.surplus == -2.5 and ten.open_wait_s == math.inf  # 2 whole counters: unstable
    eleven = advice.row("PAY", 11)
    assert eleven is not None and (eleven.counters, eleven.surplus) == (0, 1.0)
    assert [r.open_counters for r in advice.for_service("ENQ")] == [None] * 3
    assert [r.surplus for r in advice.for_service("ENQ")] == [None] * 3
    assert [(t.hour, t.counters, t.open_counters) for t in advice.totals] == [
        (9, 2, 3.0),
        (10, 5 + counters_needed(6, 600, 300), 4.0),
        (11, 0, 1.0),
    ]
    assert [t.surplus for t in advice.totals] == [1.0, 4.0 - advice.totals[1].counters, 1.0]


def test_one_pool_needs_no_more_than_counters_of_their_own() -> None:
    """Pooled: the arrivals added up (46/h), the time weighted by them, the strictest
    target: never more than the services' advice added up."""
    pay = ServiceDemand("PAY", {10: 36.0}, 360.0, 120.0)
    enq = ServiceDemand("ENQ", {10: 10.0}, 600.0, 300.0)
    [total] = advise([pay, enq]).totals
    mean = (36 * 360 + 10 * 600) / 46
    assert total.pooled == counters_needed(46, mean, 120.0)
    assert total.pooled <= total.counters
    assert total.open_counters is None and total.surplus is None
    [quiet] = advise([ServiceDemand("PAY", {7: 0.0}, 300, 60)], min_counters=1).totals
    assert (quiet.counters, quiet.pooled) == (1, 1)


def test_hours_can_be_given() -> None:
    advice = advise([ServiceDemand("PAY", {9: 10.0}, 360.0, 120.0)], hours=[8, 9])
    assert advice.hours == (8, 9)
    assert [r.counters for r in advice.rows] == [0, 2]
    assert advice.row("PAY", 12) is None
