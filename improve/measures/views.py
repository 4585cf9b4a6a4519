"""Routes for measures: defining them (per aim or shared), changing them, and entering data."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask import Response, abort, flash, request, url_for
from flask.blueprints import BlueprintSetupState
from flask_login import current_user
from markupsafe import Markup

from improve.aims.forms import accept_version
from improve.analysis.events import days_since_last_event
from improve.analysis.series import Definition
from improve.analysis.summary import ASSURANCE_WORDS, VARIATION_WORDS
from improve.analysis.unusual import FEWEST_USUAL, HOW_FAR, MOST_USUAL, Unusual
from improve.extensions import db
from improve.forms import removal_conflict, removal_status
from improve.htmx import is_partial_request, render, see_other
from improve.measures import bp, charting, entry_views, operations, queries
from improve.measures.cycle_links import chart_with_cycles
from improve.measures.forms import (
    DataPointForm,
    EventForm,
    MeasureEditForm,
    MeasureForm,
    check_point,
    point_hints,
    unusual_numbers,
)
from improve.models import Aim, Collaborative, DataPoint, Measure, Team, ValueKind
from improve.models.measure import period_words
from improve.permissions import (
    Permission,
    can,
    collaborative_or_404,
    team_or_404,
    team_record_or_404,
)

TEMPLATE = "measures/detail.html"
INDENTATION = re.compile(r">\n\s+<")


def measure_or_404(measure_id: int, edit: bool = False) -> Measure:
    """The measure if the current user may see it (else 404); with `edit`, change its definition
    (else 403): a team's records for a team measure, the collaborative for a shared one."""
    from improve.permissions import writing_request

    # Locked while a save is made, so two first saves of one period take turns (PostgreSQL).
    measure = db.session.get(Measure, measure_id, with_for_update=writing_request()) or abort(404)
    if measure.team_id is not None:
        team_or_404(measure.team_id, Permission.EDIT_TEAM_RECORDS if edit else Permission.VIEW_TEAM)
    else:
        wanted = Permission.EDIT_COLLABORATIVE if edit else Permission.VIEW_COLLABORATIVE
        collaborative_or_404(measure.collaborative_id, wanted)
    return measure


@bp.record_once
def _icon_words(state: BlueprintSetupState) -> None:
    """The Making Data Count icons' words for every template: the measure page draws the icons
    too, and the macros in templates/_macros/mdc.html are imported without context."""
    state.app.jinja_env.globals.update(
        mdc_variation_words=VARIATION_WORDS, mdc_assurance_words=ASSURANCE_WORDS
    )


@bp.app_template_filter("measure_number")
def measure_number(value: float | None, definition: Definition, digits: int = 3) -> str:
    """A number from a measure's analysis as its tables show it: `digits` significant figures
    (3, as the chart's table shows the centre and limits), written out in full rather than as
    1.23e+03, a share of 0 to 1 as a percentage, and "–" where there is none."""
    if value is None:
        return "–"
    if definition.fraction:
        return f"{value * 100:.3g}%"
    text = f"{value:.{digits}g}"
    return f"{value:,.0f}" if "e+" in text else text


@bp.app_template_filter("tighten")
def tighten(html: Markup) -> Markup:
    """Drop the indentation between tags (a newline stays, so spacing is as before): a row of the
    data table is mostly indentation otherwise. Only between tags: text and attribute values have
    their < and > escaped, so nothing anyone typed can change."""
    # Markup again: the input was already escaped markup and only whitespace between tags goes.
    return Markup(INDENTATION.sub(">\n<", str(html)))  # nosec B704


def data_team(measure: Measure) -> tuple[Team | None, list[Team]]:
    """Whose data the page shows, and the teams the person may choose from. A shared measure
    takes `?team=`, else the first team the person enters data for, else the first they see."""
    teams = [
        t for t in queries.reporting_teams(measure) if can(current_user, Permission.VIEW_TEAM, t)
    ]
    wanted = request.args.get("team", "")
    if wanted:
        team = next((t for t in teams if str(t.id) == wanted), None)
        return team or abort(404), teams
    editable = [t for t in teams if can(current_user, Permission.EDIT_TEAM_RECORDS, t)]
    return next(iter(editable or teams), None), teams


def _asked_block() -> str:
    """The block of the measure page htmx asks for: the chart refreshes itself after a save;
    anything else is the data section."""
    return "measure_chart" if request.headers.get("HX-Target") == "measure-chart" else "data_entry"


