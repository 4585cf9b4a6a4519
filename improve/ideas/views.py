"""Routes for the change-idea library: every idea the collaborative's teams have written down,
how their tests went, and copying one into your own team's driver diagram."""

from __future__ import annotations

from flask import Response, abort, flash, request, url_for
from flask_login import current_user

from improve.extensions import db
from improve.htmx import render, see_other
from improve.ideas import bp, operations, queries
from improve.ideas.forms import CopyForm, SearchForm, copy_form
from improve.models import Aim, Collaborative, Driver
from improve.permissions import Permission, collaborative_or_404, team_record_or_404

TEMPLATE = "ideas/library.html"
NO_AIM = "Your team has no aim yet. Set an aim first, then copy the idea into it."
OTHER_AIMS_DRIVER = "Choose a driver of the aim you chose, or ‘Not under a driver yet’"
ALREADY = "This aim already has this change idea"


def library_page(
    collaborative: Collaborative,
    status: int = 200,
    failed: tuple[int, CopyForm] | None = None,
) -> Response:
    """The library filtered by the query string's search, or its results alone for htmx. A copy
    that failed shows its form again, open, with the messages."""
    found = queries.library(collaborative, current_user)
    search = SearchForm(request.args)
    search.set_drivers(found.driver_choices)
    valid = search.validate()
    wanted = (search.words.data or "", search.driver.data or "", search.evidence.data or "")
    groups = found.matching(*wanted) if valid else []
    forms = {}
    for group in groups:
        # Offer only the aims that do not have the idea yet; none left, no form.
        targets = [t for t in found.targets if t.aim_id not in group.aim_ids]
        if targets:
            forms[group.id] = copy_form(group.id, targets, formdata=None)
    if failed is not None:
        holder = next((g.id for g in found.groups if failed[0] in g.idea_ids), failed[0])
        forms[holder] = failed[1]
    return render(
        TEMPLATE,
        "idea_results",
        status if valid else 422,
        collaborative=collaborative,
        search=search,
        groups=groups,
        total=len(found.groups),
        lived_experience=found.evidence.lived_experience_groups,
        filtered=any(wanted),
        copy_forms=forms,
        failed=failed[1] if failed else None,
        form=failed[1] if failed else search,
    )


@bp.get("/collaboratives/<id:collaborative_id>/ideas")
def library(collaborative_id: int):
    """The collaborative's change ideas, searchable by words, driver and kind of evidence."""
    return library_page(collaborative_or_404(collaborative_id))


@bp.post("/collaboratives/<id:collaborative_id>/ideas/<id:idea_id>/copy")
def copy(collaborative_id: int, idea_id: int):
    """Copy a change idea into one of your team's aims, then show it in that aim's diagram."""
    collaborative = collaborative_or_404(collaborative_id)
    source = queries.idea_or_404(collaborative, idea_id)
    teams = queries.team_access(collaborative, current_user)
    if not any(team.may_edit for team in teams.values()):
        abort(403)
    targets = queries.copy_targets(teams, queries.drivers_frame(collaborative))
    form = copy_form(source.id, targets)
    if form.validate_on_submit():
        target = next((t for t in targets if t.aim_id == form.aim_id.data), None) or abort(404)
        aim = team_record_or_404(Aim, target.aim_id, Permission.EDIT_TEAM_RECORDS)
        driver = _chosen_driver(form, target, targets)
        if not form.errors and queries.aim_has_idea(aim, source):
            form.aim_id.errors.append(ALREADY)
        if not form.errors:
            idea = operations.copy_idea(current_user, source, aim, driver)
            db.session.commit()
            flash(f"Copied ‘{idea.title}’ into the aim ‘{aim.title}’.", "success")
            focus = f"idea-{idea.id}"
            return see_other(url_for("aims.detail", aim_id=aim.id, focus=focus, _anchor=focus))
    elif not targets:
        form.aim_id.errors[:] = [NO_AIM]
    return library_page(collaborative, 422, failed=(source.id, form))


def _chosen_driver(
    form: CopyForm, target: queries.CopyTarget, targets: list[queries.CopyTarget]
) -> Driver | None:
    """The driver chosen for the copy, or None. A driver of another of the person's aims puts a
    message on the form; any other id is not found."""
    chosen = form.driver_id.data
    if chosen is None:
        return None
    if any(driver_id == chosen for driver_id, _, _ in target.drivers):
        return db.session.get_one(Driver, chosen)
    if not any(driver_id == chosen for t in targets for driver_id, _, _ in t.drivers):
        abort(404)
    form.driver_id.errors = [OTHER_AIMS_DRIVER]
    return None
