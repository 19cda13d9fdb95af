"""NOTIFY reaches a listening station at once, and the listener comes back after the
server was crashed and restarted (a real PostgreSQL, `pg_ctl stop -m immediate`); one
listener per hall, through the hall's relay, wakes that hall's stations and no others."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import UTC, date, datetime

from sqlalchemy import select, update

from app.models import Bill, CustomerAccount, Hall, Staff
from app.models.db import Database
from app.models.migrate import upgrade
from app.services.simulation.demo_hall import ensure_demo_hall
from app.services.sync.listen import ChangeListener
from app.services.sync.relay import WakeClient, WakeRelay
from tests.pg_server import PgServer


def _new_account(db: Database, n: int) -> None:
    with db.write() as s:
        hall = s.scalar(select(Hall.id).where(Hall.code == "DEMO"))
        s.add(
            CustomerAccount(
                id=uuid.uuid4(),
                hall_id=hall,
                account_number=f"77{n:08d}",
                name="新户",
                address="",
                phone="",
                account_type="residential",
                active=True,
                created_at=datetime.now(UTC),
            )
        )


def test_a_change_wakes_the_listener_and_it_survives_a_crash():
    server = PgServer()
    url = server.start()
    db = Database.from_url(url, use_keyring=False)
    upgrade(db.engine)
    ensure_demo_hall(db)
    woken = threading.Event()
    listener = ChangeListener(db.engine.url, woken.set, poll_s=0.2)
    try:
        listener.start()
        assert listener.connected.wait(10)
        woken.clear()
        start = time.monotonic()
        _new_account(db, 1)
        assert woken.wait(5)
        assert time.monotonic() - start < 1.0
        assert listener.notifications >= 1

        server.crash()
        time.sleep(0.5)
        server.restart()
        deadline = time.monotonic() + 30
        while not listener.connected.is_set() and time.monotonic() < deadline:
            time.sleep(0.05)
        # after the restart the listener listens again: a new change wakes it
        time.sleep(0.3)
        listener_notes = listener.notifications
        db.dispose()  # the pool's connections died with the server
        db = Database.from_url(url, use_keyring=False)
        woken.clear()
        _new_account(db, 2)
        assert woken.wait(10)
        deadline = time.monotonic() + 10
        while listener.notifications == listener_notes and time.monotonic() < deadline:
            time.sleep(0.05)
        assert listener.notifications > listener_notes
    finally:
        listener.stop()
        db.dispose()
        server.stop()


def _bill_for_west(db: Database) -> None:
    with db.write() as s:
        west = s.scalar(select(Hall.id).where(Hall.code == "WEST"))
        account = uuid.uuid4()
        s.add(
            CustomerAccount(
                id=account,
                hall_id=west,
                account_number="7800000001",
                name="西户",
                address="",
                phone="",
                account_type="residential",
                active=True,
                created_at=datetime.now(UTC),
            )
        )
    with db.write() as s:  # a bill names its hall through its account (the trigger looks)
        s.add(
            Bill(
                id=uuid.uuid4(),
                account_id=account,
                period="2026-11",
                amount_fen=1234,
                due_date=date(2026, 12, 31),
                issued_at=datetime.now(UTC),
            )
        )


def test_one_listener_per_hall_wakes_its_stations_through_the_relay_and_no_others(pg_url: str):
    """DEMO's listener and relay wake DEMO's three stations for DEMO's changes, WEST's
    two stay asleep; a bill of WEST (hall found through its account) wakes only WEST's;
    a change every hall reads (staff) wakes both halls."""
    db = Database.from_url(pg_url, use_keyring=False)
    ensure_demo_hall(db, code="WEST", counters=2, accounts=0)
    halls: dict[str, tuple[ChangeListener, WakeRelay, list[WakeClient], list[threading.Event]]]
    halls = {}
    for code, n in (("DEMO", 3), ("WEST", 2)):
        relay = WakeRelay("127.0.0.1", 0)
        relay.start()  # its port, for the stations
        listener = ChangeListener(db.engine.url, relay.wake, hall=code, poll_s=0.2)
        woken = [threading.Event() for _ in range(n)]
        clients = [WakeClient(f"tcp://127.0.0.1:{relay.port}", e.set) for e in woken]
        halls[code] = (listener, relay, clients, woken)
    try:
        for listener, _, clients, _ in halls.values():
            listener.start()
            for client in clients:
                client.start()
        for listener, _, clients, _ in halls.values():
            assert listener.connected.wait(10)
            assert all(c.connected.wait(10) for c in clients)
        time.sleep(0.5)  # the wake-ups of connecting are through

        def reset() -> None:
            for _, _, _, woken in halls.values():
                for e in woken:
                    e.clear()

        def asleep(code: str) -> bool:
            return not any(e.is_set() for e in halls[code][3])

        reset()
        _new_account(db, 3)  # DEMO
        assert all(e.wait(5) for e in halls["DEMO"][3])
        time.sleep(0.5)
        assert asleep("WEST")
        assert halls["WEST"][0].notifications >= 1  # it heard DEMO's NOTIFY, and slept on

        reset()
        _bill_for_west(db)
        assert all(e.wait(5) for e in halls["WEST"][3])
        time.sleep(0.5)
        assert asleep("DEMO")

        reset()
        with db.write() as s:  # staff: every hall reads them
            s.execute(update(Staff).where(Staff.job_number == "1001").values(name="张三丰"))
        for _, _, _, woken in halls.values():
            assert all(e.wait(5) for e in woken)
    finally:
        for listener, relay, clients, _ in halls.values():
            for client in clients:
                client.stop()
            listener.stop()
            relay.stop()
        db.dispose()
