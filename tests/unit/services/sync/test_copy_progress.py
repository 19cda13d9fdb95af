"""The first copy's progress arithmetic: tables weighted by their rows, the time left."""

from __future__ import annotations

import pytest

from app.services.sync.copy_progress import CopyTally, TimeLeft, hours_minutes


def test_the_whole_copy_weights_every_table_by_its_rows():
    tally = CopyTally({"halls": (1, 0), "accounts": (300, 0), "bills": (3600, 0)})
    first = tally.add("halls", 1, finished=True)
    assert (first.table_done, first.table_total, first.done, first.total) == (1, 1, 1, 3901)
    tally.add("accounts", 200, finished=False)
    whole = tally.add("accounts", 100, finished=True)
    assert (whole.table_done, whole.table_total) == (300, 300)
    assert whole.fraction == pytest.approx(301 / 3901)  # not 1.0: the bills are still to come
    bills = tally.add("bills", 1800, finished=False)
    assert bills.fraction == pytest.approx(2101 / 3901)  # does not fall back to 0 per table
    end = tally.add("bills", 1800, finished=True)
    assert end.done == end.total == 3901 and end.fraction == 1.0


def test_a_resumed_copy_counts_what_it_had_done():
    tally = CopyTally({"halls": (1, 1), "accounts": (300, 300), "bills": (3600, 750)})
    now = tally.add("bills", 250, finished=False)
    assert (now.table_done, now.done, now.total) == (1000, 1301, 3901)


def test_a_table_that_grew_or_shrank_while_copied_still_ends_at_100_per_cent():
    tally = CopyTally({"accounts": (100, 0), "bills": (50, 0)})
    grown = tally.add("accounts", 120, finished=False)  # rows added meanwhile
    assert (grown.table_done, grown.table_total, grown.total) == (120, 120, 170)
    tally.add("accounts", 0, finished=True)
    shrunk = tally.add("bills", 30, finished=True)  # rows deleted meanwhile
    assert (shrunk.done, shrunk.total, shrunk.fraction) == (150, 150, 1.0)
    assert CopyTally({"halls": (0, 0)}).add("halls", 0, finished=True).fraction == 1.0


def test_time_left_follows_the_recent_pace():
    left = TimeLeft(window_s=60.0, min_span_s=3.0)
    assert left.add(0.0, 0, 10_000) is None  # no pace yet
    assert left.add(2.0, 200, 10_000) is None  # under min_span_s
    assert left.add(4.0, 400, 10_000) == pytest.approx(9600 / 100)  # 100 rows a second
    # the pace doubles and stays: after a window's length only the new pace counts
    for t in range(5, 200):
        estimate = left.add(float(t), 400 + 200 * (t - 4), 100_000)
    assert estimate == pytest.approx((100_000 - (400 + 200 * 195)) / 200)
    assert left.add(200.0, 100_000, 100_000) == 0.0


def test_time_left_waits_for_rows():
    left = TimeLeft(min_span_s=1.0)
    assert left.add(0.0, 500, 1000) is None
    assert left.add(5.0, 500, 1000) is None  # no row for five seconds: no pace to tell


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [(0, None), (59.9, None), (60, (0, 1)), (61, (0, 2)), (3599, (1, 0)), (5400, (1, 30))],
)
def test_time_left_is_told_in_whole_minutes_rounded_up(seconds, expected):
    assert hours_minutes(seconds) == expected
