"""HallWatcher: polls the hall's last event id in the background and reports moves."""

from __future__ import annotations

import threading

from app.services.errors import DatabaseUnavailable
from app.ui.watcher import HallWatcher


def test_reports_the_first_id_then_each_move(qtbot, core, tasks):
    watcher = HallWatcher(lambda: core.queries.last_event_id("DEMO"), tasks, 50)
    seen: list[int] = []
    watcher.changed.connect(seen.append)
    watcher.start()
    qtbot.waitUntil(lambda: len(seen) == 1)
    first = seen[0]
    core.queue.issue_ticket("DEMO", "PAY")  # as another PC would
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=1000)
    assert seen[1] > first
    assert watcher.last_id == seen[1]
    watcher.stop()


def test_polls_run_off_the_gui_thread_one_at_a_time(qtbot, tasks):
    threads: list[threading.Thread] = []
    active = [0]
    overlap: list[int] = []

    def poll() -> int:
        active[0] += 1
        overlap.append(active[0])
        threads.append(threading.current_thread())
        active[0] -= 1
        return 7

    watcher = HallWatcher(poll, tasks, 10)
    watcher.start()
    for _ in range(5):
        watcher.poke()
    qtbot.waitUntil(lambda: len(threads) >= 5)
    watcher.stop()
    assert threading.main_thread() not in threads
    assert max(overlap) == 1


def test_a_failing_database_is_reported_once_and_recovery_too(qtbot, tasks):
    down = [True]

    def poll() -> int:
        if down[0]:
            raise DatabaseUnavailable("central database unreachable")
        return 3

    watcher = HallWatcher(poll, tasks, 20)
    failures: list[str] = []
    recovered: list[bool] = []
    changed: list[int] = []
    watcher.failed.connect(failures.append)
    watcher.recovered.connect(lambda: recovered.append(True))
    watcher.changed.connect(changed.append)
    watcher.start()
    qtbot.waitUntil(lambda: len(failures) >= 2)  # it keeps trying
    assert set(failures) == {"database_unavailable"}
    assert watcher.failing
    down[0] = False
    qtbot.waitUntil(lambda: recovered == [True])
    assert changed == [3]
    assert not watcher.failing
    watcher.stop()


def test_stops_polling_when_the_task_manager_shuts_down(qtbot, tasks):
    calls: list[int] = []
    watcher = HallWatcher(lambda: calls.append(1) or len(calls), tasks, 10)
    watcher.start()
    qtbot.waitUntil(lambda: len(calls) >= 2)
    watcher.stop()
    tasks.shutdown()
    count = len(calls)
    watcher.start()  # refused by the closed task manager
    assert not watcher.running
    assert len(calls) == count
