"""Routes for the collaborative's calendar, the team's periodic reports, and the coordinator's
score of a submitted report."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from flask import Response, abort, flash, request, url_for
from flask_login import current_user

from improve.analysis.periods import due_date, uk_date, uk_time
from improve.extensions import db
from improve.forms import (
    accept_version,
    form_status,
    removal_conflict,
    removal_status,
    saved_values,
)
from improve.htmx import is_partial_request, render, see_other
from improve.http_caching import conditional, content_tag
from improve.mail import external_url
from improve.models import (
    Assessor,
    Collaborative,
    CollaborativePhase,
    MonthlyReport,
    ReportStatus,
    Team,
)
from improve.permissions import Permission, can, collaborative_or_404, team_or_404
from improve.reports import bp, feed, operations, queries, schedule
from improve.reports.forms import PhaseEditForm, PhaseForm, ReportForm, ScoreForm

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# What secrets.token_urlsafe(32) makes (43 characters), with room to spare: anything else is
# turned away before the database is asked.
CALENDAR_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")
LOCKED = (
    "This report has been submitted, so it is locked and nothing was changed. To change it, "
    "use “Correct this report”: that starts a new version, and the submitted one is kept."
)
NOT_SUBMITTED = "Only a submitted report can be corrected or scored. Nothing was changed."
CONFLICT = (
    "Someone else saved this report while you were writing, so nothing was saved. Your words "
    "are still in the form. Check the report, then save again to keep yours."
)


def today() -> date:
    return date.today()


@bp.app_template_filter("long_date")
def long_date(value: datetime | date | str | None) -> str:
    """A date as people write it, "4 May 2026", from a date or the ISO text stored in evidence;
    a moment (stored in UTC) on the day it was in the UK."""
    if not value:
        return ""
    if isinstance(value, datetime):
        value = uk_date(value)
    day = date.fromisoformat(value) if isinstance(value, str) else value
    return f"{day:%-d %B %Y}"


@bp.app_template_filter("long_time")
def long_time(value: datetime | None) -> str:
    """A moment stored in UTC as the clock in the UK showed it: "7 December 2026 at 13:52"."""
    if value is None:
        return ""
    return f"{long_date(value)} at {uk_time(value):%H:%M}"


bp.add_app_template_filter(schedule.phase_when, "phase_when")


# The calendar ------------------------------------------------------------------------------------


@bp.get("/collaboratives/<id:collaborative_id>/calendar")
def calendar(collaborative_id: int):
    """The collaborative's phases on a timeline with overlaps flagged, when each report is due,
    and the private link to subscribe (the timeline alone for htmx)."""
    collaborative = collaborative_or_404(collaborative_id)
    phases = queries.list_phases(collaborative)
    feed_url = _feed_url(collaborative)
    return render(
        "reports/calendar.html",
        "calendar_timeline",
        collaborative=collaborative,
        timeline=queries.timeline(phases, today()),
        clashes=schedule.overlaps(phases),
        overlap_rule=schedule.OVERLAP_RULE,
        due_dates=queries.due_dates(collaborative, today()),
        today=today(),
        may_edit=can(current_user, Permission.EDIT_COLLABORATIVE, collaborative),
        feed_url=feed_url,
        webcal_url=re.sub(r"^https?://", "webcal://", feed_url),
    )


def _feed_url(collaborative: Collaborative) -> str:
    """The private feed's address (from the configured BASE_URL, never the request's Host
    header), made the first time anyone who may see the calendar needs it."""
    if collaborative.calendar_token is None:
        # End this request's read first: on SQLite a transaction that has read cannot then take
        # the write lock if someone wrote in between; a fresh one that starts by writing waits.
        db.session.commit()
        operations.give_calendar_link(collaborative)
        db.session.commit()
    return external_url("reports.calendar_feed", token=collaborative.calendar_token)


@bp.get("/calendar/<token>.ics")
def calendar_feed(token: str):
    """The calendar as an iCalendar file. No sign-in (calendar apps cannot sign in): the token in
    the address is the secret, and an unknown or replaced one is simply not found."""
    found = queries.get_by_calendar_token(token) if CALENDAR_TOKEN.fullmatch(token) else None
    if found is None:
        abort(404)
    page = external_url("reports.calendar", collaborative_id=found.id)
    body = feed.calendar_file(found, queries.list_phases(found), page)
    response = conditional(
        content_tag(body),
        lambda: Response(body, content_type="text/calendar; charset=utf-8"),
    )
    # Calendar apps ask again every so often; a few minutes' copy in the person's own app is fine.
    response.headers["Cache-Control"] = "private, max-age=300"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.route("/collaboratives/<id:collaborative_id>/calendar/new-link", methods=["GET", "POST"])
def new_calendar_link(collaborative_id: int):
    """Ask before making a new private calendar link; the POST makes it, and the old link stops
    working for everyone (coordinators)."""
    collaborative = collaborative_or_404(collaborative_id, Permission.EDIT_COLLABORATIVE)
    shown = operations.calendar_link_fingerprint(collaborative)
    if request.method == "POST" and request.form.get("replaces") != shown:
        # Another coordinator made a new link after this page was opened: replacing theirs
        # would break the link they have just sent round.
        return render(
            "reports/confirm_new_calendar_link.html",
            collaborative=collaborative,
            replaces=shown,
            changed=True,
            status=409,
        )
    if request.method == "POST":
        operations.renew_calendar_link(current_user, collaborative)
        db.session.commit()
        flash(
            "There is a new link to this calendar. The old link no longer works: give the new "
            "one to everyone who subscribed.",
            "success",
        )
        return see_other(
            url_for(".calendar", collaborative_id=collaborative.id, _anchor="subscribe")
        )
    return render(
        "reports/confirm_new_calendar_link.html", collaborative=collaborative, replaces=shown
    )


def _phase_or_404(collaborative: Collaborative, phase_id: int) -> CollaborativePhase:
    phase = db.session.get(CollaborativePhase, phase_id)
    if phase is None or phase.collaborative_id != collaborative.id:
        abort(404)
    return phase


def _phase_values(form: PhaseForm) -> dict[str, Any]:
    kind = form.kind.data
    labels = {choice.value: choice.label for choice in form.kind.choices}  # type: ignore[union-attr]
    return {
        "kind": kind,
        "title": form.title.data or labels[kind],
        "starts_on": form.starts_on.data,
        "ends_on": form.ends_on.data,
        "start_time": form.start_time.data,
        "end_time": form.end_time.data,
        "notes": form.notes.data or "",
    }


def _warn_of_overlaps(phase: CollaborativePhase) -> None:
    """Saved anyway (a coordinator may mean it), but said plainly."""
    others = schedule.overlaps(queries.list_phases(phase.collaborative)).get(phase.id)
    if others:
        flash(schedule.overlap_warning(phase, others), "warning")


@bp.route("/collaboratives/<id:collaborative_id>/calendar/phases/new", methods=["GET", "POST"])
def new_phase(collaborative_id: int):
    """Add a phase to the calendar (coordinators)."""
    collaborative = collaborative_or_404(collaborative_id, Permission.EDIT_COLLABORATIVE)
    form = PhaseForm()
    if form.validate_on_submit():
        phase = operations.add_phase(current_user, collaborative, _phase_values(form))
        db.session.commit()
        flash(f"Added ‘{phase.title}’ to the calendar.", "success")
        _warn_of_overlaps(phase)
        return see_other(url_for(".calendar", collaborative_id=collaborative.id))
    return render(
        "reports/phase_form.html",
        status=422 if form.errors else 200,
        form=form,
        collaborative=collaborative,
        phase=None,
    )


@bp.route(
    "/collaboratives/<id:collaborative_id>/calendar/phases/<id:phase_id>/edit",
    methods=["GET", "POST"],
)
def edit_phase(collaborative_id: int, phase_id: int):
    """Change a phase's kind, name, dates or notes (coordinators); a save over someone else's
    newer one is refused and both are shown."""
    collaborative = collaborative_or_404(collaborative_id, Permission.EDIT_COLLABORATIVE)
    phase = _phase_or_404(collaborative, phase_id)
    form = PhaseEditForm(obj=phase)
    conflict = False
    if form.validate_on_submit():
        conflict = not accept_version(form, phase)
        if not conflict:
            changed = operations.change_phase(current_user, phase, _phase_values(form))
            db.session.commit()
            flash(f"Saved ‘{phase.title}’." if changed else "Nothing was changed.", "success")
            _warn_of_overlaps(phase)
            return see_other(url_for(".calendar", collaborative_id=collaborative.id))
    return render(
        "reports/phase_form.html",
        status=form_status(form, conflict),
        form=form,
        collaborative=collaborative,
        phase=phase,
        conflict=conflict,
        saved=saved_values(form, phase) if conflict else [],
    )


@bp.route(
    "/collaboratives/<id:collaborative_id>/calendar/phases/<id:phase_id>/remove",
    methods=["GET", "POST"],
)
def remove_phase(collaborative_id: int, phase_id: int):
    """Ask before removing a phase; the POST removes it (coordinators). A phase changed after
    the question was shown is not removed: the question is asked again (409)."""
    collaborative = collaborative_or_404(collaborative_id, Permission.EDIT_COLLABORATIVE)
    phase = _phase_or_404(collaborative, phase_id)
    conflict = request.method == "POST" and removal_conflict(phase)
    if request.method == "POST" and not conflict:
        title = phase.title
        operations.remove_phase(current_user, phase)
        db.session.commit()
        flash(f"Removed ‘{title}’ from the calendar.", "success")
        return see_other(url_for(".calendar", collaborative_id=collaborative.id))
    return render(
        "reports/confirm_remove_phase.html",
        collaborative=collaborative,
        phase=phase,
        conflict=conflict,
        status=removal_status(conflict),
    )


# Team reports ------------------------------------------------------------------------------------


@bp.get("/teams/<id:team_id>/reports")
def index(team_id: int):
    """Every period of the team so far, with its report's state, due date and scores."""
    team = team_or_404(team_id)
    return render(
        "reports/index.html",
        "report_periods",
        team=team,
        collaborative=team.collaborative,
        rows=queries.period_rows(team.collaborative, team, today()),
        may_edit=can(current_user, Permission.EDIT_TEAM_RECORDS, team),
    )


