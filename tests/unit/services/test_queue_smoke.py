from app.bootstrap import Core


def test_issue_and_call(core: Core) -> None:
    staff = core.auth.login("1001", "1234")
    core.counters.open_session("DEMO", 1, staff.id)
    issued = core.queue.issue_ticket("DEMO", "PAY")
    assert issued.ticket.display_number == "A001"
    called = core.queue.call_next("DEMO", 1)
    assert called is not None and called.id == issued.ticket.id
