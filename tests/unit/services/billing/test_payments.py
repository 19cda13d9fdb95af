"""Payments, voids, refunds and reprints on SQLite and PostgreSQL, in the demo hall at
2026-11-23 09:00 (Asia/Shanghai), with a late fee of 0.1 % a day capped at 30 %."""

from __future__ import annotations

import threading
import uuid
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.bootstrap import Core
from app.models import (
    AuditEntry,
    Bill,
    CreditEntry,
    LateFeeRuleRow,
    Payment,
    PaymentAllocation,
    PaymentFee,
    PaymentVoid,
    ReceiptPrint,
    Refund,
)
from app.services.billing.payments import allocate
from app.services.billing.receipt_check import qr_payload, verify
from app.services.clock import ManualClock
from app.services.errors import DomainError
from app.services.security.actor import Actor
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
from tests.unit.services.queue_helpers import local

KEY_TEST = b"test-receipt-key"


@pytest.fixture
def book(hall: Core) -> dict[str, uuid.UUID]:
    """Account A1 with September (100.00, 44 days late: 4.40), October (80.00, 13 days:
    1.04) and November (50.00, not due) bills; account B1 with one bill."""
    add_rule(hall)
    a1 = add_account(hall, "A1")
    b1 = add_account(hall, "B1")
    return {
        "sep": add_bill(hall, a1, "2026-09", "100.00", date(2026, 10, 10), 150_000),
        "oct": add_bill(hall, a1, "2026-10", "80.00", date(2026, 11, 10), 120_000),
        "nov": add_bill(hall, a1, "2026-11", "50.00", date(2026, 12, 10), 80_000),
        "other": add_bill(hall, b1, "2026-10", "30.00", date(2026, 11, 10)),
    }


def _lines(result):  # type: ignore[no-untyped-def]
    return [(a.period, a.late_fee, a.principal) for a in result.allocations]


def test_allocate_late_fee_first_then_principal_oldest_first() -> None:
    a, b = uuid.uuid4(), uuid.uuid4()
    allocations, surplus = allocate(150, [(a, 100, 10), (b, 100, 5)])
    assert [(x.bill_id, x.late_fee, x.principal) for x in allocations] == [
        (a, 10, 100),
        (b, 5, 35),
    ]
    assert surplus == 0
    assert allocate(5, [(a, 100, 10)])[0][0].principal == 0
    assert allocate(500, [(a, 100, 10)])[1] == 390


def test_pay_oldest_first_with_late_fees_and_cash_change(hall: Core, book: dict) -> None:
    me = clerk(hall)
    r = pay(hall, me, "A1", "185.44", tendered=Decimal("200.00"))
    assert _lines(r) == [
        ("2026-09", Decimal("4.40"), Decimal("100.00")),
        ("2026-10", Decimal("1.04"), Decimal("80.00")),
    ]
    assert (r.tendered, r.change, r.credit_added) == (
        Decimal("200.00"),
        Decimal("14.56"),
        Decimal("0.00"),
    )
    assert r.receipt_number == "PC1-00000001" and r.clerk_no == "1001"
    owed = hall.billing.owed(HALL, "A1", date(2026, 11, 23))
    assert [b.period for b in owed.bills] == ["2026-11"]
    with hall.db.read() as s:
        assert s.scalar(select(func.count()).select_from(ReceiptPrint)) == 1
        actions = s.scalars(select(AuditEntry.action)).all()
    assert "payment" in actions


def test_partial_payment_and_chosen_bills(hall: Core, book: dict) -> None:
    me = clerk(hall)
    r = pay(hall, me, "A1", "50.00", bill_ids=[book["oct"]])
    assert _lines(r) == [("2026-10", Decimal("1.04"), Decimal("48.96"))]
    owed = hall.billing.owed(HALL, "A1", date(2026, 11, 23))
    assert [(b.period, b.principal) for b in owed.bills][:2] == [
        ("2026-09", Decimal("100.00")),
        ("2026-10", Decimal("31.04")),
    ]


