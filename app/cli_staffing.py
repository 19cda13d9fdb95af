"""`python main.py staffing [--hall H] [--date D] [--target-wait-min N] [--json]`: the
staffing advice for a hall day (issue 10), for a manager.

Reads the day from the central database (`app.services.monitoring.staffing_day`), gives
each service and clock hour the counters Erlang C advises for its target average wait
(`app.services.monitoring.staffing`), and sets them against the counters that were open.
Exit 0 with the advice, 1 when the day has neither a ticket nor a counter session, 2 for
bad input (a date, a target, a hall or a service the database lacks), 3 when the database
cannot be reached.

`add_simulate_option`: `simulate --service CODE`, one service alone at counters of its
own, the way the advice is checked by simulation (see the README).
"""

from __future__ import annotations

import argparse
import json
import math
import secrets
import sys
from dataclasses import replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from app.settings import Settings, SyncSettings

if TYPE_CHECKING:  # imported when used, so --help stays quick
    from app.bootstrap import Core
    from app.services.monitoring.staffing import HourAdvice, StaffingAdvice
    from app.services.monitoring.staffing_day import HallDay


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "staffing",
        help="counters each service needs per hour (Erlang C), against what was open",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="From a day's tickets: per service and hour of the hall's clock, the\n"
        "arrivals, the mean time at a counter, the counters Erlang C advises to keep the\n"
        "average wait under the target, and the counters that were open (+ surplus,\n"
        "- shortfall). Counters serving several services count for each of them; the\n"
        "hall line counts each once, against the services at counters of their own\n"
        "(advised) and all in one queue (pooled).",
        epilog="examples:\n"
        "  python main.py staffing --date 2025-06-02\n"
        "  python main.py staffing --hall DEMO --target-wait-min 10 --target-wait-min PAY=5\n"
        "JSON: waits in seconds; a wait of null: too few counters, the queue grows all\n"
        "hour (wait_one_fewer_s is null too when nothing is advised).",
    )
    p.add_argument("--hall", help="hall code (default: this station's hall)")
    p.add_argument("--date", help="business day, YYYY-MM-DD (default: today, hall time)")
    p.add_argument(
        "--target-wait-min",
        action="append",
        default=[],
        metavar="[SERVICE=]MIN",
        help="target average wait in minutes, for every service or for one (repeat); "
        "default: each service's alert threshold",
    )
    p.add_argument("--json", action="store_true", help="one JSON object")


def add_simulate_option(sim: Any) -> None:
    sim.add_argument(
        "--service",
        type=str.upper,
        metavar="CODE",
        help="simulate this service alone: every customer comes for it, every counter "
        "serves only it, nobody is transferred (checks the staffing advice)",
    )


def main(settings: Settings, args: argparse.Namespace) -> int:
    """Build the services on the central database, advise, print; the exit code."""
    from app.bootstrap import build_core
    from app.services.errors import DatabaseUnavailable

    try:
        targets = parse_targets(args.target_wait_min)
    except ValueError as exc:
        return _bad(str(exc))
    try:
        day = None if args.date is None else date.fromisoformat(args.date)
    except ValueError:
        return _bad(f"--date {args.date!r} is not a date (YYYY-MM-DD)")
    try:  # the centre's rows; no receipt is printed: no key from the keyring
        core = build_core(
            replace(settings, sync=SyncSettings()),
            data_dir=args.data_dir,
            receipt_key=secrets.token_bytes(32),
        )
    except DatabaseUnavailable as exc:
        print(f"HallDesk cannot start: {exc.message}", file=sys.stderr)
        return 3
    try:
        return run(core, args.hall or core.hall_code, day, targets, as_json=args.json)
    finally:
        core.close()


def parse_targets(given: list[str]) -> dict[str, float]:
    """`--target-wait-min` values as seconds by service code ("*": every service)."""
    out: dict[str, float] = {}
    for spec in given:
        code, _, minutes = spec.rpartition("=")
        code = code.strip().upper() or "*"
        try:
            value = float(minutes)
        except ValueError:
            value = math.nan
        if not (math.isfinite(value) and value > 0):
            raise ValueError(f"--target-wait-min {spec!r}: minutes above 0, e.g. 10 or PAY=5")
        if code in out:
            what = "every service" if code == "*" else code
            raise ValueError(f"--target-wait-min: two targets for {what}")
        out[code] = value * 60
    return out


def run(
    core: Core, hall: str, day: date | None, targets: dict[str, float], *, as_json: bool
) -> int:
    from app.services import errors
    from app.services.monitoring.staffing_day import read_hall_day

    now = core.clock.now()
    try:
        if day is None:
            day = now.astimezone(ZoneInfo(core.halls.get(hall).timezone)).date()
        figures = read_hall_day(core.db, hall, day, now=now)
        every = targets.get("*")
        per_service = {s.code: every for s in figures.services if every is not None}
        advice = figures.advise(per_service | {k: v for k, v in targets.items() if k != "*"})
    except errors.DatabaseUnavailable as exc:
        print(f"halldesk staffing: {exc.message}", file=sys.stderr)
        return 3
    except errors.DomainError as exc:
        return _bad(exc.message)
    except ValueError as exc:
        return _bad(f"--target-wait-min: {exc}")
    if not figures.hours:
        print(f"halldesk staffing: hall {hall} has no ticket and no counter session on {day}")
        return 1
    if as_json:
        print(json.dumps(_as_dict(figures, advice), ensure_ascii=False, indent=2))
    else:
        print("\n".join(_table(figures, advice)))
    return 0


