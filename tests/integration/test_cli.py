"""The command line as a user runs it, and what an unreachable central server looks like."""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path

import keyring
import pytest
from sqlalchemy import select

from app import __version__
from app.bootstrap import build_core
from app.cli import main
from app.models import Hall, Staff
from app.models.db import KEYRING_SERVICE, Database
from app.models.migrate import current_revision, head_revision
from app.services.errors import DatabaseUnavailable
from app.services.hall_ref import HallDirectory
from app.services.queue.service import QueueService
from app.services.simulation.demo_hall import DEMO_PASSWORD
from app.services.simulation.demo_hall import STAFF as DEMO_STAFF
from app.settings import DatabaseSettings, Settings, save_settings
from tests.conftest import make_settings
from tests.integration.main_process import run_main


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # closed again when the socket is


@pytest.fixture
def dead_url() -> str:
    return f"postgresql://hall@127.0.0.1:{_closed_port()}/halldesk"


def _run(
    *args: str, env: dict[str, str] | None = None, input_text: str | None = None
) -> subprocess.CompletedProcess[str]:
    return run_main(*args, env=env, input_text=input_text)


def test_unreachable_server_stops_init_db_with_a_clear_message(
    tmp_path: Path, dead_url: str
) -> None:
    config = tmp_path / "halldesk.toml"
    save_settings(Settings(database=DatabaseSettings(url=dead_url)), config)
    done = _run("--config", str(config), "--data-dir", str(tmp_path / "data"), "init-db")
    assert done.returncode != 0
    assert "Traceback" not in done.stderr + done.stdout
    assert "HallDesk cannot start" in done.stderr
    assert "cannot open the central database" in done.stderr
    port = dead_url.rsplit(":", maxsplit=1)[-1].split("/", maxsplit=1)[0]
    assert "127.0.0.1" in done.stderr and port in done.stderr
    assert "newest schema" not in done.stdout


def test_build_core_raises_database_unavailable(tmp_path: Path, dead_url: str) -> None:
    with pytest.raises(DatabaseUnavailable) as caught:
        build_core(make_settings(dead_url), data_dir=tmp_path)
    err = caught.value
    assert err.code == "database_unavailable"
    assert err.message.startswith(f"cannot open the central database {dead_url}: ")
    assert "Connection refused" in err.message


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("mysql://hall:pw123@db/halldesk", "unsupported database 'mysql'"),
        ("no url at all", "not a database URL"),
    ],
)
def test_unusable_urls_are_reported_without_the_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, url: str, words: str
) -> None:
    monkeypatch.setenv("HALLDESK_DATABASE_URL", url)
    with pytest.raises(DatabaseUnavailable) as caught:
        build_core(Settings(), data_dir=tmp_path)
    assert words in caught.value.message and "pw123" not in caught.value.message
    assert not list(tmp_path.iterdir())


def test_password_of_an_unreachable_server_is_not_printed(tmp_path: Path) -> None:
    url = f"postgresql://hall:pw123@127.0.0.1:{_closed_port()}/halldesk"
    made = _run("--config", str(tmp_path / "new.toml"), "init-config")
    assert made.returncode == 0, made.stderr
    done = _run(
        "--config",
        str(tmp_path / "new.toml"),  # the defaults; the URL comes from the environment
        "--data-dir",
        str(tmp_path),
        "init-db",
        env={"HALLDESK_DATABASE_URL": url},
    )
    assert done.returncode == 3 and "Traceback" not in done.stderr
    assert "hall:***@127.0.0.1" in done.stderr and "pw123" not in done.stderr
    assert "alembic" not in done.stderr  # no start-up chatter around the message
    assert (tmp_path / "new.toml").is_file()


def test_services_report_a_lost_server_as_database_unavailable(dead_url: str) -> None:
    db = Database.from_url(dead_url)
    try:
        queue = QueueService(db, HallDirectory(db))
        with pytest.raises(DatabaseUnavailable, match="central database unreachable"):
            queue.issue_ticket("DEMO", "PAY")
    finally:
        db.dispose()


