"""The cashier desk: the counter's fee business (收费), for the counter window's payment panel.

One desk per station, beside the `CounterDesk`: it finds an account, shows what it owes
and its payments, takes a payment linked to the ticket being served, reprints, voids and
refunds with a manager's approval (job number and password typed at this counter), and
closes the clerk's day. Every payment is committed by `PaymentService.pay` before this
returns, so the window says "paid" only for what is on disk. Every method blocks on the
database (or the receipt printer's port): call it from a worker thread.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from app.services.billing.accounts import AccountInfo, AccountsService
from app.services.billing.closing import ClosingService
from app.services.billing.corrections import PAYMENT_VOID, REFUND
from app.services.billing.dto import (
    ClosingResult,
    FeeInfo,
    Owed,
    PaymentResult,
    RefundResult,
    VoidResult,
)
from app.services.billing.history import DaySummary, PaymentHistory, PaymentRow
from app.services.billing.payments import PaymentService
from app.services.billing.receipt_doc import ReceiptDoc
from app.services.billing.receipt_out import EscPosReceipts
from app.services.clock import Clock
from app.services.errors import DomainError
from app.services.hall_ref import HallDirectory, business_date
from app.services.security.actor import Actor
from app.services.security.auth import AuthService
from app.services.sync.worker import SyncStatus, SyncWorker


@dataclass(frozen=True, slots=True)
class AccountView:
    """An account as the payment panel shows it: the card, what it owes, its payments."""

    account: AccountInfo
    owed: Owed
    history: tuple[PaymentRow, ...]


@dataclass(frozen=True, slots=True)
class PayRequest:
    """What the clerk confirmed in the pay dialog. `bill_ids` None: oldest bills first;
    `ticket_id`: the customer being served, whose visit the payment belongs to."""

    account_number: str
    amount: Decimal
    method: str
    bill_ids: tuple[uuid.UUID, ...] | None = None
    tendered: Decimal | None = None
    reference: str = ""
    ticket_id: uuid.UUID | None = None
    fee_codes: tuple[str, ...] = ()  # business fees (收费定义), paid before any bill


@dataclass(frozen=True, slots=True)
class Paid:
    """A committed payment, its receipt, and the account as it stands after it (None
    when that re-read failed: the payment stands, the panel reads the account again)."""

    result: PaymentResult
    receipt: ReceiptDoc
    account: AccountView | None


@dataclass(frozen=True, slots=True)
class Approval:
    """A manager's job number and password, typed at the counter for one correction."""

    job_number: str
    password: str


class CashierDesk:
    def __init__(
        self,
        hall_code: str,
        halls: HallDirectory,
        accounts: AccountsService,
        payments: PaymentService,
        history: PaymentHistory,
        closing: ClosingService,
        auth: AuthService,
        clock: Clock,
        *,
        station_prefix: str,
        escpos: EscPosReceipts | None = None,
        sync: SyncWorker | None = None,
    ) -> None:
        self.hall_code = hall_code
        self.station_prefix = station_prefix
        self._halls = halls
        self._accounts = accounts
        self._payments = payments
        self._history = history
        self._closing = closing
        self._auth = auth
        self._clock = clock
        self._escpos = escpos
        self._sync = sync  # a cached station: its steps go to the centre through it

    # ------------------------------------------------------------------ reading
    @property
    def prints_escpos(self) -> bool:
        """True when receipts go to this station's ESC/POS printer (`print_escpos`)."""
        return self._escpos is not None

    def sync_status(self) -> SyncStatus | None:
        """How this station's sync with the centre stands (None: no cache, no sync)."""
        return self._sync.status() if self._sync is not None else None

    def _committed(self) -> None:
        if self._sync is not None:
            self._sync.wake()

    def today(self) -> date:
        return business_date(self._halls.get(self.hall_code), self._clock.now())

    def find(self, query: str) -> list[AccountInfo]:
        """Accounts matching a number, phone, name or address prefix, best first."""
        return self._accounts.find(self.hall_code, query)

    def open_account(self, actor: Actor, account_number: str) -> AccountView:
        """The account card, what it owes today, and its latest payments."""
        account = self._accounts.get(self.hall_code, account_number)
        number = account.account_number
        owed = self._payments.owed(self.hall_code, number, self.today())
        return AccountView(account, owed, self._history.account(actor, self.hall_code, number))

    def fees(self) -> list[FeeInfo]:
        """The hall's fee schedule (active items)."""
        return self._payments.fees(self.hall_code)

    def day(self, actor: Actor) -> DaySummary:
        """The clerk's day so far (the closing screen's figures)."""
        return self._history.day(actor, self.hall_code)

    # ------------------------------------------------------------------ paying
    def pay(self, actor: Actor, counter_number: int, request: PayRequest) -> Paid:
        """Take the payment (committed before this returns) and give its receipt."""
        bill_ids = list(request.bill_ids) if request.bill_ids is not None else None
        result = self._payments.pay(
            actor,
            self.hall_code,
            request.account_number,
            request.amount,
            request.method,
            bill_ids=bill_ids,
            tendered=request.tendered,
            reference=request.reference,
            counter_number=counter_number,
            ticket_id=request.ticket_id,
            station_prefix=self.station_prefix,
            fee_codes=request.fee_codes,
        )
        self._committed()
        receipt = self._payments.receipt_doc(result)
        try:
            account: AccountView | None = self.open_account(actor, result.account_number)
        except DomainError:  # the payment is committed whatever the re-read does
            account = None
        return Paid(result, receipt, account)

    def reprint(self, actor: Actor, payment_id: uuid.UUID) -> ReceiptDoc:
        """A copy (补打) of the receipt, recorded and audited."""
        doc = self._payments.reprint(actor, payment_id)
        self._committed()
        return doc

    def void(
        self, actor: Actor, payment_id: uuid.UUID, approval: Approval, reason: str
    ) -> VoidResult:
        """Void a payment of today with the manager's approval typed here."""
        approver = self._auth.approve(
            approval.job_number, approval.password, action=PAYMENT_VOID, record_id=payment_id
        )
        result = self._payments.void(actor, payment_id, approver, reason)
        self._committed()
        return result

    def refund(
        self,
        actor: Actor,
        account_number: str,
        amount: Decimal,
        approval: Approval,
        reason: str,
        *,
        method: str = "cash",
        reference: str = "",
    ) -> RefundResult:
        """Pay back part or all of the account's credit, with the manager's approval."""
        approver = self._auth.approve(
            approval.job_number, approval.password, action=REFUND, record_id=account_number
        )
        result = self._payments.refund(
            actor,
            self.hall_code,
            account_number,
            amount,
            approver,
            reason,
            method=method,
            reference=reference,
        )
        self._committed()
        return result

    def close_day(self, actor: Actor, counted_cash: Decimal, note: str = "") -> ClosingResult:
        """Close the clerk's business day with the cash counted in the drawer."""
        result = self._closing.close_day(
            actor, self.hall_code, self.today(), counted_cash, note=note
        )
        self._committed()
        return result

    def print_escpos(self, doc: ReceiptDoc) -> str:
        """Send the receipt to the ESC/POS printer (`printer_unreachable` if it fails)."""
        if self._escpos is None:
            raise RuntimeError("this station has no ESC/POS receipt printer")
        return self._escpos.print(doc)