def measure_page(
    measure: Measure, team: Team | None, teams: list[Team], status: int = 200, **context: Any
) -> Response:
    """The measure page, or its data table alone for htmx."""
    if measure.value_kind == ValueKind.EVENTS:
        return events_page(measure, team, teams, status, **context)
    for name in ("row_form", "row_period", "conflict_point", "focus_period", "unusual"):
        context.setdefault(name, None)
    context.setdefault("point_hints", point_hints())
    # A row sent from the team's entry page goes back there once saved, even after a question.
    context.update(return_field=entry_views.RETURN_FIELD, return_value=entry_views.RETURN_VALUE)
    context.setdefault("unusual_rule", {"most": MOST_USUAL, "fewest": FEWEST_USUAL, "far": HOW_FAR})
    # The chart asks for itself after a save; everything else htmx asks for is the data table.
    fragment = _asked_block()
    revisions = queries.definition_changes(measure)
    all_rows = queries.rows(measure, team, date.today(), revisions) if team else []
    page = queries.page_of_rows(all_rows, shown_before(measure))
    # The row that must be on the page: one coming back with an error or a question, or the
    # next one to type in after a save (entering months in order runs on to a later page).
    asked, following = context["row_period"], context["focus_period"]
    if asked is not None and all(row.period != asked for row in page.rows):
        page = queries.page_of_rows(
            all_rows, queries.page_holding(all_rows, asked, measure.frequency)
        )
    elif following is not None and all(row.period != following for row in page.rows):
        # The next period on top, the one just saved beneath it.
        page = queries.page_of_rows(all_rows, queries.step(following, measure.frequency))
    return render(
        TEMPLATE,
        fragment,
        status,
        chart=_chart(measure, team),
        measure=measure,
        team=team,
        teams=teams,
        rows=page.rows,
        rows_page=page,
        current_period=all_rows[-1].period if all_rows else None,
        revisions=revisions,
        may_enter=team is not None and can(current_user, Permission.EDIT_TEAM_RECORDS, team),
        may_edit=_may_edit(measure),
        **context,
    )


def events_page(
    measure: Measure, team: Team | None, teams: list[Team], status: int = 200, **context: Any
) -> Response:
    """The page of a measure of the dates of events: how long since the last one, a form to
    record one (today's date filled in), and the days with events, newest first."""
    form = context.pop("event_form", None) or EventForm(formdata=None, day=date.today())
    page = queries.event_days(measure, team, shown_before(measure)) if team else None
    latest = page.latest if page else None
    fragment = _asked_block()
    return render(
        TEMPLATE,
        fragment,
        status,
        chart=_chart(measure, team),
        measure=measure,
        team=team,
        teams=teams,
        events_page=page,
        days_since=days_since_last_event([latest] if latest else [], date.today()),
        event_form=form,
        revisions=queries.definition_changes(measure),
        may_enter=team is not None and can(current_user, Permission.EDIT_TEAM_RECORDS, team),
        may_edit=_may_edit(measure),
        **context,
    )


def shown_before(measure: Measure) -> date | None:
    """The `?before=` of an earlier page of the data table: the first day of one of the
    measure's periods (any day for the dates of events), else 404 (a typed or stale address
    must not show a wrong page)."""
    text = request.args.get("before")
    if text is None:
        return None
    try:
        day = date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        day = None
    if day is None:
        abort(404)
    if measure.value_kind != ValueKind.EVENTS and queries.period_of(day, measure.frequency) != day:
        abort(404)
    return day


def _chart(measure: Measure, team: Team | None) -> charting.ChartView | None:
    """The chart with the PDSA cycles before each signal (see measures.linking for the rule)."""
    if team is None:
        return None
    return chart_with_cycles(measure, team)


def _may_edit(measure: Measure) -> bool:
    if measure.team_id is not None:
        return can(
            current_user, Permission.EDIT_TEAM_RECORDS, db.session.get_one(Team, measure.team_id)
        )
    collaborative = db.session.get_one(Collaborative, measure.collaborative_id)
    return can(current_user, Permission.EDIT_COLLABORATIVE, collaborative)


@bp.route("/aims/<id:aim_id>/measures/new", methods=["GET", "POST"])
def new(aim_id: int):
    """Define a measure for an aim, or link one of the collaborative's shared measures."""
    aim = team_record_or_404(Aim, aim_id, Permission.EDIT_TEAM_RECORDS)
    form = MeasureForm()
    if form.validate_on_submit():
        collaborative_id = aim.team.collaborative_id
        measure = operations.create_measure(
            current_user, collaborative_id, aim.team, aim, form.details()
        )
        db.session.commit()
        flash(f"Measure ‘{measure.name}’ added. Enter its data below.", "success")
        return see_other(url_for(".detail", measure_id=measure.id))
    return render(
        "measures/form.html",
        status=422 if form.errors else 200,
        form=form,
        aim=aim,
        collaborative=None,
        measure=None,
        shared=queries.linkable_measures(aim),
    )