def test_prepayment_goes_to_credit_card_and_qr(hall: Core, book: dict) -> None:
    me = clerk(hall)
    r = pay(hall, me, "A1", "300.00", "card", reference="POS-778")
    assert r.credit_added == Decimal("64.56")  # 300 - 235.44
    assert r.tendered is None and r.change is None and r.reference == "POS-778"
    r2 = pay(hall, me, "A1", "10.00", "qr", reference="WX-1")
    assert r2.allocations == () and r2.credit_added == Decimal("10.00")
    assert hall.billing.owed(HALL, "A1", date(2026, 11, 23)).credit == Decimal("74.56")


def test_every_refusal_changes_nothing(hall: Core, book: dict) -> None:
    me = clerk(hall)
    pay(hall, me, "B1", "30.39")  # the B1 bill and its 0.39 late fee are paid
    cases = [
        ("amount_not_positive", {"amount": "0"}),
        ("amount_not_positive", {"amount": "-5"}),
        ("amount_too_precise", {"amount": "1.005"}),
        ("amount_too_large", {"amount": "10000000.01"}),
        ("tendered_too_low", {"tendered": Decimal("9.99")}),
        ("tendered_too_low", {"tendered": None}),
        ("reference_required", {"method": "card", "reference": " "}),
        ("bad_input", {"method": "card", "tendered": Decimal("10")}),
        ("bad_input", {"method": "cheque"}),
        ("bad_input", {"station_prefix": "pc-1"}),
        ("unknown_counter", {"counter_number": 99}),
        ("unknown_account", {"account": "ZZ"}),
        ("bill_not_of_account", {"bill_ids": [book["other"]]}),
        ("bill_not_of_account", {"bill_ids": [uuid.uuid4()]}),
    ]
    for code, kw in cases:
        account = kw.pop("account", "A1")
        amount = kw.pop("amount", "10.00")
        method = kw.pop("method", "cash")
        assert_refused(hall, code, lambda: pay(hall, me, account, amount, method, **kw))  # noqa: B023
    assert_refused(
        hall, "bill_already_paid", lambda: pay(hall, me, "B1", "1.00", bill_ids=[book["other"]])
    )
    fake = Actor(me.staff, me.station, "forged")
    assert_refused(hall, "not_authenticated", lambda: pay(hall, fake, "A1", "1.00"))


def test_void_same_day_with_a_manager(hall: Core, book: dict) -> None:
    me = clerk(hall)
    before = hall.billing.owed(HALL, "A1", date(2026, 11, 23))
    r = pay(hall, me, "A1", "300.00")
    boss = manager(hall)
    v = hall.billing.void(me, r.payment_id, boss, "wrong account")
    assert v.amount == Decimal("300.00") and v.credit_reversed == Decimal("64.56")
    assert hall.billing.owed(HALL, "A1", date(2026, 11, 23)) == before
    assert_refused(hall, "already_voided", lambda: hall.billing.void(me, r.payment_id, boss, "x"))
    assert_refused(hall, "already_voided", lambda: hall.billing.reprint(me, r.payment_id))
    assert_refused(hall, "unknown_payment", lambda: hall.billing.void(me, uuid.uuid4(), boss, "x"))


def test_void_refused_with_a_clerk_approver_the_next_day_and_after_closing(
    hall: Core, book: dict, clock: ManualClock
) -> None:
    me = clerk(hall)
    other = clerk(hall, "1002")
    boss = manager(hall)
    r = pay(hall, me, "A1", "10.00")
    assert_refused(hall, "not_allowed", lambda: hall.billing.void(me, r.payment_id, other, "x"))
    assert_refused(hall, "bad_input", lambda: hall.billing.void(me, r.payment_id, boss, "  "))
    r2 = pay(hall, me, "A1", "20.00")
    hall.closing.close_day(me, HALL, date(2026, 11, 23), Decimal("30.00"))
    assert_refused(hall, "day_closed", lambda: hall.billing.void(me, r2.payment_id, boss, "x"))
    assert_refused(hall, "day_closed", lambda: pay(hall, me, "A1", "1.00"))
    clock.set(local(24, 0, 0, 1))
    assert_refused(
        hall, "void_not_same_day", lambda: hall.billing.void(other, r.payment_id, boss, "x")
    )
    pay(hall, me, "A1", "1.00")  # a new day is open


