"""Reads for the change-idea library: one query per table for the whole collaborative, then
pandas (improve.analysis.ideas) and the measures' own chart rules for the signals.

What a person sees of another team is limited here, not in the template: an idea's title,
description, teams, counts and decisions are the collaborative's to share, and so are the kinds
of evidence behind it and how many pieces; aims, cycles and measures, and what the evidence says
(its source and account, on the idea's evidence page), only for teams the person may open.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import sqlalchemy as sa
from flask import abort

from improve.analysis import evidence as evidence_sums
from improve.analysis import ideas as sums
from improve.extensions import db
from improve.ideas import evidence_queries
from improve.measures import linking
from improve.measures.analysis import analyse_series
from improve.models import (
    Aim,
    ChangeIdea,
    Collaborative,
    Cycle,
    Driver,
    Measure,
    Membership,
    Ramp,
    Team,
    User,
)
from improve.models.aim import driver_link
from improve.models.cycle import cycle_measure
from improve.permissions import POLICY, Permission, visible_team_ids

IMPROVEMENT = "special_cause_improvement"
CYCLE_FRAME = ["cycle_id", "idea_id", "team_id", "number", "title", "starts_on", "decision"]
FOLLOWED = ["idea_id", "measure_id", "team_id", "improvement"]


@dataclass(frozen=True)
class TeamAccess:
    id: int
    name: str
    may_view: bool  # may open the team's aims, cycles and measures
    may_edit: bool  # may change its records, so may copy ideas into its aims


@dataclass(frozen=True)
class CycleLink:
    id: int
    number: int
    title: str


@dataclass(frozen=True)
class MeasureLink:
    id: int
    name: str
    team_id: int
    shared: bool


@dataclass
class Holding:
    """One of a team's own change ideas in the group, for people who may open that team."""

    idea_id: int
    aim_id: int
    aim_title: str
    cycles: list[CycleLink]
    evidence: int = 0  # pieces of evidence behind it


@dataclass
class TeamRow:
    team: TeamAccess
    counts: dict[str, Any]  # a row of sums.team_summary
    copied_from: list[str]  # names of the teams this team's idea was copied from
    holdings: list[Holding] = field(default_factory=list)  # only for teams the person may open
    signal_measures: list[MeasureLink] = field(default_factory=list)  # likewise
    evidence_kinds: tuple[str, ...] = ()  # the kinds of evidence behind this team's idea
    evidence_items: int = 0


@dataclass
class IdeaGroup:
    id: int  # the idea that speaks for the group: copies point at it
    idea_ids: set[int]  # every team's change idea in the group
    aim_ids: set[int]  # the aims they are in
    title: str
    description: str
    drivers: list[tuple[str, str]]  # (kind, title), primary drivers first
    totals: dict[str, int]  # a row of sums.group_summary
    teams: list[TeamRow]
    evidence_kinds: tuple[str, ...] = ()  # across every team that holds it
    rests_on_lived_experience: bool = False


@dataclass(frozen=True)
class CopyTarget:
    """An aim the person may copy ideas into, with its drivers."""

    aim_id: int
    title: str
    team_name: str
    drivers: list[tuple[int, str, str]]  # (driver id, kind, title) in diagram order


@dataclass
class Library:
    groups: list[IdeaGroup]  # every idea of the collaborative, in the library's order
    driver_choices: list[tuple[str, str]]  # (normalised title, title as first written)
    targets: list[CopyTarget]
    ideas: pd.DataFrame
    idea_drivers: pd.DataFrame
    evidence: evidence_sums.LibraryEvidence

    def matching(self, words: str = "", driver: str = "", evidence: str = "") -> list[IdeaGroup]:
        """The ideas that match a search (see analysis.ideas.matching_groups and, for the kind
        of evidence, analysis.evidence.LibraryEvidence.matching), in order."""
        wanted = set(sums.matching_groups(self.ideas, self.idea_drivers, words, driver))
        wanted &= self.evidence.matching(evidence)
        return [group for group in self.groups if group.id in wanted]


# Who may do what, as subqueries: one query for every team's access, whatever their number.


def _editable_team_ids(user: User) -> sa.Select[Any]:
    """Teams whose records the person may change, by the same policy as permissions.can."""
    if user.is_admin:
        return sa.select(Team.id)
    roles = POLICY[Permission.EDIT_TEAM_RECORDS]
    own = sa.select(Membership.team_id).where(
        Membership.user_id == user.id, Membership.role.in_(roles)
    )
    overseen = sa.select(Membership.collaborative_id).where(
        Membership.user_id == user.id,
        Membership.role.in_(roles),
        Membership.collaborative_id.is_not(None),
    )
    return sa.select(Team.id).where(sa.or_(Team.id.in_(own), Team.collaborative_id.in_(overseen)))


