"""A Hypothesis state machine over two stations and their centre: pay, void a payment
(the customer's cash back), cut the link, heal it, push, push with the reply lost (the
outbox not trimmed, then replayed), crash a station (its cache closed and opened again)
— with the invariants checked after every step:

- the centre never holds a payment twice, nor one that no station committed;
- a station's payment is at the centre or in its outbox, never neither;
- with the link up and every outbox drained, the centre holds exactly the stations'
  payments, its total is the sum of their receipts, and every bill paid beyond its amount
  is credited exactly its surplus over the payments not voided, late fees charged twice
  for the same days included (checked against an independent computation here).

Real SQLite files for the caches and the centre (the push path is the same on PostgreSQL,
where the tests beside this one run it); the link is cut by the state machine refusing to
call the centre, as a dead link refuses. The book and the payments are on a fixed day
(`BOOK_DAY`, one minute apart), so the late fees, and with them what a falsifying example
does, are the same whatever day it is run.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from fractions import Fraction
from functools import partial
from math import floor
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from sqlalchemy import exists, func, insert, select

from app.models import (
    Bill,
    CreditEntry,
    CustomerAccount,
    LateFeeRuleRow,
    Payment,
    PaymentAllocation,
    PaymentVoid,
)
from app.models.db import Database
from app.services.billing.payments import PaymentService
from app.services.hall_ref import HallDirectory
from app.services.security.auth import AuthService
from app.services.sync.capture import OUTBOX, install_capture
from app.services.sync.push import push
from tests.unit.services.sync.sync_helpers import (
    BOOK_DAY,
    BOOK_START,
    HALL,
    KEY,
    StepClock,
    central_with_book,
    make_station,
)

ACCOUNTS = 4  # few accounts: the two stations often pay the same bills


def _late_fee(left: int, due: date, rule: LateFeeRuleRow | None) -> int:
    """Written here apart from the service: the late fee asked on BOOK_DAY (every payment
    of the machine falls on it) for `left` fen unpaid since `due`, halves up, capped."""
    days = (BOOK_DAY - due).days - (rule.grace_days if rule else 0)
    if rule is None or rule.waived or left <= 0 or days <= 0:
        return 0
    fee = floor(Fraction(left * rule.daily_rate_ppm * days, 10**6) + Fraction(1, 2))
    if rule.cap_ratio_ppm:
        fee = min(fee, left * rule.cap_ratio_ppm // 10**6)
    return fee


def _paid_beyond(amount: int, rows: list[tuple[int, int]], fee: Callable[[int], int]) -> int:
    """Written here apart from the service: for a bill whose principal is paid in full
    (one still owed is settled when it is), the principal paid past its amount, and the
    late fee past what `fee` asks on what was left less the late fee kept before (a
    customer is never charged twice for the same days)."""
    if sum(principal for principal, _ in rows) < amount:
        return 0
    before = kept = extra = 0
    for principal, late_fee in rows:
        room = max(0, amount - before)
        keep = min(late_fee, max(0, fee(room) - kept)) if room else 0
        kept += keep
        extra += max(0, principal - room) + late_fee - keep
        before += principal
    return extra


class Sync(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(prefix="halldesk-sm-"))
        url = f"sqlite:///{self.dir / 'central.sqlite3'}"
        self.central = central_with_book(url, ACCOUNTS, book_day=BOOK_DAY)
        self.clock = StepClock(BOOK_START)  # both stations: payments in the order taken
        self.paths = [self.dir / f"pc{n}.sqlite3" for n in (1, 2)]
        self.caches = [make_station(self.central, p).cache for p in self.paths]
        self.up = True
        self.drained = 0

    def teardown(self) -> None:
        for cache in self.caches:
            cache.dispose()
        self.central.dispose()
        shutil.rmtree(self.dir, ignore_errors=True)

    # ------------------------------------------------------------------ steps
    @rule(n=st.integers(0, 1), account=st.integers(1, ACCOUNTS), yuan=st.integers(1, 400))
    def pay(self, n: int, account: int, yuan: int) -> None:
        cache = self.caches[n]
        auth = AuthService(cache, station=f"PC{n + 1}")
        billing = PaymentService(cache, HallDirectory(cache), auth, self.clock, receipt_key=KEY)
        amount = Decimal(yuan)
        billing.pay(auth.login("1001", "1234"), HALL, f"33{account:08d}", amount, "cash",
                    tendered=amount, counter_number=1, station_prefix=f"PC{n + 1}")  # fmt: skip

    @rule(n=st.integers(0, 1), pick=st.integers(0, 1_000))
    def void(self, n: int, pick: int) -> None:
        """A manager-approved void of one of the station's live payments (the customer's
        cash back); the station has not heard of any conflict (it never pulls here)."""
        cache = self.caches[n]
        with cache.read() as s:
            live = s.scalars(
                select(Payment.id)
                .where(~exists().where(PaymentVoid.payment_id == Payment.id))
                .order_by(Payment.created_at, Payment.receipt_number)
            ).all()
        if not live:
            return
        auth = AuthService(cache, station=f"PC{n + 1}")
        billing = PaymentService(cache, HallDirectory(cache), auth, self.clock, receipt_key=KEY)
        billing.void(auth.login("1001", "1234"), live[pick % len(live)],
                     auth.approve("8001", "1234"), "cash back")  # fmt: skip

    @rule()
    def cut(self) -> None:
        self.up = False

    @rule()
    def heal(self) -> None:
        self.up = True

    @precondition(lambda self: self.up)
    @rule(n=st.integers(0, 1), batch=st.integers(1, 6))
    def sync(self, n: int, batch: int) -> None:
        push(self.caches[n], self.central, batch=batch)

    @precondition(lambda self: self.up)
    @rule()
    def sync_everything(self) -> None:
        for cache in self.caches:
            while push(cache, self.central, batch=50).left:
                pass
        self.drained += 1

    @precondition(lambda self: self.up)
    @rule(n=st.integers(0, 1), batch=st.integers(1, 6))
    def sync_reply_lost(self, n: int, batch: int) -> None:
        cache = self.caches[n]
        with cache.read() as s:
            sent = [
                dict(r._mapping)
                for r in s.execute(select(OUTBOX).order_by(OUTBOX.c.id).limit(batch))
            ]
        push(cache, self.central, batch=batch)
        if sent:  # the centre committed, the station never heard: the records come back
            with cache.write() as s:
                s.execute(insert(OUTBOX), sent)

    @rule(n=st.integers(0, 1))
    def crash(self, n: int) -> None:
        self.caches[n].dispose()
        cache = Database.from_url(f"sqlite:///{self.paths[n]}", use_keyring=False)
        install_capture(cache)
        self.caches[n] = cache

    # ------------------------------------------------------------------ invariants
    def _payments(self, db: Database) -> set[uuid.UUID]:
        with db.read() as s:
            return set(s.scalars(select(Payment.id)))

    def _outboxed(self, db: Database) -> set[uuid.UUID]:
        with db.read() as s:
            return set(s.scalars(select(OUTBOX.c.row_id).where(OUTBOX.c.table_name == "payments")))

    @invariant()
    def nothing_lost_nothing_invented(self) -> None:
        central = self._payments(self.central)
        everywhere: set[uuid.UUID] = set()
        for cache in self.caches:
            mine = self._payments(cache)
            everywhere |= mine
            assert mine <= central | self._outboxed(cache)  # sent, or waiting to be
        assert central <= everywhere
        with self.central.read() as s:
            assert s.scalar(select(func.count()).select_from(Payment)) == len(central)

    @invariant()
    def drained_means_equal(self) -> None:
        if not self.up or any(self._outboxed(c) for c in self.caches):
            return
        everywhere = set().union(*(self._payments(c) for c in self.caches))
        assert self._payments(self.central) >= everywhere  # all that was paid arrived
        with self.central.read() as s:
            total = int(s.scalar(select(func.coalesce(func.sum(Payment.amount_fen), 0))) or 0)
            bills = {b.id: b.amount_fen for b in s.scalars(select(Bill))}
            rules = {r.account_type: r for r in s.scalars(select(LateFeeRuleRow))}
            fees = {
                b.id: partial(_late_fee, due=b.due_date, rule=rules.get(kind))
                for b, kind in s.execute(
                    select(Bill, CustomerAccount.account_type).join(
                        CustomerAccount, CustomerAccount.id == Bill.account_id
                    )
                )
            }
            allocations: dict[uuid.UUID, list[tuple[int, int]]] = {}
            for a in s.execute(
                select(PaymentAllocation.bill_id, PaymentAllocation.amount_fen,
                       PaymentAllocation.late_fee_fen)
                .join(Payment, Payment.id == PaymentAllocation.payment_id)
                .where(~exists().where(PaymentVoid.payment_id == Payment.id))
                .order_by(Payment.created_at, Payment.receipt_number)
            ):  # fmt: skip
                allocations.setdefault(a.bill_id, []).append((a.amount_fen, a.late_fee_fen))
            credited = int(
                s.scalar(
                    select(func.coalesce(func.sum(CreditEntry.amount_fen), 0)).where(
                        CreditEntry.reason == "adjustment"
                    )
                )
                or 0
            )
        local_total = 0
        for cache in self.caches:
            with cache.read() as s:
                local_total += int(
                    s.scalar(select(func.coalesce(func.sum(Payment.amount_fen), 0))) or 0
                )
        assert total == local_total
        surplus = sum(_paid_beyond(bills[b], rows, fees[b]) for b, rows in allocations.items())
        assert credited == surplus


TestSync = Sync.TestCase
TestSync.settings = settings(
    max_examples=12,
    stateful_step_count=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
