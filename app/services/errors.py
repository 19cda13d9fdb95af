"""Domain errors: a stable code for the UI to translate, a plain message for logs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from app.models.db import Database


class DomainError(Exception):
    """A step the rules refuse. Raised before anything is written, so nothing changes."""

    def __init__(self, code: str, message: str, **details: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details

    def __repr__(self) -> str:
        return f"DomainError({self.code!r}, {self.message!r})"


class DatabaseUnavailable(DomainError):
    """The central database cannot be reached or refused the connection."""

    def __init__(self, message: str) -> None:
        super().__init__("database_unavailable", message)


@contextmanager
def database_reached(what: str = "central database unreachable") -> Iterator[None]:
    """The driver's OperationalError (server gone, file locked too long) as
    `DatabaseUnavailable`, the one error the windows show as "cannot reach the database"."""
    try:
        yield
    except OperationalError as exc:
        raise DatabaseUnavailable(f"{what}: {exc.orig}") from exc


@contextmanager
def read_unit(db: Database) -> Iterator[Session]:
    """A read-only unit of work (no write lock on SQLite) with `database_reached`."""
    with database_reached(), db.read() as session:
        yield session


# Stable codes (the UI maps them to translated texts).
DATABASE_UNAVAILABLE = "database_unavailable"
UNKNOWN_HALL = "unknown_hall"
UNKNOWN_SERVICE = "unknown_service"
UNKNOWN_COUNTER = "unknown_counter"
UNKNOWN_TICKET = "unknown_ticket"
COUNTER_CLOSED = "counter_closed"
COUNTER_BUSY = "counter_busy"
COUNTER_PAUSED = "counter_paused"
NOT_PAUSED = "not_paused"
NO_CURRENT_TICKET = "no_current_ticket"
NOT_SERVING = "not_serving"
TICKET_NOT_WAITING = "ticket_not_waiting"
RECALL_LIMIT = "recall_limit"
NO_HELD_TICKET = "no_held_ticket"
BAD_TRANSFER = "bad_transfer"
SERIES_EXHAUSTED = "series_exhausted"
SERVICE_NOT_AT_COUNTER = "service_not_at_counter"
INVALID_CREDENTIALS = "invalid_credentials"
BAD_INPUT = "bad_input"
RATING_CLOSED = "rating_closed"
NOT_ALLOWED = "not_allowed"
NO_DEVICES = "no_devices"
PRINTER_UNREACHABLE = "printer_unreachable"
SCHEMA_MISMATCH = "schema_mismatch"
BAD_SETTINGS = "bad_settings"
NOT_AUTHENTICATED = "not_authenticated"
ACCOUNT_LOCKED = "account_locked"
PASSWORD_CHANGE_REQUIRED = "password_change_required"
WEAK_PASSWORD = "weak_password"
BAD_AMOUNT = "bad_amount"
AMOUNT_NOT_POSITIVE = "amount_not_positive"
AMOUNT_TOO_PRECISE = "amount_too_precise"
AMOUNT_TOO_LARGE = "amount_too_large"
# Counter payments (app.services.billing.payments, closing)
UNKNOWN_ACCOUNT = "unknown_account"
BILL_NOT_OF_ACCOUNT = "bill_not_of_account"
BILL_ALREADY_PAID = "bill_already_paid"
TENDERED_TOO_LOW = "tendered_too_low"
REFERENCE_REQUIRED = "reference_required"
UNKNOWN_PAYMENT = "unknown_payment"
ALREADY_VOIDED = "already_voided"
VOID_NOT_SAME_DAY = "void_not_same_day"
VOID_AFTER_CONFLICT = "void_after_conflict"
DAY_CLOSED = "day_closed"
CREDIT_INSUFFICIENT = "credit_insufficient"
# Business fees at the counter (app.services.billing.fees)
UNKNOWN_FEE = "unknown_fee"
AMOUNT_BELOW_FEES = "amount_below_fees"