@bp.route("/collaboratives/<id:collaborative_id>/measures/new", methods=["GET", "POST"])
def new_shared(collaborative_id: int):
    """Define a measure every team of the collaborative reports against."""
    collaborative = collaborative_or_404(collaborative_id, Permission.EDIT_COLLABORATIVE)
    form = MeasureForm()
    if form.validate_on_submit():
        measure = operations.create_measure(
            current_user, collaborative.id, None, None, form.details()
        )
        db.session.commit()
        flash(f"Shared measure ‘{measure.name}’ added. Every team can now report on it.", "success")
        return see_other(url_for(".detail", measure_id=measure.id))
    return render(
        "measures/form.html",
        status=422 if form.errors else 200,
        form=form,
        aim=None,
        collaborative=collaborative,
        measure=None,
        shared=[],
    )


@bp.post("/aims/<id:aim_id>/measures/link")
def link(aim_id: int):
    """Report this aim against one of the collaborative's shared measures."""
    aim = team_record_or_404(Aim, aim_id, Permission.EDIT_TEAM_RECORDS)
    chosen = request.form.get("measure_id", "")
    measure = next((m for m in queries.linkable_measures(aim) if str(m.id) == chosen), None)
    if measure is None:
        flash("Choose one of the shared measures listed", "error")
        return render(
            "measures/form.html",
            status=422,
            form=MeasureForm(formdata=None),
            aim=aim,
            collaborative=None,
            measure=None,
            shared=queries.linkable_measures(aim),
            link_error=True,
        )
    operations.link_measure(current_user, aim, measure)
    db.session.commit()
    flash(f"This aim now reports against the shared measure ‘{measure.name}’.", "success")
    return see_other(url_for("aims.detail", aim_id=aim.id, _anchor="measures-heading"))


@bp.get("/measures/<id:measure_id>")
def detail(measure_id: int):
    """A measure: its definition, earlier definitions, and one team's data table (alone for
    htmx). A shared measure shows the team in `?team=`."""
    measure = measure_or_404(measure_id)
    team, teams = data_team(measure)
    return measure_page(measure, team, teams)


def _saved_words(changed: bool, redefined: bool) -> str:
    if not changed:
        return "Nothing was changed."
    if redefined:
        return "Definition changed: the old one is kept."
    return "Chart changed: the definition and its phases are as they were."


@bp.route("/measures/<id:measure_id>/edit", methods=["GET", "POST"])
def edit(measure_id: int):
    """Change the definition: the old one is kept and a new phase starts from a chosen date."""
    measure = measure_or_404(measure_id, edit=True)
    form = MeasureEditForm(obj=measure)
    conflict = False
    if form.validate_on_submit():
        conflict = not accept_version(form, measure)
        if not conflict:
            details = form.details()
            redefined = operations.redefines(measure, details)
            changed = operations.revise_measure(
                current_user, measure, details, form.effective_from.data, form.reason.data
            )
            db.session.commit()
            flash(_saved_words(changed, redefined), "success")
            return see_other(url_for(".detail", measure_id=measure.id))
    status = (422 if is_partial_request() else 409) if conflict else (422 if form.errors else 200)
    return render(
        "measures/form.html",
        status=status,
        form=form,
        aim=measure.aim,
        collaborative=None,
        measure=measure,
        shared=[],
        conflict=conflict,
    )


@bp.post("/measures/<id:measure_id>/points")
def save_point(measure_id: int):
    """Save one period's row; the same period again updates it. htmx gets the table back with
    the next row's value focused; without JavaScript, 303 back to the row."""
    measure = measure_or_404(measure_id)
    team, teams = data_team(measure)
    if team is None:
        abort(404)
    team_or_404(team.id, Permission.EDIT_TEAM_RECORDS)
    if measure.value_kind == ValueKind.EVENTS:
        abort(409, description="This measure records the date of each event: use its form.")
    form = DataPointForm()
    all_rows = queries.rows(measure, team, date.today())
    periods = [row.period for row in all_rows]
    existing = check_point(form, measure, team, periods) if form.validate_on_submit() else None
    if form.errors or existing is False:
        status = 422 if form.errors or is_partial_request() else 409
        conflict = queries.get_point(measure, team, form.period_date) if existing is False else None
        return measure_page(
            measure,
            team,
            teams,
            status,
            row_form=form,
            row_period=form.period_date,
            conflict_point=conflict,
        )
    period = form.period_date
    unusual = _not_yet_confirmed(form, measure, team, existing or None)
    if unusual:
        return measure_page(measure, team, teams, row_form=form, row_period=period, unusual=unusual)
    operations.record_data_point(current_user, measure, team, period, form.point_values(measure))
    db.session.commit()
    if request.form.get(entry_views.RETURN_FIELD) == entry_views.RETURN_VALUE:
        flash(f"Saved {measure.name}: {period_words(period, measure.frequency)}.", "success")
        return see_other(url_for(".team_entry", team_id=team.id, saved=measure.id))
    flash(f"Saved {period:%-d %B %Y}.", "success")
    if not is_partial_request():
        args: dict[str, Any] = {"team": team.id} if measure.team_id is None else {}
        before = queries.page_holding(all_rows, period, measure.frequency)
        if before is not None:
            args["before"] = before.isoformat()
        anchor = f"row-{period.isoformat()}"
        return see_other(url_for(".detail", measure_id=measure.id, _anchor=anchor, **args))
    later = [p for p in periods if p > period]
    response = measure_page(measure, team, teams, focus_period=later[0] if later else None)
    response.headers["HX-Trigger"] = "measure-updated"  # the chart, when there is one, refreshes
    return response


