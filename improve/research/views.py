"""Research needs: a community's list (with its download for research partners), logging a
need from the community, one of its meetings or a team's Study stage, votes, and the
facilitator's edit and removal."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, flash, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from improve.analysis.research import SUPPORT_IN_WORDS, status_counts, with_status
from improve.exports.writers import csv_response, xlsx_response
from improve.extensions import db
from improve.forms import (
    accept_version,
    form_status,
    removal_conflict,
    removal_status,
    saved_values,
)
from improve.htmx import is_partial_request, render, see_other
from improve.models import (
    Community,
    CommunityMeeting,
    Cycle,
    NeedStatus,
    ResearchNeed,
    StakeholderGroup,
    Team,
)
from improve.permissions import (
    CommunityPermission,
    Permission,
    can_in_community,
    community_or_404,
    community_record_or_404,
    may_edit_records,
    team_record_or_404,
)
from improve.research import bp, operations, queries
from improve.research.forms import (
    CycleNeedForm,
    FilterForm,
    NeedEditForm,
    NeedForm,
    OwnNeedForm,
    VoteForm,
)
from improve.routing import parse_id

LIST = "research/needs.html"
STATUSES = tuple(status.value for status in NeedStatus)
FORMATS = ("csv", "xlsx")
STATUS_CLASSES = {
    "open": "govuk-tag--blue",
    "taken_up": "govuk-tag--yellow",
    "answered": "govuk-tag--green",
}
LOGGED_IT = "You logged this question: you are counted in ‘shared when raised’."
NO_COMMUNITY = (
    "Your collaborative has no community of practice yet, so there is nowhere to send a "
    "question for research. Ask your coordinator about starting one."
)


@bp.app_template_global()
def offers_research_need(team: Team) -> bool:
    """For the cycle page: whether to offer "Log a question for research" (the view checks)."""
    return may_edit_records(team) and queries.has_communities(team)


def needs_url(community: Community, **values: Any) -> str:
    status = request.args.get("status", "")
    args = {"status": status} if status in STATUSES else {}
    return url_for("research.needs", community_id=community.id, **args, **values)


def needs_page(community: Community, status: int = 200, **given: Any) -> Response:
    """The list, or its `need_list` block for htmx, filtered by the query string's status."""
    form = FilterForm(request.args)
    valid = form.validate()
    items = queries.community_needs(community, current_user)
    chosen = form.status.data if valid else ""
    shown = {tally.need_id for tally in with_status([i.tally for i in items], chosen or None)}
    return render(
        LIST,
        "need_list",
        status if valid else 422,
        community=community,
        filter_form=form,
        items=[item for item in items if item.need.id in shown],
        counts=status_counts((item.tally for item in items), STATUSES),
        total=len(items),
        chosen=chosen,
        chosen_label=NeedStatus(chosen).label if chosen else "",
        my_group=queries.member_group(community, current_user),
        support_in_words=SUPPORT_IN_WORDS,
        logged_it=LOGGED_IT,
        group_labels={group.value: group.label for group in StakeholderGroup},
        status_classes=STATUS_CLASSES,
        **given,
    )


@bp.get("/communities/<id:community_id>/research-needs")
def needs(community_id: int):
    """The community's research needs, most supported first; ?status= filters them."""
    return needs_page(community_or_404(community_id))


@bp.get("/communities/<id:community_id>/research-needs.<fmt>")
def export(community_id: int, fmt: str):
    """Every research need as a CSV or XLSX file for research partners (no team named)."""
    if fmt not in FORMATS:
        abort(404)
    community = community_or_404(community_id)
    table = queries.needs_frame(queries.community_needs(community, current_user))
    stem = f"{community.name} research needs"
    if fmt == "csv":
        return csv_response(table, stem)
    return xlsx_response({"Research needs": table}, stem)


def _form_page(template: str, form: Any, status: int, **context: Any) -> Response:
    return render(template, "need_form", status, form=form, **context)


