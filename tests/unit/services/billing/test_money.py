"""Money: exact Decimal <-> fen, the amounts a clerk may type, the display form."""

from __future__ import annotations

import inspect
import io
import tokenize
from decimal import Decimal
from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.services import errors
from app.services.billing import capitals, late_fee, money
from app.services.billing.money import (
    MAX_AMOUNT,
    format_yuan,
    from_fen,
    parse_amount,
    quantize_fen,
    to_fen,
)
from app.services.errors import DomainError

PROPERTY = settings(max_examples=500, database=None)
FEN = st.integers(min_value=-(10**15), max_value=10**15)


def refused(code: str, call: object, *args: object) -> None:
    assert callable(call)
    with pytest.raises(DomainError) as caught:
        call(*args)
    assert caught.value.code == code, caught.value


@pytest.mark.parametrize("module", [money, capitals, late_fee])
def test_no_float_in_the_code(module: ModuleType) -> None:
    source = inspect.getsource(module)
    assert "float(" not in source
    names = {
        token.string
        for token in tokenize.generate_tokens(io.StringIO(source).readline)
        if token.type == tokenize.NAME
    }
    assert "float" not in names


@pytest.mark.parametrize(
    ("amount", "fen"),
    [
        ("0", 0),
        ("-0.00", 0),
        ("0.01", 1),
        ("12.34", 1234),
        ("12.5", 1250),
        ("12.500", 1250),
        ("-0.5", -50),
        ("1E+3", 100000),
        ("10000000.00", 1_000_000_000),
        ("92233720368547758.07", 2**63 - 1),
    ],
)
def test_to_fen_exact(amount: str, fen: int) -> None:
    assert to_fen(Decimal(amount)) == fen


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        ("0.005", errors.AMOUNT_TOO_PRECISE),
        ("12.341", errors.AMOUNT_TOO_PRECISE),
        ("1E-3", errors.AMOUNT_TOO_PRECISE),
        ("NaN", errors.BAD_AMOUNT),
        ("Infinity", errors.BAD_AMOUNT),
        ("-Infinity", errors.BAD_AMOUNT),
        ("92233720368547758.08", errors.AMOUNT_TOO_LARGE),
        ("1E+999999", errors.AMOUNT_TOO_LARGE),
    ],
)
def test_to_fen_refuses(amount: str, code: str) -> None:
    refused(code, to_fen, Decimal(amount))


@pytest.mark.parametrize("value", [1.5, 12, "12.50", True])
def test_to_fen_wants_a_decimal(value: object) -> None:
    with pytest.raises(TypeError):
        to_fen(value)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [1.5, Decimal(1), True])
def test_from_fen_wants_an_int(value: object) -> None:
    with pytest.raises(TypeError):
        from_fen(value)  # type: ignore[arg-type]


def test_from_fen_has_two_places() -> None:
    assert str(from_fen(1234)) == "12.34"
    assert str(from_fen(0)) == "0.00"
    assert str(from_fen(-5)) == "-0.05"
    assert str(from_fen(10**30 + 1)) == "1" + "0" * 28 + ".01"  # beyond context precision


@PROPERTY
@given(FEN)
def test_fen_round_trip(fen: int) -> None:
    amount = from_fen(fen)
    assert amount.as_tuple().exponent == -2
    assert to_fen(amount) == fen
    assert quantize_fen(amount) == amount


