from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.services.billing.receipt_check import (
    QrFields,
    check_value,
    parse_qr,
    qr_payload,
    verify,
)
from tests.unit.services.billing.receipt_helpers import KEY, make_doc

DAY = date(2026, 12, 4)
PAYLOAD = "HDR1|PC1-00000042|140000|20261204|HHBJ4KGEDI"


def test_golden_check_value_and_payload() -> None:
    """HMAC-SHA256 over "PC1-00000042|140000|20261204", base32, first 10 characters."""
    assert check_value(KEY, "PC1-00000042", 140000, DAY) == "HHBJ4KGEDI"
    assert qr_payload(make_doc()) == PAYLOAD
    assert parse_qr(PAYLOAD) == QrFields("PC1-00000042", 140000, DAY, "HHBJ4KGEDI")
    assert verify(KEY, PAYLOAD)
    assert verify(KEY, PAYLOAD + "\n")  # a scanner's trailing newline


@pytest.mark.parametrize(
    "args",
    [
        (KEY, "PC1-00000043", 140000, DAY),
        (KEY, "PC1-00000042", 140001, DAY),
        (KEY, "PC1-00000042", 140000, date(2026, 12, 5)),
        (b"another station", "PC1-00000042", 140000, DAY),
    ],
)
def test_any_change_changes_the_check(args: tuple[bytes, str, int, date]) -> None:
    assert check_value(*args) != "HHBJ4KGEDI"


@pytest.mark.parametrize(
    "tampered",
    [
        PAYLOAD.replace("|140000|", "|14000|"),  # total altered
        PAYLOAD.replace("00000042", "00000041"),  # another receipt's number
        PAYLOAD.replace("20261204", "20261203"),  # date altered
        PAYLOAD[:-1] + "J",  # check altered
        "HDR1|garbage",
    ],
)
def test_tampered_payload_fails(tampered: str) -> None:
    assert not verify(KEY, tampered)


def test_wrong_key_fails_and_empty_key_refused() -> None:
    assert not verify(b"not the station key", PAYLOAD)
    with pytest.raises(ValueError, match="key is empty"):
        check_value(b"", "PC1-1", 1, DAY)
    with pytest.raises(ValueError, match="negative"):
        check_value(KEY, "PC1-1", -1, DAY)


def test_doc_check_follows_total_and_hall_date() -> None:
    doc = make_doc(total=Decimal("12.34"), number="PC2-00000001")
    assert qr_payload(doc).startswith("HDR1|PC2-00000001|1234|20261204|")
    assert verify(KEY, qr_payload(doc))
    with pytest.raises(ValueError, match="base32"):
        qr_payload(make_doc(check="lowercase!"))


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ("", "1 fields, expected 5"),
        ("HDR1|PC1-1|100|20261204", "4 fields"),
        ("HDR1|PC1-1|100|20261204|HHBJ4KGEDI|x", "6 fields"),
        ("HDR2|PC1-1|100|20261204|HHBJ4KGEDI", "not a HallDesk receipt"),
        ("HDR1||100|20261204|HHBJ4KGEDI", "receipt number"),
        ("HDR1|PC1 1|100|20261204|HHBJ4KGEDI", "receipt number"),
        ("HDR1|PC1-1|-100|20261204|HHBJ4KGEDI", "whole number of fen"),
        ("HDR1|PC1-1|1.00|20261204|HHBJ4KGEDI", "whole number of fen"),
        ("HDR1|PC1-1|0100|20261204|HHBJ4KGEDI", "whole number of fen"),
        ("HDR1|PC1-1|100|2026-12-4|HHBJ4KGEDI", "yyyymmdd"),
        ("HDR1|PC1-1|100|20261301|HHBJ4KGEDI", "calendar date"),
        ("HDR1|PC1-1|100|20261204|hhbj4kgedi", "base32"),
        ("HDR1|PC1-1|100|20261204|HHBJ4KGED", "base32"),
        ("HDR1|PC1-1|100|20261204|HHBJ4KGED1", "base32"),
    ],
)
def test_parse_refuses_malformed(payload: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_qr(payload)
