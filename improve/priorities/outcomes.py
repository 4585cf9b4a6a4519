"""Routes for what a round decided: its results (page and CSV, both from the one tally), a
theme's own page with the ideas that led to it, and what a chosen theme became: a community of
practice, an aim's topic or a shared measure's topic."""

from __future__ import annotations

from typing import Any

import pandas as pd
from flask import Response, abort, flash, request, url_for
from flask_login import current_user

from improve.analysis.priorities import lived_experience_summary, summary_rows
from improve.exports.writers import csv_response
from improve.extensions import db
from improve.htmx import render, see_other
from improve.models import (
    Collaborative,
    Community,
    PriorityRound,
    PriorityTheme,
    RoundStage,
    StakeholderGroup,
    VotingMethod,
)
from improve.models.community import STAKEHOLDER_GROUP_LABELS
from improve.permissions import CommunityPermission, Permission, can, can_in_community
from improve.priorities import bp, operations, queries
from improve.priorities.access import (
    may_facilitate,
    may_start_community,
    round_or_404,
    theme_or_404,
)
from improve.priorities.chart import results_svg
from improve.priorities.forms import CommunityForm, LinkForm
from improve.priorities.ideas import require_stage
from improve.priorities.views import endpoint_exists, owner_of

GROUP_LABELS = {group.value: label for group, label in STAKEHOLDER_GROUP_LABELS.items()}
NOT_CLOSED = (
    "A theme can become a community of practice, an aim or a shared measure once voting has "
    "closed, so nothing was changed."
)


# Results ---------------------------------------------------------------------------------------


def results_or_404(round_id: int) -> tuple[PriorityRound, list[PriorityTheme]]:
    """The round and its themes, if the person may see its results: everyone taking part once
    voting has closed; before that, its facilitators only (403 for others)."""
    round_ = round_or_404(round_id)
    if round_.stage != RoundStage.CLOSED and not may_facilitate(current_user, round_):
        abort(403, "The results are shown to everyone once voting has closed.")
    return round_, queries.list_themes(round_.id)


def unit(round_: PriorityRound) -> str:
    return "dots" if round_.voting_method == VotingMethod.DOTS else "points"


@bp.get("/priority-rounds/<id:round_id>/results")
def results(round_id: int):
    """The results: themes in order, by stakeholder group, with how many voted from each."""
    round_, themes = results_or_404(round_id)
    tally = queries.round_tally(round_, themes)
    summary = lived_experience_summary(tally)
    top = ", ".join(f"‘{tally.name_of(t)}’" for t in tally.top) or "no theme yet"
    chart_words = f"{tally.voters} people voted. Highest score: {top}. {summary}"
    owner, owner_url = owner_of(round_)
    return render(
        "priorities/results.html",
        round=round_,
        owner=owner,
        owner_url=owner_url,
        tally=tally,
        table=summary_rows(tally, GROUP_LABELS),
        summary=summary,
        chart=results_svg(tally, f"Results of {round_.title}", chart_words, unit(round_)),
        unit=unit(round_),
        group_labels=GROUP_LABELS,
        may_facilitate=may_facilitate(current_user, round_),
    )


@bp.get("/priority-rounds/<id:round_id>/results.csv")
def results_csv(round_id: int):
    """The results table as a CSV file: the same rows as the page's table."""
    round_, themes = results_or_404(round_id)
    rows = summary_rows(queries.round_tally(round_, themes), GROUP_LABELS)
    return csv_response(pd.DataFrame(rows[1:], columns=rows[0]), f"priorities-{round_.title}")


# A theme ---------------------------------------------------------------------------------------


@bp.get("/priority-themes/<id:theme_id>")
def theme(theme_id: int):
    """A theme: the ideas that led to it, and what it became."""
    round_, theme = theme_or_404(theme_id)
    became = queries.what_became(theme)
    return render(
        "priorities/theme.html",
        round=round_,
        theme=theme,
        ideas=queries.list_ideas(round_.id, current_user.id, theme_id=theme.id),
        community=became["community"],
        aim=became["aim"],
        measure=became["measure"],
        sees=visible_outcomes(became),
        collaborative_id=queries.round_collaborative_id(round_),
        may_facilitate=may_facilitate(current_user, round_),
        may_start_community=may_start_community(current_user, round_),
        has_community_page=endpoint_exists("communities.detail"),
    )


def visible_outcomes(became: dict[str, Any]) -> dict[str, bool]:
    """Which of what a theme became the person may open: others are named only by their kind."""
    community, aim, measure = became["community"], became["aim"], became["measure"]
    return {
        "community": bool(community)
        and can_in_community(current_user, CommunityPermission.VIEW, community),
        "aim": bool(aim) and can(current_user, Permission.VIEW_TEAM, aim.team),
        "measure": bool(measure)
        and can(
            current_user,
            Permission.VIEW_COLLABORATIVE,
            db.session.get_one(Collaborative, measure.collaborative_id),
        ),
    }


def theme_url(theme: PriorityTheme, **args: Any) -> str:
    return url_for(".theme", theme_id=theme.id, **args)


def becoming_or_404(theme_id: int) -> tuple[PriorityRound, PriorityTheme]:
    """A theme of a closed round, for its facilitator."""
    round_, theme = theme_or_404(theme_id, facilitate=True)
    require_stage(round_, (RoundStage.CLOSED,), NOT_CLOSED)
    return round_, theme


