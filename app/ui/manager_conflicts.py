"""The manager's lines on sync conflicts: bills paid twice while counters were cut off
from each other, what the centre credited to the customer, what a void took back, and
prepaid credit paid out twice."""

from __future__ import annotations

from datetime import tzinfo

from PySide6.QtCore import QCoreApplication

from app.services.desks.manager import CONFLICT_DAYS
from app.services.monitoring.conflicts import CREDIT_OVERDRAWN, SURPLUS_TAKEN_BACK, ConflictSeen
from app.ui.pay_render import yuan
from app.ui.widgets import local_time

translate = QCoreApplication.translate


def conflicts_text(conflicts: tuple[ConflictSeen, ...], zone: tzinfo) -> str:
    """One line a conflict, newest first, under a heading; "" when there is none."""
    if not conflicts:
        return ""
    lines = [
        translate(
            "ManagerWindow",
            "Paid twice while counters were offline (last {days} days): call the customer; "
            "a refund at the counter pays a credit back.",
        ).format(days=CONFLICT_DAYS)
    ]
    for c in conflicts:
        if c.kind == CREDIT_OVERDRAWN:
            template = translate(
                "ManagerWindow",
                "{time}  account {account}: prepaid credit paid out twice, {amount} "
                "overdrawn (refunds at {receipts})",
            )
        elif c.kind == SURPLUS_TAKEN_BACK:
            template = translate(
                "ManagerWindow",
                "{time}  account {account}, bill {period}: {amount} taken back, a payment "
                "was voided (receipt {receipts})",
            )
        else:
            template = translate(
                "ManagerWindow",
                "{time}  account {account}, bill {period}: {amount} to the customer's "
                "credit (receipts {receipts})",
            )
        lines.append(
            template.format(
                time=local_time(c.at, zone).strftime("%m-%d %H:%M"),
                account=c.account_number,
                period=c.period or "?",
                amount=yuan(abs(c.amount)),
                receipts=", ".join(c.names),
            )
        )
    return "\n".join(lines)
