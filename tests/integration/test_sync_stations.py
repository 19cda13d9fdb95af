"""Stations taking payments while their link to the centre breaks: real processes, a real
central PostgreSQL, a TCP proxy that drops every connection at random, kill -9 in the middle
of a payment or a push. Afterwards the centre holds every payment exactly once, its totals
are the sum of the stations' receipts, and every bill's balance is what the stations saw.

The stations pay disjoint ranges of accounts here: two stations paying the same bill while
cut off from each other is the conflict case, which needs the pull (issue 9, next step)."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from app.models import Bill, Payment, PaymentAllocation
from app.models.db import Database
from tests.fault_proxy import FaultProxy
from tests.unit.services.sync.sync_helpers import central_with_book, make_station

ROOT = Path(__file__).resolve().parents[2]


def _station(central_url: str, cache: Path, prefix: str, count: int, first: int, last: int):  # type: ignore[no-untyped-def]
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.integration.sync_station",
            central_url,
            str(cache),
            prefix,
            str(count),
            str(first),
            str(last),
            "7",
        ],  # fmt: skip
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _payments(db: Database) -> dict[object, tuple[str, int]]:
    with db.read() as s:
        return {
            p.id: (p.receipt_number, p.amount_fen)
            for p in s.execute(select(Payment.id, Payment.receipt_number, Payment.amount_fen))
        }


def _balances(db: Database) -> dict[object, int]:
    with db.read() as s:
        paid = dict(
            s.execute(
                select(PaymentAllocation.bill_id, func.sum(PaymentAllocation.amount_fen)).group_by(
                    PaymentAllocation.bill_id
                )
            ).all()
        )
        return {
            b.id: b.amount_fen - int(paid.get(b.id, 0))
            for b in s.execute(select(Bill.id, Bill.amount_fen))
        }


def test_three_stations_pay_through_a_link_that_keeps_breaking(pg_url: str, tmp_path: Path):
    central = central_with_book(pg_url, accounts=300)
    url = make_url(pg_url)
    proxy = FaultProxy(url.host or "127.0.0.1", url.port or 5432).start()
    via_proxy = url.set(port=proxy.port).render_as_string(hide_password=False)
    caches = []
    for n in range(3):
        station = make_station(central, tmp_path / f"pc{n + 1}.sqlite3")
        station.cache.dispose()
        caches.append(tmp_path / f"pc{n + 1}.sqlite3")
    procs = [
        _station(via_proxy, cache, f"PC{n + 1}", 500, 1 + n * 100, 100 + n * 100)
        for n, cache in enumerate(caches)
    ]
    rng = random.Random(3)
    try:
        while not all(Path(f"{c}.paid").exists() for c in caches):
            time.sleep(rng.uniform(0.3, 1.5))
            proxy.cut()
            time.sleep(rng.uniform(0.1, 1.0))
            proxy.heal()
            if any(p.poll() is not None for p in procs) or proxy.cuts > 400:
                break  # a station died: its error is below
        outs = [p.communicate(timeout=300) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
        proxy.stop()
    for p, (_out, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err[-2000:]
    reports = [json.loads(out.strip().splitlines()[-1]) for out, _ in outs]
    assert proxy.cuts >= 3
    assert [r["payments"] for r in reports] == [500, 500, 500]
    remote = _payments(central)
    central_left = _balances(central)
    local: dict[object, tuple[str, int]] = {}
    for cache in caches:
        db = Database.from_url(f"sqlite:///{cache}", use_keyring=False)
        local.update(_payments(db))
        with db.read() as s:
            paid_here = set(s.scalars(select(PaymentAllocation.bill_id)).all())
        station_left = _balances(db)
        for bill in paid_here:  # what the station saw of its bills is what the centre has
            assert central_left[bill] == station_left[bill]
        db.dispose()
    assert remote == local  # every payment once, none more, the same receipt and amount
    assert sum(a for _, a in remote.values()) == sum(r["sum_fen"] for r in reports)
    numbers = sorted(n for n, _ in remote.values())
    assert len(numbers) == len(set(numbers)) == 1500
    central.dispose()


def test_a_station_killed_mid_payment_and_mid_push_loses_and_doubles_nothing(
    pg_url: str, tmp_path: Path
):
    central = central_with_book(pg_url, accounts=100)
    cache = tmp_path / "pc1.sqlite3"
    make_station(central, cache).cache.dispose()
    rng = random.Random(11)
    kills = 0
    while True:
        proc = _station(pg_url, cache, "PC1", 300, 1, 100)
        if kills < 4:
            time.sleep(rng.uniform(0.3, 1.2))  # paying, or pushing, or both
            if proc.poll() is None:
                proc.kill()  # SIGKILL: no clean-up of any kind
                proc.wait(30)
                kills += 1
                continue
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err[-2000:]
        break
    assert kills >= 3
    report = json.loads(out.strip().splitlines()[-1])
    assert report["payments"] == 300 and report["outbox"] == 0
    db = Database.from_url(f"sqlite:///{cache}", use_keyring=False)
    local = _payments(db)
    db.dispose()
    remote = _payments(central)
    assert remote == local
    numbers = sorted(n for n, _ in remote.values())
    assert numbers == [f"PC1-{n:08d}" for n in range(1, 301)]  # gapless through the kills
    central.dispose()
