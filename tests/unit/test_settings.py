"""Settings: defaults on first load, TOML round trip, overrides, errors with path and line."""

from __future__ import annotations

import tomllib
from dataclasses import replace
from pathlib import Path

import pytest

from app import settings as settings_module
from app.cli import main
from app.settings import (
    SETTINGS_VERSION,
    BusSettings,
    DatabaseSettings,
    DeviceSettings,
    Settings,
    SettingsError,
    load_settings,
    parse_settings,
    save_settings,
)


def test_defaults_are_written_on_first_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "new" / "folder" / "halldesk.toml"
    monkeypatch.setattr(settings_module, "default_config_path", lambda: target)
    loaded = load_settings()
    assert target.is_file()
    assert loaded == replace(Settings(), path=target)
    written = tomllib.loads(target.read_text(encoding="utf-8"))
    assert written["version"] == SETTINGS_VERSION
    assert written["station"]["roles"] == ["kiosk", "counter", "display"]
    assert "path" not in written and "password =" not in target.read_text(encoding="utf-8")
    assert load_settings(target) == loaded  # the written file reads back the same


def test_the_default_file_lives_in_the_config_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "config" / "halldesk.toml"
    monkeypatch.setattr(settings_module, "default_config_path", lambda: target)
    assert load_settings().path == target
    assert target.is_file()
    target.unlink()
    assert load_settings(create=False) == replace(Settings(), path=target)
    assert not target.exists()


def test_a_named_file_that_does_not_exist_is_an_error(tmp_path: Path) -> None:
    """Only the default location is created on first start: a mistyped --config must not
    start a station on the defaults (and leave a stray file behind)."""
    missing = tmp_path / "typo" / "hallldesk.toml"
    with pytest.raises(SettingsError) as caught:
        load_settings(missing)
    assert str(caught.value) == f"{missing}: no such file"
    assert caught.value.path == missing
    assert not missing.exists() and not missing.parent.exists()
    with pytest.raises(SettingsError):
        load_settings(missing, create=False)


