"""Reads for the API. Every list is scoped by improve.permissions exactly as the pages are (a
team's people see their team, the coordinator and the panel every team of the collaborative,
admins everything) and costs a fixed number of queries, whatever the number of teams: a count
and one page of rows, and for the analysed series the points of that page's series in one more.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from improve.analysis import summary
from improve.analysis.series import Points, SeriesAnalysis
from improve.api.paging import Page
from improve.extensions import db
from improve.measures.analysis import analyse_series, read_series
from improve.models import (
    TEAM_ROLES,
    ApiToken,
    ChangeIdea,
    Collaborative,
    Cycle,
    DataPoint,
    Measure,
    Membership,
    MonthlyReport,
    ProgressScore,
    Ramp,
    Role,
    Team,
    User,
)
from improve.permissions import roles_in_collaborative, visible_collaborative_ids, visible_team_ids

SeriesKey = tuple[int, int]  # (measure id, team id)


@dataclass(frozen=True)
class Scope:
    """What one person may read of one collaborative. `full_teams` is None when they see every
    figure in full (an admin, the coordinator, a team's own people); for someone who sees other
    teams only as a member of the strategic panel, it names the teams they see in full (their
    own, if they also belong to one), and every other team's small numbers are hidden."""

    user: User
    collaborative: Collaborative
    full_teams: frozenset[int] | None = None

    @property
    def hides_small_numbers(self) -> bool:
        return self.full_teams is not None

    def hides(self, team_id: int) -> bool:
        return self.full_teams is not None and team_id not in self.full_teams

    @property
    def threshold(self) -> int:
        return int(self.collaborative.suppression_threshold)

    def team_ids(self) -> sa.Select[int]:
        """The collaborative's teams the person may see, as a subquery."""
        return sa.select(Team.id).where(
            Team.collaborative_id == self.collaborative.id,
            Team.id.in_(visible_team_ids(self.user)),
        )


def scope_of(user: User, collaborative: Collaborative) -> Scope:
    """The person's view of the collaborative (its roles are already cached by the check that
    let them in; one more query only for a panel member, for the teams they belong to)."""
    if user.is_admin:
        return Scope(user, collaborative)
    roles = roles_in_collaborative(user, collaborative)
    if Role.COORDINATOR in roles or Role.PANEL_MEMBER not in roles:
        return Scope(user, collaborative)
    own = sa.select(Membership.team_id).where(
        Membership.user_id == user.id,
        Membership.role.in_(TEAM_ROLES),
        Membership.team_id.in_(sa.select(Team.id).where(Team.collaborative_id == collaborative.id)),
    )
    return Scope(user, collaborative, frozenset(db.session.scalars(own)))


def _count(query: Any) -> int:
    counted = sa.select(sa.func.count()).select_from(query.order_by(None).subquery())
    return int(db.session.scalar(counted) or 0)


def _page(query: Any, page: Page) -> Any:
    return query.limit(page.size).offset(page.offset)


# Collaboratives and teams ---------------------------------------------------------------------


#: How a person sees a collaborative, best first.
ACCESS = ("admin", "coordinator", "panel_member", "team")


def collaboratives_page(user: User, page: Page) -> tuple[int, list[Collaborative]]:
    query = sa.select(Collaborative).where(Collaborative.id.in_(visible_collaborative_ids(user)))
    total = _count(query)
    ordered = query.order_by(Collaborative.name, Collaborative.id)
    return total, list(db.session.scalars(_page(ordered, page)))


def access_by_collaborative(user: User) -> dict[int, str]:
    """Per collaborative the person belongs to, how they see it (`ACCESS`), in one query:
    coordinator or panel member if they hold that role in it, else through a team."""
    query = (
        sa.select(Membership.role, Membership.collaborative_id, Team.collaborative_id)
        .outerjoin(Team, Team.id == Membership.team_id)
        .where(Membership.user_id == user.id)
    )
    found: dict[int, str] = {}
    for role, direct, through_team in db.session.execute(query):
        collaborative_id = direct if direct is not None else through_team
        access = role.value if role in (Role.COORDINATOR, Role.PANEL_MEMBER) else "team"
        held = found.get(collaborative_id)
        if held is None or ACCESS.index(access) < ACCESS.index(held):
            found[collaborative_id] = access
    return found


def teams_page(scope: Scope, page: Page) -> tuple[int, list[Team]]:
    query = sa.select(Team).where(Team.id.in_(scope.team_ids()))
    total = _count(query)
    return total, list(db.session.scalars(_page(query.order_by(Team.name, Team.id), page)))


def visible_team(scope: Scope, team_id: int) -> Team | None:
    return db.session.scalar(
        sa.select(Team).where(Team.id == team_id, Team.id.in_(scope.team_ids()))
    )


# Measures ---------------------------------------------------------------------------------------


def _measure_scope(scope: Scope) -> sa.ColumnElement[bool]:
    """The collaborative's shared measures and the own measures of the teams the person sees."""
    return sa.and_(
        Measure.collaborative_id == scope.collaborative.id,
        sa.or_(Measure.team_id.is_(None), Measure.team_id.in_(scope.team_ids())),
    )


def measures_page(scope: Scope, page: Page) -> tuple[int, list[Measure]]:
    query = sa.select(Measure).where(_measure_scope(scope))
    total = _count(query)
    return total, list(db.session.scalars(_page(query.order_by(Measure.id), page)))


def visible_measure(scope: Scope, measure_id: int) -> Measure | None:
    query = sa.select(Measure).where(Measure.id == measure_id, _measure_scope(scope))
    return db.session.scalar(query)


# Data points and series -------------------------------------------------------------------------


def _filters(measure_id: int | None, team_id: int | None) -> list[Any]:
    conditions: list[Any] = []
    if measure_id is not None:
        conditions.append(DataPoint.measure_id == measure_id)
    if team_id is not None:
        conditions.append(DataPoint.team_id == team_id)
    return conditions


def _shared_points(scope: Scope, *filters: Any) -> list[Any]:
    """The conditions for points of the collaborative's shared measures, of the teams the
    person sees: an index search per shared measure and team."""
    shared = sa.select(Measure.id).where(
        Measure.collaborative_id == scope.collaborative.id, Measure.team_id.is_(None)
    )
    return [DataPoint.measure_id.in_(shared), DataPoint.team_id.in_(scope.team_ids()), *filters]


def _own_measures(scope: Scope) -> list[Any]:
    """The conditions for the teams' own measures; joined to their points on the team too, as
    a team's own measure holds only its own team's points, whatever the table holds."""
    return [
        Measure.collaborative_id == scope.collaborative.id,
        Measure.team_id.in_(scope.team_ids()),
    ]


OWN_POINTS = sa.and_(DataPoint.measure_id == Measure.id, DataPoint.team_id == Measure.team_id)


def _across(parts: list[tuple[Any, int]], page: Page) -> list[Any]:
    """One page of lists read one after the other (each ordered, with its count): parts wholly
    before the page are skipped, then rows are taken until the page is full. Shared measures and
    teams' own measures are two lists because each is an index search on its own, where one query
    for both scanned every point of the collaborative (about 9 s at 800 teams)."""
    rows: list[Any] = []
    offset, wanted = page.offset, page.size
    for query, count in parts:
        if offset >= count:
            offset -= count
            continue
        taken = db.session.execute(query.limit(wanted).offset(offset)).all()
        rows += taken
        offset, wanted = 0, wanted - len(taken)
        if wanted <= 0:
            break
    return rows


@dataclass(frozen=True)
class PointRow:
    point: DataPoint
    value_kind: str
    multiplier: float
    unit: str


def data_points_page(
    scope: Scope, page: Page, measure_id: int | None, team_id: int | None
) -> tuple[int, list[PointRow]]:
    """The points of shared measures, then of teams' own, each in series order (measure, team,
    period), with what their measure's value kind needs to put them on the chart's scale."""
    columns = (DataPoint, Measure.value_kind, Measure.multiplier, Measure.unit)
    filters = _filters(measure_id, team_id)
    shared = (
        sa.select(*columns)
        .join(Measure, Measure.id == DataPoint.measure_id)
        .where(*_shared_points(scope, *filters))
        .order_by(DataPoint.measure_id, DataPoint.team_id, DataPoint.period_start)
    )
    own = (
        sa.select(*columns)
        .join(DataPoint, OWN_POINTS)
        .where(*_own_measures(scope), *filters)
        .order_by(DataPoint.measure_id, DataPoint.period_start)
    )
    counts = [
        _count(sa.select(DataPoint.id).where(*_shared_points(scope, *filters))),
        _count(
            sa.select(DataPoint.id).join(Measure, OWN_POINTS).where(*_own_measures(scope), *filters)
        ),
    ]
    rows = _across([(shared, counts[0]), (own, counts[1])], page)
    return sum(counts), [
        PointRow(point, kind.value, float(multiplier or 1.0), unit or "")
        for point, kind, multiplier, unit in rows
    ]


def series_keys_page(
    scope: Scope, page: Page, measure_id: int | None, team_id: int | None
) -> tuple[int, list[SeriesKey]]:
    """Every (measure, team) series with at least one point, shared measures first, then teams'
    own; one page of them."""
    filters = _filters(measure_id, team_id)
    shared = (
        sa.select(DataPoint.measure_id, DataPoint.team_id)
        .where(*_shared_points(scope, *filters))
        .group_by(DataPoint.measure_id, DataPoint.team_id)
        .order_by(DataPoint.measure_id, DataPoint.team_id)
    )
    has_points = sa.select(DataPoint.id).where(OWN_POINTS, *filters).exists()
    own = (
        sa.select(Measure.id, Measure.team_id)
        .where(*_own_measures(scope), has_points)
        .order_by(Measure.id)
    )
    parts = [(shared, _count(shared)), (own, _count(own))]
    rows = _across(parts, page)
    return sum(count for _, count in parts), [(int(m), int(t)) for m, t in rows]


@dataclass(frozen=True)
class SeriesPage:
    """One page of series: their measures, their points as stored (for the small-number rule)
    and the one analysis of each (absent below 2 usable points)."""

    keys: list[SeriesKey]
    measures: dict[int, Measure]
    stored: dict[SeriesKey, Points]
    analyses: dict[SeriesKey, SeriesAnalysis]


def series_page(scope: Scope, keys: Sequence[SeriesKey]) -> SeriesPage:
    """The one analysis of each series, as the panel and the measure pages read it
    (improve.measures.analysis.analyse_series, kept results reused): two queries, the measures
    and every point of the page's series."""
    wanted = set(keys)
    measure_ids = sorted({m for m, _ in wanted})
    team_ids = sorted({t for _, t in wanted})
    measures = (
        {m.id: m for m in db.session.scalars(sa.select(Measure).where(Measure.id.in_(measure_ids)))}
        if measure_ids
        else {}
    )
    stored = {key: p for key, p in read_series(measure_ids, team_ids) if key in wanted}
    analyses = analyse_series(
        measures.values(), scope.collaborative, team_ids, series=stored.items()
    )
    return SeriesPage(list(keys), measures, stored, analyses)


def hidden_points(scope: Scope, page: SeriesPage) -> dict[SeriesKey, Any]:
    """Per analysed series of a team whose small numbers this person may not see, whether each
    point is hidden: the panel's own rule (improve.analysis.summary.hidden_points)."""
    hidden_teams = {key: a for key, a in page.analyses.items() if scope.hides(key[1])}
    return summary.hidden_points(hidden_teams, page.stored, scope.threshold)


# Cycles and scores -------------------------------------------------------------------------------

CYCLE_COLUMNS = (
    Cycle.id,
    Cycle.team_id,
    ChangeIdea.aim_id,
    Ramp.change_idea_id,
    ChangeIdea.title,
    Cycle.ramp_id,
    Cycle.number,
    Cycle.title,
    Cycle.stage,
    Cycle.starts_on,
    Cycle.ends_on,
    Cycle.improved,
    Cycle.decision,
    Cycle.closed_at,
    Cycle.created_at,
    Cycle.updated_at,
)


def cycles_page(scope: Scope, page: Page, team_id: int | None) -> tuple[int, list[Any]]:
    conditions: list[Any] = [Cycle.team_id.in_(scope.team_ids())]
    if team_id is not None:
        conditions.append(Cycle.team_id == team_id)
    total = _count(sa.select(Cycle.id).where(*conditions))
    query = (
        sa.select(*CYCLE_COLUMNS)
        .join(Ramp, Ramp.id == Cycle.ramp_id)
        .join(ChangeIdea, ChangeIdea.id == Ramp.change_idea_id)
        .where(*conditions)
        .order_by(Cycle.id)
    )
    return total, list(db.session.execute(_page(query, page)))


SCORE_COLUMNS = (
    ProgressScore.id,
    ProgressScore.team_id,
    ProgressScore.period_start,
    ProgressScore.assessor,
    ProgressScore.score,
    MonthlyReport.suggested_score,
    ProgressScore.report_id,
    ProgressScore.updated_at,
)


def scores_page(scope: Scope, page: Page, team_id: int | None) -> tuple[int, list[Any]]:
    """Each progress score with the suggested score of the report it was given for, if any."""
    conditions: list[Any] = [ProgressScore.team_id.in_(scope.team_ids())]
    if team_id is not None:
        conditions.append(ProgressScore.team_id == team_id)
    total = _count(sa.select(ProgressScore.id).where(*conditions))
    query = (
        sa.select(*SCORE_COLUMNS)
        .outerjoin(MonthlyReport, MonthlyReport.id == ProgressScore.report_id)
        .where(*conditions)
        .order_by(ProgressScore.team_id, ProgressScore.period_start, ProgressScore.id)
    )
    return total, list(db.session.execute(_page(query, page)))


# Tokens -----------------------------------------------------------------------------------------


def tokens_of(user: User) -> list[ApiToken]:
    query = (
        sa.select(ApiToken)
        .where(ApiToken.user_id == user.id)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    )
    return list(db.session.scalars(query))


def own_token(user: User, token_id: int) -> ApiToken | None:
    """The person's own token (anyone else's is as if it did not exist)."""
    query = sa.select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id)
    return db.session.scalar(query)
