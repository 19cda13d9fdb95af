"""SQLAlchemy 2 mapped classes, the schema's migrations and database sessions.

No Qt and no upper layer is imported here.
"""

from app.models.audit import AuditEntry
from app.models.base import Base
from app.models.billing import (
    Bill,
    CreditEntry,
    CustomerAccount,
    DayClosing,
    FeeItem,
    LateFeeRuleRow,
    Payment,
    PaymentAllocation,
    PaymentFee,
    PaymentVoid,
    ReceiptPrint,
    ReceiptSeries,
    Refund,
)
from app.models.evaluation import Alert, Evaluation
from app.models.hall import Counter, CounterService, Hall, Service, Staff
from app.models.queue import CounterPause, CounterSession, Ticket, TicketEvent, TicketSeries
from app.models.sync import ChangeLog, OutboxRecord, SyncConflict, SyncCursor, SyncStation

__all__ = [
    "Alert",
    "AuditEntry",
    "ChangeLog",
    "OutboxRecord",
    "SyncConflict",
    "SyncCursor",
    "SyncStation",
    "Base",
    "Evaluation",
    "Counter",
    "CounterPause",
    "CounterService",
    "CounterSession",
    "Hall",
    "Service",
    "Staff",
    "Ticket",
    "TicketEvent",
    "TicketSeries",
    "Bill",
    "CreditEntry",
    "CustomerAccount",
    "DayClosing",
    "FeeItem",
    "LateFeeRuleRow",
    "Payment",
    "PaymentAllocation",
    "PaymentFee",
    "PaymentVoid",
    "ReceiptPrint",
    "ReceiptSeries",
    "Refund",
]
