"""What the adopted changes rest on, in the panel's pack (issue 20, point 3): the panel page, its
print layout and its XLSX file all show improve.analysis.evidence.adopted_evidence of the
records, agree with each other and with the records, follow the page's filters, and cost one
query whatever the number of teams.

World: collaborative X with teams A and B, collaborative Y with team C (tests/conftest.py).
"""

from __future__ import annotations

import html
import io
import re
from datetime import date
from types import SimpleNamespace

import openpyxl
import pytest

from improve.analysis.evidence import adopted_evidence
from improve.extensions import db
from improve.ideas.evidence_queries import adopted_rows
from improve.models import EvidenceKind, IdeaEvidence, Team
from tests.conftest import HTMX
from tests.ideas.conftest import body, make_aim, make_cycle, make_idea, visible
from tests.teams.test_team_page import counting_queries

EXPECTED = (
    "Of 4 adopted changes, 2 rest on practice knowledge, 2 on lived experience and 1 on "
    "research; 1 has no evidence recorded."
)


def url(world, page: str = "", **args) -> str:
    query = "&".join(f"{key}={value}" for key, value in args.items())
    return f"/collaboratives/{world.x.id}/panel{page}" + (f"?{query}" if query else "")


def add_item(idea, team, kind) -> None:
    db.session.add(
        IdeaEvidence(
            team_id=team.id, change_idea_id=idea.id, kind=EvidenceKind(kind), source="A source"
        )
    )
    db.session.commit()


def adopted_idea(team, aim, title, *kinds, on=date(2026, 3, 2), decision="adopt", tests=1):
    idea = make_idea(aim, title)
    for number in range(tests):
        make_cycle(idea, on, decision, number=number + 1)
    for kind in kinds:
        add_item(idea, team, kind)
    return idea


@pytest.fixture
def pack(world) -> SimpleNamespace:
    """Adopted: team A's Night lights (research, lived experience), Huddle (practice knowledge,
    adopted in two tests, two pieces of evidence), Rota (none, adopted in June 2025); team B's
    Buddy system (practice knowledge, lived experience). Not adopted: team A's Falls mats
    (abandoned, research). Another collaborative's adopted idea (lived experience)."""
    aim_a, aim_b = make_aim(world.team_a), make_aim(world.team_b, "B's aim")
    p = SimpleNamespace()
    p.lights = adopted_idea(world.team_a, aim_a, "Night lights", "research", "lived_experience")
    p.huddle = adopted_idea(
        world.team_a, aim_a, "Huddle", "practice_knowledge", "practice_knowledge", tests=2
    )
    p.rota = adopted_idea(world.team_a, aim_a, "Rota", on=date(2025, 6, 2))
    p.buddy = adopted_idea(
        world.team_b, aim_b, "Buddy system", "practice_knowledge", "lived_experience"
    )
    p.mats = adopted_idea(world.team_a, aim_a, "Falls mats", "research", decision="abandon")
    adopted_idea(world.team_c, make_aim(world.team_c, "Y's aim"), "Y's idea", "lived_experience")
    return p


def test_the_function_reads_the_records(world, pack):
    result = adopted_evidence(adopted_rows(world.x.id, None, None, None))

    assert [(c.title, c.team_id, c.kinds) for c in result.changes] == [
        ("Buddy system", world.team_b.id, ("practice_knowledge", "lived_experience")),
        ("Huddle", world.team_a.id, ("practice_knowledge",)),
        ("Night lights", world.team_a.id, ("research", "lived_experience")),
        ("Rota", world.team_a.id, ()),
    ]
    assert result.sentence == EXPECTED


