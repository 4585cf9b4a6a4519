"""Routes for grouping ideas into themes (the facilitator): the board of themes and their ideas,
adding, renaming, reordering, merging and deleting themes, and moving an idea into a theme or out.
Every change works as a plain form; htmx swaps the board in place."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, flash, request, url_for
from flask_login import current_user

from improve.extensions import db
from improve.forms import (
    RELOAD,
    accept_version,
    form_status,
    removal_conflict,
    removal_status,
    saved_values,
)
from improve.htmx import is_partial_request, render, see_other
from improve.models import PriorityRound, PriorityTheme, RoundStage
from improve.priorities import bp, operations, queries
from improve.priorities.access import idea_or_404, may_facilitate, round_or_404, theme_or_404
from improve.priorities.forms import MergeForm, ThemeEditForm, ThemeForm
from improve.priorities.ideas import require_stage
from improve.routing import parse_id

THEMING = (RoundStage.COLLECTING, RoundStage.THEMING)
NOT_THEMING = (
    "Themes can be changed only until voting opens, so nothing was changed. To change them now, "
    "move the round back to ‘Grouping ideas into themes’ (the votes so far are removed)."
)
FINISHED = "This round is finished, so its themes can no longer change."
BOARD = "priorities/themes.html"


def require_theming(round_: PriorityRound) -> None:
    """Themes change only until voting opens; a finished round says it is finished."""
    require_stage(round_, THEMING, FINISHED if round_.stage == RoundStage.CLOSED else NOT_THEMING)


def board_url(round_: PriorityRound, anchor: str = "theme-board") -> str:
    return url_for(".themes", round_id=round_.id, _anchor=anchor)


def board_page(round_: PriorityRound, status: int = 200, **context: Any) -> Response:
    """The theming page, or its board alone for htmx."""
    themes = queries.list_themes(round_.id)
    ideas = queries.list_ideas(round_.id, current_user.id)
    context.setdefault("theme_form", ThemeForm(formdata=None))
    context.setdefault("problem", None)
    return render(
        BOARD,
        "theme_board",
        status,
        round=round_,
        themes=themes,
        ideas_in={theme.id: [i for i in ideas if i.theme_id == theme.id] for theme in themes},
        unthemed=[idea for idea in ideas if idea.theme_id is None],
        may_change=round_.stage in THEMING,
        **context,
    )


def after_change(round_: PriorityRound, anchor: str = "theme-board") -> Response:
    """The board again for htmx, else a redirect to it."""
    if is_partial_request():
        return board_page(round_)
    return see_other(board_url(round_, anchor))


@bp.route("/priority-rounds/<id:round_id>/themes", methods=["GET", "POST"])
def themes(round_id: int):
    """The themes and the ideas in each; adding a theme."""
    round_ = round_or_404(round_id, facilitate=True)
    if request.method == "GET":
        return board_page(round_)
    require_theming(round_)
    form = ThemeForm()
    form.taken = [theme.name for theme in queries.list_themes(round_.id)]
    if not form.validate_on_submit():
        return board_page(round_, 422, theme_form=form)
    position = len(form.taken)
    theme = operations.add_theme(
        current_user, round_, form.name.data, form.description.data or "", position
    )
    db.session.commit()
    flash(f"Theme ‘{theme.name}’ added. Move ideas into it below.", "success")
    return after_change(round_, f"theme-{theme.id}")


@bp.post("/priority-ideas/<id:idea_id>/theme")
def move_idea(idea_id: int):
    """Put an idea into one of the round's themes, or take it out of any."""
    round_, idea = idea_or_404(idea_id)
    if not may_facilitate(current_user, round_):
        abort(403)
    require_theming(round_)
    wanted = request.form.get("theme", "")
    theme = None
    if wanted:
        theme = queries.get_theme(round_.id, parse_id(wanted) or 0) or abort(404)
    if parse_id(request.form.get("version", "")) != idea.version:
        problem = "Someone changed this idea while you were grouping, so it was not moved."
        return board_page(round_, 422 if is_partial_request() else 409, problem=problem)
    if operations.move_idea(current_user, round_, idea, theme):
        db.session.commit()
        where = f"into ‘{theme.name}’" if theme else "out of its theme"
        flash(f"Idea moved {where}.", "success")
    return after_change(round_, f"idea-{idea.id}")