def test_init_db_migrates_and_seeds(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db_file = tmp_path / "central.sqlite3"
    config = tmp_path / "halldesk.toml"
    save_settings(Settings(database=DatabaseSettings(url=f"sqlite:///{db_file}")), config)
    assert main(["--config", str(config), "init-db", "--demo"]) == 0
    assert "newest schema" in capsys.readouterr().out
    db = Database.from_url(f"sqlite:///{db_file}")
    try:
        assert current_revision(db.engine) == head_revision(db.engine)
        with db.read() as s:
            assert s.scalars(select(Hall.code)).all() == ["DEMO"]
    finally:
        db.dispose()
    assert main(["--config", str(config), "init-db"]) == 0  # again: nothing to do


def test_no_demo_hall_unless_asked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A real hall on the embedded database: neither `init-db` nor `build_core` seeds the
    demo hall (its admin 9001 / 1234 would be an open door); `init-db --demo` does."""
    db_file = tmp_path / "central.sqlite3"
    config = tmp_path / "halldesk.toml"
    settings = make_settings(f"sqlite:///{db_file}", hall="REAL")
    save_settings(settings, config)
    assert main(["--config", str(config), "init-db"]) == 0
    core = build_core(settings, data_dir=tmp_path)
    try:
        with core.db.read() as s:
            assert s.scalars(select(Hall.code)).all() == []
            assert s.scalars(select(Staff.job_number)).all() == []
    finally:
        core.close()
    assert main(["--config", str(config), "init-db", "--demo"]) == 0
    core = build_core(settings, data_dir=tmp_path)
    try:
        assert core.auth.login("9001", DEMO_PASSWORD).role == "admin"
    finally:
        core.close()


def test_demo_staff_each_have_their_own_hash(tmp_path: Path) -> None:
    core = build_core(
        make_settings(f"sqlite:///{tmp_path / 'c.sqlite3'}"), data_dir=tmp_path, demo=True
    )
    try:
        with core.db.read() as s:
            hashes = s.scalars(select(Staff.password_hash)).all()
        assert len(hashes) == len(DEMO_STAFF)
        assert len(set(hashes)) == len(hashes)  # a salt of its own each
        assert len({h.rsplit("$", 2)[1] for h in hashes}) == len(hashes)
        for job, _name, _role in DEMO_STAFF:
            assert core.auth.login(job, DEMO_PASSWORD).job_number == job
    finally:
        core.close()


def test_init_db_on_postgres(pg_url: str, tmp_path: Path) -> None:
    config = tmp_path / "halldesk.toml"
    save_settings(Settings(database=DatabaseSettings(url=pg_url)), config)
    assert main(["--config", str(config), "init-db"]) == 0


def test_db_password_goes_to_the_keyring(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "halldesk.toml"
    url = "postgresql://hall@centre.example.cn:5433/halldesk"
    save_settings(Settings(database=DatabaseSettings(url=url)), config)
    monkeypatch.setattr("getpass.getpass", lambda prompt: "s3cret")
    try:
        assert main(["--config", str(config), "db-password"]) == 0
        assert "keyring" in capsys.readouterr().out
        stored = keyring.get_password(KEYRING_SERVICE, "hall@centre.example.cn:5433/halldesk")
        assert stored == "s3cret"
        assert "s3cret" not in config.read_text(encoding="utf-8")
    finally:
        keyring.delete_password(KEYRING_SERVICE, "hall@centre.example.cn:5433/halldesk")
    embedded = tmp_path / "embedded.toml"
    save_settings(Settings(database=DatabaseSettings(url="sqlite:///x.db")), embedded)
    assert main(["--config", str(embedded), "db-password"]) == 2
    assert "names no user" in capsys.readouterr().err


def test_version_and_help_in_a_real_process() -> None:
    version = _run("--version")
    assert version.returncode == 0 and __version__ in version.stdout
    helped = _run("--help")
    assert helped.returncode == 0 and "init-db" in helped.stdout


def test_a_bad_settings_file_in_a_real_process(tmp_path: Path) -> None:
    config = tmp_path / "halldesk.toml"
    config.write_text('[station]\nroles = ["counter", "cashier"]\n', encoding="utf-8")
    done = _run("--config", str(config), "--data-dir", str(tmp_path / "data"), "init-db")
    assert done.returncode == 2
    assert f"{config}, line 2" in done.stderr and "cashier" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "data").exists()


def test_a_config_file_that_does_not_exist_stops_with_one_line(tmp_path: Path) -> None:
    config = tmp_path / "nonexistent.toml"
    done = _run("--config", str(config), "--data-dir", str(tmp_path / "data"))
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert str(config) in done.stderr and "init-config" in done.stderr
    assert not config.exists() and not (tmp_path / "data").exists()
