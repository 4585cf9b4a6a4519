"""Routes for ideas: sending one in (the first time, with the person's group for the round),
changing or withdrawing your own while ideas are gathered, and the facilitator typing in ideas
written on paper at the event."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, request, url_for
from flask_login import current_user

from improve.extensions import db
from improve.forms import (
    accept_version,
    form_status,
    removal_conflict,
    removal_status,
    saved_values,
)
from improve.htmx import is_partial_request, render, see_other
from improve.models import IdeaSource, PriorityRound, RoundStage, StakeholderGroup
from improve.priorities import bp, operations, queries
from improve.priorities.access import own_idea_or_404, round_or_404
from improve.priorities.forms import EventIdeaEditForm, EventIdeaForm, IdeaEditForm
from improve.priorities.views import idea_form, round_page, round_url

GATHERING = (RoundStage.COLLECTING,)
# Ideas from the event may still be typed in while the facilitator groups them.
TYPING_IN = (RoundStage.COLLECTING, RoundStage.THEMING)
NOT_GATHERING = (
    "Ideas are no longer being gathered in this round, so nothing was saved. Ideas can be sent "
    "in, changed and withdrawn only while the round is at ‘Gathering ideas’."
)
NOT_TYPING_IN = (
    "Ideas from the event can be typed in only until voting opens, so nothing was saved."
)


def require_stage(round_: PriorityRound, stages: tuple[RoundStage, ...], message: str) -> None:
    """Refuse (409, nothing written) what the round's stage does not allow, saying so: the
    app's usual 409 page would say someone else changed it, which is not what happened."""
    if round_.stage not in stages:
        title = f"Not while the round is at ‘{round_.stage.label}’"
        page = render("errors/error.html", status=409, title=title, advice=message)
        abort(page)


@bp.post("/priority-rounds/<id:round_id>/ideas")
def add_idea(round_id: int):
    """Send in an idea; the first time, say which group you are part of for this round."""
    round_ = round_or_404(round_id)
    require_stage(round_, GATHERING, NOT_GATHERING)
    participant = queries.get_participant(round_.id, current_user.id)
    form = idea_form(round_, participant)
    if not form.validate_on_submit():
        return round_page(round_, "round_body", 422, idea_form=form)
    group = form.chosen_group()
    anonymous = bool(form.is_anonymous.data)
    participant = participant or operations.join_round(current_user, round_, group, anonymous)
    operations.add_idea(current_user, round_, participant, form.text.data, anonymous)
    db.session.commit()
    hidden = " Your name is not shown with it, to anyone." if anonymous else ""
    flash(f"Your idea has been sent in.{hidden}", "success")
    if is_partial_request():
        return round_page(round_, "round_body")
    return see_other(round_url(round_, _anchor="your-ideas"))


def idea_stages(source: IdeaSource) -> tuple[tuple[RoundStage, ...], str]:
    return (TYPING_IN, NOT_TYPING_IN) if source == IdeaSource.EVENT else (GATHERING, NOT_GATHERING)


def back_from_idea(round_: PriorityRound, source: IdeaSource) -> str:
    if source == IdeaSource.EVENT:
        return url_for(".event_ideas", round_id=round_.id)
    return round_url(round_, _anchor="your-ideas")


def idea_values(form: Any, event: bool) -> dict[str, Any]:
    """What an edit form changes: the words, and the group (from the event) or whether the name
    shows (sent in online)."""
    if event:
        return {
            "text": form.text.data,
            "stakeholder_group": StakeholderGroup(form.stakeholder_group.data),
        }
    return {"text": form.text.data, "is_anonymous": bool(form.is_anonymous.data)}


@bp.route("/priority-ideas/<id:idea_id>/edit", methods=["GET", "POST"])
def edit_idea(idea_id: int):
    """Change your idea (or, for a facilitator, one typed in from the event)."""
    round_, idea = own_idea_or_404(idea_id)
    require_stage(round_, *idea_stages(idea.source))
    event = idea.source == IdeaSource.EVENT
    form = (EventIdeaEditForm if event else IdeaEditForm)(obj=idea)
    conflict = False
    if form.validate_on_submit():
        conflict = not accept_version(form, idea)
        if not conflict:
            changed = operations.update_idea(current_user, idea, idea_values(form, event))
            db.session.commit()
            flash("Idea saved." if changed else "Nothing was changed.", "success")
            return see_other(back_from_idea(round_, idea.source))
    return render(
        "priorities/idea_edit.html",
        status=form_status(form, conflict),
        round=round_,
        idea=idea,
        form=form,
        event=event,
        back=back_from_idea(round_, idea.source),
        conflict=conflict,
        saved=saved_values(form, idea) if conflict else [],
    )


@bp.route("/priority-ideas/<id:idea_id>/withdraw", methods=["GET", "POST"])
def withdraw_idea(idea_id: int):
    """Confirm, then withdraw your idea (or remove one typed in from the event)."""
    round_, idea = own_idea_or_404(idea_id)
    require_stage(round_, *idea_stages(idea.source))
    conflict = request.method == "POST" and removal_conflict(idea)
    if request.method == "POST" and not conflict:
        back = back_from_idea(round_, idea.source)
        operations.withdraw_idea(current_user, idea)
        db.session.commit()
        flash("The idea has been withdrawn.", "success")
        return see_other(back)
    return render(
        "priorities/idea_withdraw.html",
        status=removal_status(conflict),
        round=round_,
        idea=idea,
        back=back_from_idea(round_, idea.source),
        conflict=conflict,
    )


def event_ideas_page(round_: PriorityRound, form: EventIdeaForm, status: int = 200):
    """The page for typing in ideas from the event, or its block alone for htmx."""
    ideas = [row for row in queries.list_ideas(round_.id, current_user.id) if row.source == "event"]
    return render(
        "priorities/event_ideas.html",
        "event_ideas",
        status,
        round=round_,
        form=form,
        ideas=ideas,
    )


@bp.route("/priority-rounds/<id:round_id>/event-ideas", methods=["GET", "POST"])
def event_ideas(round_id: int):
    """Type in the ideas written on paper at the event, one at a time, with the group of the
    person who wrote each and no name."""
    round_ = round_or_404(round_id, facilitate=True)
    if request.method == "GET":
        return event_ideas_page(round_, EventIdeaForm(formdata=None))
    require_stage(round_, TYPING_IN, NOT_TYPING_IN)
    form = EventIdeaForm()
    if not form.validate_on_submit():
        return event_ideas_page(round_, form, 422)
    group = StakeholderGroup(form.stakeholder_group.data)
    operations.add_event_idea(current_user, round_, form.text.data, group)
    db.session.commit()
    flash("Idea added. Type in the next one below.", "success")
    if is_partial_request():
        return event_ideas_page(round_, EventIdeaForm(formdata=None))
    return see_other(request.path + "#event-ideas")
