"""The forms built per round (a box per theme, a list per place) give every field a hint, and
every input on the round's pages is linked to one (tests/test_form_hints.py checks the forms
it can build bare)."""

from __future__ import annotations

import pytest

from improve.extensions import db
from improve.models import PriorityRound, PriorityTheme, RoundStage, VotingMethod
from improve.priorities.forms import dots_form, ranking_form
from tests.priorities.conftest import add_idea, add_theme
from tests.test_form_hints import fields_without_hints, inputs_without_hints


def _themes() -> list[PriorityTheme]:
    return [
        PriorityTheme(id=1, name="Transport", description="Getting about"),
        PriorityTheme(id=2, name="Loneliness", description=""),
    ]


@pytest.mark.parametrize("build", [dots_form, ranking_form])
def test_every_field_of_a_vote_form_has_a_hint(app, build):
    round_ = PriorityRound(dots_per_person=5, max_dots_per_theme=3, ranks_per_person=3)
    with app.test_request_context():
        form = build(round_, _themes(), formdata=None)
        assert fields_without_hints(form) == []


@pytest.mark.parametrize("method", [VotingMethod.DOTS, VotingMethod.RANKING])
def test_every_input_on_the_round_pages_is_described(world, client_for, make_round, method):
    round_ = make_round(world.x, voting_method=method)
    theme = add_theme(round_, "Transport")
    add_theme(round_, "Loneliness", position=1)
    add_idea(round_, "Lifts", by=world.member_a, theme=theme)
    add_idea(round_, "Buses", by=world.member_a)
    client = client_for(world.coordinator_x)
    pages = [
        f"/collaboratives/{world.x.id}/priorities/new",
        f"/priority-rounds/{round_.id}",
        f"/priority-rounds/{round_.id}/edit",
        f"/priority-rounds/{round_.id}/themes",
        f"/priority-rounds/{round_.id}/event-ideas",
        f"/priority-themes/{theme.id}/edit",
        f"/priority-themes/{theme.id}/merge",
    ]
    for url in pages:
        assert inputs_without_hints(client.get(url).get_data(as_text=True)) == [], url
    round_.stage = RoundStage.VOTING
    db.session.commit()
    vote = client.get(f"/priority-rounds/{round_.id}/vote")
    assert inputs_without_hints(vote.get_data(as_text=True)) == []
