"""Who may do what in a priority round, and the loaders every priority view uses.

A round run by a collaborative: every role of the collaborative takes part (experts by
experience included); its coordinators facilitate. A round run by a CoP: every current member
takes part; its facilitators facilitate. Admins may do everything. A round, theme or idea the
person may not see answers 404; one they may see but not change answers 403.
"""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from improve.extensions import db
from improve.models import (
    Collaborative,
    Community,
    PriorityIdea,
    PriorityRound,
    PriorityTheme,
    User,
)
from improve.permissions import (
    CommunityPermission,
    Permission,
    can,
    can_create_collaborative,
    can_in_community,
    collaborative_or_404,
    community_or_404,
    writing_request,
)
from improve.priorities import queries


def round_or_404(round_id: int, facilitate: bool = False) -> PriorityRound:
    """The round, if the person may take part in it (else 404); with `facilitate`, run it
    (else 403)."""
    round_ = queries.get_round(round_id, writing_request())
    if round_ is None:
        abort(404)
    if round_.collaborative_id is not None:
        wanted = Permission.EDIT_COLLABORATIVE if facilitate else Permission.VIEW_COLLABORATIVE
        collaborative_or_404(round_.collaborative_id, wanted)
    else:
        cop_wanted = CommunityPermission.FACILITATE if facilitate else CommunityPermission.VIEW
        community_or_404(round_.community_id, cop_wanted)
    return round_


def may_facilitate(user: User, round_: PriorityRound) -> bool:
    """Whether the person runs this round: the coordinator of its collaborative, or a
    facilitator of its CoP (or an admin)."""
    if round_.collaborative_id is not None:
        collaborative = db.session.get_one(Collaborative, round_.collaborative_id)
        return can(user, Permission.EDIT_COLLABORATIVE, collaborative)
    community = db.session.get_one(Community, round_.community_id)
    return can_in_community(user, CommunityPermission.FACILITATE, community)


def may_start_community(user: User, round_: PriorityRound) -> bool:
    """Starting a CoP from a theme: the round's facilitator, if they may start CoPs at all
    (admins and coordinators), or a CoP facilitator running their CoP's round."""
    if not may_facilitate(user, round_):
        return False
    return round_.community_id is not None or can_create_collaborative(user)


def theme_or_404(theme_id: int, facilitate: bool = False) -> tuple[PriorityRound, PriorityTheme]:
    """A theme and its round, checked as `round_or_404`."""
    theme = db.session.get(PriorityTheme, theme_id, with_for_update=writing_request())
    if theme is None:
        abort(404)
    return round_or_404(theme.round_id, facilitate), theme


def idea_or_404(idea_id: int) -> tuple[PriorityRound, PriorityIdea]:
    """An idea and its round, for someone who may take part (else 404)."""
    idea = queries.get_idea(idea_id, writing_request())
    if idea is None:
        abort(404)
    return round_or_404(idea.round_id), idea


def may_change_idea(user: User, round_: PriorityRound, idea: PriorityIdea) -> bool:
    """Its author changes an idea sent in online; a facilitator one typed in from the event."""
    if idea.source.value == "event":
        return may_facilitate(user, round_)
    return idea.submitted_by_id == user.id


def own_idea_or_404(idea_id: int) -> tuple[PriorityRound, PriorityIdea]:
    """An idea the person may change: someone else's answers 404, so an anonymous idea's
    author is never confirmed by a 403."""
    round_, idea = idea_or_404(idea_id)
    if not may_change_idea(current_user, round_, idea):
        abort(404)
    return round_, idea