def rows_of_section(page: str) -> list[list[str]]:
    """The section's table as text: (change, team, kinds) per row."""
    table = page.split('id="adopted-evidence-table"', 1)[1].split("</table>", 1)[0]
    body_rows = table.split("<tbody", 1)[1].split("</tr>")[:-1]
    return [
        [
            " ".join(html.unescape(re.sub(r"<[^>]+>", "", cell)).split())
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in body_rows
    ]


EXPECTED_ROWS = [
    ["Buddy system: the evidence behind it", "Team B", "Practice knowledge Lived experience"],
    ["Huddle: the evidence behind it", "Team A", "Practice knowledge"],
    ["Night lights: the evidence behind it", "Team A", "Research Lived experience"],
    ["Rota: the evidence behind it", "Team A", "None recorded yet"],
]


def test_the_panel_page_shows_what_the_adopted_changes_rest_on(world, pack, client_for):
    response = client_for(world.panel_x).get(url(world))

    assert response.status_code == 200
    text = visible(response)
    assert "What the adopted changes rest on" in text
    assert EXPECTED in text
    assert rows_of_section(body(response)) == EXPECTED_ROWS
    counts = text.split("Rest on research", 1)[1].split("</dl>", 1)[0]
    assert counts.startswith(" 1 of 4 Rest on practice knowledge 2 of 4 Rest on lived experience")
    assert "No evidence recorded 1 of 4" in text
    assert f'href="/change-ideas/{pack.lights.id}/evidence"' in body(response)
    assert "Falls mats" not in text and "Y's idea" not in text


def test_the_print_and_the_xlsx_agree_with_the_page(world, pack, client_for):
    client = client_for(world.panel_x)
    printed = client.get(url(world, "/print"))
    xlsx = client.get(url(world, "/summary.xlsx"))

    assert EXPECTED in visible(printed)
    print_rows = rows_of_section(body(printed))
    assert [row[1:] for row in print_rows] == [row[1:] for row in EXPECTED_ROWS]
    assert [row[0] for row in print_rows] == ["Buddy system", "Huddle", "Night lights", "Rota"]
    assert "/change-ideas/" not in body(printed)  # paper has no links to follow

    book = openpyxl.load_workbook(io.BytesIO(xlsx.data))
    sheet = [[cell.value for cell in row] for row in book["Adopted changes"].iter_rows()]
    assert sheet[0] == [
        "Change",
        "Team",
        "Research",
        "Practice knowledge",
        "Lived experience",
        "Kinds of evidence",
    ]
    assert sheet[1][:2] == ["Summary", EXPECTED]
    assert sheet[2:6] == [
        ["Buddy system", "Team B", "No", "Yes", "Yes", "Practice knowledge, Lived experience"],
        ["Huddle", "Team A", "No", "Yes", "No", "Practice knowledge"],
        ["Night lights", "Team A", "Yes", "No", "Yes", "Research, Lived experience"],
        ["Rota", "Team A", "No", "No", "No", "None recorded yet"],
    ]
    assert sheet[6] == [
        "All adopted changes (4)",
        None,
        "1 of 4",
        "2 of 4",
        "2 of 4",
        "1 with no evidence recorded",
    ]
    about = {row[0].value: row[1].value for row in book["About"].iter_rows(min_row=2)}
    assert about["What the adopted changes rest on"] == EXPECTED


@pytest.mark.parametrize(
    ("args", "team_id", "start", "sentence"),
    [
        (
            {"team": "B"},
            "B",
            None,
            "Of 1 adopted change, 1 rests on practice knowledge, 1 on lived experience and none "
            "on research.",
        ),
        (
            {"from_month": "2026-01"},
            None,
            date(2026, 1, 1),
            "Of 3 adopted changes, 2 rest on practice knowledge, 2 on lived experience and 1 on "
            "research.",
        ),
        (
            {"to_month": "2025-12"},
            None,
            None,
            "Of 1 adopted change, none has any evidence recorded yet.",
        ),
    ],
)
def test_the_section_follows_the_filters(world, pack, client_for, args, team_id, start, sentence):
    if "team" in args:
        args = {"team": world.team_b.id}
    client = client_for(world.panel_x)

    page = client.get(url(world, **args))
    fragment = client.get(url(world, **args), headers={**HTMX, "HX-Target": "panel-results"})
    xlsx = client.get(url(world, "/summary.xlsx", **args))

    assert sentence in visible(page)
    assert sentence in visible(fragment)
    about = {
        row[0].value: row[1].value
        for row in openpyxl.load_workbook(io.BytesIO(xlsx.data))["About"].iter_rows(min_row=2)
    }
    assert about["What the adopted changes rest on"] == sentence
    if team_id:
        assert adopted_evidence(adopted_rows(world.x.id, world.team_b.id, None, None)).sentence == (
            sentence
        )


def test_no_adopted_changes_says_so(world, client_for):
    text = visible(client_for(world.panel_x).get(url(world)))
    assert "What the adopted changes rest on" in text
    assert "No changes were adopted in this period, so there is no evidence to show." in text
    assert 'id="adopted-evidence-table"' not in text


def add_team_with_evidence(world, number: int) -> None:
    team = Team(collaborative=world.x, name=f"Team {number}", organisation="Elsewhere")
    db.session.add(team)
    db.session.commit()
    aim = make_aim(team, f"Aim {number}")
    adopted_idea(team, aim, f"Idea {number}", "research", "lived_experience", tests=2)
    adopted_idea(team, aim, f"Other idea {number}")


@pytest.mark.parametrize("page", ["", "/print", "/summary.xlsx"])
def test_one_query_whatever_the_number_of_teams(world, pack, client_for, page):
    client = client_for(world.panel_x)
    client.get(url(world, page))
    db.session.expire_all()
    with counting_queries() as two:
        assert client.get(url(world, page)).status_code == 200
    for number in range(4):
        add_team_with_evidence(world, number)
    db.session.expire_all()
    with counting_queries() as six:
        response = client.get(url(world, page))

    assert response.status_code == 200
    if page != "/summary.xlsx":
        assert "Of 12 adopted changes" in visible(response)
    assert len(six) == len(two), "\n".join(six)
    assert sum("idea_evidence" in statement for statement in six) == 1
