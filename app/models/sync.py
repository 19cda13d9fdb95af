"""What the sync between a station's cache and the central database keeps.

- `outbox` (in the station's cache): one row per row this station inserted into a synced
  table, written in the same transaction as that row (`app.services.sync.capture`), kept
  until the central database committed it (`app.services.sync.push`).
- `sync_cursors` (in the cache): how far the pulls got, stored in the same transaction as
  the rows they brought; also the resume points of an initial sync.
- `change_log` (in the central PostgreSQL): one row per inserted, updated or deleted row of
  a pulled table, written by a trigger in the writer's transaction with its transaction id
  (`pg_current_xact_id()`) and the hall the row belongs to, so a pull can read "my hall's
  changes after my cursor, and only what every transaction before has finished with" and
  never skip a row committed out of order.
  SQLite central databases have the table but nothing writes it: a one-PC hall has no
  station to sync with.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, Index, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, BigId, UtcDateTime


class OutboxRecord(Base):
    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    table_name: Mapped[str] = mapped_column(String(64))
    row_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    # the row's columns as JSON (app.services.sync.rows)
    payload: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class SyncCursor(Base):
    __tablename__ = "sync_cursors"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    txid: Mapped[int] = mapped_column(BigInteger, default=0)
    change_id: Mapped[int] = mapped_column(BigInteger, default=0)
    # an initial sync's resume point: the last row id copied of a table
    last_key: Mapped[str] = mapped_column(String(64), default="")
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ChangeLog(Base):
    __tablename__ = "change_log"
    __table_args__ = (
        Index("ix_change_log_txid_id", "txid", "id"),
        Index("ix_change_log_hall_txid_id", "hall_id", "txid", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    # the writing transaction's id (xid8 as a number); PostgreSQL fills it in
    txid: Mapped[int] = mapped_column(BigInteger, default=0)
    table_name: Mapped[str] = mapped_column(String(64))
    # the changed row's id (for counter_services: its counter's id)
    row_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    # the hall the row belongs to (migration 0013); NULL: every hall reads it (halls,
    # staff, and rows logged before 0013)
    hall_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)


class SyncConflict(Base):
    """A business conflict the centre found while taking a station's rows (central only):
    e.g. one bill paid at two counters while they were cut off from each other. Both
    payments stand (the cash is real); the surplus is credited to the account by an
    `adjustment` credit entry of the same amount, and this row tells the manager."""

    __tablename__ = "sync_conflicts"
    __table_args__ = (
        Index("ix_sync_conflicts_hall_at", "hall_id", "created_at"),
        Index("ix_sync_conflicts_bill", "bill_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    hall_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    account_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    bill_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    # a JSON object: the payments involved, their receipts and stations
    detail: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class SyncStation(Base):
    """How far each station has pulled the change log (central only): the change log is
    pruned below the lowest of these. A station taken out of service is deleted here, or
    it holds the pruning back."""

    __tablename__ = "sync_stations"
    __table_args__ = (
        Index("ix_sync_stations_hall", "hall_code", "txid", "change_id"),
        Index("ix_sync_stations_cursor", "txid", "change_id"),
    )

    station: Mapped[str] = mapped_column(String(64), primary_key=True)
    hall_code: Mapped[str] = mapped_column(String(16))
    txid: Mapped[int] = mapped_column(BigInteger)
    change_id: Mapped[int] = mapped_column(BigInteger)
    seen_at: Mapped[datetime] = mapped_column(UtcDateTime)
