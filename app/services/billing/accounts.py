"""Account look-up (查户): what a clerk types, or a barcode scanner sends, at the counter.

`find` takes one free-text query and tries it four ways, in this order of rank:

1. the full account number (户号), exactly: a scanned bill lands on its account first;
2. the phone number, exactly (an account holder's several accounts by account number);
3. a prefix of the name (户名), in name order;
4. a prefix of the address (地址), in address order (code-point order on both databases).

An account found in two ways is listed once, at its best rank; at most `limit` accounts.
For the number and the phone the query is read with spaces and hyphens dropped
("138-1234-5678"); everything is NFKC-normalised first, so full-width digits from a
Chinese input method ("１３８…") match, and a scanner's trailing CR/LF is stripped.

All four are index reads on a million accounts (see app.models.billing), sent as one
`UNION ALL` statement (one round trip):

- number: the unique (hall, account_number) index; phone: (hall, phone);
- name: (hall, name) by the range `name >= p AND name < p || U+10FFFF`. That is the exact
  prefix set in code-point order (SQLite's BINARY, PostgreSQL's "C" and "C.UTF-8"); on
  PostgreSQL a `LIKE 'p%'` is added so no false hit can pass under any collation (the
  name index has the default operator class, which LIKE itself could not use there);
- address: on PostgreSQL `LIKE 'p%'` on the `varchar_pattern_ops` index; on SQLite the
  range again (SQLite's LIKE is case-insensitive and would skip the BINARY index).

Each branch is read in its index's order and stops after `limit` entries, so a surname
alone (25,000 of a million accounts) costs what a full name does. Accounts of the same
name (or address) are shown by account number; when more of them than fit match, which
of them make the list is the index's order (stable, not by number): sorting every match
to break that tie cost 70 ms for an address prefix on PostgreSQL.
tests/unit/services/billing/test_accounts.py checks the plans on both databases;
tests/bench/bench_accounts.py times them (docs/PERFORMANCE.md).
"""

from __future__ import annotations

import unicodedata
import uuid
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    Table,
    bindparam,
    literal,
    literal_column,
    select,
    union_all,
)

from app.models import CustomerAccount
from app.models.db import Database
from app.services import errors
from app.services.errors import DomainError
from app.services.hall_ref import HallDirectory

ACCOUNTS = cast(Table, CustomerAccount.__table__)
# Longer than the widest searched column (address, 200) cannot be a prefix of anything.
MAX_QUERY_CHARS = 200
MAX_LIMIT = 100
TOP_CHAR = chr(0x10FFFF)  # the highest code point: the end of a prefix's range
RANK_NUMBER, RANK_PHONE, RANK_NAME, RANK_ADDRESS = 1, 2, 3, 4


@dataclass(frozen=True, slots=True)
class AccountInfo:
    """A customer account as the counter shows it."""

    id: uuid.UUID
    account_number: str
    name: str
    address: str
    phone: str
    account_type: str
    active: bool


def normalise_query(raw: str) -> str:
    """NFKC (full-width digits and letters to ASCII), outer whitespace dropped; BAD_INPUT
    when nothing is left or it is longer than any searched column."""
    if not isinstance(raw, str):
        raise DomainError(errors.BAD_INPUT, "the query must be text", field="query")
    query = unicodedata.normalize("NFKC", raw).strip()
    if not query:
        raise DomainError(errors.BAD_INPUT, "empty query", field="query")
    if len(query) > MAX_QUERY_CHARS:
        raise DomainError(
            errors.BAD_INPUT,
            f"query longer than {MAX_QUERY_CHARS} characters",
            field="query",
            limit=MAX_QUERY_CHARS,
        )
    return query


def number_key(query: str) -> str:
    """The query as an account or phone number: spaces and hyphens dropped."""
    return "".join(ch for ch in query if ch not in " -\t")


def like_prefix(prefix: str) -> str:
    """A LIKE pattern matching strings that start with `prefix` (escape character '\\')."""
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"


COLUMNS = (
    ACCOUNTS.c.id,
    ACCOUNTS.c.account_number,
    ACCOUNTS.c.name,
    ACCOUNTS.c.address,
    ACCOUNTS.c.phone,
    ACCOUNTS.c.account_type,
    ACCOUNTS.c.active,
)


def _prefix_condition(column: Any, *, postgres: bool, pattern_ops: bool) -> Any:
    """`column` starts with the bound `prefix` (see the module's docstring for why so)."""
    like = column.like(bindparam("like", type_=String), escape="\\")
    if postgres and pattern_ops:
        return like
    low, high = bindparam("prefix", type_=String), bindparam("prefix_end", type_=String)
    within = (column >= low) & (column < high)
    return within & like if postgres else within


