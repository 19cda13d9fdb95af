"""The hall's figures against numbers worked out by hand, on SQLite and PostgreSQL.

One morning of the demo hall (Monday 23 November 2026, Asia/Shanghai), played through the
real queue, counter and rating services on a clock that moves when told; payments are
written as rows (the fee business needs a book of accounts this test does not). Every
figure below is worked out in the comments from the times of the script.

    09:00  clerks 1001 and 1003 log in at counters 1 and 3
    09:01  A001 (PAY)   09:02  A002 (PAY)   09:03  B001 (APPLY)
    09:05  counter 1 calls A001 (waited 240 s), serves it from 09:06
    09:08  A001 asked to rate; 09:08:30 rates 1 (satisfied)
    09:10  counter 1 finishes A001 (service 240 s) and calls A002 (waited 480 s)
    09:11  A002 recalled; 09:12 no-show
    09:12  counter 3 calls B001 (waited 540 s), serves it from 09:13
    09:15  counter 1 pauses ("break") until 09:25
    09:15  B001 asked to rate at counter 3; 09:16 not rated (timed out)
    09:20  counter 3 transfers B001 to ENQ (a new leg, joined ENQ at 09:20)
    09:25  clerk 1005 logs in at counter 5;  09:40 clerk 1006 at counter 6
    09:41  A003 (PAY)   09:42  V001 (GREEN)
    09:45  counter 5 calls B001/ENQ (waited 1,500 s: over ENQ's 20 minutes)
    09:46  serving;  09:54 asked to rate; 09:54:30 rates 3 (dissatisfied: an alert)
    09:50  counters 1 and 3 log out
    09:52  counter 6 calls V001 (waited 600 s: exactly GREEN's 10 minutes), serves it 09:53
    09:55  counter 5 finishes B001/ENQ (service 540 s)
    09:58  the manager acknowledges the alert
    09:59  counter 6 asks V001 to rate (still open at 10:00: counted nowhere)
    10:00  the report
"""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
import uuid
import zlib
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from reportlab.lib.colors import Color
from reportlab.lib.rl_accel import fp_str
from sqlalchemy import select

from app.bootstrap import Core
from app.models import Alert, CustomerAccount, Hall, Payment, PaymentVoid, Staff
from app.services.clock import ManualClock
from app.services.errors import DomainError
from app.services.monitoring.figures import (
    ClerkFigures,
    Complaints,
    HallReport,
    HourFigures,
    Period,
    Satisfaction,
    Stats,
    Verdict,
)
from app.services.monitoring.live import HallMonitor
from app.services.monitoring.report_pdf import GREEN, RED, render_report_pdf
from app.services.monitoring.stats import HallStatistics
from tests.unit.services.queue_helpers import HALL, local, login

DAY = date(2026, 11, 23)


def _pay(core: Core, counter: int, job: str, fen: int, at: datetime, *, void: bool = False) -> None:
    with core.db.write() as s:
        hall_id = s.scalar(select(Hall.id).where(Hall.code == HALL))
        staff = s.scalar(select(Staff.id).where(Staff.job_number == job))
        manager = s.scalar(select(Staff.id).where(Staff.job_number == "8001"))
        account = s.scalar(select(CustomerAccount.id).where(CustomerAccount.hall_id == hall_id))
        if account is None:
            account = uuid.uuid4()
            s.add(
                CustomerAccount(
                    id=account, hall_id=hall_id, account_number="T-1", name="张三", created_at=at
                )
            )
            s.flush()
        payment = Payment(
            id=uuid.uuid4(),
            hall_id=hall_id,
            station=f"C{counter:02d}",
            counter_number=counter,
            staff_id=staff,
            account_id=account,
            method="card",
            amount_fen=fen,
            reference="T",
            receipt_number=f"T-{uuid.uuid4().hex[:12]}",
            created_at=at,
        )
        s.add(payment)
        if void:
            s.flush()
            s.add(
                PaymentVoid(
                    id=uuid.uuid4(),
                    payment_id=payment.id,
                    reason="改用其他方式",
                    approved_by=manager,
                    staff_id=staff,
                    created_at=at,
                )
            )


