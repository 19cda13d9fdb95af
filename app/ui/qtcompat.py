"""Work-arounds for bugs of the Qt binding, each detected at run time, not assumed.

PySide6 6.12.0 on CPython 3.11 returns the bool result of `SignalInstance.emit()` and of
`SignalInstance.disconnect()` (True or False) without a reference of its own, so every
such call from Python takes one reference off `True` (or `False`). The loss adds up
silently: with emits, after some hundred calls the interpreter aborts ("bool_dealloc:
deallocating True or False"); with disconnects, far fewer, it aborts in the final
garbage collection at exit, when the last real holders of `True` let go of it.

`emit(signal, *args)` and `disconnect(signal, *slot)`: all UI code emits and disconnects
through these helpers (tests/ui/test_qtcompat.py checks it), which give the missing
reference back when, and only when, the running binding shows the bug.
"""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal, SignalInstance

_incref = ctypes.pythonapi.Py_IncRef
_incref.argtypes = [ctypes.py_object]
_incref.restype = None


class _Probe(QObject):
    probed = Signal()


def _noop() -> None:
    pass


def _drops_a_reference(call: Callable[[_Probe], object]) -> bool:
    """Whether `call` loses one reference of True/False per call (16 calls probed)."""
    probe = _Probe()
    rounds = 16
    before = sys.getrefcount(True) + sys.getrefcount(False)
    results = [call(probe) for _ in range(rounds)]
    del results
    after = sys.getrefcount(True) + sys.getrefcount(False)
    lost = before - after
    for _ in range(max(0, lost)):  # repair what the probe itself took
        _incref(True)
    return lost >= rounds


def _probe_emit(probe: _Probe) -> object:
    return probe.probed.emit()  # type: ignore[func-returns-value]


def _probe_disconnect(probe: _Probe) -> object:
    probe.probed.connect(_noop)
    return probe.probed.disconnect(_noop)


EMIT_DROPS_REFERENCE = _drops_a_reference(_probe_emit)
DISCONNECT_DROPS_REFERENCE = _drops_a_reference(_probe_disconnect)


def emit(signal: SignalInstance, *args: Any) -> None:
    """`signal.emit(*args)`, safe from the binding's reference bug."""
    result: object = signal.emit(*args)  # type: ignore[func-returns-value]
    if EMIT_DROPS_REFERENCE and isinstance(result, bool):
        _incref(result)


def disconnect(signal: SignalInstance, *slot: Any) -> bool:
    """`signal.disconnect(*slot)` (one slot, or all without), safe from the binding's
    reference bug; whether something was disconnected."""
    result: object = signal.disconnect(*slot)
    if DISCONNECT_DROPS_REFERENCE and isinstance(result, bool):
        _incref(result)
    return bool(result)
