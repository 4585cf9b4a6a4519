"""Issue 17, point 5: experts by experience get their own way in. A page per cycle in plain words
(what the team is trying, what it expects, what happened, what it decided) without the
worksheet's jargon; every expert's view signed, dated and kept; the team page leads them there
and does not offer them what they cannot do.

World: collaborative X with team A (see tests/conftest.py)."""

from __future__ import annotations

import re
from html import unescape

import sqlalchemy as sa

from improve.extensions import db
from improve.models import ExpertView, ExpertViewKind
from tests.conftest import text_of
from tests.cycles.posts import expert_data
from tests.cycles.test_worksheet import closed, done_do

# The worksheet's words that the plain page must not use.
JARGON = re.compile(r"\b(PDSA|Plan stage|Do stage|Study stage|Act stage|objective|ramp)\b", re.I)


def plain_text(response) -> str:
    """The page's main content, without the header and the link to the full worksheet."""
    main = response.get_data(as_text=True).split('id="main-content"')[1].split("</main>")[0]
    main = main.split("The team's full worksheet")[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


def test_a_cycle_in_plain_words_tells_its_story_without_jargon(world, client_for, idea):
    cycle = closed(
        idea,
        title="Huddle at handover",
        objective="Learn whether a huddle helps",
        what_happened="Huddles on 4 days",
        next_steps="Both floors",
    )
    response = client_for(world.expert_a).get(f"/cycles/{cycle.id}/plain-words")
    assert response.status_code == 200
    text = plain_text(response)
    for heading in (
        "What the team is trying",
        "What the team expects",
        "What happened",
        "What the team decided",
    ):
        assert heading in text
    assert "What they want to find out: Learn whether a huddle helps" in text
    assert "They asked: Will staff have time?" in text
    assert "They expect: Yes, on 4 days out of 5" in text
    assert "Huddles on 4 days" in text and "Did it help? Yes, it helped." in text
    assert "Change it and try again" in text and "Next: Both floors" in text
    assert not JARGON.search(text), JARGON.search(text)


def test_an_expert_adds_a_signed_view_from_the_plain_page_and_comes_back(
    world, client_for, grant, make_user, idea
):
    cycle = done_do(idea)
    second = make_user(display_name="Second Expert")
    grant(second, "expert_by_experience", world.team_a)
    first = client_for(world.expert_a)
    page = first.get(f"/cycles/{cycle.id}/plain-words").get_data(as_text=True)
    assert 'name="expert_plan-return_to" type="hidden" value="plain"' in page or (
        'name="expert_plan-return_to"' in page and 'value="plain"' in page
    )
    data = {
        **expert_data("plan", "Being asked first matters to me."),
        "expert_plan-return_to": "plain",
    }
    saved = first.post(f"/cycles/{cycle.id}/plan/expert", data=data)
    assert saved.status_code == 303
    assert saved.headers["Location"] == f"/cycles/{cycle.id}/plain-words#plan-expert"
    data = {**expert_data("study", "I slept better."), "expert_study-return_to": "plain"}
    assert client_for(second).post(f"/cycles/{cycle.id}/study/expert", data=data).status_code == 303

    text = plain_text(client_for(world.member_a).get(f"/cycles/{cycle.id}/plain-words"))
    assert "Being asked first matters to me. Expert A," in text
    assert "I slept better. Second Expert," in text
    views = db.session.scalars(sa.select(ExpertView).order_by(ExpertView.id)).all()
    assert [(v.author_id, v.kind) for v in views] == [
        (world.expert_a.id, ExpertViewKind.WHAT_MATTERS),
        (second.id, ExpertViewKind.DIFFERENCE),
    ]
    # A member reads the views but is offered no box for one.
    member_page = client_for(world.member_a).get(f"/cycles/{cycle.id}/plain-words")
    assert "Your view" not in text_of(member_page)


def test_the_team_page_leads_an_expert_to_plain_words_and_offers_no_report_writing(
    world, client_for, cycle
):
    expert_page = client_for(world.expert_a).get(f"/teams/{world.team_a.id}")
    html = expert_page.get_data(as_text=True)
    assert f'href="/cycles/{cycle.id}/plain-words"' in html
    assert f'href="/cycles/{cycle.id}"' not in html
    assert "write this month's report" not in unescape(text_of(expert_page))
    assert "read the team's monthly reports" in unescape(text_of(expert_page))
    member_page = client_for(world.member_a).get(f"/teams/{world.team_a.id}")
    assert f'href="/cycles/{cycle.id}"' in member_page.get_data(as_text=True)
    assert "write this month's report" in unescape(text_of(member_page))


def test_the_plain_page_is_seen_only_by_those_who_see_the_team(world, client_for, cycle):
    for who, status in (("expert_a", 200), ("coordinator_x", 200), ("member_b", 404)):
        response = client_for(getattr(world, who)).get(f"/cycles/{cycle.id}/plain-words")
        assert response.status_code == status, who


def test_an_expert_commenting_without_javascript_comes_back_to_plain_words(world, client_for, idea):
    cycle = done_do(idea)
    data = {"comment-body": "Could the night staff say more about this?"}
    posted = client_for(world.expert_a).post(f"/cycles/{cycle.id}/comments", data=data)
    assert posted.status_code == 303
    assert posted.headers["Location"] == f"/cycles/{cycle.id}/plain-words#comments"
    # The team's own members go back to the worksheet, as before.
    posted = client_for(world.member_a).post(f"/cycles/{cycle.id}/comments", data=data)
    assert posted.headers["Location"] == f"/cycles/{cycle.id}#comments"


def test_the_history_of_a_view_names_it_a_view(world, client_for, idea):
    cycle = done_do(idea)
    data = {
        **expert_data("plan", "Being asked first matters to me."),
        "expert_plan-return_to": "plain",
    }
    client_for(world.expert_a).post(f"/cycles/{cycle.id}/plan/expert", data=data)
    view = db.session.scalar(sa.select(ExpertView))
    text = text_of(client_for(world.member_a).get(f"/history/ExpertView/{view.id}"))
    assert "Their view Being asked first matters to me." in text
    assert "Comment" not in text
