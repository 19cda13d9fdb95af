"""Demo hall: what `scripts/run` and the hall-day simulator start from.

Only seeded when asked (`--demo`, `init-db --demo`, the simulator): every demo staff
member logs in with the published password 1234. Each gets a hash of their own (a salt
of their own); they are made with cheap argon2 parameters (`DEMO_HASHER`) because a slow
hash of a password printed in the README protects nothing, while the simulator builds a
hall of up to 99 counters, each clerk logging in, at every run. `AuthService` verifies
these hashes like any other (the parameters are in the hash) and hashes a password it
sets with its own, full-cost parameters.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from argon2 import PasswordHasher
from sqlalchemy import select

from app.models import Counter, CounterService, Hall, Service, Staff
from app.models.db import Database
from app.services.simulation.demo_accounts import seed_demo_accounts

DEMO_HALL = "DEMO"
DEMO_PASSWORD = "1234"
# For the published demo password only (see the module's docstring); 16-byte salts.
DEMO_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@dataclass(frozen=True)
class DemoService:
    code: str
    prefix: str
    name_zh: str
    name_en: str
    weight: int
    threshold_min: int
    default_s: int
    handling_limit_min: int = 30  # an alert past it
    queue_limit: int = 0  # an alert past it (0: none)


SERVICES = (
    DemoService("PAY", "A", "缴费业务", "Bill payment", 0, 15, 180, 10, 15),
    DemoService("APPLY", "B", "业务办理", "Applications", 0, 25, 480, 25, 10),
    DemoService("ENQ", "C", "咨询投诉", "Enquiries & complaints", 0, 20, 360, 20, 10),
    DemoService("GREEN", "V", "绿色通道", "Green channel", 10, 10, 300, 15, 5),
)
# counter number -> services in order
COUNTERS = {
    1: ("PAY", "APPLY"),
    2: ("PAY", "APPLY"),
    3: ("APPLY", "PAY"),
    4: ("APPLY", "ENQ"),
    5: ("ENQ", "APPLY"),
    6: ("GREEN", "PAY", "APPLY", "ENQ"),
}
TRANSFER = {1: "APPLY", 2: "APPLY", 3: "PAY", 4: "ENQ", 5: "APPLY", 6: "PAY"}
STAFF = (
    ("1001", "王芳", "clerk"),
    ("1002", "李娜", "clerk"),
    ("1003", "张伟", "clerk"),
    ("1004", "刘洋", "clerk"),
    ("1005", "陈静", "clerk"),
    ("1006", "杨磊", "clerk"),
    ("8001", "赵敏", "manager"),
    ("9001", "系统管理员", "admin"),
)


def ensure_demo_hall(
    db: Database,
    *,
    code: str = DEMO_HALL,
    counters: int = 6,
    password: str = DEMO_PASSWORD,
    hasher: PasswordHasher | None = None,
    accounts: int = 0,
    book_day: date | None = None,
    paid_history: bool = False,
) -> bool:
    """Create the demo hall unless it exists, with its book of `accounts` customer
    accounts (demo_accounts) whose bills run up to the month before `book_day` (default:
    the hall's day today, in its time zone), most of them paid on time when
    `paid_history` (the `--demo` book; see demo_history); True when it was created."""
    with db.write() as s:
        if s.scalar(select(Hall.id).where(Hall.code == code)) is not None:
            return False
        hall = Hall(
            id=uuid.uuid4(),
            code=code,
            name_zh="示范营业厅",
            name_en="Demo Service Hall",
            timezone="Asia/Shanghai",
        )
        s.add(hall)
        services: dict[str, Service] = {}
        for order, d in enumerate(SERVICES):
            svc = Service(
                id=uuid.uuid4(),
                hall_id=hall.id,
                code=d.code,
                prefix=d.prefix,
                name_zh=d.name_zh,
                name_en=d.name_en,
                priority_weight=d.weight,
                wait_threshold_min=d.threshold_min,
                default_service_s=d.default_s,
                handling_limit_min=d.handling_limit_min,
                queue_limit=d.queue_limit,
                sort_order=order,
                active=True,
            )
            services[d.code] = svc
            s.add(svc)
        s.flush()
        for number in range(1, counters + 1):
            plan = COUNTERS.get(number) or COUNTERS[1 + (number - 1) % len(COUNTERS)]
            transfer = TRANSFER.get(number, "APPLY")
            counter = Counter(
                id=uuid.uuid4(),
                hall_id=hall.id,
                number=number,
                name_zh=f"{number}号窗口",
                name_en=f"Counter {number}",
                transfer_service_id=services[transfer].id,
                active=True,
            )
            counter.services = [
                CounterService(service_id=services[c].id, rank=rank) for rank, c in enumerate(plan)
            ]
            s.add(counter)
        ph = hasher or DEMO_HASHER
        extra = tuple(
            (f"{1000 + n}", f"营业员{n}", "clerk") for n in range(len(STAFF) - 1, counters + 1)
        )
        for job, name, role in STAFF + extra:
            if s.scalar(select(Staff.id).where(Staff.job_number == job)) is None:
                s.add(
                    Staff(
                        id=uuid.uuid4(),
                        hall_id=hall.id,
                        job_number=job,
                        name=name,
                        role=role,
                        password_hash=ph.hash(password),  # a salt of their own
                        active=True,
                    )
                )
        if accounts:  # the book with its fee schedule and late-fee rules (`--demo`)
            s.flush()
            clerks = [
                s.scalar(select(Staff.id).where(Staff.job_number == f"{1000 + n}"))
                for n in range(1, counters + 1)
            ]
            seed_demo_accounts(
                s,
                hall.id,
                code,
                {c: svc.id for c, svc in services.items()},
                count=accounts,
                today=book_day,
                paid_by=[c for c in clerks if c is not None] if paid_history else None,
            )
    return True