def group_in_round(round_: PriorityRound) -> StakeholderGroup | None:
    """The group the person chose for the round, to suggest for their place in the new CoP."""
    participant = queries.get_participant(round_.id, current_user.id)
    return participant.stakeholder_group if participant else None


def community_form(round_: PriorityRound, theme: PriorityTheme) -> CommunityForm:
    """The form filled in from the theme to start with. A POST is read as sent, never topped up
    from these: a field or version it lacks is a mistake (422), not a silent default."""
    if request.method == "POST":
        return CommunityForm()
    group = group_in_round(round_)
    defaults = {"name": theme.name, "theme": theme.name, "description": theme.description}
    return CommunityForm(
        formdata=None,
        data={**defaults, "group": group.value if group else None, "version": theme.version},
    )


@bp.route("/priority-themes/<id:theme_id>/community", methods=["GET", "POST"])
def start_community(theme_id: int):
    """Start a community of practice from a theme, with you as its facilitator."""
    round_, theme = becoming_or_404(theme_id)
    if not may_start_community(current_user, round_):
        abort(403)
    if theme.community_id is not None:
        abort(409, "This theme has already become a community of practice.")
    form = community_form(round_, theme)
    form.taken = queries.taken_community_names(request.form.get("name", ""))
    if form.validate_on_submit():
        if form.version.data != theme.version:
            abort(409, STALE_THEME)
        details = {"name": form.name.data, "theme": form.theme.data}
        details["description"] = form.description.data or ""
        group = StakeholderGroup(form.group.data)
        community = operations.start_community(current_user, round_, theme, details, group)
        db.session.commit()
        started = f"Community of practice ‘{community.name}’ started. You are its facilitator."
        flash(started, "success")
        if endpoint_exists("communities.detail"):
            return see_other(url_for("communities.detail", community_id=community.id))
        return see_other(theme_url(theme))
    return render(
        "priorities/start_community.html",
        status=422 if form.errors else 200,
        round=round_,
        theme=theme,
        form=form,
    )


STALE_THEME = (
    "Someone else changed this theme while you were looking at it, so nothing was saved. Go "
    "back to the theme, check it, then try again."
)


def link_page(
    round_: PriorityRound, theme: PriorityTheme, kind: str, records: list[tuple[int, str]]
) -> Response:
    """Link a theme to an aim or a shared measure ("aim" or "measure"), or unlink it."""
    field = f"{kind}_id"
    # A POST is read as sent: the current link and version fill in the GET's form only.
    shown = {"record": str(getattr(theme, field) or ""), "version": theme.version}
    form = LinkForm() if request.method == "POST" else LinkForm(formdata=None, data=shown)
    none = "Not linked to an aim" if kind == "aim" else "Not linked to a shared measure"
    form.set_records(records, none)
    collaborative = db.session.get_one(Collaborative, queries.round_collaborative_id(round_))
    if form.validate_on_submit():
        if form.version.data != theme.version:
            abort(409, STALE_THEME)
        changed = operations.link_theme(current_user, round_, theme, field, form.chosen())
        db.session.commit()
        flash("Link saved." if changed else "Nothing was changed.", "success")
        return see_other(theme_url(theme, _anchor="became"))
    return render(
        "priorities/link.html",
        status=422 if form.errors else 200,
        round=round_,
        theme=theme,
        form=form,
        kind=kind,
        collaborative=collaborative,
        may_add_measure=can(current_user, Permission.EDIT_COLLABORATIVE, collaborative),
    )


def collaborative_or_409(round_: PriorityRound) -> Collaborative:
    collaborative_id = queries.round_collaborative_id(round_)
    if collaborative_id is None:
        abort(
            409,
            "This round belongs to a community of practice that is not part of a collaborative, "
            "so there are no aims or shared measures to link a theme to.",
        )
    return db.session.get_one(Collaborative, collaborative_id)


@bp.route("/priority-themes/<id:theme_id>/aim", methods=["GET", "POST"])
def link_aim(theme_id: int):
    """Link a theme to the aim of one of the collaborative's teams that it became."""
    round_, theme = becoming_or_404(theme_id)
    collaborative = collaborative_or_409(round_)
    aims = queries.linkable_aims(collaborative.id, current_user)
    records = [(aim.id, f"{team.name}: {aim.title}") for aim, team in aims]
    return link_page(round_, theme, "aim", records)


@bp.route("/priority-themes/<id:theme_id>/measure", methods=["GET", "POST"])
def link_measure(theme_id: int):
    """Link a theme to the collaborative's shared measure it became the topic of."""
    round_, theme = becoming_or_404(theme_id)
    collaborative = collaborative_or_409(round_)
    visible = can(current_user, Permission.VIEW_COLLABORATIVE, collaborative)
    measures = queries.linkable_measures(collaborative.id) if visible else []
    return link_page(round_, theme, "measure", [(m.id, m.name) for m in measures])


def came_from_for_page(**owner: int) -> list[queries.CameFrom]:
    """For the CoP, aim and shared measure pages: the themes the record came from, in rounds
    the person may see (a round they may not see is not mentioned at all)."""
    shown = []
    for row in queries.came_from(**owner):
        if row.collaborative_id is not None:
            target = db.session.get(Collaborative, row.collaborative_id)
            visible = can(current_user, Permission.VIEW_COLLABORATIVE, target)
        else:
            community = db.session.get(Community, row.community_id)
            visible = can_in_community(current_user, CommunityPermission.VIEW, community)
        if visible:
            shown.append(row)
    return shown
