"""Reads for the driver diagram: one query per table, then the diagram is laid out in Python."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import aliased

from improve.analysis.evidence import LibraryEvidence, library_evidence
from improve.extensions import db
from improve.models import Aim, ChangeIdea, Cycle, Driver, DriverKind, IdeaEvidence, Ramp, Team
from improve.models.aim import driver_link

# IHI: most aims have 2 to 5 primary drivers. Outside that, warn; never refuse.
FEWEST_PRIMARIES = 2
MOST_PRIMARIES = 5


@dataclass
class Branch:
    """A secondary driver as drawn under one primary driver, with its change ideas. A branch with
    no driver holds ideas put directly under the primary driver (or, in the unlinked row, ideas
    not under any driver)."""

    driver: Driver | None
    ideas: list[ChangeIdea]
    also_feeds: list[Driver] = field(default_factory=list)
    # A secondary feeding several primaries is drawn under each; its controls and its anchor
    # appear once, under the first, so ids stay unique on the page.
    is_home: bool = True


@dataclass
class Row:
    """A primary driver and what hangs under it; `primary` is None for the row of secondary
    drivers and ideas not linked to any primary driver yet."""

    primary: Driver | None
    branches: list[Branch]


@dataclass
class Diagram:
    aim: Aim
    primaries: list[Driver]
    secondaries: list[Driver]
    ideas: list[ChangeIdea]
    feeds: dict[int, list[Driver]]  # secondary driver id -> the primaries it feeds, in order
    tests: dict[int, int]  # change idea id -> its cycles, for ideas that have a ramp of tests
    # change idea id -> the team whose idea it was copied from the collaborative's idea library
    sources: dict[int, str] = field(default_factory=dict)
    # How much evidence, of which kinds, is behind each change idea (improve.ideas.evidence).
    evidence: LibraryEvidence = field(default_factory=lambda: library_evidence([], []))

    def ideas_under(self, driver_id: int | None) -> list[ChangeIdea]:
        known = {driver.id for driver in self.primaries + self.secondaries}
        return [
            idea
            for idea in self.ideas
            if (idea.driver_id if idea.driver_id in known else None) == driver_id
        ]

    @property
    def rows(self) -> list[Row]:
        rows = []
        for primary in self.primaries:
            branches = [
                Branch(
                    secondary,
                    self.ideas_under(secondary.id),
                    [other for other in self.feeds[secondary.id] if other is not primary],
                    is_home=self.feeds[secondary.id][0] is primary,
                )
                for secondary in self.secondaries
                if primary in self.feeds[secondary.id]
            ]
            if direct := self.ideas_under(primary.id):
                branches.append(Branch(None, direct))
            rows.append(Row(primary, branches))
        unlinked = [
            Branch(secondary, self.ideas_under(secondary.id))
            for secondary in self.secondaries
            if not self.feeds[secondary.id]
        ]
        if loose := self.ideas_under(None):
            unlinked.append(Branch(None, loose))
        if unlinked:
            rows.append(Row(None, unlinked))
        return rows

    def fed_by(self, primary: Driver) -> list[Driver]:
        """The secondary drivers that feed this primary driver, in order."""
        return [secondary for secondary in self.secondaries if primary in self.feeds[secondary.id]]

    def column(self, record: Driver | ChangeIdea) -> list[Driver] | list[ChangeIdea]:
        """Everything in the record's column of the diagram, in order."""
        if isinstance(record, ChangeIdea):
            return self.ideas
        return self.primaries if record.kind == DriverKind.PRIMARY else self.secondaries

    def siblings(self, record: Driver | ChangeIdea) -> list[Driver] | list[ChangeIdea]:
        """What the record moves among: the list it is drawn in, where its controls are."""
        if isinstance(record, ChangeIdea):
            driver_id = record.driver_id
            return [idea for idea in self.ideas if idea.driver_id == driver_id]
        if record.kind == DriverKind.PRIMARY:
            return self.primaries
        home = (self.feeds[record.id] or [None])[0]
        return [
            other
            for other in self.secondaries
            if (home in self.feeds[other.id] if home else not self.feeds[other.id])
        ]

    def is_first(self, record: Driver | ChangeIdea) -> bool:
        return self.siblings(record)[0] is record

    def is_last(self, record: Driver | ChangeIdea) -> bool:
        return self.siblings(record)[-1] is record

    @property
    def is_empty(self) -> bool:
        return not (self.primaries or self.secondaries or self.ideas)

    @property
    def warning(self) -> str | None:
        """Plain words when the number of primary drivers is outside what usually works."""
        count = len(self.primaries)
        if count < FEWEST_PRIMARIES:
            has = "no primary drivers yet" if count == 0 else "only 1 primary driver"
            return (
                f"This aim has {has}. Most aims have between 2 and 5: the few big things that "
                "most affect whether you reach the aim."
            )
        if count > MOST_PRIMARIES:
            return (
                f"This aim has {count} primary drivers. Most aims have between 2 and 5. Could "
                "some be joined together, or are some really secondary drivers?"
            )
        return None


