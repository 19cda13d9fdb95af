"""The pulled tables: the same as the change-log triggers of migration 0007 cover, parents
first, and every row of them belongs to one hall by a rule (no database needed)."""

from __future__ import annotations

import importlib.util
import uuid

from sqlalchemy.dialects import postgresql

from app.models.migrate import MIGRATIONS
from app.services.sync.pulled import PULLED, TABLES, VIA, hall_filter, key_column, parents


def test_every_logged_table_is_pulled_and_nothing_else():
    spec = importlib.util.spec_from_file_location("m0007", MIGRATIONS / "versions/0007_sync.py")
    assert spec is not None and spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    assert set(PULLED) == set(migration.PULLED)
    for name, column in migration.PULLED.items():
        assert key_column(TABLES[name]).name == column  # what the log names a row by


def test_parents_come_first():
    for n, name in enumerate(PULLED):
        for _column, parent in parents(TABLES[name]):
            assert parent in PULLED[:n], f"{name} refers to {parent}, which comes later"


def test_every_table_has_a_hall_rule():
    hall = uuid.uuid4()
    for name in PULLED:
        sql = str(hall_filter(TABLES[name], hall).compile(dialect=postgresql.dialect()))
        assert "hall_id" in sql or name == "halls", name


def test_the_change_logs_hall_rules_are_the_pulls():
    """Migration 0013's trigger finds a change's hall as the pull filters rows: by the
    row's own hall_id, or by its parent's (the same parent as `VIA`); halls and staff
    are logged for every hall, since another hall's may be held as a parent."""
    spec = importlib.util.spec_from_file_location(
        "m0013", MIGRATIONS / "versions/0013_change_log_hall.py"
    )
    assert spec is not None and spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    assert list(migration.HALL_OF) == list(PULLED)
    for name, (key, how) in migration.HALL_OF.items():
        table = TABLES[name]
        assert key_column(table).name == key
        if name in ("halls", "staff"):
            assert how == ""
        elif name in VIA:
            column, parent = VIA[name]
            assert how == f"{parent}.{column}"
            assert "hall_id" in TABLES[parent].c
        else:
            assert how == "hall_id" and "hall_id" in table.c
