"""Routes for aims: setting and changing them, their status and their dated assessments."""

from __future__ import annotations

import re
from typing import Any

from flask import Response, flash, request, url_for
from flask_login import current_user

from improve.aims import bp, operations, queries
from improve.aims.forms import AimForm, AssessmentForm, StatusForm, accept_version
from improve.comments.queries import thread_context
from improve.cycles.queries import cycles_for_aim_page
from improve.drivers import queries as driver_queries
from improve.drivers.forms import driver_form, idea_form
from improve.extensions import db
from improve.forms import form_status as form_status  # also used by the drivers views
from improve.htmx import is_partial_request, render, see_other
from improve.models import Aim, AimStatus, DriverKind
from improve.permissions import Permission, can, team_or_404, team_record_or_404

TEMPLATE = "aims/detail.html"
# Where the diagram puts the focus: a record's Change link or move button, or its heading.
FOCUS = re.compile(r"diagram|(driver|idea)-\d{1,10}(-up|-down)?")
PRIMARY, SECONDARY = DriverKind.PRIMARY, DriverKind.SECONDARY


def aim_page(aim: Aim, fragment: str | None = None, status: int = 200, **context: Any) -> Response:
    """The aim page, or one block of it, with blank forms unless given filled ones. The diagram
    may show one record's edit form (`editing`) or removal question (`confirming`) in place."""
    diagram = driver_queries.diagram(aim)
    primaries, secondaries = diagram.primaries, diagram.secondaries
    blank = {
        "status_form": lambda: StatusForm(formdata=None, obj=aim, prefix="status"),
        "assessment_form": lambda: AssessmentForm(formdata=None, prefix="assessment"),
        "primary_form": lambda: driver_form(PRIMARY, primaries, formdata=None, prefix="primary"),
        "secondary_form": lambda: driver_form(
            SECONDARY, primaries, formdata=None, prefix="secondary"
        ),
        "idea_form": lambda: idea_form(primaries, secondaries, formdata=None, prefix="idea"),
    }
    for name, make in blank.items():
        if name not in context:
            context[name] = make()
    for name in ("editing", "confirming", "focus", "open_form", "driver_edit_form"):
        context.setdefault(name, None)
    context.setdefault("driver_conflict", False)
    context.setdefault("removal_conflict", False)
    context.setdefault("status_conflict", False)
    measures = queries.list_measures(aim)
    # Only the whole page shows the summary table: a block alone needs no analysis.
    whole_page = not (fragment and is_partial_request())
    return render(
        TEMPLATE,
        fragment,
        status,
        aim=aim,
        team=aim.team,
        diagram=diagram,
        assessments=queries.list_assessments(aim),
        measures=measures,
        summaries=queries.measure_summaries(measures, aim.team) if whole_page else [],
        aim_cycles=cycles_for_aim_page(aim.id, everything=request.args.get("cycles") == "all"),
        may_edit=can(current_user, Permission.EDIT_TEAM_RECORDS, aim.team),
        **thread_context(aim=aim),
        **context,
    )


def _details(form: AimForm) -> dict[str, Any]:
    return {name: getattr(form, name).data for name in operations.AIM_FIELDS} | {
        "unit": form.unit.data or ""
    }


@bp.route("/teams/<id:team_id>/aims/new", methods=["GET", "POST"])
def new(team_id: int):
    """Set a new aim for a team."""
    team = team_or_404(team_id, Permission.EDIT_TEAM_RECORDS)
    form = AimForm()
    if form.validate_on_submit():
        aim = operations.create_aim(current_user, team, _details(form))
        db.session.commit()
        flash(f"Aim ‘{aim.title}’ set. Next, add its drivers and change ideas.", "success")
        return see_other(url_for(".detail", aim_id=aim.id))
    return render("aims/form.html", form=form, team=team, aim=None, status=form_status(form))


@bp.get("/aims/<id:aim_id>")
def detail(aim_id: int):
    """An aim with its driver diagram, cycles and comments (the diagram alone for htmx).
    ?focus=driver-3 puts the focus back on a record's controls after a change or a cancel."""
    focus = request.args.get("focus", "")
    focus = focus if FOCUS.fullmatch(focus) else None
    return aim_page(team_record_or_404(Aim, aim_id), "drivers_diagram", focus=focus)


@bp.route("/aims/<id:aim_id>/edit", methods=["GET", "POST"])
def edit(aim_id: int):
    """Change what the aim says; a save over someone else's newer one is refused and shown."""
    aim = team_record_or_404(Aim, aim_id, Permission.EDIT_TEAM_RECORDS)
    form = AimForm(obj=aim)
    conflict = False
    if form.validate_on_submit():
        conflict = not accept_version(form, aim)
        if not conflict:
            changed = operations.update_aim(current_user, aim, _details(form))
            db.session.commit()
            flash("Changes saved." if changed else "Nothing was changed.", "success")
            return see_other(url_for(".detail", aim_id=aim.id))
    status = form_status(form, conflict)
    return render(
        "aims/form.html", status=status, form=form, team=aim.team, aim=aim, conflict=conflict
    )


@bp.post("/aims/<id:aim_id>/status")
def change_status(aim_id: int):
    """Mark the aim active, achieved, or stopped (with the reason)."""
    aim = team_record_or_404(Aim, aim_id, Permission.EDIT_TEAM_RECORDS)
    form = StatusForm(prefix="status")
    conflict = False
    if form.validate_on_submit():
        conflict = not accept_version(form, aim)
        if not conflict:
            reason = form.stopped_reason.data or ""
            operations.set_status(current_user, aim, AimStatus(form.status.data), reason)
            db.session.commit()
            flash(f"The aim is now marked {aim.status.value}.", "success")
            if not is_partial_request():
                return see_other(url_for(".detail", aim_id=aim.id, _anchor="aim-status"))
            return aim_page(aim, "aim_status")
    status = form_status(form, conflict)
    return aim_page(aim, "aim_status", status, status_form=form, status_conflict=conflict)


@bp.post("/aims/<id:aim_id>/assessments")
def add_assessment(aim_id: int):
    """Take stock of the aim again: a new dated entry, earlier ones kept as they were."""
    aim = team_record_or_404(Aim, aim_id, Permission.EDIT_TEAM_RECORDS)
    form = AssessmentForm(prefix="assessment")
    if form.validate_on_submit():
        details = {name: getattr(form, name).data or "" for name in operations.ASSESSMENT_FIELDS}
        operations.add_assessment(current_user, aim, details)
        db.session.commit()
        flash("Assessment added.", "success")
        if not is_partial_request():
            return see_other(url_for(".detail", aim_id=aim.id, _anchor="assessments"))
        return aim_page(aim, "assessments")
    return aim_page(aim, "assessments", 422, assessment_form=form)