def _morning(core: Core, clock: ManualClock) -> None:
    q, hall = core.queue, HALL

    def at(h: int, m: int, s: int = 0) -> None:
        clock.set(local(23, h, m, s))

    at(9, 0)
    login(core, 1)
    login(core, 3)
    at(9, 1)
    q.issue_ticket(hall, "PAY")
    at(9, 2)
    q.issue_ticket(hall, "PAY")
    at(9, 3)
    q.issue_ticket(hall, "APPLY")
    at(9, 5)
    assert q.call_next(hall, 1).display_number == "A001"  # type: ignore[union-attr]
    at(9, 6)
    q.start_serving(hall, 1)
    at(9, 8)
    rated = core.evaluations.request_rating(hall, 1)
    at(9, 8, 30)
    core.evaluations.record_rating(rated.id, 1)
    at(9, 10)
    assert q.call_next(hall, 1).display_number == "A002"  # type: ignore[union-attr]
    at(9, 11)
    q.recall(hall, 1)
    at(9, 12)
    q.no_show(hall, 1)
    assert q.call_next(hall, 3).display_number == "B001"  # type: ignore[union-attr]
    at(9, 13)
    q.start_serving(hall, 3)
    at(9, 15)
    core.counters.pause(hall, 1, "break")
    unrated = core.evaluations.request_rating(hall, 3)
    at(9, 16)
    core.evaluations.expire(unrated.id)
    at(9, 20)
    q.transfer(hall, 3, "ENQ")
    at(9, 25)
    core.counters.resume(hall, 1)
    login(core, 5)
    at(9, 40)
    login(core, 6)
    at(9, 41)
    q.issue_ticket(hall, "PAY")
    at(9, 42)
    q.issue_ticket(hall, "GREEN")
    at(9, 45)
    assert q.call_next(hall, 5).display_number == "B001"  # type: ignore[union-attr]
    at(9, 46)
    q.start_serving(hall, 5)
    at(9, 50)
    core.counters.close_session(hall, 1)
    core.counters.close_session(hall, 3)
    at(9, 52)
    assert q.call_next(hall, 6).display_number == "V001"  # type: ignore[union-attr]
    at(9, 53)
    q.start_serving(hall, 6)
    at(9, 54)
    angry = core.evaluations.request_rating(hall, 5)
    at(9, 54, 30)
    alert_id = core.evaluations.record_rating(angry.id, 3).alert_id
    at(9, 55)
    q.finish(hall, 5)
    at(9, 58)
    core.evaluations.acknowledge(alert_id, core.auth.login("8001", "1234"))  # type: ignore[arg-type]
    at(9, 59)
    core.evaluations.request_rating(hall, 6)
    # Payments: 100.00, 50.00 (voided) and 25.50 at counter 1; 10.00 at counter 3. The
    # first and the last lie just inside the hall's day (local midnight), two just out.
    _pay(core, 1, "1001", 10_000, local(23, 0, 0, 1))
    _pay(core, 1, "1001", 5_000, local(23, 9, 30), void=True)
    _pay(core, 1, "1001", 2_550, local(23, 9, 40))
    _pay(core, 3, "1003", 1_000, local(23, 23, 59, 59))
    _pay(core, 3, "1003", 777, local(22, 23, 59, 59))  # the day before
    _pay(core, 3, "1003", 888, local(24, 0, 0, 0))  # the day after
    at(10, 0)


@pytest.fixture
def report(hall: Core, clock: ManualClock) -> HallReport:
    _morning(hall, clock)
    return HallStatistics(hall.db, clock).report(HALL, Period(DAY, DAY))


def test_per_service(report: HallReport) -> None:
    rows = {s.code: s for s in report.services}
    assert list(rows) == ["PAY", "APPLY", "ENQ", "GREEN"]
    # PAY: A001 done (waited 240, served 240), A002 no-show (waited 480), A003 waiting
    assert rows["PAY"].stats == Stats(
        issued=3,
        transferred_in=0,
        served=1,
        no_shows=1,
        transferred=0,
        waiting=1,
        avg_wait_s=360.0,  # (240 + 480) / 2
        max_wait_s=480.0,
        avg_service_s=240.0,
        over_threshold=0,  # 15 minutes
    )
    # APPLY: B001 waited 540 s, then transferred to ENQ
    assert rows["APPLY"].stats == Stats(1, 0, 0, 0, 1, 0, 540.0, 540.0, 0.0, 0)
    # ENQ: the transferred leg, waited 09:20 -> 09:45, served 09:46 -> 09:55
    assert rows["ENQ"].stats == Stats(0, 1, 1, 0, 0, 0, 1500.0, 1500.0, 540.0, 1)
    # GREEN: V001 called after exactly its 10 minutes (not over), still at counter 6
    assert rows["GREEN"].stats == Stats(1, 0, 0, 0, 0, 0, 600.0, 600.0, 0.0, 0)
    assert [r.target_wait_s for r in rows.values()] == [900, 1500, 1200, 600]