def _period_or_404(collaborative: Collaborative, text: str) -> date:
    """The period named in the URL: a real date that starts one of the collaborative's periods,
    and has started. Anything else answers 404 with a message saying what was wrong."""
    try:
        start = date.fromisoformat(text) if ISO_DATE.fullmatch(text) else None
    except ValueError:
        start = None
    if start is None:
        abort(
            404,
            "That is not a date. Report pages are named by the first day of their period, "
            "written like 2026-10-01.",
        )
    if start not in queries.all_periods(collaborative):
        abort(
            404,
            f"No report period of {collaborative.name} starts on {start:%-d %B %Y}. "
            "Choose a period from the team's list of reports.",
        )
    if start > today():
        abort(
            404,
            f"The period from {start:%-d %B %Y} has not started yet, so there is nothing "
            "to report. Come back once it has started.",
        )
    return start


def _report_page(
    team: Team,
    start: date,
    status: int = 200,
    form: ReportForm | None = None,
    score_form: ScoreForm | None = None,
    problem: str | None = None,
    score_conflict: bool = False,
) -> Response:
    """The report for one period: the latest version, its evidence (as gathered when it was
    submitted, or gathered now for a draft), the scores, and the forms the person may use."""
    collaborative = team.collaborative
    versions = queries.revisions(team, start)
    report = versions[0] if versions else None
    locked = report is not None and report.status == ReportStatus.SUBMITTED
    if locked:
        evidence = report.evidence
        suggested = (report.suggested_score, report.suggested_reasons)
    else:
        gathered, suggestion = queries.gather_evidence(collaborative, team, start, today())
        evidence, suggested = gathered, (suggestion.score, list(suggestion.reasons))
    scores = queries.period_scores(team, start)
    coordinator = scores.get(Assessor.COORDINATOR)
    scored = next((v for v in versions if v.status == ReportStatus.SUBMITTED), None)
    first_submitted = queries.first_submitted_at(versions)
    fragment = (
        "coordinator_score"
        if request.headers.get("HX-Target") == "coordinator-score"
        else "report_content"
    )
    return render(
        "reports/detail.html",
        fragment,
        status,
        team=team,
        collaborative=collaborative,
        start=start,
        label=queries.period_label(start, collaborative),
        due=due_date(start, queries.cadence(collaborative), collaborative.report_due_day),
        report=report,
        versions=versions,
        locked=locked,
        evidence=evidence,
        suggested=suggested,
        labels=collaborative.progress_labels or {},
        self_score=scores.get(Assessor.SELF),
        coordinator_score=coordinator,
        scored_report=scored,
        form=form or ReportForm(collaborative, formdata=None, obj=report),
        score_form=score_form or ScoreForm(collaborative, formdata=None, obj=coordinator),
        may_edit=can(current_user, Permission.EDIT_TEAM_RECORDS, team),
        may_score=can(current_user, Permission.SCORE_REPORTS, collaborative),
        problem=problem,
        score_conflict=score_conflict,
        timing=queries.timing_of(collaborative, start, first_submitted) if scored else None,
        reminders=queries.list_reminders(team, start),
    )


