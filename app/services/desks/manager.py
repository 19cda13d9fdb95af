"""The manager's desk: the live dashboard's one use case.

A manager (role `manager` or above) logs in; the desk then answers "how is the hall now"
(`read`: the hall's figures, this station's link to the centre, the other stations' last
sync), keeps the threshold alerts in step with it (raising and clearing only what changed,
one alert per episode), and does what a manager does with an alert: acknowledge it with a
note, look behind it (ticket, rating, clerk, events), ask for a complaint work order.
Blocks on the database: call it from a worker thread.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from app.models import SyncStation
from app.models.db import Database
from app.services import errors
from app.services.dto import HallInfo
from app.services.errors import DomainError
from app.services.evaluation.service import EvaluationService
from app.services.hall_ref import business_date
from app.services.monitoring.alert_rules import AlertRules
from app.services.monitoring.charts import DayCharts, day_charts
from app.services.monitoring.conflicts import ConflictSeen, recent_conflicts
from app.services.monitoring.drill import AlertDetail, drill
from app.services.monitoring.limits import Limits, set_limits
from app.services.monitoring.live import HallMonitor, HallNow
from app.services.monitoring.stats import HallStatistics
from app.services.security.auth import Actor, AuthService, may
from app.services.sync.worker import SyncStatus

STATION_LATE_S = 300.0  # a station that has not synced for this long is shown as offline
CONFLICT_DAYS = 7  # the sync conflicts shown: those of the last week


@dataclass(frozen=True, slots=True)
class StationSeen:
    station: str
    seen_at: datetime


@dataclass(frozen=True, slots=True)
class Dashboard:
    info: HallInfo
    hall: HallNow
    sync: SyncStatus | None  # this station's link (None: a direct station, no cache)
    stations: tuple[StationSeen, ...]  # the hall's stations as the centre last saw them
    rules_changed: int  # threshold alerts raised or cleared by this read
    # bills paid twice while counters were cut off, of the last CONFLICT_DAYS (the centre's)
    conflicts: tuple[ConflictSeen, ...] = ()

    def late_stations(self) -> tuple[StationSeen, ...]:
        now = self.hall.taken_at
        return tuple(s for s in self.stations if (now - s.seen_at).total_seconds() > STATION_LATE_S)


class ManagerDesk:
    def __init__(
        self,
        hall_code: str,
        station: str,
        auth: AuthService,
        monitor: HallMonitor,
        evaluations: EvaluationService,
        central: Database,
        sync_status: Callable[[], SyncStatus | None] = lambda: None,
    ) -> None:
        self._hall = hall_code
        self._station = station
        self._auth = auth
        self._monitor = monitor
        self._evaluations = evaluations
        self._rules = AlertRules(evaluations)
        self._central = central
        self._sync_status = sync_status

    @property
    def hall_code(self) -> str:
        return self._hall

    def log_in(self, job_number: str, password: str) -> Actor:
        actor = self._auth.login(job_number, password)
        if not may(actor.role, "manager"):
            raise DomainError(errors.NOT_ALLOWED, "the dashboard is for the hall's managers")
        return actor

    def read(self) -> Dashboard:
        """The hall now, with the threshold alerts brought up to date first."""
        sync = self._sync_status()
        view = self._monitor.now(self._hall)
        offline_since = sync.offline_since if sync is not None else None
        changed = self._rules.check(
            self._hall, view, station=self._station, offline_since=offline_since
        )
        if changed:
            view = self._monitor.now(self._hall)
        info = self._monitor.hall(self._hall)
        return Dashboard(info, view, sync, self._stations(), changed, self._conflicts(view))

    def _stations(self) -> tuple[StationSeen, ...]:
        """The centre's record of this hall's stations; none when it cannot be reached."""
        try:
            with self._central.read() as s:
                rows = s.execute(
                    select(SyncStation.station, SyncStation.seen_at)
                    .where(SyncStation.hall_code == self._hall)
                    .order_by(SyncStation.station)
                ).all()
        except DBAPIError:
            return ()
        return tuple(StationSeen(r.station, r.seen_at) for r in rows)

    def _conflicts(self, view: HallNow) -> tuple[ConflictSeen, ...]:
        """The centre's recent conflicts of this hall; none when it cannot be reached."""
        since = view.taken_at - timedelta(days=CONFLICT_DAYS)
        try:
            return recent_conflicts(self._central, self._hall, since)
        except DBAPIError:
            return ()

    def acknowledge(self, actor: Actor, alert_id: uuid.UUID, note: str) -> None:
        note = note.strip()
        if not note:
            raise DomainError(errors.BAD_INPUT, "say in a few words what was done")
        self._evaluations.acknowledge(alert_id, actor, note)

    def detail(self, alert_id: uuid.UUID) -> AlertDetail:
        return drill(self._monitor.db, alert_id)

    def today(self) -> date:
        """The hall's business day now (the charts' first day)."""
        return business_date(self._monitor.hall(self._hall), self._monitor.clock.now())

    def charts(self, day: date) -> DayCharts:
        """The charts of one business day, with the same weekday of the weeks before."""
        db = self._monitor.db
        return day_charts(db, HallStatistics(db, self._monitor.clock), self._hall, day)

    def set_limits(self, actor: Actor, service_code: str, limits: Limits) -> None:
        """A service's alert thresholds, at the centre; this dashboard uses them at once."""
        set_limits(self._central, self._auth, actor, self._hall, service_code, limits,
                   self._monitor.clock)  # fmt: skip
        self._monitor.forget(self._hall)

    def request_complaint(self, actor: Actor, alert_id: uuid.UUID, note: str) -> None:
        self._evaluations.request_complaint(alert_id, actor, note.strip())
