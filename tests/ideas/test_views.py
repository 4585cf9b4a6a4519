"""The change-idea library: who sees it and what of other teams, search (plain GET and htmx),
signals that followed, copying an idea (with provenance), and a fixed number of queries.

World: collaborative X with teams A and B, collaborative Y with team C (tests/conftest.py);
the `library` fixture (tests/ideas/conftest.py) adds the ideas.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa

from improve.extensions import db
from improve.models import AuditAction, AuditEvent, ChangeIdea, Role
from tests.conftest import BOOSTED, HISTORY_RESTORE, HTMX
from tests.ideas.conftest import (
    add_points,
    body,
    card,
    card_html,
    count,
    link_aim,
    link_cycle,
    make_aim,
    make_cycle,
    make_driver,
    make_idea,
    make_measure,
    visible,
)
from tests.teams.test_team_page import counting_queries

RESULTS = {**HTMX, "HX-Target": "idea-results"}


def library_url(world, collaborative=None) -> str:
    return f"/collaboratives/{(collaborative or world.x).id}/ideas"


def copy_url(world, idea, collaborative=None) -> str:
    idea_id = idea if isinstance(idea, int) else idea.id
    return f"/collaboratives/{(collaborative or world.x).id}/ideas/{idea_id}/copy"


def copy_data(idea, aim=None, driver=None) -> dict[str, str]:
    prefix = f"copy-{idea if isinstance(idea, int) else idea.id}-"
    return {
        f"{prefix}aim_id": str(aim.id) if aim else "",
        f"{prefix}driver_id": str(driver.id) if driver else "",
    }


def written() -> tuple[int, int]:
    """Change ideas, and audit rows about records (signing in writes one of its own)."""
    changes = sa.select(sa.func.count()).where(
        AuditEvent.action.in_([AuditAction.CREATE, AuditAction.UPDATE, AuditAction.DELETE])
    )
    return count(ChangeIdea), db.session.scalar(changes)


def copy_form_shown(response, idea_id: int) -> bool:
    return f'id="copy-idea-{idea_id}"' in card_html(response, idea_id)


# Who may see the library ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("person", "status", "may_copy"),
    [
        ("admin", 200, True),
        ("coordinator_x", 200, False),
        ("coordinator_y", 404, None),
        ("panel_x", 200, False),
        ("lead_a", 200, True),
        ("member_a", 200, True),
        ("expert_a", 200, False),
        ("member_b", 200, True),
        ("member_c", 404, None),
        ("nobody", 404, None),
    ],
)
def test_who_sees_the_library_and_who_may_copy(
    world, library, client_for, make_team, person, status, may_copy
):
    # An idea of a team nobody here belongs to: every aim someone may change lacks it.
    rota = make_idea(make_aim(make_team(world.x, name="Team D"), "D's aim"), "Rota review")

    response = client_for(getattr(world, person)).get(library_url(world))

    assert response.status_code == status
    if status != 200:
        assert "Night lights" not in body(response)
        return
    text = visible(response)
    assert "Change idea library" in text
    assert "Secret idea of Y" not in text  # another collaborative's ideas never show
    assert copy_form_shown(response, rota.id) is may_copy


def test_signed_out_people_are_sent_to_sign_in(world, library, client):
    response = client.get(library_url(world))
    assert response.status_code in (302, 303)
    assert "/sign-in" in response.headers["Location"]


def test_same_idea_in_two_teams_is_one_entry_with_counts_decisions_and_drivers(
    world, library, client_for
):
    response = client_for(world.coordinator_x).get(library_url(world))

    assert visible(response).count("Teams with ‘Night lights’") == 1
    text = card(response, library.lights_a.id)
    assert "Plug-in lights in every bedroom" in text
    assert "Staff know who is at risk (primary driver)" in text
    assert "Rooms are safe at night (secondary driver)" in text
    assert "Tested by 2 of the 2 teams that have it, in 3 cycles." in text
    assert "Decisions: 1 adopted, 1 adapted, 1 abandoned." in text
    assert "A signal followed in 1 of the 2 teams that tested it (1 an improvement)." in text
    assert "Team A" in text and "Team B" in text
    untested = card(response, library.huddle_b.id)
    assert "Not tested yet by the 1 team that has it." in untested


def test_coordinator_sees_links_to_every_teams_aims_cycles_and_measures(world, library, client_for):
    response = client_for(world.coordinator_x).get(library_url(world))

    html = card_html(response, library.lights_a.id)
    for cycle in (library.cycle_a1, library.cycle_a2, library.cycle_b):
        assert f'href="/cycles/{cycle.id}"' in html
    assert f'href="/aims/{library.aim_b.id}#idea-{library.lights_b.id}"' in html
    assert f'href="/measures/{library.measure_a.id}"' in html
    assert "Team B private cycle" in visible(response)


@pytest.mark.parametrize("person", ["member_a", "expert_a"])
def test_another_teams_aims_and_cycles_stay_hidden(world, library, client_for, person):
    response = client_for(getattr(world, person)).get(library_url(world))

    html = body(response)
    text = visible(response)
    # Team B's idea, counts and decision are shared...
    row_b = card(response, library.lights_a.id).split("Team B", 1)[1]
    assert row_b.startswith(" 1 1 abandoned No signal yet")
    # ...its aim, cycles and their ids are not.
    assert "Team B private aim" not in text
    assert "Team B private cycle" not in text
    assert f"/cycles/{library.cycle_b.id}" not in html
    assert f"/aims/{library.aim_b.id}" not in html
    assert f"/teams/{world.team_b.id}" not in html
    # Their own team's are.
    assert f'href="/cycles/{library.cycle_a1.id}"' in html
    assert f'href="/teams/{world.team_a.id}"' in html


def test_other_teams_measure_names_stay_hidden(world, library, client_for):
    response = client_for(world.member_b).get(library_url(world))

    row_a = card(response, library.lights_a.id).split("Team A", 1)[1]
    assert row_a.startswith(" 2 1 adopted, 1 adapted Yes: an improvement")
    assert "Falls a month" not in visible(response)
    assert f"/measures/{library.measure_a.id}" not in body(response)


# Whether a signal followed ------------------------------------------------------------------------


def row_of(response, idea, team_name: str) -> str:
    return card(response, idea.id).split(team_name, 1)[1].split("Team ", 1)[0]


def test_a_signal_counts_only_within_six_months_after_a_cycle_began(world, client_for):
    aim = make_aim(world.team_a)
    measure = make_measure(world.x.id, aim)
    add_points(measure, world.team_a)  # the level drops in January 2026
    late = make_idea(aim, "Started after the drop")
    link_cycle(make_cycle(late, date(2026, 2, 2), "adopt"), measure)
    early = make_idea(aim, "Started long before")
    link_cycle(make_cycle(early, date(2025, 3, 3), "adopt"), measure)
    just = make_idea(aim, "Started just before")
    link_cycle(make_cycle(just, date(2025, 10, 6), "adopt"), measure)

    response = client_for(world.coordinator_x).get(library_url(world))

    assert "No signal yet" in row_of(response, late, "Team A")
    assert "A signal followed in 0 of the 1 team that tested it." in card(response, late.id)
    assert "No signal yet" in row_of(response, early, "Team A")  # 10 months before: too long
    assert "Yes: an improvement" in row_of(response, just, "Team A")


def test_only_the_measures_a_cycles_data_plan_names_count(world, client_for):
    aim = make_aim(world.team_a)
    measure = make_measure(world.x.id, aim)  # the aim's own measure, not in the data plan
    add_points(measure, world.team_a)
    idea = make_idea(aim, "Not measured")
    make_cycle(idea, date(2025, 12, 1), "abandon")

    response = client_for(world.coordinator_x).get(library_url(world))

    assert "No signal yet" in row_of(response, idea, "Team A")


def test_a_signal_on_a_shared_measure_a_cycle_collects_counts_in_that_teams_data(world, client_for):
    shared = make_measure(world.x.id, name="Shared: people who fell", direction="increase")
    aim = make_aim(world.team_b, "B's aim")
    idea = make_idea(aim, "Hip protectors")
    cycle = make_cycle(idea, date(2025, 12, 1), "adapt")
    link_cycle(cycle, shared)
    add_points(shared, world.team_a, [5] * 24)  # another team's flat data: no signal
    add_points(shared, world.team_b)  # B's: falls in 2026, against the wanted direction

    response = client_for(world.member_b).get(library_url(world))

    assert "Yes, but not an improvement" in row_of(response, idea, "Team B")
    link = f'href="/measures/{shared.id}?team={world.team_b.id}"'
    assert link in card_html(response, idea.id)


def test_a_shared_measure_the_aim_reports_against_counts_when_the_plan_names_it(world, client_for):
    shared = make_measure(world.x.id, name="Shared falls")
    aim = make_aim(world.team_b, "B's aim")
    link_aim(aim, shared)
    add_points(shared, world.team_b)
    idea = make_idea(aim, "Hip protectors")
    cycle = make_cycle(idea, date(2025, 12, 1))

    before = row_of(client_for(world.member_b).get(library_url(world)), idea, "Team B")
    link_cycle(cycle, shared)
    after = row_of(client_for(world.member_b).get(library_url(world)), idea, "Team B")

    assert "No signal yet" in before
    assert "Yes: an improvement" in after and "1 not decided yet" in after


def test_the_page_explains_what_a_signal_following_means(world, library, client_for):
    text = visible(client_for(world.member_a).get(library_url(world)))
    assert "What “a signal followed” means" in text
    assert "It does not prove the idea caused the change." in text


# Search ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("words=bedroom", ["Night lights"], ["Falls huddle"]),
        ("words=CHEAP+quick", ["Night lights"], ["Falls huddle"]),  # team B's description
        ("words=huddle", ["Falls huddle"], ["Night lights"]),
        ("driver=daily+huddles", ["Falls huddle"], ["Night lights"]),
        # A secondary driver's idea also counts under the primary driver it feeds.
        ("driver=staff+know+who+is+at+risk", ["Night lights"], ["Falls huddle"]),
        ("words=lights&driver=daily+huddles", [], ["Night lights", "Falls huddle"]),
        ("words=", ["Night lights", "Falls huddle"], []),
    ],
)
def test_search_by_words_and_driver(world, library, client_for, query, shown, hidden):
    response = client_for(world.member_a).get(f"{library_url(world)}?{query}")

    assert response.status_code == 200
    titles = {"Night lights": library.lights_a.id, "Falls huddle": library.huddle_b.id}
    for title in shown:
        assert f'id="idea-{titles[title]}"' in body(response)
    for title in hidden:
        assert f'id="idea-{titles[title]}"' not in body(response)
    if not shown:
        assert "No change ideas match your search." in visible(response)


def test_the_search_form_is_a_get_form_that_htmx_enhances(world, library, client_for):
    html = body(client_for(world.member_a).get(library_url(world)))
    form = html.split('role="search"', 1)[0].rsplit("<form", 1)[1]
    assert 'method="get"' in form
    assert f'action="{library_url(world)}"' in form
    assert f'hx-get="{library_url(world)}"' in form
    assert 'hx-target="#idea-results"' in form and 'hx-push-url="true"' in form


@pytest.mark.parametrize(
    ("headers", "fragment"),
    [({}, False), (RESULTS, True), (HTMX, True), (BOOSTED, False), (HISTORY_RESTORE, False)],
)
def test_htmx_gets_the_results_alone(world, library, client_for, headers, fragment):
    response = client_for(world.member_a).get(f"{library_url(world)}?words=huddle", headers=headers)

    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    text = body(response)
    if fragment:
        assert text.startswith('<div id="idea-results">') and text.endswith("</div>")
        assert "<html" not in text
        assert "Falls huddle" in text and "Night lights" not in text
    else:
        assert "<html" in text and '<div id="idea-results">' in text


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("driver=a+driver+nobody+has", "Choose a driver from the list"),
        ("words=" + "x" * 201, "Search words must be 200 characters or fewer"),
        ("words=%01", "contains characters that cannot be saved"),
    ],
)
@pytest.mark.parametrize("headers", [{}, RESULTS])
def test_a_bad_search_says_what_is_wrong(world, library, client_for, query, message, headers):
    response = client_for(world.member_a).get(f"{library_url(world)}?{query}", headers=headers)

    assert response.status_code == 422
    assert message in visible(response)
    assert 'id="idea-' not in body(response).replace('id="idea-results"', "")


# Copying an idea --------------------------------------------------------------------------------


@pytest.fixture
def aim_a2(world):
    """A second aim for team A, with a driver, to copy team B's idea into."""
    aim = make_aim(world.team_a, "Fewer falls by day")
    aim.driver = make_driver(aim, "Safe corridors")
    return aim


