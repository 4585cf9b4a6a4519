"""The evidence behind ideas in the change-idea library: the kinds on each idea (across the
teams that hold it), the search by kind of evidence (alone, with words and a driver, plain GET
and htmx), the "rests on lived experience" marking and count, what other teams see of a team's
evidence, and one query for the evidence of the whole collaborative.

`library` (tests/ideas/conftest.py): team A's "Night lights" and team B's " night LIGHTS " are one
idea; team B's "Falls huddle" another; team C (collaborative Y) has "Secret idea of Y".
"""

from __future__ import annotations

import pytest

from improve.extensions import db
from improve.models import EvidenceKind, IdeaEvidence
from tests.conftest import HTMX
from tests.ideas.conftest import body, card, card_html, make_aim, make_idea, visible
from tests.teams.test_team_page import counting_queries

RESULTS = {**HTMX, "HX-Target": "idea-results"}


def library_url(world, **args) -> str:
    query = "&".join(f"{key}={value}" for key, value in args.items())
    return f"/collaboratives/{world.x.id}/ideas" + (f"?{query}" if query else "")


def add_item(idea, team, kind, source="A source", account=""):
    db.session.add(
        IdeaEvidence(
            team_id=team.id,
            change_idea_id=idea.id,
            kind=EvidenceKind(kind),
            source=source,
            account=account,
        )
    )
    db.session.commit()


@pytest.fixture
def evidence(world, library):
    """Night lights: lived experience in team A, research in team B. Falls huddle: practice
    knowledge. A third idea of team A, "Rota review": none. Team C's idea: lived experience (it
    must never count in X's library)."""
    add_item(library.lights_a, world.team_a, "lived_experience", "", "Dad slept better.")
    add_item(library.lights_a, world.team_a, "lived_experience", "A carer in our group", "")
    add_item(library.lights_b, world.team_b, "research", "Team B's private reading list")
    add_item(library.huddle_b, world.team_b, "practice_knowledge", "", "Day staff say so.")
    add_item(library.secret_c, world.team_c, "lived_experience", "", "Y's story")
    library.rota_a = make_idea(library.aim_a, "Rota review")
    return library


def titles(response) -> list[str]:
    html = body(response)
    return [
        part.split("</h3>", 1)[0]
        for part in html.split('<h3 class="govuk-summary-card__title">')[1:]
    ]


def test_each_idea_shows_the_kinds_of_evidence_across_its_teams(world, evidence, client_for):
    response = client_for(world.member_b).get(library_url(world))

    lights = card(response, evidence.lights_a.id)
    assert "Evidence behind it: Research Lived experience" in lights
    assert "Rests on lived experience" in lights
    huddle = card(response, evidence.huddle_b.id)
    assert "Evidence behind it: Practice knowledge" in huddle
    assert "Rests on lived experience" not in huddle
    rota = card(response, evidence.rota_a.id)
    assert "No evidence recorded yet by the team that has it." in rota
    # Per team: the kinds and how many pieces, in the table's Evidence column.
    assert "Lived experience (2 pieces)" in lights
    assert "Research (1 piece)" in lights


def test_the_count_of_ideas_resting_on_lived_experience(world, evidence, client_for):
    response = client_for(world.member_a).get(library_url(world))

    # Night lights only: team C's idea is another collaborative's.
    assert "1 of 3 change ideas in the library rests on lived experience" in visible(response)
    filtered = client_for(world.member_a).get(library_url(world, words="huddle"))
    assert "1 of 3 change ideas in the library rests on lived experience" in visible(filtered)


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("", ["Falls huddle", "Night lights", "Rota review"]),
        ("research", ["Night lights"]),
        ("practice_knowledge", ["Falls huddle"]),
        ("lived_experience", ["Night lights"]),
        ("none", ["Rota review"]),
    ],
)
def test_the_search_by_kind_of_evidence(world, evidence, client_for, kind, expected):
    client = client_for(world.member_a)

    page = client.get(library_url(world, evidence=kind))
    results = client.get(library_url(world, evidence=kind), headers=RESULTS)

    assert page.status_code == results.status_code == 200
    assert [title.strip() for title in titles(page)] == expected
    assert [title.strip() for title in titles(results)] == expected
    assert body(results).startswith('<div id="idea-results">')
    assert "<html" not in body(results)
    if kind:
        assert f"{len(expected)} of 3 change ideas match your search" in visible(page)
        assert f'<option value="{kind}" selected>' in body(page)


