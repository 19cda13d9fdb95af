"""The station's windowless roles, run by `main.py --headless` until SIGTERM or SIGINT.

Field engineers run the bus station this way. The CLI builds the services and starts the
devices (so a start error is one line, as for the windows); on a signal each worker is
stopped, drained and joined here before the process exits 0.
"""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType

from app.bootstrap import Core, StationDevices

log = logging.getLogger(__name__)


def run_headless(core: Core, devices: StationDevices, stop: threading.Event | None = None) -> int:
    """Run until SIGTERM/SIGINT (or `stop`), then stop `devices`, which were started."""
    stop = stop or threading.Event()

    def _on_signal(signum: int, _frame: FrameType | None) -> None:
        log.info("signal %s: stopping", signal.Signals(signum).name)
        stop.set()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _on_signal)
        signal.signal(signal.SIGINT, _on_signal)
    if devices.hub is not None:
        log.info(
            "bus station: %d device(s) on %d port(s)",
            len(devices.hub.statuses()),
            len(devices.settings.buses),
        )
    log.info("headless station %s of hall %s running", core.settings.station.name, core.hall_code)
    try:
        while not stop.wait(0.2):
            pass
    finally:
        devices.stop()  # drains the lane, closes every port, joins every thread
    log.info("headless station stopped")
    return 0
