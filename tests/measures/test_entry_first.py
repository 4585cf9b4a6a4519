"""Issue 17, point 1: the measure page opens at this period (entry row first, newest first, older
periods a page at a time) and a team's "enter this period's data" page lists every measure with
the period that is due, each saving through the measure's own save and moving on to the next.

World: collaborative X with teams A and B (see tests/conftest.py)."""

from __future__ import annotations

import re
from datetime import date

from improve.extensions import db
from improve.measures.entry_views import due_period
from improve.measures.queries import EARLIER_PAGE, RECENT_PERIODS, period_of, step
from improve.models import DataPoint, Frequency
from tests.conftest import text_of


def row_periods(html: str) -> list[str]:
    return re.findall(r'<tr class="govuk-table__row" id="row-(\d{4}-\d\d-\d\d)"', html)


def weekly_measure(make_aim, make_measure, world, weeks: int):
    """A weekly measure of team A with a value in each of the last `weeks` weeks."""
    this_week = period_of(date.today(), Frequency.WEEKLY)
    first = step(this_week, Frequency.WEEKLY, -(weeks - 1))
    measure = make_measure(
        make_aim(world.team_a), name="Falls a week", frequency="weekly", baseline_start=first
    )
    for index in range(weeks):
        period = step(first, Frequency.WEEKLY, index)
        db.session.add(
            DataPoint(
                measure_id=measure.id,
                team_id=world.team_a.id,
                period_start=period,
                value=float(5 + index % 4),
                note=f"Night shift notes for week {index}",
            )
        )
    db.session.commit()
    return measure, this_week


def test_the_measure_page_opens_at_this_period_newest_first(
    world, client_for, make_aim, make_measure
):
    measure, this_week = weekly_measure(make_aim, make_measure, world, 96)
    html = client_for(world.member_a).get(f"/measures/{measure.id}").get_data(as_text=True)
    shown = row_periods(html)
    expected = [step(this_week, Frequency.WEEKLY, -n).isoformat() for n in range(RECENT_PERIODS)]
    assert shown == expected
    # The entry comes before the chart and the definition; a skip link leads straight to it.
    assert html.index('id="data-entry"') < html.index('id="measure-chart"')
    assert html.index('id="data-entry"') < html.index(">Definition</h2>")
    skip = f'<a href="#value-{this_week.isoformat()}" class="govuk-skip-link"'
    assert skip in html and "Enter this period's value</a>" in html
    assert "This week" in text_of_html(html.split('id="row-')[1])
    # Issue 17's target: under 100 KB of HTML at 96 weekly points (it was 445 KB).
    assert len(html.encode()) < 100_000


def text_of_html(fragment: str) -> str:
    return re.sub(r"<[^>]+>", " ", fragment)


def test_earlier_periods_come_a_page_at_a_time_and_save_back_to_their_page(
    world, client_for, make_aim, make_measure
):
    measure, this_week = weekly_measure(make_aim, make_measure, world, 96)
    client = client_for(world.member_a)
    first = client.get(f"/measures/{measure.id}").get_data(as_text=True)
    earlier = re.search(r'href="(/measures/\d+\?before=[\d-]+)#data-entry" rel="next"', first)
    assert earlier, "the first page links to the earlier weeks"
    second = client.get(earlier.group(1)).get_data(as_text=True)
    oldest_on_first = step(this_week, Frequency.WEEKLY, -(RECENT_PERIODS - 1))
    expected = [
        step(oldest_on_first, Frequency.WEEKLY, -n).isoformat() for n in range(1, EARLIER_PAGE + 1)
    ]
    assert row_periods(second) == expected
    assert "Latest weeks" in second and "Enter this period" not in second

    # A row of an earlier page saves (without JavaScript) back to a page that shows it ...
    period = date.fromisoformat(expected[3])
    saved = client.post(
        f"/measures/{measure.id}/points",
        data={"period": period.isoformat(), "value": "6", "version": "1"},
    )
    assert saved.status_code == 303
    location = saved.headers["Location"]
    assert f"before={step(period, Frequency.WEEKLY).isoformat()}" in location
    assert location.endswith(f"#row-{period.isoformat()}")
    assert period.isoformat() in row_periods(client.get(location).get_data(as_text=True))
    # ... and its form posts to that page, so htmx swaps in the same page of rows.
    assert f"/points?before={earlier.group(1).split('before=')[1]}" in second


