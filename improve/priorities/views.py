"""Routes for priority rounds themselves: the rounds of a collaborative or a CoP, starting one,
its page (what the person can do now), changing its details, and moving it through its stages.
Ideas, themes, votes and results have their routes in the modules beside this one."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, current_app, flash, request, url_for
from flask_login import current_user

from improve.extensions import db
from improve.forms import RELOAD, accept_version, form_status, saved_values
from improve.htmx import render, see_other
from improve.models import Collaborative, Community, PriorityRound, RoundStage
from improve.permissions import (
    CommunityPermission,
    Permission,
    can,
    can_in_community,
    collaborative_or_404,
    community_or_404,
)
from improve.priorities import bp, operations, queries
from improve.priorities.access import may_facilitate, round_or_404
from improve.priorities.forms import IdeaForm, RoundDetailsForm, RoundForm, StageForm

STAGES = list(RoundStage)
# Theming and voting need at least two themes to choose between.
FEWEST_THEMES = 2
STAGE_NEWS = {
    RoundStage.COLLECTING: "Ideas are being gathered again. People can send in and change ideas.",
    RoundStage.THEMING: "Ideas are no longer being gathered. Next, group them into themes.",
    RoundStage.VOTING: "Voting is open. Everyone taking part can now vote on the themes.",
    RoundStage.CLOSED: "Voting has closed. The results are final and everyone can see them.",
}


def next_stage(round_: PriorityRound) -> RoundStage | None:
    index = STAGES.index(round_.stage)
    return STAGES[index + 1] if index + 1 < len(STAGES) else None


def previous_stage(round_: PriorityRound) -> RoundStage | None:
    index = STAGES.index(round_.stage)
    return STAGES[index - 1] if index > 0 else None


def endpoint_exists(name: str) -> bool:
    """Whether a page exists yet (the CoP pages are built beside this feature)."""
    return name in current_app.view_functions


def owner_of(round_: PriorityRound) -> tuple[str, str]:
    """The name of the round's collaborative or CoP, and the address of its rounds."""
    if round_.collaborative_id is not None:
        url = url_for(".collaborative_rounds", collaborative_id=round_.collaborative_id)
    else:
        url = url_for(".community_rounds", community_id=round_.community_id)
    return queries.owner_name(round_), url


def round_url(round_: PriorityRound, **args: Any) -> str:
    return url_for("priorities.detail", round_id=round_.id, **args)


# The rounds of a collaborative or a CoP ----------------------------------------------------------


def rounds_page(
    owner: Collaborative | Community, rows: list[queries.RoundRow], may_start: bool, new_url: str
) -> Response:
    return render(
        "priorities/index.html",
        owner=owner,
        is_community=isinstance(owner, Community),
        rows=rows,
        may_start=may_start,
        new_url=new_url,
        has_community_page=endpoint_exists("communities.detail"),
    )


@bp.get("/collaboratives/<id:collaborative_id>/priorities")
def collaborative_rounds(collaborative_id: int):
    """A collaborative's priority rounds, newest first; its coordinators start new ones."""
    collaborative = collaborative_or_404(collaborative_id)
    return rounds_page(
        collaborative,
        queries.list_rounds(collaborative_id=collaborative.id),
        can(current_user, Permission.EDIT_COLLABORATIVE, collaborative),
        url_for(".new_collaborative_round", collaborative_id=collaborative.id),
    )


@bp.get("/communities/<id:community_id>/priorities")
def community_rounds(community_id: int):
    """A CoP's priority rounds, newest first; its facilitators start new ones."""
    community = community_or_404(community_id)
    return rounds_page(
        community,
        queries.list_rounds(community_id=community.id),
        can_in_community(current_user, CommunityPermission.FACILITATE, community),
        url_for(".new_community_round", community_id=community.id),
    )


def new_round(owner: Collaborative | Community, back: str) -> Response:
    """The form to start a round, and saving it."""
    form = RoundForm()
    if form.validate_on_submit():
        key = "community_id" if isinstance(owner, Community) else "collaborative_id"
        round_ = operations.create_round(current_user, form.details(), **{key: owner.id})
        db.session.commit()
        flash(f"Round ‘{round_.title}’ started. People can now send in ideas.", "success")
        return see_other(round_url(round_))
    return render(
        "priorities/round_form.html",
        status=form_status(form),
        form=form,
        owner_name=owner.name,
        round=None,
        back=back,
        voting_locked=False,
    )


@bp.route("/collaboratives/<id:collaborative_id>/priorities/new", methods=["GET", "POST"])
def new_collaborative_round(collaborative_id: int):
    """Start a priority round for the whole collaborative (its coordinators)."""
    collaborative = collaborative_or_404(collaborative_id, Permission.EDIT_COLLABORATIVE)
    back = url_for(".collaborative_rounds", collaborative_id=collaborative.id)
    return new_round(collaborative, back)


@bp.route("/communities/<id:community_id>/priorities/new", methods=["GET", "POST"])
def new_community_round(community_id: int):
    """Start a priority round for a CoP (its facilitators)."""
    community = community_or_404(community_id, CommunityPermission.FACILITATE)
    return new_round(community, url_for(".community_rounds", community_id=community.id))


# One round -------------------------------------------------------------------------------------