def test_hall_totals_hours_and_wait_distribution(report: HallReport) -> None:
    assert report.totals == Stats(
        issued=5,
        transferred_in=1,
        served=2,
        no_shows=1,
        transferred=1,
        waiting=1,  # A003, waiting now
        avg_wait_s=672.0,  # (240 + 480 + 540 + 1500 + 600) / 5
        max_wait_s=1500.0,
        avg_service_s=390.0,  # (240 + 540) / 2
        over_threshold=1,
    )
    # arrivals 09:01, 09:02, 09:03, 09:41, 09:42; served 09:10 (A001) and 09:55 (B001)
    assert report.hours == (HourFigures(9, 5, 2),)
    # 4 min | 8 and 9 min | 10 min | 25 min
    assert [b.legs for b in report.wait_distribution] == [1, 2, 1, 0, 1, 0, 0, 0]
    assert [(b.from_min, b.to_min) for b in report.wait_distribution][-2:] == [
        (45, 60),
        (60, None),
    ]
    assert [(d.day, d.stats) for d in report.days] == [(DAY, report.totals)]


def test_clerks_idle_time_satisfaction_and_payments(report: HallReport) -> None:
    one, three, five, six = report.clerks
    # counter 1: 09:00-09:50 logged in (3000 s), paused 09:15-09:25 (600 s), busy with
    # A001 09:05-09:10 and A002 09:10-09:12 (420 s): idle 3000 - 600 - 420 = 1980 s
    assert one == ClerkFigures(
        counter=1,
        job_number="1001",
        name="王芳",
        served=1,
        no_shows=1,
        transferred=0,
        avg_service_s=240.0,
        logged_in_s=3000.0,
        paused_s=600.0,
        busy_s=420.0,
        idle_s=1980.0,
        satisfaction=Satisfaction(rated=1, satisfied=1, dissatisfied=0, not_rated=0),
        payments=2,  # 100.00 and 25.50; the 50.00 was voided
        collected_fen=12_550,
        voids=1,
    )
    assert one.payments_per_hour == 2.4  # 2 payments in 50 minutes logged in
    assert one.satisfaction.pct == 100.0
    # counter 3: 3000 s logged in, B001 09:12-09:20 (480 s); its rating timed out
    assert (three.counter, three.job_number, three.transferred) == (3, "1003", 1)
    assert (three.logged_in_s, three.paused_s, three.busy_s, three.idle_s) == (
        3000.0,
        0.0,
        480.0,
        2520.0,
    )
    assert three.satisfaction == Satisfaction(0, 0, 0, 1)
    assert three.satisfaction.pct is None  # not rated is not a bad rating
    assert (three.payments, three.collected_fen, three.payments_per_hour) == (1, 1_000, 1.2)
    # counter 5: logged in since 09:25, still at 10:00 (2100 s); B001 09:45-09:55
    assert (five.served, five.avg_service_s, five.logged_in_s, five.busy_s, five.idle_s) == (
        1,
        540.0,
        2100.0,
        600.0,
        1500.0,
    )
    assert five.satisfaction == Satisfaction(1, 0, 1, 0) and five.satisfaction.pct == 0.0
    # counter 6: since 09:40 (1200 s), V001 at the counter since 09:52 (480 s until now);
    # the rating asked at 09:59 has no answer yet and counts nowhere
    assert (six.logged_in_s, six.busy_s, six.idle_s, six.served) == (1200.0, 480.0, 720.0, 0)
    assert six.satisfaction == Satisfaction(0, 0, 0, 0)


def test_hall_satisfaction_leaves_not_rated_out(report: HallReport) -> None:
    # rated 1 (satisfied) and 3 (dissatisfied); one not rated; one still asked
    assert report.satisfaction == Satisfaction(rated=2, satisfied=1, dissatisfied=1, not_rated=1)
    assert report.satisfaction.pct == 50.0  # 1 / 2, not 1 / 3
    assert (report.complaints.count, report.complaints.handled) == (1, 1)
    p = report.payments
    assert (p.count, p.collected_fen, p.voids, p.voided_fen) == (3, 13_550, 1, 5_000)


