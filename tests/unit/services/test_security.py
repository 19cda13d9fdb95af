"""Who may do what, on SQLite and PostgreSQL: proven actors, lock-out across stations,
passwords, a manager's approval, and the audit log written with the change it records."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.bootstrap import Core, build_core, build_station
from app.models import AuditEntry, Staff
from app.services.clock import ManualClock
from app.services.devices.setup import DeviceStatus
from app.services.errors import DomainError
from app.services.security.auth import Actor
from tests.conftest import make_settings

START = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)


@pytest.fixture
def stations(db_url: str, tmp_path: Path):
    """Two stations of one hall on one central database, each with its own process
    secret, on a manual clock."""
    clock = ManualClock(START)
    one = build_core(make_settings(db_url, name="PC-1"), data_dir=tmp_path, clock=clock, demo=True)
    two = build_core(make_settings(db_url, name="PC-2"), data_dir=tmp_path, clock=clock)
    yield one, two, clock
    one.close()
    two.close()


def _code(step: Callable[[], object]) -> str:
    with pytest.raises(DomainError) as caught:
        step()
    return caught.value.code


def _audit(core: Core, action: str | None = None) -> list[AuditEntry]:
    with core.db.read() as s:
        stmt = select(AuditEntry).order_by(AuditEntry.at, AuditEntry.id)
        if action:
            stmt = stmt.where(AuditEntry.action == action)
        rows = list(s.scalars(stmt))
        s.expunge_all()
        return rows


def test_five_wrong_passwords_lock_the_account_on_every_station(stations) -> None:
    one, two, clock = stations
    for tries_left in (4, 3, 2, 1):
        clock.advance(1)  # the audit log is in time order
        with pytest.raises(DomainError) as caught:
            one.auth.login("9001", "wrong")
        assert caught.value.code == "invalid_credentials"
        assert caught.value.details["tries_left"] == tries_left
    clock.advance(1)
    with pytest.raises(DomainError) as locked:
        two.auth.login("9001", "wrong")  # the fifth, at the other station
    assert locked.value.code == "account_locked" and locked.value.details["minutes"] == 15
    # now even the right password is refused, at both stations, with the time left
    clock.advance(5 * 60)
    with pytest.raises(DomainError) as still:
        one.auth.login("9001", "1234")
    assert still.value.code == "account_locked" and still.value.details["minutes"] == 10
    clock.advance(1)
    assert _code(lambda: two.auth.login("9001", "1234")) == "account_locked"
    clock.advance(10 * 60 + 1)
    assert one.auth.login("9001", "1234").role == "admin"
    actions = [(e.action, e.station) for e in _audit(one) if e.job_number == "9001"]
    assert actions[:5] == [("login_failed", "PC-1")] * 4 + [("locked_out", "PC-2")]
    assert actions[5:] == [
        ("login_while_locked", "PC-1"),
        ("login_while_locked", "PC-2"),
        ("login", "PC-1"),
    ]
    assert "wrong" not in json.dumps([e.detail for e in _audit(one)])


def test_a_good_log_in_resets_the_count(stations) -> None:
    one, _, _ = stations
    for _ in range(4):
        _code(lambda: one.auth.login("1001", "nope"))
    one.auth.login("1001", "1234")
    for _ in range(4):
        assert _code(lambda: one.auth.login("1001", "nope")) == "invalid_credentials"


def test_passwords_change_reset_and_accounts_disable(stations) -> None:
    one, two, _ = stations
    admin, clerk = one.auth.login("9001", "1234"), one.auth.login("1001", "1234")
    assert _code(lambda: one.auth.change_password(clerk, "1234", "12345678")) == "weak_password"
    assert _code(lambda: one.auth.change_password(clerk, "1234", "1001")) == "weak_password"
    assert _code(lambda: one.auth.change_password(clerk, "bad", "Counter#1")) == (
        "invalid_credentials"
    )
    one.auth.change_password(clerk, "1234", "Counter#1")
    assert two.auth.login("1001", "Counter#1").id == clerk.id
    # a clerk may not reset anyone; an administrator's reset forces a change at log-in
    assert _code(lambda: one.auth.reset_password(clerk, "1002", "Temp#2026")) == "not_allowed"
    one.auth.reset_password(admin, "1002", "Temp#2026")
    assert _code(lambda: two.auth.login("1002", "Temp#2026")) == "password_change_required"
    assert _code(lambda: two.auth.login("1002", "Temp#2026", new_password="short")) == (
        "weak_password"
    )
    two.auth.login("1002", "Temp#2026", new_password="Mine#2026")
    assert two.auth.login("1002", "Mine#2026").job_number == "1002"  # no change asked again
    one.auth.set_active(admin, "1003", False)
    assert _code(lambda: two.auth.login("1003", "1234")) == "invalid_credentials"
    assert _code(lambda: one.auth.set_active(admin, "9001", False)) == "bad_input"
    actions = [e.action for e in _audit(one) if e.role]
    assert {"password_changed", "password_reset", "staff_changed"} <= set(actions)
    for e in _audit(one):
        assert "Temp#2026" not in e.detail and "argon2" not in e.detail


def test_a_managers_approval_is_checked_and_audited(stations) -> None:
    one, _, _ = stations
    assert _code(lambda: one.auth.approve("1001", "1234", action="void")) == "not_allowed"
    assert _code(lambda: one.auth.approve("8001", "bad", action="void")) == "invalid_credentials"
    approver = one.auth.approve("8001", "1234", action="void", record_id="R-1")
    assert approver.role == "manager"
    (row,) = _audit(one, "approval")
    assert (row.job_number, row.record_type, row.record_id) == ("8001", "void", "R-1")


def test_an_actor_from_another_process_or_made_up_is_refused(stations) -> None:
    one, two, _ = stations
    admin = one.auth.login("9001", "1234")
    assert two.auth.check(two.auth.login("9001", "1234"), "admin").role == "admin"
    # The proof is the process's: an actor of station one means nothing to station two.
    assert _code(lambda: two.auth.check(admin, "admin")) == "not_authenticated"
    clerk = one.auth.login("1001", "1234")
    promoted = replace(clerk, staff=replace(clerk.staff, role="admin"))
    assert _code(lambda: one.auth.check(promoted, "admin")) == "not_authenticated"
    assert _code(lambda: one.auth.check(clerk.staff, "clerk")) == "not_authenticated"


def _calls(core: Core, tmp_path: Path) -> dict[str, tuple[str, Callable[[Actor], object]]]:
    """Every state-changing call that needs an identity: the role it needs, and the call."""
    station = build_station(
        replace(core, settings=replace(core.settings, path=tmp_path / "s.toml"))
    )
    device = DeviceStatus("caller", "hallbus", "loop://", 1, 1, "", None, None, None)
    core.queue.issue_ticket("DEMO", "PAY")

    def alert() -> object:
        made = core.evaluations.raise_alert("DEMO", "paper_out", "out of paper")
        return made.id

    return {
        "open a counter": ("clerk", lambda a: core.counters.open_session("DEMO", 3, a)),
        "counter step": (
            "clerk",
            lambda a: station.counter.step(3, "call_next", actor=a),
        ),
        "change own password": (
            "clerk",
            lambda a: core.auth.change_password(a, "1234", "Better#99"),
        ),
        "acknowledge an alert": (
            "manager",
            lambda a: core.evaluations.acknowledge(alert(), a, "done"),  # type: ignore[arg-type]
        ),
        "approve": ("manager", lambda a: core.auth.approve(a.job_number, "1234", action="x")),
        "create staff": (
            "admin",
            lambda a: core.auth.create_staff(a, f"N{a.job_number}", "新人", "Welcome#1"),
        ),
        "reset a password": ("admin", lambda a: core.auth.reset_password(a, "1006", "Reset#123")),
        "disable an account": ("admin", lambda a: core.auth.set_active(a, "1005", False)),
        "save the settings": ("admin", lambda a: station.admin.save(a, [], [])),
        "device test": ("admin", lambda a: station.admin.test(a, "beep", device)),
        "read the audit log": ("admin", core.audit.entries),
    }


ROLES = {"clerk": "1003", "manager": "8001", "admin": "9001"}
RANK = {"clerk": 0, "manager": 1, "admin": 2}


@pytest.mark.parametrize("role", list(ROLES))
def test_every_call_by_every_role(core: Core, tmp_path: Path, role: str) -> None:
    """Allowed: the call goes past the role check; refused: not_allowed, nothing written."""
    actor = core.auth.login(ROLES[role], "1234")
    for name, (needed, call) in _calls(core, tmp_path).items():
        with core.db.read() as s:
            before = s.scalar(select(func.count()).select_from(AuditEntry))
        if RANK[role] >= RANK[needed]:
            try:
                call(actor)
            except DomainError as exc:  # refused for another reason, never for the role
                assert exc.code not in ("not_allowed", "not_authenticated"), (name, exc)
        else:
            assert _code(lambda call=call: call(actor)) == "not_allowed", name
            with core.db.read() as s:
                after = s.scalar(select(func.count()).select_from(AuditEntry))
            assert after == before, name
        if name == "change own password" and RANK[role] >= RANK[needed]:
            with core.db.write() as s:  # back to the demo's, for the calls below
                s.execute(
                    Staff.__table__.update()
                    .where(Staff.id == actor.id)
                    .values(password_hash=core.auth.hash_password("1234"))
                )


def test_a_failed_change_leaves_no_audit_row_a_committed_one_always_has_one(
    core: Core, tmp_path: Path
) -> None:
    admin = core.auth.login("9001", "1234")
    before = len(_audit(core))

    def boom() -> None:
        raise OSError("disk full")

    with pytest.raises(OSError):
        core.auth.audited(admin, "admin", "settings_saved", boom)
    assert len(_audit(core)) == before
    made = core.auth.create_staff(admin, "3001", "新人", "Welcome#1")
    (row,) = _audit(core, "staff_created")
    assert row.record_id == str(made.id) and row.job_number == "9001" and row.role == "admin"
    with pytest.raises(DomainError):
        core.auth.create_staff(admin, "3001", "重名", "Welcome#1")  # taken: rolled back
    assert len(_audit(core, "staff_created")) == 1
