"""Every refusal a service can raise reaches the clerk as a sentence of its own, in the
screen's language, never as the bare code."""

from __future__ import annotations

import logging

import pytest

from app.services import errors
from app.services.errors import DomainError
from app.ui.messages import error_text

# Codes the windows never pass to error_text, and why.
NOT_SHOWN = {
    # the sync worker keeps it as its status; the badge's tooltip shows the technical
    # message (both versions) for the field engineer
    errors.SCHEMA_MISMATCH,
}
CODES = sorted(
    v for k, v in vars(errors).items() if k.isupper() and isinstance(v, str) and v not in NOT_SHOWN
)


@pytest.mark.parametrize("code", CODES)
def test_every_refusal_has_a_text_of_its_own(qapp, code: str, caplog) -> None:  # type: ignore[no-untyped-def]
    with caplog.at_level(logging.WARNING, logger="app.ui.messages"):
        text = error_text(DomainError(code, "English, for the log"))
    assert code not in text and "English, for the log" not in text
    assert not caplog.records  # no "no translation for error code"


def test_a_void_after_a_credited_conflict_says_to_refund_in_chinese(chinese) -> None:  # type: ignore[no-untyped-def]
    text = error_text(DomainError(errors.VOID_AFTER_CONFLICT, "a bill was paid twice"))
    assert "重复缴纳" in text and "退费" in text
