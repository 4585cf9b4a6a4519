"""Writes for priority rounds, each with its audit row; the view commits once.

An anonymous idea's audit rows name no one (actor left empty): the idea keeps its author only so
they can change or withdraw it, and the audit trail must not become the place a name is found.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from functools import partial
from typing import Any

import sqlalchemy as sa

from improve.auditing import (
    create_audited,
    delete_audited,
    quoted,
    record_event,
    snapshot,
    update_audited,
)
from improve.extensions import db
from improve.models import (
    AuditAction,
    Community,
    CommunityMember,
    CommunityRole,
    IdeaSource,
    PriorityIdea,
    PriorityRound,
    PriorityTheme,
    PriorityVote,
    RoundParticipant,
    RoundStage,
    StakeholderGroup,
    User,
    VotingMethod,
)
from improve.priorities.queries import round_collaborative_id

ROUND_FIELDS = (
    "collaborative_id",
    "community_id",
    "title",
    "question",
    "event_name",
    "event_on",
    "voting_method",
    "dots_per_person",
    "max_dots_per_theme",
    "ranks_per_person",
)
ROUND_EDIT_FIELDS = ROUND_FIELDS[2:]
# Never `submitted_by_id`: an audit row of an idea must not say whose it is.
IDEA_FIELDS = ("round_id", "theme_id", "text", "stakeholder_group", "source", "is_anonymous")
THEME_FIELDS = ("round_id", "name", "description", "position")
# A round's pages quote with single marks, and so do its audit summaries.
_quoted = partial(quoted, marks="‘’")

ANONYMOUS_SUMMARIES = {
    AuditAction.CREATE: "An anonymous idea was sent in",
    AuditAction.UPDATE: "An anonymous idea was changed",
    AuditAction.DELETE: "An anonymous idea was withdrawn",
}
COMMUNITY_FIELDS = ("name", "theme", "description", "collaborative_id", "started_on")
MEMBER_FIELDS = ("community_id", "user_id", "name", "stakeholder_group", "role", "joined_on")


def _filed(round_: PriorityRound) -> dict[str, Any]:
    # Audit rows are filed under the collaborative a round belongs to, if any.
    return {"collaborative_id": round_collaborative_id(round_)}


# Rounds ----------------------------------------------------------------------------------------


def create_round(
    actor: User,
    details: Mapping[str, Any],
    collaborative_id: int | None = None,
    community_id: int | None = None,
) -> PriorityRound:
    """A new round, gathering ideas, owned by a collaborative or by a CoP."""
    round_ = PriorityRound(
        collaborative_id=collaborative_id,
        community_id=community_id,
        stage=RoundStage.COLLECTING,
        created_by_id=actor.id,
        **details,
    )
    db.session.add(round_)
    db.session.flush()
    create_audited(
        actor.id,
        round_,
        ROUND_FIELDS,
        summary=f"Started the priority round {_quoted(round_.title)}",
        **_filed(round_),
    )
    return round_


def update_round(actor: User, round_: PriorityRound, details: Mapping[str, Any]) -> bool:
    return update_audited(
        actor.id,
        round_,
        ROUND_EDIT_FIELDS,
        dict(details),
        summary=f"Changed the priority round {_quoted(round_.title)}",
        **_filed(round_),
    )


def set_stage(actor: User, round_: PriorityRound, stage: RoundStage) -> int:
    """Move the round to `stage`. Going back from voting to theming removes every vote (themes
    may then change under them); how many people's votes went."""
    removed = 0
    if round_.stage == RoundStage.VOTING and stage == RoundStage.THEMING:
        removed = _remove_votes(actor, round_)
    update_audited(
        actor.id,
        round_,
        ("stage",),
        {"stage": stage},
        summary=f"Moved the priority round {_quoted(round_.title)} to ‘{stage.label}’",
        **_filed(round_),
    )
    return removed


