"""What a chosen theme becomes once voting has closed: a community of practice (its starter its
facilitator, the theme remembering it), or a link to a team's aim or a shared measure of the
round's collaborative. The CoP, aim and measure pages then say which priority they came from,
to those who may see that round."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from improve.extensions import db
from improve.models import (
    AuditEvent,
    Community,
    CommunityMember,
    CommunityRole,
    Measure,
    PriorityTheme,
    RoundStage,
    StakeholderGroup,
)
from improve.priorities import queries
from tests.conftest import text_of
from tests.cycles.factories import make_aim
from tests.priorities.conftest import add_idea, add_theme, take_part


def fresh(theme: PriorityTheme) -> PriorityTheme:
    db.session.expire_all()
    return db.session.get(PriorityTheme, theme.id)


def shared_measure(collaborative, name="People going out weekly") -> Measure:
    measure = Measure(
        collaborative_id=collaborative.id,
        team_id=None,
        name=name,
        measure_type="outcome",
        value_kind="count",
        direction="increase",
        frequency="monthly",
        baseline_start=date(2026, 1, 1),
    )
    db.session.add(measure)
    db.session.commit()
    return measure


@pytest.fixture
def chosen(world, make_round):
    """A finished round of collaborative X and its winning theme, with two ideas."""
    round_ = make_round(world.x, stage=RoundStage.CLOSED)
    theme = add_theme(round_, "Getting out and about", description="Transport and company")
    add_idea(round_, "Lifts to clinics", by=world.expert_a, anonymous=True, theme=theme)
    add_idea(round_, "Walking groups", by=world.member_a, theme=theme)
    take_part(round_, world.coordinator_x, StakeholderGroup.STATUTORY_SERVICE)
    return round_, theme


def community_form(theme: PriorityTheme, **fields) -> dict:
    values = {
        "name": "Out and about network",
        "theme": theme.name,
        "description": "",
        "group": "statutory_service",
        "version": str(theme.version),
    }
    values.update(fields)
    return values


def test_a_theme_becomes_a_community_of_practice(world, client_for, chosen):
    round_, theme = chosen
    client = client_for(world.coordinator_x)
    page = client.get(f"/priority-themes/{theme.id}")
    assert "Start a community of practice from this theme" in text_of(page)
    url = f"/priority-themes/{theme.id}/community"
    question = client.get(url)
    assert question.status_code == 200
    assert 'value="Getting out and about"' in question.get_data(as_text=True)
    # Their group is asked, starting as the one they chose for the round.
    assert "Which group are you part of?" in text_of(question)
    assert 'value="statutory_service" checked' in question.get_data(as_text=True)
    response = client.post(url, data=community_form(theme))
    assert response.status_code == 303
    community = db.session.scalar(sa.select(Community))
    assert response.headers["Location"].endswith(f"/communities/{community.id}")
    assert community.name == "Out and about network"
    assert community.collaborative_id == world.x.id
    member = db.session.scalar(sa.select(CommunityMember))
    assert (member.user_id, member.role, member.stakeholder_group) == (
        world.coordinator_x.id,
        CommunityRole.FACILITATOR,
        StakeholderGroup.STATUTORY_SERVICE,
    )
    assert fresh(theme).community_id == community.id
    kinds = {e.entity_type for e in db.session.scalars(sa.select(AuditEvent))}
    assert {"Community", "CommunityMember", "PriorityTheme"} <= kinds
    # The CoP page says where it came from, linking to the theme's ideas.
    assert queries.came_from(community_id=community.id)[0].ideas == 2
    again = client.post(url, data=community_form(theme, name="Another"))
    assert again.status_code == 409
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Community)) == 1


def test_an_empty_or_stale_post_starts_no_community(world, client_for, chosen):
    """A POST is read as sent: the theme's name and version never fill in what it lacks."""
    _round, theme = chosen
    client = client_for(world.coordinator_x)
    url = f"/priority-themes/{theme.id}/community"
    last = db.session.scalar(sa.select(sa.func.max(AuditEvent.id))) or 0
    empty = client.post(url, data={})
    assert empty.status_code == 422
    assert "Enter a name for the community of practice" in text_of(empty)
    no_version = client.post(
        url, data={k: v for k, v in community_form(theme).items() if k != "version"}
    )
    assert no_version.status_code == 422
    no_group = client.post(url, data=community_form(theme, group=""))
    assert no_group.status_code == 422 and "Choose the group you are part of" in text_of(no_group)
    stale = client.post(url, data=community_form(theme, version=str(theme.version + 5)))
    assert stale.status_code == 409
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Community)) == 0
    assert (db.session.scalar(sa.select(sa.func.max(AuditEvent.id))) or 0) == last


