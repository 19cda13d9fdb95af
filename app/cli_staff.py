"""Staff accounts from the command line: `main.py staff ...` for an administrator and
`main.py password` for anyone changing their own password.

Passwords are asked for on the terminal, or read one a line from standard input when
there is none (scripts, tests); never taken as command-line arguments, which other users
of the machine can see.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

ROLES = ("clerk", "manager", "admin")


def add_parsers(sub: Any) -> None:
    staff = sub.add_parser(
        "staff",
        help="staff accounts (an administrator): add, reset a password, disable, enable",
    )
    staff.add_argument("--user", help="the administrator's job number (asked if not given)")
    what = staff.add_subparsers(dest="staff_command", required=True)
    add = what.add_parser("add", help="a new account (its password is asked for)")
    add.add_argument("job_number")
    add.add_argument("name")
    add.add_argument("--role", choices=ROLES, default="clerk")
    reset = what.add_parser("reset", help="a temporary password, to be changed at the next log-in")
    reset.add_argument("job_number")
    for name, text in (("disable", "the account can no longer log in"), ("enable", "again")):
        p = what.add_parser(name, help=text)
        p.add_argument("job_number")
    mine = sub.add_parser("password", help="change your own password")
    mine.add_argument("--user", help="your job number (asked if not given)")


def _ask(prompt: str, *, secret: bool) -> str:
    if sys.stdin.isatty():
        return getpass.getpass(prompt) if secret else input(prompt)
    return sys.stdin.readline().rstrip("\n")


def _new_password(prompt: str) -> str | None:
    first = _ask(prompt, secret=True)
    if _ask("again: ", secret=True) != first:
        print("the two passwords differ; nothing changed", file=sys.stderr)
        return None
    return first


def run_staff(core: Any, args: argparse.Namespace) -> int:
    from app.services.errors import DomainError

    job = args.user or _ask("administrator's job number: ", secret=False)
    try:
        password = _ask(f"password for {job}: ", secret=True)
        admin = core.auth.check(core.auth.login(job, password), "admin")
        command, target = args.staff_command, args.job_number
        if command == "add":
            chosen = _new_password(f"password for {target}: ")
            if chosen is None:
                return 2
            made = core.auth.create_staff(admin, target, args.name, chosen, role=args.role)
            print(f"{made.job_number} {made.name} ({made.role}) added")
        elif command == "reset":
            temporary = _new_password(f"temporary password for {target}: ")
            if temporary is None:
                return 2
            core.auth.reset_password(admin, target, temporary)
            print(f"{target}: password reset; it must be changed at the next log-in")
        else:
            core.auth.set_active(admin, target, command == "enable")
            print(f"{target}: {command}d")
    except DomainError as exc:
        print(f"halldesk staff: {exc.message}", file=sys.stderr)
        return 3 if exc.code == "database_unavailable" else 2
    return 0


def run_password(core: Any, args: argparse.Namespace) -> int:
    from app.services import errors
    from app.services.errors import DomainError

    job = args.user or _ask("your job number: ", secret=False)
    old = _ask(f"current password for {job}: ", secret=True)
    new = _new_password("new password: ")
    if new is None:
        return 2
    try:
        try:
            me = core.auth.login(job, old)
        except DomainError as exc:
            if exc.code != errors.PASSWORD_CHANGE_REQUIRED:
                raise
            core.auth.login(job, old, new_password=new)  # after a reset: log in with it
        else:
            core.auth.change_password(me, old, new)
    except DomainError as exc:
        print(f"halldesk password: {exc.message}", file=sys.stderr)
        return 3 if exc.code == errors.DATABASE_UNAVAILABLE else 2
    print(f"{job}: password changed")
    return 0
