"""Events the port owners report to the services.

Plain frozen dataclasses: they cross threads (callback or :class:`queue.Queue`) and the UI
turns them into Qt signals.  ``port`` is the URL of the port that produced the event.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.devices.escpos import PaperStatus
from app.devices.frame68 import Key, Rating
from app.devices.transport import ConnectionState


@dataclass(frozen=True, slots=True)
class KeyPressed:
    """A clerk pressed ``key`` on the caller keypad at ``address``."""

    address: int
    key: Key


@dataclass(frozen=True, slots=True)
class RatingGiven:
    """A customer rated on the evaluator at ``address``.

    ``requested`` is true for the first rating after a :meth:`BusMaster.start_rating` and
    before its time-out; ratings the evaluator sends on its own are reported with
    ``requested=False`` so the services can ignore them ("only the first rating counts").
    """

    address: int
    rating: Rating
    requested: bool = True


@dataclass(frozen=True, slots=True)
class RatingTimedOut:
    """A rating request got no rating in time; the bus sent CC 05 to cancel it."""

    address: int


@dataclass(frozen=True, slots=True)
class ButtonPressed:
    """A customer pressed dispenser ``button`` (1-16) on the panel at ``address``."""

    address: int
    button: int


@dataclass(frozen=True, slots=True)
class DeviceOnline:
    """The device answered (first contact, or again after being offline)."""

    address: int
    fault: bool = False


@dataclass(frozen=True, slots=True)
class DeviceOffline:
    """The device missed three polls in a row."""

    address: int


@dataclass(frozen=True, slots=True)
class DeviceFault:
    """The fault bit of a device's poll answer changed."""

    address: int
    fault: bool


@dataclass(frozen=True, slots=True)
class InvalidFrame:
    """A frame was received but not acted on (acknowledged where the protocol says so)."""

    address: int
    reason: str


@dataclass(frozen=True, slots=True)
class PortStateChanged:
    """The port changed state; after a return to ``OPEN`` upper layers re-send state."""

    port: str
    state: ConnectionState
    detail: str = ""


@dataclass(frozen=True, slots=True)
class PaperStatusChanged:
    """The printer's paper sensor changed (or was read for the first time)."""

    port: str
    status: PaperStatus


BusEvent = (
    KeyPressed
    | RatingGiven
    | RatingTimedOut
    | ButtonPressed
    | DeviceOnline
    | DeviceOffline
    | DeviceFault
    | InvalidFrame
    | PortStateChanged
)
DeviceEvent = BusEvent | PaperStatusChanged