def test_a_wrong_page_address_is_not_found(world, client_for, make_aim, make_measure):
    measure = make_measure(make_aim(world.team_a))
    client = client_for(world.member_a)
    for wrong in ("2026-02-02", "yesterday", "2026-13-01", "²026-01-01", ""):
        assert client.get(f"/measures/{measure.id}?before={wrong}").status_code == 404


def test_the_due_period_is_last_periods_until_it_is_entered_then_this_one():
    current, previous = date(2026, 12, 1), date(2026, 11, 1)
    assert due_period(current, previous, set()) == previous
    assert due_period(current, previous, {previous}) == current
    assert due_period(current, previous, {previous, current}) is None
    assert due_period(current, previous, {current}) == previous


def test_team_entry_lists_each_measure_with_its_due_period_and_moves_on(
    world, client_for, make_aim, make_measure, add_point
):
    aim = make_aim(world.team_a)
    falls = make_measure(aim, name="Falls a month")
    visits = make_measure(aim, name="Visits a month", measure_type="process")
    this_month = period_of(date.today(), Frequency.MONTHLY)
    last_month = step(this_month, Frequency.MONTHLY, -1)
    add_point(falls, world.team_a, last_month, 4)
    client = client_for(world.member_a)

    page = client.get(f"/teams/{world.team_a.id}/enter")
    assert page.status_code == 200
    text = text_of(page)
    assert "2 of 2 measures need values" in text
    html = page.get_data(as_text=True)
    falls_box = html.split(f'id="measure-{falls.id}"')[1].split("</section>")[0]
    assert f'value="{this_month.isoformat()}"' in falls_box  # last month is saved
    assert "Last saved: 4" in text_of_html(falls_box)
    visits_box = html.split(f'id="measure-{visits.id}"')[1].split("</section>")[0]
    assert f'value="{last_month.isoformat()}"' in visits_box

    saved = client.post(
        f"/measures/{falls.id}/points",
        data={
            "period": this_month.isoformat(),
            "value": "3",
            "version": "",
            "return_to": "team-entry",
        },
    )
    assert saved.status_code == 303
    assert saved.headers["Location"].endswith(f"/teams/{world.team_a.id}/enter?saved={falls.id}")
    after = client.get(saved.headers["Location"])
    assert f"Saved Falls a month: {this_month:%B %Y}." in text_of(after)
    # The next measure still due takes the focus: Enter saves and moves on.
    assert re.search(rf'id="value-{visits.id}"[^>]*autofocus', after.get_data(as_text=True))
    assert "1 of 2 measures needs a value" in text_of(after)


def test_team_entry_is_for_those_who_enter_data(world, client_for):
    assert client_for(world.expert_a).get(f"/teams/{world.team_a.id}/enter").status_code == 403
    assert client_for(world.member_b).get(f"/teams/{world.team_a.id}/enter").status_code == 404
    empty = client_for(world.lead_a).get(f"/teams/{world.team_a.id}/enter")
    assert empty.status_code == 200 and "Your team has no measures yet" in text_of(empty)


def test_the_team_page_and_home_page_lead_to_team_entry(world, client_for):
    address = f'href="/teams/{world.team_a.id}/enter"'
    client = client_for(world.member_a)
    assert address in client.get(f"/teams/{world.team_a.id}").get_data(as_text=True)
    assert address in client.get("/").get_data(as_text=True)
    expert = client_for(world.expert_a)
    assert address not in expert.get(f"/teams/{world.team_a.id}").get_data(as_text=True)


def test_entering_weeks_in_order_runs_on_to_the_later_page(
    world, client_for, make_aim, make_measure
):
    measure, this_week = weekly_measure(make_aim, make_measure, world, 20)
    oldest_latest = step(this_week, Frequency.WEEKLY, -(RECENT_PERIODS - 1))
    just_before = step(oldest_latest, Frequency.WEEKLY, -1)  # the newest of the earlier page
    response = client_for(world.member_a).post(
        f"/measures/{measure.id}/points?before={oldest_latest.isoformat()}",
        data={"period": just_before.isoformat(), "value": "6", "version": "1"},
        headers={"HX-Request": "true"},
    )
    html = response.get_data(as_text=True)
    shown = row_periods(html)
    # The next week, on the later page, comes on top with the focus; the saved one beneath.
    assert shown[:2] == [oldest_latest.isoformat(), just_before.isoformat()]
    assert re.search(rf'id="value-{oldest_latest.isoformat()}"[^>]*autofocus', html)
