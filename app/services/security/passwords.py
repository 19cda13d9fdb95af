"""Password hashes (argon2) and the rule a chosen password must meet."""

from __future__ import annotations

from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from app.services import errors
from app.services.errors import DomainError


@dataclass(frozen=True)
class PasswordPolicy:
    lockout_attempts: int = 5
    lockout_minutes: int = 15
    min_password_length: int = 8


def check_rule(policy: PasswordPolicy, password: str, job_number: str = "") -> None:
    """The minimum rule for a chosen password: long enough, not digits alone (a PIN),
    not one repeated character, not the job number. (Only the demo's seeded staff have
    "1234": they are written by the demo, not chosen through this rule.)"""
    n = policy.min_password_length
    if (
        len(password) < n
        or password.isdigit()
        or len(set(password)) < 2
        or password.strip() == job_number
    ):
        raise DomainError(
            errors.WEAK_PASSWORD,
            f"a password needs at least {n} characters, not digits alone",
            length=n,
        )


class Hasher:
    """argon2 hashing, and a check that spends the same time when there is no hash."""

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self._hasher = hasher or PasswordHasher()
        self._dummy: str | None = None

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, stored: str, password: str) -> bool:
        try:
            return self._hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False

    def verify_nothing(self, password: str) -> None:
        """As long as a real check, so that job numbers cannot be probed by timing."""
        if self._dummy is None:
            self._dummy = self._hasher.hash("not-a-password")
        self.verify(self._dummy, password)
