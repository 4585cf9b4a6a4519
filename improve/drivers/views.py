"""Routes for the driver diagram: drivers, the primary drivers a secondary feeds, change ideas.

Every change answers htmx with the diagram block of the aim page, and a plain form with a 303
back to the diagram on the aim page.
"""

from __future__ import annotations

from typing import Any

from flask import Response, abort, flash, request, url_for
from flask_login import current_user

from improve.aims import views as aim_views  # the diagram is a block of the aim page
from improve.aims.forms import accept_version
from improve.drivers import bp, operations, queries
from improve.drivers.forms import driver_form, idea_form
from improve.extensions import db
from improve.forms import removal_conflict, removal_status
from improve.htmx import is_partial_request, render, see_other
from improve.models import Aim, ChangeIdea, Driver, DriverKind
from improve.permissions import Permission, team_record_or_404

EDIT = Permission.EDIT_TEAM_RECORDS
FRAGMENT = "drivers_diagram"
TESTED = (
    "This change idea has been tested in PDSA cycles, so it cannot be removed: its cycles would "
    "be lost. You can change its name or move it instead."
)


def _key(record: Driver | ChangeIdea) -> str:
    """How the diagram names a record: "driver-3", "idea-7" (also its element id)."""
    return f"{'idea' if isinstance(record, ChangeIdea) else 'driver'}-{record.id}"


def _changed(aim: Aim, message: str | None, **context: Any) -> Response:
    """After a change: the diagram for htmx, else back to the diagram on the aim page."""
    if message:
        flash(message, "success")
    if is_partial_request():
        return aim_views.aim_page(aim, FRAGMENT, **context)
    focus = context.get("focus")
    return see_other(url_for("aims.detail", aim_id=aim.id, focus=focus, _anchor="drivers-diagram"))


def _step() -> int:
    direction = request.form.get("direction")
    if direction not in ("up", "down"):
        abort(400, "Choose whether to move it up or down.")
    return operations.UP if direction == "up" else operations.DOWN


def _edit_page(record: Driver | ChangeIdea, form: Any, conflict: bool) -> Response:
    """The edit form: inside the diagram for htmx, else on a page of its own."""
    status = aim_views.form_status(form, conflict)
    if is_partial_request():
        return aim_views.aim_page(
            record.aim,
            FRAGMENT,
            status,
            editing=_key(record),
            driver_edit_form=form,
            driver_conflict=conflict,
        )
    context = {"record": record, "aim": record.aim, "form": form, "conflict": conflict}
    return render("drivers/edit.html", status=status, **context)


def _confirm_page(record: Driver | ChangeIdea, conflict: bool = False) -> Response:
    """Ask "are you sure?": inside the diagram for htmx, else on a page of its own. Asked again
    because the record changed since (`conflict`), it says so (409; 422 for htmx)."""
    status = removal_status(conflict)
    context = {"removal_conflict": conflict}
    if is_partial_request():
        return aim_views.aim_page(record.aim, FRAGMENT, status, confirming=_key(record), **context)
    diagram = queries.diagram(record.aim)
    return render(
        "drivers/confirm_remove.html",
        status=status,
        record=record,
        aim=record.aim,
        diagram=diagram,
        **context,
    )


@bp.post("/aims/<id:aim_id>/drivers/<any(primary, secondary):kind>")
def create(aim_id: int, kind: str):
    """Add a primary or a secondary driver to the aim's diagram."""
    aim = team_record_or_404(Aim, aim_id, EDIT)
    form = driver_form(DriverKind(kind), queries.diagram(aim).primaries, prefix=kind)
    if form.validate_on_submit():
        feeds = queries.primaries_or_404(aim, form.feeds.data) if kind == "secondary" else []
        driver = operations.add_driver(current_user, aim, DriverKind(kind), form.title.data, feeds)
        db.session.commit()
        return _changed(aim, f"Added the {kind} driver ‘{driver.title}’.", open_form=kind)
    return aim_views.aim_page(aim, FRAGMENT, 422, open_form=kind, **{f"{kind}_form": form})


@bp.route("/drivers/<id:driver_id>/edit", methods=["GET", "POST"])
def edit(driver_id: int):
    """Rename a driver; for a secondary, also choose the primary drivers it feeds."""
    driver = team_record_or_404(Driver, driver_id, EDIT)
    diagram = queries.diagram(driver.aim)
    feeds = [primary.id for primary in diagram.feeds[driver.id]]
    form = driver_form(driver.kind, diagram.primaries, obj=driver, prefix="edit", feeds=feeds)
    conflict = False
    if form.validate_on_submit():
        is_secondary = driver.kind == DriverKind.SECONDARY
        chosen = queries.primaries_or_404(driver.aim, form.feeds.data) if is_secondary else None
        conflict = not accept_version(form, driver)
        if not conflict:
            operations.update_driver(current_user, driver, form.title.data, chosen, diagram)
            db.session.commit()
            return _changed(driver.aim, f"Saved ‘{driver.title}’.", focus=_key(driver))
    return _edit_page(driver, form, conflict)


