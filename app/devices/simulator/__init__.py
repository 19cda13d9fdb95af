"""Device simulator: plays the hall devices on ptys or TCP ports (PROTOCOL.md section 4).

``python -m app.devices.simulator --help`` for the command line; :class:`Simulator` for
tests and demos driven in-process.
"""

from app.devices.simulator.core import Fault, Simulator

__all__ = ["Fault", "Simulator"]
