"""`python main.py audit [--since DATE] [--json]`: the audit log, for an administrator.

The administrator's job number comes from `--user` (or is asked for) and the password is
asked for on the terminal, or read as one line from standard input when there is none
(for scheduled exports). A wrong password counts towards the lock-out like any log-in.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo


def add_parser(sub: Any) -> None:
    audit = sub.add_parser(
        "audit",
        help="print the audit log (an administrator's job number and password)",
        description="Print the audit log: log-ins, failed log-ins, lock-outs, staff and "
        "password changes, settings saved, device tests, approvals.",
    )
    audit.add_argument("--since", help="from this day on (YYYY-MM-DD, the hall's time zone)")
    audit.add_argument("--user", help="the administrator's job number (asked if not given)")
    audit.add_argument("--json", action="store_true", help="one JSON object per line")


def _ask(prompt: str, *, secret: bool) -> str:
    if sys.stdin.isatty():
        return getpass.getpass(prompt) if secret else input(prompt)
    return sys.stdin.readline().rstrip("\n")


def run(core: Any, args: argparse.Namespace) -> int:
    from app.services.errors import DomainError

    since = None
    if args.since:
        try:
            day = datetime.strptime(args.since, "%Y-%m-%d").date()
        except ValueError:
            print(f"--since {args.since!r} is not a date (YYYY-MM-DD)", file=sys.stderr)
            return 2
        zone = ZoneInfo(core.halls.get(core.hall_code).timezone)
        since = datetime.combine(day, time(0), zone).astimezone(UTC)
    job = args.user or _ask("administrator's job number: ", secret=False)
    password = _ask(f"password for {job}: ", secret=True)
    try:
        actor = core.auth.login(job, password)
        entries = core.audit.entries(actor, since=since)
    except DomainError as exc:
        print(f"halldesk audit: {exc.message}", file=sys.stderr)
        return 3 if exc.code == "database_unavailable" else 2
    for e in entries:
        if args.json:
            row = {
                "at": e.at.isoformat(),
                "job_number": e.job_number,
                "role": e.role,
                "station": e.station,
                "action": e.action,
                "record_type": e.record_type,
                "record_id": e.record_id,
                "detail": e.detail,
            }
            print(json.dumps(row, ensure_ascii=False, sort_keys=True))
        else:
            detail = " ".join(f"{k}={v}" for k, v in sorted(e.detail.items()))
            who = f"{e.job_number or '-'}({e.role or '-'})"
            print(
                f"{e.at:%Y-%m-%d %H:%M:%S}Z  {e.station or '-':<10} {who:<16} {e.action:<18} "
                f"{e.record_type}:{e.record_id}  {detail}".rstrip()
            )
    return 0
