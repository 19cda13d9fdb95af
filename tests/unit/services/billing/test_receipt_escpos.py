"""The thermal-printer bytes decoded back with the simulated printer's parser."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.devices.escpos import decode_print, text_width
from app.services.billing.receipt_check import qr_payload, verify
from app.services.billing.receipt_doc import yuan_text
from app.services.billing.receipt_escpos import render_escpos
from tests.unit.services.billing.receipt_helpers import KEY, make_doc


@pytest.mark.parametrize(("paper_mm", "columns"), [(80, 48), (58, 32)])
@pytest.mark.parametrize("copy", [False, True])
def test_receipt_reads_back(paper_mm: int, columns: int, copy: bool) -> None:
    doc = make_doc(copy=copy)
    printed = decode_print(render_escpos(doc, paper_mm))
    texts = printed.texts
    joined = "\n".join(texts)
    assert texts[0] == "城东供电营业厅" and printed.lines[0].bold
    assert any(t.startswith("收费收据 Receipt") for t in texts)
    number = next(t for t in texts if t.startswith("收据号"))
    assert number.endswith("PC1-00000042") and text_width(number) == columns
    assert any(t.endswith("2026-12-04 00:30:05") for t in texts)
    assert "人民币大写 壹仟肆佰元整" in texts
    total = next(line for line in printed.lines if line.text.startswith("合计"))
    assert total.bold and total.text.endswith("¥1,400.00")
    for amount in ("168.48", "159.57", "3.20", "20.00", "1,048.75", "1,500.00", "100.00"):
        assert any(t.endswith(yuan_text(Decimal(amount.replace(",", "")))) for t in texts)
    fee = next(t for t in texts if t.startswith("校表费 Fee"))  # above the bills
    assert fee.endswith("¥20.00") and text_width(fee) == columns
    assert texts.index(fee) < next(i for i, t in enumerate(texts) if t.startswith("2026-10"))
    assert printed.qr_codes == (qr_payload(doc),)
    assert verify(KEY, printed.qr_codes[0])
    assert qr_payload(doc) in joined.replace("\n", "")  # printed under the code too
    assert printed.cuts == 1
    assert ("补打 COPY" in texts) is copy
    assert ("补打" in joined) is copy
    for line in printed.lines:
        assert text_width(line.text) * line.width <= columns, line


def test_qr_payload_verifies_and_a_tampered_one_does_not() -> None:
    payload = decode_print(render_escpos(make_doc(), 58)).qr_codes[0]
    assert verify(KEY, payload)
    assert not verify(KEY, payload.replace("PC1-00000042", "PC1-00000043"))


def test_card_payment_and_bad_paper() -> None:
    doc = make_doc(method="card", tendered=None, change=None, reference="UP202612030001")
    texts = decode_print(render_escpos(doc)).texts
    assert any(t.startswith("支付方式") and t.endswith("银行卡 Card") for t in texts)
    assert any(t.endswith("UP202612030001") for t in texts)
    assert not any(t.startswith("找零") for t in texts)
    assert yuan_text(doc.total) == "¥1,400.00"
    with pytest.raises(ValueError, match="58 or 80"):
        render_escpos(doc, 76)