@bp.route("/communities/<id:community_id>/research-needs/new", methods=["GET", "POST"])
def new(community_id: int):
    """Log a research need, perhaps from one of the community's meetings (?meeting=)."""
    community = community_or_404(community_id, CommunityPermission.TAKE_PART)
    meeting = _meeting_from_url(community)
    form = NeedForm()
    form.set_meetings(queries.meeting_choices(community))
    if request.method == "GET":
        _prefill(form, community, meeting_id=meeting.id if meeting else None)
    if form.validate_on_submit():
        need = operations.log_need(current_user, community, form.details())
        db.session.commit()
        flash("Research need logged. Members can now vote for it.", "success")
        return see_other(needs_url(community, _anchor=f"need-{need.id}"))
    back = url_for("research.needs", community_id=community.id)
    return _form_page("research/new.html", form, form_status(form), community=community, back=back)


def _meeting_from_url(community: Community) -> CommunityMeeting | None:
    """The meeting named by ?meeting=, which must be this community's (else 404)."""
    text = request.args.get("meeting", "")
    if not text:
        return None
    meeting_id = parse_id(text)
    meeting = queries.get_meeting(community, meeting_id) if meeting_id else None
    if meeting is None:
        abort(404)
    return meeting


def _prefill(form: Any, community: Community, **values: Any) -> None:
    """Who raised it: the person logging it, in their group in this community, unless typed."""
    form.raised_by.data = current_user.display_name
    group = queries.member_group(community, current_user)
    form.raised_by_group.data = group.value if group else ""
    for name, value in values.items():
        getattr(form, name).data = value


@bp.route("/cycles/<id:cycle_id>/research-need", methods=["GET", "POST"])
def from_cycle(cycle_id: int):
    """Send a question from a team's Study stage to a community of the team's collaborative."""
    cycle = team_record_or_404(Cycle, cycle_id, Permission.EDIT_TEAM_RECORDS)
    team = db.session.get(Team, cycle.team_id)
    communities = queries.collaborative_communities(team)
    form = CycleNeedForm()
    form.set_communities([(community.id, community.name) for community in communities])
    if request.method == "GET" and communities:
        form.raised_by.data = current_user.display_name
        form.community_id.data = communities[0].id if len(communities) == 1 else None
    if communities and form.validate_on_submit():
        community = next(c for c in communities if c.id == form.community_id.data)
        operations.log_need(current_user, community, form.details(), cycle=cycle)
        db.session.commit()
        flash(f"Your question was sent to {community.name}’s research needs.", "success")
        return see_other(url_for("cycles.detail", cycle_id=cycle.id, _anchor="study"))
    # Nowhere to send it: the page says so, and a form posted anyway is refused (409).
    status = form_status(form) if communities or request.method == "GET" else 409
    context = {"cycle": cycle, "team": team, "communities": communities, "message": NO_COMMUNITY}
    return _form_page("research/from_cycle.html", form, status, **context)


def need_or_404(need_id: int, permission: CommunityPermission) -> tuple[ResearchNeed, Community]:
    """A need and its community: 404 unless the person may see the community, 403 unless they
    hold the permission there."""
    need = community_record_or_404(ResearchNeed, need_id, permission)
    return need, db.session.get(Community, need.community_id)


def may_correct(need: ResearchNeed, community: Community) -> bool:
    """Whoever logged a need may correct its wording and source while it is open and they
    still take part (its status and response stay the facilitator's)."""
    return (
        need.logged_by_id == current_user.id
        and need.status == NeedStatus.OPEN
        and can_in_community(current_user, CommunityPermission.TAKE_PART, community)
    )


@bp.route("/research-needs/<id:need_id>/edit", methods=["GET", "POST"])
def edit(need_id: int):
    """Change a need: the facilitator all of it, whoever logged it its wording while open."""
    need, community = need_or_404(need_id, CommunityPermission.VIEW)
    if can_in_community(current_user, CommunityPermission.FACILITATE, community):
        form = NeedEditForm(obj=need)
    elif may_correct(need, community):
        form = OwnNeedForm(obj=need)  # no status or response: a posted one is ignored
    else:
        abort(403)
    form.set_meetings(queries.meeting_choices(community))
    conflict = False
    if form.validate_on_submit():
        conflict = not accept_version(form, need)
        if not conflict:
            changed = operations.update_need(current_user, community, need, form.details())
            db.session.commit()
            flash("Research need saved." if changed else "Nothing was changed.", "success")
            return see_other(needs_url(community, _anchor=f"need-{need.id}"))
    return _form_page(
        "research/edit.html",
        form,
        form_status(form, conflict),
        community=community,
        need=need,
        conflict=conflict,
        saved=saved_values(form, need) if conflict else [],
        back=needs_url(community, _anchor=f"need-{need.id}"),
    )