def test_kpis(report: HallReport) -> None:
    kpis = {(k.kpi, k.service): (k.value, k.target, k.verdict) for k in report.kpis}
    assert kpis == {
        ("satisfaction", ""): (50.0, 98, Verdict.RED),
        ("complaints_handled", ""): (100.0, 100, Verdict.GREEN),
        ("avg_wait", "PAY"): (360.0, 900, Verdict.GREEN),
        ("avg_wait", "APPLY"): (540.0, 1500, Verdict.GREEN),
        ("avg_wait", "ENQ"): (1500.0, 1200, Verdict.RED),
        ("avg_wait", "GREEN"): (600.0, 600, Verdict.RED),  # equal is not under
    }


def test_today_is_the_report_of_the_day_so_far(hall: Core, clock: ManualClock) -> None:
    _morning(hall, clock)
    stats = HallStatistics(hall.db, clock)
    assert stats.today(HALL) == stats.report(HALL, Period(DAY, DAY))
    # the day before and after hold nothing of the queue, the day after one payment
    before = stats.report(HALL, Period(date(2026, 11, 22), date(2026, 11, 22)))
    assert before.totals.issued == 0 and before.clerks[0].collected_fen == 777
    both = stats.report(HALL, Period(date(2026, 11, 22), DAY))
    assert both.totals == stats.today(HALL).totals
    assert both.payments.collected_fen == 13_550 + 777
    assert [d.day for d in both.days] == [DAY]


def test_unknown_hall_and_empty_period(hall: Core, clock: ManualClock) -> None:
    stats = HallStatistics(hall.db, clock)
    with pytest.raises(DomainError) as caught:
        stats.report("NOPE", Period(DAY, DAY))
    assert caught.value.code == "unknown_hall"
    empty = stats.report(HALL, Period(DAY, DAY))
    assert empty.totals == Stats(0, 0, 0, 0, 0, 0, 0.0, 0.0, 0.0, 0)
    assert empty.clerks == () and empty.hours == () and empty.days == ()
    assert sum(b.legs for b in empty.wait_distribution) == 0
    verdicts = {(k.kpi, k.service): k.verdict for k in empty.kpis}
    assert verdicts[("satisfaction", "")] == Verdict.NO_DATA
    assert verdicts[("complaints_handled", "")] == Verdict.GREEN  # none left unhandled
    assert verdicts[("avg_wait", "PAY")] == Verdict.NO_DATA


def test_an_unacknowledged_complaint_is_red(hall: Core, clock: ManualClock) -> None:
    clock.set(local(23, 9))
    login(hall, 1)
    hall.queue.issue_ticket(HALL, "PAY")
    hall.queue.call_next(HALL, 1)
    ev = hall.evaluations.request_rating(HALL, 1, scale=5)
    hall.evaluations.record_rating(ev.id, 4)  # very dissatisfied, on a 5-key evaluator
    with hall.db.read() as s:
        assert s.scalar(select(Alert.kind)) == "dissatisfied"
    report = HallStatistics(hall.db, clock).report(HALL, Period(DAY, DAY))
    assert (report.complaints.count, report.complaints.handled) == (1, 0)
    assert report.complaints.verdict == Verdict.RED and report.complaints.pct == 0.0


def _page_streams(pdf: bytes) -> bytes:
    """The PDF's streams, inflated: reportlab writes the fonts' as Flate, the pages' as
    ASCII85 of Flate."""
    out = b""
    for m in re.finditer(rb">>\r?\nstream\r?\n", pdf):
        data = pdf[m.end() :]
        if not data.startswith(b"x"):  # ASCII85 up to its "~>"
            data = base64.a85decode(data[: data.index(b"~>")])
        out += zlib.decompressobj().decompress(data)
    return out


