"""The demo book of accounts: deterministic, plausible, quick to seed, only with the demo."""

from __future__ import annotations

from collections import Counter as Tally
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from app.bootstrap import Core, build_core
from app.models import Bill, CustomerAccount, FeeItem, Hall, LateFeeRuleRow, Service
from app.models.db import Database
from app.models.migrate import upgrade
from app.services.simulation.demo_accounts import (
    DEMO_ACCOUNTS,
    MONTHS,
    hall_day,
    periods,
    seed_demo_accounts,
)
from app.services.simulation.demo_hall import DEMO_HALL, ensure_demo_hall
from tests.conftest import make_settings

TODAY = date(2026, 12, 3)


@contextmanager
def _demo_hall(path: Path) -> Iterator[Database]:
    """A fresh SQLite file with the demo hall and no book."""
    db = Database.from_url(f"sqlite:///{path}", use_keyring=False)
    try:
        upgrade(db.engine)
        ensure_demo_hall(db, accounts=0)
        yield db
    finally:
        db.dispose()


def _seeded(path: Path, *, seed: int, count: int = 300) -> tuple[list[Any], ...]:
    """A fresh SQLite file with a demo hall (no book) and a book of `count` accounts."""
    with _demo_hall(path) as db:
        with db.write() as s:
            hall = s.scalars(select(Hall).where(Hall.code == DEMO_HALL)).one()
            s.execute(FeeItem.__table__.delete())
            s.execute(LateFeeRuleRow.__table__.delete())
            services = {v.code: v.id for v in s.scalars(select(Service))}
            seed_demo_accounts(s, hall.id, DEMO_HALL, services, count=count, seed=seed, today=TODAY)
        with db.read() as s:
            accounts = s.execute(
                select(
                    CustomerAccount.id,
                    CustomerAccount.account_number,
                    CustomerAccount.name,
                    CustomerAccount.address,
                    CustomerAccount.phone,
                    CustomerAccount.account_type,
                    CustomerAccount.active,
                    CustomerAccount.created_at,
                ).order_by(CustomerAccount.account_number)
            ).all()
            bills = s.execute(
                select(
                    Bill.id,
                    Bill.account_id,
                    Bill.period,
                    Bill.usage_milli,
                    Bill.usage_unit,
                    Bill.amount_fen,
                    Bill.due_date,
                    Bill.issued_at,
                ).order_by(Bill.id)
            ).all()
            fees = s.execute(
                select(FeeItem.code, FeeItem.name_zh, FeeItem.amount_fen).order_by(FeeItem.code)
            ).all()
            rules = s.execute(
                select(
                    LateFeeRuleRow.account_type,
                    LateFeeRuleRow.daily_rate_ppm,
                    LateFeeRuleRow.cap_ratio_ppm,
                    LateFeeRuleRow.waived,
                ).order_by(LateFeeRuleRow.account_type)
            ).all()
        return accounts, bills, fees, rules


def test_the_same_seed_gives_the_same_book(tmp_path: Path) -> None:
    first = _seeded(tmp_path / "a.sqlite3", seed=7)
    again = _seeded(tmp_path / "b.sqlite3", seed=7)
    other = _seeded(tmp_path / "c.sqlite3", seed=8)
    assert first == again  # rows, ids and all
    assert first[0] != other[0] and first[1] != other[1]
    assert first[2:] == other[2:]  # the schedules do not depend on the seed


def test_the_book_is_plausible(tmp_path: Path) -> None:
    accounts, bills, fees, rules = _seeded(tmp_path / "a.sqlite3", seed=7, count=1000)
    kinds = Tally(a.account_type for a in accounts)
    assert kinds["residential"] > 700 and kinds["commercial"] > 50 and kinds["low_income"] > 20
    assert len({a.account_number for a in accounts}) == 1000
    assert all(len(a.phone) == 11 and a.phone.isdigit() for a in accounts)
    assert all("区" in a.address and "号" in a.address for a in accounts)
    assert len(bills) == MONTHS * 1000
    kind_of = {a.id: a.account_type for a in accounts}
    per_kwh = {"residential": (40, 1000), "low_income": (20, 400), "commercial": (500, 40_000)}
    for bill in bills:
        low, high = per_kwh[kind_of[bill.account_id]]
        assert low * 1000 <= bill.usage_milli <= high * 1000 and bill.usage_unit == "kWh"
        assert bill.amount_fen > 0
    due = sorted({b.due_date for b in bills})
    assert [p for p, _, _ in periods(TODAY)] == sorted({b.period for b in bills})
    assert due[-1] == date(2026, 12, 25) and due[0] == date(2026, 1, 25)
    assert sum(d < TODAY for d in due) == MONTHS - 1  # eleven periods overdue, one not yet due
    assert {("METER_MOVE", "表计移位"), ("RECONNECT", "复电")} <= {(f[0], f[1]) for f in fees}
    by_type = {r.account_type: r for r in rules}
    assert by_type["low_income"].waived and not by_type["residential"].waived
    assert by_type["commercial"].daily_rate_ppm > by_type["residential"].daily_rate_ppm


def test_demo_seeds_the_book_and_the_tests_halls_go_without(core: Core, tmp_path: Path) -> None:
    """`--demo` (demo_book) seeds the whole book; the plain demo hall of the tests has
    none (it would cost every test 0.6 s)."""
    with core.db.read() as s:
        assert s.scalar(select(func.count()).select_from(CustomerAccount)) == 0
        assert s.scalar(select(func.count()).select_from(LateFeeRuleRow)) == 0
    url = f"sqlite:///{tmp_path / 'book.sqlite3'}"
    with_book = build_core(make_settings(url), data_dir=tmp_path, demo=True, demo_book=True)
    try:
        with with_book.db.read() as s:
            assert s.scalar(select(func.count()).select_from(CustomerAccount)) == DEMO_ACCOUNTS
            assert s.scalar(select(func.count()).select_from(Bill)) == DEMO_ACCOUNTS * MONTHS
            assert s.scalar(select(func.count()).select_from(LateFeeRuleRow)) == 3
    finally:
        with_book.close()


def test_the_book_is_dated_by_the_halls_day_not_the_machines(tmp_path: Path) -> None:
    with _demo_hall(tmp_path / "day.sqlite3") as db:
        with db.write() as s:
            hall = s.scalars(select(Hall).where(Hall.code == DEMO_HALL)).one()
            assert hall.timezone == "Asia/Shanghai"
            # 17:00 UTC on 30 November is 01:00 on 1 December in Shanghai: a new month
            assert hall_day(s, hall.id, datetime(2026, 11, 30, 17, 0, tzinfo=UTC)) == date(
                2026, 12, 1
            )
            assert hall_day(s, hall.id, datetime(2026, 11, 30, 15, 59, tzinfo=UTC)) == date(
                2026, 11, 30
            )
            services = {v.code: v.id for v in s.scalars(select(Service))}
            seed_demo_accounts(s, hall.id, DEMO_HALL, services, count=5)
            shanghai = datetime.now(ZoneInfo("Asia/Shanghai")).date()
        with db.read() as s:
            newest = s.scalar(select(func.max(Bill.period)))
        assert newest == periods(shanghai)[-1][0]  # the book runs to the hall's last month