@PROPERTY
@given(
    st.decimals(
        allow_nan=False, allow_infinity=False, places=2, min_value=-(10**12), max_value=10**12
    )
)
def test_to_fen_of_any_two_place_decimal(amount: Decimal) -> None:
    assert from_fen(to_fen(amount)) == amount


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("12", "12.00"),
        ("12.5", "12.50"),
        ("12.50", "12.50"),
        ("￥12.50", "12.50"),
        ("¥12.50", "12.50"),
        ("￥ 12.50", "12.50"),
        (" 1,234.56 ", "1234.56"),
        ("\u3000 1,234,567.8\t", "1234567.80"),
        ("12,345", "12345.00"),
        ("0.5", "0.50"),
        ("0.01", "0.01"),
        ("007", "7.00"),
        ("１２．５０", "12.50"),  # full-width, as a Chinese input method types
        ("１，２３４", "1234.00"),
        ("+3", "3.00"),
        ("＋３", "3.00"),
        ("￥１２.５", "12.50"),
        ("10,000,000.00", "10000000.00"),
    ],
)
def test_parse_amount_accepts(text: str, amount: str) -> None:
    parsed = parse_amount(text)
    assert parsed == Decimal(amount)
    assert str(parsed) == amount  # always two places


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", errors.BAD_AMOUNT),
        ("   ", errors.BAD_AMOUNT),
        ("abc", errors.BAD_AMOUNT),
        ("12a", errors.BAD_AMOUNT),
        ("12元", errors.BAD_AMOUNT),
        ("1 234", errors.BAD_AMOUNT),
        (".5", errors.BAD_AMOUNT),
        ("12.", errors.BAD_AMOUNT),
        ("1.2.3", errors.BAD_AMOUNT),
        ("1,23", errors.BAD_AMOUNT),
        ("12,34,567", errors.BAD_AMOUNT),
        (",123", errors.BAD_AMOUNT),
        ("1e3", errors.BAD_AMOUNT),
        ("NaN", errors.BAD_AMOUNT),
        ("Infinity", errors.BAD_AMOUNT),
        ("١٢", errors.BAD_AMOUNT),  # Arabic-Indic digits: Decimal() would take them
        ("￥", errors.BAD_AMOUNT),
        ("￥￥12", errors.BAD_AMOUNT),
        ("$12", errors.BAD_AMOUNT),
        ("①②", errors.BAD_AMOUNT),  # look-alike digits are not full-width ASCII
        ("1²", errors.BAD_AMOUNT),
        ("12。5", errors.BAD_AMOUNT),  # the ideographic full stop is not a decimal point
        ("--5", errors.BAD_AMOUNT),
        ("1" * 40, errors.BAD_AMOUNT),
        ("0", errors.AMOUNT_NOT_POSITIVE),
        ("0.00", errors.AMOUNT_NOT_POSITIVE),
        ("-5", errors.AMOUNT_NOT_POSITIVE),
        ("-0.01", errors.AMOUNT_NOT_POSITIVE),
        ("－５", errors.AMOUNT_NOT_POSITIVE),
        ("12.345", errors.AMOUNT_TOO_PRECISE),
        ("12.500", errors.AMOUNT_TOO_PRECISE),
        ("0.001", errors.AMOUNT_TOO_PRECISE),
        ("10000000.01", errors.AMOUNT_TOO_LARGE),
        ("99,999,999", errors.AMOUNT_TOO_LARGE),
    ],
)
def test_parse_amount_refuses(text: str, code: str) -> None:
    refused(code, parse_amount, text)


def test_too_large_names_the_maximum() -> None:
    with pytest.raises(DomainError) as caught:
        parse_amount("20000000")
    assert caught.value.details == {"maximum": "10,000,000.00"}


@PROPERTY
@given(st.integers(min_value=1, max_value=to_fen(MAX_AMOUNT)))
def test_parse_what_format_shows(fen: int) -> None:
    amount = from_fen(fen)
    shown = format_yuan(amount)
    assert parse_amount(shown) == amount
    assert parse_amount(shown.replace(",", "")) == amount
    assert parse_amount("￥" + shown) == amount


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        ("1234.56", "1,234.56"),
        ("0", "0.00"),
        ("-0", "0.00"),
        ("0.5", "0.50"),
        ("999.99", "999.99"),
        ("1000", "1,000.00"),
        ("-1234567.8", "-1,234,567.80"),
        ("12.500", "12.50"),
    ],
)
def test_format_yuan(amount: str, shown: str) -> None:
    assert format_yuan(Decimal(amount)) == shown


def test_format_yuan_refuses_a_fraction_of_a_fen() -> None:
    refused(errors.AMOUNT_TOO_PRECISE, format_yuan, Decimal("0.005"))
