"""Late fee (滞纳金 / 违约金) on an unpaid bill, by the rule of the account's type.

Utilities charge a daily rate on the unpaid amount for each day after the due date (power
tariffs typically 0.1 % a day for households, more for businesses), often capped at a share
of the bill, and waived for some account types (low-income, 低保 households). The rule is
data (`LateFeeRule`, one per account type, from the tariff settings); this module only
computes.

How the fee is computed, exactly (integer fen and `Fraction`, no float, no context
precision to lose digits):

- chargeable days = days after `due + grace_days`, never negative: a bill due on the 10th
  with 0 grace days costs one day's fee when paid on the 11th, nothing on the 10th. Grace
  days are free days, not a deadline after which they are charged back: the fee grows
  smoothly and never jumps.
- fee = principal x daily_rate x chargeable days, accrued without rounding and rounded
  once, at the end, to the fen with ROUND_HALF_UP (四舍五入, as receipts are rounded):
  rounding each day would add up to a fen of error per day.
- cap = principal x cap_ratio rounded DOWN to the fen, so the fee never exceeds the
  stated share of the bill, not even by half a fen; the fee is min(fee, cap).
- a waived rule, a principal of zero or less (nothing owed), or no chargeable day: 0.00.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from app.services import errors
from app.services.billing.money import from_fen, to_fen
from app.services.errors import DomainError


@dataclass(frozen=True, slots=True)
class LateFeeRule:
    """The late-fee rule of one account type.

    daily_rate: share of the unpaid amount per day, Decimal("0.001") = 0.1 %/day; 0 allowed.
    cap_ratio:  the fee never exceeds principal x cap_ratio (Decimal("0.3") = 30 % of the
                bill); 0 <= cap_ratio <= 1 (a fee above the debt itself is refused, as
                行政强制法 第45条 does for public charges); None for no cap.
    grace_days: days after the due date that are never charged.
    waived:     no late fee at all for this account type (e.g. low-income households).

    A bad rule raises `DomainError(BAD_INPUT)`; a float instead of a Decimal, `TypeError`.
    """

    daily_rate: Decimal
    cap_ratio: Decimal | None = None
    grace_days: int = 0
    waived: bool = False

    def __post_init__(self) -> None:
        _check_ratio("daily_rate", self.daily_rate)
        if self.cap_ratio is not None:
            _check_ratio("cap_ratio", self.cap_ratio)
            if self.cap_ratio > 1:
                raise DomainError(
                    errors.BAD_INPUT, f"cap_ratio above 1: {self.cap_ratio}", field="cap_ratio"
                )
        if isinstance(self.grace_days, bool) or not isinstance(self.grace_days, int):
            raise TypeError("grace_days is an int")
        if self.grace_days < 0:
            raise DomainError(
                errors.BAD_INPUT, f"negative grace_days: {self.grace_days}", field="grace_days"
            )
        if not isinstance(self.waived, bool):
            raise TypeError("waived is a bool")


def _check_ratio(name: str, value: object) -> None:
    if not isinstance(value, Decimal):
        raise TypeError(f"{name} is a Decimal, not {type(value).__name__}")
    if not value.is_finite() or value < 0:
        raise DomainError(errors.BAD_INPUT, f"bad {name}: {value}", field=name)


def chargeable_days(due: date, today: date, grace_days: int = 0) -> int:
    """Days charged on `today` for a bill due on `due`: those after `due + grace_days`."""
    return max(0, (today - due).days - grace_days)


def _round_half_up(value: Fraction) -> int:
    """A non-negative Fraction to the nearest integer, halves up."""
    return (2 * value.numerator + value.denominator) // (2 * value.denominator)


def late_fee(principal: Decimal, due: date, today: date, rule: LateFeeRule) -> Decimal:
    """The late fee owed on `today` for `principal` unpaid since `due`, in yuan with two
    places, computed as the module docstring says. `principal` must be a whole number of
    fen (`to_fen` refuses otherwise)."""
    principal_fen = to_fen(principal)
    days = chargeable_days(due, today, rule.grace_days)
    if rule.waived or principal_fen <= 0 or days == 0:
        return from_fen(0)
    fee = _round_half_up(principal_fen * Fraction(rule.daily_rate) * days)
    if rule.cap_ratio is not None:
        cap = principal_fen * Fraction(rule.cap_ratio)
        fee = min(fee, cap.numerator // cap.denominator)
    return from_fen(fee)
