"""Money: `Decimal` yuan in code, whole fen (分, `int`) in the database, never binary floats.

A float cannot hold 0.10 exactly, and sums of bills drift by a fen after enough of them;
the end-of-day closing must balance to the fen, so every amount is a `Decimal` with at
most two places and is stored as an integer count of fen.

- `to_fen` / `from_fen` convert exactly between the two; a value that is not a whole
  number of fen is refused rather than rounded (rounding is a business rule, done where the
  rule says so, e.g. `late_fee`). Negative amounts convert too (refunds, corrections).
- `parse_amount` reads what a clerk types into an amount field (see its docstring for the
  accepted forms) and refuses with `DomainError` codes the UI translates.
- `format_yuan` shows an amount as "1,234.56" (no currency sign: the labels carry it).
"""

from __future__ import annotations

import re
from decimal import Decimal

from app.services import errors
from app.services.errors import DomainError

# What a clerk may enter in one payment (10 million yuan): a larger figure is a typing slip
# (a pasted account number, a doubled key) long before it is a real counter payment.
MAX_AMOUNT = Decimal("10000000.00")

# Fen that fit the database's signed 64-bit integer column.
_MAX_FEN = 2**63 - 1

# Longer input is refused before any parsing (a paste of something else entirely).
_MAX_TEXT = 32

# Full-width ASCII (U+FF01..U+FF5E: "１２．５０", "，", "－") as typed by a Chinese input
# method, read as ASCII, and the full-width yuan sign as "¥". Not all of NFKC: it would
# also turn "①" or "²" into digits, which nobody types as an amount.
_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0xFFE5: ord("¥")}

# After the full-width mapping: an optional sign (only to say "not positive" rather than
# "not a number"), digits either plain or in correct groups of three with commas, and an
# optional point followed by at least one digit. ASCII digits only: `Decimal()` would
# accept any Unicode digit (Arabic-Indic, Devanagari ...), which a clerk never means to type.
_AMOUNT_RE = re.compile(
    r"""
    (?P<sign>[-+]?)
    (?P<int>[0-9]+|[0-9]{1,3}(?:,[0-9]{3})+)
    (?:\.(?P<frac>[0-9]+))?
    """,
    re.VERBOSE | re.ASCII,
)


def _check_decimal(amount: object) -> Decimal:
    if not isinstance(amount, Decimal):
        raise TypeError(f"money is a Decimal, not {type(amount).__name__}")
    if not amount.is_finite():
        raise DomainError(errors.BAD_AMOUNT, f"not a finite amount: {amount}")
    return amount


def to_fen(amount: Decimal) -> int:
    """The amount in whole fen, exactly: Decimal("12.34") -> 1234, Decimal("-0.5") -> -50.

    Refuses (`BAD_AMOUNT`) NaN and infinities, (`AMOUNT_TOO_PRECISE`) a value that is not a
    whole number of fen such as 0.005 (trailing zeros are fine: 12.500 -> 1250) and
    (`AMOUNT_TOO_LARGE`) a value beyond the database's 64-bit column. A non-Decimal
    (a float, an int) is a programming error: `TypeError`.
    """
    _check_decimal(amount)
    if amount.is_zero():
        return 0
    # adjusted() is the exponent of the leading digit: bound it before building 10**n.
    if amount.adjusted() > 18:
        raise DomainError(errors.AMOUNT_TOO_LARGE, f"amount too large: {amount}")
    sign, digits, exponent = amount.as_tuple()
    assert isinstance(exponent, int)  # finite, checked above
    coefficient = int("".join(map(str, digits)))
    shift = exponent + 2
    scale: int = 10 ** abs(shift)
    if shift >= 0:
        fen = coefficient * scale
    else:
        fen, rest = divmod(coefficient, scale)
        if rest:
            raise DomainError(
                errors.AMOUNT_TOO_PRECISE, f"not a whole number of fen: {amount}", places=2
            )
    if fen > _MAX_FEN:
        raise DomainError(errors.AMOUNT_TOO_LARGE, f"amount too large: {amount}")
    return -fen if sign else fen


