"""Staff log-in with argon2 password hashes, lock-out, passwords and staff accounts.

`login` returns an `Actor` (who acts, proven); every other call here takes the actor that
does it and refuses what its role may not do. Failed log-ins are counted in the central
database, so an account locks for every station of the hall at once: after
`lockout_attempts` failures in a row it is locked for `lockout_minutes`, and the refusal
says for how long. Every log-in, failure, lock-out and change of an account is written to
the audit log in the same transaction as the change.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from argon2 import PasswordHasher
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from app.models import Staff
from app.models.db import Database
from app.models.hall import STAFF_ROLES
from app.services import errors
from app.services.clock import Clock, SystemClock
from app.services.dto import StaffInfo
from app.services.errors import DomainError
from app.services.security import audit, passwords
from app.services.security.actor import Actor, Proofs, may
from app.services.security.passwords import PasswordPolicy

JOB_NUMBER_MAX = 16  # the widths of the staff columns
NAME_MAX = 64

__all__ = ["Actor", "AuthService", "PasswordPolicy", "may"]

T = TypeVar("T")


class AuthService:
    def __init__(
        self,
        db: Database,
        hasher: PasswordHasher | None = None,
        *,
        clock: Clock | None = None,
        policy: PasswordPolicy | None = None,
        station: str = "",
        proofs: Proofs | None = None,
    ) -> None:
        self._db = db
        self._hasher = passwords.Hasher(hasher)
        self._clock = clock or SystemClock()
        self.policy = policy or PasswordPolicy()
        self.station = station
        self.proofs = proofs or Proofs()

    def hash_password(self, password: str) -> str:
        return self._hasher.hash(password)

    def check(self, actor: object, needed: str = "clerk") -> Actor:
        """The proven actor, if its role may do what needs `needed`; else DomainError."""
        return self.proofs.check(actor, needed)

    # ------------------------------------------------------------------ log-in
    def login(self, job_number: str, password: str, *, new_password: str | None = None) -> Actor:
        """Who this is, proven; `invalid_credentials` the same for unknown and wrong,
        `account_locked` (with the minutes left) after too many failures in a row, and
        `password_change_required` after an administrator's reset until `new_password`
        is given."""
        actor, must_change = self._authenticate(job_number, password)
        if must_change and new_password is None:
            raise DomainError(errors.PASSWORD_CHANGE_REQUIRED, "choose a new password first")
        values: dict[str, object] = {}
        if must_change and new_password is not None:
            new_hash = self._new_hash(new_password, actor.job_number)
            values = {"password_hash": new_hash, "must_change_password": False}
        self._succeeded(actor, audit.LOGIN, values)
        return actor

    def approve(
        self,
        job_number: str,
        password: str,
        *,
        needed: str = "manager",
        action: str = "",
        record_id: object = "",
    ) -> Actor:
        """A manager's approval of a step at someone else's station (void, refund,
        reprint): the approver's own job number and password, checked like a log-in
        (a wrong one counts towards the lock-out), and recorded as an approval."""
        actor, _ = self._authenticate(job_number, password)
        approver = self.check(actor, needed)
        self._succeeded(approver, audit.APPROVAL, {}, record_type=action, record_id=record_id)
        return approver

    def _authenticate(self, job_number: str, password: str) -> tuple[Actor, bool]:
        """The proven actor and whether its password must be changed; failures counted,
        locked accounts refused."""
        job = job_number.strip()
        now = self._clock.now()
        with errors.read_unit(self._db) as s:
            row = s.scalar(select(Staff).where(Staff.job_number == job))
            found = row is not None and row.active
            stored = row.password_hash if row is not None else ""
            locked_until = row.locked_until if row is not None else None
            must_change = bool(row.must_change_password) if row is not None else False
            info = StaffInfo(row.id, row.job_number, row.name, row.role) if row else None
        if not found or info is None:
            self._hasher.verify_nothing(password)  # same time: job numbers not probed
            self._log(audit.LOGIN_FAILED, job, reason="unknown or disabled")
            raise DomainError(errors.INVALID_CREDENTIALS, "wrong job number or password")
        if locked_until is not None and locked_until > now:
            self._log(audit.LOGIN_WHILE_LOCKED, job, staff_id=info.id)
            raise self._locked(locked_until, now)
        if not self._hasher.verify(stored, password):
            self._failed(info, now)  # raises
        return self.proofs.actor(info, self.station), must_change

    def _succeeded(
        self,
        actor: Actor,
        action: str,
        values: dict[str, object],
        *,
        record_type: str = "staff",
        record_id: object = None,
    ) -> None:
        """The failure count ends; the password changes if asked; one audit row each."""
        now = self._clock.now()
        with errors.database_reached(), self._db.write() as s:
            s.execute(
                update(Staff)
                .where(Staff.id == actor.id)
                .values(failed_logins=0, locked_until=None, **values)
            )
            if "password_hash" in values:
                audit.record(
                    s,
                    now,
                    audit.PASSWORD_CHANGED,
                    actor=actor,
                    record_type="staff",
                    record_id=actor.id,
                )
            audit.record(
                s,
                now,
                action,
                actor=actor,
                record_type=record_type,
                record_id=actor.id if record_id is None else record_id,
            )

    def _failed(self, info: StaffInfo, now: datetime) -> None:
        policy = self.policy
        with errors.database_reached(), self._db.write() as s:
            count = s.execute(
                update(Staff)
                .where(Staff.id == info.id)
                .values(failed_logins=Staff.failed_logins + 1)
                .returning(Staff.failed_logins)
            ).scalar_one()
            if count < policy.lockout_attempts:
                audit.record(
                    s,
                    now,
                    audit.LOGIN_FAILED,
                    job_number=info.job_number,
                    station=self.station,
                    record_type="staff",
                    record_id=info.id,
                    failures=count,
                )
                locked_until = None
            else:
                locked_until = now + timedelta(minutes=policy.lockout_minutes)
                s.execute(
                    update(Staff)
                    .where(Staff.id == info.id)
                    .values(failed_logins=0, locked_until=locked_until)
                )
                audit.record(
                    s,
                    now,
                    audit.LOCKED_OUT,
                    job_number=info.job_number,
                    station=self.station,
                    record_type="staff",
                    record_id=info.id,
                    until=locked_until.isoformat(),
                )
        if locked_until is not None:
            raise self._locked(locked_until, now)
        raise DomainError(
            errors.INVALID_CREDENTIALS,
            "wrong job number or password",
            tries_left=policy.lockout_attempts - count,
        )

    @staticmethod
    def _locked(until: datetime, now: datetime) -> DomainError:
        minutes = max(1, math.ceil((until - now).total_seconds() / 60))
        return DomainError(
            errors.ACCOUNT_LOCKED,
            f"too many wrong passwords: locked for {minutes} min",
            minutes=minutes,
        )

    def _log(self, action: str, job: str, staff_id: uuid.UUID | None = None, **detail: Any) -> None:
        with errors.database_reached(), self._db.write() as s:
            audit.record(
                s,
                self._clock.now(),
                action,
                job_number=job,
                station=self.station,
                record_type="staff",
                record_id=staff_id or "",
                **detail,
            )

    # ------------------------------------------------------------------ passwords
    def check_password_rule(self, password: str, job_number: str = "") -> None:
        passwords.check_rule(self.policy, password, job_number)

    def _new_hash(self, password: str, job_number: str) -> str:
        self.check_password_rule(password, job_number)
        return self.hash_password(password)

    def change_password(self, actor: Actor, old: str, new: str) -> None:
        """Change my own password: the old one proves it is me at the keyboard."""
        self.check(actor)
        with errors.read_unit(self._db) as s:
            stored = s.scalar(select(Staff.password_hash).where(Staff.id == actor.id)) or ""
        if not self._hasher.verify(stored, old):
            raise DomainError(errors.INVALID_CREDENTIALS, "the old password is wrong")
        new_hash = self._new_hash(new, actor.job_number)
        self._change(
            actor,
            actor.id,
            audit.PASSWORD_CHANGED,
            password_hash=new_hash,
            must_change_password=False,
        )

    def reset_password(self, actor: Actor, job_number: str, temporary: str) -> None:
        """An administrator sets a temporary password; its owner must change it at the
        next log-in. The lock-out, if any, ends."""
        self.check(actor, "admin")
        staff_id = self._staff_id(job_number)
        new_hash = self._new_hash(temporary, job_number)
        self._change(
            actor,
            staff_id,
            audit.PASSWORD_RESET,
            password_hash=new_hash,
            must_change_password=True,
            failed_logins=0,
            locked_until=None,
        )

    def set_active(self, actor: Actor, job_number: str, active: bool) -> None:
        """Disable (or enable again) an account; a disabled one cannot log in."""
        self.check(actor, "admin")
        staff_id = self._staff_id(job_number)
        if staff_id == actor.id and not active:
            raise DomainError(errors.BAD_INPUT, "an administrator cannot disable themselves")
        self._change(actor, staff_id, audit.STAFF_CHANGED, active=active)

    def _staff_id(self, job_number: str) -> uuid.UUID:
        with errors.read_unit(self._db) as s:
            found = s.scalar(select(Staff.id).where(Staff.job_number == job_number.strip()))
        if found is None:
            raise DomainError(errors.BAD_INPUT, f"no staff member {job_number}")
        return found

    def audited(
        self,
        actor: Actor,
        needed: str,
        action: str,
        do: Callable[[], T],
        *,
        record_type: str = "",
        record_id: object = "",
        **detail: Any,
    ) -> T:
        """Do `do()` for `actor` if its role may (`needed`), with an audit row in one
        database transaction: if `do` fails, no row; if the row cannot be written, the
        caller hears so (DatabaseUnavailable) — `do` should then be undoable or atomic."""
        self.check(actor, needed)
        with errors.database_reached(), self._db.write() as s:
            result = do()
            audit.record(
                s,
                self._clock.now(),
                action,
                actor=actor,
                record_type=record_type,
                record_id=record_id,
                **detail,
            )
        return result

    def _change(self, actor: Actor, staff_id: uuid.UUID, action: str, **values: Any) -> None:
        shown: dict[str, Any] = {k: v for k, v in values.items() if k != "password_hash"}
        with errors.database_reached(), self._db.write() as s:
            s.execute(update(Staff).where(Staff.id == staff_id).values(**values))
            audit.record(
                s,
                self._clock.now(),
                action,
                actor=actor,
                record_type="staff",
                record_id=staff_id,
                **shown,
            )

    # ------------------------------------------------------------------ accounts
    def create_staff(
        self,
        actor: Actor,
        job_number: str,
        name: str,
        password: str,
        role: str = "clerk",
        hall_id: uuid.UUID | None = None,
    ) -> StaffInfo:
        """A new account, created by an administrator."""
        self.check(actor, "admin")
        job, name = job_number.strip(), name.strip()
        if role not in STAFF_ROLES:
            raise DomainError(errors.BAD_INPUT, f"unknown role '{role}'")
        if not job or not name:
            raise DomainError(errors.BAD_INPUT, "job number and name are required")
        if len(job) > JOB_NUMBER_MAX or len(name) > NAME_MAX:
            raise DomainError(
                errors.BAD_INPUT,
                f"a job number has at most {JOB_NUMBER_MAX} characters, a name {NAME_MAX}",
            )
        row = Staff(
            id=uuid.uuid4(),
            hall_id=hall_id,
            job_number=job,
            name=name,
            role=role,
            password_hash=self._new_hash(password, job),
            active=True,
        )
        try:
            with errors.database_reached(), self._db.write() as s:
                s.add(row)
                s.flush()
                audit.record(
                    s,
                    self._clock.now(),
                    audit.STAFF_CREATED,
                    actor=actor,
                    record_type="staff",
                    record_id=row.id,
                    job_number_new=job,
                    role_new=role,
                )
        except IntegrityError as exc:
            raise DomainError(
                errors.BAD_INPUT, f"job number {job} is taken", job_number=job
            ) from exc
        return StaffInfo(row.id, row.job_number, row.name, row.role)
