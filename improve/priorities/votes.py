"""Routes for voting: dots spread over the themes within the round's limits, or a 1st, 2nd,
3rd... choice with no theme twice. A person may change their vote until voting closes; votes
are counted by group and never shown by name."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import Response, flash, request, url_for
from flask_login import current_user

from improve.extensions import db
from improve.forms import form_status
from improve.htmx import is_partial_request, render, see_other
from improve.models import PriorityRound, PriorityTheme, RoundParticipant, RoundStage, VotingMethod
from improve.priorities import bp, operations, queries
from improve.priorities.access import round_or_404
from improve.priorities.forms import (
    VoteForm,
    dots_chosen,
    dots_field_name,
    dots_form,
    dots_over,
    ranking_chosen,
    ranking_form,
    ranking_problem,
)
from improve.priorities.ideas import require_stage
from improve.priorities.views import round_url

NOT_VOTING = "Voting is not open in this round, so nothing was saved."
TEMPLATE = "priorities/vote.html"
VOTE_NEWS = {
    "new": "Your vote has been saved.",
    "changed": "Your vote has been changed.",
    "unchanged": "Your vote is unchanged.",
}


def vote_form(
    round_: PriorityRound,
    themes: Sequence[PriorityTheme],
    participant: RoundParticipant | None,
    **kwargs: Any,
) -> VoteForm:
    """The dots or ranking form, filled in with the person's vote so far; it asks their group
    the first time only."""
    # The vote so far fills in the GET's form only: a POST is read as sent, so one that lacks
    # a box is not topped up with the saved dots and passed off as a vote.
    mine = {} if request.method == "POST" else queries.own_votes(round_.id, current_user.id)
    if round_.voting_method == VotingMethod.DOTS:
        data = {dots_field_name(theme): mine.get(theme.id, 0) for theme in themes}
        form = dots_form(round_, themes, data=data, **kwargs)
    else:
        data = {f"choice_{place}": str(theme) for theme, place in mine.items()}
        form = ranking_form(round_, themes, data=data, **kwargs)
    if participant is not None:
        del form.group
    elif not form.group.data:
        suggested = queries.community_group(round_.community_id, current_user.id)
        form.group.data = suggested.value if suggested else None
    return form


def dots_used(form: Any) -> int:
    return sum(field.data or 0 for _theme, field in getattr(form, "dot_fields", []))


def vote_page(
    round_: PriorityRound, themes: Sequence[PriorityTheme], form: VoteForm, status: int = 200
) -> Response:
    """The voting page, or its dots count alone for htmx."""
    return render(
        TEMPLATE,
        "dots_left",
        status,
        round=round_,
        themes=themes,
        form=form,
        used=dots_used(form),
        voted=bool(queries.own_votes(round_.id, current_user.id)),
        ideas=queries.list_ideas(round_.id, current_user.id),
    )


def vote_problem(round_: PriorityRound, form: Any) -> str | None:
    """A limit the vote breaks, set on the field it concerns; None if it keeps them all."""
    if round_.voting_method == VotingMethod.RANKING:
        return ranking_problem(form)
    problem = dots_over(round_, form)
    if problem and form.dot_fields:
        first = form.dot_fields[0][1]
        first.errors = [*first.errors, problem]
    return problem


@bp.route("/priority-rounds/<id:round_id>/vote", methods=["GET", "POST"])
def vote(round_id: int):
    """Vote on the round's themes, or change your vote, while voting is open."""
    round_ = round_or_404(round_id)
    require_stage(round_, (RoundStage.VOTING,), NOT_VOTING)
    themes = queries.list_themes(round_.id)
    participant = queries.get_participant(round_.id, current_user.id)
    form = vote_form(round_, themes, participant)
    valid = form.validate_on_submit()
    # The limits over the whole vote are checked even when a box is wrong, so all show at once.
    problem = vote_problem(round_, form) if form.is_submitted() else None
    if not valid or problem:
        return vote_page(round_, themes, form, form_status(form))
    group = form.chosen_group()
    participant = participant or operations.join_round(current_user, round_, group)
    dots = round_.voting_method == VotingMethod.DOTS
    choices = dots_chosen(form) if dots else ranking_chosen(form)
    outcome = operations.save_vote(current_user, round_, participant, choices)
    db.session.commit()
    flash(f"{VOTE_NEWS[outcome]} You can change it until voting closes.", "success")
    return see_other(round_url(round_, _anchor="your-part"))


@bp.post("/priority-rounds/<id:round_id>/vote/count")
def count_dots(round_id: int):
    """How many dots the form as typed uses, and how many are left (for htmx, as the person
    types; nothing is saved)."""
    round_ = round_or_404(round_id)
    require_stage(round_, (RoundStage.VOTING,), NOT_VOTING)
    themes = queries.list_themes(round_.id)
    if round_.voting_method != VotingMethod.DOTS or not is_partial_request():
        return see_other(url_for(".vote", round_id=round_.id))
    form = dots_form(round_, themes)
    return render(TEMPLATE, "dots_left", round=round_, used=dots_used(form), form=form)
