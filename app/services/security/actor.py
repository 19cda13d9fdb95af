"""Who acts: the identity a successful log-in returns, and what each role may do.

An `Actor` is made only by `AuthService` after a password was checked: it carries a proof
(an HMAC over who it is, keyed by a secret of the process), so a bare staff id, or an
actor made up by other code, is refused by every service that needs to know who acts.
Roles are ranked: admin ⊇ manager ⊇ clerk.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass, field

from app.services import errors
from app.services.dto import StaffInfo
from app.services.errors import DomainError

ROLE_RANK = {"clerk": 0, "manager": 1, "admin": 2}


def may(role: str, needed: str) -> bool:
    """Whether `role` may do what needs `needed` (admin ⊇ manager ⊇ clerk)."""
    return ROLE_RANK.get(role, -1) >= ROLE_RANK[needed]


@dataclass(frozen=True)
class Actor:
    """A staff member who proved who they are at a station."""

    staff: StaffInfo
    station: str
    proof: str = field(repr=False, compare=False)

    @property
    def id(self) -> uuid.UUID:
        return self.staff.id

    @property
    def role(self) -> str:
        return self.staff.role

    @property
    def job_number(self) -> str:
        return self.staff.job_number

    @property
    def name(self) -> str:
        return self.staff.name


class Proofs:
    """Makes and checks the proofs of the actors of one process."""

    def __init__(self) -> None:
        self._key = secrets.token_bytes(32)

    def actor(self, staff: StaffInfo, station: str) -> Actor:
        return Actor(staff, station, self._sign(staff, station))

    def check(self, actor: object, needed: str) -> Actor:
        """`actor` if it is a proven actor whose role may do what needs `needed`."""
        if not isinstance(actor, Actor) or not hmac.compare_digest(
            actor.proof, self._sign(actor.staff, actor.station)
        ):
            raise DomainError(errors.NOT_AUTHENTICATED, "log in first: who acts is not proven")
        if not may(actor.role, needed):
            raise DomainError(
                errors.NOT_ALLOWED,
                f"{actor.job_number} ({actor.role}) may not do what needs a {needed}",
                needed=needed,
            )
        return actor

    def _sign(self, staff: StaffInfo, station: str) -> str:
        text = f"{staff.id}|{staff.job_number}|{staff.role}|{station}"
        return hmac.new(self._key, text.encode(), hashlib.sha256).hexdigest()
