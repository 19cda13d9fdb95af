"""Caller keypad keys as counter steps: the keypad asks the same counter desk as the window.

The hub knows keys; the desk knows steps and their rules. This module is the one map
between the two, so a key does exactly what its button in the counter window does.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from app.devices.frame68 import Key

log = logging.getLogger(__name__)

# Keypad key -> the counter step (an action name of `app.services.desks.rules.ACTIONS`).
KEY_STEPS: dict[Key, str] = {
    Key.CALL_NEXT: "call_next",
    Key.RECALL: "recall",
    Key.FINISH: "finish",
    Key.NO_SHOW: "no_show",
    Key.HOLD: "hold",
    Key.CALL_BACK: "call_back",
    Key.TRANSFER: "transfer",
    Key.ASK_RATING: "rate",
    Key.PAUSE: "pause",  # resumes a paused counter
}

# (counter, step) -> True when done, False when the rules refused it
StepPress = Callable[[int, str], bool]


class KeypadActions:
    def __init__(self, press_step: StepPress) -> None:
        self._press_step = press_step

    def press(self, counter: int, key: Key, scale: int = 4) -> bool:
        """Do what `key` means at `counter`; False when refused (the keypad beeps). The
        evaluator's scale is the desk's to know; `scale` is kept for the hub's call."""
        step = KEY_STEPS.get(key)
        if step is None:
            log.info("counter %s: key %s has no action", counter, key)
            return False
        return self._press_step(counter, step)
