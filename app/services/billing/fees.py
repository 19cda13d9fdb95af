"""Business fees (收费项目) at the counter: the hall's active fee schedule, the fees a
payment asks for, and the fees a stored payment took, inside the caller's unit of work.

A payment names its fees by code; each code is one fee at its fixed amount (a code given
twice is the fee twice). A code the hall does not have, or has but no longer charges
(`active` false), is `unknown_fee`. What a payment took is kept as `PaymentFee` rows that
copy the code, the names and the amount, so the receipt and the day's takings never move
when the schedule changes later. Fees are part of the payment's amount: a void takes them
back with the payment, and the day closing counts them with it, with nothing of their own.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import FeeItem, PaymentFee
from app.services import errors
from app.services.billing.dto import FeeInfo, FeeLine
from app.services.billing.money import from_fen
from app.services.errors import DomainError

# More fee lines than this in one payment is a slip (a key held down), not a customer.
MAX_FEE_LINES = 50


@dataclass(frozen=True, slots=True)
class ChosenFee:
    """One fee a payment takes, as the schedule has it now (fen)."""

    fee_item_id: uuid.UUID
    code: str
    name_zh: str
    name_en: str
    amount_fen: int


def check_codes(fee_codes: Sequence[str]) -> tuple[str, ...]:
    """The codes as a tuple, before any unit opens; `bad_input` for a bare string (it
    would be read letter by letter), a code that is not a string, or too many lines."""
    if isinstance(fee_codes, str) or not all(isinstance(c, str) for c in fee_codes):
        raise DomainError(errors.BAD_INPUT, "fee_codes is a sequence of codes", field="fee_codes")
    if len(fee_codes) > MAX_FEE_LINES:
        raise DomainError(
            errors.BAD_INPUT, f"at most {MAX_FEE_LINES} fees in one payment", field="fee_codes"
        )
    return tuple(fee_codes)


def active_fees(s: Session, hall_id: uuid.UUID) -> list[FeeInfo]:
    """The hall's fees still charged, by code."""
    rows = s.scalars(
        select(FeeItem)
        .where(FeeItem.hall_id == hall_id, FeeItem.active.is_(True))
        .order_by(FeeItem.code)
    ).all()
    return [FeeInfo(r.code, r.name_zh, r.name_en, from_fen(r.amount_fen)) for r in rows]


def chosen_fees(s: Session, hall_id: uuid.UUID, codes: Sequence[str]) -> list[ChosenFee]:
    """The fee of each code in `codes`, in the order given (repeats kept); `unknown_fee`
    for a code the hall does not charge."""
    if not codes:
        return []
    rows = s.scalars(
        select(FeeItem).where(
            FeeItem.hall_id == hall_id, FeeItem.active.is_(True), FeeItem.code.in_(set(codes))
        )
    ).all()
    by_code = {r.code: r for r in rows}
    out: list[ChosenFee] = []
    for code in codes:
        item = by_code.get(code)
        if item is None:
            raise DomainError(errors.UNKNOWN_FEE, f"no active fee {code!r}", fee=code)
        out.append(ChosenFee(item.id, item.code, item.name_zh, item.name_en, item.amount_fen))
    return out


def fee_rows(payment_id: uuid.UUID, fees: Sequence[ChosenFee]) -> list[PaymentFee]:
    """The `PaymentFee` facts of a payment's fees."""
    return [
        PaymentFee(
            id=uuid.uuid4(),
            payment_id=payment_id,
            fee_item_id=f.fee_item_id,
            code=f.code,
            name_zh=f.name_zh,
            name_en=f.name_en,
            amount_fen=f.amount_fen,
        )
        for f in fees
    ]


def fee_lines(s: Session, payment_id: uuid.UUID) -> tuple[FeeLine, ...]:
    """The fees a stored payment took, by code (the same on every reprint)."""
    rows = s.execute(
        select(PaymentFee.code, PaymentFee.name_zh, PaymentFee.name_en, PaymentFee.amount_fen)
        .where(PaymentFee.payment_id == payment_id)
        .order_by(PaymentFee.code, PaymentFee.amount_fen, PaymentFee.id)
    ).all()
    return tuple(FeeLine(code, zh, en, from_fen(fen)) for code, zh, en, fen in rows)


__all__ = [
    "MAX_FEE_LINES",
    "ChosenFee",
    "active_fees",
    "check_codes",
    "chosen_fees",
    "fee_lines",
    "fee_rows",
]