def test_refund_from_credit(hall: Core, book: dict) -> None:
    me = clerk(hall)
    boss = manager(hall)
    r = pay(hall, me, "A1", "250.00")  # 14.56 credit
    refund = hall.billing.refund(me, HALL, "A1", Decimal("10.00"), boss, "moving out")
    assert refund.credit_left == Decimal("4.56")
    assert_refused(
        hall,
        "credit_insufficient",
        lambda: hall.billing.refund(me, HALL, "A1", Decimal("4.57"), boss, "x"),
    )
    assert_refused(
        hall, "not_allowed", lambda: hall.billing.refund(me, HALL, "A1", Decimal("1"), me, "x")
    )
    # the payment's credit was partly refunded: its void would leave the credit negative
    assert_refused(
        hall, "credit_insufficient", lambda: hall.billing.void(me, r.payment_id, boss, "x")
    )
    with hall.db.read() as s:
        assert s.scalar(select(func.sum(CreditEntry.amount_fen))) == 456


def test_reprint_is_a_copy_and_audited(hall: Core, book: dict) -> None:
    me = clerk(hall)
    r = pay(hall, me, "A1", "200.00", tendered=Decimal("200.00"))
    original = hall.billing.receipt_doc(r)
    assert not original.copy and original.total == Decimal("200.00")
    assert original.late_fees == Decimal("5.44") and original.credit == Decimal("0.00")
    assert original.total_capitals == "贰佰元整"
    copy = hall.billing.reprint(clerk(hall, "1002"), r.payment_id)
    assert copy.copy and copy.number == r.receipt_number
    assert copy.bills == original.bills and copy.check == original.check
    with hall.db.read() as s:
        prints = s.execute(select(ReceiptPrint.copy)).scalars().all()
        audited = s.scalars(select(AuditEntry.action).where(AuditEntry.job_number == "1002"))
        assert "receipt_reprint" in list(audited)
    assert sorted(prints) == [False, True]


