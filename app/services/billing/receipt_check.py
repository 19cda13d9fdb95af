"""The check value a receipt's QR code carries, so a counter can tell a genuine receipt.

``check_value`` is an HMAC-SHA256, keyed with the station's secret (the caller reads it
from the settings or the keyring), over the receipt number, the total in fen and the
hall's issue date, truncated to 10 base32 characters (50 bits).  A receipt whose number,
total or date was altered, or one made without the key, does not verify.

The QR payload is ``HDR1|<number>|<total fen>|<yyyymmdd>|<check>``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from datetime import date, datetime
from typing import NamedTuple

from app.services.billing.receipt_doc import ReceiptDoc

PREFIX = "HDR1"
CHECK_LENGTH = 10
_NUMBER = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,31}")
_FEN = re.compile(r"0|[1-9][0-9]{0,13}")
_DATE = re.compile(r"[0-9]{8}")
_CHECK = re.compile(f"[A-Z2-7]{{{CHECK_LENGTH}}}")


class QrFields(NamedTuple):
    number: str
    total_fen: int
    issued_on: date
    check: str


def _valid_number(number: str) -> str:
    if not _NUMBER.fullmatch(number):
        raise ValueError(f"receipt number {number!r}: 1-32 letters, digits and '-'")
    return number


def check_value(key: bytes, number: str, total_fen: int, issued_on: date) -> str:
    """10 base32 characters of HMAC-SHA256(key, "number|fen|yyyymmdd")."""
    if not key:
        raise ValueError("the check key is empty")
    if total_fen < 0:
        raise ValueError("total_fen is negative")
    message = f"{_valid_number(number)}|{total_fen}|{issued_on:%Y%m%d}".encode("ascii")
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return base64.b32encode(digest).decode("ascii")[:CHECK_LENGTH]


def qr_payload(doc: ReceiptDoc) -> str:
    """``HDR1|<number>|<total fen>|<yyyymmdd>|<check>`` of ``doc``."""
    if not _CHECK.fullmatch(doc.check):
        raise ValueError(f"receipt check {doc.check!r} is not {CHECK_LENGTH} base32 chars")
    number = _valid_number(doc.number)
    return f"{PREFIX}|{number}|{doc.total_fen}|{doc.issued_on:%Y%m%d}|{doc.check}"


def parse_qr(payload: str) -> QrFields:
    """The fields of a scanned payload; ``ValueError`` saying what is wrong otherwise."""
    parts = payload.strip().split("|")
    if len(parts) != 5:
        raise ValueError(f"receipt QR has {len(parts)} fields, expected 5: {payload!r}")
    prefix, number, fen, day, check = parts
    if prefix != PREFIX:
        raise ValueError(f"not a HallDesk receipt QR (prefix {prefix!r}, expected {PREFIX!r})")
    _valid_number(number)
    if not _FEN.fullmatch(fen):
        raise ValueError(f"receipt QR total {fen!r} is not a whole number of fen")
    if not _DATE.fullmatch(day):
        raise ValueError(f"receipt QR date {day!r} is not yyyymmdd")
    try:
        issued_on = datetime.strptime(day, "%Y%m%d").date()
    except ValueError:
        raise ValueError(f"receipt QR date {day!r} is not a calendar date") from None
    if not _CHECK.fullmatch(check):
        raise ValueError(f"receipt QR check {check!r} is not {CHECK_LENGTH} base32 chars")
    return QrFields(number, int(fen), issued_on, check)


def verify(key: bytes, payload: str) -> bool:
    """Whether ``payload`` is well formed and its check matches under ``key``."""
    try:
        fields = parse_qr(payload)
    except ValueError:
        return False
    expected = check_value(key, fields.number, fields.total_fen, fields.issued_on)
    return hmac.compare_digest(expected, fields.check)


__all__ = ["PREFIX", "QrFields", "check_value", "parse_qr", "qr_payload", "verify"]
