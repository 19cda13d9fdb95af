"""What a fee receipt shows, as plain values, and the wording both renderers share.

:class:`ReceiptDoc` is a frozen dataclass that crosses threads (the PDF/printing pool): no
ORM object, no Qt.  Money is :class:`~decimal.Decimal` only; a float is refused.  The
total in Chinese capitals is computed by the caller (``billing.capitals``) and carried as
text.  :func:`receipt_rows` lays the receipt out as labelled rows (Chinese label with the
English word after it), so the PDF (:mod:`receipt_pdf`) and the thermal printer
(:mod:`receipt_escpos`) print the same receipt.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Literal, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

PaymentMethod = Literal["cash", "card", "qr"]
PAYMENT_METHODS: tuple[str, ...] = get_args(PaymentMethod)
FEN = Decimal("0.01")

TITLE_ZH = "收费收据"
TITLE_EN = "Receipt"
COPY_MARK = "补打 COPY"
METHOD_NAMES = {"cash": "现金 Cash", "card": "银行卡 Card", "qr": "扫码 QR pay"}


def _money(value: object, what: str) -> Decimal:
    if not isinstance(value, Decimal):
        raise TypeError(f"{what} must be a Decimal, not {type(value).__name__}")
    if not value.is_finite():
        raise ValueError(f"{what} is not a finite amount: {value}")
    if value != value.quantize(FEN):
        raise ValueError(f"{what} has more than two decimal places: {value}")
    return value


@dataclass(frozen=True, slots=True)
class BillLine:
    """One bill settled: its period ("2026-11"), the usage and its unit, the amount."""

    period: str
    usage: Decimal
    unit: str
    amount: Decimal

    def __post_init__(self) -> None:
        if not isinstance(self.usage, Decimal):
            raise TypeError(f"usage must be a Decimal, not {type(self.usage).__name__}")
        _money(self.amount, f"bill {self.period} amount")


@dataclass(frozen=True, slots=True)
class FeeLine:
    """A business fee (meter test, reconnection, ...) by its Chinese name; one line per fee
    taken (the same fee twice is two lines)."""

    name: str
    amount: Decimal

    def __post_init__(self) -> None:
        _money(self.amount, f"fee {self.name!r}")


@dataclass(frozen=True, slots=True)
class ReceiptDoc:
    """Everything a counter fee receipt shows.

    ``number`` is the station prefix and a zero-padded sequence ("PC1-00000042");
    ``issued_at`` is aware and shown in ``timezone`` (the hall's IANA name); ``copy``
    marks a reprint (补打 / COPY); ``check`` is :func:`receipt_check.check_value` of the
    number, total and issue date, carried by the QR code.
    """

    hall_name: str
    hall_name_en: str
    counter_no: int
    clerk_no: str
    station: str
    number: str
    issued_at: datetime
    timezone: str
    account_no: str
    holder: str
    address: str
    bills: tuple[BillLine, ...]
    late_fees: Decimal
    business_fees: tuple[FeeLine, ...]
    total: Decimal
    total_capitals: str
    method: PaymentMethod
    tendered: Decimal | None
    change: Decimal | None
    reference: str
    credit: Decimal
    copy: bool
    check: str

    def __post_init__(self) -> None:
        if self.issued_at.tzinfo is None or self.issued_at.utcoffset() is None:
            raise ValueError("issued_at must be timezone-aware")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown hall timezone {self.timezone!r}") from exc
        if self.method not in PAYMENT_METHODS:
            raise ValueError(f"payment method {self.method!r}; one of {PAYMENT_METHODS}")
        if not self.number or "|" in self.number:
            raise ValueError(f"receipt number {self.number!r} is empty or has '|'")
        if not isinstance(self.bills, tuple) or not isinstance(self.business_fees, tuple):
            raise TypeError("bills and business_fees are tuples")
        for value, what in (
            (self.late_fees, "late_fees"),
            (self.total, "total"),
            (self.credit, "credit"),
        ):
            _money(value, what)
        if self.total < 0:
            raise ValueError("total is negative")
        for optional, what in ((self.tendered, "tendered"), (self.change, "change")):
            if optional is not None:
                _money(optional, what)

    @property
    def local_issued_at(self) -> datetime:
        """``issued_at`` in the hall's timezone."""
        return self.issued_at.astimezone(ZoneInfo(self.timezone))

    @property
    def issued_on(self) -> date:
        """The hall's calendar date of issue (the date the check value signs)."""
        return self.local_issued_at.date()

    @property
    def total_fen(self) -> int:
        return total_fen(self.total)


def total_fen(amount: Decimal) -> int:
    """``amount`` in fen (whole hundredths of a yuan), exactly."""
    fen = _money(amount, "amount") * 100
    return int(fen)


def money_text(amount: Decimal) -> str:
    """Like "1,234.50": thousands separated, always two decimals."""
    return f"{_money(amount, 'amount'):,.2f}"


def yuan_text(amount: Decimal) -> str:
    return f"¥{money_text(amount)}"


Row = tuple[str, str]
"""A label and its value; an empty value means a line of text on its own."""


def header_rows(doc: ReceiptDoc) -> list[Row]:
    """Who issued it, when, and for whom."""
    local = doc.local_issued_at
    return [
        ("收据号 No.", doc.number),
        ("日期 Date", local.strftime("%Y-%m-%d %H:%M:%S")),
        ("窗口 Counter", str(doc.counter_no)),
        ("工号 Clerk", doc.clerk_no),
        ("终端 Station", doc.station),
        ("户号 Account", doc.account_no),
        ("户名 Holder", doc.holder),
        ("地址 Address", doc.address),
    ]


def charge_rows(doc: ReceiptDoc) -> list[Row]:
    """The business fees (paid first, so listed first), the bills settled, late fees and
    the credit added."""
    rows: list[Row] = [(f"{fee.name} Fee", yuan_text(fee.amount)) for fee in doc.business_fees]
    for bill in doc.bills:
        usage = f"{bill.usage.normalize():f} {bill.unit}".strip()
        rows.append((f"{bill.period} 账单 Bill  {usage}", yuan_text(bill.amount)))
    if doc.late_fees:
        rows.append(("违约金 Late fees", yuan_text(doc.late_fees)))
    if doc.credit:
        rows.append(("预存 Credit added", yuan_text(doc.credit)))
    return rows


def payment_rows(doc: ReceiptDoc) -> list[Row]:
    """How it was paid: method, tendered and change (cash), reference (card, QR)."""
    rows: list[Row] = [("支付方式 Method", METHOD_NAMES[doc.method])]
    if doc.tendered is not None:
        rows.append(("实收 Tendered", yuan_text(doc.tendered)))
    if doc.change is not None:
        rows.append(("找零 Change", yuan_text(doc.change)))
    if doc.reference:
        rows.append(("交易号 Ref.", doc.reference))
    return rows


def total_row(doc: ReceiptDoc) -> Row:
    return ("合计 Total", yuan_text(doc.total))


def capitals_text(doc: ReceiptDoc) -> str:
    return f"人民币大写 {doc.total_capitals}"


def title_text(doc: ReceiptDoc) -> str:
    """The title (收费收据 Receipt), with the reprint marking on a copy."""
    title = f"{TITLE_ZH} {TITLE_EN}"
    return f"{title} ({COPY_MARK})" if doc.copy else title


__all__ = [
    "COPY_MARK",
    "PAYMENT_METHODS",
    "BillLine",
    "FeeLine",
    "PaymentMethod",
    "ReceiptDoc",
    "Row",
    "capitals_text",
    "charge_rows",
    "header_rows",
    "money_text",
    "payment_rows",
    "title_text",
    "total_fen",
    "total_row",
    "yuan_text",
]