def diagram(aim: Aim) -> Diagram:
    """The aim's drivers, links and change ideas, and the evidence behind the ideas, in a fixed
    number of queries whatever their number."""
    drivers = list(
        db.session.scalars(
            sa.select(Driver).where(Driver.aim_id == aim.id).order_by(Driver.position, Driver.id)
        )
    )
    by_id = {driver.id: driver for driver in drivers}
    links = db.session.execute(
        sa.select(driver_link.c.secondary_id, driver_link.c.primary_id).where(
            driver_link.c.secondary_id.in_(list(by_id))
        )
    )
    fed: dict[int, set[int]] = defaultdict(set)
    for secondary_id, primary_id in links:
        fed[secondary_id].add(primary_id)
    ideas = list(
        db.session.scalars(
            sa.select(ChangeIdea)
            .where(ChangeIdea.aim_id == aim.id)
            .order_by(ChangeIdea.position, ChangeIdea.id)
        )
    )
    primaries = [driver for driver in drivers if driver.kind == DriverKind.PRIMARY]
    return Diagram(
        aim=aim,
        primaries=primaries,
        secondaries=[driver for driver in drivers if driver.kind == DriverKind.SECONDARY],
        ideas=ideas,
        feeds=defaultdict(
            list,
            {
                secondary_id: [primary for primary in primaries if primary.id in primary_ids]
                for secondary_id, primary_ids in fed.items()
            },
        ),
        tests=_tests_by_idea([idea.id for idea in ideas]),
        sources=_source_teams(ideas),
        evidence=_evidence(aim),
    )


def _evidence(aim: Aim) -> LibraryEvidence:
    query = (
        sa.select(IdeaEvidence.change_idea_id, IdeaEvidence.kind)
        .join(ChangeIdea, ChangeIdea.id == IdeaEvidence.change_idea_id)
        .where(ChangeIdea.aim_id == aim.id, IdeaEvidence.team_id == aim.team_id)
    )
    rows = [(idea_id, kind.value) for idea_id, kind in db.session.execute(query)]
    return library_evidence([(idea_id, idea_id) for idea_id, _ in rows], rows)


def _source_teams(ideas: list[ChangeIdea]) -> dict[int, str]:
    """Which team each copied idea came from; no query when nothing on the diagram was copied."""
    copied = {idea.id: idea.copied_from_id for idea in ideas if idea.copied_from_id}
    if not copied:
        return {}
    source = aliased(ChangeIdea)
    query = (
        sa.select(source.id, Team.name)
        .join(Aim, Aim.id == source.aim_id)
        .join(Team, Team.id == Aim.team_id)
        .where(source.id.in_(set(copied.values())))
    )
    team_of = {source_id: name for source_id, name in db.session.execute(query)}
    return {
        idea_id: team_of[source_id] for idea_id, source_id in copied.items() if source_id in team_of
    }


def _tests_by_idea(idea_ids: list[int]) -> dict[int, int]:
    if not idea_ids:
        return {}
    query = (
        sa.select(Ramp.change_idea_id, sa.func.count(Cycle.id))
        .outerjoin(Cycle, Cycle.ramp_id == Ramp.id)
        .where(Ramp.change_idea_id.in_(idea_ids))
        .group_by(Ramp.change_idea_id)
    )
    return {idea_id: count for idea_id, count in db.session.execute(query)}


def primaries_or_404(aim: Aim, ids: list[int | None]) -> list[Driver]:
    """The aim's primary drivers with these ids, in diagram order; 404 if any id is not one."""
    wanted = set(ids)
    if not wanted:
        return []
    query = (
        sa.select(Driver)
        .where(
            Driver.id.in_([i for i in wanted if i]),
            Driver.aim_id == aim.id,
            Driver.kind == DriverKind.PRIMARY,
        )
        .order_by(Driver.position, Driver.id)
    )
    primaries = list(db.session.scalars(query))
    if len(primaries) != len(wanted):
        abort(404)
    return primaries


def driver_or_404(aim: Aim, driver_id: int | None) -> Driver | None:
    """The aim's driver with this id (None for none); 404 if it is not one of the aim's."""
    if driver_id is None:
        return None
    driver = db.session.get(Driver, driver_id) if driver_id else None
    if driver is None or driver.aim_id != aim.id:
        abort(404)
    return driver


def tests_of(idea: ChangeIdea) -> int | None:
    """How many cycles have tested the idea; None if it has no ramp of tests at all."""
    return _tests_by_idea([idea.id]).get(idea.id)
