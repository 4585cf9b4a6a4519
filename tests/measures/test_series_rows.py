"""One truth per number: the series a page builds straight from its rows (a few points) are the
series the frame path builds (many points), point for point, so every page's analysis is the
same whichever path read it."""

from __future__ import annotations

from datetime import date

import numpy as np

from improve.measures import analysis
from improve.measures.analysis import points_frame, read_series, split_series


def test_rows_and_frames_give_the_same_series(
    world, make_aim, make_measure, add_point, monkeypatch
):
    falls = make_measure(make_aim(world.team_a))
    share = make_measure(make_aim(world.team_b), value_kind="proportion", name="Share")
    for month in range(1, 8):
        left_out = {"excluded": True, "exclusion_reason": "Fire drill"} if month == 3 else {}
        add_point(falls, world.team_a, date(2026, month, 1), month * 1.5, **left_out)
        add_point(
            share,
            world.team_b,
            date(2026, month, 1),
            month,
            denominator=None if month == 5 else 10 + month,
            starts_new_phase=month == 4,
            phase_reason="New rota" if month == 4 else "",
        )
    measures, teams = [falls.id, share.id], [world.team_a.id, world.team_b.id]
    from_frame = list(split_series(points_frame(measures, teams)))
    from_rows = read_series(measures, teams)
    monkeypatch.setattr(analysis, "FEW_POINTS", 0)  # many points: the frame path inside
    from_rows_as_frame = read_series(measures, teams)
    assert (
        [key for key, _ in from_rows]
        == [key for key, _ in from_frame]
        == [key for key, _ in from_rows_as_frame]
    )
    for (_, rows), (_, frame), (_, big) in zip(
        from_rows, from_frame, from_rows_as_frame, strict=True
    ):
        for points in (rows, big):
            assert points.dates == frame.dates
            assert all(isinstance(day, date) for day in points.dates)
            np.testing.assert_array_equal(points.value, frame.value)
            np.testing.assert_array_equal(points.denominator, frame.denominator)
            np.testing.assert_array_equal(points.excluded, frame.excluded)
            np.testing.assert_array_equal(points.new_phase, frame.new_phase)
            assert points.value.dtype == frame.value.dtype == np.float64
