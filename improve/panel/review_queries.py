"""Reads for panel reviews (with what has happened since each) and for evaluations. A fixed
number of queries per page, whatever the number of teams, reviews or measures."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd
import sqlalchemy as sa

from improve.analysis.series import SeriesAnalysis
from improve.extensions import db
from improve.measures.analysis import analyse_series
from improve.models import Collaborative, Cycle, Evaluation, PanelReview, Team, User
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


@dataclass(frozen=True)
class ReviewRow:
    review: PanelReview
    recorded_by: str  # the person's name, or "" if their account is gone


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
    """The collaborative's reviews, newest first, with who recorded each."""
    query = (
        sa.select(PanelReview, User.display_name)
        .outerjoin(User, User.id == PanelReview.recorded_by_id)
        .where(PanelReview.collaborative_id == collaborative_id)
        .order_by(PanelReview.reviewed_on.desc(), PanelReview.id.desc())
    )
    return [ReviewRow(review, name or "") for review, name in db.session.execute(query)]


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
