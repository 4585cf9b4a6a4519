"""Routes for the coordinator's view: every team of a collaborative for a reporting period, who
needs a call this week, and one team's drill-down (alone for htmx, else beside the table)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Response, abort, flash, request, url_for
from flask_login import current_user

from improve import reminders
from improve.analysis.activity import FAR_APART, REASONS, STUCK_AFTER, reason_counts
from improve.coordination import bp, queries
from improve.coordination.forms import PeriodChoice, choose_period
from improve.extensions import db
from improve.htmx import is_partial_request, render, see_other
from improve.models import Collaborative, Team
from improve.permissions import Permission, collaborative_or_404

TEMPLATE = "coordination/dashboard.html"
NOBODY_TO_EMAIL = (
    "No reminder was sent: nobody in {team} can be emailed. Reminders go to the team's lead "
    "and the members who have submitted its reports, unless they turned reminder emails off."
)


def today() -> date:
    return date.today()


@bp.get("/collaboratives/<id:collaborative_id>/coordinator")
def dashboard(collaborative_id: int) -> Response:
    """Every team's report, activity, data gaps and scores for a period (`?period=`), with the
    teams that need a call this week at the top."""
    collaborative = collaborative_or_404(collaborative_id, Permission.COORDINATE)
    return _page(collaborative, None)


@bp.get("/collaboratives/<id:collaborative_id>/coordinator/teams/<id:team_id>")
def team(collaborative_id: int, team_id: int) -> Response:
    """One team's drill-down: alone for htmx, else the dashboard with it filled in."""
    collaborative = collaborative_or_404(collaborative_id, Permission.COORDINATE)
    chosen = queries.team_in(collaborative, team_id) or abort(404)
    return _page(collaborative, chosen)


@bp.post("/collaboratives/<id:collaborative_id>/coordinator/teams/<id:team_id>/reminders")
def send_reminder(collaborative_id: int, team_id: int) -> Response:
    """Email the team the reminder its drill-down previews, then show the drill-down again for
    the period the coordinator was looking at, the reminder listed first. The form's one-time
    token (improve.submissions) makes a double click send once."""
    collaborative = collaborative_or_404(collaborative_id, Permission.COORDINATE)
    team = queries.team_in(collaborative, team_id) or abort(404)
    back = _team_url(collaborative, team, request.args.get("period"))
    sent = reminders.send_team_reminder(team, current_user._get_current_object(), today())
    if sent is None:
        flash(NOBODY_TO_EMAIL.format(team=team.name))
        return see_other(back)
    db.session.commit()
    flash(f"Reminder sent to {_and([person.display_name for person in sent.people])}.", "success")
    return see_other(back)


def _team_url(collaborative: Collaborative, team: Team, period: str | None) -> str:
    args = {"period": period} if period else {}
    return url_for(".team", collaborative_id=collaborative.id, team_id=team.id, **args)


def _and(names: list[str]) -> str:
    """ "Ann", "Ann and Bo", "Ann, Bo and Cy"."""
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def _page(collaborative: Collaborative, chosen: Team | None) -> Response:
    day = today()
    choice = choose_period(collaborative, day, request.args.get("period"))
    if choice.error:
        return render(TEMPLATE, status=400, **_context(collaborative, choice, None, None))
    detail = queries.team_detail(collaborative, chosen, choice.period, day) if chosen else None
    if chosen is not None and is_partial_request():
        return render(TEMPLATE, "team_detail", **_context(collaborative, choice, None, detail))
    view = queries.overview(collaborative, queries.list_teams(collaborative), choice.period, day)
    return render(TEMPLATE, **_context(collaborative, choice, view, detail))


def _context(
    collaborative: Collaborative,
    choice: PeriodChoice,
    view: queries.Overview | None,
    detail: queries.TeamDetail | None,
) -> dict[str, Any]:
    return {
        "collaborative": collaborative,
        "choice": choice,
        "rows": queries.records(view.table) if view else [],
        "calls": queries.records(view.calls) if view else [],
        "counts": reason_counts(view.calls) if view else {},
        "overdue_label": view.overdue_label if view else "",
        "reason_names": REASONS,
        "far_apart": FAR_APART,
        "stuck_weeks": STUCK_AFTER.days // 7,
        "recent_limit": queries.RECENT_CYCLES,
        # Links keep the chosen period, once there is a started period to keep.
        "period_arg": {"period": choice.period.isoformat()} if choice.choices else {},
        "detail": detail,
        "names": lambda people: _and([person.display_name for person in people]),
        "today": today(),
    }