def _refusal_status() -> int:
    # htmx swaps only 2xx and 422 (base.html's responseHandling), so it gets 422 to show the
    # message in place; without JavaScript the honest answer is 409 Conflict.
    return 422 if is_partial_request() else 409


@bp.route("/teams/<id:team_id>/reports/<period>", methods=["GET", "POST"])
def detail(team_id: int, period: str):
    """One period's report (its main content alone for htmx); a POST saves, submits or
    corrects it."""
    if request.method == "POST":
        return _update(team_id, period)
    team = team_or_404(team_id)
    return _report_page(team, _period_or_404(team.collaborative, period))


def _update(team_id: int, period: str) -> Response:
    """Save the draft, submit it (locking it), or start a correction of a submitted report."""
    team = team_or_404(team_id, Permission.EDIT_TEAM_RECORDS)
    start = _period_or_404(team.collaborative, period)
    versions = queries.revisions(team, start)
    latest = versions[0] if versions else None
    action = request.form.get("action", "save")
    submitted = latest is not None and latest.status == ReportStatus.SUBMITTED
    if action == "correct":
        if not submitted:
            return _report_page(team, start, _refusal_status(), problem=NOT_SUBMITTED)
        operations.correct_report(current_user, latest)
        db.session.commit()
        flash("This is a new version of the report. Change it, then submit it again.", "success")
        return see_other(url_for(".detail", team_id=team.id, period=start.isoformat()))
    if submitted:
        return _report_page(team, start, _refusal_status(), problem=LOCKED)
    return _save(team, start, latest, submit=action == "submit")