@bp.post("/drivers/<id:driver_id>/move")
def move(driver_id: int):
    """Move a driver up or down the list it is drawn in (at either end, nothing happens)."""
    driver = team_record_or_404(Driver, driver_id, EDIT)
    step = _step()
    moved = operations.move(current_user, driver, step, queries.diagram(driver.aim))
    db.session.commit()
    way = "up" if step == operations.UP else "down"
    # With htmx the focus stays on the button just pressed, so it may be pressed again; a
    # banner would take the focus away.
    message = f"Moved ‘{driver.title}’ {way}." if moved and not is_partial_request() else None
    return _changed(driver.aim, message, focus=f"{_key(driver)}-{way}")


@bp.route("/drivers/<id:driver_id>/remove", methods=["GET", "POST"])
def remove(driver_id: int):
    """Ask first, then remove a driver; its secondary drivers and change ideas stay. A driver
    changed after the question was shown is not removed: the question is asked again."""
    driver = team_record_or_404(Driver, driver_id, EDIT)
    if request.method == "GET" or removal_conflict(driver):
        return _confirm_page(driver, conflict=request.method == "POST")
    aim, title = driver.aim, driver.title
    operations.remove_driver(current_user, driver, queries.diagram(aim))
    db.session.commit()
    message = f"Removed ‘{title}’. What was under it is still in the diagram."
    return _changed(aim, message, focus="diagram")


@bp.post("/aims/<id:aim_id>/ideas")
def create_idea(aim_id: int):
    """Add a change idea, usually under a secondary driver."""
    aim = team_record_or_404(Aim, aim_id, EDIT)
    diagram = queries.diagram(aim)
    form = idea_form(diagram.primaries, diagram.secondaries, prefix="idea")
    if form.validate_on_submit():
        driver = queries.driver_or_404(aim, form.driver_id.data)
        description = form.description.data or ""
        idea = operations.add_idea(current_user, aim, form.title.data, description, driver)
        db.session.commit()
        return _changed(aim, f"Added the change idea ‘{idea.title}’.", open_form="idea")
    return aim_views.aim_page(aim, FRAGMENT, 422, open_form="idea", idea_form=form)


@bp.route("/ideas/<id:idea_id>/edit", methods=["GET", "POST"])
def edit_idea(idea_id: int):
    """Change a change idea, or put it under another driver."""
    idea = team_record_or_404(ChangeIdea, idea_id, EDIT)
    diagram = queries.diagram(idea.aim)
    form = idea_form(diagram.primaries, diagram.secondaries, obj=idea, prefix="edit")
    conflict = False
    if form.validate_on_submit():
        driver = queries.driver_or_404(idea.aim, form.driver_id.data)
        conflict = not accept_version(form, idea)
        if not conflict:
            details = {"title": form.title.data, "description": form.description.data or ""}
            operations.update_idea(current_user, idea, details, driver)
            db.session.commit()
            return _changed(idea.aim, f"Saved ‘{idea.title}’.", focus=_key(idea))
    return _edit_page(idea, form, conflict)


@bp.post("/ideas/<id:idea_id>/move")
def move_idea(idea_id: int):
    """Move a change idea up or down among the ideas under the same driver."""
    idea = team_record_or_404(ChangeIdea, idea_id, EDIT)
    step = _step()
    moved = operations.move(current_user, idea, step, queries.diagram(idea.aim))
    db.session.commit()
    way = "up" if step == operations.UP else "down"
    message = f"Moved ‘{idea.title}’ {way}." if moved and not is_partial_request() else None
    return _changed(idea.aim, message, focus=f"{_key(idea)}-{way}")


@bp.route("/ideas/<id:idea_id>/remove", methods=["GET", "POST"])
def remove_idea(idea_id: int):
    """Ask first, then remove a change idea; one already tested in cycles stays."""
    idea = team_record_or_404(ChangeIdea, idea_id, EDIT)
    if request.method == "GET" or removal_conflict(idea):
        return _confirm_page(idea, conflict=request.method == "POST")
    if queries.tests_of(idea) is not None:
        abort(409, TESTED)
    aim, title = idea.aim, idea.title
    operations.remove_idea(current_user, idea)
    db.session.commit()
    return _changed(aim, f"Removed the change idea ‘{title}’.", focus="diagram")
