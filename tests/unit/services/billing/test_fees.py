"""Business fees at the counter on SQLite and PostgreSQL: the schedule, fees paid before
bills, refusals that change nothing, and the fees on the receipt, its reprint, its PDF and
its thermal print. The demo hall at 2026-11-23 09:00 (Asia/Shanghai), late fee 0.1 % a day."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.bootstrap import Core
from app.devices.escpos import decode_print
from app.models import FeeItem, Hall, Payment, PaymentFee
from app.services.billing.dto import FeeInfo, FeeLine
from app.services.billing.receipt_doc import FeeLine as ReceiptFee
from app.services.billing.receipt_escpos import render_escpos
from app.services.billing.receipt_pdf import render_pdf
from tests.unit.services.billing.payment_helpers import (
    HALL,
    add_account,
    add_bill,
    add_fee,
    add_rule,
    assert_refused,
    clerk,
    manager,
    pay,
)
from tests.unit.services.billing.receipt_helpers import need, run

TODAY = date(2026, 11, 23)
RECONNECT = FeeLine("RECONNECT", "复电", "Reconnect fee", Decimal("50.00"))
METER = FeeLine("METER_TEST", "表计校验", "Meter_Test fee", Decimal("100.00"))


@pytest.fixture
def fees(hall: Core) -> dict[str, uuid.UUID]:
    """RECONNECT 50.00, METER_TEST 100.00, OLD_FEE 9.00 (no longer charged); account A1
    with September (100.00 + 4.40 late), October (80.00 + 1.04) and November (50.00, not
    due) bills; account N1 with no bill at all."""
    add_rule(hall)
    a1 = add_account(hall, "A1")
    add_account(hall, "N1")
    add_bill(hall, a1, "2026-09", "100.00", date(2026, 10, 10), 150_000)
    add_bill(hall, a1, "2026-10", "80.00", date(2026, 11, 10), 120_000)
    add_bill(hall, a1, "2026-11", "50.00", date(2026, 12, 10), 80_000)
    return {
        "RECONNECT": add_fee(hall, "RECONNECT", "50.00", "复电"),
        "METER_TEST": add_fee(hall, "METER_TEST", "100.00", "表计校验"),
        "OLD_FEE": add_fee(hall, "OLD_FEE", "9.00", "旧收费", active=False),
    }


def _lines(result):  # type: ignore[no-untyped-def]
    return [(a.period, a.late_fee, a.principal) for a in result.allocations]


def _count(core: Core, table: type) -> int:
    with core.db.read() as s:
        return int(s.scalar(select(func.count()).select_from(table)) or 0)


def test_the_schedule_lists_active_fees_by_code(hall: Core, fees: dict) -> None:
    assert hall.billing.fees(HALL) == [
        FeeInfo("METER_TEST", "表计校验", "Meter_Test fee", Decimal("100.00")),
        FeeInfo("RECONNECT", "复电", "Reconnect fee", Decimal("50.00")),
    ]
    assert str(hall.billing.fees(HALL)[0].amount) == "100.00"
    assert_refused(hall, "unknown_hall", lambda: hall.billing.fees("NOPE"))


def test_fee_only_payment_for_an_account_with_no_bills(hall: Core, fees: dict) -> None:
    me = clerk(hall)
    r = pay(hall, me, "N1", "50.00", fee_codes=["RECONNECT"])
    assert r.fees == (RECONNECT,) and r.fees_total == Decimal("50.00")
    assert r.allocations == () and r.credit_added == Decimal("0.00")
    assert r.amount == Decimal("50.00") and r.change == Decimal("0.00")
    doc = hall.billing.receipt_doc(r)
    assert doc.business_fees == (ReceiptFee("复电", Decimal("50.00")),)
    assert doc.bills == () and doc.total == Decimal("50.00")
    with hall.db.read() as s:
        row = s.scalars(select(PaymentFee)).one()
        assert (row.payment_id, row.fee_item_id, row.code, row.amount_fen) == (
            r.payment_id,
            fees["RECONNECT"],
            "RECONNECT",
            5000,
        )
        assert (row.name_zh, row.name_en) == ("复电", "Reconnect fee")


def test_the_same_fee_twice_and_the_surplus_to_credit(hall: Core, fees: dict) -> None:
    r = pay(hall, clerk(hall), "N1", "120.00", "card", fee_codes=["RECONNECT", "RECONNECT"])
    assert r.fees == (RECONNECT, RECONNECT) and r.fees_total == Decimal("100.00")
    assert r.credit_added == Decimal("20.00")
    assert hall.billing.owed(HALL, "N1", TODAY).credit == Decimal("20.00")
    assert _count(hall, PaymentFee) == 2


def test_fees_first_then_bills_oldest_first_then_credit(hall: Core, fees: dict) -> None:
    me = clerk(hall)
    r = pay(hall, me, "A1", "200.00", fee_codes=["RECONNECT"])
    assert r.fees == (RECONNECT,)
    assert _lines(r) == [  # 150.00 left after the fee
        ("2026-09", Decimal("4.40"), Decimal("100.00")),
        ("2026-10", Decimal("1.04"), Decimal("44.56")),
    ]
    assert r.credit_added == Decimal("0.00")
    r2 = pay(hall, me, "A1", "200.00", fee_codes=["METER_TEST", "RECONNECT"])
    assert r2.fees == (METER, RECONNECT)  # by code, as every reprint shows them
    assert _lines(r2) == [  # 50.00 left: October's rest, then November
        ("2026-10", Decimal("0.00"), Decimal("35.44")),
        ("2026-11", Decimal("0.00"), Decimal("14.56")),
    ]
    doc = hall.billing.receipt_doc(r2)
    assert doc.business_fees == (
        ReceiptFee("表计校验", Decimal("100.00")),
        ReceiptFee("复电", Decimal("50.00")),
    )
    total = sum((f.amount for f in doc.business_fees), Decimal(0))
    assert total + sum((b.amount for b in doc.bills), Decimal(0)) + doc.late_fees == doc.total


def test_no_bills_chosen_pays_only_the_fees(hall: Core, fees: dict) -> None:
    before = hall.billing.owed(HALL, "A1", TODAY)
    r = pay(hall, clerk(hall), "A1", "50.00", bill_ids=[], fee_codes=["RECONNECT"])
    assert r.fees == (RECONNECT,) and r.allocations == () and r.credit_added == Decimal("0.00")
    assert hall.billing.owed(HALL, "A1", TODAY) == before
    r2 = pay(hall, clerk(hall), "A1", "60.00", bill_ids=[], fee_codes=["RECONNECT"])
    assert r2.allocations == () and r2.credit_added == Decimal("10.00")


def test_amount_below_the_fees_is_refused_and_writes_nothing(hall: Core, fees: dict) -> None:
    me = clerk(hall)
    counts = [_count(hall, t) for t in (Payment, PaymentFee)]
    err = assert_refused(
        hall, "amount_below_fees", lambda: pay(hall, me, "N1", "49.99", fee_codes=["RECONNECT"])
    )
    assert err.details == {"fees": "50.00"}
    twice = ["RECONNECT", "RECONNECT"]
    assert_refused(hall, "amount_below_fees", lambda: pay(hall, me, "A1", "99.99", fee_codes=twice))
    assert_refused(
        hall,
        "amount_below_fees",
        lambda: pay(hall, me, "A1", "10.00", bill_ids=[], fee_codes=["METER_TEST"]),
    )
    assert [_count(hall, t) for t in (Payment, PaymentFee)] == counts == [0, 0]
    pay(hall, me, "N1", "50.00", fee_codes=["RECONNECT"])  # the series did not move
    with hall.db.read() as s:
        assert s.scalars(select(Payment.receipt_number)).all() == ["PC1-00000001"]


def test_unknown_inactive_or_other_halls_fee_is_refused(hall: Core, fees: dict) -> None:
    me = clerk(hall)
    with hall.db.write() as s:
        other = Hall(id=uuid.uuid4(), code="OTHER", name_zh="别厅", name_en="Other")
        s.add(other)
        s.flush()
        s.add(
            FeeItem(
                id=uuid.uuid4(), hall_id=other.id, code="ELSEWHERE", name_zh="别处",
                name_en="Elsewhere", amount_fen=100, active=True,
            )
        )  # fmt: skip
    for codes in (["NOPE"], ["OLD_FEE"], ["ELSEWHERE"], ["RECONNECT", "NOPE"], ["reconnect"]):
        err = assert_refused(
            hall,
            "unknown_fee",
            lambda: pay(hall, me, "N1", "500.00", fee_codes=codes),  # noqa: B023
        )
        assert err.details["fee"] in codes
    assert_refused(hall, "bad_input", lambda: pay(hall, me, "N1", "50.00", fee_codes="RECONNECT"))
    assert_refused(
        hall, "bad_input", lambda: pay(hall, me, "N1", "50.00", fee_codes=["RECONNECT"] * 51)
    )
    # the refusals of a payment without fees still stand beside the fees
    assert_refused(
        hall,
        "tendered_too_low",
        lambda: pay(hall, me, "N1", "50.00", fee_codes=["RECONNECT"], tendered=Decimal("40")),
    )
    assert_refused(
        hall,
        "bill_not_of_account",
        lambda: pay(hall, me, "N1", "60.00", fee_codes=["RECONNECT"], bill_ids=[uuid.uuid4()]),
    )


def test_reprint_shows_the_fee_as_it_was_charged(hall: Core, fees: dict, tmp_path: Path) -> None:
    me = clerk(hall)
    r = pay(hall, me, "A1", "80.00", fee_codes=["RECONNECT"])
    with hall.db.write() as s:  # the schedule changes after the payment
        item = s.get_one(FeeItem, fees["RECONNECT"])
        item.amount_fen, item.name_zh = 8000, "复电（新）"
    copy = hall.billing.reprint(me, r.payment_id)
    assert copy.copy and copy.business_fees == (ReceiptFee("复电", Decimal("50.00")),)
    assert copy.business_fees == hall.billing.receipt_doc(r).business_fees
    assert copy.check == hall.billing.receipt_doc(r).check

    texts = {}
    for name, doc in (("original", hall.billing.receipt_doc(r)), ("copy", copy)):
        pdf = tmp_path / f"{name}.pdf"
        pdf.write_bytes(render_pdf(doc, "roll80"))
        texts[name] = run(need("pdftotext"), "-layout", pdf, "-")
    for text in texts.values():
        assert "复电 Fee" in text and "¥50.00" in text and "新" not in text
        assert text.index("复电") < text.index("2026-09")  # the fee above the bills
    # the copy's watermark cuts its lines; the original's fee line has its amount
    fee_line = next(line for line in texts["original"].splitlines() if "复电" in line)
    assert fee_line.split() == ["复电", "Fee", "¥50.00"]

    printed = decode_print(render_escpos(copy, 58)).texts
    fee_row = next(t for t in printed if t.startswith("复电 Fee"))
    assert fee_row.endswith("¥50.00")
    assert printed.index(fee_row) < next(i for i, t in enumerate(printed) if "2026-09" in t)


def test_void_of_a_fee_payment_takes_it_all_back(hall: Core, fees: dict) -> None:
    me = clerk(hall)
    before = hall.billing.owed(HALL, "A1", TODAY)
    r = pay(hall, me, "A1", "80.00", bill_ids=[], fee_codes=["RECONNECT"])  # 30.00 credit
    v = hall.billing.void(me, r.payment_id, manager(hall), "wrong fee")
    assert v.amount == Decimal("80.00") and v.credit_reversed == Decimal("30.00")
    assert hall.billing.owed(HALL, "A1", TODAY) == before
    assert_refused(hall, "already_voided", lambda: hall.billing.reprint(me, r.payment_id))
    closing = hall.closing.close_day(me, HALL, TODAY, Decimal("0.00"))
    assert (closing.payment_count, closing.cash, closing.voids) == (
        0,
        Decimal("0.00"),
        Decimal("80.00"),
    )
