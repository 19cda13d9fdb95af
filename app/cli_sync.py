"""`python main.py sync-status [--json]`: how a cached station stands with its centre.

For the field engineer: the station syncs once (push, then pull, with the worker the
station runs anyway) and prints where it is: the cache file, what waits in the outbox,
the pull cursor, whether the centre answered (and if not, why), and, from the centre,
the stations registered, the change log's size and the conflicts recorded for the hall.
Exit 0 when the centre answered and the outbox is empty, 1 when records wait or the
centre is away, 2 for a station that is not cached.

`first_copy`: before the windows of a new cached station start, its first copy of the
hall, in a window that shows the copy's progress (app.ui.first_copy).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from app.settings import Settings


def add_parser(sub: Any) -> None:
    status = sub.add_parser(
        "sync-status",
        help="a cached station: sync once and print how it stands with the centre",
        description="Sync once and print the outbox, the pull cursor and what the centre "
        "says (stations, change log, conflicts).",
    )
    status.add_argument("--json", action="store_true", help="one JSON object")


def run(core: Any, args: argparse.Namespace) -> int:
    from sqlalchemy import func, select

    from app.models import Hall, SyncConflict
    from app.models.sync import SyncStation
    from app.services.sync.prune import change_log_size
    from app.services.sync.pulled import pull_cursor_name, read_cursor

    cached = core.cached
    if cached is None:
        print('this station is not cached ([sync] mode = "direct"): nothing to sync')
        return 2
    worker = cached.worker
    worker.wake()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        st = worker.status()
        if st.online or st.offline_since is not None:
            break
        time.sleep(0.1)
    st = worker.status()
    with cached.cache.read() as s:
        cursor = read_cursor(s, pull_cursor_name(core.hall_code))
    report: dict[str, Any] = {
        "hall": core.hall_code,
        "cache": str(cached.cache.engine.url.database),
        "centre_online": st.online,
        "offline_since": st.offline_since.isoformat() if st.offline_since else None,
        "last_error": st.last_error,
        "outbox": st.outbox,
        "pull_cursor": [int(cursor.txid), int(cursor.change_id)] if cursor else None,
    }
    if st.online:
        with core.db.read() as s:
            hall = s.scalar(select(Hall.id).where(Hall.code == core.hall_code))
            report["stations"] = int(s.scalar(select(func.count()).select_from(SyncStation)) or 0)
            report["conflicts"] = int(
                s.scalar(select(func.count()).where(SyncConflict.hall_id == hall)) or 0
            )
        report["change_log_rows"] = change_log_size(core.db)
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        for key, value in report.items():
            print(f"{key:15s} {value}")
    return 0 if st.online and st.outbox == 0 else 1


def first_copy(settings: Settings, args: argparse.Namespace) -> int | None:
    """A new cached station's first copy of its hall, in a window that shows its progress,
    before anything else starts; None to go on with the start (copied, nothing to copy,
    or no centre to copy from: the start says so), else the exit code."""
    from app.bootstrap import first_copy
    from app.services.errors import DomainError

    try:
        job = first_copy(settings, data_dir=args.data_dir, demo=bool(args.demo))
    except DomainError as exc:
        print(f"HallDesk cannot start: {exc.message}", file=sys.stderr)
        return 3
    if job is None:
        return None
    from app.ui.application import run_first_copy
    from app.ui.first_copy import Outcome

    try:
        ended = run_first_copy(job, settings.ui.language)
    finally:
        job.close()
    if ended.outcome is Outcome.DONE:
        return None
    if ended.outcome is Outcome.STOPPED:
        print(f"the first copy of hall {job.hall} was stopped; the next start goes on with it")
        return 0
    why = ended.error.message if isinstance(ended.error, DomainError) else repr(ended.error)
    print(
        f"HallDesk cannot start: the first copy of hall {job.hall} stopped ({why}); "
        "the next start goes on with it",
        file=sys.stderr,
    )
    return 3
