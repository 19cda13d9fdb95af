"""What the database must hold after the crash probe, read from the database itself.

- **nothing lost**: every step a worker recorded as committed is there (the ticket with
  its number and dispenser, the call at that counter, the finish);
- **nothing called twice**: at most one 'called' event per ticket (the probe never
  recalls), no ticket recorded as called by two counters, at most one current ticket per
  counter and only at a counter with an open session;
- **nothing renumbered**: per hall, service, business day and dispenser the numbers run
  from the start of the dispenser's range without a gap or a double, and the series'
  last number is the highest; no number twice per day and letter;
- **consistent states**: each ticket's columns match its status and its events (one
  'issued'; one 'called' once it left the queue; one 'done' when done). The order of the
  timestamps (issued ≤ called ≤ finished) is not checked: it can be off by a few ms today
  (another change fixes that).
"""

from __future__ import annotations

import json
import uuid
from collections import Counter as Tally
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from app.models import Counter, CounterSession, Hall, Service, Ticket, TicketEvent, TicketSeries
from app.models.db import Database

SHOWN = 8  # problems of one kind listed before "... and n more"


@dataclass
class Records:
    """What the workers recorded as committed, by kind of step."""

    issued: list[dict[str, Any]] = field(default_factory=list)
    called: list[dict[str, Any]] = field(default_factory=list)
    finished: list[dict[str, Any]] = field(default_factory=list)
    torn: int = 0  # last lines cut short by a kill (the step is then not counted as recorded)

    @classmethod
    def read(cls, folder: Path) -> Records:
        out = cls()
        for path in sorted(folder.glob("w*.g*.jsonl")):
            data = path.read_bytes()
            lines = data.split(b"\n")
            if lines[-1]:
                out.torn += 1
            for line in lines[:-1]:
                rec = json.loads(line)
                bucket = getattr(out, rec["op"], None)
                if isinstance(bucket, list):
                    bucket.append(rec)
        return out


@dataclass
class Report:
    tickets: int = 0
    calls: int = 0
    done: int = 0
    waiting: int = 0
    recorded_issued: int = 0
    recorded_called: int = 0
    recorded_finished: int = 0
    problems: list[str] = field(default_factory=list)

    def problem(self, kind: str, items: list[str]) -> None:
        if items:
            more = f" ... and {len(items) - SHOWN} more" if len(items) > SHOWN else ""
            self.problems.append(f"{kind} ({len(items)}): {'; '.join(items[:SHOWN])}{more}")