def test_copy_adds_the_idea_with_its_provenance_and_audit(world, library, aim_a2, client_for):
    client = client_for(world.member_a)
    before = count(ChangeIdea)

    response = client.post(
        copy_url(world, library.huddle_b), data=copy_data(library.huddle_b, aim_a2, aim_a2.driver)
    )

    assert response.status_code == 303
    assert count(ChangeIdea) == before + 1
    copied = db.session.scalar(sa.select(ChangeIdea).order_by(ChangeIdea.id.desc()).limit(1))
    assert (copied.aim_id, copied.driver_id) == (aim_a2.id, aim_a2.driver.id)
    assert (copied.title, copied.copied_from_id) == ("Falls huddle", library.huddle_b.id)
    location = response.headers["Location"]
    assert location.endswith(f"/aims/{aim_a2.id}?focus=idea-{copied.id}#idea-{copied.id}")
    event = db.session.scalar(
        sa.select(AuditEvent).where(
            AuditEvent.entity_type == "ChangeIdea", AuditEvent.entity_id == copied.id
        )
    )
    assert event.action == AuditAction.CREATE and event.actor_id == world.member_a.id
    assert event.after["copied_from_id"] == library.huddle_b.id
    assert event.after["copied_from_team"] == "Team B"
    assert event.team_id == world.team_a.id

    page = client.get(location)
    assert "Copied ‘Falls huddle’ into the aim ‘Fewer falls by day’." in visible(page)
    # The team's own driver diagram says where the idea came from.
    assert "Copied from Team B’s idea in the idea library" in visible(page)

    # Everyone in the collaborative sees where Team A's copy came from.
    for person in (world.member_b, world.panel_x):
        text = card(client_for(person).get(library_url(world)), library.huddle_b.id)
        assert "Team A Copied from Team B's idea" in text
        assert "Tested by" not in text and "2 teams that have it" in text