def test_the_search_by_kind_works_with_words_and_a_driver(world, evidence, client_for):
    client = client_for(world.member_a)

    lived_lights = client.get(library_url(world, words="lights", evidence="lived_experience"))
    lived_huddle = client.get(library_url(world, words="huddle", evidence="lived_experience"))
    driver = client.get(library_url(world, driver="daily+huddles", evidence="practice_knowledge"))
    no_driver_match = client.get(library_url(world, driver="daily+huddles", evidence="research"))

    assert [t.strip() for t in titles(lived_lights)] == ["Night lights"]
    assert titles(lived_huddle) == []
    assert "No change ideas match your search" in visible(lived_huddle)
    assert "‘Any, or none yet’ for the kind of evidence" in visible(lived_huddle)
    assert [t.strip() for t in titles(driver)] == ["Falls huddle"]
    assert titles(no_driver_match) == []


@pytest.mark.parametrize("headers", [{}, RESULTS])
def test_an_unknown_kind_gets_a_message(world, evidence, client_for, headers):
    response = client_for(world.member_a).get(
        library_url(world, evidence="gossip"), headers=headers
    )
    assert response.status_code == 422
    assert "Choose a kind of evidence from the list" in visible(response)


def test_another_team_sees_the_kinds_but_not_what_the_evidence_says(world, evidence, client_for):
    response = client_for(world.member_b).get(library_url(world))
    html = card_html(response, evidence.lights_a.id)

    assert "Lived experience (2 pieces)" in card(response, evidence.lights_a.id)
    assert "Dad slept better." not in body(response)
    assert "A carer in our group" not in body(response)
    # Team B opens its own idea's evidence; not team A's.
    assert f"/change-ideas/{evidence.lights_b.id}/evidence" in html
    assert f"/change-ideas/{evidence.lights_a.id}/evidence" not in html
    # And the page behind such a link is not found for them.
    page = client_for(world.member_b).get(f"/change-ideas/{evidence.lights_a.id}/evidence")
    assert page.status_code == 404


def test_a_coordinator_opens_every_teams_evidence(world, evidence, client_for):
    html = body(client_for(world.coordinator_x).get(library_url(world)))
    assert f'href="/change-ideas/{evidence.lights_a.id}/evidence">Evidence (2)' in html
    assert f'href="/change-ideas/{evidence.lights_b.id}/evidence">Evidence (1)' in html
    assert f'href="/change-ideas/{evidence.rota_a.id}/evidence">Evidence<' in html


def test_one_query_for_the_evidence_whatever_its_amount(world, evidence, client_for, make_team):
    client = client_for(world.coordinator_x)
    client.get(library_url(world))
    db.session.expire_all()  # both counts start from the same state of the session
    with counting_queries() as few:
        assert client.get(library_url(world)).status_code == 200

    for number in range(4):
        team = make_team(world.x, name=f"Team {number}")
        idea = make_idea(make_aim(team, f"Aim {number}"), f"Idea {number}")
        for kind in EvidenceKind:
            add_item(idea, team, kind.value)
    db.session.expire_all()
    with counting_queries() as many:
        response = client.get(library_url(world, evidence="lived_experience"))

    assert response.status_code == 200
    assert "5 of 7 change ideas in the library rest on lived experience" in visible(response)
    assert len(many) == len(few), "\n".join(many)
    assert sum("idea_evidence" in statement for statement in many) == 1
