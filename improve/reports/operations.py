"""Writes for the calendar and team reports. Every change records an audit row; the view commits
once."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date
from typing import Any

import sqlalchemy as sa

from improve.analysis.scoring import Suggestion
from improve.auditing import create_audited, record_event, snapshot, update_audited
from improve.extensions import db
from improve.models import (
    Assessor,
    AuditAction,
    Collaborative,
    CollaborativePhase,
    MonthlyReport,
    ProgressScore,
    ReportStatus,
    Team,
    User,
    utcnow,
)

PHASE_FIELDS = ("kind", "title", "starts_on", "ends_on", "start_time", "end_time", "notes")
REPORT_TEXT = ("achievements", "learning", "barriers")
REPORT_FIELDS = (*REPORT_TEXT, "self_score", "suggested_score", "status")
SCORE_FIELDS = ("score", "justification", "suggestions", "report_id")


# Phases ------------------------------------------------------------------------------------------


def add_phase(
    actor: User, collaborative: Collaborative, values: dict[str, Any]
) -> CollaborativePhase:
    phase = CollaborativePhase(collaborative_id=collaborative.id, **values)
    create_audited(
        actor.id,
        phase,
        PHASE_FIELDS,
        summary=f"Added the phase ‘{phase.title}’ to the calendar",
        collaborative_id=collaborative.id,
    )
    return phase


def change_phase(actor: User, phase: CollaborativePhase, values: dict[str, Any]) -> bool:
    return update_audited(
        actor.id,
        phase,
        PHASE_FIELDS,
        values,
        summary=f"Changed the phase ‘{values.get('title', phase.title)}’",
        collaborative_id=phase.collaborative_id,
    )


def remove_phase(actor: User, phase: CollaborativePhase) -> None:
    record_event(
        actor.id,
        AuditAction.DELETE,
        phase,
        summary=f"Removed the phase ‘{phase.title}’ from the calendar",
        before=snapshot(phase, PHASE_FIELDS),
        collaborative_id=phase.collaborative_id,
    )
    db.session.delete(phase)


# The private calendar link -----------------------------------------------------------------------


def _set_calendar_token(collaborative: Collaborative, only_if_none: bool) -> None:
    """Store a new secret for the feed's address. A plain UPDATE, not through the model: the
    link is no setting anyone edits, so it must not bump the collaborative's version (which
    would turn a coordinator's open settings form into a conflict)."""
    query = sa.update(Collaborative).where(Collaborative.id == collaborative.id)
    if only_if_none:
        # Two people opening the calendar at once: the first one's link stands.
        query = query.where(Collaborative.calendar_token.is_(None))
    token = secrets.token_urlsafe(32)
    # updated_at as it was: the collaborative's own details did not change.
    values = {"calendar_token": token, "updated_at": Collaborative.updated_at}
    db.session.execute(query.values(values).execution_options(synchronize_session=False))
    db.session.refresh(collaborative, ["calendar_token"])


def give_calendar_link(collaborative: Collaborative) -> None:
    """The collaborative's first private calendar link, made when someone first needs it. Not
    audited: no link worked before, so nothing stops working for anyone."""
    _set_calendar_token(collaborative, only_if_none=True)


def calendar_link_fingerprint(collaborative: Collaborative) -> str:
    """Names the current link without giving it away: the "make a new link" page carries it, so
    a page left open (or a second coordinator's) cannot replace a link made after it was shown."""
    token = collaborative.calendar_token
    return "none" if token is None else hashlib.sha256(token.encode()).hexdigest()[:16]


def renew_calendar_link(actor: User, collaborative: Collaborative) -> None:
    """A new private calendar link; the old one stops working for everyone. The audit row says
    so in words and never holds a link: the history is read by people who must not get one."""
    had_link = collaborative.calendar_token is not None
    _set_calendar_token(collaborative, only_if_none=False)
    record_event(
        actor.id,
        AuditAction.UPDATE,
        collaborative,
        summary="Made a new private calendar link; the old link stopped working",
        before={"calendar_link": "The old link" if had_link else "No link yet"},
        after={"calendar_link": "A new link"},
        collaborative_id=collaborative.id,
    )


# Reports -----------------------------------------------------------------------------------------