def test_copy_keeps_the_description_and_a_renamed_copy_stays_with_its_source(
    world, library, aim_a2, client_for
):
    client = client_for(world.lead_a)
    client.post(copy_url(world, library.lights_b), data=copy_data(library.lights_b, aim_a2))
    copied = db.session.scalar(sa.select(ChangeIdea).where(ChangeIdea.aim_id == aim_a2.id))
    assert copied.description == "Cheap and quick to fit"
    copied.title = "Lights at night in corridors"
    db.session.commit()

    text = visible(client.get(library_url(world)))
    assert "Lights at night in corridors" not in text  # one entry, named by the first idea
    assert "Copied from Team B's idea" in card(client.get(library_url(world)), library.lights_a.id)


def test_copy_through_a_boosted_form_redirects_the_same_way(world, library, aim_a2, client_for):
    response = client_for(world.member_a).post(
        copy_url(world, library.huddle_b),
        data=copy_data(library.huddle_b, aim_a2),
        headers=BOOSTED,
    )
    assert response.status_code == 303


@pytest.mark.parametrize(
    ("person", "status"),
    [
        ("admin", 303),
        ("lead_a", 303),
        ("member_a", 303),
        ("coordinator_x", 403),
        ("panel_x", 403),
        ("expert_a", 403),
        ("member_b", 404),  # team A's aim is another team's
        ("coordinator_y", 404),
        ("member_c", 404),
        ("nobody", 404),
    ],
)
def test_who_may_copy_into_team_as_aim(world, library, aim_a2, client_for, person, status):
    before = written()
    response = client_for(getattr(world, person)).post(
        copy_url(world, library.huddle_b), data=copy_data(library.huddle_b, aim_a2)
    )
    assert response.status_code == status
    if status != 303:
        assert written() == before


