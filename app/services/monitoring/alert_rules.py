"""The threshold alerts: fired when a limit is passed, cleared when it no longer is.

Rules, each with its service's threshold (`services`: `wait_threshold_min`,
`handling_limit_min`, `queue_limit`), or the station's link:
- `wait_over` (per service): someone has waited longer than the wait limit;
- `queue_long` (per service): more are waiting than the queue limit (0: never);
- `handling_over` (per counter): the customer at the counter has been there longer than
  their service's handling limit; a new customer over the limit is a new alert;
- `centre_offline` (per station): the central database has been unreachable for longer
  than `CENTRE_GRACE_S`.

The dissatisfied rating, paper low/out and a device offline are raised where they happen
(the rating, the device hub) and shown with these.

`AlertRules.check` compares what should be open with what is open (one read the caller
already made: `HallNow`) and writes only the differences, so checking every second costs
nothing while nothing changes. One alert per episode: a condition that began at T is
raised once, and not again when a manager acknowledged it while it lasts; it fires anew
only after it cleared. An alert cleared by its condition is kept, marked cleared by the
system; a manager still sees it in the day's list and acknowledges it with a note.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.services.evaluation.service import EvaluationService
from app.services.monitoring.live import HallNow

CENTRE_GRACE_S = 60.0
# an alert raised this long before the computed start of its condition still counts for
# it (the computed start moves by the clock's rounding between two checks)
EPISODE_SLACK = timedelta(seconds=2)
WAIT_OVER, QUEUE_LONG, HANDLING_OVER, CENTRE_OFFLINE = (
    "wait_over",
    "queue_long",
    "handling_over",
    "centre_offline",
)
RULE_KINDS = (WAIT_OVER, QUEUE_LONG, HANDLING_OVER, CENTRE_OFFLINE)


@dataclass(frozen=True, slots=True)
class Wanted:
    """An alert that should be open now."""

    kind: str
    source: str
    message: str
    counter_number: int | None = None
    ticket_id: uuid.UUID | None = None
    severity: str = "warning"
    since: datetime | None = None  # when the condition began, where that is known
    value: int | None = None  # the figure past its limit (minutes, people)
    threshold: int | None = None


def wanted(
    view: HallNow, *, station: str = "", offline_since: datetime | None = None
) -> list[Wanted]:
    """The rule alerts that should be open at `view.taken_at`."""
    now = view.taken_at
    out = []
    for svc in view.services:
        source = f"service {svc.code}"
        if svc.over_wait_limit:
            began = now - timedelta(seconds=svc.longest_wait_s - svc.wait_limit_s)
            out.append(
                Wanted(
                    WAIT_OVER,
                    source,
                    f"{svc.code}: waiting {svc.longest_wait_s // 60} min, "
                    f"limit {svc.wait_limit_s // 60} min",
                    since=began,
                    value=svc.longest_wait_s // 60,
                    threshold=svc.wait_limit_s // 60,
                )
            )
        if svc.over_queue_limit:
            out.append(
                Wanted(
                    QUEUE_LONG,
                    source,
                    f"{svc.code}: {svc.waiting} waiting, limit {svc.queue_limit}",
                )
            )
    for counter in view.counters:
        over = counter.over_handling_limit_at
        if over is not None and over <= now:
            minutes, limit = counter.elapsed_s(now) // 60, counter.handling_limit_s // 60
            out.append(
                Wanted(
                    HANDLING_OVER,
                    f"counter {counter.number}",
                    f"{counter.ticket} at counter {counter.number} for {minutes} min, "
                    f"limit {limit} min",
                    counter_number=counter.number,
                    ticket_id=counter.ticket_id,
                    since=over,
                    value=minutes,
                    threshold=limit,
                )
            )
    if offline_since is not None and (now - offline_since).total_seconds() >= CENTRE_GRACE_S:
        out.append(
            Wanted(
                CENTRE_OFFLINE,
                f"station {station}",
                f"central database unreachable from {station} since {offline_since:%H:%M:%S} UTC",
                severity="high",
                since=offline_since + timedelta(seconds=CENTRE_GRACE_S),
            )
        )
    return out


class AlertRules:
    def __init__(self, evaluations: EvaluationService) -> None:
        self._evaluations = evaluations
        # when this process first saw a condition whose beginning is not known (queue_long)
        self._first_seen: dict[tuple[str, str], datetime] = {}

    def check(
        self,
        hall_code: str,
        view: HallNow,
        *,
        station: str = "",
        offline_since: datetime | None = None,
    ) -> int:
        """Raise what should be open and was not raised in this episode, clear what is
        open and should not be; the alerts raised or cleared (0: nothing was written)."""
        now = view.taken_at
        should = {
            (w.kind, w.source): w
            for w in wanted(view, station=station, offline_since=offline_since)
        }
        for key in list(self._first_seen):
            if key not in should:
                del self._first_seen[key]
        changes = 0
        for alert in view.open_alerts:
            key = (alert.kind, alert.source)
            if alert.kind not in RULE_KINDS:
                continue
            if alert.kind == CENTRE_OFFLINE and alert.source != f"station {station}":
                continue  # another station's link: that station says when it is back
            want = should.get(key)
            if want is None or (want.ticket_id is not None and want.ticket_id != alert.ticket_id):
                self._evaluations.resolve_alerts(hall_code, alert.kind, alert.source, at=now)
                changes += 1
        for key, want in should.items():
            seen = self._first_seen.setdefault(key, now)  # while this process watched
            began = min(seen, want.since) if want.since is not None else seen
            raised = any(
                (a.kind, a.source) == key
                and a.created_at >= began - EPISODE_SLACK
                and (want.ticket_id is None or a.ticket_id == want.ticket_id)
                for a in view.alerts_today
            )
            if raised:
                continue
            self._evaluations.raise_alert(
                hall_code,
                want.kind,
                want.message,
                severity=want.severity,
                counter_number=want.counter_number,
                source=want.source,
                ticket_id=want.ticket_id,
                at=now,
                value=want.value,
                threshold=want.threshold,
            )
            changes += 1
        return changes
