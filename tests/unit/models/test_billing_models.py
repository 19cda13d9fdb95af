"""Billing models on SQLite and PostgreSQL: round trips, unique rules, big money, facts
that are only ever inserted."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.models import (
    Bill,
    CreditEntry,
    CustomerAccount,
    DayClosing,
    FeeItem,
    Hall,
    LateFeeRuleRow,
    Payment,
    PaymentAllocation,
    PaymentFee,
    PaymentVoid,
    ReceiptPrint,
    ReceiptSeries,
    Refund,
    Staff,
)
from app.models.billing import AppendOnlyError
from app.models.db import Database
from app.models.migrate import upgrade

BIG = 2**31 + 12_345  # fen above a 32-bit integer: 21 474 959.93 yuan
HUGE = 9 * 10**15  # still exact in a BIGINT
AT = datetime(2026, 12, 3, 9, 30, tzinfo=timezone(timedelta(hours=8)))


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database.from_url(db_url, use_keyring=False)
    upgrade(database.engine)
    try:
        yield database
    finally:
        database.dispose()


def _hall(s: Session) -> Hall:
    hall = Hall(id=uuid.uuid4(), code=uuid.uuid4().hex[:8], name_zh="厅", name_en="Hall")
    s.add(hall)
    s.flush()  # rows are not linked by relationships: insert in this order
    return hall


def _staff(s: Session, hall: Hall) -> Staff:
    staff = Staff(
        id=uuid.uuid4(),
        hall_id=hall.id,
        job_number=uuid.uuid4().hex[:12],
        name="张三",
        password_hash="x",
    )
    s.add(staff)
    s.flush()
    return staff


def _account(s: Session, hall: Hall, number: str = "1000000001") -> CustomerAccount:
    account = CustomerAccount(
        id=uuid.uuid4(),
        hall_id=hall.id,
        account_number=number,
        name="李四",
        address="深圳市南山区科技园1号",
        phone="13800000000",
        account_type="residential",
        created_at=AT,
    )
    s.add(account)
    s.flush()
    return account


def _payment(
    s: Session, hall: Hall, clerk: Staff, account: CustomerAccount, **kw: object
) -> Payment:
    values: dict[str, object] = {
        "id": uuid.uuid4(),
        "hall_id": hall.id,
        "station": "PC-01",
        "counter_number": 3,
        "staff_id": clerk.id,
        "account_id": account.id,
        "method": "cash",
        "amount_fen": 12_345,
        "tendered_fen": 20_000,
        "change_fen": 7_655,
        "receipt_number": f"C01-{uuid.uuid4().int % 10**8:08d}",
        "created_at": AT,
    }
    values.update(kw)
    payment = Payment(**values)
    s.add(payment)
    s.flush()
    return payment


def test_every_billing_row_round_trips(db: Database) -> None:
    with db.write() as s:
        hall = _hall(s)
        clerk = _staff(s, hall)
        manager = _staff(s, hall)
        account = _account(s, hall)
        bill = Bill(
            id=uuid.uuid4(),
            account_id=account.id,
            period="2026-11",
            usage_milli=12_345_678,
            usage_unit="m3",
            amount_fen=BIG,
            due_date=date(2026, 12, 20),
            issued_at=AT,
        )
        fee = FeeItem(
            id=uuid.uuid4(),
            hall_id=hall.id,
            code="METER",
            name_zh="换表费",
            name_en="Meter change",
            amount_fen=5_000,
        )
        rule = LateFeeRuleRow(
            id=uuid.uuid4(),
            hall_id=hall.id,
            account_type="commercial",
            daily_rate_ppm=500,
            cap_ratio_ppm=1_000_000,
            grace_days=15,
        )
        s.add_all([bill, fee, rule])
        pay = _payment(
            s,
            hall,
            clerk,
            account,
            amount_fen=BIG + 100,
            tendered_fen=BIG + 10_000,
            change_fen=9_900,
            ticket_id=uuid.uuid4(),
        )
        s.add_all(
            [
                PaymentAllocation(
                    id=uuid.uuid4(), payment_id=pay.id, bill_id=bill.id, amount_fen=BIG,
                    late_fee_fen=100,
                ),
                CreditEntry(
                    id=uuid.uuid4(), account_id=account.id, amount_fen=-HUGE, reason="applied",
                    payment_id=pay.id, created_at=AT,
                ),
                PaymentVoid(
                    id=uuid.uuid4(), payment_id=pay.id, reason="wrong account",
                    approved_by=manager.id, staff_id=clerk.id, created_at=AT,
                ),
                Refund(
                    id=uuid.uuid4(), hall_id=hall.id, station="PC-01", account_id=account.id,
                    payment_id=pay.id, method="cash", amount_fen=BIG, reason="void",
                    approved_by=manager.id, staff_id=clerk.id, created_at=AT,
                ),
                ReceiptPrint(
                    id=uuid.uuid4(), receipt_number=pay.receipt_number, payment_id=pay.id,
                    printed_at=AT, staff_id=clerk.id,
                ),
                ReceiptSeries(station_prefix="C01", last_number=HUGE),
                DayClosing(
                    id=uuid.uuid4(), hall_id=hall.id, station="PC-01", staff_id=clerk.id,
                    business_date=date(2026, 12, 3), payment_count=1, cash_fen=HUGE,
                    counted_cash_fen=HUGE - 1, expected_cash_fen=HUGE, difference_fen=-1,
                    closed_at=AT,
                ),
            ]
        )  # fmt: skip
        ids = {"account": account.id, "bill": bill.id, "payment": pay.id, "hall": hall.id}

    with db.read() as s:
        a = s.get_one(CustomerAccount, ids["account"])
        assert (a.account_number, a.name, a.account_type, a.active) == (
            "1000000001", "李四", "residential", True,
        )  # fmt: skip
        assert a.created_at == AT and a.created_at.tzinfo is UTC
        b = s.get_one(Bill, ids["bill"])
        assert (b.period, b.usage_milli, b.usage_unit, b.amount_fen) == (
            "2026-11", 12_345_678, "m3", BIG,
        )  # fmt: skip
        assert b.due_date == date(2026, 12, 20)
        p = s.get_one(Payment, ids["payment"])
        assert (p.amount_fen, p.tendered_fen, p.change_fen) == (BIG + 100, BIG + 10_000, 9_900)
        assert p.created_at == AT and p.ticket_id is not None and p.reference == ""
        alloc = s.scalars(select(PaymentAllocation)).one()
        assert (alloc.bill_id, alloc.amount_fen, alloc.late_fee_fen) == (b.id, BIG, 100)
        assert s.scalars(select(CreditEntry.amount_fen)).one() == -HUGE
        assert s.scalars(select(PaymentVoid.reason)).one() == "wrong account"
        assert s.scalars(select(Refund.amount_fen)).one() == BIG
        assert s.scalars(select(ReceiptPrint.copy)).one() is False
        assert s.get_one(ReceiptSeries, "C01").last_number == HUGE
        closing = s.scalars(select(DayClosing)).one()
        assert (closing.cash_fen, closing.difference_fen) == (HUGE, -1)
        # this hall's: the demo hall of the PostgreSQL template has its own schedules
        mine = ids["hall"]
        assert s.scalars(select(FeeItem.name_zh).where(FeeItem.hall_id == mine)).one() == "换表费"
        rates = select(LateFeeRuleRow.daily_rate_ppm).where(LateFeeRuleRow.hall_id == mine)
        assert s.scalars(rates).one() == 500


def test_account_number_is_unique_per_hall(db: Database) -> None:
    with db.write() as s:
        one, two = _hall(s), _hall(s)
        _account(s, one)
        _account(s, two)  # the same number at another hall is another account
    with pytest.raises(IntegrityError), db.write() as s:
        _account(s, one)


def test_a_payment_is_voided_at_most_once(db: Database) -> None:
    with db.write() as s:
        hall = _hall(s)
        clerk, manager = _staff(s, hall), _staff(s, hall)
        account = _account(s, hall)
        pay = _payment(s, hall, clerk, account)

        def void() -> PaymentVoid:
            return PaymentVoid(
                id=uuid.uuid4(), payment_id=pay.id, reason="r", approved_by=manager.id,
                staff_id=clerk.id, created_at=AT,
            )  # fmt: skip

        s.add(void())
    with pytest.raises(IntegrityError), db.write() as s:
        s.add(void())


def test_one_closing_per_clerk_and_day(db: Database) -> None:
    with db.write() as s:
        hall = _hall(s)
        clerk = _staff(s, hall)

    def closing(day: date) -> DayClosing:
        return DayClosing(
            id=uuid.uuid4(), hall_id=hall.id, station="PC-01", staff_id=clerk.id,
            business_date=day, counted_cash_fen=0, expected_cash_fen=0, difference_fen=0,
            closed_at=AT,
        )  # fmt: skip

    with db.write() as s:
        s.add_all([closing(date(2026, 12, 3)), closing(date(2026, 12, 4))])
    with pytest.raises(IntegrityError), db.write() as s:
        s.add(closing(date(2026, 12, 3)))


def test_one_original_receipt_per_payment_and_any_number_of_copies(db: Database) -> None:
    with db.write() as s:
        hall = _hall(s)
        clerk = _staff(s, hall)
        account = _account(s, hall)
        pay = _payment(s, hall, clerk, account)

        def printed(copy: bool) -> ReceiptPrint:
            return ReceiptPrint(
                id=uuid.uuid4(), receipt_number=pay.receipt_number, payment_id=pay.id,
                copy=copy, printed_at=AT, staff_id=clerk.id,
            )  # fmt: skip

        s.add_all([printed(False), printed(True), printed(True)])
    with pytest.raises(IntegrityError), db.write() as s:
        s.add(printed(False))


@pytest.mark.parametrize(
    "bad",
    [
        {"method": "cheque"},
        {"amount_fen": 0},
        {"tendered_fen": 20_000, "change_fen": 1},  # change must be tendered - amount
        {"tendered_fen": 20_000, "change_fen": None},
    ],
)
def test_the_database_refuses_a_malformed_payment(db: Database, bad: dict[str, object]) -> None:
    with db.write() as s:
        hall = _hall(s)
        clerk = _staff(s, hall)
        account = _account(s, hall)
    with pytest.raises(IntegrityError), db.write() as s:
        _payment(s, hall, clerk, account, **bad)


def test_payments_are_never_updated_or_deleted_through_the_orm(db: Database) -> None:
    with db.write() as s:
        hall = _hall(s)
        clerk = _staff(s, hall)
        account = _account(s, hall)
        pay_id = _payment(s, hall, clerk, account).id
    with pytest.raises(AppendOnlyError), db.write() as s:
        s.get_one(Payment, pay_id).amount_fen = 1
    with pytest.raises(AppendOnlyError), db.write() as s:
        s.delete(s.get_one(Payment, pay_id))
    with db.read() as s:
        assert s.get_one(Payment, pay_id).amount_fen == 12_345


def test_payment_fees_copy_the_fee_and_are_append_only(db: Database) -> None:
    """A fee paid keeps its code, names and amount even when the fee item changes later;
    the same fee twice is two rows; the rows are never updated or deleted."""
    with db.write() as s:
        hall = _hall(s)
        clerk = _staff(s, hall)
        account = _account(s, hall)
        pay = _payment(s, hall, clerk, account)
        item = FeeItem(
            id=uuid.uuid4(), hall_id=hall.id, code="RECONNECT", name_zh="复电",
            name_en="Reconnection", amount_fen=BIG,
        )  # fmt: skip
        s.add(item)
        s.flush()
        for _ in range(2):
            s.add(
                PaymentFee(
                    id=uuid.uuid4(), payment_id=pay.id, fee_item_id=item.id, code=item.code,
                    name_zh=item.name_zh, name_en=item.name_en, amount_fen=item.amount_fen,
                )
            )  # fmt: skip
    with db.write() as s:
        s.get_one(FeeItem, item.id).amount_fen = 1  # the schedule may change ...
    with db.read() as s:  # ... what was paid does not
        rows = s.scalars(select(PaymentFee).where(PaymentFee.payment_id == pay.id)).all()
        assert [(r.code, r.name_zh, r.name_en, r.amount_fen) for r in rows] == [
            ("RECONNECT", "复电", "Reconnection", BIG)
        ] * 2
        fee_id = rows[0].id
    with pytest.raises(AppendOnlyError), db.write() as s:
        s.get_one(PaymentFee, fee_id).amount_fen = 0
    with pytest.raises(AppendOnlyError), db.write() as s:
        s.delete(s.get_one(PaymentFee, fee_id))
    with pytest.raises(IntegrityError), db.write() as s:
        s.add(
            PaymentFee(
                id=uuid.uuid4(), payment_id=pay.id, fee_item_id=item.id, code="X",
                name_zh="x", name_en="x", amount_fen=-1,
            )
        )  # fmt: skip


def test_accounts_are_found_by_address_prefix_through_the_index(db: Database) -> None:
    with db.write() as s:
        hall = _hall(s)
        _account(s, hall, "A1")
    with db.read() as s:
        if db.dialect == "postgresql":
            sql = s.execute(
                text("SELECT indexdef FROM pg_indexes WHERE indexname = :n"),
                {"n": "ix_customer_accounts_address"},
            ).scalar_one()
            assert "varchar_pattern_ops" in sql
            found = s.scalars(
                select(CustomerAccount.account_number).where(
                    CustomerAccount.hall_id == hall.id,
                    CustomerAccount.address.like("深圳市南山区%"),
                )
            ).all()
        else:
            prefix = "深圳市南山区"
            found = s.scalars(
                select(CustomerAccount.account_number).where(
                    CustomerAccount.hall_id == hall.id,
                    CustomerAccount.address >= prefix,
                    CustomerAccount.address < prefix + chr(0x10FFFF),
                )
            ).all()
            plan = " ".join(
                str(row[-1])
                for row in s.execute(
                    text(
                        "EXPLAIN QUERY PLAN SELECT account_number FROM customer_accounts"
                        " WHERE hall_id = :h AND address >= :p AND address < :q"
                    ),
                    {"h": hall.id.hex, "p": prefix, "q": prefix + chr(0x10FFFF)},
                )
            )
            assert "ix_customer_accounts_address" in plan
        assert found == ["A1"]
