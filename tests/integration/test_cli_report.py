"""`main.py report` and `main.py simulate --keep`: a kept simulated day reports what the
simulator printed; every format; bad input refused with exit code 2 and nothing written."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from app import cli
from tests.integration.main_process import run_main

DAY = "2025-06-02"  # the simulator's day (app.services.simulation.model.SIM_DATE)
SAME_NAMES = (
    "issued",
    "transferred_in",
    "served",
    "no_shows",
    "transferred",
    "avg_wait_s",
    "max_wait_s",
    "over_threshold",
)


@pytest.fixture(scope="module")
def kept(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    """A simulated day kept in a file, as a user makes it, and the simulator's JSON."""
    folder = tmp_path_factory.mktemp("kept")
    day = folder / "day.sqlite3"
    args = ("--counters", "4", "--hours", "3", "--seed", "11", "--no-show-rate", "0.1")
    done = run_main("simulate", *args, "--keep", str(day), "--json")
    assert done.returncode == 0, done.stderr
    assert f"kept the simulated day in {day}" in done.stderr
    assert f"--hall SIM --from {DAY}" in done.stderr
    return day, json.loads(done.stdout)


def _report(db: Path, *args: str) -> int:
    hall = () if "--hall" in args else ("--hall", "SIM")
    return cli.main(["report", "--database", f"sqlite:///{db}", *hall, *args])


def test_the_kept_day_reports_what_the_simulator_printed(
    kept: tuple[Path, dict[str, object]], tmp_path: Path
) -> None:
    """Two independent computations of the same day: the simulator's books, kept as it
    ran, and the report's SQL over the rows the day left. Counts agree exactly; so do the
    waits, which both take from the timestamps the queue wrote (to the microsecond) and
    round to 0.1 s. The service time is the one rounding allowance: the simulator takes it
    from its own float clock (end - start, in seconds), the database from the stored
    times, which the clock had rounded to the microsecond; the two differ by at most 1 µs
    a leg, so their means round alike unless the mean lies that close to a half step
    (x.x5), where they land one step (0.1 s) apart (`simulate --seed 5 --counters 2
    --hours 4 --no-show-rate 0.1`: 483.5 s against 483.6 s for one service)."""
    db, sim = kept
    out = tmp_path / "day.json"
    assert _report(db, "--from", DAY, "--to", DAY, "--format", "json", "--out", str(out)) == 0
    rep = json.loads(out.read_text(encoding="utf-8"))
    sim_services = {s["code"]: s for s in sim["services"]}  # type: ignore[attr-defined]
    rep_services = {s["code"]: s for s in rep["services"]}
    assert list(rep_services) == list(sim_services) == ["PAY", "APPLY", "ENQ", "GREEN"]
    for code, mine in rep_services.items():
        theirs = sim_services[code]
        assert {k: mine[k] for k in SAME_NAMES} == {k: theirs[k] for k in SAME_NAMES}, code
        assert mine["waiting"] == theirs["waiting_at_close"]
        assert mine["avg_service_s"] == pytest.approx(theirs["avg_service_s"], abs=0.1)
    totals = sim["totals"]
    assert {k: rep["totals"][k] for k in SAME_NAMES} == {k: totals[k] for k in SAME_NAMES}  # type: ignore[index]
    assert rep["totals"]["waiting"] == totals["waiting_at_close"]  # type: ignore[index]
    assert rep["totals"]["avg_service_s"] == pytest.approx(totals["avg_service_s"], abs=0.1)  # type: ignore[index]
    assert totals["issued"] > 100 and totals["no_shows"] > 0 and totals["transferred"] > 0  # type: ignore[index]
    # the counters, and the till's payments net of its voids
    by_counter = [
        (c["number"], c["clerk"], c["served"], c["no_shows"], c["transferred"])
        for c in sim["counters"]  # type: ignore[attr-defined]
    ]
    assert [
        (c["counter"], c["job_number"], c["served"], c["no_shows"], c["transferred"])
        for c in rep["clerks"]
    ] == by_counter
    paid = sim["payments"]
    assert rep["payments"] == {  # type: ignore[index]
        k: paid[k]  # type: ignore[index]
        for k in ("count", "collected_fen", "voids", "voided_fen")
    }
    assert sum(c["payments"] for c in rep["clerks"]) == paid["count"]  # type: ignore[index]
    # the simulator's busy share is the report's time at the counter over time logged in
    for c, s in zip(rep["clerks"], sim["counters"], strict=True):  # type: ignore[call-overload]
        assert round(100 * c["busy_s"] / c["logged_in_s"], 1) == pytest.approx(
            s["busy_pct"], abs=0.1
        )
    assert sum(h["arrivals"] for h in rep["hours"]) == totals["issued"]  # type: ignore[index]
    assert (
        sum(b["legs"] for b in rep["wait_distribution"])
        <= totals["issued"] + totals["transferred_in"]
    )  # type: ignore[index]


