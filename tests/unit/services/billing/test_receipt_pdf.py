"""The PDF read back with the real tools: pdftotext, pdfinfo, pdftoppm and zbarimg."""

from __future__ import annotations

import dataclasses
import re
from decimal import Decimal
from pathlib import Path

import pytest

from app.services.billing.receipt_check import qr_payload, verify
from app.services.billing.receipt_doc import BillLine
from app.services.billing.receipt_pdf import CjkFontMissing, PaperSize, render_pdf
from tests.unit.services.billing.receipt_helpers import KEY, make_doc, need, run

SIZES: list[PaperSize] = ["roll80", "a4"]


def write(tmp_path: Path, data: bytes, name: str = "receipt.pdf") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def page_size(pdf: Path) -> tuple[float, float]:
    match = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", run(need("pdfinfo"), pdf))
    assert match is not None
    return float(match[1]), float(match[2])


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("copy", [False, True])
def test_text_reads_back(tmp_path: Path, size: PaperSize, copy: bool) -> None:
    doc = make_doc(copy=copy)
    pdf = write(tmp_path, render_pdf(doc, size))
    text = run(need("pdftotext"), "-layout", pdf, "-")
    for expected in [
        "城东供电营业厅",
        "East District Power Hall",
        "收费收据",
        "Receipt",
        "PC1-00000042",
        "2026-12-04 00:30:05",  # the hall's time, not UTC
        "0012345678",
        "张三",
        "上海市浦东新区世纪大道100号",
        "312 kWh",
        "¥168.48",
        "¥159.57",
        "¥3.20",
        "校表费",
        "¥20.00",
        "¥1,048.75",
        "¥1,400.00",
        "人民币大写 壹仟肆佰元整",
        "现金 Cash",
        "¥1,500.00",
        "¥100.00",
        "A0107",
    ]:
        assert expected in text, expected
    assert ("补打" in text) is copy
    assert ("COPY" in text) is copy


def test_card_payment_shows_reference_not_change(tmp_path: Path) -> None:
    doc = make_doc(method="card", tendered=None, change=None, reference="UP202612030001")
    text = run(need("pdftotext"), "-layout", write(tmp_path, render_pdf(doc, "a4")), "-")
    assert "银行卡 Card" in text and "UP202612030001" in text
    assert "找零" not in text and "实收" not in text


@pytest.mark.parametrize("size", SIZES)
def test_qr_decodes_to_a_payload_that_verifies(tmp_path: Path, size: PaperSize) -> None:
    doc = make_doc(copy=True)  # the watermark must not spoil the code
    pdf = write(tmp_path, render_pdf(doc, size))
    run(need("pdftoppm"), "-r", "200", "-png", "-singlefile", pdf, tmp_path / "page")
    scanned = run(need("zbarimg"), "--raw", "-q", tmp_path / "page.png").strip()
    assert scanned == qr_payload(doc)
    assert verify(KEY, scanned)
    assert not verify(KEY, scanned.replace("|140000|", "|150000|"))
    assert not verify(b"another key", scanned)


def test_page_sizes_roll_fits_its_content(tmp_path: Path) -> None:
    a4 = page_size(write(tmp_path, render_pdf(make_doc(), "a4"), "a4.pdf"))
    assert a4 == pytest.approx((595.28, 841.89), abs=0.1)
    roll = page_size(write(tmp_path, render_pdf(make_doc(), "roll80"), "roll.pdf"))
    assert roll[0] == pytest.approx(80 / 25.4 * 72, abs=0.1)
    more_bills = tuple(
        BillLine(f"2026-{month:02}", Decimal(100), "m³", Decimal("10.00")) for month in range(1, 13)
    )
    long = render_pdf(make_doc(bills=more_bills), "roll80")
    longer = page_size(write(tmp_path, long, "long.pdf"))
    assert longer[0] == roll[0]
    assert longer[1] > roll[1] + 11 * 8  # eleven more lines of 8 pt text at least


def test_missing_font_and_bad_size_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(CjkFontMissing, match="does not exist"):
        render_pdf(make_doc(), "a4", font_path=tmp_path / "no-such-font.ttf")
    with pytest.raises(ValueError, match="receipt paper"):
        render_pdf(make_doc(), "letter")  # type: ignore[arg-type]


def test_same_receipt_same_bytes() -> None:
    """Invariant output: a reprint of the same document is byte-identical."""
    doc = make_doc()
    assert render_pdf(doc, "roll80") == render_pdf(dataclasses.replace(doc), "roll80")
    assert render_pdf(doc, "a4").startswith(b"%PDF-")