def test_receipt_check_verifies_with_the_service_key(db_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from app.bootstrap import build_core
    from tests.conftest import make_settings

    core = build_core(make_settings(db_url), data_dir=tmp_path, demo=True, receipt_key=KEY_TEST)
    try:
        add_account(core, "K1")
        r = pay(core, clerk(core), "K1", "12.34")
        doc = core.billing.receipt_doc(r)
        assert verify(KEY_TEST, qr_payload(doc)) and not verify(b"other", qr_payload(doc))
    finally:
        core.close()


def test_receipt_numbers_gapless_with_four_threads_paying(hall: Core) -> None:
    """4 clerks pay 10 times each at once on the same station series: the committed
    receipts are exactly 1..40, each with its payment."""
    accounts = [f"T{i}" for i in range(4)]
    for number in accounts:
        acc = add_account(hall, number)
        add_bill(hall, acc, "2026-10", "30.00", date(2026, 11, 30))
    clerks = [clerk(hall, f"100{i + 1}") for i in range(4)]
    numbers: list[str] = []
    failures: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(4)

    def run(i: int) -> None:
        try:
            start.wait()
            for _ in range(10):
                r = pay(hall, clerks[i], accounts[i], "3.00", counter_number=i + 1)
                with lock:
                    numbers.append(r.receipt_number)
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not failures, failures
    assert sorted(numbers) == [f"PC1-{n:08d}" for n in range(1, 41)]
    with hall.db.read() as s:
        assert s.scalar(select(func.count()).select_from(PaymentAllocation)) == 40


OPS = st.lists(
    st.one_of(
        st.tuples(
            st.just("pay"),
            st.integers(1, 30_000),
            st.sampled_from(["cash", "card", "qr"]),
            st.lists(st.sampled_from(["PROP_A", "PROP_B", "PROP_FREE"]), max_size=3),
        ),
        st.tuples(st.just("void"), st.integers(0, 50)),
        st.tuples(st.just("refund"), st.integers(1, 6_000)),
    ),
    min_size=1,
    max_size=12,
)


def _books(core: Core, account_id: uuid.UUID) -> tuple[int, int, int, int, int, int]:
    """(P, V, A, F, C, R) of the account in fen: see the property's docstring."""
    live = ~select(PaymentVoid.id).where(PaymentVoid.payment_id == Payment.id).exists()
    voided = select(PaymentVoid.id).where(PaymentVoid.payment_id == Payment.id).exists()
    mine = Payment.account_id == account_id
    with core.db.read() as s:

        def total(stmt) -> int:  # type: ignore[no-untyped-def]
            return int(s.scalar(stmt) or 0)

        return (
            total(select(func.sum(Payment.amount_fen)).where(mine)),
            total(select(func.sum(Payment.amount_fen)).where(mine, voided)),
            total(
                select(func.sum(PaymentAllocation.amount_fen + PaymentAllocation.late_fee_fen))
                .join(Payment, Payment.id == PaymentAllocation.payment_id)
                .where(mine, live)
            ),
            total(
                select(func.sum(PaymentFee.amount_fen))
                .join(Payment, Payment.id == PaymentFee.payment_id)
                .where(mine, live)
            ),
            total(
                select(func.sum(CreditEntry.amount_fen)).where(CreditEntry.account_id == account_id)
            ),
            total(select(func.sum(Refund.amount_fen)).where(Refund.account_id == account_id)),
        )


@settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(ops=OPS)
def test_money_received_equals_settled_plus_credit_plus_refunds(hall: Core, ops: list) -> None:
    """After every step of a random sequence of payments (any method, with or without
    business fees), voids (of any earlier payment, maybe twice) and credit refunds on one
    account, in fen:

        P - V == A + F + C + R

    P: the amounts of all the account's payments; V: the amounts of those voided;
    A: the allocations (principal + late fee) of the payments not voided; F: the business
    fees of the payments not voided; C: the sum of the account's credit entries
    (+overpayment, -void, -refund); R: the refunds paid out. Money kept equals money
    settled on bills and fees plus credit plus money handed back. Also: the credit is
    never negative and no bill is settled beyond its amount."""
    with hall.db.read() as s:
        has_rule = s.scalar(
            select(LateFeeRuleRow.id).where(LateFeeRuleRow.account_type == "commercial")
        )
    if has_rule is None:  # the fixture's hall lives across the examples
        add_rule(hall, "commercial", daily_ppm=5_000)
        add_fee(hall, "PROP_A", "12.34")
        add_fee(hall, "PROP_B", "0.50")
        add_fee(hall, "PROP_FREE", "0")
    number = f"H{uuid.uuid4().hex[:12]}"
    acc = add_account(hall, number, "commercial")
    for month, amount in ((8, "123.45"), (9, "67.89"), (10, "100.00")):
        add_bill(hall, acc, f"2026-{month:02d}", amount, date(2026, month + 1, 10))
    me, boss = clerk(hall), manager(hall)
    payments: list[uuid.UUID] = []
    for op in ops:
        try:
            if op[0] == "pay":
                amount = str(Decimal(op[1]).scaleb(-2))
                payments.append(pay(hall, me, number, amount, op[2], fee_codes=op[3]).payment_id)
            elif op[0] == "void" and payments:
                hall.billing.void(me, payments[op[1] % len(payments)], boss, "property")
            elif op[0] == "refund":
                amount_r = Decimal(op[1]).scaleb(-2)
                hall.billing.refund(me, HALL, number, amount_r, boss, "property")
        except DomainError as exc:
            assert exc.code in {"credit_insufficient", "already_voided", "amount_below_fees"}, exc
        p, v, a, f, c, r = _books(hall, acc)
        assert p - v == a + f + c + r
        assert c >= 0
        for b in hall.billing.owed(HALL, number, date(2026, 11, 23)).bills:
            assert b.paid <= b.amount
    with hall.db.read() as s:
        assert s.scalar(select(func.count()).select_from(Bill).where(Bill.account_id == acc)) == 3
