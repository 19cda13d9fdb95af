"""Caller keypad keys as queue steps: the same actions and rules as the counter window."""

from __future__ import annotations

import logging

from app.devices.frame68 import Key
from app.services.errors import DomainError
from app.services.evaluation.service import EvaluationService
from app.services.queue.counters import CounterService
from app.services.queue.queries import QueueQueries
from app.services.queue.service import QueueService

log = logging.getLogger(__name__)

KEYPAD_PAUSE_REASON = "keypad"


class KeypadActions:
    def __init__(
        self,
        hall_code: str,
        queue: QueueService,
        counters: CounterService,
        queries: QueueQueries,
        evaluations: EvaluationService,
    ) -> None:
        self._hall = hall_code
        self._queue = queue
        self._counters = counters
        self._queries = queries
        self._evaluations = evaluations

    def press(self, counter: int, key: Key, scale: int = 4) -> bool:
        """Do what `key` means at `counter`; False when the rules refused it (beep)."""
        hall = self._hall
        try:
            if key is Key.CALL_NEXT:
                return self._queue.call_next(hall, counter) is not None
            if key is Key.RECALL:
                self._queue.recall(hall, counter)
            elif key is Key.FINISH:
                self._queue.finish(hall, counter)
            elif key is Key.NO_SHOW:
                self._queue.no_show(hall, counter)
            elif key is Key.HOLD:
                self._queue.hold(hall, counter)
            elif key is Key.CALL_BACK:
                self._queue.call_back(hall, counter)
            elif key is Key.TRANSFER:
                self._queue.transfer(hall, counter)
            elif key is Key.ASK_RATING:
                self._evaluations.request_rating(hall, counter, scale)
            elif key is Key.PAUSE:
                if self._queries.counter_state(hall, counter).paused:
                    self._counters.resume(hall, counter)
                else:
                    self._counters.pause(hall, counter, KEYPAD_PAUSE_REASON)
            else:
                log.info("counter %s: key %s has no action", counter, key)
                return False
        except DomainError as exc:
            log.info("counter %s: key %s refused: %s", counter, key.name, exc.message)
            return False
        return True