def round_page(
    round_: PriorityRound, fragment: str | None = None, status: int = 200, **context: Any
) -> Response:
    """The round's page, or its "your ideas" block alone for htmx."""
    participant = queries.get_participant(round_.id, current_user.id)
    if "idea_form" not in context:
        context["idea_form"] = idea_form(round_, participant, formdata=None)
    context.setdefault("stage_problem", None)
    themes = queries.list_themes(round_.id)
    facilitator = may_facilitate(current_user, round_)
    closed = round_.stage == RoundStage.CLOSED
    owner, owner_url = owner_of(round_)
    return render(
        "priorities/detail.html",
        fragment,
        status,
        round=round_,
        owner=owner,
        owner_url=owner_url,
        stages=STAGES,
        next_stage=next_stage(round_),
        previous_stage=previous_stage(round_),
        themes=themes,
        ideas=queries.list_ideas(round_.id, current_user.id),
        participant=participant,
        voted=bool(queries.own_votes(round_.id, current_user.id)),
        voters=queries.count_votes(round_.id),
        tally=queries.round_tally(round_, themes) if closed else None,
        may_facilitate=facilitator,
        has_community_page=endpoint_exists("communities.detail"),
        **context,
    )


def idea_form(round_: PriorityRound, participant: Any, **kwargs: Any) -> IdeaForm:
    """The idea form; it asks the person's group the first time only, suggesting their group in
    the round's CoP if they gave one there."""
    form = IdeaForm(**kwargs)
    if participant is not None:
        del form.group
    elif not form.group.data:
        suggested = queries.community_group(round_.community_id, current_user.id)
        form.group.data = suggested.value if suggested else None
    return form


@bp.get("/priority-rounds/<id:round_id>")
def detail(round_id: int):
    """A round: its question, its stage, what the person can do now, and its ideas."""
    return round_page(round_or_404(round_id), "your_ideas")


@bp.route("/priority-rounds/<id:round_id>/edit", methods=["GET", "POST"])
def edit(round_id: int):
    """Change a round's name, question or event (and, before voting, how people vote)."""
    round_ = round_or_404(round_id, facilitate=True)
    locked = round_.stage in (RoundStage.VOTING, RoundStage.CLOSED)
    form = (RoundDetailsForm if locked else RoundForm)(obj=round_)
    conflict = False
    if form.validate_on_submit():
        conflict = not accept_version(form, round_)
        if not conflict:
            changed = operations.update_round(current_user, round_, form.details())
            db.session.commit()
            flash("Changes saved." if changed else "Nothing was changed.", "success")
            return see_other(round_url(round_))
    owner, _url = owner_of(round_)
    return render(
        "priorities/round_form.html",
        status=form_status(form, conflict),
        form=form,
        owner_name=owner,
        round=round_,
        back=round_url(round_),
        voting_locked=locked,
        conflict=conflict,
        saved=saved_values(form, round_) if conflict else [],
    )


# Stages ----------------------------------------------------------------------------------------


def wanted_stage(round_: PriorityRound, value: str | None) -> RoundStage | None:
    """The stage asked for, if it is the next or the previous one."""
    near = (next_stage(round_), previous_stage(round_))
    allowed = {stage.value: stage for stage in near if stage}
    return allowed.get(value or "")


def stage_problem(round_: PriorityRound, stage: RoundStage) -> str | None:
    """Why the round cannot move to `stage` yet, in words; None if it can."""
    opening = round_.stage == RoundStage.THEMING and stage == RoundStage.VOTING
    if opening and len(queries.list_themes(round_.id)) < FEWEST_THEMES:
        return "Make at least two themes before voting opens: people vote on themes, not ideas."
    return None


def confirm_page(round_: PriorityRound, stage: RoundStage, status: int = 200) -> Response:
    return render(
        "priorities/stage_confirm.html",
        status=status,
        round=round_,
        stage=stage,
        voters=queries.count_votes(round_.id),
    )


@bp.route("/priority-rounds/<id:round_id>/stage", methods=["GET", "POST"])
def stage(round_id: int):
    """Move the round on to its next stage, or back one to fix something. Going back from
    voting removes the votes, so it asks first."""
    round_ = round_or_404(round_id, facilitate=True)
    stage = wanted_stage(round_, request.values.get("to"))
    if request.method == "GET":
        return confirm_page(round_, stage) if stage else see_other(round_url(round_))
    form = StageForm()
    if not form.validate_on_submit():
        abort(400, RELOAD)
    if form.version.data != round_.version:
        return round_page(round_, None, 409, stage_problem=STALE_STAGE)
    if stage is None:
        return round_page(round_, None, 422, stage_problem=NO_SUCH_STAGE)
    losing = round_.stage == RoundStage.VOTING and stage == RoundStage.THEMING
    if losing and request.form.get("confirmed") != "yes" and queries.count_votes(round_.id):
        return confirm_page(round_, stage)
    problem = stage_problem(round_, stage)
    if problem:
        return round_page(round_, None, 422, stage_problem=problem)
    removed = operations.set_stage(current_user, round_, stage)
    db.session.commit()
    people = f"{removed} person" if removed == 1 else f"{removed} people"
    gone = f" The votes of {people} were removed: ask them to vote again." if removed else ""
    flash(STAGE_NEWS[stage] + gone, "success")
    return see_other(round_url(round_))


NO_SUCH_STAGE = (
    "The round can move only to the stage just after or just before the one it is at, so its "
    "stage has not been changed. Use the buttons below."
)
STALE_STAGE = (
    "Someone else changed this round while you were looking at it, so its stage has not been "
    "changed. It is shown below as it is now: check it, then try again."
)