def _remove_votes(actor: User, round_: PriorityRound) -> int:
    query = sa.select(PriorityVote).where(PriorityVote.round_id == round_.id)
    votes = list(db.session.scalars(query))
    voters = {vote.user_id for vote in votes}
    if votes:
        record_event(
            actor.id,
            AuditAction.DELETE,
            round_,
            summary=f"Removed the votes of {len(voters)} people when voting was reopened for "
            "changes to the themes",
            before={"votes": len(votes), "voters": len(voters)},
            **_filed(round_),
        )
    for vote in votes:
        db.session.delete(vote)
    db.session.flush()
    return len(voters)


def join_round(
    actor: User, round_: PriorityRound, group: StakeholderGroup, anonymous: bool = False
) -> RoundParticipant:
    """The person takes part, counted under the group they chose.

    Joining while sending in a first idea without a name (`anonymous`) is audited like that
    idea: no actor and no user id. A row naming the person, written in the same second as an
    anonymous idea, would tell anyone reading the audit trail whose idea it is. Joining any
    other way (a named idea, a vote) names the person as usual."""
    participant = RoundParticipant(round_id=round_.id, user_id=actor.id, stakeholder_group=group)
    if anonymous:
        db.session.add(participant)
        db.session.flush()
        record_event(
            None,
            AuditAction.CREATE,
            participant,
            summary=f"Someone joined the priority round {_quoted(round_.title)} with an "
            "anonymous idea",
            after=snapshot(participant, ("round_id", "stakeholder_group")),
            **_filed(round_),
        )
        return participant
    create_audited(
        actor.id,
        participant,
        ("round_id", "user_id", "stakeholder_group"),
        summary=f"Joined the priority round {_quoted(round_.title)}",
        **_filed(round_),
    )
    return participant


# Ideas -----------------------------------------------------------------------------------------


def add_idea(
    actor: User,
    round_: PriorityRound,
    participant: RoundParticipant,
    text: str,
    anonymous: bool,
) -> PriorityIdea:
    """An idea sent in online, counted under the person's group."""
    idea = PriorityIdea(
        round_id=round_.id,
        text=text,
        stakeholder_group=participant.stakeholder_group,
        source=IdeaSource.ONLINE,
        is_anonymous=anonymous,
        submitted_by_id=actor.id,
    )
    db.session.add(idea)
    _audit_idea(actor, idea, AuditAction.CREATE, f"Sent in an idea to {_quoted(round_.title)}")
    return idea


def add_event_idea(
    actor: User, round_: PriorityRound, text: str, group: StakeholderGroup
) -> PriorityIdea:
    """An idea written at the event, typed in by the facilitator: nobody's name is kept."""
    idea = PriorityIdea(
        round_id=round_.id,
        text=text,
        stakeholder_group=group,
        source=IdeaSource.EVENT,
        is_anonymous=True,
        submitted_by_id=None,
    )
    db.session.add(idea)
    _audit_idea(actor, idea, AuditAction.CREATE, f"Typed in an idea from the event {_quoted(text)}")
    return idea


def _audit_idea(
    actor: User,
    idea: PriorityIdea,
    action: AuditAction,
    summary: str,
    before: dict[str, Any] | None = None,
) -> None:
    db.session.flush()
    round_ = db.session.get_one(PriorityRound, idea.round_id)
    anonymous = idea.is_anonymous and idea.source == IdeaSource.ONLINE
    record_event(
        None if anonymous else actor.id,
        action,
        idea,
        summary=ANONYMOUS_SUMMARIES[action] if anonymous else summary,
        before=before,
        after=None if action == AuditAction.DELETE else snapshot(idea, IDEA_FIELDS),
        **_filed(round_),
    )


