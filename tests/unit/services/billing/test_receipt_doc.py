from __future__ import annotations

import ast
import dataclasses
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from app.services.billing import receipt_doc
from app.services.billing.receipt_doc import (
    BillLine,
    FeeLine,
    charge_rows,
    money_text,
    title_text,
)
from tests.unit.services.billing.receipt_helpers import make_doc

BILLING = Path(receipt_doc.__file__).parent
MODULES = ["receipt_doc.py", "receipt_check.py", "receipt_pdf.py", "receipt_escpos.py"]


def test_dates_in_the_hall_timezone_and_total_in_fen() -> None:
    doc = make_doc()
    assert doc.local_issued_at.strftime("%Y-%m-%d %H:%M:%S") == "2026-12-04 00:30:05"
    assert doc.issued_on == date(2026, 12, 4)  # the hall's date, not UTC's 3 December
    assert doc.total_fen == 140000
    assert make_doc(total=Decimal("0.07")).total_fen == 7


@pytest.mark.parametrize(
    "changes",
    [
        {"total": 1400.0},
        {"late_fees": 3},
        {"tendered": 1500.0},
        {"credit": "1048.75"},
    ],
)
def test_money_must_be_decimal(changes: dict[str, object]) -> None:
    with pytest.raises(TypeError, match="Decimal"):
        make_doc(**changes)


def test_line_amounts_must_be_decimal() -> None:
    with pytest.raises(TypeError, match="Decimal"):
        BillLine("2026-11", Decimal(1), "m³", 12.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="Decimal"):
        BillLine("2026-11", 1.5, "m³", Decimal("12.50"))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="Decimal"):
        FeeLine("复电费", 50)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"total": Decimal("1.005")}, "two decimal places"),
        ({"total": Decimal("NaN")}, "finite"),
        ({"total": Decimal("-1.00")}, "negative"),
        ({"issued_at": datetime(2026, 12, 4, 0, 30)}, "timezone-aware"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"method": "cheque"}, "payment method"),
        ({"number": "PC1|42"}, "receipt number"),
    ],
)
def test_invalid_receipts_refused(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make_doc(**changes)


def test_frozen_and_plain_values() -> None:
    doc = make_doc()
    with pytest.raises(dataclasses.FrozenInstanceError):
        doc.total = Decimal("1.00")  # type: ignore[misc]
    assert money_text(Decimal("1234567.5")) == "1,234,567.50"
    assert title_text(doc) == "收费收据 Receipt"
    assert title_text(make_doc(copy=True)) == "收费收据 Receipt (补打 COPY)"


def test_charge_rows_fees_first_then_bills_late_fees_credit() -> None:
    """Fees are paid first, so listed first; one row per fee taken."""
    doc = make_doc(
        business_fees=(FeeLine("复电", Decimal("50.00")), FeeLine("复电", Decimal("50.00")))
    )
    assert charge_rows(doc) == [
        ("复电 Fee", "¥50.00"),
        ("复电 Fee", "¥50.00"),
        ("2026-10 账单 Bill  312 kWh", "¥168.48"),
        ("2026-11 账单 Bill  295.5 kWh", "¥159.57"),
        ("违约金 Late fees", "¥3.20"),
        ("预存 Credit added", "¥1,048.75"),
    ]
    assert charge_rows(make_doc(business_fees=()))[0][0].startswith("2026-10")


def _annotations(tree: ast.AST) -> set[int]:
    """Ids of the nodes inside type annotations (PDF geometry is typed in points)."""
    roots: list[ast.expr | None] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.arg | ast.AnnAssign):
            roots.append(node.annotation)
        elif isinstance(node, ast.FunctionDef):
            roots.append(node.returns)
    return {id(sub) for root in roots if root is not None for sub in ast.walk(root)}


@pytest.mark.parametrize("name", MODULES)
def test_no_float_in_the_module_and_at_most_400_lines(name: str) -> None:
    """Money stays Decimal: no float literal and no float() anywhere in the receipt code."""
    source = (BILLING / name).read_text(encoding="utf-8")
    assert len(source.splitlines()) <= 400
    tree = ast.parse(source)
    typed = _annotations(tree)
    for node in ast.walk(tree):
        where = (name, getattr(node, "lineno", None))
        is_float_name = isinstance(node, ast.Name) and node.id == "float"
        assert not (is_float_name and id(node) not in typed), where
        assert not (isinstance(node, ast.Constant) and isinstance(node.value, float)), where
