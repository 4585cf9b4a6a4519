"""Participation over time: every page and file shows the counts of the one function
(improve.analysis.community.participation), so they agree; pages cost the same number of queries
however many members and meetings there are; every input on the community pages has a hint."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

import pytest

from improve.analysis.community import participation
from improve.communities import queries
from improve.extensions import db
from improve.models import StakeholderGroup
from tests.communities.conftest import add_action, add_meeting
from tests.conftest import text_of
from tests.teams.test_team_page import counting_queries
from tests.test_form_hints import inputs_without_hints

TODAY = date.today()


@pytest.fixture
def history(cop, join):
    """Three meetings of community C: members and guests, someone who left since, and a guest-only
    meeting; and one planned after today."""
    left = join("Lee Leaver", cop.c, group=StakeholderGroup.FRONTLINE_PRACTITIONER)
    left.left_on = TODAY - timedelta(days=20)
    first = add_meeting(cop.c, TODAY - timedelta(days=70), "First", guests={"carer": 2})
    first.attendees = [cop.fay_member, cop.meg_member, left]
    second = add_meeting(cop.c, TODAY - timedelta(days=40), "Second", guests={"provider": 3})
    third = add_meeting(cop.c, TODAY - timedelta(days=10), "Third")
    third.attendees = [cop.meg_member, cop.sam, cop.rory_member]
    add_meeting(cop.c, TODAY + timedelta(days=20), "Planned")
    db.session.commit()
    cop.meetings = (first, second, third)
    return cop


def the_count(cop):
    db.session.expire_all()
    return participation(
        queries.spells(queries.list_members(cop.c.id)),
        queries.records(queries.list_meetings(cop.c.id)),
        queries.attendance_pairs(cop.c.id),
        groups=queries.GROUPS,
        started_on=cop.c.started_on,
        today=TODAY,
    )


def table_rows(html: str, table_id: str) -> list[list[str]]:
    table = re.search(rf'<table[^>]*id="{table_id}".*?</table>', html, re.S)
    assert table, table_id
    rows = []
    for row in re.findall(r"<tr.*?</tr>", table.group(0), re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        rows.append([re.sub(r"<[^>]+>", "", cell).strip() for cell in cells])
    return rows


def csv_rows(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    text = response.get_data(as_text=True).lstrip("\ufeff")
    return list(csv.DictReader(io.StringIO(text)))


def test_the_overview_the_members_page_the_participation_page_and_the_csv_agree(
    history, client_for
):
    found = the_count(history)
    assert found.current_total == 4  # Fay, Meg, Rory, Sam: Lee has left
    client = client_for(history.meg)
    labels = queries.GROUP_LABELS
    expected = {labels[g]: str(n) for g, n in found.current.items() if n}

    overview = table_rows(
        client.get(f"/communities/{history.c.id}").get_data(as_text=True), "members-by-group-table"
    )
    members = table_rows(
        client.get(f"/communities/{history.c.id}/members").get_data(as_text=True), "member-counts"
    )
    for rows in (overview, members):
        assert dict(rows[1:-1]) == expected
        assert rows[-1] == ["All members", str(found.current_total)]

    html = client.get(f"/communities/{history.c.id}/participation").get_data(as_text=True)
    membership = table_rows(html, "membership-table")
    header, last = membership[0], membership[-1]
    shown = dict(zip(header[1:], last[1:], strict=True))
    assert shown.pop("Total") == str(found.current_total)
    assert {k: v for k, v in shown.items() if v != "0"} == expected

    months = csv_rows(client.get(f"/communities/{history.c.id}/participation-membership.csv"))
    assert len(months) == len(found.months) == len(membership) - 1
    assert months[-1]["Total"] == str(found.current_total)
    assert {k: v for k, v in months[-1].items() if k in expected} == expected
    assert all(months[-1][labels[g]] == "0" for g, n in found.current.items() if not n)


def test_attendance_agrees_on_the_meetings_list_the_meeting_page_the_table_and_the_csv(
    history, client_for
):
    found = the_count(history)
    assert [m.total for m in found.meetings] == [5, 3, 3]
    client = client_for(history.rory)
    listed = text_of(client.get(f"/communities/{history.c.id}/meetings"))
    assert "First 5 (2 guests)" in listed and "Second 3 (3 guests)" in listed
    assert "Third 3" in listed and "Planned Not held yet" in listed
    for meeting, counted in zip(history.meetings, found.meetings, strict=True):
        page = text_of(client.get(f"/community-meetings/{meeting.id}"))
        assert (
            f"{counted.total} people came: {counted.member_total} "
            f"{'member' if counted.member_total == 1 else 'members'}"
        ) in page
    html = client.get(f"/communities/{history.c.id}/participation").get_data(as_text=True)
    table = table_rows(html, "attendance-table")
    assert [row[-1] for row in table[1:]] == ["5", "3", "3"]
    rows = csv_rows(client.get(f"/communities/{history.c.id}/participation-attendance.csv"))
    assert [row["Meeting"] for row in rows] == ["First", "Second", "Third"]
    assert [(row["Members"], row["Guests"], row["Total"]) for row in rows] == [
        ("3", "2", "5"),
        ("0", "3", "3"),
        ("3", "0", "3"),
    ]
    # The leaver still counts at the meeting they came to.
    assert rows[0]["Frontline practitioner"] == "1"


def test_the_participation_page_has_charts_words_and_tables(history, client_for):
    response = client_for(history.meg).get(f"/communities/{history.c.id}/participation")
    html = response.get_data(as_text=True)
    for prefix in ("membership-chart", "attendance-chart"):
        assert f'aria-labelledby="{prefix}-title {prefix}-desc"' in html
        assert 'role="img"' in html
    assert "style=" not in html  # the CSP forbids inline styles
    page = text_of(response)
    assert "4 members today:" in page
    assert "3 meetings held from" in page
    assert "People who draw on care and carers were 5 of the 11 attendances (45%)." in page
    assert "Download members month by month (CSV)" in page


def test_a_community_with_no_meetings_says_so(cop, client_for):
    page = text_of(client_for(cop.meg).get(f"/communities/{cop.c.id}/participation"))
    assert "No meetings have been held yet, so there is no attendance to count." in page
    assert "Download people at each meeting" not in page


def test_the_csv_neutralises_formulas(cop, client_for):
    add_meeting(cop.c, TODAY - timedelta(days=1), '=HYPERLINK("http://x")')
    rows = csv_rows(
        client_for(cop.fay).get(f"/communities/{cop.c.id}/participation-attendance.csv")
    )
    assert rows[0]["Meeting"].startswith("'=")


def test_an_unknown_table_is_404(cop, client_for):
    assert (
        client_for(cop.fay).get(f"/communities/{cop.c.id}/participation-secrets.csv").status_code
        == 404
    )


# Queries do not grow with the rows -------------------------------------------------------------


def grow(cop, join, size: int) -> None:
    for number in range(size):
        member = join(f"Person {number}", cop.c, group=StakeholderGroup.CARER)
        meeting = add_meeting(cop.c, TODAY - timedelta(days=number + 1), f"Meeting {number}")
        meeting.attendees = [member, cop.meg_member]
        add_action(meeting, f"Action {number}", due_on=TODAY - timedelta(days=1))
    db.session.commit()


PAGES = [
    "/communities",
    "/communities/{c}",
    "/communities/{c}/members",
    "/communities/{c}/meetings",
    "/communities/{c}/participation",
    "/communities/{c}/resources",
    "/community-meetings/{m}",
]


def queries_for(client, cop) -> list[int]:
    latest = queries.list_meetings(cop.c.id)[0]
    counts = []
    for page in PAGES:
        with counting_queries() as statements:
            response = client.get(page.format(c=cop.c.id, m=latest.id))
            assert response.status_code == 200, page
        counts.append(len(statements))
    return counts


def test_pages_cost_the_same_number_of_queries_however_many_rows(cop, client_for, join):
    client = client_for(cop.fay)
    grow(cop, join, 2)
    small = queries_for(client, cop)
    grow(cop, join, 12)
    assert queries_for(client, cop) == small


# Hints -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/communities/new",
        "/communities/{c}/edit",
        "/communities/{c}/members",
        "/community-members/{member}/edit",
        "/communities/{c}/meetings/new",
        "/community-meetings/{m}",
        "/community-meetings/{m}/edit",
        "/community-meetings/{m}/attendance",
        "/community-actions/{a}/edit",
        "/communities/{c}/resources",
    ],
)
def test_every_input_on_the_community_pages_is_linked_to_a_hint(cop, client_for, path):
    meeting = add_meeting(cop.c, TODAY - timedelta(days=1))
    action = add_action(meeting)
    url = path.format(c=cop.c.id, m=meeting.id, a=action.id, member=cop.meg_member.id)
    response = client_for(cop.admin).get(url)
    assert response.status_code == 200, url
    assert inputs_without_hints(response.get_data(as_text=True)) == []
