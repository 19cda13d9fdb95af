"""ESC/POS encoder, ticket layout and the decoder the simulated printer uses."""

from __future__ import annotations

import dataclasses

import pytest

from app.devices import escpos
from app.devices.escpos import (
    Align,
    EscPos,
    PaperStatus,
    QrErrorLevel,
    TicketPrint,
    decode_print,
    decode_to_text,
    parse_paper_status,
    text_width,
)
from app.devices.escpos_decode import EscPosParser, PrintLine, QrPrinted, StatusRequest

TICKET = TicketPrint(
    hall_name="国网某某县供电公司城东营业厅",
    service_name="缴费业务",
    number="A012",
    ahead=7,
    wait_min=15,
    issued_at_text="2024-05-01 09:30",
    qr_text="HD-20240501-A012-7F3K",
)


def h(text: str) -> bytes:
    return bytes.fromhex(text)


@pytest.mark.parametrize(
    ("build", "wire"),
    [
        (lambda p: p.init(), "1B 40"),
        (lambda p: p.chinese(), "1C 26"),
        (lambda p: p.chinese(False), "1C 2E"),
        (lambda p: p.align(Align.LEFT), "1B 61 00"),
        (lambda p: p.align(Align.CENTER), "1B 61 01"),
        (lambda p: p.align(Align.RIGHT), "1B 61 02"),
        (lambda p: p.size(), "1D 21 00"),
        (lambda p: p.size(2, 2), "1D 21 11"),
        (lambda p: p.size(1, 2), "1D 21 01"),
        (lambda p: p.size(8, 8), "1D 21 77"),
        (lambda p: p.bold(), "1B 45 01"),
        (lambda p: p.bold(False), "1B 45 00"),
        (lambda p: p.feed(3), "1B 64 03"),
        (lambda p: p.cut(), "1D 56 42 00"),
        (lambda p: p.status_request(), "10 04 04"),
        (lambda p: p.text("缴费"), "BD C9 B7 D1"),
        (lambda p: p.line("A012"), "41 30 31 32 0A"),
        (
            lambda p: p.qr("A012"),
            "1D 28 6B 04 00 31 41 32 00"  # model 2
            " 1D 28 6B 03 00 31 43 06"  # module size 6
            " 1D 28 6B 03 00 31 45 31"  # error level M
            " 1D 28 6B 07 00 31 50 30 41 30 31 32"  # store 4 bytes (pL = 4 + 3)
            " 1D 28 6B 03 00 31 51 30",  # print
        ),
        (
            lambda p: p.qr(b"x" * 300, module_size=8, level=QrErrorLevel.H),
            "1D 28 6B 04 00 31 41 32 00 1D 28 6B 03 00 31 43 08 1D 28 6B 03 00 31 45 33"
            " 1D 28 6B 2F 01 31 50 30" + " 78" * 300 + " 1D 28 6B 03 00 31 51 30",
        ),
    ],
)
def test_golden_bytes(build: object, wire: str) -> None:
    assert build(EscPos()).to_bytes() == h(wire)  # type: ignore[operator]


def test_builder_rejects_out_of_range_values() -> None:
    for bad in (
        lambda: EscPos().size(0, 1),
        lambda: EscPos().size(1, 9),
        lambda: EscPos().feed(256),
        lambda: EscPos().qr(""),
        lambda: EscPos().qr("x", module_size=17),
        lambda: escpos.ticket_bytes(TICKET, width_mm=76),
    ):
        with pytest.raises(ValueError):
            bad()


def test_status_request_and_paper_bits() -> None:
    assert escpos.STATUS_REQUEST == b"\x10\x04\x04"
    assert parse_paper_status(0x12) is PaperStatus.OK
    assert parse_paper_status(0x1E) is PaperStatus.NEAR_END  # bits 2-3
    assert parse_paper_status(0x16) is PaperStatus.NEAR_END
    assert parse_paper_status(0x72) is PaperStatus.OUT  # bits 5-6
    assert parse_paper_status(0x7E) is PaperStatus.OUT  # out wins over near end
    assert parse_paper_status(0x32) is PaperStatus.OUT
    assert parse_paper_status(0x92) is PaperStatus.OK  # other bits do not matter
    for status in PaperStatus:
        assert parse_paper_status(escpos.paper_status_byte(status)) is status