def team_access(collaborative: Collaborative, user: User) -> dict[int, TeamAccess]:
    """Every team of the collaborative, with what the person may do there, by name."""
    team = sa.orm.aliased(Team)  # so the subqueries on Team stay independent of this one
    query = (
        sa.select(
            team.id,
            team.name,
            team.id.in_(visible_team_ids(user)),
            team.id.in_(_editable_team_ids(user)),
        )
        .where(team.collaborative_id == collaborative.id)
        .order_by(team.name, team.id)
    )
    return {
        row[0]: TeamAccess(row[0], row[1], bool(row[2]), bool(row[3]))
        for row in db.session.execute(query)
    }


# The collaborative's records, each table in one query.


def _of_collaborative(collaborative: Collaborative) -> sa.Select[Any]:
    return sa.select(Team.id).where(Team.collaborative_id == collaborative.id)


def ideas_frame(collaborative: Collaborative) -> pd.DataFrame:
    query = (
        sa.select(
            ChangeIdea.id,
            Aim.team_id,
            ChangeIdea.title,
            ChangeIdea.description,
            ChangeIdea.copied_from_id,
            ChangeIdea.driver_id,
            ChangeIdea.aim_id,
            Aim.title,
        )
        .join(Aim, Aim.id == ChangeIdea.aim_id)
        .where(Aim.team_id.in_(_of_collaborative(collaborative)))
        .order_by(ChangeIdea.id)
    )
    columns = [*sums.IDEA_COLUMNS, "aim_id", "aim_title"]
    frame = pd.DataFrame([tuple(row) for row in db.session.execute(query)], columns=columns)
    frame["group_id"] = sums.idea_groups(frame)
    return frame


def drivers_frame(collaborative: Collaborative) -> pd.DataFrame:
    query = (
        sa.select(Driver.id, Driver.kind, Driver.title, Driver.aim_id)
        .join(Aim, Aim.id == Driver.aim_id)
        .where(Aim.team_id.in_(_of_collaborative(collaborative)))
        .order_by(Driver.aim_id, Driver.kind, Driver.position, Driver.id)
    )
    rows = [
        (d_id, kind.value, title, aim_id) for d_id, kind, title, aim_id in db.session.execute(query)
    ]
    return pd.DataFrame(rows, columns=[*sums.DRIVER_COLUMNS, "aim_id"])


def links_frame(collaborative: Collaborative) -> pd.DataFrame:
    query = (
        sa.select(driver_link.c.secondary_id, driver_link.c.primary_id)
        .join(Driver, Driver.id == driver_link.c.secondary_id)
        .join(Aim, Aim.id == Driver.aim_id)
        .where(Aim.team_id.in_(_of_collaborative(collaborative)))
    )
    return pd.DataFrame(
        [tuple(row) for row in db.session.execute(query)], columns=sums.LINK_COLUMNS
    )


def cycles_frame(collaborative: Collaborative) -> pd.DataFrame:
    query = (
        sa.select(
            Cycle.id,
            Ramp.change_idea_id,
            Cycle.team_id,
            Cycle.number,
            Cycle.title,
            Cycle.starts_on,
            Cycle.decision,
        )
        .join(Ramp, Ramp.id == Cycle.ramp_id)
        .where(Cycle.team_id.in_(_of_collaborative(collaborative)))
        .order_by(Cycle.starts_on, Cycle.id)
    )
    rows = [
        (*row[:6], row[6].value if row[6] is not None else "") for row in db.session.execute(query)
    ]
    return pd.DataFrame(rows, columns=CYCLE_FRAME)


# Whether a signal followed.