def test_a_cop_name_already_taken_is_refused(world, client_for, chosen, make_community):
    _round, theme = chosen
    make_community(name="Out and about network")
    response = client_for(world.coordinator_x).post(
        f"/priority-themes/{theme.id}/community",
        data=community_form(theme, name="out and about NETWORK"),
    )
    assert response.status_code == 422
    assert "There is already a community of practice called" in text_of(response)
    assert fresh(theme).community_id is None


def test_no_cop_before_voting_closes(world, client_for, chosen):
    round_, theme = chosen
    round_.stage = RoundStage.VOTING
    db.session.commit()
    response = client_for(world.coordinator_x).post(
        f"/priority-themes/{theme.id}/community", data=community_form(theme)
    )
    assert response.status_code == 409
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Community)) == 0


@pytest.mark.parametrize(
    ("who", "status"), [("expert_a", 403), ("lead_a", 403), ("coordinator_y", 404)]
)
def test_only_the_facilitator_starts_a_cop(world, client_for, chosen, who, status):
    _round, theme = chosen
    response = client_for(getattr(world, who)).post(
        f"/priority-themes/{theme.id}/community", data=community_form(theme)
    )
    assert response.status_code == status
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Community)) == 0


def test_a_cop_facilitator_starts_a_cop_from_their_cops_round(
    world, client_for, make_community, join, make_round
):
    cop = make_community()
    join(world.member_a, cop, CommunityRole.FACILITATOR, group=StakeholderGroup.CARER)
    round_ = make_round(cop, stage=RoundStage.CLOSED)
    theme = add_theme(round_, "Peer support")
    client = client_for(world.member_a)
    page = text_of(client.get(f"/priority-themes/{theme.id}"))
    assert "not part of a collaborative" in page  # so no aim or measure links
    assert "Link it to a team’s aim" not in page
    response = client.post(
        f"/priority-themes/{theme.id}/community", data=community_form(theme, name="Peer network")
    )
    assert response.status_code == 303
    new = db.session.scalar(sa.select(Community).where(Community.name == "Peer network"))
    assert new.collaborative_id is None
    link = client.post(f"/priority-themes/{theme.id}/aim", data={"record": "", "version": "1"})
    assert link.status_code == 409


def test_a_theme_is_linked_to_a_teams_aim(world, client_for, chosen):
    round_, theme = chosen
    aim = make_aim(world.team_a, title="More people out each week")
    elsewhere = make_aim(world.team_c, title="Not ours")
    client = client_for(world.coordinator_x)
    url = f"/priority-themes/{theme.id}/aim"
    page = client.get(url)
    assert "Team A: More people out each week" in text_of(page)
    assert "Not ours" not in text_of(page)
    wrong = client.post(url, data={"record": str(elsewhere.id), "version": str(theme.version)})
    assert wrong.status_code == 422 and "Choose one of those listed" in text_of(wrong)
    assert fresh(theme).aim_id is None
    done = client.post(url, data={"record": str(aim.id), "version": str(theme.version)})
    assert done.status_code == 303
    assert fresh(theme).aim_id == aim.id
    # The aim's page says where it came from, to the team, and links to the theme's ideas.
    aim_page = client_for(world.member_a).get(f"/aims/{aim.id}")
    assert (
        "Came from the priority ‘Getting out and about’ of the round ‘Our priorities for 2027’, "
        "2 ideas." in text_of(aim_page)
    )
    assert f"/priority-themes/{theme.id}" in aim_page.get_data(as_text=True)
    in_team_a = client_for(world.lead_a).get(f"/priority-themes/{theme.id}")
    assert "The aim More people out each week" in text_of(in_team_a)
    assert "Lifts to clinics" in text_of(in_team_a) and "Expert A" not in text_of(in_team_a)
    # Someone of another team is told what it became, not the aim they may not open.
    in_team_b = text_of(client_for(world.member_b).get(f"/priority-themes/{theme.id}"))
    assert "An aim of a team you are not part of" in in_team_b
    assert "More people out each week" not in in_team_b
    # Unlinking.
    theme = fresh(theme)
    assert client.post(url, data={"record": "", "version": str(theme.version)}).status_code == 303
    assert fresh(theme).aim_id is None