def test_the_cli_names_the_missing_file_and_how_to_make_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "station 2.toml"
    data = tmp_path / "data"
    assert main(["--config", str(config), "--data-dir", str(data), "init-db"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.strip().splitlines()) == 1
    assert str(config) in err and f"--config '{config}' init-config" in err
    assert not config.exists() and not data.exists()
    # The hinted command writes the defaults, which then start.
    assert main(["--config", str(config), "init-config"]) == 0
    assert str(config) in capsys.readouterr().out
    assert load_settings(config) == replace(Settings(), path=config)
    # It never overwrites a file that is there.
    config.write_text('[station]\nhall = "SZ01"\n', encoding="utf-8")
    assert main(["--config", str(config), "init-config"]) == 2
    assert "already exists" in capsys.readouterr().err
    assert load_settings(config).station.hall == "SZ01"


def test_round_trip(tmp_path: Path) -> None:
    s = Settings(
        database=DatabaseSettings(url="postgresql://hall@db.example.cn/halldesk"),
        station=replace(
            Settings().station,
            name="前台-2",
            hall="SZ01",
            roles=("bus", "manager"),
            counter=3,
            dispenser="D2",
            number_start=500,
            number_end=999,
        ),
        ui=replace(Settings().ui, language="en_US", voice=False, refresh_ms=250),
        buses=(BusSettings(name="hall", url="/dev/ttyUSB0", baud=19200),),
        devices=(
            DeviceSettings(kind="caller", bus="hall", address=3, counter=3),
            DeviceSettings(
                kind="dispenser_panel",
                bus="hall",
                address=40,
                dispenser="D2",
                buttons={"1": "PAY", "2": "APPLY"},
            ),
            DeviceSettings(kind="printer", bus="hall", address=41, paper_mm=58),
        ),
    )
    target = save_settings(s, tmp_path / "halldesk.toml")
    assert not list(tmp_path.glob("*.tmp"))
    assert load_settings(target) == replace(s, path=target)


def test_database_url_from_file_env_or_embedded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HALLDESK_DATABASE_URL", raising=False)
    assert Settings().database_url(tmp_path) == f"sqlite:///{tmp_path / 'central.sqlite3'}"
    s = Settings(database=DatabaseSettings(url="postgresql://a@b/c"))
    assert s.database_url(tmp_path) == "postgresql://a@b/c"
    monkeypatch.setenv("HALLDESK_DATABASE_URL", " postgresql://env@centre/hall ")
    assert s.database_url(tmp_path) == "postgresql://env@centre/hall"
    assert Settings().database_url(tmp_path) == "postgresql://env@centre/hall"
    # A caller with a database of its own (the simulator) keeps the environment out.
    assert s.database_url(tmp_path, environ={}) == "postgresql://a@b/c"
    assert Settings().database_url(tmp_path, environ={}).startswith(f"sqlite:///{tmp_path}")


def test_the_database_url_is_decided_in_one_place() -> None:
    """The order environment > file > embedded lives in `app.locations.database_url`
    only; the settings, the bootstrap, the simulator and the CLI call it."""
    from app import locations

    env = {"HALLDESK_DATABASE_URL": "postgresql://env@centre/hall"}
    folder = Path("/srv/halldesk")
    assert (
        locations.database_url("sqlite:///file.db", folder, environ=env)
        == env["HALLDESK_DATABASE_URL"]
    )
    assert locations.database_url(" sqlite:///file.db ", folder, environ={}) == "sqlite:///file.db"
    assert locations.database_url("", folder, environ={}) == (
        f"sqlite:///{folder / 'central.sqlite3'}"
    )
    app_dir = Path(locations.__file__).parent
    deciding = sorted(
        str(py.relative_to(app_dir))
        for py in app_dir.rglob("*.py")
        if "migrations" not in py.parts
        and any(
            word in py.read_text(encoding="utf-8")
            for word in ('"HALLDESK_DATABASE_URL"', "'central.sqlite3'", '"central.sqlite3"')
        )
    )
    assert deciding == ["locations.py"]


def test_config_option_picks_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("HALLDESK_DATABASE_URL", raising=False)
    db_file = tmp_path / "from-config.sqlite3"
    config = tmp_path / "station.toml"
    save_settings(Settings(database=DatabaseSettings(url=f"sqlite:///{db_file}")), config)
    data = tmp_path / "data"
    assert main(["--config", str(config), "--data-dir", str(data), "init-db"]) == 0
    assert "newest schema" in capsys.readouterr().out
    assert db_file.is_file()
    assert not data.exists()  # the embedded default was not used


def test_environment_url_wins_over_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    file_db = tmp_path / "from-config.sqlite3"
    env_db = tmp_path / "from-env.sqlite3"
    config = tmp_path / "station.toml"
    save_settings(Settings(database=DatabaseSettings(url=f"sqlite:///{file_db}")), config)
    monkeypatch.setenv("HALLDESK_DATABASE_URL", f"sqlite:///{env_db}")
    assert main(["--config", str(config), "init-db"]) == 0
    assert env_db.is_file() and not file_db.exists()


BAD_FILES = {
    "corrupt-toml": ('version = 1\n[station]\nname = "PC-1\nhall = "DEMO"\n', 3, "not valid TOML"),
    "wrong-type": ('[station]\nname = "PC-1"\ncounter = "three"\n', 3, "whole number"),
    "bool-for-int": ("[ui]\n\nrefresh_ms = true\n", 3, "whole number"),
    "unknown-key": ('[station]\nhall = "DEMO"\n\n[ui]\ncolour = "red"\n', 5, "'colour'"),
    "unknown-section": ("version = 1\n\n[printer]\npaper = 80\n", 3, "unknown section"),
    "unknown-role": ('[station]\nroles = ["counter", "cashier"]\n', 2, "unknown role 'cashier'"),
    "bad-db-url": ('[database]\ncache_path = ""\nurl = "mysql://x@y/z"\n', 3, "database url"),
    "bad-range": ("[station]\nnumber_start = 10\nnumber_end = 1000\n", 3, "1..999"),
    "bad-address": (
        '[[buses]]\nname = "hall"\nurl = "/dev/ttyUSB0"\n\n'
        '[[devices]]\nkind = "caller"\nbus = "hall"\naddress = 3\n\n'
        '[[devices]]\nkind = "evaluator"\nbus = "hall"\naddress = 300\n',
        13,
        "address 300",
    ),
    "unknown-bus": (
        '[[buses]]\nname = "hall"\nurl = "COM3"\n[[devices]]\nkind = "led"\nbus = "hal"\n',
        6,
        "unknown bus",
    ),
    "missing-bus-url": ('[[buses]]\nname = "hall"\n', 1, "misses 'url'"),
    "bad-receipt-prefix": ('[receipts]\nprefix = "pc-1"\n', 2, "A-Z and 0-9"),
    "bad-receipt-paper": ('[receipts]\n\npaper = "a5"\n', 3, "roll80, a4"),
    "bad-escpos-url": ('[receipts]\nescpos_url = "usb://printer"\n', 2, "escpos_url"),
    "bad-escpos-paper": ("[receipts]\nescpos_paper_mm = 76\n", 2, "58 or 80"),
    "hall-url-direct": ('[sync]\nhall_url = "postgresql://hall-pc/halldesk"\n', 2, "cached"),
    "hall-server-no-url": (
        '[database]\nurl = "postgresql://centre/halldesk"\n[sync]\nmode = "cached"\n'
        "hall_server = true\n",
        5,
        "hall_url",
    ),
    "newer-version": ('# written by HallDesk 9\nversion = 7\n[station]\nhall = "X"\n', 2, "newer"),
    "bad-wake": ('[sync]\nmode = "cached"\nwake = "udp://pc1:7655"\n', 3, "tcp://host:port"),
    "bad-relay-port": ("[sync]\n\nrelay_port = 70000\n", 3, "relay_port must be"),
    "bad-listen-url": ('[database]\nlisten_url = "pc1:5432"\n', 2, "listen_url"),
    # a LISTEN through a PgBouncer in transaction mode would never hear a thing
    "listen-through-pgbouncer": (
        '[database]\nurl = "postgresql://h@pool:6432/hd"\npgbouncer = true\n'
        '[sync]\nmode = "cached"\nwake = "relay"\n',
        6,
        "listen_url",
    ),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_bad_files_are_reported_with_path_and_line(tmp_path: Path, case: str) -> None:
    text, line, words = BAD_FILES[case]
    target = tmp_path / "halldesk.toml"
    target.write_text(text, encoding="utf-8")
    with pytest.raises(SettingsError) as caught:
        load_settings(target)
    err = caught.value
    assert (err.path, err.line) == (target, line)
    assert str(err).startswith(f"{target}, line {line}: ")
    assert words in str(err)
    assert target.read_text(encoding="utf-8") == text  # never overwritten


@pytest.mark.parametrize("case", ["corrupt-toml", "unknown-role", "bad-address", "newer-version"])
def test_the_cli_refuses_to_start_on_a_bad_file(
    tmp_path: Path, case: str, capsys: pytest.CaptureFixture[str]
) -> None:
    text, line, words = BAD_FILES[case]
    config = tmp_path / "halldesk.toml"
    config.write_text(text, encoding="utf-8")
    data = tmp_path / "data"
    code = main(["--config", str(config), "--data-dir", str(data), "--headless", "run"])
    out, err = capsys.readouterr()
    assert code == 2
    assert f"{config}, line {line}" in err and words in err
    assert "Traceback" not in err and out == ""
    assert not data.exists()  # nothing started, no database made


def test_not_utf8_is_reported(tmp_path: Path) -> None:
    target = tmp_path / "halldesk.toml"
    target.write_bytes(b'[station]\nname = "\xff\xfe"\n')
    with pytest.raises(SettingsError, match="not UTF-8"):
        load_settings(target)


def test_version_0_files_are_upgraded(tmp_path: Path) -> None:
    target = tmp_path / "halldesk.toml"
    target.write_text(
        'version = 0\ndatabase_url = "postgresql://hall@centre/halldesk"\n'
        '[station]\nhall = "SZ01"\n',
        encoding="utf-8",
    )
    loaded = load_settings(target)
    assert loaded.version == SETTINGS_VERSION
    assert loaded.database.url == "postgresql://hall@centre/halldesk"
    assert loaded.station.hall == "SZ01"
    # Saving writes the current layout, which reads back the same.
    save_settings(loaded, target)
    assert "database_url" not in target.read_text(encoding="utf-8")
    assert load_settings(target) == loaded


def test_parse_without_a_file() -> None:
    assert parse_settings("") == Settings()
    with pytest.raises(SettingsError) as caught:
        parse_settings("[ui]\nrefresh_ms = 1\n")
    assert str(caught.value) == "<settings>, line 2: refresh_ms must be 50..5000"


BAD_PORT_URLS = {
    "nosuch://x": "unknown port scheme 'nosuch://'",
    "spy:///dev/ttyUSB0": "unknown port scheme 'spy://'",
    "socket://printer": "is not socket://host:port",
    "socket://127.0.0.1:0": "is not socket://host:port",
    "rfc2217://10.0.0.5:70000": "is not rfc2217://host:port",
    "rfc2217://:4001": "is not rfc2217://host:port",
}


@pytest.mark.parametrize("url", BAD_PORT_URLS)
def test_a_bus_url_no_port_can_open_is_refused_with_file_and_line(tmp_path: Path, url: str) -> None:
    """Found at start, not as a port that silently never opens."""
    target = tmp_path / "halldesk.toml"
    target.write_text(
        '[[buses]]\nname = "hallbus"\nurl = "/dev/ttyUSB0"\n\n'
        f'[[buses]]\nname = "led"\nbaud = 9600\nurl = "{url}"\n',
        encoding="utf-8",
    )
    with pytest.raises(SettingsError) as caught:
        load_settings(target)
    err = caught.value
    assert (err.path, err.line) == (target, 8)
    assert "bus 'led': " in str(err) and BAD_PORT_URLS[url] in str(err)


@pytest.mark.parametrize(
    "url",
    [
        "/dev/ttyUSB0",
        "/dev/ttyNOPE9",  # not there now, may be plugged in later: the port says why
        "COM3",
        r"\\.\COM12",
        "socket://127.0.0.1:1",
        "socket://printer.hall.local:9100",
        "SOCKET://[::1]:4001",
        "rfc2217://10.0.0.5:4001?timeout=3",
        "loop://",
        "loop://?logging=debug",
    ],
)
def test_port_urls_a_station_uses_are_accepted(url: str) -> None:
    settings = parse_settings(f"[[buses]]\nname = \"hallbus\"\nurl = '{url}'\n")
    assert settings.buses[0].url == url


def test_a_station_through_pgbouncer_woken_by_its_halls_relay() -> None:
    relay_pc = parse_settings(
        '[database]\nurl = "postgresql://h@pool:6432/hd"\npgbouncer = true\n'
        'listen_url = "postgresql://h@db:5432/hd"\n[sync]\nmode = "cached"\nwake = "relay"\n'
    )
    assert relay_pc.database.pgbouncer and relay_pc.sync.relay_port == 7655
    other = parse_settings(
        '[database]\nurl = "postgresql://h@pool:6432/hd"\npgbouncer = true\n'
        '[sync]\nmode = "cached"\nwake = "tcp://10.0.3.11:7655"\n'
    )
    assert other.sync.wake == "tcp://10.0.3.11:7655" and other.database.listen_url == ""
    assert parse_settings("").sync.wake == "listen"  # as before: a LISTEN of its own


def test_receipt_prefix_from_the_file_or_the_station_name() -> None:
    given = parse_settings('[station]\nname = "pc-3"\n[receipts]\nprefix = "EAST3"\n')
    assert given.receipts.receipt_prefix(given.station.name) == "EAST3"
    made = parse_settings('[station]\nname = "柜台pc-3"\n')
    assert made.receipts.receipt_prefix(made.station.name) == "PC3"  # A-Z, 0-9 of the name
    bare = parse_settings('[station]\nname = "前台"\n')
    assert bare.receipts.receipt_prefix(bare.station.name) == "PC"
    assert made.receipts.paper == "roll80" and made.receipts.escpos_url == ""
