"""AuthService on SQLite and PostgreSQL: log-in with argon2 hashes, staff accounts."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from app.bootstrap import Core
from app.models import Staff
from app.services.errors import DomainError
from app.services.security.auth import may


def _refused(core: Core, job_number: str, password: str) -> DomainError:
    with pytest.raises(DomainError) as caught:
        core.auth.login(job_number, password)
    return caught.value


def test_login(core: Core) -> None:
    staff = core.auth.login("1001", "1234")
    assert (staff.job_number, staff.name, staff.role) == ("1001", "王芳", "clerk")
    assert core.auth.login(" 8001 ", "1234").role == "manager"


def test_wrong_password_and_unknown_job_number_look_the_same(core: Core) -> None:
    wrong = _refused(core, "1001", "4321")
    unknown = _refused(core, "7777", "1234")
    empty = _refused(core, "", "")
    too_long = _refused(core, "1" * 40, "1234")
    assert wrong.code == unknown.code == empty.code == too_long.code == "invalid_credentials"
    assert wrong.message == unknown.message


def test_inactive_staff_is_refused(core: Core) -> None:
    with core.db.write() as s:
        s.execute(update(Staff).where(Staff.job_number == "1002").values(active=False))
    assert _refused(core, "1002", "1234").code == "invalid_credentials"


def _admin(core: Core):
    return core.auth.login("9001", "1234")


def test_create_staff_and_log_in(core: Core) -> None:
    made = core.auth.create_staff(_admin(core), " 2001 ", " 周杰 ", "s3cret!x9", role="manager")
    assert (made.job_number, made.name, made.role) == ("2001", "周杰", "manager")
    with core.db.read() as s:
        stored = s.scalar(select(Staff.password_hash).where(Staff.job_number == "2001"))
    assert stored is not None and stored.startswith("$argon2") and "s3cret!" not in stored
    assert core.auth.login("2001", "s3cret!x9").id == made.id
    assert _refused(core, "2001", "S3CRET!X9").code == "invalid_credentials"


@pytest.mark.parametrize(
    ("job", "name", "password", "role"),
    [
        ("2002", "周杰", "s3cret!x9", "boss"),
        ("", "周杰", "s3cret!x9", "clerk"),
        ("   ", "周杰", "s3cret!x9", "clerk"),
        ("2002", "  ", "s3cret!x9", "clerk"),
        ("2002", "周杰", "1234", "clerk"),
        ("1001", "周杰", "s3cret!x9", "clerk"),  # taken
        ("2" * 17, "周杰", "s3cret!x9", "clerk"),  # longer than the column
        ("2002", "周" * 65, "s3cret!x9", "clerk"),
    ],
    ids=["role", "no-job", "blank-job", "blank-name", "short-pw", "taken", "long-job", "long-name"],
)
def test_create_staff_validation(core: Core, job: str, name: str, password: str, role: str) -> None:
    with core.db.read() as s:
        before = s.scalars(select(Staff.job_number).order_by(Staff.job_number)).all()
    admin = _admin(core)
    with pytest.raises(DomainError) as caught:
        core.auth.create_staff(admin, job, name, password, role=role)
    assert caught.value.code == ("weak_password" if password == "1234" else "bad_input")
    with core.db.read() as s:
        assert s.scalars(select(Staff.job_number).order_by(Staff.job_number)).all() == before


def test_roles_nest() -> None:
    assert may("admin", "manager") and may("manager", "clerk") and may("clerk", "clerk")
    assert not may("clerk", "manager") and not may("manager", "admin")
    assert not may("visitor", "clerk")