@pytest.mark.parametrize(("width_mm", "columns"), [(80, 48), (58, 32)])
def test_ticket_reads_back(width_mm: int, columns: int) -> None:
    printed = decode_print(escpos.ticket_bytes(TICKET, width_mm))
    texts = printed.texts
    assert "A012" in texts
    assert "缴费业务" in texts
    assert printed.qr_codes == (TICKET.qr_text,)
    assert printed.cuts == 1
    assert any("7 人" in t and t.startswith("前面等候") for t in texts)
    assert any("15 分钟" in t for t in texts)
    assert any("2024-05-01 09:30" in t for t in texts)
    assert "".join(texts).count(TICKET.hall_name[:4]) == 1
    number = next(line for line in printed.lines if line.text == "A012")
    assert number.width >= 3 and number.height >= 3 and number.bold
    assert number.align == Align.CENTER
    service = next(line for line in printed.lines if line.text == "缴费业务")
    assert (service.width, service.height) == (2, 2)
    for line in printed.lines:  # nothing wider than the paper
        assert text_width(line.text) * line.width <= columns, line
    assert "=" * columns in texts
    assert "-" * columns in texts


def test_58_and_80_mm_lay_out_differently() -> None:
    wide = decode_to_text(escpos.ticket_bytes(TICKET, 80))
    narrow = decode_to_text(escpos.ticket_bytes(TICKET, 58))
    ahead_wide = next(t for t in wide if t.startswith("前面等候"))
    ahead_narrow = next(t for t in narrow if t.startswith("前面等候"))
    assert text_width(ahead_wide) == 48
    assert text_width(ahead_narrow) == 32
    hall_wide = [t for t in wide if t and t in TICKET.hall_name]
    hall_narrow = [t for t in narrow if t and t in TICKET.hall_name]
    assert len(hall_wide) == 1  # 28 columns fit on 48
    assert len(hall_narrow) == 1
    long_hall = dataclasses.replace(TICKET, hall_name="某" * 20)  # 40 columns
    assert sum(1 for t in decode_to_text(escpos.ticket_bytes(long_hall, 58)) if "某" in t) == 2
    assert sum(1 for t in decode_to_text(escpos.ticket_bytes(long_hall, 80)) if "某" in t) == 1


def test_receipt_bytes() -> None:
    data = escpos.receipt_bytes(
        ["户号 0012345678", ("电费", "¥128.50"), ("合计", "¥128.50")],
        width_mm=58,
        title="收费凭证",
        qr_text="R-0001",
    )
    printed = decode_print(data)
    assert printed.texts[0] == "收费凭证"
    assert printed.lines[0].bold and printed.lines[0].height == 2
    assert "户号 0012345678" in printed.texts
    total = next(t for t in printed.texts if t.startswith("合计"))
    assert total.endswith("¥128.50") and text_width(total) == 32
    assert printed.qr_codes == ("R-0001",)
    assert printed.cuts == 1
    assert decode_print(escpos.receipt_bytes(["x"], cut=False)).cuts == 0


def test_text_width_and_wrap() -> None:
    assert text_width("A012") == 4
    assert text_width("缴费业务") == 8
    assert escpos.wrap("缴费业务缴费业务", 10) == ["缴费业务缴", "费业务"]
    assert escpos.wrap("", 10) == [""]
    assert escpos.two_columns("合计", "¥1", 10) == "合计    ¥1"


