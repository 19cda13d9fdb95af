"""`python main.py report`: a hall's daily or monthly report as JSON, CSV, XLSX or PDF;
and `simulate --keep FILE`, which keeps a simulated day in a SQLite file to report on.

report: `--hall H --from YYYY-MM-DD [--to YYYY-MM-DD] [--format json|csv|xlsx|pdf]
--out FILE [--database URL]`. The days are business days in the hall's time zone; the
database is the central one of the settings unless `--database` names one (it is read,
never migrated or written). The format defaults to the suffix of FILE; `--out -` writes
JSON or CSV to standard output. Bad input (a hall the database lacks, --from after --to,
a date that is not one, a FILE that cannot be written) is one line on stderr and exit
code 2, and nothing is written; an unreachable database is exit code 3. The file is
written whole or not at all: to a temporary file beside it, then renamed over it.

simulate --keep FILE: the day runs in a new SQLite file FILE, which stays. FILE must not
exist: --keep never overwrites and never adds to a file; `--database sqlite:///FILE`
adds another run to an existing one (as hall SIM2, SIM3, ...). If the run fails, FILE is
removed.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

FORMATS = ("json", "csv", "xlsx", "pdf")
TEXT_FORMATS = ("json", "csv")


def add_parser(sub: Any) -> None:
    rep = sub.add_parser(
        "report",
        help="write a hall's daily or monthly report (JSON, CSV, XLSX or PDF)",
        description="Write the report of a hall over business days: per service issued, "
        "served, no-shows, transfers, waits and service times; per clerk served, handling "
        "and idle time, satisfaction and payments; the hall's satisfaction, complaints, "
        "arrivals and served per hour, the wait distribution and the KPIs (satisfaction "
        ">= 98%%, complaints handled 100%%, average wait under the service's threshold).",
    )
    rep.add_argument("--hall", required=True, help="the hall's code (DEMO, SIM, ...)")
    rep.add_argument("--from", dest="first", required=True, metavar="YYYY-MM-DD")
    rep.add_argument("--to", dest="last", metavar="YYYY-MM-DD", help="default: --from")
    rep.add_argument("--format", choices=FORMATS, help="default: the suffix of --out, else json")
    rep.add_argument("--out", required=True, metavar="FILE", help="where to write it; '-': stdout")
    rep.add_argument(
        "--database",
        metavar="URL",
        help="the database to read (default: the central database of the settings)",
    )


def add_keep_option(simulate: argparse.ArgumentParser) -> None:
    simulate.add_argument(
        "--keep",
        type=Path,
        metavar="FILE",
        help="keep the simulated day in this new SQLite file, to run `report` on it "
        "(refused if FILE exists; --database sqlite:///FILE adds a run to an existing one)",
    )


def _fail(message: str, code: int = 2) -> int:
    print(f"halldesk report: {message}", file=sys.stderr)
    return code


def _day(raw: str) -> date | None:
    try:
        return datetime.strptime(raw, "%Y-%m-%d").date()
    except ValueError:
        return None


def _format(args: argparse.Namespace) -> str:
    if args.format:
        return str(args.format)
    suffix = Path(args.out).suffix.lower().lstrip(".")
    return suffix if suffix in FORMATS else "json"


def _writable(out: str) -> str | None:
    """Why `out` cannot be written, or None."""
    path = Path(out)
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        return f"--out {out} is a folder"
    if not folder.is_dir():
        return f"--out {out}: no folder {folder}"
    if not os.access(folder, os.W_OK | os.X_OK) or (path.exists() and not os.access(path, os.W_OK)):
        return f"--out {out}: not allowed to write there"
    return None


def _database_url(args: argparse.Namespace) -> str | int:
    if args.database:
        return str(args.database)
    from app.settings import SettingsError, load_settings

    try:
        settings = load_settings(args.config, create=False)
    except SettingsError as exc:  # MissingSettingsFile too
        return _fail(f"settings file {exc}")
    return settings.database_url(args.data_dir)


def run(args: argparse.Namespace) -> int:
    first = _day(args.first)
    if first is None:
        return _fail(f"--from {args.first!r} is not a date (YYYY-MM-DD)")
    last = _day(args.last) if args.last else first
    if last is None:
        return _fail(f"--to {args.last!r} is not a date (YYYY-MM-DD)")
    if first > last:
        return _fail(f"--from {first} is after --to {last}")
    fmt = _format(args)
    if args.out == "-" and fmt not in TEXT_FORMATS:
        return _fail(f"--out - (standard output) takes json or csv, not {fmt}")
    if args.out != "-" and (why := _writable(args.out)):
        return _fail(why)
    url = _database_url(args)
    if isinstance(url, int):
        return url
    return _report(url, args, first, last, fmt)


def _report(url: str, args: argparse.Namespace, first: date, last: date, fmt: str) -> int:
    from sqlalchemy import select
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    from app.models import Hall
    from app.models.db import Database
    from app.services import errors
    from app.services.billing.receipt_pdf import CjkFontMissing
    from app.services.monitoring.figures import Period
    from app.services.monitoring.stats import HallStatistics

    try:
        parsed = make_url(url)
    except ArgumentError:
        return _fail(f"--database {url!r} is not a database URL")
    shown = parsed.render_as_string(hide_password=True)
    if parsed.get_backend_name() == "sqlite" and not Path(parsed.database or "").is_file():
        return _fail(f"no database file {parsed.database or '(in memory)'}")
    try:
        db = Database.from_url(url, pool_size=1)
    except (ValueError, OSError) as exc:
        return _fail(f"cannot use the database {shown}: {exc}")
    try:
        report = HallStatistics(db).report(args.hall, Period(first, last))
        content = _render(report, fmt)
    except errors.DomainError as exc:
        if exc.code != errors.UNKNOWN_HALL:
            return _fail(f"{exc.message} ({shown})", 3)
        with errors.read_unit(db) as s:
            halls = ", ".join(s.scalars(select(Hall.code).order_by(Hall.code))) or "none"
        return _fail(f"no hall {args.hall!r} in {shown} (its halls: {halls})")
    except CjkFontMissing as exc:
        return _fail(str(exc), 3)
    finally:
        db.dispose()
    if args.out == "-":
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
        return 0
    try:
        _write_whole(Path(args.out), content)
    except OSError as exc:
        return _fail(f"cannot write {args.out}: {exc.strerror}")
    print(f"wrote the {fmt} report of hall {args.hall}, {first} to {last}, to {args.out}")
    return 0


def _render(report: Any, fmt: str) -> bytes:
    from app.services.monitoring import export
    from app.services.monitoring.report_pdf import render_report_pdf

    if fmt == "pdf":
        return render_report_pdf(report)
    if fmt == "xlsx":
        return export.to_xlsx(report)
    return export.to_csv(report) if fmt == "csv" else export.to_json(report)


def _write_whole(path: Path, content: bytes) -> None:
    """Write `content` to a temporary file beside `path`, then rename it over `path`."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or Path("."))
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(content)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def simulate_kept(args: argparse.Namespace, simulate: Callable[[argparse.Namespace], int]) -> int:
    """`simulate --keep FILE`: run `simulate` in the new SQLite file FILE, which stays."""
    from app.services.simulation.hall_setup import HALL_CODE
    from app.services.simulation.model import SIM_DATE

    path: Path = args.keep
    if args.database:
        print("halldesk simulate: --keep and --database: give one of them", file=sys.stderr)
        return 2
    try:
        with path.open("xb"):  # claims the name: nobody else's file is ever overwritten
            pass
    except FileExistsError:
        print(
            f"halldesk simulate: --keep {path} exists and is not overwritten; name a new "
            f"file, or add this run to it with --database sqlite:///{path.resolve()}",
            file=sys.stderr,
        )
        return 2
    except OSError as exc:
        print(f"halldesk simulate: --keep {path}: {exc.strerror}", file=sys.stderr)
        return 2
    url = f"sqlite:///{path.resolve()}"
    code = 1
    try:
        code = simulate(argparse.Namespace(**{**vars(args), "database": url, "keep": None}))
    finally:
        if code != 0:
            for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                leftover.unlink(missing_ok=True)
    day = SIM_DATE.isoformat()
    print(
        f"kept the simulated day in {path} (hall {HALL_CODE}, {day}); its report: "
        f"python main.py report --database {url} --hall {HALL_CODE} --from {day} "
        "--out report.pdf",
        file=sys.stderr,
    )
    return code
