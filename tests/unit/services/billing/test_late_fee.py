"""Late fee: hand-computed cases and the properties every rule must keep."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.services import errors
from app.services.billing.late_fee import LateFeeRule, chargeable_days, late_fee
from app.services.billing.money import from_fen
from app.services.errors import DomainError

PROPERTY = settings(max_examples=500, database=None)

DUE = date(2026, 3, 10)
HOUSEHOLD = LateFeeRule(daily_rate=Decimal("0.001"), cap_ratio=Decimal("0.3"))


def on(days: int) -> date:
    return DUE + timedelta(days=days)


@pytest.mark.parametrize(
    ("principal", "days", "rule", "fee"),
    [
        # 100.00 x 0.1 % = 0.10 a day
        ("100.00", 0, HOUSEHOLD, "0.00"),
        ("100.00", -5, HOUSEHOLD, "0.00"),
        ("100.00", 1, HOUSEHOLD, "0.10"),
        ("100.00", 30, HOUSEHOLD, "3.00"),
        ("100.00", 299, HOUSEHOLD, "29.90"),
        ("100.00", 300, HOUSEHOLD, "30.00"),
        ("100.00", 1000, HOUSEHOLD, "30.00"),  # capped at 30 %
        # 123.45 x 0.001 x 7 = 0.86415 -> 0.86
        ("123.45", 7, HOUSEHOLD, "0.86"),
        # 5.00 x 0.001 x 1 = 0.005 -> half up -> 0.01
        ("5.00", 1, HOUSEHOLD, "0.01"),
        # 4.99 x 0.001 x 1 = 0.00499 -> 0.00
        ("4.99", 1, HOUSEHOLD, "0.00"),
        # one rounding at the end: 15 days of 0.005 = 0.075 -> 0.08 (per day: 15 x 0.01)
        ("5.00", 15, HOUSEHOLD, "0.08"),
        # the cap is rounded down: 0.05 x 30 % = 0.015 -> 0.01 although 0.02 accrued
        ("0.05", 400, HOUSEHOLD, "0.01"),
        # no principal, nothing owed
        ("0.00", 100, HOUSEHOLD, "0.00"),
        ("-50.00", 100, HOUSEHOLD, "0.00"),
        # business rate 0.2 %/day, no cap: 2,500.00 x 0.002 x 45 = 225.00
        ("2500.00", 45, LateFeeRule(Decimal("0.002")), "225.00"),
        # grace: 5 free days, then 0.10 a day
        ("100.00", 5, LateFeeRule(Decimal("0.001"), grace_days=5), "0.00"),
        ("100.00", 6, LateFeeRule(Decimal("0.001"), grace_days=5), "0.10"),
        ("100.00", 15, LateFeeRule(Decimal("0.001"), grace_days=5), "1.00"),
        # waived (low-income)
        ("100.00", 100, LateFeeRule(Decimal("0.001"), waived=True), "0.00"),
        # cap of 0 and rate of 0
        ("100.00", 100, LateFeeRule(Decimal("0.001"), cap_ratio=Decimal(0)), "0.00"),
        ("100.00", 100, LateFeeRule(Decimal(0)), "0.00"),
        # a whole year at 0.1 %, cap 100 %: 10,000,000.00 x 0.365 = 3,650,000.00
        ("10000000.00", 365, LateFeeRule(Decimal("0.001"), Decimal(1)), "3650000.00"),
        # a rate with many digits stays exact: 1.00 x 0.0123456789 x 2 = 0.0246... -> 0.02
        ("1.00", 2, LateFeeRule(Decimal("0.0123456789")), "0.02"),
    ],
)
def test_hand_computed(principal: str, days: int, rule: LateFeeRule, fee: str) -> None:
    result = late_fee(Decimal(principal), DUE, on(days), rule)
    assert result == Decimal(fee)
    assert str(result) == fee  # two places


def test_across_a_month_and_a_leap_day() -> None:
    # 2028-02-28 due, paid 2028-03-01: 29 Feb and 1 Mar are 2 days late
    assert chargeable_days(date(2028, 2, 28), date(2028, 3, 1)) == 2
    fee = late_fee(Decimal("100.00"), date(2028, 2, 28), date(2028, 3, 1), HOUSEHOLD)
    assert fee == Decimal("0.20")


def test_principal_must_be_whole_fen() -> None:
    with pytest.raises(DomainError) as caught:
        late_fee(Decimal("1.005"), DUE, on(3), HOUSEHOLD)
    assert caught.value.code == errors.AMOUNT_TOO_PRECISE


@pytest.mark.parametrize(
    "kwargs",
    [
        {"daily_rate": Decimal("-0.001")},
        {"daily_rate": Decimal("NaN")},
        {"daily_rate": Decimal("0.001"), "cap_ratio": Decimal("-0.1")},
        {"daily_rate": Decimal("0.001"), "cap_ratio": Decimal("1.01")},
        {"daily_rate": Decimal("0.001"), "grace_days": -1},
    ],
)
def test_bad_rules_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(DomainError) as caught:
        LateFeeRule(**kwargs)  # type: ignore[arg-type]
    assert caught.value.code == errors.BAD_INPUT


@pytest.mark.parametrize(
    "kwargs",
    [
        {"daily_rate": 0.001},
        {"daily_rate": Decimal("0.001"), "cap_ratio": 0.3},
        {"daily_rate": Decimal("0.001"), "grace_days": 1.0},
        {"daily_rate": Decimal("0.001"), "grace_days": True},
        {"daily_rate": Decimal("0.001"), "waived": 1},
    ],
)
def test_floats_and_loose_types_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(TypeError):
        LateFeeRule(**kwargs)  # type: ignore[arg-type]


def test_rule_is_frozen() -> None:
    with pytest.raises(AttributeError):
        HOUSEHOLD.waived = True  # type: ignore[misc]


RULES = st.builds(
    LateFeeRule,
    daily_rate=st.decimals(min_value=0, max_value=Decimal("0.01"), places=6),
    cap_ratio=st.none() | st.decimals(min_value=0, max_value=1, places=4),
    grace_days=st.integers(min_value=0, max_value=60),
    waived=st.booleans(),
)
PRINCIPALS = st.integers(min_value=-10_000, max_value=1_000_000_000).map(from_fen)
OFFSETS = st.integers(min_value=-400, max_value=4000)


@PROPERTY
@given(PRINCIPALS, OFFSETS, RULES)
def test_never_negative_and_never_above_the_cap(
    principal: Decimal, offset: int, rule: LateFeeRule
) -> None:
    fee = late_fee(principal, DUE, on(offset), rule)
    assert fee >= 0
    assert fee.as_tuple().exponent == -2
    if rule.cap_ratio is not None:
        assert fee <= max(principal, Decimal(0)) * rule.cap_ratio
    if rule.waived or principal <= 0:
        assert fee == 0


@PROPERTY
@given(PRINCIPALS, st.integers(min_value=-400, max_value=60), RULES)
def test_nothing_on_or_before_due_plus_grace(
    principal: Decimal, offset: int, rule: LateFeeRule
) -> None:
    if offset <= rule.grace_days:
        assert late_fee(principal, DUE, on(offset), rule) == 0


@PROPERTY
@given(PRINCIPALS, OFFSETS, st.integers(min_value=0, max_value=400), RULES)
def test_monotone_in_today(principal: Decimal, offset: int, later: int, rule: LateFeeRule) -> None:
    earlier_fee = late_fee(principal, DUE, on(offset), rule)
    assert late_fee(principal, DUE, on(offset + later), rule) >= earlier_fee


@PROPERTY
@given(PRINCIPALS, OFFSETS, RULES)
def test_matches_the_formula_in_decimal(principal: Decimal, offset: int, rule: LateFeeRule) -> None:
    """The same rule computed another way: Decimal arithmetic with a wide context."""
    from decimal import ROUND_DOWN, ROUND_HALF_UP, localcontext

    with localcontext() as ctx:
        ctx.prec = 80
        days = max(0, offset - rule.grace_days)
        if rule.waived or principal <= 0 or days == 0:
            expected = Decimal("0.00")
        else:
            expected = (principal * rule.daily_rate * days).quantize(
                Decimal("0.01"), rounding=ROUND_HALF_UP
            )
            if rule.cap_ratio is not None:
                cap = (principal * rule.cap_ratio).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
                expected = min(expected, cap)
    assert late_fee(principal, DUE, on(offset), rule) == expected
