"""An amount in Chinese capitals (人民币大写), as written on receipts, cheques and vouchers.

The rules are those of the PBoC 《支付结算办法》 (银发〔1997〕393号), 附一
《正确填写票据和结算凭证的基本规定》:

- 一: only the capitals 壹贰叁肆伍陆柒捌玖拾佰仟万亿元角分零整 are used (never 一二三,
  十, 毛, 另 or 0); we write 元, not the also-accepted 圆, and 整, not 正.
- 二: an amount ending at 元 is followed by 整; after 角 整 may be left out, and we leave it
  out (0.50 -> 伍角); after 分 整 is never written.
- 三/四: the words "人民币" go before the capitals, with no gap; the receipt layout prints
  them, so `to_capitals` returns the capitals alone and `RMB_PREFIX` is there to prepend.
- 五: zeros follow the spoken language and make alteration impossible:
  (一) a zero between digits is written 零: 1,409.50 -> 壹仟肆佰零玖元伍角;
  (二) several zeros in a row are one 零: 6,007.14 -> 陆仟零柒元壹角肆分;
  (三) when the 万 or 元 digit is 0 (possibly with more zeros before it) but the 仟 or
       角 digit is not, one 零 may be written or not. We take the first form the rule
       gives for each: 1,680.32 -> 壹仟陆佰捌拾元零叁角贰分 (零 after 元 when the 元
       digit is 0 and the 角 is not), 107,000.53 -> 壹拾万柒仟元零伍角叁分 (no 零 after 万:
       the spoken 十万七千);
  (四) when the 角 is 0 but the 分 is not, 元 is followed by 零: 16,409.02 ->
       壹万陆仟肆佰零玖元零贰分, 325.04 -> 叁佰贰拾伍元零肆分.

Within the yuan, digits are read in groups of four (个拾佰仟, then 万, then 亿): a group
of zeros is silent, zeros at the end of a group are silent, and zeros between two written
digits (also across groups: 100,700 -> 壹拾万零柒佰) are one 零. A leading ten keeps its
壹 (10 -> 壹拾元整), as banks require against alteration. Amounts below one yuan have no
元 part (0.07 -> 柒分), and zero is 零元整. The largest amount written is
9,999,999,999,999,999.99 (玖仟玖佰玖拾玖万玖仟玖佰玖拾玖亿...): below 万亿亿.
"""

from __future__ import annotations

from decimal import Decimal

from app.services import errors
from app.services.billing.money import to_fen
from app.services.errors import DomainError

RMB_PREFIX = "人民币"

DIGITS = "零壹贰叁肆伍陆柒捌玖"
# Units of the four places of a group, from the ones up.
_PLACES = ("", "拾", "佰", "仟")

# Yuan from 10**16 up would need 万亿亿, which no receipt will ever print.
MAX_YUAN = 10**16 - 1


def _group(number: int) -> str:
    """0 < number < 10**4 in capitals, zeros inside collapsed to one 零, zeros at the
    end silent (leading zeros are the caller's business: it knows what comes before)."""
    out: list[str] = []
    pending_zero = False
    for place in range(3, -1, -1):
        digit = number // 10**place % 10
        if digit == 0:
            pending_zero = bool(out)
            continue
        if pending_zero:
            out.append("零")
            pending_zero = False
        out.append(DIGITS[digit] + _PLACES[place])
    return "".join(out)


def _integer(number: int) -> str:
    """0 < number < 10**16 in capitals: the part above 亿 (itself read with 万), then the
    part above 万, each followed by a 零 when the lower part starts with zeros."""
    for size, unit in ((8, "亿"), (4, "万")):
        if number >= 10**size:
            high, low = divmod(number, 10**size)
            text = _integer(high) + unit
            if low == 0:
                return text
            # The lower part has `size` places; if its top place is 0, a 零 joins them.
            joint = "零" if low < 10 ** (size - 1) else ""
            return text + joint + _integer(low)
    return _group(number)


def to_capitals(amount: Decimal) -> str:
    """The amount in 人民币大写 capitals: Decimal("1005.07") -> "壹仟零伍元零柒分".

    Refuses with `DomainError`: a negative amount (`BAD_AMOUNT`: receipts show what was
    paid; the sign of a refund is printed by its layout), a value that is not a whole
    number of fen (`AMOUNT_TOO_PRECISE`), one above `MAX_YUAN` yuan (`AMOUNT_TOO_LARGE`).
    """
    fen = to_fen(amount)
    if fen < 0:
        raise DomainError(errors.BAD_AMOUNT, f"no capitals for a negative amount: {amount}")
    yuan, cents = divmod(fen, 100)
    if yuan > MAX_YUAN:
        raise DomainError(errors.AMOUNT_TOO_LARGE, f"too large for capitals: {amount}")
    jiao, fen_digit = divmod(cents, 10)
    if fen == 0:
        return "零元整"
    out = _integer(yuan) + "元" if yuan else ""
    if cents == 0:
        return out + "整"
    if jiao:
        # Rule 五(三), first form: 零 after 元 when the 元 digit is 0 (1,680.32).
        if yuan and yuan % 10 == 0:
            out += "零"
        out += DIGITS[jiao] + "角"
    elif yuan:
        out += "零"  # rule 五(四): 角 is 0 and 分 is not
    if fen_digit:
        out += DIGITS[fen_digit] + "分"
    return out
