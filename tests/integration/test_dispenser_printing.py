"""The dispenser prints off the caller's lane: the simulated printer on a real pty, a
SQLite file, the real services.

`issue` returns once the ticket is committed; the print goes to the printer's own thread
and a print that fails or does not finish in time becomes a `print_failed` alert.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from typing import Any

import pytest

from app.bootstrap import Core
from app.devices.escpos import PaperStatus
from app.devices.events import PortStateChanged
from app.devices.printer import EscPosPrinter
from app.devices.simulator import Fault, Simulator
from app.devices.transport import Backoff, ConnectionState
from app.services.devices.dispenser import (
    PAPER_OUT,
    PRINT_FAILED,
    PRINTER_OFFLINE,
    DispenserPrinter,
    DispenserService,
)
from app.services.dto import IssuedTicket
from app.services.errors import DomainError
from tests.devices.pty_helpers import EventLog, wait_until

HALL = "DEMO"
STATUS_TIMEOUT = 0.4
PRINT_TIMEOUT = 1.0
STUCK_S = 2.5  # how long the printer's thread is kept busy by a job nobody answers


@pytest.fixture
def sim() -> Iterator[Simulator]:
    s = Simulator(seed=7)
    s.add_printer()
    s.start()
    try:
        yield s
    finally:
        s.stop()


@pytest.fixture
def printer(sim: Simulator, events: EventLog) -> Iterator[EscPosPrinter]:
    device = EscPosPrinter(sim.printer_url, on_event=events, backoff=Backoff(0.1, 0.3))
    device.start()
    events.wait_for(PortStateChanged, lambda e: e.state is ConnectionState.OPEN)
    try:
        yield device
    finally:
        device.stop()


@pytest.fixture
def events() -> EventLog:
    return EventLog()


@pytest.fixture
def dispenser(sqlite_core: Core, printer: EscPosPrinter) -> Iterator[DispenserService]:
    before = set(threading.enumerate())
    service = DispenserService(
        sqlite_core.queue,
        sqlite_core.halls,
        sqlite_core.evaluations,
        sqlite_core.settings.station,
        lambda name: DispenserPrinter(printer, 80) if name == "D1" else None,
        status_timeout=STATUS_TIMEOUT,
        print_timeout=PRINT_TIMEOUT,
    )
    yield service
    assert service.wait_prints(STUCK_S + 2), "a handed-off print was never settled"
    deadline = time.monotonic() + 2
    while [t for t in threading.enumerate() if t not in before] and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not [t for t in threading.enumerate() if t not in before], "print thread left"


def _committed_tickets(core: Core) -> list[str]:
    """Ticket numbers as another connection sees them (only committed rows)."""
    database = core.db.engine.url.database
    assert database
    with sqlite3.connect(database) as other:
        rows = other.execute("SELECT prefix, number FROM tickets ORDER BY number").fetchall()
    return [f"{p}{n:03d}" for p, n in rows]


def _alert_kinds(core: Core) -> list[str]:
    return [a.kind for a in core.evaluations.alerts(HALL)]


def _after_issuing(
    core: Core, monkeypatch: pytest.MonkeyPatch, then: Callable[[], None]
) -> list[IssuedTicket]:
    """Run `then` right after the queue has committed a ticket (after the paper check)."""
    issued: list[IssuedTicket] = []
    real = core.queue.issue_ticket

    def issue_ticket(*args: Any, **kwargs: Any) -> IssuedTicket:
        ticket = real(*args, **kwargs)
        issued.append(ticket)
        then()
        return ticket

    monkeypatch.setattr(core.queue, "issue_ticket", issue_ticket)
    return issued


def test_a_print_that_does_not_finish_does_not_hold_issue(
    sqlite_core: Core,
    dispenser: DispenserService,
    printer: EscPosPrinter,
    sim: Simulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stuck: list[Future[PaperStatus | None]] = []

    def printer_stops_answering() -> None:
        # Paper was fine; now the printer's thread waits for an answer that never comes,
        # so the ticket's print queues behind it for STUCK_S.
        sim.set_fault(Fault.NO_ACK, 1, port="printer")
        stuck.append(printer.query_paper(STUCK_S))

    _after_issuing(sqlite_core, monkeypatch, printer_stops_answering)
    started = time.monotonic()
    issued = dispenser.issue("PAY")
    elapsed = time.monotonic() - started
    assert elapsed < 0.5 * PRINT_TIMEOUT, f"issue waited {elapsed:.2f} s for the print"
    number = issued.ticket.display_number
    # Committed (another connection sees it) while the print has not gone out.
    assert _committed_tickets(sqlite_core) == [number]
    assert not stuck[0].done()
    assert number not in sim.printer_lines()
    # The print did not finish within print_timeout: the manager is told, nobody waited.
    wait_until(lambda: _alert_kinds(sqlite_core) == [PRINT_FAILED], timeout=PRINT_TIMEOUT + 2)
    alert = sqlite_core.evaluations.alerts(HALL)[0]
    assert number in alert.message and alert.severity == "warning"
    # The printer comes back and the ticket is printed late, not lost.
    wait_until(lambda: number in sim.printer_lines(), timeout=STUCK_S + 2)
    assert _alert_kinds(sqlite_core) == [PRINT_FAILED]  # one alert, not two


def test_a_failed_print_is_an_alert_and_the_ticket_stays(
    sqlite_core: Core,
    dispenser: DispenserService,
    sim: Simulator,
    events: EventLog,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def cable_pulled() -> None:
        sim.unplug(1.0, "printer")
        events.wait_for(PortStateChanged, lambda e: e.state is ConnectionState.FAILED)

    _after_issuing(sqlite_core, monkeypatch, cable_pulled)
    issued = dispenser.issue("APPLY")
    assert _committed_tickets(sqlite_core) == [issued.ticket.display_number]
    wait_until(lambda: _alert_kinds(sqlite_core) == [PRINT_FAILED])
    assert issued.ticket.display_number in sqlite_core.evaluations.alerts(HALL)[0].message
    assert sim.printer_cuts() == 0
    assert sim.wait_plugged(3)


def test_check_printer_is_its_own_step(
    sqlite_core: Core, dispenser: DispenserService, sim: Simulator
) -> None:
    assert dispenser.check_printer("D1") is PaperStatus.OK
    assert dispenser.check_printer("NO-SUCH") is None  # no printer: nothing to check
    asked = sim.printer.status_requests  # type: ignore[union-attr]
    # A caller that ran the check on its own lane issues without asking again.
    issued = dispenser.issue("PAY", printer_checked=True)
    wait_until(lambda: issued.ticket.display_number in sim.printer_lines())
    assert sim.printer.status_requests == asked  # type: ignore[union-attr]
    assert _alert_kinds(sqlite_core) == []


def test_no_answer_or_no_paper_refuses_the_ticket_with_an_alert(
    sqlite_core: Core, dispenser: DispenserService, sim: Simulator
) -> None:
    sim.set_fault(Fault.NO_ACK, 1, port="printer")
    started = time.monotonic()
    with pytest.raises(DomainError) as err:
        dispenser.issue("PAY")
    assert err.value.code == PRINTER_OFFLINE
    assert time.monotonic() - started < STATUS_TIMEOUT + 1.5  # bounded by the paper check
    sim.set_paper(PaperStatus.OUT)
    with pytest.raises(DomainError) as err:
        dispenser.check_printer("D1")
    assert err.value.code == PAPER_OUT
    with pytest.raises(DomainError) as err:
        dispenser.issue("PAY")
    assert err.value.code == PAPER_OUT
    assert _committed_tickets(sqlite_core) == []
    assert sorted(_alert_kinds(sqlite_core)) == [PAPER_OUT, PAPER_OUT, PRINTER_OFFLINE]


def test_the_ticket_is_printed_in_the_halls_languages(
    sqlite_core: Core, dispenser: DispenserService, printer: EscPosPrinter, sim: Simulator
) -> None:
    issued = dispenser.issue("PAY")  # the demo hall has an English name: English under it
    wait_until(lambda: sim.printer_cuts() == 1)
    lines = sim.printer_lines()
    assert lines.index("Demo Service Hall") == lines.index("示范营业厅") + 1
    assert lines.index("Bill payment") == lines.index("缴费业务") + 1
    waits = [t for t in lines if t.startswith(("预计等候", "Estimated wait"))]
    assert issued.no_wait and waits[0].endswith("无需等候") and waits[1].endswith("none")
    chinese_only = DispenserService(
        sqlite_core.queue,
        sqlite_core.halls,
        sqlite_core.evaluations,
        sqlite_core.settings.station,
        lambda _name: DispenserPrinter(printer, 58),
        languages=("zh_CN",),
    )
    second = chinese_only.issue("PAY")
    wait_until(lambda: sim.printer_cuts() == 2)
    assert chinese_only.wait_prints(2)
    lines = sim.printer_lines()[len(lines) :]
    assert "Bill payment" not in lines and "Demo Service Hall" not in lines
    minutes = second.estimated_wait_min
    assert any(t.startswith("预计等候") and t.endswith(f"约 {minutes} 分钟") for t in lines)
