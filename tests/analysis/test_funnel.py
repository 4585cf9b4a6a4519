"""Funnel-plot limits and bands (Spiegelhalter 2005), against numbers worked by hand from the
paper's formulas (pure, no app).

Proportion: p0 ± z·sqrt(p0(1 - p0)/n), within 0 to 1. Rate: p0 ± z·sqrt(p0/n), 0 or more.
z = 1.96 (95%) and 3.09 (99.8%).
"""

from __future__ import annotations

import pytest

from improve.analysis.funnel import (
    Z_95,
    Z_998,
    Limits,
    classify,
    curve_sizes,
    funnel,
    funnel_sentences,
    limits_at,
    pooled_average,
    usable,
)

approx = pytest.approx


def test_the_paper_rounds_z_to_1_96_and_3_09() -> None:
    assert (Z_95, Z_998) == (1.96, 3.09)


def test_pooled_average_is_the_sum_of_numerators_over_the_sum_of_denominators() -> None:
    # 10/100, 20/100 and 30/200: not the mean of 0.1, 0.2 and 0.15 (0.15 by chance) but 60/400.
    assert pooled_average([10, 20, 30], [100, 100, 200]) == approx(0.15)
    assert pooled_average([1, 9], [10, 90]) == approx(0.1)  # the mean of shares would be 0.1 too
    assert pooled_average([5, 45], [10, 50]) == approx(50 / 60)  # mean of 0.5 and 0.9 is 0.7
    assert pooled_average([], []) is None
    assert pooled_average([0], [0]) is None


def test_proportion_limits_at_one_hundred_people() -> None:
    # p0 = 0.5, n = 100: one standard error is sqrt(0.25 / 100) = 0.05.
    found = limits_at("proportion", 0.5, 100)
    assert found.lower_95 == approx(0.5 - 1.96 * 0.05)  # 0.402
    assert found.upper_95 == approx(0.598)
    assert found.lower_998 == approx(0.3455)
    assert found.upper_998 == approx(0.6545)


def test_proportion_limits_are_kept_within_0_and_1() -> None:
    # p0 = 0.1, n = 4: SE = sqrt(0.09 / 4) = 0.15; 0.1 - 1.96 x 0.15 is below 0.
    low = limits_at("proportion", 0.1, 4)
    assert low.lower_95 == 0.0 and low.lower_998 == 0.0
    assert low.upper_95 == approx(0.1 + 0.294)
    assert low.upper_998 == approx(0.1 + 0.4635)
    # p0 = 0.95, n = 4: SE = sqrt(0.0475 / 4) = 0.108972; 0.95 + 0.2136 is above 1.
    high = limits_at("proportion", 0.95, 4)
    assert high.upper_95 == 1.0 and high.upper_998 == 1.0
    assert high.lower_95 == approx(0.95 - 1.96 * 0.108972, abs=1e-6)


def test_a_percentage_scales_the_limits_by_100() -> None:
    found = limits_at("proportion", 0.5, 100, scale=100)
    assert (found.lower_95, found.upper_95) == (approx(40.2), approx(59.8))


def test_rate_limits_use_the_poisson_spread_and_the_multiplier() -> None:
    # 2 leavers per 100 staff a month: p0 = 0.02 per person; n = 400 staff.
    # SE = sqrt(0.02 / 400) = 0.0070711; times 100 for "per 100 staff".
    found = limits_at("rate", 0.02, 400, scale=100)
    assert found.lower_95 == approx((0.02 - 1.96 * 0.0070711) * 100, abs=1e-5)  # 0.6141
    assert found.upper_95 == approx(3.3859, abs=1e-4)
    assert found.lower_998 == approx(0.0, abs=1e-9)  # 0.02 - 0.02185 is below 0: kept at 0
    assert found.upper_998 == approx(4.1850, abs=1e-4)
    # A rate has no ceiling: a tiny exposure may allow far more than 1 per unit.
    assert limits_at("rate", 0.5, 1).upper_998 == approx(0.5 + 3.09 * 0.70711, abs=1e-4)


def test_limits_narrow_as_teams_grow() -> None:
    sizes = [5, 20, 80, 320]
    widths = [
        limits_at("proportion", 0.6, n).upper_95 - limits_at("proportion", 0.6, n).lower_95
        for n in sizes
    ]
    assert widths == sorted(widths, reverse=True)
    # Four times the size, half the width (away from the 0 and 1 bounds).
    assert widths[2] / widths[3] == approx(2.0)


def test_a_team_of_no_size_has_no_limits() -> None:
    with pytest.raises(ValueError):
        limits_at("proportion", 0.5, 0)


LIMITS = Limits(size=100, lower_95=0.402, upper_95=0.598, lower_998=0.3455, upper_998=0.6545)


@pytest.mark.parametrize(
    ("value", "direction", "expected"),
    [
        (0.5, "increase", ("within", "on", "neither")),
        (0.598, "increase", ("within", "above", "better")),  # on the 95% limit: within
        (0.55, "decrease", ("within", "above", "worse")),
        (0.6, "increase", ("look", "above", "better")),
        (0.35, "increase", ("look", "below", "worse")),
        (0.6545, "decrease", ("look", "above", "worse")),  # on the 99.8% limit: not beyond
        (0.66, "decrease", ("unusual", "above", "worse")),
        (0.30, "decrease", ("unusual", "below", "better")),
        (0.30, "neutral", ("unusual", "below", "neither")),
    ],
)
def test_bands_sides_and_better_or_worse(value, direction, expected) -> None:
    assert classify(value, LIMITS, 0.5, direction) == expected


