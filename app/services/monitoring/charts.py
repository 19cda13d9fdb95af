"""What the dashboard's charts show for one business day: the day's report (arrivals and
served per hour, the wait distribution, satisfaction by clerk), satisfaction by service,
and the arrivals per hour of the same weekday averaged over the weeks before, to compare
the day with what is usual for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from app.models import Evaluation, Hall, Service
from app.models.db import Database
from app.services.errors import database_reached
from app.services.monitoring.figures import HallReport, Period, Satisfaction
from app.services.monitoring.live import DISSATISFIED, SATISFIED
from app.services.monitoring.stats import HallStatistics

WEEKS = 4  # same weekdays averaged for the comparison


@dataclass(frozen=True, slots=True)
class ServiceSatisfaction:
    code: str
    name_zh: str
    name_en: str
    satisfaction: Satisfaction

    def name(self, language: str) -> str:
        return self.name_zh if language.startswith("zh") else self.name_en


@dataclass(frozen=True, slots=True)
class DayCharts:
    day: date
    report: HallReport
    by_service: tuple[ServiceSatisfaction, ...]
    # the same weekday's arrivals per hour, averaged over the `weeks` weeks before
    usual_arrivals: dict[int, float]
    weeks: int


def day_charts(db: Database, stats: HallStatistics, hall_code: str, day: date) -> DayCharts:
    report = stats.report(hall_code, Period(day, day))
    usual: dict[int, float] = {}
    weeks = 0
    for k in range(1, WEEKS + 1):
        earlier = stats.report(
            hall_code, Period(day - timedelta(weeks=k), day - timedelta(weeks=k))
        )
        if not earlier.totals.issued:
            continue  # a week the hall was closed, or before it opened: not "usual"
        weeks += 1
        for h in earlier.hours:
            usual[h.hour] = usual.get(h.hour, 0.0) + h.arrivals
    averaged = {hour: n / weeks for hour, n in usual.items()} if weeks else {}
    return DayCharts(day, report, _by_service(db, hall_code, report), averaged, weeks)


def _by_service(
    db: Database, hall_code: str, report: HallReport
) -> tuple[ServiceSatisfaction, ...]:
    zone = ZoneInfo(report.timezone)
    start = datetime.combine(report.period.first, time(0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(report.period.last + timedelta(days=1), time(0), tzinfo=zone)
    with database_reached(), db.read() as s:
        hall_id = s.scalar(select(Hall.id).where(Hall.code == hall_code))
        rows = s.execute(
            select(Evaluation.service_id, Evaluation.status, Evaluation.rating, func.count())
            .where(
                Evaluation.hall_id == hall_id,
                Evaluation.requested_at >= start,
                Evaluation.requested_at < end.astimezone(UTC),
                Evaluation.status.in_(("rated", "not_rated")),
            )
            .group_by(Evaluation.service_id, Evaluation.status, Evaluation.rating)
        ).all()
        services = s.execute(
            select(Service.id, Service.code, Service.name_zh, Service.name_en)
            .where(Service.hall_id == hall_id)
            .order_by(Service.sort_order)
        ).all()
    counts: dict[object, list[int]] = {}
    for service_id, status, rating, n in rows:
        c = counts.setdefault(service_id, [0, 0, 0, 0])  # rated, satisfied, dissatisfied, not
        if status == "not_rated":
            c[3] += int(n)
        else:
            c[0] += int(n)
            c[1] += int(n) if rating in SATISFIED else 0
            c[2] += int(n) if rating in DISSATISFIED else 0
    return tuple(
        ServiceSatisfaction(code, zh, en, Satisfaction(*counts[sid]))
        for sid, code, zh, en in services
        if sid in counts
    )
