"""Demo book of accounts: customer accounts, a year of monthly bills, the fee schedule and the
late-fee rules of the demo hall, so that look-up and payment can be tried at once.

Seeded only with the demo hall (`--demo`, from `ensure_demo_hall`), in its transaction.
Deterministic: the same seed and day give the same accounts, bills, fees and rules (and
the same row ids for the same hall code); `today` only anchors the twelve monthly periods,
up to last month, whose bill falls due on the 25th of this month; the eleven before are
past due. With `paid_by` (the demo's clerks) most of them were paid on time
(`demo_history`); without it (the simulator's book) every bill is still owed.

Fast, since every demo start and every test of the demo hall pays for it: rows are built
as plain tuples and written with one `executemany` per table (no ORM objects), about
2,000 accounts and 24,000 bills in a fraction of a second on SQLite.

Electricity, as a power utility's hall bills it (kWh, fen per kWh): households 80-450 kWh
a month with summer and winter peaks at 0.538 yuan, businesses 800-20,000 kWh at 0.82
yuan, low-income households (低保户) 40-180 kWh at 0.538 yuan with the late fee waived.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from app.models import Bill, CustomerAccount, FeeItem, Hall, LateFeeRuleRow
from app.services.simulation.demo_history import seed_paid_history

DEMO_ACCOUNTS = 2000
DEMO_SEED = 20261203
MONTHS = 12
DUE_DAY = 25  # a period's bill is due on the 25th of the month after it

ACCOUNTS = cast(Table, CustomerAccount.__table__)
BILLS = cast(Table, Bill.__table__)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红建国文辉鹏宇浩然晨雪梅林峰"
SHOPS = ("超市", "餐饮店", "便利店", "五金店", "药房", "理发店", "汽修厂", "面馆", "茶楼")
FIRMS = ("永丰", "华联", "金鼎", "百盛", "鸿运", "新民", "宏达", "顺发", "惠民", "东方")
DISTRICTS = ("西湖区", "上城区", "拱墅区", "滨江区", "萧山区", "余杭区")
STREETS = ("文三路", "莫干山路", "天目山路", "解放路", "延安路", "凤起路", "江南大道", "建国北路")
MOBILE = ("130", "131", "135", "136", "138", "139", "150", "151", "158", "159", "186", "189")
# (type, share of accounts, kWh a month low-high, fen per kWh)
TARIFFS = (
    ("residential", 0.85, 80, 450, 53.8),
    ("commercial", 0.10, 800, 20_000, 82.0),
    ("low_income", 0.05, 40, 180, 53.8),
)
SEASON = (1.3, 1.2, 1.0, 0.9, 0.9, 1.1, 1.4, 1.5, 1.2, 0.9, 1.0, 1.2)  # Jan..Dec


@dataclass(frozen=True)
class DemoFee:
    code: str
    service: str | None  # the queue service (demo_hall.SERVICES) it belongs to
    name_zh: str
    name_en: str
    amount_fen: int


FEES = (
    DemoFee("METER_MOVE", "APPLY", "表计移位", "Meter relocation", 30_000),
    DemoFee("RECONNECT", "APPLY", "复电", "Reconnection", 5_000),
    DemoFee("METER_TEST", "APPLY", "表计校验", "Meter accuracy test", 10_000),
    DemoFee("NEW_CONNECT", "APPLY", "新装接电", "New connection", 50_000),
    DemoFee("CARD_REISSUE", "PAY", "补办电卡", "Card reissue", 2_000),
    DemoFee("NAME_CHANGE", "APPLY", "过户", "Change of account holder", 0),
    DemoFee("BILL_COPY", None, "补打账单", "Bill copy", 200),
)
# account type -> (daily rate ppm, cap ratio ppm, grace days, waived): 0.1 %/day for
# households, 0.2 %/day for businesses, both capped at 30 % of the bill; none for 低保户.
LATE_FEES = {
    "residential": (1_000, 300_000, 0, False),
    "commercial": (2_000, 300_000, 0, False),
    "low_income": (0, 0, 0, True),
}


@dataclass(frozen=True)
class AccountRow:
    number: int
    account_number: str
    name: str
    address: str
    phone: str
    account_type: str
    active: bool


def account_number(n: int) -> str:
    """The n-th demo account number: 10 digits, '33' and a zero-padded serial."""
    return f"33{n:08d}"


def generate_accounts(count: int, seed: int = DEMO_SEED, start: int = 1) -> Iterator[AccountRow]:
    """`count` accounts numbered from `start`, the same for the same seed (also what the
    benchmark writes a million of)."""
    rng = random.Random(seed)
    types = [t[0] for t in TARIFFS]
    weights = [t[1] for t in TARIFFS]
    for n in range(start, start + count):
        kind = rng.choices(types, weights)[0]
        if kind == "commercial":
            name = f"{rng.choice(FIRMS)}{rng.choice(SHOPS)}"
            if rng.random() < 0.3:
                name = f"杭州{name[:-1] if name.endswith('店') else name}有限公司"
        else:
            given = "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
            name = rng.choice(SURNAMES) + given
        street = rng.choice(STREETS)
        if kind == "commercial":
            address = f"{rng.choice(DISTRICTS)}{street}{rng.randint(1, 999)}号{rng.randint(1, 3)}层"
        else:
            building, unit = rng.randint(1, 30), rng.randint(1, 4)
            room = rng.randint(1, 28) * 100 + rng.randint(1, 4)
            address = (
                f"{rng.choice(DISTRICTS)}{street}{rng.randint(1, 399)}号"
                f"{building}幢{unit}单元{room}室"
            )
        phone = f"{rng.choice(MOBILE)}{rng.randrange(10**8):08d}"
        yield AccountRow(
            number=n,
            account_number=account_number(n),
            name=name,
            address=address,
            phone=phone,
            account_type=kind,
            active=rng.random() >= 0.02,
        )


def periods(today: date, months: int = MONTHS) -> list[tuple[str, date, datetime]]:
    """The `months` periods up to last month, oldest first: (period, due date, issued at).
    A period's bill is issued on the 3rd and due on the 25th of the next month."""
    out: list[tuple[str, date, datetime]] = []
    year, month = today.year, today.month
    for back in range(months, 0, -1):
        y, m = divmod((year * 12 + month - 1) - back, 12)
        ny, nm = divmod(y * 12 + m + 1, 12)
        out.append(
            (
                f"{y:04d}-{m + 1:02d}",
                date(ny, nm + 1, DUE_DAY),
                datetime(ny, nm + 1, 3, 1, 0, tzinfo=UTC),
            )
        )
    return out


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def hall_day(session: Session, hall_id: uuid.UUID, when: datetime) -> date:
    """The hall's calendar day at `when` (its own time zone, not the machine's)."""
    zone = session.scalars(select(Hall.timezone).where(Hall.id == hall_id)).one()
    return when.astimezone(ZoneInfo(zone)).date()


