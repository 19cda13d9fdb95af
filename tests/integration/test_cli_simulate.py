"""`python main.py simulate` as a user runs it: a real process, its exit code and output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from app import cli
from app.models import Hall, Ticket
from tests.unit.services.sim_payments import payments_in_database

ROOT = Path(__file__).resolve().parents[2]


def _simulate(
    tmp_path: Path, *args: str, env_url: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, TMPDIR=str(tmp_path / "tmp"), PYTHONHASHSEED="random")
    (tmp_path / "tmp").mkdir(exist_ok=True)
    env.pop("HALLDESK_DATABASE_URL", None)
    if env_url is not None:
        env["HALLDESK_DATABASE_URL"] = env_url
    return subprocess.run(
        [sys.executable, "main.py", "simulate", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_json_run_exits_0_with_sane_numbers(tmp_path: Path) -> None:
    done = _simulate(
        tmp_path,
        *("--counters", "3", "--hours", "1", "--seed", "7", "--json"),
        env_url="postgresql://nobody@127.0.0.1:1/none",  # the station's, not the simulator's
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    t = data["totals"]
    assert 20 <= t["issued"] <= 100  # about 45 people come between 08:30 and 09:30
    assert 0 < t["served"] <= t["issued"]
    assert t["issued"] == t["served"] + t["no_shows"] + t["waiting_at_close"]
    assert 0 <= t["avg_wait_s"] <= t["max_wait_s"] <= 3600
    assert 60 <= t["avg_service_s"] <= 900
    assert [c["number"] for c in data["counters"]] == [1, 2, 3]
    assert sum(c["served"] for c in data["counters"]) == t["served"]
    assert data["config"] == {
        "counters": 3,
        "hours": 1.0,
        "seed": 7,
        "arrivals_per_hour": None,
        "no_show_rate": 0.05,
        "extra_services": [],
        "database": "sqlite (temporary file)",
    }
    assert list((tmp_path / "tmp").iterdir()) == []  # the temporary database was removed


def test_same_seed_same_output_across_processes(tmp_path: Path) -> None:
    args = ("--counters", "2", "--hours", "0.75", "--seed", "3")
    a, b = _simulate(tmp_path, *args), _simulate(tmp_path, *args)
    assert a.returncode == b.returncode == 0, a.stderr
    assert a.stdout == b.stdout  # hash randomisation differs between the two processes
    assert "still waiting at close" in a.stdout
    assert "counter  clerk" in a.stdout and "1001" in a.stdout and "1002" in a.stdout


@pytest.mark.parametrize(
    ("args", "word"),
    [
        (("--counters", "0"), "--counters must be between 1 and 99, not 0\n"),
        (("--counters", "200"), "--counters must be between 1 and 99, not 200\n"),
        (("--hours", "0"), "--hours"),
        (("--counters", "two"), "invalid int value"),
        (
            ("--counters", "8", "--extra-services", "PAY,GRN"),
            "unknown service 'GRN' (known: PAY, APPLY, ENQ, GREEN)",
        ),
        (("--counters", "8", "--extra-services", "5=GREEN"), "'5' is not an added counter"),
    ],
)
def test_bad_arguments_exit_2_with_a_message(
    tmp_path: Path, args: tuple[str, ...], word: str
) -> None:
    done = _simulate(tmp_path, *args)
    assert done.returncode == 2
    assert word in done.stderr
    assert done.stdout == ""


def test_runs_in_a_given_database_and_leaves_its_rows(tmp_path: Path) -> None:
    db_file = tmp_path / "hall.sqlite3"
    url = f"sqlite:///{db_file}"
    done = _simulate(
        tmp_path, "--counters", "2", "--hours", "0.5", "--seed", "5", "--database", url, "--json"
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["config"]["database"] == "sqlite" and data["hall"] == "SIM"
    engine = create_engine(url)
    try:
        with engine.connect() as c:
            hall_id = c.scalar(select(Hall.id).where(Hall.code == "SIM"))
            printed = c.scalar(
                select(func.count()).where(Ticket.hall_id == hall_id, Ticket.previous_id.is_(None))
            )
    finally:
        engine.dispose()
    assert printed == data["totals"]["issued"] > 0


def test_json_payments_reconcile_with_the_postgres_database_it_ran_in(
    tmp_path: Path, pg_url: str
) -> None:
    """`--json` adds the day's payments, which are what the database's rows say."""
    args = ("--counters", "3", "--hours", "1", "--seed", "6", "--database", pg_url, "--json")
    done = _simulate(tmp_path, *args)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    payments = data["payments"]
    assert payments == payments_in_database(pg_url, data["hall"])
    assert payments["count"] > 10 and payments["collected_fen"] > 0
    assert set(payments["by_method"]) == {"cash", "card", "qr"}
    assert payments["stations"]["SIMC01"]["first_receipt"] == "SIMC01-00000001"


def test_out_of_range_hours_and_unreachable_database_are_clear(tmp_path) -> None:
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    bad = subprocess.run(
        [sys.executable, "main.py", "simulate", "--hours", "20"],
        cwd=root,
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 2 and "--hours" in bad.stderr and "Traceback" not in bad.stderr
    down = subprocess.run(
        [
            sys.executable,
            "main.py",
            "simulate",
            "--hours",
            "1",
            "--database",
            "postgresql://nobody@127.0.0.1:1/none",
        ],
        cwd=root,
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert down.returncode == 3 and "cannot" in down.stderr and "Traceback" not in down.stderr


def test_added_counters_serve_the_planned_services_in_text_and_json(tmp_path: Path) -> None:
    args = ("--counters", "8", "--hours", "1", "--extra-services", "GREEN,PAY")
    args += ("--extra-services", "8=ENQ")
    text, js = _simulate(tmp_path, *args), _simulate(tmp_path, *args, "--json")
    assert text.returncode == js.returncode == 0, text.stderr + js.stderr
    rows = json.loads(js.stdout)["counters"]
    assert [(c["number"], c["services"], c["added"]) for c in rows[5:]] == [
        (6, ["GREEN", "PAY", "APPLY", "ENQ"], False),
        (7, ["GREEN", "PAY"], True),
        (8, ["ENQ"], True),
    ]
    assert json.loads(js.stdout)["config"]["extra_services"] == ["GREEN,PAY", "8=ENQ"]
    lines = text.stdout.splitlines()
    assert lines[-3].startswith("7+") and lines[-3].endswith("%  GREEN PAY")
    assert lines[-2].startswith("8+") and lines[-2].endswith("%  ENQ")
    assert "--extra-services GREEN,PAY --extra-services 8=ENQ" in lines[-1]


def test_help_describes_every_option_with_its_default() -> None:
    done = subprocess.run(
        [sys.executable, "main.py", "simulate", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0
    flat = " ".join(done.stdout.split())
    for words in (
        "--counters N counters open all day, 1-99",
        "(default: 6)",
        "(default: 8.0)",
        "(default: 1)",
        "(default: 0.05)",
        "(default: the hall's curve",
        "--extra-services PLAN what the added counters (7 and up) serve",
        "(default: a temporary SQLite file",
        "--json print the report as JSON",
    ):
        assert words in flat


def test_headless_demo_says_how_to_run_the_whole_day(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "halldesk.toml"
    assert cli.main(["--config", str(config), "init-config"]) == 0
    monkeypatch.setattr(cli, "_has_display", lambda: False)
    assert cli.main(["--config", str(config), "--data-dir", str(tmp_path / "data"), "--demo"]) == 0
    out = capsys.readouterr().out
    assert "2 hours" in out and "08:30-10:30" in out
    whole_day = "python main.py simulate --hours 8 --counters 6"
    assert out.rstrip().endswith(f"The whole day (8 hours): {whole_day}")
    # ...and that command is the full default day.
    args = cli._parser().parse_args(whole_day.split()[2:])
    assert (args.command, args.hours, args.counters) == ("simulate", 8.0, 6)
