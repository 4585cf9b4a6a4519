"""Reads for priority rounds: their ideas (never with an anonymous author's name), themes,
votes as plain rows for the one tally, and what a theme became. One query per table for a page,
whatever the number of ideas, themes or votes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from improve.analysis.priorities import Ballot, Tally, tally
from improve.extensions import db
from improve.models import (
    LIVED_EXPERIENCE_GROUPS,
    Aim,
    Collaborative,
    Community,
    CommunityMember,
    IdeaSource,
    Measure,
    PriorityIdea,
    PriorityRound,
    PriorityTheme,
    PriorityVote,
    RoundParticipant,
    RoundStage,
    StakeholderGroup,
    Team,
    User,
)
from improve.permissions import (
    visible_collaborative_ids,
    visible_community_ids,
    visible_team_ids,
)


@dataclass(frozen=True)
class RoundRow:
    round: PriorityRound
    ideas: int
    themes: int


@dataclass(frozen=True)
class IdeaRow:
    """An idea as a page shows it. `name` is None for an anonymous idea and for one typed in from
    the event: the query never reads the author's name for those, so no page can show it."""

    id: int
    text: str
    group: StakeholderGroup
    source: IdeaSource
    is_anonymous: bool
    theme_id: int | None
    name: str | None
    mine: bool  # sent in by the person looking (only they are told)
    version: int


@dataclass(frozen=True)
class CameFrom:
    theme_id: int
    theme_name: str
    round_id: int
    round_title: str
    ideas: int
    collaborative_id: int | None
    community_id: int | None


@dataclass(frozen=True)
class OpenRound:
    """A round the person may take part in that wants something from them now."""

    round: PriorityRound
    owner: str  # the collaborative's or the CoP's name
    voted: bool


def open_rounds(user: User) -> list[OpenRound]:
    """Rounds gathering ideas or open for voting that the person may take part in: those of
    the collaboratives they belong to, and of the CoPs they are a current member of. One query,
    whatever the number of collaboratives and CoPs; soonest event first, then newest."""
    voted = (
        sa.select(PriorityVote.id)
        .where(PriorityVote.round_id == PriorityRound.id, PriorityVote.user_id == user.id)
        .exists()
    )
    query = (
        sa.select(PriorityRound, sa.func.coalesce(Collaborative.name, Community.name), voted)
        .outerjoin(Collaborative, Collaborative.id == PriorityRound.collaborative_id)
        .outerjoin(Community, Community.id == PriorityRound.community_id)
        .where(
            PriorityRound.stage.in_([RoundStage.COLLECTING, RoundStage.VOTING]),
            sa.or_(
                PriorityRound.collaborative_id.in_(visible_collaborative_ids(user)),
                PriorityRound.community_id.in_(visible_community_ids(user)),
            ),
        )
        .order_by(
            PriorityRound.event_on.is_(None),
            PriorityRound.event_on,
            PriorityRound.created_at.desc(),
            PriorityRound.id.desc(),
        )
    )
    return [
        OpenRound(round_, owner, bool(has_voted))
        for round_, owner, has_voted in db.session.execute(query)
    ]


def get_round(round_id: int, for_update: bool = False) -> PriorityRound | None:
    return db.session.get(PriorityRound, round_id, with_for_update=for_update)


def list_rounds(
    collaborative_id: int | None = None, community_id: int | None = None
) -> list[RoundRow]:
    """A collaborative's or a CoP's rounds, newest first, with their numbers of ideas and
    themes."""
    ideas = (
        sa.select(sa.func.count(PriorityIdea.id))
        .where(PriorityIdea.round_id == PriorityRound.id)
        .scalar_subquery()
    )
    themes = (
        sa.select(sa.func.count(PriorityTheme.id))
        .where(PriorityTheme.round_id == PriorityRound.id)
        .scalar_subquery()
    )
    owner = (
        PriorityRound.collaborative_id == collaborative_id
        if collaborative_id is not None
        else PriorityRound.community_id == community_id
    )
    query = (
        sa.select(PriorityRound, ideas, themes)
        .where(owner)
        .order_by(PriorityRound.created_at.desc(), PriorityRound.id.desc())
    )
    return [RoundRow(*row) for row in db.session.execute(query)]