def test_csv_is_the_json_one_value_a_line(
    kept: tuple[Path, dict[str, object]], tmp_path: Path
) -> None:
    db, _ = kept
    js, cs = tmp_path / "r.json", tmp_path / "r.csv"
    assert _report(db, "--from", DAY, "--out", str(js)) == 0  # format from the suffix
    assert _report(db, "--from", DAY, "--out", str(cs)) == 0
    data = json.loads(js.read_text(encoding="utf-8"))
    raw = cs.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads the Chinese names as UTF-8
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == ["section", "key", "field", "value"]
    assert all(len(r) == 4 for r in rows)
    values = {(s, k, f): v for s, k, f, v in rows[1:]}
    assert values[("report", "", "hall")] == "SIM"
    assert values[("report", "", "from")] == DAY
    assert values[("totals", "", "issued")] == str(data["totals"]["issued"])
    for svc in data["services"]:
        assert values[("service", svc["code"], "avg_wait_s")] == str(svc["avg_wait_s"])
    assert values[("clerk", "1/1001", "name")] == "王芳"
    assert values[("satisfaction", "", "satisfaction_pct")] == ""  # nobody rated
    assert values[("kpi", "avg_wait/PAY", "verdict")] in ("green", "red")
    assert {s for s, _, _, _ in rows[1:]} == {
        "report",
        "totals",
        "satisfaction",
        "complaints",
        "payments",
        "service",
        "clerk",
        "hour",
        "wait",
        "day",
        "kpi",
    }


