"""Reads for panel reviews (with what has happened since each), the actions agreed at them,
and evaluations. A fixed number of queries per page, whatever the number of teams, reviews,
actions or measures."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import pandas as pd
import sqlalchemy as sa

from improve.analysis.series import SeriesAnalysis
from improve.extensions import db
from improve.measures.analysis import analyse_series
from improve.models import (
    ActionStatus,
    AuditAction,
    AuditEvent,
    Collaborative,
    Cycle,
    Evaluation,
    PanelAction,
    PanelReview,
    Team,
    User,
)
from improve.panel.queries import list_shared_measures, list_teams
from improve.permissions import visible_team_ids

SIGNAL_KINDS = {
    "special_cause_improvement": "improvements",
    "special_cause_concern": "concerns",
    "special_cause_neutral_high": "unusual",
    "special_cause_neutral_low": "unusual",
}
DECIDED_COLUMNS = ["decision", "decided_on"]
DECISION_WORDS = {"adopt": "adopted", "adapt": "adapted", "abandon": "abandoned"}


OPEN_STATUSES = tuple(status for status in ActionStatus if status.is_open)


@dataclass(frozen=True)
class ReviewRow:
    review: PanelReview
    recorded_by: str  # the person's name, or "" if their account is gone
    actions: int = 0  # agreed at this review
    open_actions: int = 0  # of those, not done or dropped yet


@dataclass
class SinceReview:
    """What happened from a review's date to today: signals on the shared measures' charts
    (one per episode, by kind) and cycles decided (by decision)."""

    improvements: int = 0
    concerns: int = 0
    unusual: int = 0
    decisions: dict[str, int] = field(default_factory=dict)

    @property
    def signals(self) -> int:
        return self.improvements + self.concerns + self.unusual

    @property
    def cycles(self) -> int:
        return sum(self.decisions.values())

    def sentences(self) -> str:
        """In plain words, e.g. "3 signals on the shared measures (2 real improvements, 1 change
        for the worse). 1 test of change decided (1 adopted)." """
        kinds = [
            _count(self.improvements, "real improvement", "real improvements"),
            _count(self.concerns, "change for the worse", "changes for the worse"),
            _count(self.unusual, "unusually high or low point", "unusually high or low points"),
        ]
        if self.signals:
            listed = ", ".join(kind for kind in kinds if kind)
            signals = (
                f"{_count(self.signals, 'signal', 'signals')} on the shared measures ({listed})."
            )
        else:
            signals = "No signals on the shared measures."
        decided = [
            f"{self.decisions[key]} {words}"
            for key, words in DECISION_WORDS.items()
            if self.decisions.get(key)
        ]
        if self.cycles:
            cycles = (
                f"{_count(self.cycles, 'test of change', 'tests of change')} decided "
                f"({', '.join(decided)})."
            )
        else:
            cycles = "No tests of change decided."
        return f"{signals} {cycles}"


def _count(number: int, one: str, many: str) -> str:
    """ "2 signals", "1 signal"; "" for none."""
    if not number:
        return ""
    return f"{number} {one if number == 1 else many}"


def list_reviews(collaborative_id: int) -> list[ReviewRow]:
    """The collaborative's reviews, newest first, with who recorded each and how many actions
    each agreed (two queries)."""
    query = (
        sa.select(PanelReview, User.display_name)
        .outerjoin(User, User.id == PanelReview.recorded_by_id)
        .where(PanelReview.collaborative_id == collaborative_id)
        .order_by(PanelReview.reviewed_on.desc(), PanelReview.id.desc())
    )
    reviews = db.session.execute(query).all()
    if not reviews:
        return []
    still_open = sa.case((PanelAction.status.in_(OPEN_STATUSES), 1), else_=0)
    counts = {
        review_id: (total, int(open_count or 0))
        for review_id, total, open_count in db.session.execute(
            sa.select(PanelAction.review_id, sa.func.count(), sa.func.sum(still_open))
            .where(PanelAction.collaborative_id == collaborative_id)
            .group_by(PanelAction.review_id)
        )
    }
    return [
        ReviewRow(review, name or "", *counts.get(review.id, (0, 0))) for review, name in reviews
    ]


def get_review(
    collaborative_id: int, review_id: int, for_update: bool = False
) -> PanelReview | None:
    """One of this collaborative's reviews (None if it is another's, or gone)."""
    review = db.session.get(PanelReview, review_id, with_for_update=for_update)
    return review if review is not None and review.collaborative_id == collaborative_id else None


def get_action(
    collaborative_id: int, action_id: int, for_update: bool = False
) -> PanelAction | None:
    """One of this collaborative's actions (None if it is another's, or gone)."""
    action = db.session.get(PanelAction, action_id, with_for_update=for_update)
    return action if action is not None and action.collaborative_id == collaborative_id else None