def _bad(message: str) -> int:
    print(f"halldesk staffing: {message}", file=sys.stderr)
    return 2


def _mmss(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if math.isinf(seconds):
        return "grows"
    s = round(seconds)
    return f"{s // 60}:{s % 60:02d}"


def _seconds(value: float | None) -> float | None:
    return None if value is None or math.isinf(value) else round(value, 1)


def _count(value: float | None, *, sign: bool = False) -> str:
    return "-" if value is None else f"{value:+.1f}" if sign else f"{value:.1f}"


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _hhmm(at: datetime | None, zone: str) -> str:
    return "-" if at is None else f"{at.astimezone(ZoneInfo(zone)):%H:%M}"


def _table(figures: HallDay, advice: StaffingAdvice) -> list[str]:
    lines = [
        f"HallDesk staffing advice: hall {figures.hall}, {figures.day} ({figures.timezone}), "
        f"open {_hhmm(figures.opened, figures.timezone)}-{_hhmm(figures.closed, figures.timezone)}",
        "Erlang C per service and hour: the fewest counters whose average wait is at most "
        "the target",
    ]
    head = (
        f"{'hour':<7}{'arrivals/h':>11}{'load':>7}{'advised':>9}{'wait':>8}{'1 fewer':>9}"
        f"{'open':>7}{'+/-':>7}"
    )
    for s in figures.services:
        rows = advice.for_service(s.code)
        how = f"{s.timed} timed" if s.timed else "nobody timed: its default time"
        lines += [
            "",
            f"{s.code} {s.name_en}: {s.arrived} arrived, {_mmss(s.mean_service_s)} at a "
            f"counter ({how}), target average wait {_mmss(rows[0].target_wait_s)}",
            head,
        ]
        lines += [
            f"{r.hour:02d}:00  {r.arrivals_per_hour:>11.1f}{r.load_erlangs:>7.2f}{r.counters:>9}"
            f"{_mmss(r.wait_s):>8}{_mmss(r.wait_one_fewer_s):>9}"
            f"{_count(r.open_counters):>7}{_count(r.surplus, sign=True):>7}"
            for r in rows
        ]
    lines += [
        "",
        "hall: the services at counters of their own (advised), or all in one queue (pooled)",
        f"{'hour':<7}{'advised':>9}{'pooled':>8}{'open':>7}{'+/-':>7}",
    ]
    lines += [
        f"{t.hour:02d}:00  {t.counters:>9}{t.pooled:>8}{_count(t.open_counters):>7}"
        f"{_count(t.surplus, sign=True):>7}"
        for t in advice.totals
    ]
    lines += [
        "",
        "rates per hour open; load = arrivals x time at a counter (Erlangs); waits min:sec;",
        "'grows': too few to keep up, the queue grows all hour; +/-: open - advised;",
        "a counter serving several services counts for each of them, once in the hall line;",
        "a hall of shared counters needs between pooled and advised",
    ]
    return lines


def _as_dict(figures: HallDay, advice: StaffingAdvice) -> dict[str, Any]:
    def hour(r: HourAdvice) -> dict[str, Any]:
        return {
            "hour": r.hour,
            "arrivals_per_hour": round(r.arrivals_per_hour, 2),
            "load_erlangs": round(r.load_erlangs, 3),
            "counters": r.counters,
            "wait_s": _seconds(r.wait_s),
            "wait_one_fewer_s": _seconds(r.wait_one_fewer_s),
            "open_counters": _rounded(r.open_counters),
            "open_wait_s": _seconds(r.open_wait_s),  # Erlang's, whole counters open
            "surplus": _rounded(r.surplus),
        }

    return {
        "hall": figures.hall,
        "day": figures.day.isoformat(),
        "timezone": figures.timezone,
        "opened": None if figures.opened is None else figures.opened.isoformat(),
        "closed": None if figures.closed is None else figures.closed.isoformat(),
        "services": [
            {
                "code": s.code,
                "name_en": s.name_en,
                "name_zh": s.name_zh,
                "arrived": s.arrived,
                "timed": s.timed,
                "mean_service_s": round(s.mean_service_s, 1),
                "target_wait_s": advice.for_service(s.code)[0].target_wait_s,
                "hours": [hour(r) for r in advice.for_service(s.code)],
            }
            for s in figures.services
        ],
        "hall_total": [
            {
                "hour": t.hour,
                "counters": t.counters,
                "pooled": t.pooled,
                "open_counters": _rounded(t.open_counters),
                "surplus": _rounded(t.surplus),
            }
            for t in advice.totals
        ],
    }
