"""`python main.py sync-status [--json]`: how a cached station stands with its centre.

For the field engineer: the station syncs once (push, then pull, with the worker the
station runs anyway) and prints where it is: the cache file, what waits in the outbox,
the pull cursor, whether the centre answered (and if not, why), and, from the centre,
the stations registered, the change log's size and the conflicts recorded for the hall.
Exit 0 when the centre answered and the outbox is empty, 1 when records wait or the
centre is away, 2 for a station that is not cached.
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any


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
