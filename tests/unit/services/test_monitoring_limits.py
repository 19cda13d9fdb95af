"""A service's alert thresholds set by a manager: saved at the centre with an audit entry,
seen by the other processes within their directory's age; a clerk, a bad value or an
unknown service is refused and changes nothing."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from app.bootstrap import Core
from app.models import AuditEntry, Service
from app.services.errors import DomainError
from app.services.hall_ref import HallDirectory
from app.services.monitoring.limits import Limits, set_limits

HALL = "DEMO"


def _pay(core: Core) -> tuple[int, int, int]:
    with core.db.read() as s:
        svc = s.scalars(select(Service).where(Service.code == "PAY")).one()
        return svc.wait_threshold_min, svc.handling_limit_min, svc.queue_limit


def test_a_manager_sets_the_limits_and_it_is_audited(core: Core):
    before = _pay(core)
    assert before == (15, 10, 15)  # the demo hall's
    manager = core.auth.login("8001", "1234")
    set_limits(core.db, core.auth, manager, HALL, "PAY", Limits(20, 12, 0))
    assert _pay(core) == (20, 12, 0)
    with core.db.read() as s:
        (entry,) = s.scalars(
            select(AuditEntry).where(AuditEntry.action == "service_limits_changed")
        ).all()
    detail = json.loads(entry.detail)
    assert (entry.job_number, detail["old"], detail["new"]) == ("8001", [15, 10, 15], [20, 12, 0])
    # another process's directory, read again once its age is over
    assert HallDirectory(core.db, max_age_s=0).get(HALL).service("PAY").queue_limit == 0


@pytest.mark.parametrize(
    ("job", "service", "limits", "code", "words"),
    [
        ("1001", "PAY", Limits(20, 12, 0), "not_allowed", "manager"),
        ("8001", "PAY", Limits(0, 12, 0), "bad_input", "wait limit must be 1..240"),
        ("8001", "PAY", Limits(20, 500, 0), "bad_input", "handling limit must be 1..240"),
        ("8001", "PAY", Limits(20, 12, -1), "bad_input", "queue limit must be 0..999"),
        ("8001", "NOPE", Limits(20, 12, 0), "unknown_service", "NOPE"),
    ],
)
def test_refused_and_nothing_changes(core: Core, job, service, limits, code, words):
    actor = core.auth.login(job, "1234")
    with pytest.raises(DomainError) as caught:
        set_limits(core.db, core.auth, actor, HALL, service, limits)
    assert caught.value.code == code and words in caught.value.message
    assert _pay(core) == (15, 10, 15)
