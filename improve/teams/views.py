from __future__ import annotations

from datetime import date

from flask import abort, flash, request, url_for
from flask_login import current_user

from improve.aims.queries import measure_summaries
from improve.collaboratives.operations import team_name_taken
from improve.cycles.forms import CycleFilterForm
from improve.extensions import db
from improve.forms import accept_version, form_status, saved_values
from improve.htmx import is_partial_request, render, see_other
from improve.members import operations as member_operations
from improve.members import queries as member_queries
from improve.members import views as member_views
from improve.members.forms import NEEDS_NAME
from improve.models import Role, Team
from improve.permissions import Permission, can, team_or_404
from improve.routing import parse_id
from improve.teams import bp, operations, queries
from improve.teams.forms import TeamDetailsForm, TeamMemberForm

DETAIL_FIELDS = ("name", "organisation", "organisation_kind", "service")


def _detail(team: Team, fragment: str | None = None, status: int = 200, member_form=None):
    """The team page, or one block of it. The cycle list follows the filter in the query string;
    a malformed filter answers 400 with its message on the page."""
    cycle_filter = CycleFilterForm(request.args)
    cycle_filter.set_ideas(queries.list_ideas(team))
    valid_filter = cycle_filter.validate()
    today = date.today()
    cycles = None
    if valid_filter:
        cycles = queries.list_cycles(team, **cycle_filter.filters(), page=_cycle_page())
        if cycles.page > cycles.pages:
            abort(404)  # a page past the last: a stale or typed address
    # Only the whole page shows the measures' summary table: a block alone needs no analysis.
    whole_page = not (fragment and is_partial_request())
    return render(
        "teams/detail.html",
        fragment,
        status if valid_filter else 400,
        team=team,
        aims=queries.list_aims(team),
        summaries=measure_summaries(queries.list_measures(team), team) if whole_page else [],
        current_cycles=queries.current_cycles(team),
        overdue=queries.overdue_tasks(team, today),
        activity=queries.recent_activity(team),
        cycle_filter=cycle_filter,
        cycles=cycles,
        filtered=any(cycle_filter.data.get(name) for name in ("status", "idea", "decision")),
        today=today,
        people=member_queries.list_members(team),
        member_form=member_form or TeamMemberForm(formdata=None),
        may_edit=can(current_user, Permission.EDIT_TEAM, team),
        may_manage=can(current_user, Permission.MANAGE_TEAM_MEMBERS, team),
    )


def _cycle_page() -> int:
    """The `?cycles_page=` of the cycle list (1 without it); anything but a page number is a
    wrong address (404), as a typed or stale one must not show another page."""
    text = request.args.get("cycles_page")
    if text is None:
        return 1
    return parse_id(text) or abort(404)


@bp.get("/<id:team_id>")
def detail(team_id: int):
    """A team: aims and their current cycles, overdue tasks, the cycle list, recent activity and
    people. A partial htmx request gets one block: the cycle list when the filter form asks for
    it, else the people section."""
    team = team_or_404(team_id)
    wants_cycles = request.htmx.target == "cycle-results"
    response = _detail(team, "cycle_results" if wants_cycles else "people_section")
    response.vary.add("HX-Target")
    return response


@bp.route("/<id:team_id>/edit", methods=["GET", "POST"])
def edit(team_id: int):
    """Change the team's name, organisation and service; a save over someone else's newer one is
    refused and both are shown."""
    team = team_or_404(team_id, Permission.EDIT_TEAM)
    form = TeamDetailsForm(obj=team)
    conflict = False
    if form.validate_on_submit():
        conflict = not accept_version(form, team)
        if not conflict and team_name_taken(team.collaborative, form.name.data, team.id):
            form.name.errors.append("This collaborative already has a team with this name")
        elif not conflict:
            details = {name: getattr(form, name).data for name in DETAIL_FIELDS}
            operations.update_team(current_user, team, details)
            db.session.commit()
            flash("Changes saved.", "success")
            return see_other(url_for(".detail", team_id=team.id))
    return render(
        "teams/edit.html",
        form=form,
        team=team,
        conflict=conflict,
        saved=saved_values(form, team) if conflict else [],
        status=form_status(form, conflict),
    )


@bp.post("/<id:team_id>/members")
def add_member(team_id: int):
    """Add a person to the team, or change their role in it."""
    team = team_or_404(team_id, Permission.MANAGE_TEAM_MEMBERS)
    form = TeamMemberForm()
    if form.validate_on_submit():
        try:
            membership, token = member_operations.add_member(
                current_user,
                team,
                form.email.data,
                form.display_name.data or "",
                Role(form.role.data),
            )
        except member_operations.NeedsNameError:
            form.display_name.errors.append(NEEDS_NAME)
        else:
            db.session.commit()
            member_views.flash_added(membership, token)
            if not is_partial_request():
                return see_other(url_for(".detail", team_id=team.id))
            return _detail(team, "people_section")
    return _detail(team, "people_section", 422, member_form=form)


@bp.route("/<id:team_id>/members/<id:membership_id>/remove", methods=["GET", "POST"])
def remove_member(team_id: int, membership_id: int):
    """Confirm, then take someone's role in this team away."""
    team = team_or_404(team_id, Permission.MANAGE_TEAM_MEMBERS)
    membership = member_queries.get_member_or_404(team, membership_id)
    return member_views.confirm_removal(
        membership, back_url=url_for(".detail", team_id=team.id), place=team.name
    )