@pytest.mark.parametrize(
    ("case", "collaborative"),
    [
        ("unknown idea", "x"),
        ("idea of another collaborative", "x"),
        ("idea posted to another collaborative", "y"),
    ],
)
def test_copying_an_idea_that_is_not_the_collaboratives_is_not_found(
    world, library, aim_a2, client_for, grant, case, collaborative
):
    grant(world.member_a, Role.TEAM_MEMBER, world.team_c)  # so Y is visible to them
    idea = {
        "unknown idea": 2_000_000,
        "idea of another collaborative": library.secret_c,
        "idea posted to another collaborative": library.huddle_b,
    }[case]
    before = written()
    response = client_for(world.member_a).post(
        copy_url(world, idea, getattr(world, collaborative)), data=copy_data(idea, aim_a2)
    )
    assert response.status_code == 404
    assert written() == before


def test_copying_into_an_aim_of_another_collaborative_is_not_found(
    world, library, client_for, grant
):
    grant(world.member_a, Role.TEAM_MEMBER, world.team_c)  # may edit team C's records too
    before = written()
    response = client_for(world.member_a).post(
        copy_url(world, library.huddle_b), data=copy_data(library.huddle_b, library.aim_c)
    )
    assert response.status_code == 404
    assert written() == before


@pytest.mark.parametrize("aim_id", ["999999", "abc", "-1"])
def test_copying_into_an_unknown_aim_is_not_found(world, library, client_for, aim_id):
    data = {f"copy-{library.huddle_b.id}-aim_id": aim_id}
    before = count(ChangeIdea)
    response = client_for(world.member_a).post(copy_url(world, library.huddle_b), data=data)
    assert response.status_code == 404
    assert count(ChangeIdea) == before