def check(
    db: Database, records: Records, hall_code: str, ranges: dict[str, tuple[int, int]]
) -> Report:
    """Check the hall's tickets, events and series against each other and the records."""
    with db.read() as s:
        hall_id = s.scalar(select(Hall.id).where(Hall.code == hall_code))
        counters = dict(s.execute(select(Counter.id, Counter.number)).all())
        services = dict(s.execute(select(Service.id, Service.code)).all())
        tickets = {
            r.id: r
            for r in s.execute(
                select(
                    Ticket.id,
                    Ticket.service_id,
                    Ticket.business_date,
                    Ticket.prefix,
                    Ticket.number,
                    Ticket.dispenser,
                    Ticket.status,
                    Ticket.called_at,
                    Ticket.finished_at,
                    Ticket.counter_id,
                    Ticket.previous_id,
                ).where(Ticket.hall_id == hall_id)
            ).all()
        }
        events = s.execute(
            select(TicketEvent.ticket_id, TicketEvent.kind, TicketEvent.counter_number).where(
                TicketEvent.hall_id == hall_id, TicketEvent.ticket_id.is_not(None)
            )
        ).all()
        series = s.execute(
            select(
                TicketSeries.service_id,
                TicketSeries.business_date,
                TicketSeries.dispenser,
                TicketSeries.last_number,
            ).where(TicketSeries.hall_id == hall_id)
        ).all()
        open_counters = set(
            s.scalars(select(CounterSession.counter_id).where(CounterSession.ended_at.is_(None)))
        )
        open_sessions = s.scalar(
            select(func.count())
            .select_from(CounterSession)
            .where(CounterSession.ended_at.is_(None))
        )

    report = Report(
        tickets=len(tickets),
        recorded_issued=len(records.issued),
        recorded_called=len(records.called),
        recorded_finished=len(records.finished),
    )
    by_kind: dict[str, Tally[uuid.UUID | None]] = defaultdict(Tally)
    called_at: dict[uuid.UUID | None, set[int | None]] = defaultdict(set)
    for ticket_id, kind, counter_number in events:
        by_kind[kind][ticket_id] += 1
        if kind == "called":
            called_at[ticket_id].add(counter_number)
    report.calls = sum(by_kind["called"].values())
    report.done = sum(1 for t in tickets.values() if t.status == "done")
    report.waiting = sum(1 for t in tickets.values() if t.status == "waiting")

    # --- nothing lost
    lost = []
    for rec in records.issued:
        t = tickets.get(uuid.UUID(rec["id"]))
        if t is None:
            lost.append(f"{rec['number']} ({rec['dispenser']}) missing")
        elif (f"{t.prefix}{t.number:03d}", t.dispenser) != (rec["number"], rec["dispenser"]):
            lost.append(f"{rec['number']} is {t.prefix}{t.number:03d} ({t.dispenser}) now")
    for rec in records.called:
        ticket_id = uuid.UUID(rec["id"])
        t = tickets.get(ticket_id)
        if t is None or rec["counter"] not in called_at[ticket_id]:
            lost.append(f"call of {rec['number']} at counter {rec['counter']} missing")
        elif t.status == "waiting":
            lost.append(f"{rec['number']} called at {rec['counter']} is waiting again")
    for rec in records.finished:
        t = tickets.get(uuid.UUID(rec["id"]))
        if t is None or t.status != "done":
            lost.append(f"finish of {rec['id']} at counter {rec['counter']} missing")
    report.problem("lost", lost)

    # --- nothing called twice
    twice = [
        f"{tickets[i].prefix}{tickets[i].number:03d}" if i in tickets else str(i)
        for i, n in by_kind["called"].items()
        if n > 1
    ]
    by_ticket: dict[str, set[int]] = defaultdict(set)
    for rec in records.called:
        by_ticket[rec["id"]].add(rec["counter"])
    twice += [f"{i} recorded at counters {sorted(c)}" for i, c in by_ticket.items() if len(c) > 1]
    current = Tally(t.counter_id for t in tickets.values() if t.status in ("called", "serving"))
    twice += [f"counter {counters.get(c)} holds {n} tickets" for c, n in current.items() if n > 1]
    twice += [
        f"counter {counters.get(c)} holds a ticket without an open session"
        for c in current
        if c not in open_counters
    ]
    if open_sessions != len(open_counters):
        twice.append(f"{open_sessions} open sessions at {len(open_counters)} counters")
    report.problem("called twice", twice)

    # --- nothing renumbered
    renumbered = []
    numbers: dict[tuple[Any, ...], list[int]] = defaultdict(list)
    printed: Tally[tuple[Any, ...]] = Tally()
    for t in tickets.values():
        if t.previous_id is None:
            numbers[(t.service_id, t.business_date, t.dispenser)].append(t.number)
            printed[(t.business_date, t.prefix, t.number)] += 1
    renumbered += [
        f"{p}{n:03d} on {d} printed {k} times" for (d, p, n), k in printed.items() if k > 1
    ]
    last = {(sid, day, d): n for sid, day, d, n in series}
    for key, got in numbers.items():
        service_id, day, dispenser = key
        start = ranges.get(dispenser, (1, 999))[0]
        want = list(range(start, start + len(got)))
        where = f"{services.get(service_id)} {dispenser} {day}"
        if sorted(got) != want:
            renumbered.append(f"{where}: numbers {_gaps(sorted(got), want)}")
        if last.get(key) != max(got):
            renumbered.append(f"{where}: series at {last.get(key)}, highest ticket {max(got)}")
    report.problem("renumbered", renumbered)

    # --- consistent states
    wrong = []
    for t in tickets.values():
        shown = f"{t.prefix}{t.number:03d}"
        left_queue = t.status != "waiting"
        fields_ok = {
            "waiting": t.called_at is None and t.finished_at is None and t.counter_id is None,
            "called": t.called_at is not None and t.finished_at is None and t.counter_id,
            "serving": t.called_at is not None and t.finished_at is None and t.counter_id,
            "done": t.called_at is not None and t.finished_at is not None and t.counter_id,
        }.get(t.status, False)
        if not fields_ok:
            wrong.append(f"{shown} {t.status}: called_at/finished_at/counter do not match")
        if by_kind["issued"][t.id] != 1:
            wrong.append(f"{shown}: {by_kind['issued'][t.id]} 'issued' events")
        if by_kind["called"][t.id] != int(left_queue):
            wrong.append(f"{shown} {t.status}: {by_kind['called'][t.id]} 'called' events")
        if by_kind["done"][t.id] != int(t.status == "done"):
            wrong.append(f"{shown} {t.status}: {by_kind['done'][t.id]} 'done' events")
    orphans = [k for kind in by_kind.values() for k in kind if k not in tickets]
    wrong += [f"events of a ticket that does not exist: {i}" for i in sorted(set(orphans), key=str)]
    report.problem("inconsistent", wrong)
    return report


def _gaps(got: list[int], want: list[int]) -> str:
    missing = sorted(set(want) - set(got))
    doubled = sorted(n for n, k in Tally(got).items() if k > 1)
    extra = sorted(set(got) - set(want))
    return f"missing {missing[:10]}, doubled {doubled[:10]}, outside {extra[:10]}"