def _scope(team_id: int) -> dict[str, int]:
    """The team and collaborative a report's audit rows belong to, so both histories show them."""
    return {
        "team_id": team_id,
        "collaborative_id": db.session.get_one(Team, team_id).collaborative_id,
    }


def save_report(
    actor: User,
    team: Team,
    start: date,
    draft: MonthlyReport | None,
    values: dict[str, Any],
    evidence: dict[str, Any],
    suggestion: Suggestion,
) -> MonthlyReport:
    """Create the period's first draft, or update the draft given, with the team's words and
    the evidence as gathered now."""
    gathered = {
        "evidence": evidence,
        "suggested_score": suggestion.score,
        "suggested_reasons": list(suggestion.reasons),
    }
    if draft is None:
        draft = MonthlyReport(
            team_id=team.id, period_start=start, revision=1, status=ReportStatus.DRAFT
        )
        for name, value in {**values, **gathered}.items():
            setattr(draft, name, value)
        create_audited(
            actor.id,
            draft,
            REPORT_FIELDS,
            summary=f"Started the report for the period from {start:%-d %B %Y}",
            **_scope(team.id),
        )
        return draft
    for name, value in gathered.items():
        setattr(draft, name, value)
    update_audited(
        actor.id,
        draft,
        REPORT_FIELDS,
        values,
        summary=f"Saved the report for the period from {start:%-d %B %Y}",
        **_scope(team.id),
    )
    return draft


def submit_report(actor: User, report: MonthlyReport) -> ProgressScore:
    """Lock the report and record the team's own score for the period (one per period: a
    corrected report's score replaces the earlier one)."""
    report.status = ReportStatus.SUBMITTED
    report.submitted_at = utcnow()
    report.submitted_by_id = actor.id
    record_event(
        actor.id,
        AuditAction.UPDATE,
        report,
        summary=f"Submitted the report for the period from {report.period_start:%-d %B %Y}",
        before={"status": ReportStatus.DRAFT.value},
        after={"status": ReportStatus.SUBMITTED.value, "revision": report.revision},
        **_scope(report.team_id),
    )
    return set_score(
        actor,
        report,
        Assessor.SELF,
        {"score": report.self_score, "justification": "", "suggestions": ""},
    )


def correct_report(actor: User, report: MonthlyReport) -> MonthlyReport:
    """A new draft revision that supersedes a submitted report, starting from its words."""
    correction = MonthlyReport(
        team_id=report.team_id,
        period_start=report.period_start,
        revision=report.revision + 1,
        status=ReportStatus.DRAFT,
        supersedes_id=report.id,
        evidence=dict(report.evidence or {}),
        suggested_score=report.suggested_score,
        suggested_reasons=list(report.suggested_reasons or []),
        self_score=report.self_score,
        **{name: getattr(report, name) for name in REPORT_TEXT},
    )
    db.session.add(correction)
    record_event(
        actor.id,
        AuditAction.CREATE,
        correction,
        summary=f"Started correcting the report for the period from "
        f"{report.period_start:%-d %B %Y} (version {correction.revision})",
        after={"revision": correction.revision, "supersedes_id": report.id},
        **_scope(report.team_id),
    )
    return correction


def set_score(
    actor: User, report: MonthlyReport, assessor: Assessor, values: dict[str, Any]
) -> ProgressScore:
    """Record or replace the team's or the coordinator's score for the report's period."""
    existing = db.session.scalar(
        sa.select(ProgressScore).where(
            ProgressScore.team_id == report.team_id,
            ProgressScore.period_start == report.period_start,
            ProgressScore.assessor == assessor,
        )
    )
    values = {**values, "report_id": report.id}
    who = "the team's own" if assessor == Assessor.SELF else "the coordinator's"
    if existing is None:
        existing = ProgressScore(
            team_id=report.team_id,
            period_start=report.period_start,
            assessor=assessor,
            scored_by_id=actor.id,
            **values,
        )
        create_audited(
            actor.id,
            existing,
            SCORE_FIELDS,
            summary=f"Recorded {who} score for the period from {report.period_start:%-d %B %Y}",
            **_scope(report.team_id),
        )
        return existing
    existing.scored_by_id = actor.id
    update_audited(
        actor.id,
        existing,
        SCORE_FIELDS,
        values,
        summary=f"Changed {who} score for the period from {report.period_start:%-d %B %Y}",
        **_scope(report.team_id),
    )
    return existing