def seed_demo_accounts(
    session: Session,
    hall_id: uuid.UUID,
    hall_code: str,
    services: dict[str, uuid.UUID],
    *,
    count: int = DEMO_ACCOUNTS,
    seed: int = DEMO_SEED,
    today: date | None = None,
    paid_by: list[uuid.UUID] | None = None,
) -> int:
    """Write the demo book of a new hall in `session`'s transaction; the accounts written.
    `paid_by`: the clerks of counters 1..n, who took the payments of the bills paid
    before today (`demo_history`). `today` defaults to the hall's day now."""
    when = today or hall_day(session, hall_id, datetime.now(UTC))
    ids = random.Random(f"{seed}/{hall_code}")  # row ids: the same per seed and hall code
    usage = random.Random(seed + 1)
    created = datetime(when.year - 2, 1, 1, tzinfo=UTC)
    tariff = {t[0]: t for t in TARIFFS}
    months = periods(when)
    accounts: list[dict[str, Any]] = []
    bills: list[dict[str, Any]] = []
    for row in generate_accounts(count, seed):
        account_id = _uuid(ids)
        accounts.append(
            {
                "id": account_id,
                "hall_id": hall_id,
                "account_number": row.account_number,
                "name": row.name,
                "address": row.address,
                "phone": row.phone,
                "account_type": row.account_type,
                "active": row.active,
                "created_at": created,
            }
        )
        _, _, low, high, price = tariff[row.account_type]
        base = usage.uniform(low, high)
        for period, due, issued in months:
            kwh = base * SEASON[int(period[5:]) - 1] * usage.uniform(0.85, 1.15)
            milli = int(kwh * 1000)
            bills.append(
                {
                    "id": _uuid(ids),
                    "account_id": account_id,
                    "period": period,
                    "usage_milli": milli,
                    "usage_unit": "kWh",
                    "amount_fen": round(milli * price / 1000),
                    "due_date": due,
                    "issued_at": issued,
                }
            )
    if accounts:
        session.execute(insert(ACCOUNTS), accounts)
        session.execute(insert(BILLS), bills)
    if paid_by:
        now = datetime.now(UTC) if today is None else datetime.combine(when, time(0), UTC)
        seed_paid_history(session, hall_id, hall_code, bills, paid_by, now, seed=seed)
    session.add_all(
        FeeItem(
            id=_uuid(ids),
            hall_id=hall_id,
            service_id=services.get(fee.service) if fee.service else None,
            code=fee.code,
            name_zh=fee.name_zh,
            name_en=fee.name_en,
            amount_fen=fee.amount_fen,
            active=True,
        )
        for fee in FEES
    )
    session.add_all(
        LateFeeRuleRow(
            id=_uuid(ids),
            hall_id=hall_id,
            account_type=kind,
            daily_rate_ppm=rate,
            cap_ratio_ppm=cap,
            grace_days=grace,
            waived=waived,
        )
        for kind, (rate, cap, grace, waived) in LATE_FEES.items()
    )
    return len(accounts)
