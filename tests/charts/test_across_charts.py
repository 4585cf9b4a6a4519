"""The charts of a shared measure across teams: small multiples on one scale and the funnel plot
(pure, no app): accessible, no inline styles, hidden values not drawn, shapes that say what a
point is without colour."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from datetime import date

from improve.analysis.funnel import funnel
from improve.charts.funnel_plot import funnel_svg
from improve.charts.multiples import shared_scale, small_multiple_svg

NS = {"svg": "http://www.w3.org/2000/svg"}
NAN = math.nan
MONTHS = [date(2025, month, 1) for month in range(1, 7)]


def small(**changes: object) -> tuple[str, ET.Element]:
    scale = shared_scale([0.2, 0.9], MONTHS, percent=True)
    assert scale is not None
    options: dict[str, object] = {
        "dates": MONTHS,
        "values": [0.5, 0.55, NAN, 0.6, 0.8, 0.82],
        "centre": [0.6] * 6,
        "lower": [0.3] * 6,
        "upper": [0.9] * 6,
        "parts": [1] * 6,
        "point_types": ["common_cause"] * 4 + ["special_cause_improvement"] * 2,
        "excluded": [False] * 6,
        "title": "People in control, Team <A>",
        "description": "Latest shown 82% & rising.",
        "id_prefix": "multiple-1-2",
    }
    svg = small_multiple_svg(scale, **(options | changes))  # type: ignore[arg-type]
    return svg, ET.fromstring(svg)


def test_a_small_multiple_is_an_accessible_image_without_inline_styles() -> None:
    svg, root = small()
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "multiple-1-2-title multiple-1-2-desc"
    assert root.find("svg:title", NS).text == "People in control, Team <A>"  # escaped, read back
    assert root.find("svg:desc", NS).text == "Latest shown 82% & rising."
    assert "style=" not in svg and "<script" not in svg


def test_hidden_values_are_not_drawn_and_shapes_tell_the_signals() -> None:
    _svg, root = small()
    points = root.findall(".//*[@class='point']")
    assert len(points) == 5  # the NaN (a hidden small number) is left out
    improvements = [p for p in points if p.get("data-point-type") == "special_cause_improvement"]
    assert [p.tag.split("}")[1] for p in improvements] == ["rect", "rect"]  # squares
    # The data line breaks at the hidden point: two runs, not one line across it.
    assert len(root.findall(".//*[@class='data']")) == 2


def test_lines_left_out_for_a_phase_are_not_drawn() -> None:
    _svg, root = small(centre=[NAN] * 3 + [0.7] * 3, parts=[1, 1, 1, 2, 2, 2])
    centre = root.findall(".//*[@class='centre']")
    assert len(centre) == 1 and len(centre[0].get("points").split()) == 3


def test_every_team_shares_the_scale() -> None:
    scale = shared_scale([0.12, 0.81, 0.4], [MONTHS[2], MONTHS[0]], percent=True)
    assert scale is not None
    assert (scale.low, scale.high) == (0.0, 1.0)
    assert (scale.first, scale.last) == (MONTHS[0], MONTHS[2])
    assert scale.label(0.4) == "40%"
    # Nothing but zeros shown: a scale from 0 up, not around 0.
    zeros = shared_scale([0.0, 0.0], MONTHS)
    assert zeros is not None and zeros.low == 0.0 and zeros.high > 0
    assert shared_scale([], []) is None


def test_the_funnel_plot_draws_every_team_the_average_and_four_limits() -> None:
    teams = [(1, 45, 50), (2, 10, 50), (3, 26, 50), (4, 60, 120), (5, 7, 12)]
    found = funnel("proportion", teams, direction="increase", average=0.5)
    assert found is not None
    names = {1: "Riverside & Co", 2: "Meadowbank", 3: "North", 4: "Carers", 5: "Pathways"}
    svg = funnel_svg(
        found,
        names,
        title="Funnel plot",
        description="2 teams are beyond the 99.8% limits.",
        size_words="Team size: people asked",
        value_words="People in control",
        percent=True,
    )
    root = ET.fromstring(svg)
    assert root.get("role") == "img" and "style=" not in svg
    dots = root.findall(".//*[@class='team']")
    assert len(dots) == 5
    bands = {dot.find("svg:title", NS).text.split(":")[0]: dot.get("data-band") for dot in dots}
    assert bands == {
        "Riverside & Co": "unusual",
        "Meadowbank": "unusual",
        "North": "within",
        "Carers": "within",
        "Pathways": "within",
    }
    # Better is a filled square (4 corners), worse a filled triangle (3), within a grey circle.
    by_name = {dot.find("svg:title", NS).text.split(":")[0]: dot for dot in dots}
    assert len(by_name["Riverside & Co"].get("points").split()) == 4
    assert len(by_name["Meadowbank"].get("points").split()) == 3
    assert by_name["Meadowbank"].get("fill") == by_name["Meadowbank"].get("stroke")  # filled
    assert by_name["North"].tag.endswith("circle")
    limits = root.findall(".//*[@class]")
    assert len([e for e in limits if (e.get("class") or "").startswith("limit ")]) == 4
    assert len(root.findall(".//*[@class='average']")) == 1