def test_a_driver_of_another_team_is_not_found(world, library, client_for):
    data = copy_data(library.huddle_b, library.aim_a, library.huddles_b)
    response = client_for(world.member_a).post(copy_url(world, library.huddle_b), data=data)
    assert response.status_code == 404


@pytest.mark.parametrize("headers", [{}, BOOSTED])
@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("no aim", "Choose the aim to copy the idea into"),
        ("driver of another aim", "Choose a driver of the aim you chose"),
        ("already there", "This aim already has this change idea"),
    ],
)
def test_copy_mistakes_answer_422_with_the_form_open_and_write_nothing(
    world, library, aim_a2, client_for, headers, case, message
):
    idea = library.lights_b if case == "already there" else library.huddle_b
    data = {
        "no aim": copy_data(idea),
        "driver of another aim": copy_data(idea, aim_a2, library.primary_a),
        "already there": copy_data(idea, library.aim_a),
    }[case]
    before = written()

    response = client_for(world.member_a).post(copy_url(world, idea), data=data, headers=headers)

    assert response.status_code == 422
    assert written() == before
    html = body(response)
    assert "<html" in html  # a full page: boosted forms swap the whole body
    assert "There is a problem" in visible(response) and message in visible(response)
    assert "<title>Error: " in html
    card_of = library.lights_a if case == "already there" else library.huddle_b
    assert f'id="copy-idea-{card_of.id}" open' in card_html(response, card_of.id)
    assert f'action="{copy_url(world, idea)}"' in card_html(response, card_of.id)


