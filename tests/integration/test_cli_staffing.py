"""`python main.py staffing` on a simulated day, its bad input, and `simulate --service`."""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.bootstrap import build_core
from app.cli import main
from app.services.monitoring.staffing import counters_needed
from app.services.simulation.run import SimulationConfig, run_simulation
from app.settings import DatabaseSettings, Settings, save_settings
from tests.integration.main_process import run_main

DAY = "2025-06-02"  # the simulator's business day


@pytest.fixture(scope="module")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A settings file on a database holding a simulated morning: 3 counters, 08:30-11:00."""
    folder = tmp_path_factory.mktemp("staffing")
    url = f"sqlite:///{folder / 'hall.sqlite3'}"
    run_simulation(SimulationConfig(counters=3, hours=2.5, seed=3, database_url=url), build_core)
    config = folder / "halldesk.toml"
    save_settings(Settings(database=DatabaseSettings(url=url)), config)
    yield config


def _staffing(config: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["--config", str(config), "staffing", "--hall", "SIM", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_advice_of_a_simulated_morning(
    simulated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _staffing(simulated, capsys, "--date", DAY, "--json", "--target-wait-min", "4")
    assert code == 0, err
    data = json.loads(out)
    assert (data["hall"], data["day"], data["timezone"]) == ("SIM", DAY, "Asia/Shanghai")
    assert data["opened"].startswith(f"{DAY}T00:30")  # 08:30 in Shanghai, in UTC
    services = {s["code"]: s for s in data["services"]}
    assert list(services) == ["PAY", "APPLY", "ENQ", "GREEN"]
    pay = services["PAY"]
    assert pay["arrived"] > 20 and pay["timed"] > 20 and 150 < pay["mean_service_s"] < 300
    assert [h["hour"] for h in pay["hours"]] in ([8, 9, 10], [8, 9, 10, 11])
    for s in data["services"]:
        assert s["target_wait_s"] == 240.0
        for h in s["hours"]:
            want = counters_needed(h["arrivals_per_hour"], s["mean_service_s"], 240.0)
            assert h["counters"] == want  # as rounded for print: the same answer here
            assert h["surplus"] == pytest.approx(h["open_counters"] - h["counters"], abs=0.02)
            if h["counters"]:
                assert h["wait_s"] <= 240.0 * (1 + 1e-9)
            if h["open_counters"] >= h["counters"] > 0:
                assert h["open_wait_s"] <= h["wait_s"]
    # 3 counters of the demo hall (PAY/APPLY): nobody serves ENQ or GREEN, none open for them
    assert all(h["open_counters"] == 0 for h in services["ENQ"]["hours"])
    nine = next(t for t in data["hall_total"] if t["hour"] == 9)
    assert nine["open_counters"] == 3.0 and nine["pooled"] <= nine["counters"]


def test_text_advice_with_a_target_for_one_service(
    simulated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _staffing(simulated, capsys, "--date", DAY, "--target-wait-min", "PAY=2")
    assert code == 0, err
    lines = out.splitlines()
    # closed at the last log-out: the clerks finish the customers in front of them at 11:00
    head = f"HallDesk staffing advice: hall SIM, {DAY} (Asia/Shanghai), open 08:30-11:0"
    assert re.fullmatch(re.escape(head) + r"\d", lines[0]), lines[0]
    pay = next(line for line in lines if line.startswith("PAY Bill payment:"))
    assert pay.endswith("target average wait 2:00")
    apply_ = next(line for line in lines if line.startswith("APPLY Applications:"))
    assert apply_.endswith("target average wait 25:00")  # the service's threshold
    assert "hour    arrivals/h   load  advised    wait  1 fewer   open    +/-" in lines
    assert any(line.startswith("09:00 ") for line in lines)


def test_a_day_without_rows_exits_1(simulated: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _staffing(simulated, capsys, "--date", "2025-06-03")
    assert code == 1
    assert out == "halldesk staffing: hall SIM has no ticket and no counter session on 2025-06-03\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--date", "2025-13-01"), "--date '2025-13-01' is not a date (YYYY-MM-DD)"),
        (("--date", "yesterday"), "--date 'yesterday' is not a date"),
        (("--target-wait-min", "0"), "--target-wait-min '0': minutes above 0, e.g. 10 or PAY=5"),
        (("--target-wait-min", "PAY=x"), "--target-wait-min 'PAY=x': minutes above 0"),
        (("--target-wait-min", "nan"), "minutes above 0"),
        (("--target-wait-min", "pay=5", "--target-wait-min", "PAY=6"), "two targets for PAY"),
        (("--target-wait-min", "5", "--target-wait-min", "6"), "two targets for every service"),
        (
            ("--date", DAY, "--target-wait-min", "FOO=5"),
            "--target-wait-min: unknown service FOO (known: PAY, APPLY, ENQ, GREEN)",
        ),
        (("--date", DAY, "--hall", "NOPE"), "no hall with code 'NOPE'"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    simulated: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], message: str
) -> None:
    code, out, err = _staffing(simulated, capsys, *args)
    assert code == 2 and out == ""
    assert err.startswith("halldesk staffing: ") and message in err
    assert err.count("\n") == 1


def test_an_unreachable_database_exits_3(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = tmp_path / "halldesk.toml"
    url = f"postgresql://hall@127.0.0.1:{port}/halldesk"
    save_settings(Settings(database=DatabaseSettings(url=url)), config)
    done = run_main("--config", str(config), "staffing", "--date", DAY)
    assert done.returncode == 3
    assert "HallDesk cannot start" in done.stderr and "Traceback" not in done.stderr


def test_simulate_one_service_alone_from_the_command_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = ["simulate", "--service", "enq", "--counters", "2", "--hours", "0.5"]
    assert main([*args, "--arrivals-per-hour", "12", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["config"]["service"] == "ENQ"
    assert [c["services"] for c in data["counters"]] == [["ENQ"], ["ENQ"]]
    assert main(["simulate", "--service", "FOO"]) == 2
    assert "halldesk simulate: --service: unknown service 'FOO'" in capsys.readouterr().err
