"""Sending in ideas: the group asked once per round (suggested from the CoP), anonymous ideas
whose author nobody sees (the facilitator and admins included, on every page and in every file),
changing and withdrawing your own while ideas are gathered, and ideas from the event typed in by
the facilitator with a group and no name."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from improve.extensions import db
from improve.models import (
    AuditEvent,
    CommunityRole,
    IdeaSource,
    PriorityIdea,
    RoundParticipant,
    RoundStage,
    StakeholderGroup,
)
from tests.conftest import HTMX, text_of
from tests.priorities.conftest import add_idea, add_theme, add_vote, take_part

EXPERT = StakeholderGroup.EXPERT_BY_EXPERIENCE


def ideas() -> list[PriorityIdea]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(PriorityIdea).order_by(PriorityIdea.id)))


def send(client, round_, text="Lifts to clinics", group="expert_by_experience", **extra):
    data = {"text": text, **({"group": group} if group else {}), **extra}
    return client.post(f"/priority-rounds/{round_.id}/ideas", data=data)


def test_the_first_idea_asks_the_group_then_never_again(world, client_for, make_round):
    round_ = make_round(world.x)
    client = client_for(world.expert_a)
    page = client.get(f"/priority-rounds/{round_.id}")
    assert "Which group are you part of, for this round?" in text_of(page)
    response = send(client, round_)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/priority-rounds/{round_.id}#your-ideas")
    (idea,) = ideas()
    assert idea.stakeholder_group == EXPERT and idea.submitted_by_id == world.expert_a.id
    assert idea.source == IdeaSource.ONLINE and not idea.is_anonymous
    participant = db.session.scalar(sa.select(RoundParticipant))
    assert participant.stakeholder_group == EXPERT
    page = client.get(f"/priority-rounds/{round_.id}")
    assert "Which group are you part of" not in text_of(page)
    # Later ideas count under the same group, whatever a form might send.
    assert send(client, round_, "Befriending", group="manager").status_code == 303
    assert [i.stakeholder_group for i in ideas()] == [EXPERT, EXPERT]


def test_an_idea_without_a_group_or_words_is_refused(world, client_for, make_round):
    round_ = make_round(world.x)
    client = client_for(world.member_a)
    no_group = send(client, round_, group=None)
    assert no_group.status_code == 422
    assert "Choose the group you are part of" in text_of(no_group)
    no_words = send(client, round_, text="   ")
    assert no_words.status_code == 422 and "Enter your idea" in text_of(no_words)
    odd_group = send(client, round_, group="astronaut")
    assert odd_group.status_code == 422 and "Choose one of the groups listed" in text_of(odd_group)
    assert ideas() == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RoundParticipant)) == 0


def test_htmx_gets_every_count_of_the_round_back(world, client_for, make_round):
    """Sending an idea with htmx swaps the block holding the counts, your ideas and the ideas
    sent in, so no number on the page is left behind."""
    round_ = make_round(world.x)
    client = client_for(world.member_a)
    response = client.post(
        f"/priority-rounds/{round_.id}/ideas",
        data={"text": "Befriending", "group": "frontline_practitioner"},
        headers=HTMX,
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="round-body"')
    assert "Your idea has been sent in" in html and "Befriending" in html
    assert "1 idea, 0 themes" in text_of(response)
    assert "No ideas yet" not in html
    invalid = client.post(f"/priority-rounds/{round_.id}/ideas", data={"text": ""}, headers=HTMX)
    assert invalid.status_code == 422 and "Enter your idea" in text_of(invalid)
    assert invalid.get_data(as_text=True).lstrip().startswith('<div id="round-body"')


def test_a_cop_round_suggests_the_group_given_in_the_cop(
    world, client_for, make_community, join, make_round
):
    cop = make_community()
    join(world.member_a, cop, group=StakeholderGroup.CARER)
    round_ = make_round(cop)
    page = client_for(world.member_a).get(f"/priority-rounds/{round_.id}")
    assert 'value="carer" checked' in page.get_data(as_text=True)


def test_ideas_are_gathered_only_at_the_first_stage(world, client_for, make_round):
    round_ = make_round(world.x, stage=RoundStage.THEMING)
    response = send(client_for(world.expert_a), round_)
    assert response.status_code == 409
    assert "Ideas are no longer being gathered" in text_of(response)
    assert ideas() == []


def test_a_collaborative_round_is_not_open_to_other_collaboratives(world, client_for, make_round):
    round_ = make_round(world.y)
    assert send(client_for(world.member_a), round_).status_code == 404
    assert ideas() == []


# Anonymity -------------------------------------------------------------------------------------


ANONYMOUS_AUTHOR = "Expert A"  # world.expert_a's display name


@pytest.fixture
def anonymous_round(world, client_for, make_round):
    """A round at every stage's pages: an anonymous idea by the expert, in a theme, voted on."""
    round_ = make_round(world.x)
    response = send(client_for(world.expert_a), round_, "Lifts to clinics", is_anonymous="y")
    assert response.status_code == 303
    (idea,) = ideas()
    theme = add_theme(round_, "Transport")
    add_theme(round_, "Loneliness", position=1)
    idea.theme_id = theme.id
    db.session.commit()
    add_vote(round_, world.expert_a, EXPERT, dots={theme: 3})
    return round_, idea, theme


