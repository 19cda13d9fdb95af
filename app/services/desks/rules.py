"""What a counter may do now: the one table the counter window and the caller keypad ask.

`refusal(action, state)` gives the `DomainError` code a step would be refused with in
`state`, or None when the step is allowed; `allowed_actions(state)` is the set of steps
with no refusal. The window enables exactly these buttons; the desk checks the same table
before it calls the queue, whether the step came from a key of the window or a key of the
keypad. The queue services remain the authority under concurrency (another PC may have
changed the counter meanwhile): what the table allows, they may still refuse.
"""

from __future__ import annotations

from app.services import errors
from app.services.dto import CounterState
from app.services.queue.service import MAX_RECALLS

# Every step of a counter, in the order of the window's buttons. `pause` resumes a paused
# counter; `logout` closes the counter's session.
ACTIONS: tuple[str, ...] = (
    "call_next",
    "recall",
    "start",
    "finish",
    "no_show",
    "hold",
    "call_back",
    "transfer",
    "call_number",
    "pause",
    "rate",
    "logout",
)

# Steps that need a current customer at the counter.
_NEED_CURRENT = frozenset({"recall", "start", "finish", "no_show", "hold", "transfer", "rate"})
# Steps that need no current customer.
_NEED_NONE = frozenset({"call_back", "pause", "logout"})
# Steps a paused counter may take.
_WHILE_PAUSED = frozenset({"pause", "logout"})


def refusal(action: str, state: CounterState | None) -> str | None:
    """The error code of `action` in `state`, or None when the counter may take it now."""
    if action not in ACTIONS:
        return errors.BAD_INPUT
    if state is None or not state.session_open:
        return errors.COUNTER_CLOSED
    if state.paused:
        return None if action in _WHILE_PAUSED else errors.COUNTER_PAUSED
    current = state.current
    if action in _NEED_CURRENT and current is None:
        return errors.NO_CURRENT_TICKET
    if action in _NEED_NONE and current is not None:
        return errors.COUNTER_BUSY
    if current is not None:
        if action == "recall" and current.recall_count >= MAX_RECALLS:
            return errors.RECALL_LIMIT
        if action in ("start", "no_show") and current.status != "called":
            return errors.NOT_SERVING
    if action == "call_back" and not state.held:
        return errors.NO_HELD_TICKET
    return None


def allowed_actions(state: CounterState | None) -> frozenset[str]:
    """The steps the counter may take in `state` (the window enables their buttons)."""
    return frozenset(a for a in ACTIONS if refusal(a, state) is None)