def list_themes(round_id: int) -> list[PriorityTheme]:
    query = (
        sa.select(PriorityTheme)
        .where(PriorityTheme.round_id == round_id)
        .order_by(PriorityTheme.position, PriorityTheme.id)
    )
    return list(db.session.scalars(query))


def get_theme(round_id: int, theme_id: int) -> PriorityTheme | None:
    """One of this round's themes; another round's answers None."""
    theme = db.session.get(PriorityTheme, theme_id)
    return theme if theme is not None and theme.round_id == round_id else None


def list_ideas(round_id: int, viewer_id: int, theme_id: int | None = None) -> list[IdeaRow]:
    """The round's ideas (or one theme's), as pages may show them: by theme, then by their
    words. Never in the order they were sent: an anonymous idea sent just before or after its
    author's named one would sit beside it."""
    # The name is read only for a named idea sent in online: for any other, the database is
    # never even asked for it.
    named = sa.and_(PriorityIdea.is_anonymous.is_(False), PriorityIdea.source == IdeaSource.ONLINE)
    query = (
        sa.select(
            PriorityIdea.id,
            PriorityIdea.text,
            PriorityIdea.stakeholder_group,
            PriorityIdea.source,
            PriorityIdea.is_anonymous,
            PriorityIdea.theme_id,
            sa.case((named, User.display_name), else_=sa.null()),
            sa.func.coalesce(PriorityIdea.submitted_by_id == viewer_id, False),
            PriorityIdea.version,
        )
        .outerjoin(User, sa.and_(User.id == PriorityIdea.submitted_by_id, named))
        .where(PriorityIdea.round_id == round_id)
        .order_by(
            PriorityIdea.theme_id.is_(None),
            PriorityIdea.theme_id,
            sa.func.lower(PriorityIdea.text),
            PriorityIdea.text,
            PriorityIdea.id,
        )
    )
    if theme_id is not None:
        query = query.where(PriorityIdea.theme_id == theme_id)
    return [
        IdeaRow(*row[:7], mine=bool(row[7]), version=row[8]) for row in db.session.execute(query)
    ]


def get_idea(idea_id: int, for_update: bool = False) -> PriorityIdea | None:
    return db.session.get(PriorityIdea, idea_id, with_for_update=for_update)


def get_participant(round_id: int, user_id: int) -> RoundParticipant | None:
    query = sa.select(RoundParticipant).where(
        RoundParticipant.round_id == round_id, RoundParticipant.user_id == user_id
    )
    return db.session.scalar(query)


def community_group(community_id: int | None, user_id: int) -> StakeholderGroup | None:
    """The group the person gave as a member of this CoP, to suggest for its round."""
    if community_id is None:
        return None
    query = sa.select(CommunityMember.stakeholder_group).where(
        CommunityMember.community_id == community_id,
        CommunityMember.user_id == user_id,
        CommunityMember.left_on.is_(None),
    )
    return db.session.scalar(query)


def own_votes(round_id: int, user_id: int) -> dict[int, int]:
    """The person's vote: theme id to dots, or to the place they gave it."""
    query = sa.select(PriorityVote).where(
        PriorityVote.round_id == round_id, PriorityVote.user_id == user_id
    )
    return {vote.theme_id: vote.dots or vote.rank or 0 for vote in db.session.scalars(query)}


def count_votes(round_id: int) -> int:
    """How many people have voted in the round."""
    query = sa.select(sa.func.count(sa.distinct(PriorityVote.user_id))).where(
        PriorityVote.round_id == round_id
    )
    return db.session.scalar(query) or 0


def ballots(round_id: int) -> list[Ballot]:
    """Every vote row of the round as plain values: who (an id, never a name), their group,
    the theme and the dots or place."""
    query = sa.select(
        PriorityVote.user_id,
        PriorityVote.stakeholder_group,
        PriorityVote.theme_id,
        PriorityVote.dots,
        PriorityVote.rank,
    ).where(PriorityVote.round_id == round_id)
    return [
        Ballot(voter=user, group=group.value, theme=theme, dots=dots, rank=rank)
        for user, group, theme, dots, rank in db.session.execute(query)
    ]