@pytest.mark.parametrize("who", ["coordinator_x", "admin", "member_a", "panel_x"])
def test_nobody_sees_the_name_of_an_anonymous_idea(world, client_for, anonymous_round, who):
    round_, idea, theme = anonymous_round
    client = client_for(getattr(world, who))
    facilitator = who in ("coordinator_x", "admin")
    for stage in (RoundStage.COLLECTING, RoundStage.THEMING, RoundStage.CLOSED):
        round_.stage = stage
        db.session.commit()
        showing_the_idea = [f"/priority-rounds/{round_.id}", f"/priority-themes/{theme.id}"]
        others = [f"/priority-rounds/{round_.id}/event-ideas"] if facilitator else []
        if facilitator and stage != RoundStage.CLOSED:
            showing_the_idea += [
                f"/priority-rounds/{round_.id}/themes",
                f"/priority-themes/{theme.id}/merge",
            ]
        if facilitator or stage == RoundStage.CLOSED:
            others += [f"/priority-rounds/{round_.id}/results"]
            others += [f"/priority-rounds/{round_.id}/results.csv"]
        for url in showing_the_idea + others:
            response = client.get(url)
            assert response.status_code == 200, url
            body = response.get_data(as_text=True)
            assert url not in showing_the_idea or "Lifts to clinics" in body, url
            assert ANONYMOUS_AUTHOR not in body, url
            assert world.expert_a.email not in body, url


def test_the_author_is_told_the_anonymous_idea_is_theirs(world, client_for, anonymous_round):
    round_, idea, _theme = anonymous_round
    round_.stage = RoundStage.COLLECTING
    db.session.commit()
    page = text_of(client_for(world.expert_a).get(f"/priority-rounds/{round_.id}"))
    assert "Your name is not shown with it" in page
    assert "only you are told it is yours" in page


def test_an_anonymous_ideas_audit_rows_name_no_one(world, client_for, anonymous_round):
    _round, idea, _theme = anonymous_round
    rows = db.session.scalars(
        sa.select(AuditEvent).where(
            AuditEvent.entity_type == "PriorityIdea", AuditEvent.entity_id == idea.id
        )
    ).all()
    assert rows and all(row.actor_id is None for row in rows)
    assert all("submitted_by_id" not in (row.after or {}) for row in rows)


def test_an_anonymous_idea_shows_no_group_and_ideas_are_not_in_the_order_sent(
    world, client_for, make_round
):
    """Beside the same person's named idea, an anonymous idea's group (or its place in the
    order sent) would point at its author: it shows neither, and ideas go by their words."""
    round_ = make_round(world.x)
    client = client_for(world.expert_a)
    send(client, round_, "Zebra crossings near day centres")
    send(client, round_, "Lifts to clinics", is_anonymous="y")
    send(client_for(world.member_a), round_, "Befriending", group="frontline_practitioner")
    page = text_of(client_for(world.coordinator_x).get(f"/priority-rounds/{round_.id}"))
    assert "Lifts to clinics Sent in without a name" in page
    assert "Name not shown" not in page
    ideas_sent = page[page.index("Ideas sent in") :]
    order = [ideas_sent.index(t) for t in ("Befriending", "Lifts to", "Zebra")]
    assert order == sorted(order)
    board = text_of(client_for(world.coordinator_x).get(f"/priority-rounds/{round_.id}/themes"))
    assert "Lifts to clinics Sent in without a name" in board


