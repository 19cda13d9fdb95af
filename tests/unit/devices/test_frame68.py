"""Hall bus 68 frame codec: golden bytes, interpretation, decoder properties."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.devices import frame68
from app.devices.frame68 import Command, DeviceStatus, Frame, Key, Rating, decode, encode

# PROTOCOL.md's example: host -> keypad 3, show "012" with a blank waiting count.
PROTOCOL_EXAMPLE = bytes.fromhex("FF 68 08 08 68 03 02 0A 0A 0A 00 01 02 26 16")


def h(text: str) -> bytes:
    return bytes.fromhex(text)


# --- golden bytes ---------------------------------------------------------------------

GOLDEN = [
    pytest.param(frame68.keypad_display(3, None, "A012"), PROTOCOL_EXAMPLE, id="display-example"),
    pytest.param(
        frame68.keypad_display(3, 7, "A012"),
        h("FF 68 08 08 68 03 02 0A 0A 07 00 01 02 23 16"),
        id="display-waiting-7",
    ),
    pytest.param(
        frame68.keypad_display(1, 123, 45),
        h("FF 68 08 08 68 01 02 01 02 03 00 04 05 12 16"),
        id="display-int-ticket",
    ),
    pytest.param(frame68.start_rating(5), h("FF 68 03 03 68 05 01 0B 11 16"), id="start-rating"),
    pytest.param(frame68.ack_rating(5, 2), h("FF 68 03 03 68 05 01 02 08 16"), id="ack-rating"),
    pytest.param(frame68.beep(3), h("FF 68 02 02 68 03 03 06 16"), id="beep"),
    pytest.param(
        frame68.show_job_number(5, "1024"),
        h("FF 68 06 06 68 05 04 31 30 32 34 D0 16"),
        id="job-number",
    ),
    pytest.param(frame68.cancel_rating(5), h("FF 68 02 02 68 05 05 0A 16"), id="cancel"),
    pytest.param(frame68.poll(0x10), h("FF 68 02 02 68 10 1E 2E 16"), id="poll"),
    pytest.param(
        frame68.key_pressed(3, Key.CALL_NEXT), h("FF 68 03 03 68 03 10 0C 1F 16"), id="key-next"
    ),
    pytest.param(
        frame68.key_pressed(3, Key.NO_SHOW), h("FF 68 04 04 68 03 10 06 0F 28 16"), id="no-show"
    ),
    pytest.param(
        frame68.key_pressed(3, Key.HOLD), h("FF 68 04 04 68 03 10 00 0F 22 16"), id="key-hold"
    ),
    pytest.param(frame68.rating_given(5, 3), h("FF 68 03 03 68 05 11 03 19 16"), id="rating-3"),
    pytest.param(frame68.button_pressed(9, 16), h("FF 68 03 03 68 09 12 10 2B 16"), id="button"),
    pytest.param(frame68.status_answer(3, True), h("FF 68 03 03 68 03 1F 01 23 16"), id="status"),
]


@pytest.mark.parametrize(("frame", "wire"), GOLDEN)
def test_golden_bytes(frame: Frame, wire: bytes) -> None:
    assert encode(frame) == wire
    assert encode(frame, preamble=False) == wire[1:]
    assert decode(wire) == ([frame], len(wire))
    assert decode(wire[1:]) == ([frame], len(wire) - 1)  # the preamble is optional


def test_protocol_example_decodes_to_keypad_3_showing_012() -> None:
    frames, used = decode(PROTOCOL_EXAMPLE)
    assert used == len(PROTOCOL_EXAMPLE)
    assert frames == [Frame(3, Command.DISPLAY, h("0A 0A 0A 00 01 02"))]


def test_key_constants_match_protocol_table() -> None:
    assert {k: frame68.key_bytes(k).hex(" ").upper() for k in Key} == {
        Key.CALL_NEXT: "0C",
        Key.RECALL: "0D",
        Key.FINISH: "0E",
        Key.ASK_RATING: "0B",
        Key.PAUSE: "12",
        Key.TRANSFER: "13",
        Key.NO_SHOW: "06 0F",
        Key.HOLD: "00 0F",
        Key.CALL_BACK: "03 0F",
    }
    assert [int(c) for c in Command] == [0x01, 0x02, 0x03, 0x04, 0x05, 0x1E, 0x10, 0x11, 0x12, 0x1F]
    assert [int(r) for r in Rating] == [0, 1, 2, 3, 4]


# --- building and interpreting --------------------------------------------------------


@pytest.mark.parametrize(
    ("waiting", "ticket", "digits"),
    [
        (None, None, "0A 0A 0A 0A 0A 0A"),
        (0, "B001", "0A 0A 00 00 00 01"),
        (45, "C120", "0A 04 05 01 02 00"),
        (1234, "A9999", "09 09 09 09 09 09"),
        (5, 7, "0A 0A 05 00 00 07"),
        (5, "7", "0A 0A 05 0A 0A 07"),
    ],
)
def test_display_digits(waiting: int | None, ticket: str | int | None, digits: str) -> None:
    assert frame68.display_digits(waiting, ticket) == h(digits)


def test_counter_closed_display_golden() -> None:
    """Nobody logged in: the waiting count, and dashes where the ticket would be."""
    frame = frame68.keypad_closed(3, 5)
    assert frame.data == h("0A 0A 05 0B 0B 0B")
    assert frame68.encode(frame) == h("FF 68 08 08 68 03 02 0A 0A 05 0B 0B 0B 3F 16")
    assert frame68.closed_digits(None) == h("0A 0A 0A 0B 0B 0B")
    assert frame68.closed_digits(1200) == h("09 09 09 0B 0B 0B")


def test_bad_host_commands_are_refused() -> None:
    with pytest.raises(ValueError):
        frame68.display_digits(-1, None)
    with pytest.raises(ValueError):
        frame68.show_job_number(5, "12345678901234567")
    with pytest.raises(ValueError):
        frame68.show_job_number(5, "工号")
    with pytest.raises(ValueError):
        Frame(256, 1)
    with pytest.raises(ValueError):
        Frame(1, 1, bytes(33))
    assert frame68.show_job_number(5, "A" * 16).data == b"A" * 16


@pytest.mark.parametrize("key", list(Key))
def test_parse_every_key(key: Key) -> None:
    assert frame68.parse_key(frame68.key_bytes(key)) is key


@pytest.mark.parametrize("data", ["", "0F", "01", "0C 0F", "06", "06 0E", "09 0F", "0C 0C 0C"])
def test_unknown_keys(data: str) -> None:
    assert frame68.parse_key(h(data)) is None


def test_ratings_depend_on_the_evaluator_scale() -> None:
    assert [frame68.parse_rating(bytes((r,)), 4) for r in range(6)] == [
        Rating.VERY_SATISFIED,
        Rating.SATISFIED,
        Rating.FAIR,
        Rating.DISSATISFIED,
        None,
        None,
    ]
    assert frame68.parse_rating(b"\x04", 5) is Rating.VERY_DISSATISFIED
    assert frame68.parse_rating(b"\x05", 5) is None
    assert frame68.parse_rating(b"\x0b", 5) is None
    assert frame68.parse_rating(b"\x01\x02", 5) is None
    with pytest.raises(ValueError):
        frame68.parse_rating(b"\x01", 3)


def test_buttons_and_status() -> None:
    assert [frame68.parse_button(bytes((b,))) for b in (0, 1, 16, 17)] == [None, 1, 16, None]
    assert frame68.parse_button(b"") is None
    assert frame68.parse_status(b"\x00") == DeviceStatus(0)
    assert frame68.parse_status(b"\x03") is not None
    assert frame68.parse_status(b"\x03").fault  # type: ignore[union-attr]
    assert not DeviceStatus(0x02).fault
    assert frame68.parse_status(b"") is None


def test_acknowledgements_follow_the_reply_column() -> None:
    key = frame68.key_pressed(3, Key.FINISH)
    button = frame68.button_pressed(9, 4)
    assert frame68.acknowledgement(key) == key
    assert frame68.acknowledgement(button) == button
    assert frame68.acknowledgement(frame68.rating_given(5, 2)) == frame68.ack_rating(5, 2)
    assert frame68.acknowledgement(frame68.rating_given(5, 9)) == frame68.ack_rating(5, 9)
    assert frame68.acknowledgement(frame68.rating_given(5, 0x0B)) is None  # would start rating
    assert frame68.acknowledgement(frame68.status_answer(3)) is None
    assert frame68.is_acknowledgement(key, key)
    assert not frame68.is_acknowledgement(key, frame68.key_pressed(3, Key.RECALL))


# --- decoder --------------------------------------------------------------------------


def test_partial_frame_is_left_for_the_next_read() -> None:
    wire = PROTOCOL_EXAMPLE
    for cut in range(1, len(wire)):
        assert decode(wire[:cut]) == ([], 1)  # only the preamble is used up
    buffer = bytearray()
    found: list[Frame] = []
    for byte in wire:
        buffer.append(byte)
        frames, used = decode(buffer)
        found += frames
        del buffer[:used]
    assert found == [Frame(3, Command.DISPLAY, h("0A 0A 0A 00 01 02"))]
    assert not buffer


@pytest.mark.parametrize(
    ("broken", "why"),
    [
        ("68 08 08 68 03 02 0A 0A 0A 00 01 02 27 16", "checksum"),
        ("68 08 08 68 03 02 0A 0A 0A 00 01 02 26 17", "end byte"),
        ("68 08 07 68 03 02 0A 0A 0A 00 01 02 26 16", "lengths differ"),
        ("68 08 08 69 03 02 0A 0A 0A 00 01 02 26 16", "second start"),
        ("68 01 01 68 03 04 16", "length below 2"),
        ("68 23 23 68" + " 00" * 37, "length above 34"),
    ],
)
def test_broken_frames_are_skipped(broken: str, why: str) -> None:
    good = frame68.poll(7)
    frames, used = decode(h(broken) + encode(good))
    assert frames == [good], why
    assert used == len(h(broken)) + len(encode(good))


def test_frame_right_after_a_truncated_one_is_found() -> None:
    # The truncated frame's header claims 14 bytes that reach into the next frames:
    # the decoder must drop one byte, not the whole claimed length.
    truncated = PROTOCOL_EXAMPLE[:7]
    good = [frame68.poll(7), frame68.key_pressed(3, Key.RECALL)]
    stream = truncated + b"".join(encode(f, preamble=False) for f in good)
    assert decode(stream) == (good, len(stream))
    fake_header = h("68 22 22 68")  # claims 40 bytes: waits for them, then resyncs
    frames, used = decode(fake_header + encode(good[0]))
    assert (frames, used) == ([], 0)
    assert decode(fake_header + encode(good[0]) + bytes(30))[0] == [good[0]]


def test_decoder_never_raises_on_odd_buffers() -> None:
    for buffer in (b"", b"\x68", b"\x68\x02", b"\x68\x02\x02", b"\x68" * 50, bytes(range(256))):
        frames, used = decode(buffer)
        assert 0 <= used <= len(buffer)
        assert all(isinstance(f, Frame) for f in frames)


# --- properties -----------------------------------------------------------------------

NOT_START = st.integers(0, 255).filter(lambda b: b != frame68.START)
GUARD_BYTE = st.integers(0, 255).filter(lambda b: b not in (frame68.START, frame68.END))


@st.composite
def frames(draw: st.DrawFn, safe: bool = False) -> Frame:
    """Any frame; ``safe`` frames have no 0x68 outside the framing and an address > 34,
    so that no accidental frame can start inside a broken copy of them."""
    if safe:
        address = draw(st.integers(35, 0xFE).filter(lambda b: b != frame68.START))
        command = draw(NOT_START)
        data = bytes(draw(st.lists(NOT_START, max_size=frame68.MAX_DATA)))
    else:
        address = draw(st.integers(0, 255))
        command = draw(st.integers(0, 255))
        data = draw(st.binary(max_size=frame68.MAX_DATA))
    return Frame(address, command, data)


@st.composite
def broken_copy(draw: st.DrawFn, frame: Frame) -> bytes:
    wire = bytearray(encode(frame, preamble=draw(st.booleans())))
    at = 1 if wire[0] == frame68.PREAMBLE else 0  # index of the first 68
    how = draw(st.sampled_from(["truncate", "checksum", "end", "length"]))
    if how == "truncate":
        return bytes(wire[: draw(st.integers(at + 1, len(wire) - 1))])
    if how == "checksum":
        wire[-2] = (wire[-2] + draw(st.integers(1, 255))) & 0xFF
    elif how == "end":
        wire[-1] = draw(GUARD_BYTE)
    else:
        wire[at + 2] = draw(st.integers(0, 255).filter(lambda b: b != wire[at + 1]))
    return bytes(wire)


@st.composite
def noisy_streams(draw: st.DrawFn) -> tuple[bytes, list[Frame]]:
    """Valid frames mixed with noise and broken frames; returns the bytes and the frames.

    Noise has no 0x68 and a broken frame is followed by 40 bytes with neither 0x68 nor 0x16
    (more than the longest frame), so the valid frames are exactly what must be decoded.
    """
    stream = bytearray()
    expected: list[Frame] = []
    for kind in draw(st.lists(st.sampled_from(["frame", "noise", "broken"]), max_size=12)):
        if kind == "frame":
            frame = draw(frames(safe=True))
            stream += encode(frame, preamble=draw(st.booleans()))
            expected.append(frame)
        elif kind == "noise":
            stream += bytes(draw(st.lists(NOT_START, min_size=1, max_size=30)))
        else:
            stream += draw(broken_copy(draw(frames(safe=True))))
            stream += bytes(draw(st.lists(GUARD_BYTE, min_size=40, max_size=45)))
    return bytes(stream), expected


def feed(stream: bytes, chunk_sizes: list[int]) -> tuple[list[Frame], bytes]:
    """Decode ``stream`` as a port would deliver it, ``chunk_sizes`` bytes per read."""
    buffer = bytearray()
    found: list[Frame] = []
    pos = 0
    sizes = iter(chunk_sizes)
    while pos < len(stream):
        size = next(sizes, len(stream))
        buffer += stream[pos : pos + size]
        pos += size
        frames_, used = decode(buffer)
        assert 0 <= used <= len(buffer)
        found += frames_
        del buffer[:used]
    return found, bytes(buffer)


CHUNKS = st.lists(st.integers(1, 24), max_size=200)
PROPERTY = settings(max_examples=300, database=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(noisy_streams(), CHUNKS)
def test_valid_frames_found_once_in_order_through_noise(
    sample: tuple[bytes, list[Frame]], chunks: list[int]
) -> None:
    stream, expected = sample
    found, _ = feed(stream, chunks)
    assert found == expected
    assert decode(stream)[0] == expected


@PROPERTY
@given(st.lists(frames(), max_size=10), st.lists(st.booleans(), min_size=10, max_size=10), CHUNKS)
def test_back_to_back_frames_round_trip(
    sent: list[Frame], preambles: list[bool], chunks: list[int]
) -> None:
    stream = b"".join(encode(f, p) for f, p in zip(sent, preambles, strict=False))
    found, rest = feed(stream, chunks)
    assert found == sent
    assert rest == b""


@PROPERTY
@given(st.binary(max_size=600), st.lists(frames(), max_size=4), CHUNKS, st.randoms())
def test_any_bytes_never_raise_and_chunking_changes_nothing(
    junk: bytes, sent: list[Frame], chunks: list[int], rnd: random.Random
) -> None:
    stream = bytearray(junk)
    for frame in sent:
        at = rnd.randint(0, len(stream))
        stream[at:at] = encode(frame)
    whole, used = decode(bytes(stream))
    found, rest = feed(bytes(stream), chunks)
    assert found == whole
    assert rest == bytes(stream[used:])
    for frame in whole:  # everything decoded is really on the wire
        assert encode(frame, preamble=False) in stream


@PROPERTY
@given(st.data())
def test_broken_frames_are_never_decoded(data: st.DataObject) -> None:
    frame = data.draw(frames())
    broken = data.draw(broken_copy(frame))
    found, _ = decode(broken)
    assert frame not in found
    safe = data.draw(frames(safe=True))
    assert decode(data.draw(broken_copy(safe)))[0] == []