def branches(*, postgres: bool) -> list[Select[Any]]:
    """The four look-ups, each `SELECT <columns>, rank, key … ORDER BY key LIMIT :limit`,
    with the bound parameters of `find_params`."""
    in_hall = ACCOUNTS.c.hall_id == bindparam("hall_id", type_=ACCOUNTS.c.hall_id.type)
    cap = bindparam("limit", type_=Integer)

    def branch(rank: int, where: ColumnElement[bool], key: Any, *order: Any) -> Select[Any]:
        return (
            select(*COLUMNS, literal(rank).label("rank"), key.label("sort_key"))
            .where(in_hall, where)
            .order_by(*order)
            .limit(cap)
        )

    number = ACCOUNTS.c.account_number
    phone = ACCOUNTS.c.phone
    name = ACCOUNTS.c.name
    address = ACCOUNTS.c.address
    key = bindparam("key", type_=String)
    # The prefix branches are read in their index's order and stop after `limit` entries:
    # a tie-break column in the ORDER BY would make them read every match (25,000 for a
    # surname) to sort it. The varchar_pattern_ops index is in byte order, which is what
    # its operator `~<~` sorts by; ORDER BY address alone would sort by the collation.
    by_address = literal_column("customer_accounts.address USING ~<~") if postgres else address
    return [
        branch(RANK_NUMBER, number == key, number, number),
        # `number || ''`: ordered by the bare column, SQLite without statistics (a new
        # file) walks the whole hall in the number index rather than read the phone index
        branch(RANK_PHONE, phone == key, phone, number.concat("")),
        branch(
            RANK_NAME, _prefix_condition(name, postgres=postgres, pattern_ops=False), name, name
        ),
        branch(
            RANK_ADDRESS,
            _prefix_condition(address, postgres=postgres, pattern_ops=True),
            address,
            by_address,
        ),
    ]


def find_statement(*, postgres: bool) -> Any:
    """The branches as one statement, ordered by rank, then each branch's own order. Built
    once per service: building it costs ten times what SQLite takes to run it."""
    parts = [b.subquery() for b in branches(postgres=postgres)]
    united = union_all(*(select(p) for p in parts)).subquery("found")
    return select(united).order_by(united.c.rank, united.c.sort_key, united.c.account_number)


def find_params(hall_id: uuid.UUID, query: str, limit: int) -> dict[str, Any]:
    return {
        "hall_id": hall_id,
        "key": number_key(query),
        "prefix": query,
        "prefix_end": query + TOP_CHAR,
        "like": like_prefix(query),
        "limit": limit,
    }


def account_info(row: Any) -> AccountInfo:
    return AccountInfo(
        id=row.id,
        account_number=row.account_number,
        name=row.name,
        address=row.address,
        phone=row.phone,
        account_type=row.account_type,
        active=bool(row.active),
    )


class AccountsService:
    """Read-only look-up of the customer accounts of a hall (no Qt, no ORM objects out)."""

    def __init__(self, db: Database, halls: HallDirectory) -> None:
        self._db = db
        self._halls = halls
        self._find = find_statement(postgres=db.engine.dialect.name == "postgresql")

    def find(self, hall_code: str, query: str, limit: int = 20) -> list[AccountInfo]:
        """Accounts matching `query`, best first (see the module's docstring for the order).

        BAD_INPUT for an empty, whitespace-only or overlong query or a limit outside
        1..100, before anything is read; UNKNOWN_HALL for an unknown hall."""
        text = normalise_query(query)
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
            raise DomainError(
                errors.BAD_INPUT, f"limit must be 1..{MAX_LIMIT}", field="limit", limit=limit
            )
        hall = self._halls.get(hall_code)
        with errors.read_unit(self._db) as session:
            rows = session.execute(self._find, find_params(hall.id, text, limit)).all()
        found: list[AccountInfo] = []
        seen: set[uuid.UUID] = set()
        for row in rows:
            if row.id in seen:
                continue
            seen.add(row.id)
            found.append(account_info(row))
            if len(found) == limit:
                break
        return found

    def get(self, hall_code: str, account_number: str) -> AccountInfo:
        """The account with this exact number (spaces and hyphens ignored); BAD_INPUT for
        an empty or overlong one, UNKNOWN_ACCOUNT when the hall has no such account."""
        number = number_key(normalise_query(account_number))
        hall = self._halls.get(hall_code)
        with errors.read_unit(self._db) as session:
            row = session.execute(
                select(*COLUMNS).where(
                    ACCOUNTS.c.hall_id == hall.id, ACCOUNTS.c.account_number == number
                )
            ).first()
        if row is None:
            raise DomainError(
                errors.UNKNOWN_ACCOUNT,
                f"no account '{number}' in hall {hall_code}",
                account_number=number,
            )
        return account_info(row)
