"""The SVG chart renderer: structure, accessibility, CSP safety and determinism."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date

import pytest

from improve.analysis import control_chart, signals
from improve.charts import Marker, chart_svg, nice_ticks
from improve.charts.svg import describe, num

NS = {"svg": "http://www.w3.org/2000/svg"}
SHAPES = {
    "common_cause": "circle",
    "special_cause_improvement": "square",
    "special_cause_concern": "triangle",
    "special_cause_neutral_high": "diamond",
    "special_cause_neutral_low": "diamond",
}
# Rising to a shift above the mean, then a fall below it: improvement and concern points.
VALUES = [10, 12, 11, 13, 12, 11, 12, 13, 11, 12, 20, 21, 22, 23, 24, 25, 26, 3, 12, 11]


def months(n: int) -> list[date]:
    return [date(2024 + i // 12, i % 12 + 1, 1) for i in range(n)]


def render(**options: object) -> tuple[str, ET.Element]:
    chart = control_chart(
        options.pop("values", VALUES),  # type: ignore[arg-type]
        options.pop("denominators", None),  # type: ignore[arg-type]
        chart=options.pop("chart", "i"),  # type: ignore[arg-type]
        exclude=options.pop("exclude", ()),  # type: ignore[arg-type]
        breaks=options.pop("breaks", ()),  # type: ignore[arg-type]
    )
    found = signals(
        chart,
        rules=options.pop("rules", "mdc"),  # type: ignore[arg-type]
        direction=options.pop("direction", "increase"),  # type: ignore[arg-type]
    )
    n = chart.value.size
    svg = chart_svg(
        chart,
        found,
        title=str(options.pop("title", "Falls per month")),
        dates=options.pop("dates", months(n)),  # type: ignore[arg-type]
        target=options.pop("target", None),  # type: ignore[arg-type]
        markers=options.pop("markers", ()),  # type: ignore[arg-type]
    )
    assert not options
    return svg, ET.fromstring(svg)


def points(root: ET.Element) -> list[ET.Element]:
    return [el for el in root.iter() if el.get("class") == "point"]


def test_root_is_accessible_and_scales() -> None:
    _, root = render()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("role") == "img"
    assert root.get("width") == "100%"
    assert root.get("viewBox") == "0 0 720 320"
    title = root.find("svg:title", NS)
    desc = root.find("svg:desc", NS)
    assert title is not None and title.text == "Falls per month"
    assert desc is not None and desc.text and desc.text.startswith("I chart of 20 points")
    assert root.get("aria-labelledby") == "chart-title chart-desc"


def test_one_point_per_value_shaped_and_coloured_by_type() -> None:
    chart = control_chart(VALUES, chart="i")
    found = signals(chart, direction="increase")
    _, root = render()
    elements = points(root)
    assert len(elements) == len(VALUES)
    kinds = {el.get("data-point-type") for el in elements}
    assert {"common_cause", "special_cause_improvement", "special_cause_concern"} <= kinds
    for i, el in enumerate(elements):
        kind = found.point_type[i]
        assert el.get("data-point-type") == kind
        expected_tag = "circle" if SHAPES[kind] == "circle" else "polygon"
        assert el.tag == f"{{{NS['svg']}}}{expected_tag}"
        assert el.get("fill") == el.get("stroke")  # filled: not excluded
    colours = {el.get("data-point-type"): el.get("stroke") for el in elements}
    assert colours["common_cause"] == "#a6a6a6"
    assert colours["special_cause_improvement"] == "#00b0f0"
    assert colours["special_cause_concern"] == "#e46c0a"


def test_neutral_points_are_purple_diamonds() -> None:
    _, root = render(direction="neutral")
    neutral = [el for el in points(root) if "neutral" in (el.get("data-point-type") or "")]
    assert neutral
    assert all(el.tag == f"{{{NS['svg']}}}polygon" for el in neutral)
    assert all(len((el.get("points") or "").split()) == 4 for el in neutral)  # a diamond
    assert all(el.get("stroke") == "#490092" for el in neutral)


def test_excluded_points_are_hollow() -> None:
    _, root = render(exclude=[3, 18])
    elements = points(root)
    for index, el in enumerate(elements, start=1):
        if index in (3, 18):
            assert el.get("data-excluded") == "true"
            assert el.get("fill") == "#ffffff"
            assert el.get("stroke") != "#ffffff"
        else:
            assert el.get("data-excluded") is None
            assert el.get("fill") != "#ffffff"
    legend = root.find(".//svg:g[@class='legend']", NS)
    assert legend is not None
    assert "Excluded" in [t.text for t in legend.iter(f"{{{NS['svg']}}}text")]


def test_gaps_have_no_point() -> None:
    values = [float(v) for v in VALUES]
    values[4] = float("nan")
    _, root = render(values=values)
    indices = [el.get("data-index") for el in points(root)]
    assert len(indices) == len(VALUES) - 1
    assert "5" not in indices


def test_target_line_only_with_a_target() -> None:
    _, root = render()
    assert root.find(".//*[@class='target']", NS) is None
    _, root = render(target=18)
    target = root.find(".//*[@class='target']", NS)
    assert target is not None
    assert target.get("stroke") == "#de1b1b"
    assert target.get("stroke-dasharray")
    assert target.get("y1") == target.get("y2")


def test_p_chart_limits_step_with_varying_denominators() -> None:
    numerators = [20, 30, 18, 45, 25, 33, 22, 40, 28, 35, 21, 30]
    denominators = [100, 150, 80, 200, 120, 160, 90, 210, 130, 170, 95, 140]
    _, root = render(values=numerators, denominators=denominators, chart="p", dates=months(12))
    limits = root.findall(".//svg:path[@class='limit']", NS)
    assert len(limits) == 2
    for path in limits:
        d = path.get("d") or ""
        assert d.count("V") >= 5  # steps up and down between points
        assert path.get("stroke-dasharray")
    centre = root.findall(".//svg:path[@class='centre']", NS)
    assert len(centre) == 1 and "V" not in (centre[0].get("d") or "")


def test_phases_break_lines_and_are_labelled() -> None:
    _, root = render(breaks=[10])
    labels = [el.text for el in root.findall(".//svg:text[@class='phase-label']", NS)]
    assert labels == ["Phase 2"]
    assert len(root.findall(".//svg:line[@class='phase']", NS)) == 1
    assert len(root.findall(".//svg:path[@class='centre']", NS)) == 2
    assert len(root.findall(".//svg:path[@class='limit']", NS)) == 4
    _, root = render(breaks=[6, 12])
    labels = [el.text for el in root.findall(".//svg:text[@class='phase-label']", NS)]
    assert labels == ["Phase 2", "Phase 3"]


def test_run_chart_has_a_median_and_no_limits() -> None:
    _, root = render(chart="run", rules="anhoej")
    assert root.findall(".//svg:path[@class='limit']", NS) == []
    assert len(root.findall(".//svg:path[@class='centre']", NS)) == 1
    legend = [t.text for t in root.iter(f"{{{NS['svg']}}}text")]
    assert "Median" in legend and "Limits" not in legend
    desc = root.find("svg:desc", NS)
    assert desc is not None and desc.text and desc.text.startswith("Run chart")


def test_mr_chart_skips_the_first_point() -> None:
    _, root = render(chart="mr")
    assert len(points(root)) == len(VALUES) - 1
    assert len(root.findall(".//svg:path[@class='limit']", NS)) == 2


def marker_titles(root: ET.Element) -> list[str | None]:
    return [el.text for el in root.findall(".//svg:g[@class='marker']/svg:title", NS)]


def badges(root: ET.Element) -> list[tuple[float, float, float]]:
    found = root.findall(".//svg:g[@class='marker']/svg:circle", NS)
    return [
        (float(c.get("cx") or 0), float(c.get("cy") or 0), float(c.get("r") or 0)) for c in found
    ]


def test_markers_by_date_and_index_are_numbered_with_their_names_in_titles() -> None:
    markers = [
        Marker(date(2024, 3, 15), "PDSA 1: call families"),
        Marker(12, "PDSA 2"),
        Marker(date(2030, 1, 1), "Too late"),
    ]
    _, root = render(markers=markers)
    labels = [el.text for el in root.findall(".//svg:text[@class='marker-label']", NS)]
    assert labels == ["1", "2"]  # the key beneath the chart names them
    assert marker_titles(root) == ["PDSA 1: call families", "PDSA 2"]
    groups = root.findall(".//svg:g[@class='marker']", NS)
    # A date between periods goes at the first period on or after it (April 2024, point 4).
    first = groups[0].find("svg:line", NS)
    slot = (704 - 56) / 20
    assert first is not None and first.get("x1") == num(56 + 3.5 * slot)


@pytest.mark.parametrize(
    "indexes",
    [[5, 6], [4, 4, 4], [3, 3, 4, 4, 5, 5, 5], list(range(1, 21)) * 2, [20, 20, 20, 19]],
)
def test_cycle_badges_never_overlap_however_close_the_cycles(indexes: list[int]) -> None:
    markers = [Marker(at, f"Cycle {n}") for n, at in enumerate(indexes, start=1)]
    _, root = render(markers=markers)
    drawn = badges(root)
    assert len(drawn) == len(indexes)
    for i, (x1, y1, r1) in enumerate(drawn):
        assert r1 <= x1 <= 720 - r1
        for x2, y2, r2 in drawn[i + 1 :]:
            assert ((x1 - x2) ** 2 + (y1 - y2) ** 2) ** 0.5 >= r1 + r2, (x1, y1, x2, y2)


def test_a_markers_number_can_be_given() -> None:
    _, root = render(markers=[Marker(2, "Cycle 7: calls", number=7)])
    labels = [el.text for el in root.findall(".//svg:text[@class='marker-label']", NS)]
    assert labels == ["7"] and marker_titles(root) == ["Cycle 7: calls"]


def test_user_text_is_escaped() -> None:
    title = 'Falls <script>alert("x")</script> & trips'
    svg, root = render(title=title, markers=[Marker(3, "<b>Cycle</b> & co")])
    assert "<script>" not in svg and "<b>" not in svg
    assert "&lt;script&gt;" in svg and "&amp; trips" in svg
    element = root.find("svg:title", NS)
    assert element is not None and element.text == title
    assert marker_titles(root) == ["<b>Cycle</b> & co"]


def test_no_inline_styles() -> None:
    svg, root = render(target=15, breaks=[10], exclude=[2], markers=[Marker(4, "PDSA")])
    assert "style=" not in svg
    assert all(el.tag != f"{{{NS['svg']}}}style" for el in root.iter())
    assert all("style" not in el.attrib for el in root.iter())


def test_output_is_deterministic() -> None:
    first, _ = render(target=15, breaks=[10], markers=[Marker(4, "PDSA")])
    second, _ = render(target=15, breaks=[10], markers=[Marker(4, "PDSA")])
    assert first == second


def test_coordinates_have_at_most_two_decimals() -> None:
    _, root = render(target=15.123456)
    for el in root.iter():
        for name in ("x", "y", "x1", "y1", "x2", "y2", "cx", "cy"):
            value = el.get(name)
            if value is not None:
                assert len(value.partition(".")[2]) <= 2, (name, value)


def test_x_labels_are_thinned_for_long_series() -> None:
    values = [float(i % 7) for i in range(104)]
    _, root = render(values=values, rules="anhoej", chart="run", dates=months(104))
    labels = root.findall(".//svg:text[@class='x-label']", NS)
    assert 4 <= len(labels) <= 12
    xs = [float(el.get("x") or 0) for el in labels]
    assert all(b - a >= 60 for a, b in zip(xs, xs[1:], strict=False))


def test_index_labels_without_dates() -> None:
    _, root = render(dates=None)
    labels = [el.text for el in root.findall(".//svg:text[@class='x-label']", NS)]
    assert labels[0] == "1"


def test_dates_must_match_points() -> None:
    with pytest.raises(ValueError, match="one date per point"):
        render(dates=months(3))


@pytest.mark.parametrize(
    ("low", "high"),
    [(0.0, 1.0), (0.25, 30.6), (93.1, 94.7), (-5.0, 5.0), (7.0, 7.0), (0.0012, 0.0049)],
)
def test_nice_ticks(low: float, high: float) -> None:
    ticks = nice_ticks(low, high)
    assert 3 <= len(ticks) <= 6
    assert ticks[0] <= low and ticks[-1] >= high
    steps = {round(b - a, 9) for a, b in zip(ticks, ticks[1:], strict=False)}
    assert len(steps) == 1


def test_num_rounds_to_two_decimals() -> None:
    assert num(1.23456) == "1.23"
    assert num(2.0) == "2"
    assert num(-0.001) == "0"


def test_describe_mentions_signals_and_target() -> None:
    chart = control_chart(VALUES, chart="i")
    found = signals(chart, direction="increase")
    text = describe(chart, found, dates=months(20), target=18)
    assert "from Jan 2024 to Aug 2025" in text
    assert "Target 18." in text
    assert "special cause improvement" in text and "special cause concern" in text


@pytest.mark.parametrize("kind", ["run", "i", "mr", "p", "u", "c"])
def test_every_chart_type_renders(kind: str) -> None:
    numerators = [3, 5, 4, 6, 2, 7, 5, 4, 3, 6, 5, 4]
    denominators = [40, 55, 38, 60, 30, 70, 52, 41, 35, 61, 50, 44]
    svg, root = render(
        values=numerators,
        denominators=denominators if kind in ("p", "u") else None,
        chart=kind,
        rules="anhoej" if kind == "run" else "mdc",
        dates=months(12),
        target=4.5 if kind in ("run", "i", "c") else None,
    )
    assert "style" not in svg
    expected = 11 if kind == "mr" else 12
    assert len(points(root)) == expected
    assert len(root.findall(".//svg:path[@class='centre']", NS)) == 1
    assert len(root.findall(".//svg:path[@class='limit']", NS)) == (0 if kind == "run" else 2)


def test_tick_labels_keep_the_decimals_their_step_needs():
    from improve.charts.svg import label_number

    assert [label_number(v, 2.5) for v in (0, 2.5, 7.5, 12.5)] == ["0.0", "2.5", "7.5", "12.5"]
    assert [label_number(v, 2) for v in (0, 2, 10)] == ["0", "2", "10"]
    assert label_number(0.25, 0.05) == "0.25"
