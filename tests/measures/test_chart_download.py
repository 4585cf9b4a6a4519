"""Downloading a measure's chart as SVG or PNG, and the cycles listed before each signal on its
page.

World: collaborative X with teams A and B, collaborative Y with team C (see tests/conftest.py).
"""

from __future__ import annotations

import re
import struct
import zlib
from datetime import date

import pytest

from improve.charts.png import png_from_svg, svg_size
from improve.charts.svg import HEADING_HEIGHT, HEIGHT, LEFT, WIDTH
from improve.extensions import db
from improve.models import ChartType, Stage
from improve.models.cycle import cycle_measure
from tests.cycles.factories import make_cycle, make_idea

# Twelve months at about 9, then twelve at about 4: a shift the rules find from January 2026.
VALUES = [9, 10, 9, 8, 9, 10, 9, 8, 9, 10, 9, 9, 4, 5, 4, 3, 4, 5, 4, 4, 3, 4, 5, 4]
MONTHS = [date(2025 + m // 12, m % 12 + 1, 1) for m in range(24)]


@pytest.fixture
def charted(world, make_aim, make_measure, add_point):
    aim = make_aim(world.team_a)
    measure = make_measure(aim, name="Falls a month / night (A&B)", chart_type=ChartType.I)
    for period, value in zip(MONTHS, VALUES, strict=True):
        add_point(measure, world.team_a, period, value)
    return measure


def test_download_is_the_charts_svg_as_a_file(world, client_for, charted):
    response = client_for(world.member_a).get(f"/measures/{charted.id}/chart.svg")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert (
        response.headers["Content-Disposition"]
        == 'attachment; filename="Falls-a-month-night-A-B.svg"'
    )
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith("<svg") and body.rstrip().endswith("</svg>")
    # The I chart, then its moving ranges beneath (issue 17, point 3).
    individuals, moving = body.split('id="mr-chart-title"')
    assert individuals.count('class="point"') == 24
    # A heading says what the picture is, so it reads on its own in a report (point 2).
    assert ">Falls a month / night (A&amp;B)</text>" in body
    assert ">Team A · Jan 2025 to Dec 2026 · I chart with its moving ranges beneath</text>" in body
    # ... with the Making Data Count icons of the latest point and its words.
    heading = body.split("<svg x=")[0]
    assert re.search(r">(No unusual change|Real improvement|Change for the worse)</text>", heading)


def test_measure_page_links_both_downloads(world, client_for, charted):
    page = client_for(world.member_a).get(f"/measures/{charted.id}").get_data(as_text=True)
    paragraph = page.split("Download the chart:", 1)[1].split("</p>", 1)[0]
    for kind, hidden in (("svg", "file"), ("png", "picture")):
        assert f'href="/measures/{charted.id}/chart.{kind}" download>' in paragraph
        link = paragraph.split(f"chart.{kind}", 1)[1].split("</a>", 1)[0]
        assert f"{kind.upper()}<span" in link
        assert f"{hidden} of the Falls a month / night (A&amp;B) chart" in link


@pytest.mark.parametrize(
    ("person", "status"),
    [
        ("admin", 200),
        ("coordinator_x", 200),
        ("panel_x", 200),
        ("expert_a", 200),
        ("member_b", 404),
        ("coordinator_y", 404),
        ("member_c", 404),
    ],
)
@pytest.mark.parametrize("kind", ["svg", "png"])
def test_who_may_download(world, client_for, charted, person, status, kind):
    response = client_for(getattr(world, person)).get(f"/measures/{charted.id}/chart.{kind}")
    assert response.status_code == status


@pytest.mark.parametrize("kind", ["svg", "png"])
def test_signed_out_download_goes_to_sign_in(client, charted, kind):
    response = client.get(f"/measures/{charted.id}/chart.{kind}")
    assert response.status_code in (302, 303)
    assert response.headers["Location"].startswith("/sign-in")


@pytest.mark.parametrize("kind", ["svg", "png"])
def test_no_chart_yet_or_unknown_measure_is_not_found(
    world, client_for, make_aim, make_measure, kind
):
    empty = make_measure(make_aim(world.team_a))
    client = client_for(world.member_a)
    assert client.get(f"/measures/{empty.id}/chart.{kind}").status_code == 404
    assert client.get(f"/measures/999999/chart.{kind}").status_code == 404


def test_shared_measure_downloads_the_chosen_teams_chart(
    world, client_for, make_measure, add_point
):
    shared = make_measure(collaborative=world.x, name="Days waiting", chart_type=ChartType.I)
    for period, value in zip(MONTHS, VALUES, strict=True):
        add_point(shared, world.team_b, period, value)
    client = client_for(world.admin)
    response = client.get(f"/measures/{shared.id}/chart.svg?team={world.team_b.id}")
    assert response.status_code == 200
    assert 'filename="Days-waiting.svg"' in response.headers["Content-Disposition"]
    assert client.get(f"/measures/{shared.id}/chart.svg?team={world.team_a.id}").status_code == 404
    assert client.get(f"/measures/{shared.id}/chart.svg?team={world.team_c.id}").status_code == 404
    assert client.get(f"/measures/{shared.id}/chart.svg?team=x").status_code == 404
    png = client.get(f"/measures/{shared.id}/chart.png?team={world.team_b.id}")
    assert png.status_code == 200
    assert png.headers["Content-Disposition"] == 'attachment; filename="Days-waiting.png"'
    assert client.get(f"/measures/{shared.id}/chart.png?team={world.team_a.id}").status_code == 404
    assert client.get(f"/measures/{shared.id}/chart.png?team=x").status_code == 404


def _pixels(png: bytes) -> tuple[int, int, list[list[tuple[int, ...]]]]:
    """Width, height and rows of pixels of an 8-bit PNG (no interlacing), read by hand."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    chunks: dict[bytes, bytes] = {}
    at = 8
    while at < len(png):
        (length,) = struct.unpack(">I", png[at : at + 4])
        kind = png[at + 4 : at + 8]
        chunks[kind] = chunks.get(kind, b"") + png[at + 8 : at + 8 + length]
        at += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunks[b"IHDR"])
    assert (depth, interlace) == (8, 0)
    channels = {0: 1, 2: 3, 4: 2, 6: 4}[colour]
    raw = zlib.decompress(chunks[b"IDAT"])
    stride = width * channels
    rows: list[bytearray] = []
    previous = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            corner = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                guess = left + up - corner
                near = min((abs(guess - v), n) for n, v in enumerate((left, up, corner)))[1]
                line[i] = (line[i] + (left, up, corner)[near]) & 0xFF
        rows.append(line)
        previous = line
    pixels = [[tuple(row[x * channels : (x + 1) * channels]) for x in range(width)] for row in rows]
    return width, height, pixels


def test_png_download_is_the_chart_as_a_sharp_picture_on_white(world, client_for, charted):
    client = client_for(world.member_a)
    response = client.get(f"/measures/{charted.id}/chart.png")
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    assert (
        response.headers["Content-Disposition"]
        == 'attachment; filename="Falls-a-month-night-A-B.png"'
    )
    svg = client.get(f"/measures/{charted.id}/chart.svg").get_data(as_text=True)
    picture = (WIDTH, HEADING_HEIGHT + 2 * HEIGHT)  # the heading, the I chart, its ranges
    assert svg_size(svg) == picture

    width, height, pixels = _pixels(response.get_data())

    assert (width, height) == (2 * picture[0], 2 * picture[1])
    white = (255, 255, 255, 255)[: len(pixels[0][0])]
    # White, not see-through, where nothing is drawn: people paste it into reports.
    assert pixels[0][0] == pixels[0][-1] == pixels[-1][0] == pixels[-1][-1] == white
    colours = {pixel[:3] for row in pixels for pixel in row}
    assert len(colours) > 20, "the chart is drawn, not one colour"
    # Concern points (orange triangles) and improvement points (blue squares) are drawn.
    assert any(r > 200 and 80 < g < 140 and b < 50 for r, g, b in colours)
    assert any(r < 30 and 150 < g < 200 and b > 220 for r, g, b in colours)
    # Words are drawn: left of the axis there are only the y-axis numbers, in dark ink.
    left_of_axis = [pixel for row in pixels for pixel in row[: int(LEFT * 2) - 8]]
    assert sum(1 for pixel in left_of_axis if max(pixel[:3]) < 100) > 50


def test_png_from_svg_is_scaled_on_white_and_needs_a_size():
    with pytest.raises(ValueError):
        png_from_svg('<svg xmlns="http://www.w3.org/2000/svg"><rect width="5" height="5"/></svg>')
    small = png_from_svg('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 30 10"/>', scale=3)
    width, height, pixels = _pixels(small)
    assert (width, height) == (90, 30)
    assert {pixel for row in pixels for pixel in row} == {(255, 255, 255, 255)}


def _signals(html: str) -> list[str]:
    """The signal list items, as text."""
    section = html.split("Signals: changes that are unlikely to be chance", 1)[1]
    section = section.split("The chart as a table", 1)[0]
    items = re.findall(r"<li>(.*?)</li>", section, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", item).split()) for item in items]


def test_each_signal_lists_the_cycles_it_follows_and_the_study_stage_agrees(
    world, client_for, charted
):
    idea = make_idea(charted.aim)
    before = make_cycle(
        idea, title="Night checklist", starts_on=date(2025, 11, 3), ends_on=date(2025, 11, 28)
    )
    long_ago = make_cycle(
        idea, title="Old rota", starts_on=date(2024, 1, 8), ends_on=date(2024, 1, 12)
    )
    unplanned = make_cycle(
        idea, title="Not in the plan", starts_on=date(2025, 12, 1), ends_on=date(2025, 12, 5)
    )
    for linked in (before, long_ago):
        db.session.execute(cycle_measure.insert().values(cycle_id=linked.id, measure_id=charted.id))
    db.session.commit()

    html = client_for(world.member_a).get(f"/measures/{charted.id}").get_data(as_text=True)

    items = _signals(html)
    assert items, "the shift must give a signal"
    first = next(item for item in items if item.startswith("Jan 2026"))
    assert "Tests of change before this signal: cycle 1, Night checklist" in first
    # One signal for the whole shift, naming its periods, not one per point.
    assert len([item for item in items if "in a row below the average" in item]) == 1
    assert "Old rota" not in " ".join(items)  # began more than 6 months before
    assert "Not in the plan" not in " ".join(items)  # its data plan does not name the measure
    signals_part = html.split("Signals: changes", 1)[1]
    assert f'href="/cycles/{long_ago.id}"' not in signals_part
    assert f'href="/cycles/{unplanned.id}"' not in signals_part

    # The cycle's Study stage lists the same signal; the old one's lists none.
    def study(cycle) -> str:
        cycle.stage = Stage.STUDY
        db.session.commit()
        page = client_for(world.member_a).get(f"/cycles/{cycle.id}").get_data(as_text=True)
        return page.split('id="study-signals"', 1)[1].split("</div>", 1)[0]

    assert "Jan 2026" in study(before)
    assert "no signals since the cycle began" in study(long_ago)


def test_shared_measure_lists_the_teams_cycles_that_collect_it(
    world, client_for, make_aim, make_measure, add_point
):
    shared = make_measure(collaborative=world.x, name="Days waiting", chart_type=ChartType.I)
    for period, value in zip(MONTHS, VALUES, strict=True):
        add_point(shared, world.team_a, period, value)
    idea_a = make_idea(make_aim(world.team_a))
    collects = make_cycle(
        idea_a, title="Quicker triage", starts_on=date(2025, 12, 1), ends_on=date(2025, 12, 5)
    )
    make_cycle(idea_a, title="Not linked", starts_on=date(2025, 12, 1), ends_on=date(2025, 12, 5))
    db.session.execute(cycle_measure.insert().values(cycle_id=collects.id, measure_id=shared.id))
    db.session.commit()

    html = client_for(world.member_a).get(f"/measures/{shared.id}?team={world.team_a.id}")
    items = _signals(html.get_data(as_text=True))
    first = next(item for item in items if item.startswith("Jan 2026"))
    assert "cycle 1, Quicker triage" in first
    assert "Not linked" not in " ".join(items)
