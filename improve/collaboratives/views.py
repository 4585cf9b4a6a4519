from __future__ import annotations

from flask import abort, flash, url_for
from flask_login import current_user

from improve.collaboratives import bp, operations, queries
from improve.collaboratives.forms import (
    CollaborativeForm,
    CollaborativeMemberForm,
    CollaborativeSettingsForm,
    ScoreLabelsForm,
    TeamForm,
    score_field,
)
from improve.extensions import db
from improve.forms import accept_version, form_status, saved_values
from improve.htmx import is_partial_request, render, see_other
from improve.members import operations as member_operations
from improve.members import queries as member_queries
from improve.members import views as member_views
from improve.members.forms import NEEDS_NAME
from improve.models import DEFAULT_PROGRESS_LABELS, Collaborative, Role
from improve.permissions import (
    Permission,
    can,
    can_create_collaborative,
    collaborative_or_404,
    visible_team_ids,
)

TEMPLATE = "collaboratives/detail.html"


def _settings(form: CollaborativeForm) -> dict[str, object]:
    return {name: getattr(form, name).data for name in operations.COLLABORATIVE_FIELDS}


def _detail(collaborative: Collaborative, fragment: str | None = None, status: int = 200, **forms):
    """The collaborative page (or one block of it), with blank forms unless given filled ones."""
    forms.setdefault("team_form", TeamForm(formdata=None))
    forms.setdefault("member_form", CollaborativeMemberForm(formdata=None))
    return render(
        TEMPLATE,
        fragment,
        status,
        collaborative=collaborative,
        teams=queries.list_teams(collaborative),
        # Every team is listed by name; only the ones this person may open are links.
        openable_teams=set(db.session.scalars(visible_team_ids(current_user))),
        member_counts=queries.member_counts(collaborative),
        people=member_queries.list_members(collaborative),
        may_edit=can(current_user, Permission.EDIT_COLLABORATIVE, collaborative),
        may_add_team=can(current_user, Permission.ADD_TEAM, collaborative),
        may_manage=can(current_user, Permission.MANAGE_COLLABORATIVE_MEMBERS, collaborative),
        may_coordinate=can(current_user, Permission.COORDINATE, collaborative),
        may_view_panel=can(current_user, Permission.VIEW_PANEL, collaborative),
        **forms,
    )


@bp.get("/")
def index():
    """The collaboratives this person belongs to."""
    return render(
        "collaboratives/index.html",
        collaboratives=queries.list_collaboratives(current_user),
        may_create=can_create_collaborative(current_user),
    )


@bp.route("/new", methods=["GET", "POST"])
def new():
    """Start a new collaborative."""
    if not can_create_collaborative(current_user):
        abort(403)
    form = CollaborativeForm()
    if form.validate_on_submit():
        if operations.collaborative_name_taken(form.name.data):
            form.name.errors.append("A collaborative with this name already exists")
        else:
            collaborative = operations.create_collaborative(current_user, _settings(form))
            db.session.commit()
            flash(f"Collaborative ‘{collaborative.name}’ created. Now add its teams.", "success")
            return see_other(url_for(".detail", collaborative_id=collaborative.id))
    return render(
        "collaboratives/form.html",
        form=form,
        collaborative=None,
        status=422 if form.errors else 200,
    )


@bp.get("/<id:collaborative_id>")
def detail(collaborative_id: int):
    """A collaborative: its settings, teams and people."""
    return _detail(collaborative_or_404(collaborative_id))


@bp.route("/<id:collaborative_id>/edit", methods=["GET", "POST"])
def edit(collaborative_id: int):
    """Change a collaborative's details and analysis settings; a save over someone else's newer
    one is refused and both are shown."""
    collaborative = collaborative_or_404(collaborative_id, Permission.EDIT_COLLABORATIVE)
    form = CollaborativeSettingsForm(obj=collaborative)
    conflict = False
    if form.validate_on_submit():
        conflict = not accept_version(form, collaborative)
        name_taken = operations.collaborative_name_taken(form.name.data, collaborative.id)
        if not conflict and name_taken:
            form.name.errors.append("A collaborative with this name already exists")
        elif not conflict:
            operations.update_collaborative(current_user, collaborative, _settings(form))
            db.session.commit()
            flash("Changes saved.", "success")
            return see_other(url_for(".detail", collaborative_id=collaborative.id))
    return render(
        "collaboratives/form.html",
        form=form,
        collaborative=collaborative,
        conflict=conflict,
        saved=saved_values(form, collaborative) if conflict else [],
        status=form_status(form, conflict),
    )