def update_idea(actor: User, idea: PriorityIdea, values: Mapping[str, Any]) -> bool:
    """Change an idea's words (and, for one sent in online, whether the name shows; for one from
    the event, its group); whether anything changed."""
    before = snapshot(idea, IDEA_FIELDS)
    for name, value in values.items():
        setattr(idea, name, value)
    after = snapshot(idea, IDEA_FIELDS)
    changed = {name: before[name] for name in IDEA_FIELDS if before[name] != after[name]}
    if changed:
        _audit_idea(actor, idea, AuditAction.UPDATE, "Changed an idea", before=changed)
    return bool(changed)


def withdraw_idea(actor: User, idea: PriorityIdea) -> None:
    _audit_idea(
        actor, idea, AuditAction.DELETE, "Withdrew an idea", before=snapshot(idea, IDEA_FIELDS)
    )
    db.session.delete(idea)
    db.session.flush()


def move_idea(
    actor: User, round_: PriorityRound, idea: PriorityIdea, theme: PriorityTheme | None
) -> bool:
    """Put an idea in a theme of its round, or take it out of any (None)."""
    if idea.theme_id == (theme.id if theme else None):
        return False
    where = f"into the theme {_quoted(theme.name)}" if theme else "out of its theme"
    before = {"theme_id": idea.theme_id}
    idea.theme_id = theme.id if theme else None
    db.session.flush()
    record_event(
        actor.id,
        AuditAction.UPDATE,
        idea,
        summary=f"Moved an idea {where}",
        before=before,
        after={"theme_id": idea.theme_id},
        **_filed(round_),
    )
    return True


# Themes ----------------------------------------------------------------------------------------


def add_theme(
    actor: User, round_: PriorityRound, name: str, description: str, position: int
) -> PriorityTheme:
    theme = PriorityTheme(round_id=round_.id, name=name, description=description, position=position)
    create_audited(
        actor.id,
        theme,
        THEME_FIELDS,
        summary=f"Added the theme {_quoted(name)} to {_quoted(round_.title)}",
        **_filed(round_),
    )
    return theme


def update_theme(
    actor: User, round_: PriorityRound, theme: PriorityTheme, values: Mapping[str, Any]
) -> bool:
    return update_audited(
        actor.id,
        theme,
        ("name", "description"),
        dict(values),
        summary=f"Changed the theme {_quoted(theme.name)}",
        **_filed(round_),
    )


def merge_theme(
    actor: User, round_: PriorityRound, source: PriorityTheme, target: PriorityTheme
) -> int:
    """Move every idea of `source` into `target`, then remove `source`; how many moved."""
    ideas = list(
        db.session.scalars(sa.select(PriorityIdea).where(PriorityIdea.theme_id == source.id))
    )
    for idea in ideas:
        idea.theme_id = target.id
    db.session.flush()
    record_event(
        actor.id,
        AuditAction.DELETE,
        source,
        summary=f"Merged the theme {_quoted(source.name)} into {_quoted(target.name)}",
        before={**snapshot(source, THEME_FIELDS), "idea_ids": [idea.id for idea in ideas]},
        after={"merged_into": target.id},
        **_filed(round_),
    )
    db.session.delete(source)
    db.session.flush()
    return len(ideas)


def reorder_theme(
    actor: User, round_: PriorityRound, themes: Sequence[PriorityTheme], index: int, step: int
) -> bool:
    """Swap the theme at `index` with its neighbour above (step -1) or below (+1)."""
    other = index + step
    if not 0 <= other < len(themes):
        return False
    order = list(themes)
    order[index], order[other] = order[other], order[index]
    for position, theme in enumerate(order):
        update_audited(
            actor.id,
            theme,
            ("position",),
            {"position": position},
            summary=f"Moved the theme {_quoted(theme.name)} {'up' if step < 0 else 'down'}"
            if theme is themes[index]
            else f"Moved the theme {_quoted(theme.name)} to make room",
            **_filed(round_),
        )
    return True


def delete_theme(actor: User, round_: PriorityRound, theme: PriorityTheme) -> None:
    """Remove a theme that holds no ideas."""
    delete_audited(
        actor.id,
        theme,
        THEME_FIELDS,
        summary=f"Deleted the empty theme {_quoted(theme.name)}",
        **_filed(round_),
    )