def round_tally(round_: PriorityRound, themes: Sequence[PriorityTheme]) -> Tally:
    """The round's results, from the one function every page and file reads."""
    return tally(
        round_.voting_method.value,
        [(theme.id, theme.name) for theme in themes],
        ballots(round_.id),
        ranks_per_person=round_.ranks_per_person,
        group_order=[group.value for group in StakeholderGroup],
        lived_experience_groups=[group.value for group in LIVED_EXPERIENCE_GROUPS],
    )


def owner_name(round_: PriorityRound) -> str:
    if round_.collaborative_id is not None:
        return db.session.get_one(Collaborative, round_.collaborative_id).name
    return db.session.get_one(Community, round_.community_id).name


def round_collaborative_id(round_: PriorityRound) -> int | None:
    """The collaborative a round belongs to: its own, or its CoP's (if the CoP has one)."""
    if round_.collaborative_id is not None:
        return round_.collaborative_id
    return db.session.get_one(Community, round_.community_id).collaborative_id


def linkable_aims(collaborative_id: int, viewer: User) -> list[tuple[Aim, Team]]:
    """Aims of the collaborative's teams that the person may see, by team then title."""
    query = (
        sa.select(Aim, Team)
        .join(Team, Team.id == Aim.team_id)
        .where(Team.collaborative_id == collaborative_id, Team.id.in_(visible_team_ids(viewer)))
        .order_by(Team.name, Aim.title, Aim.id)
    )
    return [(aim, team) for aim, team in db.session.execute(query)]


def linkable_measures(collaborative_id: int) -> list[Measure]:
    """The collaborative's shared measures (every team reports against them)."""
    query = (
        sa.select(Measure)
        .where(Measure.collaborative_id == collaborative_id, Measure.team_id.is_(None))
        .order_by(Measure.name, Measure.id)
    )
    return list(db.session.scalars(query))


def taken_community_names(name: str) -> list[str]:
    """Names of CoPs already called `name`, whatever the case (a CoP's name is unique)."""
    wanted = name.strip().casefold()
    # A name with control characters is refused by the form and cannot be taken; PostgreSQL
    # would refuse the query itself (no NUL in text), answering 500 instead of the message.
    if not wanted or any(ord(character) < 32 for character in wanted):
        return []
    query = sa.select(Community.name).where(sa.func.lower(Community.name) == wanted.lower())
    return list(db.session.scalars(query))


def what_became(theme: PriorityTheme) -> dict[str, object]:
    """What a theme became: its CoP, aim and shared measure, where they still exist."""
    return {
        "community": db.session.get(Community, theme.community_id) if theme.community_id else None,
        "aim": db.session.get(Aim, theme.aim_id) if theme.aim_id else None,
        "measure": db.session.get(Measure, theme.measure_id) if theme.measure_id else None,
    }


def came_from(
    community_id: int | None = None, aim_id: int | None = None, measure_id: int | None = None
) -> list[CameFrom]:
    """The priority themes a CoP, an aim or a shared measure came from (give one of the three),
    each with its round and how many ideas led to it. Callers show only rounds the person may
    see (improve.priorities.came_from_for_page)."""
    column = {
        "community": (PriorityTheme.community_id, community_id),
        "aim": (PriorityTheme.aim_id, aim_id),
        "measure": (PriorityTheme.measure_id, measure_id),
    }
    given = [(col, value) for col, value in column.values() if value is not None]
    if len(given) != 1:
        raise ValueError("give exactly one of community_id, aim_id and measure_id")
    (col, value) = given[0]
    ideas = (
        sa.select(sa.func.count(PriorityIdea.id))
        .where(PriorityIdea.theme_id == PriorityTheme.id)
        .scalar_subquery()
    )
    query = (
        sa.select(
            PriorityTheme.id,
            PriorityTheme.name,
            PriorityRound.id,
            PriorityRound.title,
            ideas,
            PriorityRound.collaborative_id,
            PriorityRound.community_id,
        )
        .join(PriorityRound, PriorityRound.id == PriorityTheme.round_id)
        .where(col == value)
        .order_by(PriorityTheme.id)
    )
    return [CameFrom(*row) for row in db.session.execute(query)]
