"""Receipts sent to an ESC/POS thermal printer on a serial or network port.

The receipt is rendered by `receipt_escpos.render_escpos` and written whole through a
`Port` (any pyserial URL: /dev/ttyUSB1, COM4, socket://printer:9100). The port is opened
for each receipt and closed after it, so a printer switched off and on again between two
customers needs nothing from the clerk; one receipt at a time (a lock), in the order
asked. Blocking: call it from a worker thread, never the GUI thread.
"""

from __future__ import annotations

import threading

from app.devices.transport import Port, PortError
from app.services import errors
from app.services.billing.receipt_doc import ReceiptDoc
from app.services.billing.receipt_escpos import render_escpos
from app.services.errors import DomainError

ESCPOS_BAUDRATE = 9600


class EscPosReceipts:
    """The station's ESC/POS receipt printer at `url`."""

    def __init__(self, url: str, paper_mm: int = 80, *, baudrate: int = ESCPOS_BAUDRATE) -> None:
        self.url = url
        self.paper_mm = paper_mm
        self._baudrate = baudrate
        self._lock = threading.Lock()

    def print(self, doc: ReceiptDoc) -> str:
        """Write the receipt; its number. `printer_unreachable` when the port fails."""
        data = render_escpos(doc, self.paper_mm)
        with self._lock:
            port = Port(self.url, self._baudrate, write_timeout=10.0)
            try:
                port.open()
                port.write(data)
            except PortError as exc:
                raise DomainError(
                    errors.PRINTER_UNREACHABLE,
                    f"receipt {doc.number}: printer {self.url}: {exc}",
                    number=doc.number,
                ) from exc
            finally:
                port.close()
        return doc.number