def test_a_team_with_no_aim_is_told_to_set_one_first(world, library, client_for, make_team, grant):
    new_team = make_team(world.x, name="Team New")
    grant(world.member_c, Role.TEAM_LEAD, new_team)
    before = count(ChangeIdea)
    response = client_for(world.member_c).post(
        copy_url(world, library.huddle_b), data=copy_data(library.huddle_b)
    )
    assert response.status_code == 422
    assert "Your team has no aim yet" in visible(response)
    assert count(ChangeIdea) == before


def test_aims_that_already_have_the_idea_are_not_offered(world, library, aim_a2, client_for):
    response = client_for(world.member_a).get(library_url(world))

    lights = card_html(response, library.lights_a.id)
    assert f'<option value="{aim_a2.id}"' in lights
    assert f'<option value="{library.aim_a.id}"' not in lights  # it is there already
    huddle = card_html(response, library.huddle_b.id)
    assert f'<option value="{library.aim_a.id}"' in huddle


# Queries ---------------------------------------------------------------------------------------


def add_team_with_work(world, make_team, number: int, shared) -> None:
    """A team of X with an aim, drivers, the shared idea and one of its own, cycles (one linked
    to the shared measure), an aim measure with data and shared-measure data."""
    team = make_team(world.x, name=f"Team {number:02}")
    aim = make_aim(team, f"Aim {number}")
    primary = make_driver(aim, f"Primary {number}")
    secondary = make_driver(aim, "Rooms are safe at night", "secondary", (primary,))
    idea = make_idea(aim, "Night lights", secondary)
    cycle = make_cycle(idea, date(2025, 12, 1), "adapt")
    make_cycle(idea, date(2026, 3, 2), "adopt", number=1)
    make_cycle(make_idea(aim, f"Own idea {number}", primary), date(2026, 4, 6))
    link_cycle(cycle, shared)
    link_aim(aim, shared)
    add_points(make_measure(world.x.id, aim, name=f"Measure {number}"), team)
    add_points(shared, team)


@pytest.mark.parametrize("person", ["coordinator_x", "member_a"])
def test_the_number_of_queries_does_not_grow_with_the_teams(world, client_for, make_team, person):
    shared = make_measure(world.x.id, name="Shared falls")
    for number in range(2):
        add_team_with_work(world, make_team, number, shared)
    client = client_for(getattr(world, person))
    url = library_url(world)

    with counting_queries() as small:
        assert client.get(url).status_code == 200
    for number in range(2, 6):
        add_team_with_work(world, make_team, number, shared)
    with counting_queries() as large:
        response = client.get(url)

    assert response.status_code == 200
    if person == "coordinator_x":
        assert "A signal followed in 6 of the 6 teams that tested it (6 an improvement)." in (
            visible(response)
        )
    assert len(large) == len(small), "\n".join(large)


@pytest.mark.parametrize("person", ["admin", "member_a"])
def test_no_element_id_repeats(world, library, aim_a2, client_for, person):
    html = body(client_for(getattr(world, person)).get(library_url(world)))
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert sorted({i for i in ids if ids.count(i) > 1}) == []
    assert html.count("<h1") == 1


def test_text_from_teams_is_escaped(world, client_for):
    aim = make_aim(world.team_a)
    make_idea(aim, "<script>alert(1)</script> lights", description="<b>bold</b>")

    html = body(client_for(world.member_b).get(library_url(world)))

    assert "<script>alert" not in html and "<b>bold</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; lights" in html