def test_the_idea_form_warns_about_small_groups(world, client_for, make_round):
    round_ = make_round(world.x)
    page = text_of(client_for(world.expert_a).get(f"/priority-rounds/{round_.id}"))
    assert "If few people from your group take part" in page


def test_joining_with_an_anonymous_idea_names_no_one_in_the_audit_trail(
    world, client_for, make_round
):
    """The join row written with a first anonymous idea names nobody: a row naming the person
    beside the idea's would say whose it is."""
    round_ = make_round(world.x)
    assert send(client_for(world.expert_a), round_, is_anonymous="y").status_code == 303
    rows = db.session.scalars(
        sa.select(AuditEvent).where(
            AuditEvent.entity_type.in_(["RoundParticipant", "PriorityIdea"])
        )
    ).all()
    assert len(rows) == 2 and all(row.actor_id is None for row in rows)
    assert all("user_id" not in (row.after or {}) for row in rows)
    assert all(ANONYMOUS_AUTHOR not in row.summary for row in rows)


def test_the_edit_form_says_the_history_keeps_an_earlier_name(world, client_for, make_round):
    round_ = make_round(world.x)
    idea = add_idea(round_, "Lifts", by=world.member_a)
    page = text_of(client_for(world.member_a).get(f"/priority-ideas/{idea.id}/edit"))
    assert "only administrators can read, still shows that you sent it in" in page


def test_a_named_idea_shows_its_authors_name(world, client_for, make_round):
    round_ = make_round(world.x)
    send(client_for(world.member_a), round_, "Befriending", group="frontline_practitioner")
    page = text_of(client_for(world.expert_a).get(f"/priority-rounds/{round_.id}"))
    assert "Befriending" in page and "Member A" in page


# Changing and withdrawing ----------------------------------------------------------------------


def test_the_author_changes_their_idea_and_a_stale_save_is_refused(world, client_for, make_round):
    round_ = make_round(world.x)
    idea = add_idea(round_, "Lifts", by=world.member_a)
    client = client_for(world.member_a)
    url = f"/priority-ideas/{idea.id}/edit"
    assert client.get(url).status_code == 200
    version = str(idea.version)
    saved = client.post(
        url, data={"text": "Lifts to clinics", "is_anonymous": "y", "version": version}
    )
    assert saved.status_code == 303
    stale = client.post(url, data={"text": "Buses", "version": version})
    assert stale.status_code == 409
    (idea,) = ideas()
    assert idea.text == "Lifts to clinics" and idea.is_anonymous


@pytest.mark.parametrize("who", ["member_b", "coordinator_x", "admin"])
def test_nobody_else_may_change_or_withdraw_an_online_idea(world, client_for, make_round, who):
    round_ = make_round(world.x)
    idea = add_idea(round_, "Lifts", by=world.member_a, anonymous=True)
    client = client_for(getattr(world, who))
    data = {"text": "Changed", "version": str(idea.version)}
    assert client.post(f"/priority-ideas/{idea.id}/edit", data=data).status_code == 404
    withdraw = client.post(f"/priority-ideas/{idea.id}/withdraw", data={"version": data["version"]})
    assert withdraw.status_code == 404
    assert ideas()[0].text == "Lifts"


def test_the_author_withdraws_their_idea_after_confirming(world, client_for, make_round):
    round_ = make_round(world.x)
    idea = add_idea(round_, "Lifts", by=world.member_a)
    client = client_for(world.member_a)
    url = f"/priority-ideas/{idea.id}/withdraw"
    assert "Withdraw your idea?" in text_of(client.get(url))
    assert client.post(url, data={"version": str(idea.version + 1)}).status_code == 409
    assert client.post(url, data={}).status_code == 400
    assert client.post(url, data={"version": str(idea.version)}).status_code == 303
    assert ideas() == []


