"""Staff log-in with argon2 password hashes, and staff accounts."""

from __future__ import annotations

import uuid

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.models import Staff
from app.models.db import Database
from app.models.hall import STAFF_ROLES
from app.services import errors
from app.services.dto import StaffInfo
from app.services.errors import DomainError

ROLE_RANK = {"clerk": 0, "manager": 1, "admin": 2}
JOB_NUMBER_MAX = 16  # the widths of the staff columns
NAME_MAX = 64


class AuthService:
    def __init__(self, db: Database, hasher: PasswordHasher | None = None) -> None:
        self._db = db
        self._hasher = hasher or PasswordHasher()

    def hash_password(self, password: str) -> str:
        return self._hasher.hash(password)

    def login(self, job_number: str, password: str) -> StaffInfo:
        """The staff member, or `invalid_credentials` (the same for unknown and wrong)."""
        job_number = job_number.strip()
        with errors.read_unit(self._db) as s:
            row = s.scalar(select(Staff).where(Staff.job_number == job_number))
            info = (
                StaffInfo(row.id, row.job_number, row.name, row.role)
                if row is not None and row.active
                else None
            )
            stored = row.password_hash if row is not None else None
        if info is None or stored is None:
            # Spend the same time as a real check, so job numbers cannot be probed.
            self._verify(self._dummy_hash(), password)
            raise DomainError(errors.INVALID_CREDENTIALS, "wrong job number or password")
        if not self._verify(stored, password):
            raise DomainError(errors.INVALID_CREDENTIALS, "wrong job number or password")
        return info

    _dummy: str | None = None

    def _dummy_hash(self) -> str:
        if self._dummy is None:
            self._dummy = self._hasher.hash("not-a-password")
        return self._dummy

    def _verify(self, stored: str, password: str) -> bool:
        try:
            return self._hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False

    def create_staff(
        self,
        job_number: str,
        name: str,
        password: str,
        role: str = "clerk",
        hall_id: uuid.UUID | None = None,
    ) -> StaffInfo:
        if role not in STAFF_ROLES:
            raise DomainError(errors.BAD_INPUT, f"unknown role '{role}'")
        if not job_number.strip() or not name.strip():
            raise DomainError(errors.BAD_INPUT, "job number and name are required")
        if len(job_number.strip()) > JOB_NUMBER_MAX or len(name.strip()) > NAME_MAX:
            raise DomainError(
                errors.BAD_INPUT,
                f"a job number has at most {JOB_NUMBER_MAX} characters, a name {NAME_MAX}",
            )
        if len(password) < 4:
            raise DomainError(errors.BAD_INPUT, "a password needs at least 4 characters")
        row = Staff(
            id=uuid.uuid4(),
            hall_id=hall_id,
            job_number=job_number.strip(),
            name=name.strip(),
            role=role,
            password_hash=self.hash_password(password),
            active=True,
        )
        try:
            with self._db.write() as s:
                s.add(row)
        except IntegrityError as exc:
            raise DomainError(
                errors.BAD_INPUT, f"job number {job_number} is taken", job_number=job_number
            ) from exc
        return StaffInfo(row.id, row.job_number, row.name, row.role)


def may(role: str, needed: str) -> bool:
    """Whether `role` may do what needs `needed` (admin ⊇ manager ⊇ clerk)."""
    return ROLE_RANK.get(role, -1) >= ROLE_RANK[needed]