@bp.route("/research-needs/<id:need_id>/remove", methods=["GET", "POST"])
def remove(need_id: int):
    """Confirm, then remove a need and its votes."""
    need, community = need_or_404(need_id, CommunityPermission.FACILITATE)
    conflict = request.method == "POST" and removal_conflict(need)
    if request.method == "POST" and not conflict:
        operations.remove_need(current_user, community, need)
        db.session.commit()
        flash("The research need has been removed.", "success")
        return see_other(needs_url(community))
    return render(
        "research/remove.html",
        community=community,
        need=need,
        conflict=conflict,
        back=needs_url(community, _anchor=f"need-{need.id}"),
        status=removal_status(conflict),
    )


@bp.route("/research-needs/<id:need_id>/vote", methods=["GET", "POST"])
def vote(need_id: int):
    """Vote for a need, counted under your stakeholder group; one vote each."""
    need, community = need_or_404(need_id, CommunityPermission.TAKE_PART)
    if need.logged_by_id == current_user.id:
        return _logged_it(community, need)
    form = VoteForm()
    if request.method == "GET":
        group = queries.member_group(community, current_user)
        form.stakeholder_group.data = group.value if group else ""
    if queries.own_vote(need, current_user) is None and form.validate_on_submit():
        _cast(need, community, StakeholderGroup(form.stakeholder_group.data))
        return _after_vote(community, need)
    if request.method == "POST" and not form.errors:  # voted already: counted once
        flash("You have already voted for this question. Each person’s vote counts once.")
        return _after_vote(community, need)
    if is_partial_request() and form.errors:
        # A vote from the list: the list again, saying what was wrong above the need.
        message = next(iter(form.errors.values()))[0]
        return needs_page(community, 422, vote_error=(need.id, message))
    return render(
        "research/vote.html",
        community=community,
        need=need,
        form=form,
        voted=queries.own_vote(need, current_user),
        back=needs_url(community, _anchor=f"need-{need.id}"),
        status=form_status(form),
    )


def _logged_it(community: Community, need: ResearchNeed) -> Response:
    """The person who logged a need is counted in its `shared_by`: no vote (409 to a POST)."""
    status = 409 if request.method == "POST" else 200
    if is_partial_request():
        return needs_page(community, status, vote_error=(need.id, LOGGED_IT))
    back = needs_url(community, _anchor=f"need-{need.id}")
    context = {"community": community, "need": need, "logged_it": LOGGED_IT, "back": back}
    return render("research/vote.html", status=status, form=None, voted=None, **context)


def _cast(need: ResearchNeed, community: Community, group: StakeholderGroup) -> None:
    """Save the vote; a second one racing in from another tab is refused by the unique key."""
    try:
        operations.vote(current_user, community, need, group)
        db.session.commit()
        flash("Thank you: your vote is counted.", "success")
    except IntegrityError:
        db.session.rollback()
        flash("You have already voted for this question. Each person’s vote counts once.")


def _after_vote(community: Community, need: ResearchNeed) -> Response:
    if is_partial_request():
        return needs_page(community)
    return see_other(needs_url(community, _anchor=f"need-{need.id}"))


@bp.post("/research-needs/<id:need_id>/vote/remove")
def take_back_vote(need_id: int):
    """Take your vote for a need back (nothing happens if you had not voted)."""
    need, community = need_or_404(need_id, CommunityPermission.TAKE_PART)
    ballot = queries.own_vote(need, current_user)
    if ballot is not None:
        operations.take_back_vote(current_user, community, need, ballot)
        db.session.commit()
        flash("Your vote has been taken back.", "success")
    return _after_vote(community, need)
