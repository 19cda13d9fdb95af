"""Receipt numbers: one gapless series per station, "PREFIX-00000001", "PREFIX-00000002", …

The next number is taken inside the caller's transaction, the one that writes the payment:
one `INSERT … ON CONFLICT DO UPDATE SET last_number = last_number + 1 RETURNING` on the
station's `receipt_series` row (as ticket numbers are taken in app.services.queue.service).
A payment that rolls back rolls its number back with it, and the next payment gets that
number again, so the committed receipts of a station have no gap and no duplicate.

Why no gap under concurrency: on PostgreSQL the upsert locks the series row until the
payment's transaction ends, and a second transaction waiting on it re-reads the row after
the first commits or rolls back; on SQLite every writing transaction is `BEGIN IMMEDIATE`,
so there is one writer at a time. The price is that payments of one station take turns,
which a single counter does anyway. Never take a number in a transaction of its own.
"""

from __future__ import annotations

import re

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app.models import ReceiptSeries

NUMBER_DIGITS = 8
# Upper-case letters and digits, so the prefix reads back from paper and from a scanner.
_PREFIX = re.compile(r"[A-Z0-9]{1,16}")
_RECEIPT = re.compile(r"([A-Z0-9]{1,16})-(\d{8,})")

_NEXT_NUMBER = {
    name: make(ReceiptSeries)
    .on_conflict_do_update(
        index_elements=["station_prefix"],
        set_={"last_number": ReceiptSeries.last_number + 1},
    )
    .returning(ReceiptSeries.last_number)
    for name, make in (("postgresql", pg_insert), ("sqlite", sqlite_insert))
}


def check_prefix(station_prefix: str) -> str:
    """The prefix itself, or ValueError when it is not 1-16 upper-case letters or digits."""
    if not _PREFIX.fullmatch(station_prefix):
        raise ValueError(f"bad receipt prefix {station_prefix!r}: use 1-16 of A-Z and 0-9")
    return station_prefix


def format_receipt_number(station_prefix: str, number: int) -> str:
    if number < 1:
        raise ValueError(f"receipt numbers start at 1, not {number}")
    return f"{check_prefix(station_prefix)}-{number:0{NUMBER_DIGITS}d}"


def parse_receipt_number(receipt_number: str) -> tuple[str, int]:
    """(prefix, number) of a printed or scanned receipt number; ValueError if malformed."""
    match = _RECEIPT.fullmatch(receipt_number.strip().upper())
    if match is None or int(match.group(2)) < 1:
        raise ValueError(f"not a receipt number: {receipt_number!r}")
    return match.group(1), int(match.group(2))


def next_receipt_number(session: Session, station_prefix: str) -> str:
    """Allocate the next receipt number of the station in the session's open transaction.

    The caller commits it together with the payment that prints it, or rolls both back.
    """
    check_prefix(station_prefix)
    conn = session.connection()
    statement = _NEXT_NUMBER.get(conn.dialect.name)
    if statement is None:
        raise ValueError(f"receipt numbers need SQLite or PostgreSQL, not {conn.dialect.name}")
    number = conn.execute(
        statement, {"station_prefix": station_prefix, "last_number": 1}
    ).scalar_one()
    return format_receipt_number(station_prefix, number)
