"""Account look-up: ranking, normalising, bad input, and the plans on both databases."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, insert, select

from app.bootstrap import Core, build_core
from app.models import CustomerAccount
from app.services import errors
from app.services.billing.accounts import (
    ACCOUNTS,
    AccountsService,
    find_params,
    find_statement,
)
from app.services.errors import DomainError
from app.services.simulation.demo_accounts import account_number, seed_demo_accounts
from app.services.simulation.demo_hall import DEMO_HALL
from tests.conftest import make_settings

TOKEN = "9988776655"


@pytest.fixture
def accounts(core: Core) -> AccountsService:
    return AccountsService(core.db, core.halls)


def _add(
    core: Core, number: str, *, name: str = "测试户", address: str = "", phone: str = ""
) -> None:
    hall = core.halls.get(DEMO_HALL)
    with core.db.write() as s:
        s.execute(
            insert(ACCOUNTS),
            [
                {
                    "id": uuid.uuid4(),
                    "hall_id": hall.id,
                    "account_number": number,
                    "name": name,
                    "address": address,
                    "phone": phone,
                    "account_type": "residential",
                    "active": True,
                    "created_at": datetime(2026, 1, 1, tzinfo=UTC),
                }
            ],
        )


def test_the_four_ways_rank_number_phone_name_address(
    core: Core, accounts: AccountsService
) -> None:
    _add(core, "D-1", name="地址户", address=TOKEN + "号楼")
    _add(core, "C-2", name=TOKEN + "记商行")
    _add(core, "C-1", name=TOKEN + "记商行")
    _add(core, "B-1", name="电话户", phone=TOKEN)
    _add(core, TOKEN, name=TOKEN + "本户", phone=TOKEN)  # by number, phone and name
    found = [a.account_number for a in accounts.find(DEMO_HALL, TOKEN)]
    assert found == [TOKEN, "B-1", "C-1", "C-2", "D-1"]  # each once, at its best rank
    assert [a.account_number for a in accounts.find(DEMO_HALL, TOKEN, limit=2)] == [TOKEN, "B-1"]


@pytest.fixture
def book(db_url: str, tmp_path: Path) -> Iterator[AccountsService]:
    """The demo hall with its book of accounts, as `--demo` seeds it (on PostgreSQL the
    tests' template hall exists already: its book is written into it here)."""
    core = build_core(make_settings(db_url), data_dir=tmp_path, demo=True, demo_book=True)
    try:
        hall = core.halls.get(DEMO_HALL)
        with core.db.write() as s:
            if not s.scalar(select(func.count()).select_from(CustomerAccount)):
                services = {svc.code: svc.id for svc in hall.services}
                seed_demo_accounts(s, hall.id, DEMO_HALL, services)
        yield AccountsService(core.db, core.halls)
    finally:
        core.close()


def test_a_demo_account_is_found_by_its_number_phone_name_and_address(
    book: AccountsService,
) -> None:
    accounts = book
    one = accounts.get(DEMO_HALL, account_number(7))
    assert accounts.find(DEMO_HALL, one.account_number)[0] == one
    assert one in accounts.find(DEMO_HALL, one.phone)
    by_name = accounts.find(DEMO_HALL, one.name[:2], limit=100)
    assert all(a.name.startswith(one.name[:2]) for a in by_name)
    assert [(a.name, a.account_number) for a in by_name] == sorted(
        (a.name, a.account_number) for a in by_name
    )
    by_address = accounts.find(DEMO_HALL, one.address[:6])
    assert len(by_address) == 20  # the default limit: the district and street of ~40
    assert all(a.address.startswith(one.address[:6]) for a in by_address)
    assert [a.address for a in by_address] == sorted(a.address for a in by_address)


def test_what_a_scanner_or_an_input_method_sends_is_normalised(
    core: Core, accounts: AccountsService
) -> None:
    _add(core, "3301234567", phone="13812345678")
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in "3301234567")
    assert accounts.find(DEMO_HALL, full_width + "\r\n")[0].account_number == "3301234567"
    assert accounts.find(DEMO_HALL, " 138-1234 5678 ")[0].account_number == "3301234567"
    assert accounts.get(DEMO_HALL, "3301 234 567\n").account_number == "3301234567"


