"""The counter payments of a simulated hall day: who pays what, how, and the day's takings.

A customer served to the end at the bill payment service (PAY) pays at that counter
before the clerk calls the next one, through the application's `PaymentService`, at the
clock's time, with the ticket being served attached: the clerk reads what the customer's
account owes and takes all of it (most customers) or a round part, in cash (tendered
rounded up to the next 10, 50 or 100 yuan: change given), by card or by QR code (a
made-up terminal or platform reference). A customer whose account owes nothing tops up
its credit (预存). A few payments are voided right after, approved by the demo hall's
manager, and paid again by another method: what a hall sees when a customer changes
their mind at the counter.

Accounts: the run's hall gets a book of its own, one account per customer of the day
(`book_size`, at most the demo book's 2,000, then accounts come round again), so seeding
it costs a fraction of a second; customer i holds the i-th account of a shuffle of the
book drawn from the seed. Each customer's choices come from a generator of their own
(seed and customer index), so they do not depend on the number of counters or on the
order in which customers are served.

Receipts: each counter prints on a station series of its own, prefix hall code + "C" +
counter number (SIMC01, SIM2C01, ...), so that a run on a shared database starts every
series at 1 and never continues another run's.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from decimal import ROUND_CEILING, Decimal

from app.services.billing.dto import PaymentResult
from app.services.billing.money import to_fen
from app.services.billing.payments import PaymentService
from app.services.security.actor import Actor
from app.services.security.auth import AuthService
from app.services.simulation.demo_accounts import DEMO_ACCOUNTS, account_number
from app.services.simulation.demo_hall import DEMO_PASSWORD
from app.services.simulation.model import SIM_DATE
from app.services.simulation.report import Payments, StationReceipts

PAY_SERVICE = "PAY"
MANAGER = "8001"  # the demo hall's manager, who approves the voids
METHODS = ("cash", "card", "qr")
METHOD_WEIGHTS = (0.45, 0.20, 0.35)
CASH_LIMIT = Decimal(5000)  # above this people pay by card or QR
PART_SHARE = 0.12  # pay a round part of what they owe
VOID_SHARE = 0.02  # voided right after and paid again by another method
NOTES = (10, 50, 100)  # cash tendered is rounded up to the next multiple of one of these
TOP_UPS = (50, 100, 200)  # credit bought by a customer whose account owes nothing
VOID_REASON = "客户改用其他方式支付"  # the customer chose to pay another way


def book_size(customers: int) -> int:
    """Accounts in the run's book: one per customer of the day, at most the demo book's."""
    return max(1, min(customers, DEMO_ACCOUNTS))


def station_prefix(hall_code: str, counter: int) -> str:
    """The receipt series of a counter of the run's hall: SIMC01, SIM2C07, ..."""
    return f"{hall_code}C{counter:02d}"


class _Choices:
    """Everything one customer decides at the counter, drawn before any of it is used."""

    def __init__(self, seed: int, customer: int) -> None:
        rng = random.Random(f"{seed}/pay/{customer}")
        self.part = rng.random() < PART_SHARE
        self.tenths = rng.randint(2, 8)  # the part paid, in tenths of what is owed
        self.top_up = Decimal(rng.choice(TOP_UPS))
        self.method = rng.choices(METHODS, METHOD_WEIGHTS)[0]
        self.note = rng.choice(NOTES)
        self.terminal = rng.randrange(10**12)
        self.void = rng.random() < VOID_SHARE
        self.second = rng.randrange(len(METHODS) - 1)  # the other method after a void


class Till:
    """The payments of one simulated day at the counters of a hall."""

    def __init__(
        self,
        billing: PaymentService,
        auth: AuthService,
        hall_code: str,
        *,
        seed: int,
        customers: int,
    ) -> None:
        self._billing = billing
        self._auth = auth
        self._hall = hall_code
        self._seed = seed
        self._accounts = list(range(1, book_size(customers) + 1))
        random.Random(f"{seed}/accounts").shuffle(self._accounts)
        self._clerks: dict[int, Actor] = {}
        self._taken: list[PaymentResult] = []
        self._voided: dict[uuid.UUID, int] = {}  # payment -> fen

    def open(self, counter: int, clerk: Actor) -> None:
        """The clerk who takes the payments at `counter` (logged in there)."""
        self._clerks[counter] = clerk

    def take(self, counter: int, ticket_id: uuid.UUID | None, customer: int) -> None:
        """The customer served at `counter` under `ticket_id` pays (see the docstring)."""
        pick = _Choices(self._seed, customer)
        number = account_number(self._accounts[customer % len(self._accounts)])
        due = self._billing.owed(self._hall, number, SIM_DATE).total_due
        amount = due if due > 0 else pick.top_up
        if due > 0 and pick.part:
            part = due * pick.tenths // 100 * 10  # whole tens of yuan
            amount = part if part >= 10 else due
        method = pick.method if amount <= CASH_LIMIT else ("card", "qr")[pick.terminal % 2]
        paid = self._pay(counter, ticket_id, number, amount, method, pick)
        if not pick.void:
            return
        approver = self._auth.approve(
            MANAGER, DEMO_PASSWORD, action="payment_void", record_id=paid.payment_id
        )
        self._billing.void(self._clerks[counter], paid.payment_id, approver, VOID_REASON)
        self._voided[paid.payment_id] = to_fen(paid.amount)
        others = [m for m in METHODS if m != method]
        self._pay(counter, ticket_id, number, amount, others[pick.second], pick)

    def _pay(
        self,
        counter: int,
        ticket_id: uuid.UUID | None,
        number: str,
        amount: Decimal,
        method: str,
        pick: _Choices,
    ) -> PaymentResult:
        tendered: Decimal | None = None
        reference = ""
        if method == "cash":
            note = Decimal(pick.note)
            tendered = (amount / note).to_integral_value(rounding=ROUND_CEILING) * note
        elif method == "card":
            reference = f"POS{pick.terminal:012d}"
        else:
            reference = f"QR{SIM_DATE:%Y%m%d}{pick.terminal:012d}"
        result = self._billing.pay(
            self._clerks[counter],
            self._hall,
            number,
            amount,
            method,
            tendered=tendered,
            reference=reference,
            counter_number=counter,
            ticket_id=ticket_id,
            station_prefix=station_prefix(self._hall, counter),
        )
        self._taken.append(result)
        return result

    def report(self) -> Payments:
        """The day's payments: count and collected net of voids, receipts per station."""
        kept = [p for p in self._taken if p.payment_id not in self._voided]
        return Payments(
            count=len(kept),
            collected_fen=sum(to_fen(p.amount) for p in kept),
            by_method=tuple(
                (m, sum(to_fen(p.amount) for p in kept if p.method == m)) for m in METHODS
            ),
            voids=len(self._voided),
            voided_fen=sum(self._voided.values()),
            stations=_stations(self._hall, self._taken),
        )


def _stations(hall_code: str, taken: Sequence[PaymentResult]) -> tuple[StationReceipts, ...]:
    """First and last receipt of each counter's series, in counter order (voided ones
    included: a void keeps its number)."""
    first: dict[int, str] = {}
    last: dict[int, str] = {}
    for p in taken:
        first.setdefault(p.counter_number, p.receipt_number)
        last[p.counter_number] = p.receipt_number
    return tuple(
        StationReceipts(
            prefix=station_prefix(hall_code, n), first_receipt=first[n], last_receipt=last[n]
        )
        for n in sorted(first)
    )