def _fill(colour: Color) -> bytes:
    return f"{fp_str(colour.red)} {fp_str(colour.green)} {fp_str(colour.blue)} rg".encode()


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
def test_the_pdf_shows_the_kpis_in_red_and_green(report: HallReport, tmp_path: Path) -> None:
    pdf = render_report_pdf(report)
    (tmp_path / "r.pdf").write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "r.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    lines = [" ".join(line.split()) for line in text.splitlines()]
    assert "满意率 Satisfaction 50.0% ≥ 98% 未达标 missed" in lines
    assert "投诉处理率 Complaints handled 100.0% = 100% 达标 met" in lines
    assert "平均等候 Avg wait ENQ 25:00 < 20:00 未达标 missed" in lines
    assert "平均等候 Avg wait GREEN 10:00 < 10:00 未达标 missed" in lines
    assert "平均等候 Avg wait PAY 6:00 < 15:00 达标 met" in lines
    assert any(
        line.startswith("1 1001 王芳 1 1 4:00 0:50 0:10 0:33 100.0% 1 0 2 2.4 1") for line in lines
    )
    streams = _page_streams(pdf)
    assert _fill(RED) in streams and _fill(GREEN) in streams


def test_an_empty_report_renders(hall: Core, clock: ManualClock) -> None:
    empty = HallStatistics(hall.db, clock).report(HALL, Period(DAY, DAY + timedelta(days=30)))
    assert render_report_pdf(empty).startswith(b"%PDF")


@pytest.mark.parametrize(
    ("rated", "satisfied", "verdict"),
    [
        (50, 49, Verdict.GREEN),  # 98.0 % exactly
        (100, 98, Verdict.GREEN),
        (100, 97, Verdict.RED),
        (1000, 979, Verdict.RED),  # 97.9 %
        (10_000, 9_799, Verdict.RED),  # 97.99 %, which rounds to 98.0 for the eye
        (1, 1, Verdict.GREEN),
        (0, 0, Verdict.NO_DATA),
    ],
)
def test_satisfaction_verdict_at_the_boundary(rated: int, satisfied: int, verdict: Verdict) -> None:
    s = Satisfaction(rated, satisfied, rated - satisfied, not_rated=7)
    assert s.verdict == verdict
    if rated == 10_000:
        assert s.pct == 98.0  # shown rounded; judged on the counts


@pytest.mark.parametrize(
    ("count", "handled", "verdict"),
    [(0, 0, Verdict.GREEN), (1, 1, Verdict.GREEN), (200, 199, Verdict.RED), (1, 0, Verdict.RED)],
)
def test_complaints_verdict(count: int, handled: int, verdict: Verdict) -> None:
    assert Complaints(count, handled).verdict == verdict


def test_average_wait_verdict_is_judged_on_microseconds() -> None:
    from app.services.monitoring.stats import _Acc

    target = 900
    assert _Acc(called=2, wait_us=2 * target * 10**6).verdict(target) == Verdict.RED  # equal
    assert _Acc(called=2, wait_us=2 * target * 10**6 - 1).verdict(target) == Verdict.GREEN
    assert _Acc(called=0).verdict(target) == Verdict.NO_DATA
    # 899.99995 s shows as 900.0 and is still under the target
    assert _Acc(called=2, wait_us=1_799_999_900).stats().avg_wait_s == 900.0
    assert _Acc(called=2, wait_us=1_799_999_900).verdict(target) == Verdict.GREEN


def test_the_dashboard_and_the_days_report_agree(hall: Core, clock: ManualClock) -> None:
    """The live figures (`HallMonitor.now`) and the report of the day so far, over the
    same morning: waits (the transferred leg from its transfer), served, waiting,
    satisfaction and each counter's idle time."""
    _morning(hall, clock)
    live = HallMonitor(hall.db, hall.halls, clock).now(HALL)
    day = HallStatistics(hall.db, clock).today(HALL)
    assert [(s.code, s.waiting, s.served_today, s.avg_wait_today_s) for s in live.services] == [
        (s.code, s.stats.waiting, s.stats.served, round(s.stats.avg_wait_s)) for s in day.services
    ]
    assert live.service("ENQ").avg_wait_today_s == 1500  # 09:20 -> 09:45, not from 09:03
    assert (live.rated_today, live.satisfied_today, live.dissatisfied_today) == (
        day.satisfaction.rated,
        day.satisfaction.satisfied,
        day.satisfaction.dissatisfied,
    )
    idle = {c.counter: c.idle_s for c in day.clerks}
    assert {c.number: c.idle_today_s for c in live.counters if c.number in idle} == idle