def followed_signals(
    collaborative: Collaborative, ideas: pd.DataFrame, cycles: pd.DataFrame
) -> tuple[pd.DataFrame, dict[int, Measure]]:
    """Per idea, the signals that followed its cycles: a signal on a measure a cycle's data plan
    names, in the cycle's team's data, starting in the period the cycle began or in the
    `linking.FOLLOW_PERIODS` after it (linking.follows, the measure page's rule too). Each signal
    counts once per idea however many of its cycles it follows. The signals are the one analysis
    of each measure (improve.measures.analysis). Three queries, whatever the number of teams."""
    empty = pd.DataFrame([], columns=FOLLOWED)
    measures = {
        m.id: m
        for m in db.session.scalars(
            sa.select(Measure).where(Measure.collaborative_id == collaborative.id)
        )
    }
    collected = pd.DataFrame(
        [
            tuple(row)
            for row in db.session.execute(
                sa.select(cycle_measure.c.cycle_id, cycle_measure.c.measure_id)
                .join(Cycle, Cycle.id == cycle_measure.c.cycle_id)
                .where(Cycle.team_id.in_(_of_collaborative(collaborative)))
            )
        ],
        columns=["cycle_id", "measure_id"],
    )
    links = collected.merge(cycles[["cycle_id", "idea_id", "team_id", "starts_on"]], on="cycle_id")
    links = links[links["measure_id"].isin(list(measures))]
    if links.empty:
        return empty, measures
    analyses = analyse_series(
        [measures[int(m)] for m in links["measure_id"].unique()],
        collaborative,
        {int(t) for t in links["team_id"]},
    )
    found = set()
    for idea_id, measure_id, team_id, starts_on in links[
        ["idea_id", "measure_id", "team_id", "starts_on"]
    ].itertuples(index=False):
        analysis = analyses.get((int(measure_id), int(team_id)))
        if analysis is None:
            continue
        frequency = measures[int(measure_id)].frequency.value
        for event in linking.signals_since(analysis.events, starts_on, frequency):
            found.add((int(idea_id), int(measure_id), int(team_id), event.first, event.improvement))
    rows = [(idea, measure, team, improvement) for idea, measure, team, _, improvement in found]
    return pd.DataFrame(sorted(rows), columns=FOLLOWED), measures


# The library page.


def library(collaborative: Collaborative, user: User) -> Library:
    """Every change idea of the collaborative, one entry per idea however many teams have it.
    About eleven queries, whatever the number of teams, ideas, cycles or measures."""
    teams = team_access(collaborative, user)
    ideas = ideas_frame(collaborative)
    drivers = drivers_frame(collaborative)
    idea_drivers = sums.idea_drivers(ideas, drivers, links_frame(collaborative))
    cycles = cycles_frame(collaborative)
    followed, measures = followed_signals(collaborative, ideas, cycles)
    team_counts = sums.team_summary(ideas, cycles, followed)
    totals = sums.group_summary(team_counts).set_index("group_id")
    titles = dict(zip(ideas["idea_id"], ideas["title"], strict=True))
    evidence = evidence_sums.library_evidence(
        zip(ideas["idea_id"], ideas["group_id"], strict=True),
        evidence_queries.collaborative_evidence(collaborative.id),
    )
    context = _Context(
        teams, ideas, idea_drivers, cycles, followed, measures, team_counts, evidence
    )
    return Library(
        groups=[
            context.group(int(group_id), totals.loc[group_id].to_dict())
            for group_id in sums.ordered(totals.index, titles)
        ],
        driver_choices=sums.driver_choices(idea_drivers),
        targets=copy_targets(teams, drivers),
        ideas=ideas,
        idea_drivers=idea_drivers,
        evidence=evidence,
    )