def test_a_theme_is_linked_to_a_shared_measure(world, client_for, chosen, make_round):
    round_, theme = chosen
    measure = shared_measure(world.x)
    other = shared_measure(world.y, "Theirs")
    client = client_for(world.coordinator_x)
    url = f"/priority-themes/{theme.id}/measure"
    page = client.get(url)
    assert "People going out weekly" in text_of(page) and "Theirs" not in text_of(page)
    wrong = client.post(url, data={"record": str(other.id), "version": str(theme.version)})
    assert wrong.status_code == 422
    stale = client.post(url, data={"record": str(measure.id), "version": str(theme.version + 3)})
    assert stale.status_code == 409
    done = client.post(url, data={"record": str(measure.id), "version": str(theme.version)})
    assert done.status_code == 303
    assert fresh(theme).measure_id == measure.id
    measure_page = client_for(world.member_a).get(f"/measures/{measure.id}")
    assert "Came from the priority ‘Getting out and about’" in text_of(measure_page)


def test_a_cop_rounds_origin_is_not_shown_to_people_outside_the_cop(
    world, client_for, make_community, join, make_round
):
    cop = make_community(world.x)
    join(world.member_a, cop, CommunityRole.FACILITATOR)
    round_ = make_round(cop, stage=RoundStage.CLOSED)
    theme = add_theme(round_, "Secret theme")
    aim = make_aim(world.team_a, title="Fewer falls")
    theme.aim_id = aim.id
    db.session.commit()
    assert "Secret theme" in text_of(client_for(world.member_a).get(f"/aims/{aim.id}"))
    assert "Secret theme" not in text_of(client_for(world.lead_a).get(f"/aims/{aim.id}"))


@pytest.mark.parametrize("who", ["expert_a", "lead_a"])
def test_only_the_facilitator_links_a_theme(world, client_for, chosen, who):
    _round, theme = chosen
    aim = make_aim(world.team_a)
    response = client_for(getattr(world, who)).post(
        f"/priority-themes/{theme.id}/aim",
        data={"record": str(aim.id), "version": str(theme.version)},
    )
    assert response.status_code == 403
    assert fresh(theme).aim_id is None


def test_the_theme_page_is_for_people_who_may_see_the_round(world, client_for, chosen):
    _round, theme = chosen
    assert client_for(world.member_c).get(f"/priority-themes/{theme.id}").status_code == 404
    page = client_for(world.expert_a).get(f"/priority-themes/{theme.id}")
    assert page.status_code == 200
    assert "Start a community of practice" not in text_of(page)


def test_a_link_post_without_its_field_changes_nothing(world, client_for, chosen):
    """‘Not linked’ is an empty value: a POST that lost the field must not unlink."""
    _round, theme = chosen
    measure = shared_measure(world.x)
    theme.measure_id = measure.id
    db.session.commit()
    client = client_for(world.coordinator_x)
    url = f"/priority-themes/{theme.id}/measure"
    assert client.post(url, data={"version": str(theme.version)}).status_code == 422
    assert client.post(url, data={}).status_code == 422
    assert fresh(theme).measure_id == measure.id


def test_no_shared_measure_you_can_see(world, client_for, chosen):
    _round, theme = chosen
    page = text_of(client_for(world.coordinator_x).get(f"/priority-themes/{theme.id}/measure"))
    assert "There is no shared measure you can see of Collaborative X yet" in page