def test_ideas_cannot_change_once_theming_has_started(world, client_for, make_round):
    round_ = make_round(world.x, stage=RoundStage.THEMING)
    idea = add_idea(round_, "Lifts", by=world.member_a)
    client = client_for(world.member_a)
    data = {"text": "Changed", "version": str(idea.version)}
    assert client.post(f"/priority-ideas/{idea.id}/edit", data=data).status_code == 409
    assert client.post(f"/priority-ideas/{idea.id}/withdraw", data=data).status_code == 409
    assert ideas()[0].text == "Lifts"


# Ideas from the event --------------------------------------------------------------------------


def test_the_facilitator_types_in_ideas_from_the_event(world, client_for, make_round):
    round_ = make_round(world.x)
    client = client_for(world.coordinator_x)
    url = f"/priority-rounds/{round_.id}/event-ideas"
    assert client.get(url).status_code == 200
    response = client.post(url, data={"text": "More respite", "stakeholder_group": "carer"})
    assert response.status_code == 303
    fragment = client.post(
        url, data={"text": "Peer support", "stakeholder_group": "not_said"}, headers=HTMX
    )
    assert fragment.get_data(as_text=True).lstrip().startswith('<section id="event-ideas"')
    first, second = ideas()
    assert first.source == IdeaSource.EVENT and first.submitted_by_id is None
    assert first.stakeholder_group == StakeholderGroup.CARER and first.is_anonymous
    page = text_of(client_for(world.member_a).get(f"/priority-rounds/{round_.id}"))
    assert "More respite" in page and "From the event" in page
    assert "Coordinator X" not in page
    # The facilitator may fix one; nobody else may.
    data = {"text": "More respite breaks", "stakeholder_group": "carer", "version": "1"}
    assert client.post(f"/priority-ideas/{first.id}/edit", data=data).status_code == 303
    assert (
        client_for(world.member_a).post(f"/priority-ideas/{second.id}/edit", data=data).status_code
        == 404
    )


def test_an_event_idea_needs_words_and_a_known_group(world, client_for, make_round):
    round_ = make_round(world.x)
    url = f"/priority-rounds/{round_.id}/event-ideas"
    client = client_for(world.coordinator_x)
    response = client.post(url, data={"text": "", "stakeholder_group": "carer"})
    assert response.status_code == 422 and "Enter the idea" in text_of(response)
    response = client.post(url, data={"text": "Ok", "stakeholder_group": "alien"})
    assert response.status_code == 422
    assert ideas() == []


@pytest.mark.parametrize(
    ("who", "status"), [("expert_a", 403), ("lead_a", 403), ("coordinator_y", 404)]
)
def test_only_the_facilitator_types_in_event_ideas(world, client_for, make_round, who, status):
    round_ = make_round(world.x)
    response = client_for(getattr(world, who)).post(
        f"/priority-rounds/{round_.id}/event-ideas",
        data={"text": "Ok", "stakeholder_group": "carer"},
    )
    assert response.status_code == status
    assert ideas() == []


def test_event_ideas_stop_when_voting_opens(world, client_for, make_round):
    round_ = make_round(world.x, stage=RoundStage.VOTING)
    response = client_for(world.coordinator_x).post(
        f"/priority-rounds/{round_.id}/event-ideas",
        data={"text": "Ok", "stakeholder_group": "carer"},
    )
    assert response.status_code == 409
    assert ideas() == []


def test_a_cop_facilitator_runs_a_cop_round(world, client_for, make_community, join, make_round):
    cop = make_community()
    join(world.member_a, cop, CommunityRole.FACILITATOR)
    join(world.member_b, cop)
    join(world.member_c, cop, CommunityRole.RESEARCH_PARTNER)
    round_ = make_round(cop)
    url = f"/priority-rounds/{round_.id}/event-ideas"
    data = {"text": "Ok", "stakeholder_group": "carer"}
    assert client_for(world.member_b).post(url, data=data).status_code == 403
    assert client_for(world.member_c).post(url, data=data).status_code == 403
    assert client_for(world.member_a).post(url, data=data).status_code == 303
    take_part(round_, world.member_b, StakeholderGroup.MANAGER)
    assert send(client_for(world.member_b), round_, group=None).status_code == 303
