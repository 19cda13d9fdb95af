"""NOTIFY reaches a listening station at once, and the listener comes back after the
server was crashed and restarted (a real PostgreSQL, `pg_ctl stop -m immediate`)."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import UTC, datetime

from sqlalchemy import select

from app.models import CustomerAccount, Hall
from app.models.db import Database
from app.models.migrate import upgrade
from app.services.simulation.demo_hall import ensure_demo_hall
from app.services.sync.listen import ChangeListener
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
