"""TaskManager: ops run off the GUI thread, callbacks on it, and quitting joins the workers."""

from __future__ import annotations

import threading

from PySide6.QtWidgets import QLabel

from app.services.errors import DomainError
from app.ui.taskman import TaskManager


def test_op_runs_on_a_worker_and_the_result_comes_back_on_the_gui_thread(qtbot, tasks):
    seen: dict[str, object] = {}

    def op() -> int:
        seen["op_thread"] = threading.current_thread()
        return 42

    def on_done(result: int) -> None:
        seen["result"] = result
        seen["done_thread"] = threading.current_thread()

    tasks.run_in_background(op, on_done)
    qtbot.waitUntil(lambda: "result" in seen)
    assert seen["result"] == 42
    assert seen["op_thread"] is not threading.main_thread()
    assert seen["done_thread"] is threading.main_thread()
    qtbot.waitUntil(lambda: tasks.idle)


def test_callbacks_never_run_inside_the_call(qtbot, tasks):
    """Even an op that finished at once delivers later, from the event loop."""
    order: list[str] = []
    future = tasks.run_in_background(lambda: "x", lambda _r: order.append("done"))
    assert future is not None
    future.result(timeout=5)
    order.append("returned")
    qtbot.waitUntil(lambda: order == ["returned", "done"])


def test_errors_go_to_on_error_with_the_domain_code(qtbot, tasks):
    errors: list[BaseException] = []

    def op() -> None:
        raise DomainError("counter_closed", "nobody here")

    tasks.run_in_background(op, lambda _r: errors.append(AssertionError("no")), errors.append)
    qtbot.waitUntil(lambda: bool(errors))
    assert isinstance(errors[0], DomainError)
    assert errors[0].code == "counter_closed"


def test_writes_keep_their_order_on_the_write_lane(qtbot, tasks):
    started: list[int] = []
    done: list[int] = []
    for i in range(20):
        tasks.run_in_background(lambda i=i: started.append(i) or i, done.append, write=True)
    qtbot.waitUntil(lambda: len(done) == 20)
    assert started == list(range(20))
    assert done == list(range(20))


def test_run_on_main_from_a_worker_thread(qtbot, tasks):
    where: list[threading.Thread] = []
    worker = threading.Thread(
        target=lambda: tasks.run_on_main(lambda: where.append(threading.current_thread()))
    )
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: bool(where))
    assert where == [threading.main_thread()]


def test_callbacks_for_a_deleted_owner_are_dropped(qtbot, tasks):
    label = QLabel()
    gate = threading.Event()
    called: list[str] = []
    tasks.run_in_background(gate.wait, lambda _r: called.append("done"), owner=label)
    label.deleteLater()
    qtbot.waitUntil(lambda: not _alive(label))
    gate.set()
    qtbot.waitUntil(lambda: tasks.idle)
    assert called == []


def test_shutdown_joins_running_work_cancels_queued_work_and_drops_callbacks(qtbot):
    tasks = TaskManager(read_workers=1)
    running = threading.Event()
    gate = threading.Event()
    finished: list[str] = []
    callbacks: list[str] = []

    def slow() -> str:
        running.set()
        gate.wait(5)
        finished.append("slow")
        return "slow"

    tasks.run_in_background(slow, callbacks.append)
    tasks.run_in_background(lambda: finished.append("queued"), callbacks.append)
    assert running.wait(5)
    threading.Timer(0.2, gate.set).start()
    tasks.shutdown()  # returns only after `slow` ended
    assert finished == ["slow"]  # the queued op never started
    assert tasks.closed
    assert tasks.idle  # nothing left to deliver: the callback of `slow` was dropped
    assert tasks.run_in_background(lambda: finished.append("late")) is None
    assert callbacks == []


def _alive(obj) -> bool:
    import shiboken6

    return shiboken6.isValid(obj)