def test_decoder_skips_parameters_that_look_like_text_or_newlines() -> None:
    p = EscPos().init().chinese()
    p.qr(b"line1\nline2\x1b@\x1d\x56\x42\x00")  # LF, ESC @ and a cut inside the QR data
    p.raw(h("1D 76 30 00 02 00 02 00 0A 0A 1B 40"))  # raster image, 2x2 bytes of "LF"
    p.raw(h("1B 2A 21 02 00") + b"\x0a" * 6)  # 24-dot bit image: 2 columns x 3 bytes
    p.raw(h("1D 6B 04") + b"12\n34" + b"\x00")  # CODE39 barcode, NUL-terminated
    p.raw(h("1D 6B 49 05") + b"\x0a\x0a\x0a\x0a\x0a")  # CODE128 with a length byte
    p.raw(h("1B 44 08 10 00"))  # tab positions, NUL-terminated
    p.raw(h("1D 38 4C 03 00 00 00 30 0A 0A"))  # GS 8 L with a 32-bit length
    p.raw(h("10 14 01 00 05"))  # real-time pulse
    p.line("after")
    printed = decode_print(p.to_bytes())
    assert printed.texts == ["after"]
    assert printed.qr_codes == ("line1\nline2\x1b@\x1dVB\x00",)
    assert printed.cuts == 0


def test_decoder_tracks_modes_and_clears_on_init() -> None:
    p = EscPos().align(Align.RIGHT).size(2, 3).bold().text("big").raw(b"\x0a")
    p.raw(h("1B 21 38")).line("esc-bang").raw(h("1B 21 00"))
    p.text("dropped").init().line("plain").feed(2).cut().status_request()
    printed = decode_print(p.to_bytes())
    assert printed.lines == (
        PrintLine("big", 2, 2, 3, True),
        PrintLine("esc-bang", 2, 2, 2, True),
        PrintLine("plain", 0, 1, 1, False),
    )
    assert printed.cuts == 1
    assert printed.status_requests == 1


def test_incremental_parser_matches_one_shot() -> None:
    data = escpos.ticket_bytes(TICKET, 80) + escpos.STATUS_REQUEST
    whole = decode_print(data)
    parser = EscPosParser()
    events = []
    for byte in data:  # worst case: one byte per read
        events += parser.feed(bytes((byte,)))
    events += parser.finish()
    assert [e for e in events if isinstance(e, PrintLine)] == list(whole.lines)
    assert [e.payload for e in events if isinstance(e, QrPrinted)] == list(whole.qr_codes)
    assert [e for e in events if isinstance(e, StatusRequest)] == [StatusRequest(4)]


def test_partial_last_line_and_incomplete_command() -> None:
    assert decode_to_text(b"abc") == ["abc"]
    assert decode_to_text(b"abc\n\x1d\x28\x6b\x07\x00\x31") == ["abc"]
    assert decode_to_text("第一行\n\n第三行\n".encode("gb18030")) == ["第一行", "", "第三行"]


def gb(text: str) -> bytes:
    return text.encode("gb18030")


BILINGUAL = dataclasses.replace(
    TICKET,
    hall_name="城东营业厅",
    hall_name_en="East Hall",
    service_name_en="Bill payment",
    ahead=0,
    wait_min=0,
    qr_text="Q1",
)


