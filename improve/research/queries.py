"""Reads for research needs: a community's list (three queries whatever its length), its
meetings to choose from, the communities a team's cycle may send a need to, and a person's
vote and group."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
import sqlalchemy as sa

from improve.analysis.periods import uk_date
from improve.analysis.research import NeedRow, NeedTally, VoteRow, need_tallies
from improve.extensions import db
from improve.models import (
    Community,
    CommunityMeeting,
    CommunityMember,
    Cycle,
    ResearchNeed,
    ResearchNeedVote,
    StakeholderGroup,
    Team,
    User,
)
from improve.permissions import visible_team_ids

GROUP_ORDER = tuple(group.value for group in StakeholderGroup)


@dataclass(frozen=True)
class TeamSource:
    """The team's cycle a need came from, for someone who may see that team."""

    cycle_id: int
    cycle_number: int
    cycle_title: str
    team_name: str


@dataclass(frozen=True)
class NeedItem:
    """One need as the list, the download and the edit page show it."""

    need: ResearchNeed
    tally: NeedTally
    meeting_on: date | None
    meeting_title: str
    team: TeamSource | None  # None unless the reader may see the team
    my_vote: StakeholderGroup | None  # the reader's own vote's group, if they voted

    @property
    def from_team(self) -> bool:
        return self.need.cycle_id is not None


def community_needs(community: Community, reader: User) -> list[NeedItem]:
    """Every research need of the community, most supported first (the order and support of
    improve.analysis.research.need_tallies), with where each came from."""
    rows = db.session.execute(
        sa.select(ResearchNeed, CommunityMeeting.held_on, CommunityMeeting.title)
        .outerjoin(CommunityMeeting, CommunityMeeting.id == ResearchNeed.meeting_id)
        .where(ResearchNeed.community_id == community.id)
    ).all()
    votes = db.session.execute(
        sa.select(
            ResearchNeedVote.need_id, ResearchNeedVote.stakeholder_group, ResearchNeedVote.user_id
        )
        .join(ResearchNeed, ResearchNeed.id == ResearchNeedVote.need_id)
        .where(ResearchNeed.community_id == community.id)
    ).all()
    tallies = need_tallies(
        (
            NeedRow(need.id, need.shared_by, need.status.value, need.logged_by_id)
            for need, _, _ in rows
        ),
        (VoteRow(need_id, group.value, user_id) for need_id, group, user_id in votes),
        GROUP_ORDER,
    )
    mine = {need_id: group for need_id, group, user_id in votes if user_id == reader.id}
    teams = _team_sources(community, reader) if any(n.cycle_id for n, _, _ in rows) else {}
    by_id = {need.id: (need, held_on, title) for need, held_on, title in rows}
    items = []
    for tally in tallies:
        need, held_on, title = by_id[tally.need_id]
        team = teams.get(need.cycle_id) if need.cycle_id else None
        items.append(NeedItem(need, tally, held_on, title or "", team, mine.get(need.id)))
    return items


def _team_sources(community: Community, reader: User) -> dict[int, TeamSource]:
    """The cycles the community's needs came from, of the teams the reader may see only."""
    query = (
        sa.select(Cycle.id, Cycle.number, Cycle.title, Team.name)
        .join(Team, Team.id == Cycle.team_id)
        .where(
            Cycle.id.in_(
                sa.select(ResearchNeed.cycle_id).where(ResearchNeed.community_id == community.id)
            ),
            Team.id.in_(visible_team_ids(reader)),
        )
    )
    return {
        row.id: TeamSource(row.id, row.number, row.title, row.name)
        for row in db.session.execute(query)
    }


def meeting_choices(community: Community) -> list[tuple[int, str]]:
    """The community's meetings to choose from, latest first, as (id, "4 March 2026: title")."""
    query = (
        sa.select(CommunityMeeting.id, CommunityMeeting.held_on, CommunityMeeting.title)
        .where(CommunityMeeting.community_id == community.id)
        .order_by(CommunityMeeting.held_on.desc(), CommunityMeeting.id.desc())
    )
    return [
        (row.id, f"{row.held_on.day} {row.held_on:%B %Y}: {row.title}")
        for row in db.session.execute(query)
    ]


def get_meeting(community: Community, meeting_id: int) -> CommunityMeeting | None:
    """A meeting of this community (None for another community's, or none)."""
    meeting = db.session.get(CommunityMeeting, meeting_id)
    return meeting if meeting and meeting.community_id == community.id else None


def collaborative_communities(team: Team) -> list[Community]:
    """The communities of practice of the team's collaborative, by name: where its Study stage
    may send a research need."""
    query = (
        sa.select(Community)
        .where(Community.collaborative_id == team.collaborative_id)
        .order_by(Community.name)
    )
    return list(db.session.scalars(query))


def has_communities(team: Team) -> bool:
    """Whether the team's collaborative has a community of practice at all."""
    query = sa.select(Community.id).where(Community.collaborative_id == team.collaborative_id)
    return db.session.scalar(query.limit(1)) is not None


def member_group(community: Community, user: User) -> StakeholderGroup | None:
    """The person's stakeholder group in the community, if they are a current member."""
    query = sa.select(CommunityMember.stakeholder_group).where(
        CommunityMember.community_id == community.id,
        CommunityMember.user_id == user.id,
        CommunityMember.left_on.is_(None),
    )
    return db.session.scalar(query)


def own_vote(need: ResearchNeed, user: User) -> ResearchNeedVote | None:
    query = sa.select(ResearchNeedVote).where(
        ResearchNeedVote.need_id == need.id, ResearchNeedVote.user_id == user.id
    )
    return db.session.scalar(query)


def source_words(item: NeedItem) -> str:
    """Where a need came from, for the download read outside the app: a meeting's date, or a
    team's Study stage without naming the team."""
    if item.meeting_on is not None:
        return f"Meeting on {item.meeting_on:%Y-%m-%d}"
    if item.from_team:
        return "A team's Study stage"
    return "Logged in the community"


def needs_frame(items: list[NeedItem]) -> pd.DataFrame:
    """The download: every need in the list's order, with its support and votes by group."""
    rows = []
    for item in items:
        need, tally = item.need, item.tally
        by_group = dict(tally.votes_by_group)
        rows.append(
            {
                "Rank": tally.rank,
                "Question": need.question,
                "Why it matters": need.background,
                "Raised by": need.raised_by,
                "Raised by (group)": need.raised_by_group.label,
                "Shared when raised": tally.shared_by,
                "Votes": tally.votes,
                **{f"Votes: {g.label}": by_group.get(g.value, 0) for g in StakeholderGroup},
                "Support": tally.support,
                "Status": need.status.label,
                "Response": need.response,
                "Raised at": source_words(item),
                "Logged on": uk_date(need.created_at),
            }
        )
    return pd.DataFrame(rows, columns=NEED_EXPORT_COLUMNS)


NEED_EXPORT_COLUMNS = [
    "Rank",
    "Question",
    "Why it matters",
    "Raised by",
    "Raised by (group)",
    "Shared when raised",
    "Votes",
    *[f"Votes: {group.label}" for group in StakeholderGroup],
    "Support",
    "Status",
    "Response",
    "Raised at",
    "Logged on",
]
