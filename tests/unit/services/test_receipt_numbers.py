"""Receipt numbers: gapless per station under concurrent payments, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from app.models import ReceiptSeries
from app.models.db import Database
from app.models.migrate import upgrade
from app.services.billing.receipt_numbers import (
    format_receipt_number,
    next_receipt_number,
    parse_receipt_number,
)

THREADS = 4
PER_THREAD = 50


class Rollback(Exception):
    """Raised inside a unit of work to roll back the payment that took a number."""


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database.from_url(db_url, use_keyring=False)
    upgrade(database.engine)
    try:
        yield database
    finally:
        database.dispose()


def _take(db: Database, prefix: str, *, roll_back: bool = False) -> str | None:
    """One payment's transaction: its number when it committed, None when rolled back."""
    try:
        with db.write() as s:
            number = next_receipt_number(s, prefix)
            if roll_back:
                raise Rollback
    except Rollback:
        return None
    return number


def test_numbers_start_at_one_and_carry_the_prefix(db: Database) -> None:
    assert [_take(db, "C01") for _ in range(3)] == ["C01-00000001", "C01-00000002", "C01-00000003"]


def test_a_rolled_back_payment_gives_its_number_back(db: Database) -> None:
    assert _take(db, "C01") == "C01-00000001"
    assert _take(db, "C01", roll_back=True) is None
    assert _take(db, "C01") == "C01-00000002"
    with db.read() as s:
        assert s.scalar(select(ReceiptSeries.last_number)) == 2


def test_each_station_has_its_own_series(db: Database) -> None:
    assert _take(db, "A") == "A-00000001"
    assert _take(db, "B") == "B-00000001"
    assert _take(db, "A") == "A-00000002"


def test_concurrent_payments_commit_exactly_one_to_n(db: Database) -> None:
    """4 threads x 50 payments, every fifth rolled back on purpose: the committed numbers
    are exactly 1..N with no gap and no duplicate, and the series stops at N."""
    committed: list[str] = []
    failures: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(THREADS)

    def clerk(worker: int) -> None:
        try:
            start.wait()
            for i in range(PER_THREAD):
                roll_back = (i + worker) % 5 == 0
                try:
                    with db.write() as s:
                        number = next_receipt_number(s, "ST1")
                        time.sleep(0.001)  # hold the series while another clerk waits
                        if roll_back:
                            raise Rollback
                except Rollback:
                    continue
                with lock:
                    committed.append(number)
        except BaseException as exc:  # reported below, not lost in the thread
            failures.append(exc)

    threads = [threading.Thread(target=clerk, args=(w,)) for w in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not failures, failures
    rolled_back = sum((i + w) % 5 == 0 for w in range(THREADS) for i in range(PER_THREAD))
    n = THREADS * PER_THREAD - rolled_back
    assert rolled_back > 0
    numbers = sorted(parse_receipt_number(r)[1] for r in committed)
    assert numbers == list(range(1, n + 1))
    with db.read() as s:
        assert s.get(ReceiptSeries, "ST1") is not None
        assert s.scalar(select(ReceiptSeries.last_number)) == n


@pytest.mark.parametrize("prefix", ["", "c01", "C-1", "A" * 17, "站1"])
def test_bad_prefixes_are_refused_before_anything_is_written(db: Database, prefix: str) -> None:
    with pytest.raises(ValueError), db.write() as s:
        next_receipt_number(s, prefix)
    with db.read() as s:
        assert s.scalar(select(ReceiptSeries.station_prefix)) is None


def test_format_and_parse() -> None:
    assert format_receipt_number("C01", 12) == "C01-00000012"
    assert format_receipt_number("C01", 123_456_789) == "C01-123456789"
    assert parse_receipt_number(" c01-00000012 ") == ("C01", 12)
    for bad in ("C01-12", "C01-00000000", "C0100000012", "-00000001"):
        with pytest.raises(ValueError):
            parse_receipt_number(bad)
    with pytest.raises(ValueError):
        format_receipt_number("C01", 0)