def recorded_by(review: PanelReview) -> str:
    """The name of whoever recorded the review, or "" if their account is gone."""
    if review.recorded_by_id is None:
        return ""
    return (
        db.session.scalar(sa.select(User.display_name).where(User.id == review.recorded_by_id))
        or ""
    )


# Actions ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionRow:
    """An action with the date of the review that agreed it."""

    action: PanelAction
    review_id: int
    reviewed_on: date
    today: date

    @property
    def overdue(self) -> bool:
        """Still open, and its due date has passed (due today is not overdue yet)."""
        return self.action.status.is_open and self.action.due_on < self.today


# Actions with the id and date of the review that agreed each.
ActionQuery = sa.Select[PanelAction, int, date]


def _action_rows(query: ActionQuery, today: date | None = None) -> list[ActionRow]:
    today = today or date.today()
    return [
        ActionRow(action, review_id, reviewed_on, today)
        for action, review_id, reviewed_on in db.session.execute(query)
    ]


def _actions_with_dates() -> ActionQuery:
    return sa.select(PanelAction, PanelReview.id, PanelReview.reviewed_on).join(
        PanelReview, PanelReview.id == PanelAction.review_id
    )


def actions_of(review: PanelReview) -> list[ActionRow]:
    """The actions agreed at this review, in the order they were added."""
    query = _actions_with_dates().where(PanelAction.review_id == review.id)
    return _action_rows(query.order_by(PanelAction.id))


def open_actions(collaborative_id: int, today: date | None = None) -> list[ActionRow]:
    """Every action of the collaborative not done or dropped yet, from any review: overdue ones
    first, then by due date (one query)."""
    today = today or date.today()
    overdue_first = sa.case((PanelAction.due_on < today, 0), else_=1)
    query = (
        _actions_with_dates()
        .where(
            PanelAction.collaborative_id == collaborative_id,
            PanelAction.status.in_(OPEN_STATUSES),
        )
        .order_by(overdue_first, PanelAction.due_on, PanelReview.reviewed_on, PanelAction.id)
    )
    return _action_rows(query, today)


def carried_over(review: PanelReview) -> list[ActionRow]:
    """Actions agreed at earlier reviews that are still open: the panel carries them to this
    one. Oldest review first, then by due date."""
    earlier = sa.or_(
        PanelReview.reviewed_on < review.reviewed_on,
        sa.and_(PanelReview.reviewed_on == review.reviewed_on, PanelReview.id < review.id),
    )
    query = (
        _actions_with_dates()
        .where(
            PanelAction.collaborative_id == review.collaborative_id,
            PanelAction.status.in_(OPEN_STATUSES),
            earlier,
        )
        .order_by(PanelReview.reviewed_on, PanelReview.id, PanelAction.due_on, PanelAction.id)
    )
    return _action_rows(query)


# A review's history ----------------------------------------------------------------------------

HISTORY_ACTIONS = (AuditAction.CREATE, AuditAction.UPDATE, AuditAction.DELETE)


@dataclass(frozen=True)
class HistoryEntry:
    """One audit row of a review or of one of its actions, as the history macros read it."""

    action: AuditAction
    entity_type: str
    entity_id: int | None
    actor_id: int | None
    occurred_at: datetime
    summary: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    about: str  # "this review", or the action's description

    @property
    def is_review(self) -> bool:
        return self.entity_type == "PanelReview"


# Saved values as the history page words them, without editing the app-wide wording tables:
# "is_held" reads "Meeting held", an action's status code its label ("open" is "Not started").
SHOWN_AS = {"is_held": "meeting_held"}
STATUS_LABELS = {status.value: status.label for status in ActionStatus}


def _shown_values(values: dict[str, Any] | None) -> dict[str, Any] | None:
    """An audit row's values for the page: the review's id left out (it is no one's business on
    screen), fields named and statuses worded as people say them."""
    if values is None:
        return None
    shown = {}
    for key, value in values.items():
        if key == "review_id":
            continue
        if key == "status":
            value = STATUS_LABELS.get(value, value)
        shown[SHOWN_AS.get(key, key)] = value
    return shown