def from_fen(fen: int) -> Decimal:
    """The amount of `fen` as yuan with exactly two places: 1234 -> Decimal("12.34")."""
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise TypeError(f"fen is an int, not {type(fen).__name__}")
    # Built from text, the Decimal is exact whatever the context's precision.
    return Decimal(f"{fen}E-2")


def parse_amount(text: str) -> Decimal:
    """The positive amount a clerk typed, with two places: "12.5" -> Decimal("12.50").

    Accepted, after trimming spaces (also the ideographic space) on both sides:
    - plain digits with an optional point and one or two decimals: "12", "12.5", "12.50",
      "0.5", "007" (leading zeros are harmless);
    - thousands separated by commas, in correct groups of three only: "1,234.56",
      "12,345" ("1,23" or "12,34,567" are refused as a likely slip);
    - a currency sign before the number, with or without a space: "￥12.50", "¥ 12.50";
    - full-width characters a Chinese input method produces ("１２．５０", "１，２３４"):
      they are read as their ASCII forms (not other look-alikes such as "①" or "²");
    - a leading "+" is tolerated ("+3").
    Refused, with the `DomainError` code:
    - `BAD_AMOUNT`: empty, not a number, a lone point (".5", "12."), exponents ("1e3"),
      "NaN", spaces inside the number, a "元" or other text around it, other scripts'
      digits, more than 32 characters;
    - `AMOUNT_NOT_POSITIVE`: zero or negative ("0", "0.00", "-5");
    - `AMOUNT_TOO_PRECISE`: more than two decimals typed, even zeros ("12.345", "12.500"):
      a third decimal in a yuan amount is a slip, not a value to round;
    - `AMOUNT_TOO_LARGE`: more than `MAX_AMOUNT` (details: `maximum`, formatted).
    """
    cleaned = text.translate(_FULL_WIDTH).strip()  # strip() includes the ideographic space
    if len(cleaned) > _MAX_TEXT:
        raise DomainError(errors.BAD_AMOUNT, f"amount text too long: {len(cleaned)} chars")
    if cleaned.startswith("¥"):  # also the full-width ￥, mapped above
        cleaned = cleaned[1:].lstrip()
    match = _AMOUNT_RE.fullmatch(cleaned)
    if match is None:
        raise DomainError(errors.BAD_AMOUNT, f"not an amount: {text!r}")
    frac = match["frac"] or ""
    if len(frac) > 2:
        raise DomainError(errors.AMOUNT_TOO_PRECISE, f"more than two decimals: {text!r}", places=2)
    value = Decimal(match["int"].replace(",", "") + "." + frac.ljust(2, "0"))
    if match["sign"] == "-":
        value = -value
    if value <= 0:
        raise DomainError(errors.AMOUNT_NOT_POSITIVE, f"amount not positive: {text!r}")
    if value > MAX_AMOUNT:
        raise DomainError(
            errors.AMOUNT_TOO_LARGE,
            f"amount above {MAX_AMOUNT}: {text!r}",
            maximum=format_yuan(MAX_AMOUNT),
        )
    return value


def format_yuan(amount: Decimal) -> str:
    """The amount for display, with thousands commas and two places: "-1,234.56".

    Refuses what `to_fen` refuses: a screen must not show a value the books cannot hold.
    Negative zero shows as "0.00".
    """
    fen = to_fen(amount)
    yuan, cents = divmod(abs(fen), 100)
    sign = "-" if fen < 0 else ""
    return f"{sign}{yuan:,}.{cents:02d}"


def quantize_fen(amount: Decimal) -> Decimal:
    """An exact fen amount with two places (Decimal("12.5") -> Decimal("12.50")); refuses
    what `to_fen` refuses. Rounding, where a rule asks for it, is done by that rule."""
    return from_fen(to_fen(amount))


__all__ = [
    "MAX_AMOUNT",
    "format_yuan",
    "from_fen",
    "parse_amount",
    "quantize_fen",
    "to_fen",
]