def test_xlsx_has_a_sheet_per_section(kept: tuple[Path, dict[str, object]], tmp_path: Path) -> None:
    from openpyxl import load_workbook

    db, sim = kept
    out = tmp_path / "r.xlsx"
    assert _report(db, "--from", DAY, "--to", DAY, "--out", str(out)) == 0
    wb = load_workbook(out)
    assert wb.sheetnames == ["Summary", "Services", "Clerks", "Hours", "Waits", "Days", "KPIs"]
    services = list(wb["Services"].values)
    assert services[0][:2] == ("code", "name_en")
    issued = services[0].index("issued")
    assert sum(r[issued] for r in services[1:]) == sim["totals"]["issued"]  # type: ignore[index]
    kpis = wb["KPIs"]
    header = [c.value for c in kpis[1]]
    col = header.index("verdict") + 1
    fills = {kpis.cell(r, col).value: kpis.cell(r, col).fill.fgColor.rgb for r in range(2, 8)}
    assert fills.get("green", "00C6EFCE").endswith("C6EFCE")
    assert fills.get("red", "00FFC7CE").endswith("FFC7CE")


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
def test_pdf_reads_back(kept: tuple[Path, dict[str, object]], tmp_path: Path) -> None:
    db, sim = kept
    out = tmp_path / "r.pdf"
    assert _report(db, "--from", DAY, "--to", DAY, "--format", "pdf", "--out", str(out)) == 0
    assert out.read_bytes().startswith(b"%PDF")
    text = subprocess.run(
        ["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = " ".join(text.split())
    for words in (
        "示范营业厅 服务日报 Daily report",
        f"Demo Service Hall (SIM) · {DAY}",
        "考核指标 KPIs",
        "满意率 Satisfaction",
        "投诉处理率 Complaints handled",
        "每小时取号与办结 Arrivals and served per hour",
        "等候时间分布 Wait distribution",
        "窗口人员绩效 Clerk performance",
        "1001 王芳",
        "1004 刘洋",
        "无数据",  # nobody rated in the simulator: satisfaction has no verdict
    ):
        assert words in flat, words
    totals = sim["totals"]
    assert f"取号 Issued {totals['issued']}" in flat  # type: ignore[index]
    assert "达标 met" in flat  # the complaints KPI at least (none to handle)


def test_a_month_lists_its_days(kept: tuple[Path, dict[str, object]], tmp_path: Path) -> None:
    db, _ = kept
    out = tmp_path / "june.json"
    assert _report(db, "--from", "2025-06-01", "--to", "2025-06-30", "--out", str(out)) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert [d["day"] for d in data["days"]] == [DAY]
    assert (data["from"], data["to"]) == ("2025-06-01", "2025-06-30")
    pdf = tmp_path / "june.pdf"
    assert _report(db, "--from", "2025-06-01", "--to", "2025-06-30", "--out", str(pdf)) == 0


def test_json_to_standard_output(
    kept: tuple[Path, dict[str, object]], capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    db, sim = kept
    assert _report(db, "--from", DAY, "--out", "-") == 0
    data = json.loads(capsysbinary.readouterr().out)
    assert data["totals"]["issued"] == sim["totals"]["issued"]  # type: ignore[index]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--hall", "NOPE", "--from", DAY), "no hall 'NOPE' in sqlite:///"),
        (("--from", "2025-06-03", "--to", DAY), "--from 2025-06-03 is after --to 2025-06-02"),
        (("--from", "2025-02-30"), "--from '2025-02-30' is not a date (YYYY-MM-DD)"),
        (("--from", DAY, "--to", "June"), "--to 'June' is not a date"),
    ],
)
def test_bad_input_exits_2_and_writes_nothing(
    kept: tuple[Path, dict[str, object]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    args: tuple[str, ...],
    words: str,
) -> None:
    db, _ = kept
    hall = () if "--hall" in args else ("--hall", "SIM")
    out = str(tmp_path / "r.pdf")
    assert cli.main(["report", "--database", f"sqlite:///{db}", *hall, *args, "--out", out]) == 2
    assert words in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_an_unwritable_out_exits_2_and_leaves_the_old_file(
    kept: tuple[Path, dict[str, object]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db, _ = kept
    assert _report(db, "--from", DAY, "--out", str(tmp_path / "no" / "such" / "r.json")) == 2
    assert "no folder" in capsys.readouterr().err
    assert _report(db, "--from", DAY, "--out", str(tmp_path)) == 2
    assert "is a folder" in capsys.readouterr().err
    old = tmp_path / "old.json"
    old.write_text("yesterday's report", encoding="utf-8")
    assert _report(db, "--hall", "NOPE", "--from", DAY, "--out", str(old)) == 2
    assert old.read_text(encoding="utf-8") == "yesterday's report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.json"]  # no temporary left
    assert _report(db, "--from", DAY, "--out", "-", "--format", "pdf") == 2
    assert "takes json or csv" in capsys.readouterr().err


def test_a_database_that_is_not_there(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "none.sqlite3"
    assert _report(missing, "--from", DAY, "--out", str(tmp_path / "r.json")) == 2
    assert f"no database file {missing}" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []  # not even an empty database file
    done = run_main(
        "--config",
        str(tmp_path / "none.toml"),
        "report",
        "--hall",
        "SIM",
        "--from",
        DAY,
        "--out",
        str(tmp_path / "r.json"),
    )
    assert done.returncode == 2 and "settings file" in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_keep_never_overwrites(
    kept: tuple[Path, dict[str, object]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db, _ = kept
    before = db.read_bytes()
    args = ["simulate", "--counters", "1", "--hours", "0.25"]
    assert cli.main([*args, "--keep", str(db)]) == 2
    err = capsys.readouterr().err
    assert f"--keep {db} exists and is not overwritten" in err
    assert f"--database sqlite:///{db}" in err
    assert db.read_bytes() == before
    assert cli.main([*args, "--keep", str(tmp_path / "new.sqlite3"), "--database", "x"]) == 2
    assert "--keep and --database" in capsys.readouterr().err
    assert cli.main([*args, "--keep", str(tmp_path / "no" / "day.sqlite3")]) == 2
    assert list(tmp_path.iterdir()) == []
