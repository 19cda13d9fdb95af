"""EscPosPrinter against the simulated printer over a real pty."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace

import pytest

from app.devices.escpos import PaperStatus, TicketPrint, receipt_bytes, ticket_bytes
from app.devices.escpos_decode import Cut, QrPrinted
from app.devices.events import PaperStatusChanged, PortStateChanged
from app.devices.printer import EscPosPrinter, PaperOutError, PrinterTimeoutError
from app.devices.simulator import Fault, Simulator
from app.devices.transport import Backoff, ConnectionState, PortError
from tests.devices.pty_helpers import EventLog, wait_until

TICKET = TicketPrint(
    hall_name="城东供电营业厅",
    service_name="缴费业务",
    number="A012",
    ahead=3,
    wait_min=6,
    issued_at_text="2024-05-01 09:30",
    qr_text="HD-A012-20240501",
)


@pytest.fixture
def printer(sim: Simulator, events: EventLog) -> Iterator[EscPosPrinter]:
    device = EscPosPrinter(
        sim.printer_url, on_event=events, status_timeout=0.3, backoff=Backoff(0.1, 0.3)
    )
    device.start()
    events.wait_for(PortStateChanged, lambda e: e.state is ConnectionState.OPEN)
    try:
        yield device
    finally:
        device.stop()


@pytest.mark.parametrize("status", list(PaperStatus))
def test_paper_status(
    sim: Simulator, printer: EscPosPrinter, events: EventLog, status: PaperStatus
) -> None:
    sim.set_paper(status)
    assert printer.query_paper().result(timeout=2) is status
    assert printer.paper_status is status
    assert events.of(PaperStatusChanged) == [PaperStatusChanged(sim.printer_url, status)]


def test_ticket_prints_and_reads_back(sim: Simulator, printer: EscPosPrinter) -> None:
    assert printer.print_ticket(TICKET, 58).result(timeout=2) is PaperStatus.OK
    wait_until(lambda: sim.printer_cuts() == 1)
    lines = sim.printer_lines()
    assert "A012" in lines
    assert "缴费业务" in lines
    assert "城东供电营业厅" in lines
    assert any(line.startswith("前面等候") and line.endswith("3 人") for line in lines)
    assert sim.printer_qr_codes() == ["HD-A012-20240501"]
    # the paper as it came out: lines, the QR code in its place, the cut at the end
    paper = sim.printer_paper()
    assert [type(item) for item in paper].count(QrPrinted) == 1
    assert isinstance(paper[-1], Cut)
    assert [getattr(item, "text", None) for item in paper[:2]] == ["城东供电营业厅", "缴费业务"]
    assert sim.printer_paper(len(paper) - 1) == paper[-1:]


def test_paper_near_end_still_prints_paper_out_refuses(
    sim: Simulator, printer: EscPosPrinter, events: EventLog
) -> None:
    sim.set_paper(PaperStatus.NEAR_END)
    assert printer.print_bytes(receipt_bytes(["one"])).result(2) is PaperStatus.NEAR_END
    wait_until(lambda: sim.printer_cuts() == 1)
    sim.set_paper(PaperStatus.OUT)
    with pytest.raises(PaperOutError):
        printer.print_ticket(TICKET).result(timeout=2)
    time.sleep(0.1)
    assert sim.printer_cuts() == 1  # nothing more was sent
    assert "A012" not in sim.printer_lines()
    assert [e.status for e in events.of(PaperStatusChanged)] == [
        PaperStatus.NEAR_END,
        PaperStatus.OUT,
    ]
    sim.set_paper(PaperStatus.OK)
    assert printer.print_ticket(TICKET).result(timeout=2) is PaperStatus.OK
    wait_until(lambda: "A012" in sim.printer_lines())


def test_status_time_out_and_slow_answer(sim: Simulator, printer: EscPosPrinter) -> None:
    sim.set_fault(Fault.NO_ACK, 1, port="printer")
    started = time.monotonic()
    with pytest.raises(PrinterTimeoutError):
        printer.print_ticket(TICKET).result(timeout=2)
    assert time.monotonic() - started >= 0.3
    assert sim.printer_cuts() == 0  # not printed blind
    sim.set_fault(Fault.SLOW, 0.1, port="printer")  # late, but within the time-out
    assert printer.query_paper().result(timeout=2) is PaperStatus.OK
    assert printer.print_bytes(b"no check\n", check_paper=False).result(2) is None
    wait_until(lambda: "no check" in sim.printer_lines())


def test_jobs_while_unplugged_fail_fast(
    sim: Simulator, printer: EscPosPrinter, events: EventLog
) -> None:
    sim.unplug(0.8, "printer")
    lost = printer.print_bytes(b"x\n", check_paper=False)
    events.wait_for(PortStateChanged, lambda e: e.state is ConnectionState.FAILED)
    with pytest.raises(PortError):  # failed writing, or refused: never left hanging
        lost.result(timeout=2)
    started = time.monotonic()
    with pytest.raises(PortError):
        printer.print_ticket(TICKET).result(timeout=2)
    assert time.monotonic() - started < 0.5
    assert sim.wait_plugged(3)
    wait_until(lambda: printer.state is ConnectionState.OPEN, timeout=3)
    assert printer.print_ticket(TICKET).result(timeout=2) is PaperStatus.OK
    wait_until(lambda: "A012" in sim.printer_lines())


def test_bilingual_ticket_reads_back(sim: Simulator, printer: EscPosPrinter) -> None:
    ticket = replace(TICKET, hall_name_en="East Hall", service_name_en="Bill payment")
    data = ticket_bytes(ticket, 58, languages=("zh_CN", "en_US"))
    assert printer.print_bytes(data).result(timeout=2) is PaperStatus.OK
    wait_until(lambda: sim.printer_cuts() == 1)
    lines = sim.printer_lines()
    assert lines.index("East Hall") == lines.index("城东供电营业厅") + 1
    assert lines.index("Bill payment") == lines.index("缴费业务") + 1
    assert any(line.startswith("Estimated wait") and line.endswith("about 6 min") for line in lines)
