"""What an account owes: unpaid bills oldest first, today's late fee by the account type's
rule, the credit balance and the total, on SQLite and PostgreSQL. The clock is the demo
hall's 2026-11-23 09:00 (Asia/Shanghai)."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest

from app.bootstrap import Core
from app.models import LateFeeRuleRow
from app.services.billing.late_fee import LateFeeRule
from app.services.billing.owed import rule_of
from app.services.errors import DomainError
from tests.unit.services.billing.payment_helpers import (
    HALL,
    add_account,
    add_bill,
    add_rule,
    clerk,
    pay,
)

TODAY = date(2026, 11, 23)


def _row(daily: int, cap: int, grace: int = 0, waived: bool = False) -> LateFeeRuleRow:
    return LateFeeRuleRow(
        id=uuid.uuid4(),
        hall_id=uuid.uuid4(),
        account_type="residential",
        daily_rate_ppm=daily,
        cap_ratio_ppm=cap,
        grace_days=grace,
        waived=waived,
    )


def test_rule_of_converts_ppm_exactly() -> None:
    assert rule_of(_row(500, 300_000, 5)) == LateFeeRule(
        Decimal("0.0005"), Decimal("0.3"), 5, False
    )
    assert rule_of(_row(1000, 0, waived=True)) == LateFeeRule(Decimal("0.001"), None, 0, True)


def test_unknown_account_is_refused(hall: Core) -> None:
    with pytest.raises(DomainError) as caught:
        hall.billing.owed(HALL, "NO-SUCH", TODAY)
    assert caught.value.code == "unknown_account"


def test_unpaid_bills_oldest_first_with_late_fees_and_total(hall: Core) -> None:
    add_rule(hall, daily_ppm=1000, cap_ppm=300_000)
    acc = add_account(hall, "A100")
    add_bill(hall, acc, "2026-11", "50.00", date(2026, 12, 10))
    add_bill(hall, acc, "2026-09", "100.00", date(2026, 10, 10), usage_milli=123_450)
    add_bill(hall, acc, "2026-10", "80.00", date(2026, 11, 10))
    owed = hall.billing.owed(HALL, " A100 ", TODAY)
    assert [b.period for b in owed.bills] == ["2026-09", "2026-10", "2026-11"]
    # 44 and 13 days overdue at 0.1 % a day; the November bill is not due yet
    assert [b.late_fee for b in owed.bills] == [Decimal("4.40"), Decimal("1.04"), Decimal("0.00")]
    assert owed.bills[0].usage == Decimal("123.450")
    assert owed.late_fees == Decimal("5.44")
    assert owed.total_due == Decimal("235.44")
    assert owed.credit == Decimal("0.00")
    assert owed.holder == "户主A100"


def test_cap_grace_and_waiver(hall: Core) -> None:
    add_rule(hall, "commercial", daily_ppm=10_000, cap_ppm=100_000, grace_days=3)
    add_rule(hall, "low_income", waived=True)
    shop = add_account(hall, "S1", "commercial")
    poor = add_account(hall, "L1", "low_income")
    add_bill(hall, shop, "2026-09", "100.00", date(2026, 10, 10))  # 44 - 3 days, 1 %: capped
    add_bill(hall, shop, "2026-10", "100.00", date(2026, 11, 18))  # 5 - 3 = 2 days
    add_bill(hall, poor, "2026-09", "100.00", date(2026, 10, 10))
    assert [b.late_fee for b in hall.billing.owed(HALL, "S1", TODAY).bills] == [
        Decimal("10.00"),
        Decimal("2.00"),
    ]
    assert hall.billing.owed(HALL, "L1", TODAY).late_fees == Decimal("0.00")


def test_no_rule_no_late_fee(hall: Core) -> None:
    acc = add_account(hall, "N1")
    add_bill(hall, acc, "2026-09", "100.00", date(2026, 10, 10))
    assert hall.billing.owed(HALL, "N1", TODAY).total_due == Decimal("100.00")


def test_paid_and_voided_payments_and_credit(hall: Core) -> None:
    add_rule(hall)
    acc = add_account(hall, "P1")
    add_bill(hall, acc, "2026-09", "100.00", date(2026, 10, 10))
    me = clerk(hall)
    pay(hall, me, "P1", "50.00")  # late fee 4.40, then 45.60 of the principal
    owed = hall.billing.owed(HALL, "P1", TODAY)
    assert owed.bills[0].principal == Decimal("54.40")
    assert owed.bills[0].paid == Decimal("45.60")
    # the fee on 54.40 for 44 days (2.39) was paid already with the 4.40
    assert owed.bills[0].late_fee == Decimal("0.00")
    result = pay(hall, me, "P1", "60.00")
    owed = hall.billing.owed(HALL, "P1", TODAY)
    assert owed.bills == () and owed.credit == Decimal("5.60")
    hall.billing.void(me, result.payment_id, hall.auth.approve("8001", "1234"), "wrong account")
    owed = hall.billing.owed(HALL, "P1", TODAY)
    assert owed.credit == Decimal("0.00")
    assert owed.bills[0].principal == Decimal("54.40")