@bp.route("/priority-themes/<id:theme_id>/edit", methods=["GET", "POST"])
def edit_theme(theme_id: int):
    """Rename a theme or change what it says it is about."""
    round_, theme = theme_or_404(theme_id, facilitate=True)
    require_theming(round_)
    form = ThemeEditForm(obj=theme)
    form.taken = [t.name for t in queries.list_themes(round_.id) if t.id != theme.id]
    conflict = False
    if form.validate_on_submit():
        conflict = not accept_version(form, theme)
        if not conflict:
            values = {"name": form.name.data, "description": form.description.data or ""}
            changed = operations.update_theme(current_user, round_, theme, values)
            db.session.commit()
            flash("Theme saved." if changed else "Nothing was changed.", "success")
            return see_other(board_url(round_, f"theme-{theme.id}"))
    return render(
        "priorities/theme_edit.html",
        status=form_status(form, conflict),
        round=round_,
        theme=theme,
        form=form,
        conflict=conflict,
        saved=saved_values(form, theme) if conflict else [],
    )


@bp.route("/priority-themes/<id:theme_id>/merge", methods=["GET", "POST"])
def merge_theme(theme_id: int):
    """Merge a theme into another: its ideas move there, and it goes (asks first)."""
    round_, theme = theme_or_404(theme_id, facilitate=True)
    require_theming(round_)
    others = [t for t in queries.list_themes(round_.id) if t.id != theme.id]
    form = MergeForm(data={"version": theme.version})
    form.set_themes(others)
    conflict = False
    if form.validate_on_submit():
        conflict = form.version.data != theme.version
        target = next(t for t in others if str(t.id) == form.into.data)
        if not conflict:
            moved = operations.merge_theme(current_user, round_, theme, target)
            db.session.commit()
            ideas_moved = f"{moved} idea{'' if moved == 1 else 's'} moved"
            flash(f"‘{theme.name}’ merged into ‘{target.name}’: {ideas_moved}.", "success")
            return see_other(board_url(round_, f"theme-{target.id}"))
    ideas = queries.list_ideas(round_.id, current_user.id, theme_id=theme.id)
    return render(
        "priorities/theme_merge.html",
        status=removal_status(conflict) if conflict else form_status(form),
        round=round_,
        theme=theme,
        others=others,
        ideas=ideas,
        form=form,
        conflict=conflict,
    )


@bp.post("/priority-themes/<id:theme_id>/position")
def reorder_theme(theme_id: int):
    """Move a theme up or down the list (the order voters see them in)."""
    round_, theme = theme_or_404(theme_id, facilitate=True)
    require_theming(round_)
    step = {"up": -1, "down": 1}.get(request.form.get("direction", ""))
    if step is None:
        abort(400, RELOAD)
    themes = queries.list_themes(round_.id)
    if operations.reorder_theme(current_user, round_, themes, themes.index(theme), step):
        db.session.commit()
        flash(f"‘{theme.name}’ moved {'up' if step < 0 else 'down'}.", "success")
    return after_change(round_, f"theme-{theme.id}")


@bp.route("/priority-themes/<id:theme_id>/delete", methods=["GET", "POST"])
def delete_theme(theme_id: int):
    """Confirm, then delete a theme with no ideas in it."""
    round_, theme = theme_or_404(theme_id, facilitate=True)
    require_theming(round_)
    ideas = queries.list_ideas(round_.id, current_user.id, theme_id=theme.id)
    conflict = request.method == "POST" and removal_conflict(theme)
    if request.method == "POST" and not conflict and not ideas:
        operations.delete_theme(current_user, round_, theme)
        db.session.commit()
        flash(f"The theme ‘{theme.name}’ has been deleted.", "success")
        return see_other(board_url(round_))
    not_empty = request.method == "POST" and bool(ideas)
    return render(
        "priorities/theme_delete.html",
        status=409 if not_empty else removal_status(conflict),
        round=round_,
        theme=theme,
        ideas=ideas,
        conflict=conflict,
    )


def theme_url(theme: PriorityTheme, **args: Any) -> str:
    return url_for("priorities.theme", theme_id=theme.id, **args)
