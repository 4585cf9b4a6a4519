"""Grouping ideas into themes (the facilitator): add, rename (versioned), move an idea in or out
(without JavaScript and with htmx), merge one theme into another after asking, reorder, and
delete an empty theme. Never another round's theme; never by a team member or a research
partner; never once voting has opened."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from improve.extensions import db
from improve.models import AuditEvent, CommunityRole, PriorityIdea, PriorityTheme, RoundStage
from tests.conftest import HTMX, text_of
from tests.priorities.conftest import add_idea, add_theme


def themes(round_) -> list[PriorityTheme]:
    db.session.expire_all()
    query = (
        sa.select(PriorityTheme)
        .where(PriorityTheme.round_id == round_.id)
        .order_by(PriorityTheme.position, PriorityTheme.id)
    )
    return list(db.session.scalars(query))


def theme_of(idea: PriorityIdea) -> int | None:
    db.session.expire_all()
    return db.session.get(PriorityIdea, idea.id).theme_id


@pytest.fixture
def board(world, make_round):
    """A round being themed: two themes and three ideas, one in Transport."""
    round_ = make_round(world.x, stage=RoundStage.THEMING)
    transport = add_theme(round_, "Transport")
    lonely = add_theme(round_, "Loneliness", position=1)
    lift = add_idea(round_, "Lifts to clinics", by=world.expert_a, theme=transport)
    bus = add_idea(round_, "Cheaper buses", by=world.member_a)
    friend = add_idea(round_, "Befriending", by=world.member_b)
    return round_, transport, lonely, lift, bus, friend


def test_the_board_shows_themes_and_ideas_not_in_a_theme(world, client_for, board):
    round_, transport, *_ = board
    page = client_for(world.coordinator_x).get(f"/priority-rounds/{round_.id}/themes")
    text = text_of(page)
    assert page.status_code == 200
    assert "Transport (1 idea)" in text and "Loneliness (0 ideas)" in text
    assert "Not in a theme yet (2)" in text
    assert page.get_data(as_text=True).count('name="theme"') == 3  # a Theme list per idea


def test_adding_a_theme(world, client_for, board):
    round_, *_ = board
    client = client_for(world.coordinator_x)
    url = f"/priority-rounds/{round_.id}/themes"
    response = client.post(url, data={"name": "Respite", "description": "Breaks for carers"})
    assert response.status_code == 303
    assert [t.name for t in themes(round_)] == ["Transport", "Loneliness", "Respite"]
    fragment = client.post(url, data={"name": "Housing"}, headers=HTMX)
    assert fragment.status_code == 200
    assert fragment.get_data(as_text=True).lstrip().startswith('<div id="theme-board"')
    duplicate = client.post(url, data={"name": "transport"})
    assert duplicate.status_code == 422
    assert "There is already a theme called ‘transport’" in text_of(duplicate)
    empty = client.post(url, data={"name": " "}, headers=HTMX)
    assert empty.status_code == 422 and "Enter a name for the theme" in text_of(empty)
    assert len(themes(round_)) == 4


def test_moving_an_idea_into_a_theme_and_out(world, client_for, board):
    round_, transport, lonely, lift, bus, friend = board
    client = client_for(world.coordinator_x)
    url = f"/priority-ideas/{friend.id}/theme"
    response = client.post(url, data={"theme": str(lonely.id), "version": str(friend.version)})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(
        f"/priority-rounds/{round_.id}/themes#idea-{friend.id}"
    )
    assert theme_of(friend) == lonely.id
    db.session.refresh(lift)
    fragment = client.post(
        f"/priority-ideas/{lift.id}/theme",
        data={"theme": "", "version": str(lift.version)},
        headers=HTMX,
    )
    assert fragment.status_code == 200 and "Idea moved out of its theme" in text_of(fragment)
    assert theme_of(lift) is None
    event = db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.entity_type == "PriorityIdea")
        .order_by(AuditEvent.id)
    ).all()[-1]
    assert event.before == {"theme_id": transport.id} and event.after == {"theme_id": None}


def test_an_idea_is_never_moved_into_another_rounds_theme(world, client_for, board, make_round):
    round_, transport, lonely, lift, bus, friend = board
    other = add_theme(make_round(world.x, stage=RoundStage.THEMING), "Elsewhere")
    client = client_for(world.coordinator_x)
    data = {"theme": str(other.id), "version": str(bus.version)}
    assert client.post(f"/priority-ideas/{bus.id}/theme", data=data).status_code == 404
    bad = {"theme": "banana", "version": str(bus.version)}
    assert client.post(f"/priority-ideas/{bus.id}/theme", data=bad).status_code == 404
    assert theme_of(bus) is None


def test_moving_an_idea_that_changed_meanwhile_is_refused(world, client_for, board):
    round_, transport, lonely, lift, bus, friend = board
    client = client_for(world.coordinator_x)
    data = {"theme": str(transport.id), "version": str(bus.version + 1)}
    response = client.post(f"/priority-ideas/{bus.id}/theme", data=data)
    assert response.status_code == 409
    assert "Someone changed this idea while you were grouping" in text_of(response)
    assert (
        client.post(f"/priority-ideas/{bus.id}/theme", data=data, headers=HTMX).status_code == 422
    )
    assert theme_of(bus) is None


def test_renaming_a_theme_is_versioned(world, client_for, board):
    round_, transport, *_ = board
    client = client_for(world.coordinator_x)
    url = f"/priority-themes/{transport.id}/edit"
    assert client.get(url).status_code == 200
    version = str(transport.version)
    ok = client.post(url, data={"name": "Getting about", "description": "", "version": version})
    assert ok.status_code == 303
    stale = client.post(url, data={"name": "Travel", "version": version})
    assert stale.status_code == 409 and "Someone else changed this theme" in text_of(stale)
    taken = client.post(url, data={"name": "Loneliness", "version": str(version + "0")})
    assert taken.status_code == 422
    assert themes(round_)[0].name == "Getting about"


def test_merging_a_theme_moves_its_ideas_and_removes_it(world, client_for, board):
    round_, transport, lonely, lift, bus, friend = board
    transport_id = transport.id
    client = client_for(world.coordinator_x)
    url = f"/priority-themes/{transport.id}/merge"
    question = client.get(url)
    assert question.status_code == 200
    assert "Merge ‘Transport’ into another theme?" in text_of(question)
    assert "Lifts to clinics" in text_of(question)
    no_choice = client.post(url, data={"into": "", "version": str(transport.version)})
    assert no_choice.status_code == 422 and "Choose the theme to merge it into" in text_of(
        no_choice
    )
    itself = client.post(url, data={"into": str(transport.id), "version": str(transport.version)})
    assert itself.status_code == 422
    stale = client.post(url, data={"into": str(lonely.id), "version": str(transport.version + 1)})
    assert stale.status_code == 409
    done = client.post(url, data={"into": str(lonely.id), "version": str(transport.version)})
    assert done.status_code == 303
    assert [t.name for t in themes(round_)] == ["Loneliness"]
    assert theme_of(lift) == lonely.id
    event = db.session.scalar(
        sa.select(AuditEvent).where(
            AuditEvent.entity_type == "PriorityTheme", AuditEvent.entity_id == transport_id
        )
    )
    assert event.before["idea_ids"] == [lift.id] and event.after == {"merged_into": lonely.id}


def test_merging_into_another_rounds_theme_is_refused(world, client_for, board, make_round):
    round_, transport, *_ = board
    other = add_theme(make_round(world.x, stage=RoundStage.THEMING), "Elsewhere")
    response = client_for(world.coordinator_x).post(
        f"/priority-themes/{transport.id}/merge",
        data={"into": str(other.id), "version": str(transport.version)},
    )
    assert response.status_code == 422
    assert len(themes(round_)) == 2


def test_reordering_themes(world, client_for, board):
    round_, transport, lonely, *_ = board
    client = client_for(world.coordinator_x)
    response = client.post(f"/priority-themes/{lonely.id}/position", data={"direction": "up"})
    assert response.status_code == 303
    assert [t.name for t in themes(round_)] == ["Loneliness", "Transport"]
    fragment = client.post(
        f"/priority-themes/{lonely.id}/position", data={"direction": "down"}, headers=HTMX
    )
    assert fragment.status_code == 200
    assert [t.name for t in themes(round_)] == ["Transport", "Loneliness"]
    # Past the end: nothing moves.
    assert (
        client.post(
            f"/priority-themes/{lonely.id}/position", data={"direction": "down"}
        ).status_code
        == 303
    )
    assert [t.name for t in themes(round_)] == ["Transport", "Loneliness"]
    assert (
        client.post(
            f"/priority-themes/{lonely.id}/position", data={"direction": "sideways"}
        ).status_code
        == 400
    )


def test_only_an_empty_theme_is_deleted(world, client_for, board):
    round_, transport, lonely, *_ = board
    client = client_for(world.coordinator_x)
    full = client.post(
        f"/priority-themes/{transport.id}/delete", data={"version": str(transport.version)}
    )
    assert full.status_code == 409 and "This theme has ideas in it" in text_of(full)
    url = f"/priority-themes/{lonely.id}/delete"
    assert "Delete the theme ‘Loneliness’?" in text_of(client.get(url))
    assert client.post(url, data={"version": str(lonely.version)}).status_code == 303
    assert [t.name for t in themes(round_)] == ["Transport"]


@pytest.mark.parametrize(
    ("who", "status"),
    [("lead_a", 403), ("expert_a", 403), ("panel_x", 403), ("coordinator_y", 404)],
)
def test_team_members_and_others_cannot_theme(world, client_for, board, who, status):
    round_, transport, lonely, lift, bus, friend = board
    client = client_for(getattr(world, who))
    attempts = [
        (f"/priority-rounds/{round_.id}/themes", {"name": "Mine"}),
        (f"/priority-ideas/{bus.id}/theme", {"theme": str(lonely.id), "version": str(bus.version)}),
        (f"/priority-themes/{transport.id}/edit", {"name": "X", "version": str(transport.version)}),
        (f"/priority-themes/{transport.id}/merge", {"into": str(lonely.id), "version": "1"}),
        (f"/priority-themes/{lonely.id}/position", {"direction": "up"}),
        (f"/priority-themes/{lonely.id}/delete", {"version": str(lonely.version)}),
    ]
    for url, data in attempts:
        assert client.post(url, data=data).status_code == status, url
    assert client.get(f"/priority-rounds/{round_.id}/themes").status_code == status
    assert [(t.name, t.position) for t in themes(round_)] == [("Transport", 0), ("Loneliness", 1)]
    assert theme_of(bus) is None


def test_a_research_partner_cannot_theme_a_cop_round(
    world, client_for, make_community, join, make_round
):
    cop = make_community()
    join(world.member_a, cop, CommunityRole.FACILITATOR)
    join(world.member_c, cop, CommunityRole.RESEARCH_PARTNER)
    round_ = make_round(cop, stage=RoundStage.THEMING)
    partner = client_for(world.member_c)
    assert partner.get(f"/priority-rounds/{round_.id}").status_code == 200
    assert (
        partner.post(f"/priority-rounds/{round_.id}/themes", data={"name": "X"}).status_code == 403
    )
    assert (
        client_for(world.member_a)
        .post(f"/priority-rounds/{round_.id}/themes", data={"name": "X"})
        .status_code
        == 303
    )


def test_themes_cannot_change_once_voting_has_opened(world, client_for, board):
    round_, transport, lonely, lift, bus, friend = board
    round_.stage = RoundStage.VOTING
    db.session.commit()
    client = client_for(world.coordinator_x)
    page = client.get(f"/priority-rounds/{round_.id}/themes")
    assert "Voting has started, so the themes can no longer change" in text_of(page)
    assert (
        client.post(f"/priority-rounds/{round_.id}/themes", data={"name": "X"}).status_code == 409
    )
    data = {"theme": str(lonely.id), "version": str(bus.version)}
    assert client.post(f"/priority-ideas/{bus.id}/theme", data=data).status_code == 409
    merge = {"into": str(lonely.id), "version": str(transport.version)}
    assert client.post(f"/priority-themes/{transport.id}/merge", data=merge).status_code == 409
    assert len(themes(round_)) == 2 and theme_of(bus) is None


def test_a_finished_round_says_it_is_finished(world, client_for, board):
    round_, transport, lonely, lift, bus, friend = board
    round_.stage = RoundStage.CLOSED
    db.session.commit()
    data = {"theme": str(lonely.id), "version": str(bus.version)}
    moved = client_for(world.coordinator_x).post(f"/priority-ideas/{bus.id}/theme", data=data)
    assert moved.status_code == 409
    assert "This round is finished, so its themes can no longer change" in text_of(moved)
    assert "Someone else changed" not in text_of(moved)
    assert theme_of(bus) is None


def test_the_round_page_groups_ideas_by_theme(world, client_for, board):
    round_, *_ = board
    text = text_of(client_for(world.member_a).get(f"/priority-rounds/{round_.id}"))
    assert "Transport (1 idea)" in text and "Not in a theme yet (2)" in text