def test_like_wildcards_are_plain_characters(core: Core, accounts: AccountsService) -> None:
    _add(core, "W-1", name="百分%号", address="下划_线")
    assert accounts.find(DEMO_HALL, "%") == []
    assert accounts.find(DEMO_HALL, "_") == []
    assert [a.account_number for a in accounts.find(DEMO_HALL, "百分%")] == ["W-1"]
    assert [a.account_number for a in accounts.find(DEMO_HALL, "下划_")] == ["W-1"]


@pytest.fixture
def statements(core: Core) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(str(args[2]))

    event.listen(core.db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(core.db.engine, "before_cursor_execute", record)


@pytest.mark.parametrize(
    ("query", "limit"), [("", 20), ("  \t\r\n", 20), ("王" * 201, 20), ("王", 0), ("王", 101)]
)
def test_bad_input_is_refused_before_anything_is_read(
    accounts: AccountsService, statements: list[str], query: str, limit: int
) -> None:
    with pytest.raises(DomainError) as caught:
        accounts.find("NO-SUCH-HALL", query, limit=limit)  # not even the hall is looked up
    assert caught.value.code == errors.BAD_INPUT
    assert statements == []


def test_get_an_account_or_unknown(book: AccountsService) -> None:
    accounts = book
    assert accounts.get(DEMO_HALL, account_number(1)).account_number == account_number(1)
    with pytest.raises(DomainError) as caught:
        accounts.get(DEMO_HALL, "0000000000")
    assert caught.value.code == errors.UNKNOWN_ACCOUNT == "unknown_account"
    with pytest.raises(DomainError) as caught:
        accounts.get(DEMO_HALL, " ")
    assert caught.value.code == errors.BAD_INPUT
    with pytest.raises(DomainError) as caught:
        accounts.find("NO-SUCH-HALL", "王")
    assert caught.value.code == errors.UNKNOWN_HALL


def test_every_branch_reads_its_index(core: Core, book: AccountsService) -> None:
    """The plan of `find` on both databases: each way is an index read, none a scan of the
    table (PostgreSQL with sequential scans priced out, as on a million rows; a condition
    no index serves would still be a scan)."""
    hall = core.halls.get(DEMO_HALL)
    postgres = core.db.engine.dialect.name == "postgresql"
    statement = find_statement(postgres=postgres).params(**find_params(hall.id, "西湖区文三路", 20))
    sql = str(
        statement.compile(dialect=core.db.engine.dialect, compile_kwargs={"literal_binds": True})
    )
    with core.db.engine.connect() as c:
        if postgres:
            c.exec_driver_sql("ANALYZE customer_accounts")
            c.exec_driver_sql("SET enable_seqscan = off")
            plan = "\n".join(str(r[0]) for r in c.exec_driver_sql("EXPLAIN " + sql))
            assert "Seq Scan" not in plan, plan
            assert "uq_customer_accounts_number" in plan, plan
            assert "ix_customer_accounts_phone" in plan, plan
            assert "ix_customer_accounts_name" in plan, plan
            assert "(name)::text >= '西湖区文三路'::text) AND ((name)::text < '" in plan, plan
            assert "ix_customer_accounts_address" in plan, plan
            # LIKE 'p%' on the varchar_pattern_ops index becomes its range
            assert "((address)::text ~>=~ '西湖区文三路'::text)" in plan, plan
        else:
            plan = "\n".join(str(r[-1]) for r in c.exec_driver_sql("EXPLAIN QUERY PLAN " + sql))
            assert "SCAN customer_accounts" not in plan, plan
            assert "ix_customer_accounts_phone (hall_id=? AND phone=?)" in plan, plan
            assert "ix_customer_accounts_name (hall_id=? AND name>? AND name<?)" in plan, plan
            assert "ix_customer_accounts_address (hall_id=? AND address>? AND address<?)" in plan
            assert "(hall_id=? AND account_number=?)" in plan, plan
        c.rollback()
