"""The audit log from the command line, and TLS parameters reaching PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.bootstrap import build_core
from app.services.errors import DatabaseUnavailable, DomainError
from app.settings import DatabaseSettings, Settings, save_settings
from tests.conftest import make_settings
from tests.integration.test_cli import _run


def _config(tmp_path: Path, url: str) -> Path:
    path = tmp_path / "halldesk.toml"
    save_settings(Settings(database=DatabaseSettings(url=url)), path)
    return path


def test_audit_prints_the_log_for_an_administrator_only(tmp_path: Path, sqlite_url: str) -> None:
    config = _config(tmp_path, sqlite_url)
    assert _run("--config", str(config), "init-db", "--demo").returncode == 0
    core = build_core(make_settings(sqlite_url, name="PC-7"), data_dir=tmp_path)
    try:
        admin = core.auth.login("9001", "1234")
        core.auth.create_staff(admin, "3001", "新人", "Welcome#1")
        with pytest.raises(DomainError):
            core.auth.login("3001", "wrong")
    finally:
        core.close()
    base = ("--config", str(config), "audit", "--json")
    clerk = _run(*base, "--user", "1001", input_text="1234\n")
    assert clerk.returncode == 2 and "Traceback" not in clerk.stderr
    assert len(clerk.stderr.strip().splitlines()) == 1 and clerk.stdout == ""
    done = _run(*base, "--user", "9001", input_text="1234\n")
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    actions = [(r["action"], r["job_number"], r["station"]) for r in rows]
    assert ("staff_created", "9001", "PC-7") in actions
    assert ("login_failed", "3001", "PC-7") in actions
    created = next(r for r in rows if r["action"] == "staff_created")
    assert created["role"] == "admin" and created["detail"]["job_number_new"] == "3001"
    assert "Welcome#1" not in done.stdout and "argon2" not in done.stdout
    later = _run(*base, "--user", "9001", "--since", "2999-01-01", input_text="1234\n")
    assert later.returncode == 0 and later.stdout == ""
    bad = _run(*base, "--user", "9001", "--since", "yesterday", input_text="1234\n")
    assert bad.returncode == 2 and "YYYY-MM-DD" in bad.stderr


def test_sslmode_in_the_url_reaches_the_server(tmp_path: Path, pg_url: str) -> None:
    """The test server offers no TLS: `require` must then be refused by the driver, which
    shows that the parameter is passed on; `disable` connects."""
    with pytest.raises(DatabaseUnavailable) as caught:
        build_core(make_settings(pg_url + "?sslmode=require"), data_dir=tmp_path)
    assert "SSL" in caught.value.message
    core = build_core(make_settings(pg_url + "?sslmode=disable"), data_dir=tmp_path)
    core.close()


def test_staff_accounts_and_passwords_from_the_command_line(
    tmp_path: Path, sqlite_url: str
) -> None:
    config = _config(tmp_path, sqlite_url)
    assert _run("--config", str(config), "init-db", "--demo").returncode == 0
    staff = ("--config", str(config), "staff", "--user", "9001")
    added = _run(
        *staff, "add", "3002", "李四", "--role", "clerk", input_text="1234\nDesk#2026\nDesk#2026\n"
    )
    assert added.returncode == 0, added.stderr
    assert "3002 李四 (clerk) added" in added.stdout
    weak = _run(*staff, "add", "3003", "弱", input_text="1234\n12345678\n12345678\n")
    assert weak.returncode == 2 and "at least 8 characters" in weak.stderr
    as_clerk = ("--config", str(config), "staff", "--user", "1001")
    by_clerk = _run(*as_clerk, "disable", "3002", input_text="1234\n")
    assert by_clerk.returncode == 2 and len(by_clerk.stderr.strip().splitlines()) == 1
    mine = ("--config", str(config), "password", "--user", "3002")
    assert _run(*mine, input_text="Desk#2026\nNew#20261\nNew#20261\n").returncode == 0
    reset = _run(*staff, "reset", "3002", input_text="1234\nTemp#2026\nTemp#2026\n")
    assert reset.returncode == 0 and "next log-in" in reset.stdout
    # after the reset, `password` with the temporary one sets the new one
    again = _run(*mine, input_text="Temp#2026\nOwn#202612\nOwn#202612\n")
    assert again.returncode == 0, again.stderr
    assert _run(*staff, "disable", "3002", input_text="1234\n").returncode == 0
    core = build_core(make_settings(sqlite_url), data_dir=tmp_path)
    try:
        with pytest.raises(DomainError) as refused:
            core.auth.login("3002", "Own#202612")
        assert refused.value.code == "invalid_credentials"  # disabled
        log = _run(
            "--config", str(config), "audit", "--json", "--user", "9001", input_text="1234\n"
        )
        actions = [json.loads(line)["action"] for line in log.stdout.splitlines()]
        for action in ("staff_created", "password_changed", "password_reset", "staff_changed"):
            assert action in actions, action
    finally:
        core.close()