@dataclass
class _Context:
    teams: dict[int, TeamAccess]
    ideas: pd.DataFrame
    idea_drivers: pd.DataFrame
    cycles: pd.DataFrame
    followed: pd.DataFrame
    measures: dict[int, Measure]
    team_counts: pd.DataFrame
    evidence: evidence_sums.LibraryEvidence

    def __post_init__(self) -> None:
        self.by_id = {int(row.idea_id): row for row in self.ideas.itertuples(index=False)}
        self.members: dict[int, list[Any]] = defaultdict(list)
        for row in self.by_id.values():
            self.members[int(row.group_id)].append(row)
        self.cycles_of: dict[int, list[CycleLink]] = defaultdict(list)
        for c in self.cycles.itertuples(index=False):
            self.cycles_of[int(c.idea_id)].append(
                CycleLink(int(c.cycle_id), int(c.number), c.title)
            )
        self.counts = {
            (int(row["group_id"]), int(row["team_id"])): row
            for row in self.team_counts.to_dict("records")
        }
        # Looked up per idea below, so the page's cost grows linearly with the ideas.
        self.drivers_of: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
        for d in self.idea_drivers.itertuples(index=False):
            self.drivers_of[int(d.idea_id)].append((str(d.kind), str(d.title), str(d.key)))
        self.signalled: dict[int, set[int]] = defaultdict(set)
        for idea_id, measure_id in zip(
            self.followed["idea_id"], self.followed["measure_id"], strict=True
        ):
            self.signalled[int(idea_id)].add(int(measure_id))

    def group(self, group_id: int, totals: dict[str, Any]) -> IdeaGroup:
        members = self.members[group_id]
        speaker = self.by_id[group_id]
        description = speaker.description or next(
            (m.description for m in members if m.description), ""
        )
        return IdeaGroup(
            id=group_id,
            idea_ids={int(m.idea_id) for m in members},
            aim_ids={int(m.aim_id) for m in members},
            title=speaker.title,
            description=description,
            drivers=self._drivers(members),
            totals={name: int(value) for name, value in totals.items()},
            teams=[
                self._team_row(group_id, team_id, members) for team_id in self._team_ids(members)
            ],
            evidence_kinds=self.evidence.group_kinds.get(group_id, ()),
            rests_on_lived_experience=self.evidence.rests_on_lived_experience(group_id),
        )

    def _team_ids(self, members: list[Any]) -> list[int]:
        present = {int(m.team_id) for m in members}
        return [team_id for team_id in self.teams if team_id in present]  # by team name

    def _drivers(self, members: list[Any]) -> list[tuple[str, str]]:
        """(kind, title) of every driver the group's ideas work on, once per text."""
        seen: dict[str, tuple[str, str]] = {}
        for member in members:
            for kind, title, key in self.drivers_of[int(member.idea_id)]:
                seen.setdefault(key, (kind, title))
        return sorted(seen.values(), key=lambda pair: (pair[0] != "primary", pair[1].casefold()))

    def _team_row(self, group_id: int, team_id: int, members: list[Any]) -> TeamRow:
        team = self.teams[team_id]
        own = [m for m in members if int(m.team_id) == team_id]
        sources = [self.by_id.get(int(m.copied_from_id)) for m in own if pd.notna(m.copied_from_id)]
        copied_from = sorted({self.teams[int(s.team_id)].name for s in sources if s is not None})
        own_ids = [int(m.idea_id) for m in own]
        row = TeamRow(
            team,
            self.counts[group_id, team_id],
            copied_from,
            evidence_kinds=self.evidence.kinds_of(own_ids),
            evidence_items=self.evidence.items_of(own_ids),
        )
        if team.may_view:
            row.holdings = [
                Holding(
                    int(m.idea_id),
                    int(m.aim_id),
                    m.aim_title,
                    self.cycles_of[int(m.idea_id)],
                    self.evidence.items.get(int(m.idea_id), 0),
                )
                for m in own
            ]
            found = {self.measures[i] for m in own for i in self.signalled[int(m.idea_id)]}
            row.signal_measures = [
                MeasureLink(m.id, m.name, team_id, m.team_id is None)
                for m in sorted(found, key=lambda m: (m.name, m.id))
            ]
        return row


def copy_targets(teams: dict[int, TeamAccess], drivers: pd.DataFrame) -> list[CopyTarget]:
    """The aims the person may copy an idea into (one query, none if they may change no team's
    records), each with its drivers."""
    editable = [team for team in teams.values() if team.may_edit]
    if not editable:
        return []
    query = (
        sa.select(Aim.id, Aim.title, Aim.team_id)
        .where(Aim.team_id.in_([team.id for team in editable]))
        .order_by(Aim.title, Aim.id)
    )
    by_aim: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
    for d in drivers.itertuples(index=False):
        by_aim[int(d.aim_id)].append((int(d.driver_id), str(d.kind), str(d.title)))
    return [
        CopyTarget(aim_id, title, teams[team_id].name, by_aim[aim_id])
        for aim_id, title, team_id in db.session.execute(query)
    ]


def idea_or_404(collaborative: Collaborative, idea_id: int) -> ChangeIdea:
    """A change idea of one of the collaborative's teams (another collaborative's is not found)."""
    query = (
        sa.select(ChangeIdea)
        .join(Aim, Aim.id == ChangeIdea.aim_id)
        .where(ChangeIdea.id == idea_id, Aim.team_id.in_(_of_collaborative(collaborative)))
    )
    return db.session.scalar(query) or abort(404)


def aim_has_idea(aim: Aim, idea: ChangeIdea) -> bool:
    """Whether the aim already holds this idea: by the same name, as a copy of it, or as the
    idea it was copied from (so pressing Copy twice adds it once)."""
    query = sa.select(ChangeIdea.id, ChangeIdea.title, ChangeIdea.copied_from_id).where(
        ChangeIdea.aim_id == aim.id
    )
    wanted = sums.normalised(idea.title)
    return any(
        sums.normalised(title) == wanted or source == idea.id or idea.copied_from_id == held
        for held, title, source in db.session.execute(query)
    )
