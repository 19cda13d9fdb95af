"""Translated texts for the codes the services return: errors, ticket statuses, pauses.

Services raise `DomainError(code, message, **details)`; the UI never shows `message` (it is
English and meant for logs) but the translation of `code`, with `details` filled in.
"""

from __future__ import annotations

import logging
import string
from typing import Any

from PySide6.QtCore import QCoreApplication, QLocale

from app.services import errors
from app.services.errors import DomainError

log = logging.getLogger(__name__)
translate = QCoreApplication.translate

# Pause reasons are stored as these codes (reports translate them the same way).
PAUSE_REASONS = ("lunch", "meeting", "system_fault", "other")


class _Details(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "?"


def ui_language() -> str:
    """'zh_CN' or 'en': the language the screens are shown in (set with the translations)."""
    return "zh_CN" if QLocale().language() == QLocale.Language.Chinese else "en"


def fill(template: str, **values: Any) -> str:
    """`template.format(**values)`, but a missing or broken placeholder never raises."""
    try:
        return string.Formatter().vformat(template, (), _Details(values))
    except (ValueError, IndexError) as exc:
        log.error("bad placeholder in %r: %s", template, exc)
        return template


def error_text(exc: BaseException) -> str:
    """What to tell the user about a failed step."""
    if not isinstance(exc, DomainError):
        log.error("unexpected error in a background task: %r", exc)
        return translate(
            "Messages", "Something went wrong. The step was not saved; please try again."
        )
    texts = {
        "database_unavailable": translate(
            "Messages", "The queue database cannot be reached. Please ask the staff for help."
        ),
        errors.UNKNOWN_HALL: translate("Messages", "Hall {hall} is not set up in the database."),
        errors.UNKNOWN_SERVICE: translate(
            "Messages", "Service {service} is not offered in this hall."
        ),
        errors.UNKNOWN_COUNTER: translate(
            "Messages", "Counter {counter} does not exist in this hall."
        ),
        errors.UNKNOWN_TICKET: translate("Messages", "That ticket is not known."),
        errors.COUNTER_CLOSED: translate(
            "Messages", "Nobody is logged in at this counter. Please log in again."
        ),
        errors.COUNTER_BUSY: translate("Messages", "Finish or hold the current customer first."),
        errors.COUNTER_PAUSED: translate(
            "Messages", "The counter is paused. Resume it first (F10)."
        ),
        errors.NOT_PAUSED: translate("Messages", "The counter is not paused."),
        errors.NO_CURRENT_TICKET: translate(
            "Messages", "There is no current customer. Call the next one first (F1)."
        ),
        errors.NOT_SERVING: translate(
            "Messages", "Not possible now: the customer is already being served."
        ),
        errors.TICKET_NOT_WAITING: translate("Messages", "No waiting ticket {number} today."),
        errors.RECALL_LIMIT: translate("Messages", "This ticket cannot be recalled any more."),
        errors.NO_HELD_TICKET: translate("Messages", "No ticket is on hold at this counter."),
        errors.BAD_TRANSFER: translate(
            "Messages", "The ticket cannot be transferred to that service."
        ),
        errors.SERIES_EXHAUSTED: translate(
            "Messages", "No more numbers for this service today. Please ask the staff."
        ),
        errors.SERVICE_NOT_AT_COUNTER: translate(
            "Messages", "This counter does not offer that service."
        ),
        errors.INVALID_CREDENTIALS: translate("Messages", "Wrong job number or password."),
        errors.BAD_INPUT: translate("Messages", "The input is not valid."),
        errors.RATING_CLOSED: translate("Messages", "This rating request is already closed."),
        errors.BAD_SETTINGS: translate("Messages", "Not saved: {reason}"),
        errors.NOT_AUTHENTICATED: translate("Messages", "Please log in first."),
        errors.BAD_AMOUNT: translate("Messages", "That is not an amount of money."),
        errors.UNKNOWN_ACCOUNT: translate("Messages", "No such account in this hall."),
        errors.BILL_NOT_OF_ACCOUNT: translate(
            "Messages", "That bill does not belong to this account."
        ),
        errors.BILL_ALREADY_PAID: translate("Messages", "That bill is already paid in full."),
        errors.UNKNOWN_FEE: translate(
            "Messages", "The business fee {fee} is not (or no longer) in this hall's schedule."
        ),
        errors.AMOUNT_BELOW_FEES: translate(
            "Messages", "The amount does not cover the business fees ({fees})."
        ),
        errors.TENDERED_TOO_LOW: translate(
            "Messages", "Cash received is less than the amount ({amount})."
        ),
        errors.REFERENCE_REQUIRED: translate(
            "Messages", "Enter the card or QR transaction number."
        ),
        errors.UNKNOWN_PAYMENT: translate("Messages", "No such payment."),
        errors.ALREADY_VOIDED: translate("Messages", "This payment has already been voided."),
        errors.VOID_NOT_SAME_DAY: translate("Messages", "Only payments of today can be voided."),
        errors.VOID_AFTER_CONFLICT: translate(
            "Messages",
            "A bill of this payment was paid twice while counters were offline, and its "
            "surplus is already the customer's prepaid credit. Refund the credit instead.",
        ),
        errors.DAY_CLOSED: translate(
            "Messages", "The day {day} is closed; no more payments, voids or refunds."
        ),
        errors.CREDIT_INSUFFICIENT: translate(
            "Messages", "Not enough prepaid credit (available: {credit})."
        ),
        errors.AMOUNT_NOT_POSITIVE: translate("Messages", "The amount must be above zero."),
        errors.AMOUNT_TOO_PRECISE: translate(
            "Messages", "An amount has at most {places} decimals (fen)."
        ),
        errors.AMOUNT_TOO_LARGE: translate("Messages", "The amount is above {maximum}."),
        errors.ACCOUNT_LOCKED: translate(
            "Messages",
            "Too many wrong passwords: the account is locked. Try again in {minutes} min "
            "or ask an administrator.",
        ),
        errors.PASSWORD_CHANGE_REQUIRED: translate(
            "Messages", "Your password was reset. Choose a new password to log in."
        ),
        errors.WEAK_PASSWORD: translate(
            "Messages",
            "Choose a password of at least {length} characters, not digits alone and not "
            "your job number.",
        ),
        errors.NOT_ALLOWED: translate("Messages", "Your role may not do this."),
        errors.NO_DEVICES: translate(
            "Messages", "Select a device first (the bus station must run here)."
        ),
        errors.PRINTER_UNREACHABLE: translate(
            "Messages",
            "Receipt {number} was not printed: the receipt printer does not answer. The "
            "payment is saved; reprint it (Ctrl+P) when the printer is back.",
        ),
        "paper_out": translate(
            "Messages", "The ticket printer is out of paper. Please ask the staff for help."
        ),
        "printer_offline": translate(
            "Messages", "The ticket printer does not answer. Please ask the staff for help."
        ),
    }
    template = texts.get(exc.code)
    if template is None:
        log.warning("no translation for error code %r (%s)", exc.code, exc.message)
        return fill(translate("Messages", "The step was refused ({code})."), code=exc.code)
    return fill(template, **exc.details)


def rating_name(rating: int) -> str:
    names = {
        0: translate("Messages", "very satisfied"),
        1: translate("Messages", "satisfied"),
        2: translate("Messages", "fair"),
        3: translate("Messages", "dissatisfied"),
        4: translate("Messages", "very dissatisfied"),
    }
    return names.get(rating, str(rating))


def device_kind_text(kind: str) -> str:
    texts = {
        "caller": translate("Messages", "Caller keypad"),
        "evaluator": translate("Messages", "Evaluator"),
        "dispenser_panel": translate("Messages", "Dispenser panel"),
        "printer": translate("Messages", "Ticket printer"),
        "led": translate("Messages", "LED display"),
    }
    return texts.get(kind, kind)


def status_text(status: str) -> str:
    texts = {
        "waiting": translate("Messages", "Waiting"),
        "called": translate("Messages", "Called"),
        "serving": translate("Messages", "Serving"),
        "held": translate("Messages", "On hold"),
        "done": translate("Messages", "Done"),
        "no_show": translate("Messages", "No-show"),
        "transferred": translate("Messages", "Transferred"),
    }
    return texts.get(status, status)


def pause_reason_text(code: str) -> str:
    texts = {
        "lunch": translate("Messages", "Lunch"),
        "meeting": translate("Messages", "Meeting"),
        "system_fault": translate("Messages", "System fault"),
        "other": translate("Messages", "Other"),
    }
    return texts.get(code, code)


def minutes_seconds(seconds: float) -> str:
    """Elapsed time as m:ss, or h:mm:ss past an hour."""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes:02d}:{secs:02d}"