# Votes -----------------------------------------------------------------------------------------


def save_vote(
    actor: User,
    round_: PriorityRound,
    participant: RoundParticipant,
    choices: Mapping[int, int] | Sequence[int],
) -> str:
    """Replace the person's vote: theme id to dots (dot voting), or themes in order (ranking).
    "new" for a first vote, "changed", or "unchanged" (the same vote again: nothing written)."""
    old = list(
        db.session.scalars(
            sa.select(PriorityVote).where(
                PriorityVote.round_id == round_.id, PriorityVote.user_id == actor.id
            )
        )
    )
    dots = round_.voting_method == VotingMethod.DOTS
    pairs = (
        list(choices.items())  # type: ignore[union-attr]
        if dots
        else [(theme, place) for place, theme in enumerate(choices, start=1)]
    )
    if old and {v.theme_id: v.dots if dots else v.rank for v in old} == dict(pairs):
        return "unchanged"
    for vote in old:
        db.session.delete(vote)
    db.session.flush()  # the old places go before the new ones take them
    for theme_id, amount in pairs:
        db.session.add(
            PriorityVote(
                round_id=round_.id,
                theme_id=theme_id,
                user_id=actor.id,
                stakeholder_group=participant.stakeholder_group,
                dots=amount if dots else None,
                rank=None if dots else amount,
            )
        )
    db.session.flush()
    record_event(
        actor.id,
        AuditAction.UPDATE if old else AuditAction.CREATE,
        participant,
        summary=f"{'Changed their vote' if old else 'Voted'} in {_quoted(round_.title)}",
        before={"votes": {str(v.theme_id): v.dots or v.rank for v in old}} if old else None,
        after={"votes": {str(theme): amount for theme, amount in pairs}},
        **_filed(round_),
    )
    return "changed" if old else "new"


# What a theme became ---------------------------------------------------------------------------


def start_community(
    actor: User,
    round_: PriorityRound,
    theme: PriorityTheme,
    details: Mapping[str, Any],
    group: StakeholderGroup,
) -> Community:
    """A new CoP from the theme, in the round's collaborative (if any), with the person who
    started it as its facilitator; the theme remembers it."""
    collaborative_id = round_collaborative_id(round_)
    today = date.today()
    community = Community(
        collaborative_id=collaborative_id, started_on=today, created_by_id=actor.id, **details
    )
    create_audited(
        actor.id,
        community,
        COMMUNITY_FIELDS,
        summary=f"Started the community of practice {_quoted(community.name)} from the "
        f"priority {_quoted(theme.name)}",
        collaborative_id=collaborative_id,
    )
    member = CommunityMember(
        community_id=community.id,
        user_id=actor.id,
        name=actor.display_name,
        stakeholder_group=group,
        role=CommunityRole.FACILITATOR,
        joined_on=today,
    )
    create_audited(
        actor.id,
        member,
        MEMBER_FIELDS,
        summary=f"Joined {_quoted(community.name)} as its facilitator",
        collaborative_id=collaborative_id,
    )
    update_audited(
        actor.id,
        theme,
        ("community_id",),
        {"community_id": community.id},
        summary=f"The priority {_quoted(theme.name)} became a community of practice",
        collaborative_id=collaborative_id,
    )
    return community


def link_theme(
    actor: User, round_: PriorityRound, theme: PriorityTheme, field: str, record_id: int | None
) -> bool:
    """Link the theme to the aim or shared measure it became (`field` is "aim_id" or
    "measure_id"), or remove the link (None)."""
    what = {"aim_id": "an aim", "measure_id": "a shared measure"}[field]
    return update_audited(
        actor.id,
        theme,
        (field,),
        {field: record_id},
        summary=f"Linked the priority {_quoted(theme.name)} to {what}"
        if record_id
        else f"Removed the link from the priority {_quoted(theme.name)} to {what}",
        **_filed(round_),
    )