def _save(team: Team, start: date, draft: MonthlyReport | None, submit: bool) -> Response:
    form = ReportForm(team.collaborative)
    if not form.validate_on_submit():
        return _report_page(team, start, 422, form=form)
    if form.version.data != (draft.version if draft else None):
        form.version.data = draft.version if draft else None
        return _report_page(team, start, _refusal_status(), form=form, problem=CONFLICT)
    if submit and not form.self_score.data:
        form.self_score.errors = ["Choose a score before you submit the report"]
        return _report_page(team, start, 422, form=form)
    values = {name: form[name].data or "" for name in operations.REPORT_TEXT}
    values["self_score"] = float(form.self_score.data) if form.self_score.data else None
    evidence, suggestion = queries.gather_evidence(team.collaborative, team, start, today())
    report = operations.save_report(current_user, team, start, draft, values, evidence, suggestion)
    if submit:
        operations.submit_report(current_user, report)
    db.session.commit()
    flash("Report submitted. It is now locked." if submit else "Draft saved.", "success")
    return see_other(url_for(".detail", team_id=team.id, period=start.isoformat()))


@bp.post("/reports/<id:report_id>/score")
def score(report_id: int):
    """The coordinator scores a submitted report, with why and suggestions; again replaces it."""
    report = db.session.get(MonthlyReport, report_id) or abort(404)
    team = team_or_404(report.team_id, Permission.SCORE_REPORTS)
    if report.status != ReportStatus.SUBMITTED:
        return _report_page(team, report.period_start, _refusal_status(), problem=NOT_SUBMITTED)
    form = ScoreForm(team.collaborative)
    if not form.validate_on_submit():
        return _report_page(team, report.period_start, 422, score_form=form)
    saved = queries.period_scores(team, report.period_start).get(Assessor.COORDINATOR)
    if not accept_version(form, saved):
        status = _refusal_status()
        return _report_page(team, report.period_start, status, score_form=form, score_conflict=True)
    values = {
        "score": float(form.score.data),
        "justification": form.justification.data,
        "suggestions": form.suggestions.data or "",
    }
    operations.set_score(current_user, report, Assessor.COORDINATOR, values)
    db.session.commit()
    flash("Your score is saved. The team can see it beside their own.", "success")
    period = report.period_start.isoformat()
    return see_other(
        url_for(".detail", team_id=team.id, period=period, _anchor="coordinator-score")
    )
