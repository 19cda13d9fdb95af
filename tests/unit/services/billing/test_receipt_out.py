"""Receipts sent to an ESC/POS printer through a real pty pair (the printer's end read
back byte for byte), and a printer that is not there: a clear refusal, nothing hangs."""

from __future__ import annotations

import os
import threading
import time

import pytest

from app.services.billing.receipt_escpos import render_escpos
from app.services.billing.receipt_out import EscPosReceipts
from app.services.errors import DomainError
from tests.unit.services.billing.receipt_helpers import make_doc


def _drain(fd: int, into: bytearray, stop: threading.Event) -> None:
    os.set_blocking(fd, False)
    while not stop.is_set():
        try:
            chunk = os.read(fd, 4096)
        except BlockingIOError:
            time.sleep(0.005)
            continue
        except OSError:
            return
        into.extend(chunk)


@pytest.mark.parametrize("paper_mm", [80, 58])
def test_the_printer_receives_the_whole_receipt(paper_mm: int):
    printer_end, station_end = os.openpty()
    received = bytearray()
    stop = threading.Event()
    reader = threading.Thread(target=_drain, args=(printer_end, received, stop))
    reader.start()
    try:
        tty = os.ttyname(station_end)
        doc = make_doc()
        out = EscPosReceipts(tty, paper_mm)
        assert out.print(doc) == doc.number
        expected = render_escpos(doc, paper_mm)
        deadline = time.monotonic() + 5
        while len(received) < len(expected) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert bytes(received) == expected
    finally:
        stop.set()
        reader.join()
        os.close(printer_end)
        os.close(station_end)


def test_a_missing_printer_is_a_clear_refusal(tmp_path):
    out = EscPosReceipts(str(tmp_path / "no-such-port"))
    doc = make_doc()
    with pytest.raises(DomainError) as caught:
        out.print(doc)
    assert caught.value.code == "printer_unreachable"
    assert caught.value.details["number"] == doc.number