@bp.post("/measures/<id:measure_id>/events")
def save_events(measure_id: int):
    """Record one or more events on a day (added to any already saved that day); the form
    comes back with its messages, or 303 to the page with the day in the list."""
    measure = measure_or_404(measure_id)
    team, teams = data_team(measure)
    if team is None:
        abort(404)
    team_or_404(team.id, Permission.EDIT_TEAM_RECORDS)
    if measure.value_kind != ValueKind.EVENTS:
        abort(409, description="This measure is counted by period: enter its values in its table.")
    form = EventForm()
    if not form.validate_on_submit():
        return measure_page(measure, team, teams, 422, event_form=form)
    day, count = form.day.data, int(form.count.data)
    point = operations.record_events(current_user, measure, team, day, count, form.note.data or "")
    db.session.commit()
    events = f"{count} event{'s' if count != 1 else ''}"
    total = f" ({point.value:.0f} that day)" if point.value != count else ""
    flash(f"Recorded {events} on {day:%-d %B %Y}{total}.", "success")
    if request.form.get(entry_views.RETURN_FIELD) == entry_views.RETURN_VALUE:
        return see_other(url_for(".team_entry", team_id=team.id, saved=measure.id))
    return see_other(_measure_url(measure, team.id) + f"#row-{day.isoformat()}")


def _not_yet_confirmed(
    form: DataPointForm, measure: Measure, team: Team, saved: DataPoint | None
) -> list[tuple[str, Unusual]]:
    """The row's numbers far outside the usual ones that the person has not yet said are right.
    Nothing is saved then: the row comes back asking, its "yes" bound to exactly these numbers."""
    unusual = unusual_numbers(form, measure, team, saved)
    if not unusual or form.confirmed.data == form.numbers_text(measure):
        return []
    form.confirmed.data = form.numbers_text(measure)
    return unusual


def _measure_url(measure: Measure, team_id: int) -> str:
    args = {"team": team_id} if measure.team_id is None else {}
    return url_for(".detail", measure_id=measure.id, **args)


@bp.route("/points/<id:point_id>/delete", methods=["GET", "POST"])
def delete_point(point_id: int):
    """Ask first, then delete a saved value; the confirmation carries the version shown, so a
    value someone changed meanwhile is shown again rather than deleted unseen."""
    found = db.session.get(DataPoint, point_id) or abort(404)
    # The measure is locked first, as a save locks it, so the two wait rather than deadlock.
    measure = measure_or_404(found.measure_id)
    point = team_record_or_404(DataPoint, point_id, Permission.EDIT_TEAM_RECORDS)
    label = period_words(
        point.period_start, measure.frequency, events=measure.value_kind == ValueKind.EVENTS
    )
    # No well-formed version: 400; a value changed since the question: asked again (409).
    conflict = request.method == "POST" and removal_conflict(point)
    if request.method == "POST" and not conflict:
        operations.delete_data_point(current_user, measure, point)
        db.session.commit()
        flash(f"Deleted the value for {label}.", "success")
        return see_other(_measure_url(measure, point.team_id))
    following = queries.next_point(point) if point.starts_new_phase else None
    return render(
        "measures/delete_point.html",
        status=removal_status(conflict),
        point=point,
        measure=measure,
        label=label,
        back_url=_measure_url(measure, point.team_id) + f"#row-{point.period_start.isoformat()}",
        conflict=conflict,
        phase_moves_to=following,
    )


@bp.get("/collaboratives/<id:collaborative_id>/measures")
def shared(collaborative_id: int):
    """The measures every team of the collaborative reports against."""
    collaborative = collaborative_or_404(collaborative_id)
    return render(
        "measures/shared.html",
        collaborative=collaborative,
        measures=queries.shared_measures(collaborative.id),
        may_edit=can(current_user, Permission.EDIT_COLLABORATIVE, collaborative),
    )
