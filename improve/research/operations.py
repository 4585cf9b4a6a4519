"""Writes for research needs and votes, each with its audit row; the view commits."""

from __future__ import annotations

from typing import Any

from improve.auditing import (
    create_audited,
    delete_audited,
    quoted,
    update_audited,
)
from improve.models import (
    Community,
    Cycle,
    ResearchNeed,
    ResearchNeedVote,
    StakeholderGroup,
    User,
)

NEED_FIELDS = (
    "question",
    "background",
    "raised_by",
    "raised_by_group",
    "shared_by",
    "meeting_id",
    "status",
    "response",
)
# Audited with the need it is for and nothing else: votes are shown by group, never by name,
# and the audit trail keeps no more about them than who voted.
VOTE_FIELDS = ("need_id",)


def log_need(
    actor: User, community: Community, details: dict[str, Any], cycle: Cycle | None = None
) -> ResearchNeed:
    """A new research need on the community's list, from one of its meetings, a team's cycle,
    or neither."""
    need = ResearchNeed(
        community_id=community.id,
        cycle_id=cycle.id if cycle else None,
        logged_by_id=actor.id,
        **details,
    )
    create_audited(
        actor.id,
        need,
        (*NEED_FIELDS, "cycle_id"),
        summary=f"Logged the research need {quoted(need.question)}",
        collaborative_id=community.collaborative_id,
    )
    return need


def update_need(
    actor: User, community: Community, need: ResearchNeed, details: dict[str, Any]
) -> bool:
    """Change a need's wording, source, status or response; whether anything changed."""
    return update_audited(
        actor.id,
        need,
        NEED_FIELDS,
        details,
        summary=f"Changed the research need {quoted(need.question)}",
        collaborative_id=community.collaborative_id,
    )


def remove_need(actor: User, community: Community, need: ResearchNeed) -> None:
    """Remove a need and its votes (the audit row keeps what it said)."""
    delete_audited(
        actor.id,
        need,
        (*NEED_FIELDS, "cycle_id"),
        summary=f"Removed the research need {quoted(need.question)}",
        collaborative_id=community.collaborative_id,
    )


def vote(
    actor: User, community: Community, need: ResearchNeed, group: StakeholderGroup
) -> ResearchNeedVote:
    """The person's vote for a need, counted under `group`. The caller checked they have not
    voted yet; the unique key refuses a second vote that slips past (two tabs at once)."""
    ballot = ResearchNeedVote(need_id=need.id, user_id=actor.id, stakeholder_group=group)
    create_audited(
        actor.id,
        ballot,
        VOTE_FIELDS,
        summary=f"Voted for the research need {quoted(need.question)}",
        collaborative_id=community.collaborative_id,
    )
    return ballot


def take_back_vote(
    actor: User, community: Community, need: ResearchNeed, ballot: ResearchNeedVote
) -> None:
    """Take a person's own vote back."""
    delete_audited(
        actor.id,
        ballot,
        VOTE_FIELDS,
        summary=f"Took back a vote for the research need {quoted(need.question)}",
        collaborative_id=community.collaborative_id,
    )