def test_usable_numbers() -> None:
    assert usable("proportion", 3, 10)
    assert usable("proportion", 0, 10)
    assert not usable("proportion", 11, 10)  # more "yes" than people asked
    assert usable("rate", 11, 10)  # more events than units of exposure is possible
    assert not usable("rate", 1, 0)
    assert not usable("rate", -1, 10)
    assert not usable("proportion", None, 10)
    assert not usable("proportion", float("nan"), 10)


def test_curve_sizes_run_from_the_smallest_to_the_largest_team() -> None:
    sizes = curve_sizes(4, 400, 5)
    assert sizes == [
        approx(4),
        approx(12.649, abs=1e-3),
        approx(40),
        approx(126.49, abs=1e-2),
        approx(400),
    ]
    assert curve_sizes(10, 10) == [10.0]
    with pytest.raises(ValueError):
        curve_sizes(0, 10)


def test_a_funnel_of_teams() -> None:
    # Pooled: (30 + 8 + 30 + 90) / (50 + 20 + 40 + 150) = 158 / 260 = 0.6077.
    teams = [(1, 30, 50), (2, 8, 20), (3, 30, 40), (4, 90, 150)]
    found = funnel("proportion", teams, direction="increase")
    assert found is not None
    assert found.average == approx(158 / 260)
    p0 = 158 / 260
    by_key = {point.key: point for point in found.points}
    # Team 3: 30 of 40 = 0.75; SE = sqrt(p0 (1 - p0) / 40) = 0.077195;
    # 95% upper = 0.6077 + 0.1513 = 0.7590: 0.75 is within.
    assert by_key[3].limits.upper_95 == approx(p0 + 1.96 * (p0 * (1 - p0) / 40) ** 0.5)
    assert by_key[3].band == "within"
    # Team 2: 8 of 20 = 0.4; SE = 0.109165; 95% lower = 0.3937, so within too.
    assert by_key[2].value == approx(0.4)
    assert by_key[2].band == "within" and by_key[2].side == "below"
    assert by_key[2].judgement == "worse"
    # The curve runs from the smallest team (20) to the largest (150).
    assert found.curve[0].size == approx(20) and found.curve[-1].size == approx(150)


def test_an_average_given_pools_more_than_the_teams_drawn() -> None:
    # A hidden team's numbers count in the average but are not drawn.
    found = funnel("proportion", [(1, 40, 50)], direction="increase", average=0.5)
    assert found is not None
    assert found.average == 0.5
    # 0.8 at n = 50: SE = sqrt(0.25 / 50) = 0.070711; 99.8% upper = 0.5 + 0.2185 = 0.7185.
    assert found.points[0].band == "unusual"


def test_a_rate_funnel_is_on_the_multiplied_scale() -> None:
    teams = [(1, 1, 50), (2, 3, 50), (3, 12, 100)]  # 16 leavers of 200 staff: 8 per 100
    found = funnel("rate", teams, direction="decrease", scale=100)
    assert found is not None
    assert found.average == approx(8.0)
    by_key = {point.key: point for point in found.points}
    assert by_key[3].value == approx(12.0)
    # Team 3: SE = sqrt(0.08 / 100) = 0.028284 -> 95% upper 8 + 5.54 = 13.54: within.
    assert by_key[3].limits.upper_95 == approx(8 + 1.96 * 2.8284, abs=1e-3)
    assert by_key[3].band == "within"
    assert by_key[1].judgement == "better"  # fewer leavers: lower is better


def test_no_funnel_without_teams_and_bad_numbers_refused() -> None:
    assert funnel("proportion", [], direction="increase") is None
    assert funnel("proportion", [(1, 0, 10)], direction="increase", average=None) is not None
    with pytest.raises(ValueError):
        funnel("proportion", [(1, 12, 10)], direction="increase")


def test_the_sentences_name_the_teams_outside_the_limits() -> None:
    teams = [(1, 45, 50), (2, 10, 50), (3, 26, 50), (4, 24, 50), (5, 25, 50)]
    found = funnel("proportion", teams, direction="increase", average=0.5)
    assert found is not None
    names = {1: "Riverside", 2: "Meadowbank", 3: "North", 4: "Carers", 5: "Pathways"}
    sentences = funnel_sentences(found, names)
    # 45/50 = 0.9 and 10/50 = 0.2 are beyond 0.5 ± 0.2185; the others within 0.5 ± 0.1386.
    assert sentences[0] == (
        "2 of the 5 teams on the plot are beyond the 99.8% limits: Riverside (above the "
        "average: better) and Meadowbank (below the average: worse). A difference that large "
        "is unusual for a team of that size: worth asking what is different there."
    )
    assert sentences[1].startswith("The other 3 are within the 95% limits")


def test_the_sentences_when_every_team_is_within() -> None:
    found = funnel("proportion", [(1, 5, 10), (2, 6, 10)], direction="neutral")
    assert found is not None
    assert funnel_sentences(found, {1: "A", 2: "B"}) == [
        "All 2 teams on the plot are within the 95% limits: their differences from the average "
        "are the size chance alone gives teams of their size."
    ]


def test_a_team_is_called_better_or_worse_only_outside_the_95_percent_limits() -> None:
    found = funnel("proportion", [(1, 45, 50), (2, 24, 50)], direction="increase", average=0.5)
    assert found is not None
    words = {point.key: point.words for point in found.points}
    assert words[1] == "Beyond the 99.8% limits: unusual; above the average (better)"
    assert words[2] == "Within the 95% limits; below the average"
