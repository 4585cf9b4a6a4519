"""Issue 4's "done when", end to end through the app: a team member defines a measure, imports two
years of data, and reads on the measure page what changed, why the app thinks so and which cycles
came before it; `flask analyse` on the same numbers gives the same centre line, limits and signals.
"""

from __future__ import annotations

import json
import re
from datetime import date

import sqlalchemy as sa

from improve.extensions import db
from improve.models import Measure
from improve.models.cycle import cycle_measure
from tests.conftest import text_of
from tests.cycles.factories import make_cycle, make_idea
from tests.measures.test_import import payload_of
from tests.measures.test_views import measure_form

# Falls a month: a year at about 9, then a year at about 4 after the night checklist began.
VALUES = [9, 10, 9, 8, 9, 10, 9, 8, 9, 10, 9, 9, 4, 5, 4, 3, 4, 5, 4, 4, 3, 4, 5, 4]
MONTHS = [date(2024 + m // 12, m % 12 + 1, 1) for m in range(24)]


def table_rows(html: str) -> list[list[str]]:
    """The cells of the chart's data table, row by row (header row left out)."""
    match = re.search(
        r"each period with its centre line and limits.*?<tbody[^>]*>(.*?)</tbody>", html, re.S
    )
    assert match, "the chart must come with its data table"
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", match[1], re.S)
    cells = [re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S) for row in rows]
    return [[" ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in row] for row in cells]


def test_define_import_read_and_the_command_line_agrees(
    world, client_for, make_aim, runner, tmp_path
):
    client = client_for(world.member_a)
    aim = make_aim(world.team_a)
    idea = make_idea(aim, title="Night checklist")
    checklist = make_cycle(
        idea,
        title="Checklist on one floor",
        starts_on=date(2024, 12, 2),
        ends_on=date(2024, 12, 20),
    )

    # 1. Define an I chart measure (lower is better), as the form would.
    created = client.post(
        f"/aims/{aim.id}/measures/new",
        data=measure_form(
            value_kind="continuous", chart_type="i", baseline_start=["1", "1", "2024"]
        ),
    )
    assert created.status_code == 303
    measure = db.session.scalars(sa.select(Measure)).one()
    # The cycle's data plan names the measure (its Plan stage's "measures this cycle collects").
    db.session.execute(cycle_measure.insert().values(cycle_id=checklist.id, measure_id=measure.id))
    db.session.commit()

    # 2. Paste two years from a spreadsheet, check the preview, save.
    pasted = "date\tvalue\n" + "".join(
        f"{m:%d/%m/%Y}\t{v}\n" for m, v in zip(MONTHS, VALUES, strict=True)
    )
    preview = client.post(f"/measures/{measure.id}/import", data={"pasted": pasted})
    assert preview.status_code == 200 and "24 values will be saved" in text_of(preview)
    saved = client.post(
        f"/measures/{measure.id}/import/confirm", data={"payload": payload_of(preview)}
    )
    assert saved.status_code == 303

    # 3. One page: what changed (signals in words), why (the rule), which cycles came before it.
    page = client.get(f"/measures/{measure.id}")
    html, text = page.get_data(as_text=True), text_of(page)
    assert "24 values saved" in text
    assert "Signals: changes that are unlikely to be chance" in text
    assert "below the lower limit" in text or "in a row below the centre line" in text
    assert "cycle 1, Checklist on one floor" in text  # began in the months before the signal
    rows = table_rows(html)
    assert len(rows) == 24

    # 4. The command line on the same numbers gives the same centre, limits and signals.
    csv = tmp_path / "falls.csv"
    csv.write_text(
        "date,value\n" + "".join(f"{m},{v}\n" for m, v in zip(MONTHS, VALUES, strict=True))
    )
    result = runner.invoke(
        args=[
            "analyse",
            str(csv),
            "--chart",
            "i",
            "--direction",
            "decrease",
            "--rules",
            "mdc",
            "--json",
        ]
    )
    assert result.exit_code == 0, result.output
    points = json.loads(result.output)["points"]
    for row, point in zip(rows, points, strict=True):
        _period, value, centre, lower, upper, signal, *_moving_range = row
        assert float(value) == point["value"]
        assert centre == f"{point['cl']:.3g}"
        assert lower == f"{point['lcl']:.3g}" and upper == f"{point['ucl']:.3g}"
        assert (signal != "No signal") == bool(point["rules"]), (row, point)