@bp.route("/<id:collaborative_id>/score-labels", methods=["GET", "POST"])
def score_labels(collaborative_id: int):
    """Put the progress scores (0.5 to 5) in the collaborative's own words; a save over someone
    else's newer one is refused and both are shown, as on the settings form."""
    collaborative = collaborative_or_404(collaborative_id, Permission.EDIT_COLLABORATIVE)
    saved = collaborative.progress_labels or DEFAULT_PROGRESS_LABELS
    initial = {
        score_field(score): saved.get(score, words)
        for score, words in DEFAULT_PROGRESS_LABELS.items()
    }
    form = ScoreLabelsForm(data=initial | {"version": collaborative.version})
    conflict = False
    if form.validate_on_submit():
        conflict = not accept_version(form, collaborative)
        if not conflict:
            operations.update_score_labels(current_user, collaborative, form.labels())
            db.session.commit()
            flash("The progress score labels are saved.", "success")
            return see_other(url_for(".detail", collaborative_id=collaborative.id))
    theirs = [(f"Score {score}", saved.get(score, "")) for score in DEFAULT_PROGRESS_LABELS]
    return render(
        "collaboratives/score_labels.html",
        form=form,
        collaborative=collaborative,
        fields=[getattr(form, score_field(score)) for score in DEFAULT_PROGRESS_LABELS],
        conflict=conflict,
        saved=theirs if conflict else [],
        status=form_status(form, conflict),
    )


@bp.post("/<id:collaborative_id>/teams")
def add_team(collaborative_id: int):
    """Add a team to the collaborative."""
    collaborative = collaborative_or_404(collaborative_id, Permission.ADD_TEAM)
    form = TeamForm()
    if form.validate_on_submit():
        if operations.team_name_taken(collaborative, form.name.data):
            form.name.errors.append("This collaborative already has a team with this name")
        else:
            details = {
                name: getattr(form, name).data
                for name in ("name", "organisation", "organisation_kind", "service")
            }
            team = operations.add_team(current_user, collaborative, details)
            db.session.commit()
            flash(f"Team ‘{team.name}’ added.", "success")
            if not is_partial_request():
                return see_other(url_for(".detail", collaborative_id=collaborative.id))
            return _detail(collaborative, "teams_section")
    return _detail(collaborative, "teams_section", 422, team_form=form)


@bp.post("/<id:collaborative_id>/members")
def add_member(collaborative_id: int):
    """Give someone a coordinator or panel role in this collaborative."""
    collaborative = collaborative_or_404(collaborative_id, Permission.MANAGE_COLLABORATIVE_MEMBERS)
    form = CollaborativeMemberForm()
    if form.validate_on_submit():
        try:
            membership, token = member_operations.add_member(
                current_user,
                collaborative,
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
                return see_other(url_for(".detail", collaborative_id=collaborative.id))
            return _detail(collaborative, "people_section")
    return _detail(collaborative, "people_section", 422, member_form=form)


@bp.route("/<id:collaborative_id>/members/<id:membership_id>/remove", methods=["GET", "POST"])
def remove_member(collaborative_id: int, membership_id: int):
    """Confirm, then take someone's role in this collaborative away."""
    collaborative = collaborative_or_404(collaborative_id, Permission.MANAGE_COLLABORATIVE_MEMBERS)
    membership = member_queries.get_member_or_404(collaborative, membership_id)
    return member_views.confirm_removal(
        membership,
        back_url=url_for(".detail", collaborative_id=collaborative.id),
        place=collaborative.name,
    )
