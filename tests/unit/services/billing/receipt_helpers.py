"""A sample receipt for the receipt tests, and the real tools that read PDFs back."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from app.services.billing.receipt_check import check_value
from app.services.billing.receipt_doc import BillLine, FeeLine, ReceiptDoc

KEY = b"station PC1 receipt key"
ISSUED_AT = datetime(2026, 12, 3, 16, 30, 5, tzinfo=UTC)  # 00:30:05 on 4 December in Shanghai


def make_doc(**changes: Any) -> ReceiptDoc:
    """A cash receipt of two power bills, a late fee, a meter-test fee and a prepayment;
    the check value is recomputed for the changed number, total and date."""
    doc = ReceiptDoc(
        hall_name="城东供电营业厅",
        hall_name_en="East District Power Hall",
        counter_no=3,
        clerk_no="A0107",
        station="PC1",
        number="PC1-00000042",
        issued_at=ISSUED_AT,
        timezone="Asia/Shanghai",
        account_no="0012345678",
        holder="张三",
        address="上海市浦东新区世纪大道100号",
        bills=(
            BillLine("2026-10", Decimal("312"), "kWh", Decimal("168.48")),
            BillLine("2026-11", Decimal("295.5"), "kWh", Decimal("159.57")),
        ),
        late_fees=Decimal("3.20"),
        business_fees=(FeeLine("校表费", Decimal("20.00")),),
        total=Decimal("1400.00"),
        total_capitals="壹仟肆佰元整",
        method="cash",
        tendered=Decimal("1500.00"),
        change=Decimal("100.00"),
        reference="",
        credit=Decimal("1048.75"),
        copy=False,
        check="AAAAAAAAAA",
    )
    doc = dataclasses.replace(doc, **changes)
    check = check_value(KEY, doc.number, doc.total_fen, doc.issued_on)
    return dataclasses.replace(doc, check=changes.get("check", check))


def need(tool: str) -> str:
    path = shutil.which(tool)
    # scripts/test installs them; a machine without them must fail, not skip, the check
    assert path is not None, f"{tool} is not installed: apt-get install poppler-utils zbar-tools"
    return path


def run(*args: str | Path) -> str:
    done = subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout
