"""Counter payments: what an account owes, and taking a payment in one unit of work.

`pay` validates everything it can before opening the unit (amount, method, tendered cash,
reference, station prefix, counter), then, in one write transaction: locks the clerk's
staff row (so the day closing takes turns with it) and the account row (so two counters
never settle the same bill with the same money), refuses a closed day, takes the business fees
asked for (`fee_codes`, each at its fixed amount: `unknown_fee`, and `amount_below_fees` when
the amount does not cover them), reads what the account owes, allocates what is left after
the fees oldest bill first (each bill's late fee before its principal; `bill_ids` narrows
the bills, still oldest first), puts any surplus into credit (预存),
takes the station's next receipt number (gapless: it rolls back with the payment), and
inserts the payment (UUID made here), its fees, its allocations, its credit entry, the original
`ReceiptPrint` and the audit row. Any refusal raises before the commit, so a refused call
changes nothing. Voids, refunds and reprints are in `corrections`.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from app.models import Payment, PaymentAllocation
from app.models.billing import PAYMENT_METHODS
from app.models.db import Database
from app.services import errors
from app.services.billing.closing import refuse_if_closed
from app.services.billing.corrections import (
    PAYMENT,
    REFERENCE_MAX,
    PaymentCorrections,
    credit_row,
    load_result,
    positive_fen,
    print_row,
    receipt_doc,
)
from app.services.billing.dto import FeeInfo, Owed, PaymentResult
from app.services.billing.fees import active_fees, check_codes, chosen_fees, fee_rows
from app.services.billing.money import from_fen, to_fen
from app.services.billing.owed import (
    account_row,
    bill_states,
    late_fee_fen,
    late_rule,
    lock_staff,
    owed_in,
)
from app.services.billing.receipt_numbers import check_prefix, next_receipt_number
from app.services.clock import Clock, SystemClock
from app.services.errors import DomainError
from app.services.hall_ref import HallDirectory, business_date
from app.services.security import audit
from app.services.security.actor import Actor
from app.services.security.auth import AuthService


def _method(method: str, reference: str, tendered: Decimal | None, fen: int) -> int | None:
    """The tendered cash in fen (None for card and QR), after checking the method."""
    if method not in PAYMENT_METHODS:
        raise DomainError(errors.BAD_INPUT, f"unknown payment method {method!r}", field="method")
    if len(reference) > REFERENCE_MAX:
        raise DomainError(errors.BAD_INPUT, "the reference is too long", field="reference")
    if method != "cash":
        if tendered is not None:
            raise DomainError(errors.BAD_INPUT, "tendered is for cash only", field="tendered")
        if not reference.strip():
            raise DomainError(errors.REFERENCE_REQUIRED, f"a {method} payment needs a reference")
        return None
    tendered_fen = to_fen(tendered) if tendered is not None else -1
    if tendered_fen < fen:
        raise DomainError(
            errors.TENDERED_TOO_LOW,
            f"cash tendered {tendered} is less than {from_fen(fen)}",
            amount=str(from_fen(fen)),
        )
    return tendered_fen


@dataclass(frozen=True, slots=True)
class _Alloc:
    bill_id: uuid.UUID
    principal: int
    late_fee: int


def allocate(amount_fen: int, bills: list[tuple[uuid.UUID, int, int]]) -> tuple[list[_Alloc], int]:
    """Spread `amount_fen` over (bill, principal, late fee) oldest first, each bill's late
    fee before its principal; the allocations and the surplus left for credit."""
    left = amount_fen
    out: list[_Alloc] = []
    for bill_id, principal, late in bills:
        if left == 0:
            break
        fee = min(left, late)
        left -= fee
        paid = min(left, principal)
        left -= paid
        if fee or paid:
            out.append(_Alloc(bill_id, paid, fee))
    return out, left


class PaymentService(PaymentCorrections):
    """Fee payments at the counters of a hall (see the module docstring)."""

    def __init__(
        self,
        db: Database,
        halls: HallDirectory,
        auth: AuthService,
        clock: Clock | None = None,
        *,
        receipt_key: bytes,
    ) -> None:
        if not receipt_key:
            raise ValueError("the receipt check key is empty")
        self._db = db
        self._halls = halls
        self._auth = auth
        self._clock = clock or SystemClock()
        self._key = receipt_key

    # ------------------------------------------------------------------ reading
    def owed(self, hall_code: str, account_number: str, today: date) -> Owed:
        """What the account owes on `today`; `unknown_account`, `unknown_hall`."""
        hall = self._halls.get(hall_code)
        with errors.read_unit(self._db) as s:
            return owed_in(s, account_row(s, hall.id, account_number), today)

    def fees(self, hall_code: str) -> list[FeeInfo]:
        """The business fees the hall charges now (active ones, by code); `unknown_hall`."""
        hall = self._halls.get(hall_code)
        with errors.read_unit(self._db) as s:
            return active_fees(s, hall.id)

    # ------------------------------------------------------------------ paying
    def pay(
        self,
        actor: Actor,
        hall_code: str,
        account_number: str,
        amount: Decimal,
        method: str,
        *,
        bill_ids: list[uuid.UUID] | None = None,
        fee_codes: Sequence[str] = (),
        tendered: Decimal | None = None,
        reference: str = "",
        counter_number: int,
        ticket_id: uuid.UUID | None = None,
        station_prefix: str,
    ) -> PaymentResult:
        """Take a payment (see the module docstring). Refusals: `amount_not_positive`,
        `amount_too_precise`, `amount_too_large`, `bad_amount`, `bad_input` (method,
        prefix, tendered for card/QR, fee_codes not a sequence of codes),
        `tendered_too_low`, `reference_required`, `unknown_hall`, `unknown_counter`,
        `unknown_account`, `unknown_fee`, `amount_below_fees`, `bill_not_of_account`,
        `bill_already_paid`, `day_closed`, `not_authenticated`, `not_allowed`.
        `fee_codes` are paid first, each at its fixed amount (a code twice: the fee twice);
        `bill_ids=[]` settles no bill: what the fees leave is a prepayment (credit). An
        account with no bills may still pay fees."""
        self._auth.check(actor, "clerk")
        fen = positive_fen(amount)
        codes = check_codes(fee_codes)
        tendered_fen = _method(method, reference, tendered, fen)
        try:
            check_prefix(station_prefix)
        except ValueError as exc:
            raise DomainError(errors.BAD_INPUT, str(exc), field="station_prefix") from None
        hall = self._halls.get(hall_code)
        self._halls.counter(hall, counter_number)
        with errors.database_reached(), self._db.write() as s:
            lock_staff(s, actor.id)
            now = self._clock.now()
            today = business_date(hall, now)
            refuse_if_closed(s, today, actor.id)
            account = account_row(s, hall.id, account_number, lock=True)
            fees = chosen_fees(s, hall.id, codes)
            fees_fen = sum(f.amount_fen for f in fees)
            if fen < fees_fen:
                raise DomainError(
                    errors.AMOUNT_BELOW_FEES,
                    f"amount {amount} does not cover the fees {from_fen(fees_fen)}",
                    fees=str(from_fen(fees_fen)),
                )
            rule = late_rule(s, account)
            states = bill_states(s, account.id)
            if bill_ids is not None:
                chosen = set(bill_ids)
                known = {b.id for b in states}
                for bill_id in chosen - known:
                    raise DomainError(
                        errors.BILL_NOT_OF_ACCOUNT,
                        f"bill {bill_id} is not of account {account.account_number}",
                    )
                states = [b for b in states if b.id in chosen]
                for b in states:
                    if b.principal_fen == 0:
                        raise DomainError(
                            errors.BILL_ALREADY_PAID, f"bill {b.period} is paid", period=b.period
                        )
            allocations, surplus = allocate(
                fen - fees_fen,
                [(b.id, b.principal_fen, late_fee_fen(b, rule, today)) for b in states],
            )
            receipt_number = next_receipt_number(s, station_prefix)
            p = Payment(
                id=uuid.uuid4(),
                hall_id=hall.id,
                station=actor.station[:64],
                counter_number=counter_number,
                staff_id=actor.id,
                ticket_id=ticket_id,
                account_id=account.id,
                method=method,
                amount_fen=fen,
                tendered_fen=tendered_fen,
                change_fen=tendered_fen - fen if tendered_fen is not None else None,
                reference=reference.strip(),
                receipt_number=receipt_number,
                created_at=now,
            )
            s.add(p)
            s.flush()  # the payment before the rows that refer to it
            s.add_all(fee_rows(p.id, fees))
            for a in allocations:
                s.add(
                    PaymentAllocation(
                        id=uuid.uuid4(),
                        payment_id=p.id,
                        bill_id=a.bill_id,
                        amount_fen=a.principal,
                        late_fee_fen=a.late_fee,
                    )
                )
            if surplus:
                s.add(credit_row(account.id, surplus, "overpayment", p.id, now))
            s.add(print_row(p, actor, copy=False))
            audit.record(
                s,
                now,
                PAYMENT,
                actor=actor,
                record_type="payment",
                record_id=p.id,
                receipt=receipt_number,
                account=account.account_number,
                amount_fen=fen,
                method=method,
                fees=[f.code for f in fees],
            )
            s.flush()
            return load_result(s, p, hall.code)


__all__ = ["PaymentService", "allocate", "receipt_doc"]
