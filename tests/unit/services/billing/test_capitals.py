"""Chinese capitals: hand-checked cases (the PBoC rule's own examples among them) and a
property against a second implementation written another way."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.services import errors
from app.services.billing.capitals import MAX_YUAN, RMB_PREFIX, to_capitals
from app.services.billing.money import from_fen
from app.services.errors import DomainError

PROPERTY = settings(max_examples=2000, database=None)


@pytest.mark.parametrize(
    ("amount", "capitals"),
    [
        # the brief's and the rule's examples (《支付结算办法》附一, 五)
        ("123.45", "壹佰贰拾叁元肆角伍分"),
        ("100", "壹佰元整"),
        ("1005.07", "壹仟零伍元零柒分"),
        ("0.5", "伍角"),
        ("10", "壹拾元整"),
        ("100000", "壹拾万元整"),
        ("1409.50", "壹仟肆佰零玖元伍角"),
        ("6007.14", "陆仟零柒元壹角肆分"),
        ("1680.32", "壹仟陆佰捌拾元零叁角贰分"),
        ("107000.53", "壹拾万柒仟元零伍角叁分"),
        ("16409.02", "壹万陆仟肆佰零玖元零贰分"),
        ("325.04", "叁佰贰拾伍元零肆分"),
        # small amounts
        ("0", "零元整"),
        ("0.00", "零元整"),
        ("0.01", "壹分"),
        ("0.07", "柒分"),
        ("0.10", "壹角"),
        ("0.99", "玖角玖分"),
        ("1", "壹元整"),
        ("1.01", "壹元零壹分"),
        ("1.10", "壹元壹角"),
        ("10.1", "壹拾元零壹角"),
        ("20.01", "贰拾元零壹分"),
        ("15", "壹拾伍元整"),
        ("110", "壹佰壹拾元整"),
        ("1010", "壹仟零壹拾元整"),
        ("1001", "壹仟零壹元整"),
        ("1100", "壹仟壹佰元整"),
        # zeros around 万 and 亿
        ("10000", "壹万元整"),
        ("10001", "壹万零壹元整"),
        ("10010", "壹万零壹拾元整"),
        ("11000", "壹万壹仟元整"),
        ("100700", "壹拾万零柒佰元整"),
        ("101000", "壹拾万壹仟元整"),
        ("1000100", "壹佰万零壹佰元整"),
        ("10000005", "壹仟万零伍元整"),
        ("10050000", "壹仟零伍万元整"),
        ("100000000", "壹亿元整"),
        ("100000005", "壹亿零伍元整"),
        ("100005000", "壹亿零伍仟元整"),
        ("100500000", "壹亿零伍拾万元整"),
        ("150000000", "壹亿伍仟万元整"),
        ("1000000000.01", "壹拾亿元零壹分"),
        ("1000010000", "壹拾亿零壹万元整"),
        ("100001000", "壹亿零壹仟元整"),  # an empty 万 group is a zero in the middle
        ("300000001", "叁亿零壹元整"),
        ("100020000000", "壹仟亿贰仟万元整"),
        ("120000000000", "壹仟贰佰亿元整"),
        ("1000000000000", "壹万亿元整"),
        ("1200000000000", "壹万贰仟亿元整"),
        ("1000200000000", "壹万零贰亿元整"),
        ("1000000010000", "壹万亿零壹万元整"),
        ("1234567890123.45", "壹万贰仟叁佰肆拾伍亿陆仟柒佰捌拾玖万零壹佰贰拾叁元肆角伍分"),
        (
            "9999999999999999.99",
            "玖仟玖佰玖拾玖万玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分",
        ),
    ],
)
def test_hand_checked(amount: str, capitals: str) -> None:
    assert to_capitals(Decimal(amount)) == capitals


def test_prefix_is_separate() -> None:
    assert RMB_PREFIX + to_capitals(Decimal("12")) == "人民币壹拾贰元整"


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        ("-0.01", errors.BAD_AMOUNT),
        ("-100", errors.BAD_AMOUNT),
        ("12.345", errors.AMOUNT_TOO_PRECISE),
        ("0.001", errors.AMOUNT_TOO_PRECISE),
        ("NaN", errors.BAD_AMOUNT),
        ("10000000000000000", errors.AMOUNT_TOO_LARGE),
    ],
)
def test_refused(amount: str, code: str) -> None:
    with pytest.raises(DomainError) as caught:
        to_capitals(Decimal(amount))
    assert caught.value.code == code


# A second implementation, written the other way round: spell every one of the 16 places
# with its unit (零 included), then collapse with the rewriting rules clerks learn.
_NUMERALS = "零壹贰叁肆伍陆柒捌玖"
_UNITS = "仟佰拾万仟佰拾亿仟佰拾万仟佰拾元"
_REWRITES = [
    (re.compile("零[仟佰拾]"), "零"),
    (re.compile("零+"), "零"),
    (re.compile("亿零万"), "亿零"),  # an empty 万 group between 亿 and the rest: one 零
    (re.compile("零([万亿元])"), r"\1"),
]


def _reference(text: str) -> str:
    """`text` is an amount with exactly two decimals, e.g. "1005.07"."""
    whole, cents = text.split(".")
    jiao, fen = int(cents[0]), int(cents[1])
    padded = whole.rjust(16, "0")
    start = next((i for i, d in enumerate(padded) if d != "0"), 16)
    spelled = "".join(_NUMERALS[int(d)] + u for d, u in zip(padded, _UNITS, strict=True))
    yuan = spelled[2 * start :]
    previous = None
    while previous != yuan:
        previous = yuan
        for pattern, replacement in _REWRITES:
            yuan = pattern.sub(replacement, yuan)
    has_yuan = start < 16
    last_digit_zero = padded[-1] == "0"
    tail = {
        (False, False): "整",
        (True, False): _NUMERALS[jiao] + "角",
        (False, True): ("零" if has_yuan else "") + _NUMERALS[fen] + "分",
        (True, True): _NUMERALS[jiao] + "角" + _NUMERALS[fen] + "分",
    }[(jiao > 0, fen > 0)]
    if jiao and has_yuan and last_digit_zero:
        tail = "零" + tail
    if not has_yuan:
        return "零元整" if tail == "整" else tail
    return yuan + tail


def test_reference_agrees_with_the_rule_examples() -> None:
    assert _reference("1680.32") == "壹仟陆佰捌拾元零叁角贰分"
    assert _reference("107000.53") == "壹拾万柒仟元零伍角叁分"
    assert _reference("1000000010000.00") == "壹万亿零壹万元整"
    assert _reference("100001000.00") == "壹亿零壹仟元整"
    assert _reference("100000000.00") == "壹亿元整"


# Digits with many zeros, where the rules bite, as well as plain uniform integers.
_ZERO_HEAVY = st.lists(st.sampled_from("0000000123456789"), min_size=1, max_size=18).map(
    lambda ds: int("".join(ds))
)


@PROPERTY
@given(st.one_of(st.integers(min_value=0, max_value=(MAX_YUAN + 1) * 100 - 1), _ZERO_HEAVY))
def test_matches_the_reference(fen: int) -> None:
    fen %= (MAX_YUAN + 1) * 100
    amount = from_fen(fen)
    assert to_capitals(amount) == _reference(str(amount))


@PROPERTY
@given(st.integers(min_value=1, max_value=(MAX_YUAN + 1) * 100 - 1))
def test_well_formed(fen: int) -> None:
    text = to_capitals(from_fen(fen))
    assert "零零" not in text
    assert not text.startswith("零")
    assert not re.search("零[万亿元角]", text)
    assert text.endswith(("整", "角", "分"))
    assert set(text) <= set(_NUMERALS + "拾佰仟万亿元角分整")
