"""The simulated hall day takes payments: through the real payment service, and its report
of them reconciles with the database it ran in (collected = Σ receipts − voids)."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from app.bootstrap import build_core
from app.services.simulation.report import Payments, Report, StationReceipts, format_report
from app.services.simulation.run import SimulationConfig, run_simulation
from app.services.simulation.till import book_size, station_prefix
from tests.unit.services.sim_payments import check_payment_rows, payments_in_database


def _day(url: str | None = None, **kw: object) -> Report:
    config = SimulationConfig(database_url=url, **kw)  # type: ignore[arg-type]
    return run_simulation(config, build_core)


def test_the_days_payments_reconcile_with_the_database(db_url: str) -> None:
    """Count, takings by method, voids and each station's first and last receipt, as the
    report has them, are what the payment rows say; receipts have no gap, no bill is
    settled twice, every payment is a served bill payment ticket's."""
    report = _day(db_url, counters=4, hours=2, seed=2)
    data = json.loads(json.dumps(report.to_dict()))["payments"]
    assert data == payments_in_database(db_url, report.hall)
    rows = check_payment_rows(db_url, report.hall)
    p = report.payments
    assert p.count > 30 and p.voids == rows["voids"] >= 1  # seed 2: voids on this day
    assert p.collected_fen == sum(fen for _, fen in p.by_method) > 0
    assert all(fen > 0 for _, fen in p.by_method)  # cash, card and QR all taken
    assert rows["partial"] >= 1 and rows["change"] >= 1
    # every customer served at the bill payment service paid once (a voided payment
    # was paid again another way)
    pay_served = next(r.stats.served for r in report.services if r.code == "PAY")
    assert p.count == pay_served
    # counters 1-3 serve PAY, 4 does not (APPLY, ENQ)
    assert list(data["stations"]) == ["SIMC01", "SIMC02", "SIMC03"]


def test_payments_in_the_json_and_the_table() -> None:
    report = _day(counters=6, hours=1, seed=9)
    p = report.payments
    data = report.to_dict()["payments"]
    assert set(data) == {"count", "collected_fen", "by_method", "voids", "voided_fen", "stations"}
    assert list(data["by_method"]) == ["cash", "card", "qr"]
    assert data["stations"]["SIMC01"]["first_receipt"] == "SIMC01-00000001"
    text = format_report(report).splitlines()
    at = text.index(next(line for line in text if line.startswith("payments ")))
    assert text[at - 1] == ""
    assert text[at].startswith(f"payments {p.count}   collected ")
    assert text[at + 1].startswith(f"voided {p.voids} (")
    assert text[at + 2 : at + 2 + len(p.stations)] == [
        f"receipts {r.first_receipt} - {r.last_receipt}" for r in p.stations
    ]
    # money in yuan with thousands separators, from whole fen
    made_up = Payments(
        count=2,
        collected_fen=123_456_789,
        by_method=(("cash", 5), ("card", 123_456_784), ("qr", 0)),
        voids=1,
        voided_fen=1000,
        stations=(StationReceipts("SIMC01", "SIMC01-00000001", "SIMC01-00000003"),),
    )
    lines = format_report(replace(report, payments=made_up)).splitlines()
    assert "payments 2   collected 1,234,567.89 yuan: cash 0.05   card 1,234,567.84   qr 0.00" in (
        lines
    )
    assert "voided 1 (10.00 yuan, approved by the manager; collected = receipts - voids)" in lines
    assert "receipts SIMC01-00000001 - SIMC01-00000003" in lines


@pytest.mark.parametrize(("customers", "book"), [(0, 1), (1, 1), (482, 482), (9000, 2000)])
def test_the_book_has_an_account_per_customer_up_to_the_demo_books_size(
    customers: int, book: int
) -> None:
    assert book_size(customers) == book


def test_receipt_prefixes_fit_the_receipt_series() -> None:
    assert station_prefix("SIM", 1) == "SIMC01"
    assert station_prefix("SIM12", 99) == "SIM12C99"