def test_bilingual_ticket_golden_bytes_58_mm() -> None:
    """Chinese (GB18030) with English under each line; nobody ahead reads "no wait"."""
    golden = b"".join(
        [
            h("1B 40 1C 26 1B 61 01"),  # init, Chinese mode, centre
            h("1B 45 01 1D 21 01") + gb("城东营业厅\n") + h("1D 21 00 1B 45 00"),
            b"East Hall\n",
            h("1D 21 11") + gb("缴费业务\n") + h("1D 21 00"),
            b"Bill payment\n",
            b"=" * 32 + b"\n",
            h("1B 45 01 1D 21 22") + b"A012\n" + h("1D 21 00 1B 45 00"),
            b"-" * 32 + b"\n",
            h("1B 61 00"),  # rows on the left
            gb("前面等候" + " " * 20 + "0 人\n"),
            b"People ahead" + b" " * 19 + b"0\n",
            h("D4 A4 BC C6 B5 C8 BA F2") + b" " * 16 + h("CE DE D0 E8 B5 C8 BA F2 0A"),
            b"Estimated wait" + b" " * 14 + b"none\n",
            gb("取号时间" + " " * 8 + "2024-05-01 09:30\n"),
            b"Issued at" + b" " * 7 + b"2024-05-01 09:30\n",
            b"-" * 32 + b"\n",
            h("1B 61 01"),
            h("1D 28 6B 04 00 31 41 32 00 1D 28 6B 03 00 31 43 06 1D 28 6B 03 00 31 45 31"),
            h("1D 28 6B 05 00 31 50 30") + b"Q1" + h("1D 28 6B 03 00 31 51 30") + b"Q1\n",
            gb("请留意叫号，过号请重新取号\n"),
            b"Watch for your number. Missed\n",
            b"it? Please take a new ticket.\n",
            h("1B 64 04 1D 56 42 00"),  # feed 4, cut
        ]
    )
    assert gb("预计等候无需等候") == h("D4 A4 BC C6 B5 C8 BA F2 CE DE D0 E8 B5 C8 BA F2")
    assert escpos.ticket_bytes(BILINGUAL, 58, languages=("zh_CN", "en_US")) == golden


@pytest.mark.parametrize(("width_mm", "columns"), [(80, 48), (58, 32)])
def test_bilingual_ticket_reads_back_english_under_chinese(width_mm: int, columns: int) -> None:
    ticket = dataclasses.replace(
        TICKET, hall_name_en="East District Power Supply Service Hall", service_name_en="Bills"
    )
    printed = decode_print(escpos.ticket_bytes(ticket, width_mm, languages=("zh", "en")))
    texts = printed.texts
    pairs = [
        ("前面等候", "People ahead"),
        ("预计等候", "Estimated wait"),
        ("取号时间", "Issued at"),
    ]
    for zh, en in pairs:
        i = next(i for i, t in enumerate(texts) if t.startswith(zh))
        assert texts[i + 1].startswith(en), texts[i : i + 2]
    ahead = next(t for t in texts if t.startswith("People ahead"))
    assert ahead.endswith(" 7") and text_width(ahead) == columns
    assert any(t.startswith("预计等候") and t.endswith("约 15 分钟") for t in texts)
    assert any(t.startswith("Estimated wait") and t.endswith("about 15 min") for t in texts)
    assert texts.index("Bills") == texts.index("缴费业务") + 1
    hall_en = [t for t in texts if t and t in ticket.hall_name_en]
    assert " ".join(hall_en) == ticket.hall_name_en  # wrapped between words, not inside
    assert texts.index(hall_en[0]) < texts.index("缴费业务")
    assert texts[-1].endswith("ticket.")  # the English footer comes last
    for line in printed.lines:
        assert text_width(line.text) * line.width <= columns, line
    assert printed.qr_codes == (TICKET.qr_text,) and printed.cuts == 1


def test_chinese_only_without_english_and_no_wait_wording() -> None:
    zh_only = decode_to_text(escpos.ticket_bytes(BILINGUAL, 80))  # languages default: zh
    assert zh_only == decode_to_text(escpos.ticket_bytes(BILINGUAL, 80, languages=("zh_CN",)))
    assert not any("East Hall" in t or "wait" in t or "Bill" in t for t in zh_only)
    wait = next(t for t in zh_only if t.startswith("预计等候"))
    assert wait.endswith("无需等候") and "0 分钟" not in wait
    one = decode_to_text(escpos.ticket_bytes(dataclasses.replace(BILINGUAL, ahead=1, wait_min=1)))
    assert next(t for t in one if t.startswith("预计等候")).endswith("约 1 分钟")


def test_wrap_words() -> None:
    assert escpos.wrap_words("Watch for your number", 10) == ["Watch for", "your", "number"]
    assert escpos.wrap_words("Supercalifragilistic hall", 8) == [
        "Supercal",
        "ifragili",
        "stic",
        "hall",
    ]
    assert escpos.wrap_words("", 10) == [""]
