"""`main.py sync-status`: a cached station syncs once and says how it stands; a direct
station is told there is nothing to sync. Real processes, a real central PostgreSQL."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from app.settings import SyncSettings, save_settings
from tests.conftest import make_settings
from tests.integration.main_process import run_main
from tests.unit.services.sync.sync_helpers import central_with_book


def test_sync_status_of_a_cached_and_a_direct_station(pg_url: str, tmp_path: Path):
    central_with_book(pg_url, accounts=10).dispose()
    cached = tmp_path / "cached.toml"
    save_settings(replace(make_settings(pg_url), sync=SyncSettings(mode="cached")), cached)
    data = str(tmp_path / "data")
    done = run_main("--config", str(cached), "--data-dir", data, "sync-status", "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["centre_online"] is True and report["outbox"] == 0
    assert report["stations"] == 1 and report["conflicts"] == 0
    assert report["pull_cursor"] is not None
    assert Path(report["cache"]).is_file()

    direct = tmp_path / "direct.toml"
    save_settings(make_settings(pg_url), direct)
    done = run_main("--config", str(direct), "--data-dir", data, "sync-status")
    assert done.returncode == 2
    assert "not cached" in done.stdout
