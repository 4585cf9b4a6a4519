"""The Making Data Count icons under a measure's chart (issue 15, point 5): the variation and
assurance icons of the one analysis of the series, drawn, and said in words beside them.

World: collaborative X with teams A and B, collaborative Y with team C (see tests/conftest.py).
"""

from __future__ import annotations

import html
import re
from datetime import date

import pytest

from improve.analysis.summary import ASSURANCE_WORDS, VARIATION_WORDS
from improve.measures.analysis import analyse_series
from tests.conftest import HTMX

# About 10 for a year, then about 5: a shift below the average, the latest point in it.
SHIFT = [10, 11, 9, 10, 12, 9, 11, 10, 9, 11, 10, 12, 5, 6, 4, 5, 6, 5, 4, 5]
# Out of 20 each month: about half, then about three quarters.
SHARES = [10, 11, 9, 10, 12, 9, 11, 10, 9, 11, 10, 12, 15, 16, 14, 15, 16, 15, 14, 15]


def month(number: int) -> date:
    return date(2025 + number // 12, number % 12 + 1, 1)


def icons_text(response) -> str:
    """What the icons section says, as read out: the drawings (hidden from screen readers)
    left out, tags removed, spaces collapsed."""
    page = response.get_data(as_text=True)
    assert 'id="measure-icons"' in page, "no icons on the page"
    section = page.split('id="measure-icons"', 1)[1].split("What the icons mean", 1)[0]
    words = re.sub(r"<svg\b.*?</svg>", " ", section, flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", words)))


@pytest.fixture
def aim(world, make_aim):
    return make_aim(world.team_a)


@pytest.fixture
def charted(world, aim, make_measure, add_point):
    """make(chart_type, value_kind, direction, target, values, denominators): a measure of team
    A's aim with a point a month, and the analysis analyse_series gives of it."""

    def make(
        chart_type="i",
        value_kind="continuous",
        direction="decrease",
        target=4.0,
        values=SHIFT,
        denominators=None,
    ):
        measure = make_measure(
            aim,
            chart_type=chart_type,
            value_kind=value_kind,
            direction=direction,
            target_value=target,
            baseline_start=None,
        )
        for number, value in enumerate(values):
            extra = {"denominator": denominators[number]} if denominators else {}
            add_point(measure, world.team_a, month(number), value, **extra)
        analyses = analyse_series([measure], world.x, [world.team_a.id])
        return measure, analyses.get((measure.id, world.team_a.id))

    return make


def test_a_shift_shows_the_analysis_icons_in_words(world, client_for, charted):
    measure, analysis = charted()
    assert analysis.variation == "special_cause_improvement"
    assert analysis.assurance is not None
    response = client_for(world.member_a).get(f"/measures/{measure.id}")
    assert response.status_code == 200
    text = icons_text(response)
    label, sentence = VARIATION_WORDS[analysis.variation]
    assert f"{label} {sentence}" in text
    label, sentence = ASSURANCE_WORDS[analysis.assurance]
    assert f"{label} {sentence}" in text
    assert f"the latest point shows ({analysis.latest_period:%B %Y})" in text


NO_TARGET = "No target set, so no assurance icon."
# chart, kind of value, direction, target, values, denominators, and what is said instead of an
# assurance icon (None: the analysis has one).
CHARTS = {
    "i": ("i", "continuous", "decrease", 4.0, SHIFT, None, None),
    "c": ("c", "count", "decrease", 4.0, SHIFT, None, None),
    "p": ("p", "proportion", "increase", 0.9, SHARES, [20] * 20, None),
    "u": ("u", "rate", "decrease", 0.2, SHIFT, [40] * 20, None),
    "run": (
        "run",
        "continuous",
        "decrease",
        4.0,
        SHIFT,
        None,
        "A run chart has no control limits, so there is no assurance icon.",
    ),
    "mr": ("mr", "continuous", "decrease", 4.0, SHIFT, None, "A moving range chart shows"),
    "no target": ("i", "continuous", "decrease", None, SHIFT, None, NO_TARGET),
    "neutral": (
        "i",
        "continuous",
        "neutral",
        4.0,
        SHIFT,
        None,
        "Neither higher nor lower is better for this measure, so there is no assurance icon.",
    ),
}


@pytest.mark.parametrize("case", CHARTS.values(), ids=CHARTS.keys())
def test_every_chart_type_shows_its_icons(world, client_for, charted, case):
    *definition, instead = case
    measure, analysis = charted(*definition)
    text = icons_text(client_for(world.member_a).get(f"/measures/{measure.id}"))
    label, sentence = VARIATION_WORDS[analysis.variation]
    assert f"{label} {sentence}" in text
    if instead is None:
        assert analysis.assurance is not None
        label, sentence = ASSURANCE_WORDS[analysis.assurance]
        assert f"{label} {sentence}" in text
    else:
        assert analysis.assurance is None
        assert instead in text
        assert not any(label in text for label, _ in ASSURANCE_WORDS.values())


def test_the_icons_are_drawings_hidden_from_screen_readers_beside_visible_words(
    world, client_for, charted
):
    measure, _ = charted()
    page = client_for(world.member_a).get(f"/measures/{measure.id}").get_data(as_text=True)
    section = page.split('id="measure-icons"', 1)[1].split("What the icons mean", 1)[0]
    icons = re.findall(r"<svg\b[^>]*>", section)
    assert len(icons) == 2
    assert all('aria-hidden="true"' in icon and 'focusable="false"' in icon for icon in icons)
    # The words are ordinary text, not text only screen readers get.
    assert "govuk-visually-hidden" not in section


def test_trial_limits_are_said(world, client_for, charted):
    measure, analysis = charted(values=SHIFT[:8])
    assert analysis.trial
    text = icons_text(client_for(world.member_a).get(f"/measures/{measure.id}"))
    assert "These are trial limits" in text


def test_the_chart_fragment_brings_its_icons(world, client_for, charted):
    measure, analysis = charted()
    headers = {**HTMX, "HX-Target": "measure-chart"}
    response = client_for(world.member_a).get(f"/measures/{measure.id}", headers=headers)
    body = response.get_data(as_text=True).strip()
    assert body.startswith('<section id="measure-chart"')
    assert VARIATION_WORDS[analysis.variation][0] in icons_text(response)


def test_no_icons_before_there_is_a_chart(world, client_for, charted):
    measure, analysis = charted(values=[5])
    assert analysis is None
    page = client_for(world.member_a).get(f"/measures/{measure.id}").get_data(as_text=True)
    assert 'id="measure-icons"' not in page
    assert "The chart appears once there are at least two values." in page
