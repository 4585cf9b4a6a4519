"""The pure rule tying signals to PDSA cycles: a signal follows a cycle when it starts in the
period the cycle began or in the 6 periods after. One rule both ways: the measure page's "tests of
change before this signal" and the Study stage's and idea library's "did a signal follow?"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from improve.measures.linking import FOLLOW_PERIODS, cycles_before, follows, signals_since

D = date


def cycle(number: int, starts: date, ends: date) -> tuple:
    return (100 + number, number, f"Test {number}", starts, ends)


@dataclass(frozen=True)
class Signal:
    start: date


@pytest.mark.parametrize(
    ("cycle_starts", "signal_starts", "expected"),
    [
        # Monthly: the cycle's own month and the 6 months after it.
        (D(2026, 3, 20), D(2026, 3, 1), True),  # the month the cycle began
        (D(2026, 3, 20), D(2026, 9, 1), True),  # 6 months after: the last of the window
        (D(2026, 3, 20), D(2026, 10, 1), False),  # 7 months after: other things changed too
        (D(2026, 3, 20), D(2026, 2, 1), False),  # before the cycle began
        (D(2026, 9, 10), D(2027, 3, 1), True),  # across the year's end
        (D(2026, 9, 10), D(2027, 4, 1), False),
    ],
)
def test_monthly_window(cycle_starts, signal_starts, expected):
    assert follows(cycle_starts, signal_starts, "monthly") is expected


@pytest.mark.parametrize(
    ("cycle_starts", "signal_starts", "expected"),
    [
        (D(2026, 6, 3), D(2026, 6, 1), True),  # a Wednesday: its week began on Monday the 1st
        (D(2026, 6, 3), D(2026, 7, 13), True),  # 6 weeks after
        (D(2026, 6, 3), D(2026, 7, 20), False),  # 7 weeks after
        (D(2026, 6, 3), D(2026, 5, 25), False),  # the week before
    ],
)
def test_weekly_window(cycle_starts, signal_starts, expected):
    assert follows(cycle_starts, signal_starts, "weekly") is expected


def test_the_window_is_six_periods_and_can_be_chosen():
    assert FOLLOW_PERIODS == 6
    assert follows(D(2026, 1, 5), D(2026, 4, 1), "monthly", window=3)
    assert not follows(D(2026, 1, 5), D(2026, 5, 1), "monthly", window=3)


def test_both_directions_agree():
    cycles = [
        cycle(1, D(2026, 1, 5), D(2026, 2, 20)),
        cycle(2, D(2026, 8, 3), D(2026, 8, 7)),
        cycle(3, D(2025, 6, 1), D(2026, 9, 1)),  # long-running, began long before
    ]
    starts = [D(2026, 3, 1), D(2026, 8, 1), D(2026, 12, 1), D(2025, 1, 1)]
    before = cycles_before(starts, cycles, "monthly")
    assert before == [[cycles[0]], [cycles[1]], [cycles[1]], []]
    signals = [Signal(start) for start in starts]
    for one in cycles:
        after = signals_since(signals, one[3], "monthly")
        assert [s.start for s in after] == [
            s for s, b in zip(starts, before, strict=True) if one in b
        ]


def test_no_signals_or_no_cycles():
    assert cycles_before([], [cycle(1, D(2026, 1, 1), D(2026, 1, 2))], "monthly") == []
    assert cycles_before([D(2026, 1, 1)], [], "monthly") == [[]]
    assert signals_since([], D(2026, 1, 1), "monthly") == []
