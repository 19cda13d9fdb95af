"""The station's windowless roles, run by `main.py --headless` until SIGTERM or SIGINT.

Field engineers run the bus station this way. Workers are started here, and on a signal
each is stopped, drained and joined before the process exits 0.
"""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType

from app.bootstrap import Core, start_devices

log = logging.getLogger(__name__)


def run_headless(core: Core, stop: threading.Event | None = None) -> int:
    stop = stop or threading.Event()

    def _on_signal(signum: int, _frame: FrameType | None) -> None:
        log.info("signal %s: stopping", signal.Signals(signum).name)
        stop.set()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _on_signal)
        signal.signal(signal.SIGINT, _on_signal)
    hall = core.halls.get(core.hall_code)
    devices = start_devices(core)
    if devices.hub is not None:
        log.info(
            "bus station: %d device(s) on %d port(s)",
            len(devices.hub.statuses()),
            len(devices.settings.buses),
        )
    log.info("headless station %s of hall %s running", core.settings.station.name, hall.code)
    try:
        while not stop.wait(0.2):
            pass
    finally:
        devices.stop()  # drains the lane, closes every port, joins every thread
    log.info("headless station stopped")
    return 0