def review_history(review: PanelReview, actions: Sequence[PanelAction]) -> list[HistoryEntry]:
    """Every change to the review and to the actions agreed at it (those deleted since too),
    newest first: one query for the collaborative's review and action rows, sorted here."""
    query = (
        sa.select(AuditEvent)
        .where(
            AuditEvent.collaborative_id == review.collaborative_id,
            AuditEvent.action.in_(HISTORY_ACTIONS),
            sa.or_(
                sa.and_(AuditEvent.entity_type == "PanelReview", AuditEvent.entity_id == review.id),
                AuditEvent.entity_type == "PanelAction",
            ),
        )
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    )
    events = list(db.session.scalars(query))
    # Its actions: any whose adding or deleting row names this review (the latest wording of
    # each, read oldest first), and those still here as they read now.
    described: dict[int | None, str] = {}
    for event in reversed(events):
        values = (event.after if event.action == AuditAction.CREATE else event.before) or {}
        if event.entity_type == "PanelAction" and values.get("review_id") == review.id:
            described[event.entity_id] = str(values.get("description", ""))
    described |= {action.id: action.description for action in actions}
    entries = []
    for event in events:
        if event.entity_type == "PanelAction" and event.entity_id not in described:
            continue
        about = "this review" if event.entity_type == "PanelReview" else described[event.entity_id]
        entries.append(
            HistoryEntry(
                action=event.action,
                entity_type=event.entity_type,
                entity_id=event.entity_id,
                actor_id=event.actor_id,
                occurred_at=event.occurred_at,
                summary=event.summary,
                before=_shown_values(event.before),
                after=_shown_values(event.after),
                about=about,
            )
        )
    return entries


def shared_analyses(collaborative: Collaborative) -> dict[tuple[int, int], SeriesAnalysis]:
    """The one analysis of every team's series of every shared measure (three queries: the
    measures, the teams and their points)."""
    measures = list_shared_measures(collaborative.id)
    teams = [team.id for team in list_teams(collaborative.id)]
    return analyse_series(measures, collaborative, teams)


def decided_cycles(collaborative_id: int) -> pd.DataFrame:
    """Every cycle with an Act decision, and the day it was decided (the day it closed, else
    its end date)."""
    query = (
        sa.select(Cycle.decision, Cycle.closed_at, Cycle.ends_on)
        .join(Team, Team.id == Cycle.team_id)
        .where(Team.collaborative_id == collaborative_id, Cycle.decision.is_not(None))
    )
    rows = [
        (str(decision), closed_at.date() if closed_at else ends_on)
        for decision, closed_at, ends_on in db.session.execute(query)
    ]
    return pd.DataFrame(rows, columns=DECIDED_COLUMNS)


def since_reviews(
    reviews: Sequence[PanelReview],
    analyses: Mapping[tuple[int, int], SeriesAnalysis],
    decided: pd.DataFrame,
) -> dict[int, SinceReview]:
    """Per review: the signals (episodes, as the panel page counts them "since the last review")
    with a point on or after its date, by kind, and cycles decided on or after it."""
    events = [event for analysis in analyses.values() for event in analysis.events]
    result = {}
    for review in reviews:
        since = SinceReview()
        for event in events:
            kind = SIGNAL_KINDS.get(event.kind)
            if kind is not None and event.touches(review.reviewed_on):
                setattr(since, kind, getattr(since, kind) + 1)
        later = decided[decided["decided_on"] >= review.reviewed_on]
        since.decisions = {str(k): int(v) for k, v in later["decision"].value_counts().items()}
        result[review.id] = since
    return result


def reviews_since(
    collaborative: Collaborative, reviews: Sequence[PanelReview]
) -> dict[int, SinceReview]:
    """since_reviews for these reviews, loading what it needs only when there are some."""
    if not reviews:
        return {}
    return since_reviews(reviews, shared_analyses(collaborative), decided_cycles(collaborative.id))


# Evaluations -------------------------------------------------------------------------------------


def get_evaluation(collaborative_id: int, team_id: int | None) -> Evaluation | None:
    """The evaluation of a team, or of the whole collaborative (team_id None)."""
    team_match = Evaluation.team_id.is_(None) if team_id is None else Evaluation.team_id == team_id
    query = (
        sa.select(Evaluation)
        .where(Evaluation.collaborative_id == collaborative_id, team_match)
        # The database cannot stop two "whole collaborative" rows (NULLs are never equal in a
        # unique constraint): if a race ever made two, the first saved is the one shown.
        .order_by(Evaluation.id)
        .limit(1)
    )
    return db.session.scalar(query)


@dataclass(frozen=True)
class TeamAnswers:
    team: Team
    evaluation: Evaluation | None


def team_answers(collaborative_id: int, user: User, every_team: bool) -> list[TeamAnswers]:
    """Each team's evaluation (None if not answered), by team name: every team for the panel and
    coordinator, else only the teams the person belongs to. Two queries."""
    query = sa.select(Team).where(Team.collaborative_id == collaborative_id).order_by(Team.name)
    if not every_team:
        query = query.where(Team.id.in_(visible_team_ids(user)))
    teams = list(db.session.scalars(query))
    if not teams:
        return []
    evaluations = db.session.scalars(
        sa.select(Evaluation).where(
            Evaluation.collaborative_id == collaborative_id, Evaluation.team_id.is_not(None)
        )
    )
    by_team = {evaluation.team_id: evaluation for evaluation in evaluations}
    return [TeamAnswers(team, by_team.get(team.id)) for team in teams]
