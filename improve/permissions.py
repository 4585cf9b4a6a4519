"""Who may do what: one policy table, and the loaders every view uses to fetch what it shows.

A person's roles come from memberships: team roles (lead, member, expert by experience) on a team,
collaborative roles (coordinator, panel member) on a collaborative and so on all its teams.
Site admins may do everything. Something a person may not see answers 404, never 403, so ids
leak nothing; something they may see but not change answers 403.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import TypeVar

import sqlalchemy as sa
from flask import Flask, abort, g
from flask_login import current_user

from improve.extensions import db
from improve.models import (
    COLLABORATIVE_ROLES,
    TEAM_ROLES,
    Collaborative,
    Community,
    CommunityMember,
    CommunityRole,
    Membership,
    Role,
    Team,
)
from improve.models.user import User

_Target = TypeVar("_Target", Team, Collaborative)
_Record = TypeVar("_Record")


class Permission(enum.StrEnum):
    VIEW_COLLABORATIVE = "view_collaborative"
    EDIT_COLLABORATIVE = "edit_collaborative"
    MANAGE_COLLABORATIVE_MEMBERS = "manage_collaborative_members"
    ADD_TEAM = "add_team"
    VIEW_TEAM = "view_team"
    EDIT_TEAM = "edit_team"
    MANAGE_TEAM_MEMBERS = "manage_team_members"
    EDIT_TEAM_RECORDS = "edit_team_records"
    COMMENT = "comment"
    ADD_EXPERT_VIEW = "add_expert_view"
    COORDINATE = "coordinate"
    SCORE_REPORTS = "score_reports"
    VIEW_PANEL = "view_panel"
    RECORD_PANEL_REVIEW = "record_panel_review"
    RECORD_EVALUATION = "record_evaluation"


_EVERY_ROLE = frozenset(Role)

# The policy. A collaborative permission is checked against the person's roles in that
# collaborative, where a team role in any of its teams counts; a team permission against their
# roles in that team, where a coordinator or panel role in its collaborative counts.
POLICY: dict[Permission, frozenset[Role]] = {
    Permission.VIEW_COLLABORATIVE: _EVERY_ROLE,
    Permission.EDIT_COLLABORATIVE: frozenset({Role.COORDINATOR}),
    Permission.MANAGE_COLLABORATIVE_MEMBERS: frozenset({Role.COORDINATOR}),
    Permission.ADD_TEAM: frozenset({Role.COORDINATOR}),
    Permission.VIEW_TEAM: _EVERY_ROLE,
    Permission.EDIT_TEAM: frozenset({Role.COORDINATOR, Role.TEAM_LEAD}),
    Permission.MANAGE_TEAM_MEMBERS: frozenset({Role.COORDINATOR, Role.TEAM_LEAD}),
    Permission.EDIT_TEAM_RECORDS: frozenset({Role.TEAM_LEAD, Role.TEAM_MEMBER}),
    Permission.COMMENT: frozenset(
        {Role.COORDINATOR, Role.TEAM_LEAD, Role.TEAM_MEMBER, Role.EXPERT_BY_EXPERIENCE}
    ),
    Permission.ADD_EXPERT_VIEW: frozenset({Role.EXPERT_BY_EXPERIENCE}),
    # The coordinator's view of every team, and scoring their reports (IHI: by the coordinator).
    Permission.COORDINATE: frozenset({Role.COORDINATOR}),
    Permission.SCORE_REPORTS: frozenset({Role.COORDINATOR}),
    # The strategic panel's summaries: its members and the coordinator who prepares its meetings.
    Permission.VIEW_PANEL: frozenset({Role.COORDINATOR, Role.PANEL_MEMBER}),
    Permission.RECORD_PANEL_REVIEW: frozenset({Role.COORDINATOR, Role.PANEL_MEMBER}),
    # SCIE's evaluation questions for the whole collaborative; a team's own answers need EDIT_TEAM.
    Permission.RECORD_EVALUATION: frozenset({Role.COORDINATOR, Role.PANEL_MEMBER}),
}


def roles_in_team(user: User, team: Team) -> frozenset[Role]:
    """The roles that apply to this team: the user's own team role and their collaborative role."""
    return _cached_roles(
        user,
        ("team", team.id),
        lambda: sa.or_(
            Membership.team_id == team.id,
            Membership.collaborative_id == team.collaborative_id,
        ),
    )


def roles_in_collaborative(user: User, collaborative: Collaborative) -> frozenset[Role]:
    """The roles that apply to this collaborative, including team roles in any of its teams."""
    return _cached_roles(
        user,
        ("collaborative", collaborative.id),
        lambda: sa.or_(
            Membership.collaborative_id == collaborative.id,
            Membership.team_id.in_(
                sa.select(Team.id).where(Team.collaborative_id == collaborative.id)
            ),
        ),
    )


def _cached_roles(
    user: User, key: tuple[str, int], scope: Callable[[], sa.ColumnElement[bool]]
) -> frozenset[Role]:
    # A page checks several permissions on the same object: ask the database once per request.
    # The query is built only then too: building it took longer than the cached answer.
    cache: dict[tuple[int, str, int], frozenset[Role]] = g.setdefault("_roles_cache", {})
    cache_key = (user.id, *key)
    if cache_key not in cache:
        query = sa.select(Membership.role).where(Membership.user_id == user.id, scope())
        cache[cache_key] = frozenset(db.session.scalars(query))
    return cache[cache_key]


def can(user: User, permission: Permission, target: Team | Collaborative) -> bool:
    """Whether the user holds the permission on this team or collaborative."""
    if not user.is_authenticated:
        return False
    if user.is_admin:
        return True
    if isinstance(target, Team):
        roles = roles_in_team(user, target)
    else:
        roles = roles_in_collaborative(user, target)
        if permission != Permission.VIEW_COLLABORATIVE:
            # A team role lets you see your collaborative, never act on all its teams.
            roles = roles & frozenset(COLLABORATIVE_ROLES)
    return bool(roles & POLICY[permission])


def can_create_collaborative(user: User) -> bool:
    """Admins, and people who already coordinate a collaborative, may start a new one."""
    if user.is_admin:
        return True
    query = sa.select(Membership.id).where(
        Membership.user_id == user.id, Membership.role == Role.COORDINATOR
    )
    return db.session.scalar(query.limit(1)) is not None


def team_or_404(team_id: int, permission: Permission = Permission.VIEW_TEAM) -> Team:
    """The team, if the current user may see it (else 404) and holds the permission (else 403)."""
    team = db.session.get(Team, team_id)
    return _check(team, permission, Permission.VIEW_TEAM)


def collaborative_or_404(
    collaborative_id: int, permission: Permission = Permission.VIEW_COLLABORATIVE
) -> Collaborative:
    """The collaborative, if visible to the current user (else 404) and permitted (else 403)."""
    collaborative = db.session.get(Collaborative, collaborative_id)
    return _check(collaborative, permission, Permission.VIEW_COLLABORATIVE)


def writing_request() -> bool:
    """A request that may write locks the record it loads until it commits (PostgreSQL; SQLite's
    BEGIN IMMEDIATE already serialises writers): a second save of the same record waits, then
    reads the saved version and is told about the clash like any stale form."""
    from improve.extensions import request_may_write

    return request_may_write()


def team_record_or_404(
    model: type[_Record], record_id: int, permission: Permission = Permission.VIEW_TEAM
) -> _Record:
    """Any record that belongs to a team (it has `team_id`, or an `aim` that does): 404 unless
    the current user may see that team, 403 unless they hold the permission there."""
    record = db.session.get(model, record_id, with_for_update=writing_request())
    if record is None:
        abort(404)
    team_id = record.team_id if hasattr(record, "team_id") else record.aim.team_id
    team_or_404(team_id, permission)
    return record


def _check(target: _Target | None, permission: Permission, view: Permission) -> _Target:
    if target is None or not can(current_user, view, target):
        abort(404)
    if not can(current_user, permission, target):
        abort(403)
    return target


def visible_team_ids(user: User) -> sa.Select[tuple[int]]:
    """Ids of every team whose records the user may read, as a subquery for scoped listings."""
    if user.is_admin:
        return sa.select(Team.id)
    own_teams = sa.select(Membership.team_id).where(
        Membership.user_id == user.id, Membership.role.in_(TEAM_ROLES)
    )
    overseen = sa.select(Membership.collaborative_id).where(
        Membership.user_id == user.id, Membership.role.in_(COLLABORATIVE_ROLES)
    )
    return sa.select(Team.id).where(
        sa.or_(Team.id.in_(own_teams), Team.collaborative_id.in_(overseen))
    )


def visible_collaborative_ids(user: User) -> sa.Select[tuple[int]]:
    """Ids of every collaborative the user belongs to, directly or through a team."""
    if user.is_admin:
        return sa.select(Collaborative.id)
    direct = sa.select(Membership.collaborative_id).where(
        Membership.user_id == user.id, Membership.collaborative_id.is_not(None)
    )
    through_team = (
        sa.select(Team.collaborative_id)
        .join(Membership, Membership.team_id == Team.id)
        .where(Membership.user_id == user.id)
    )
    return sa.select(Collaborative.id).where(
        sa.or_(Collaborative.id.in_(direct), Collaborative.id.in_(through_team))
    )


class CommunityPermission(enum.StrEnum):
    """What a person may do in a community of practice, from their CoP membership alone: a CoP
    role never opens a team, and a team or collaborative role never opens a CoP."""

    VIEW = "view_community"  # its meetings, resources, research needs and priority rounds
    TAKE_PART = "take_part"  # feedback, resources, research needs and votes, round ideas
    FACILITATE = "facilitate"  # members, meetings, actions, themes, evaluation notes


COMMUNITY_POLICY: dict[CommunityPermission, frozenset[CommunityRole]] = {
    CommunityPermission.VIEW: frozenset(CommunityRole),
    CommunityPermission.TAKE_PART: frozenset({CommunityRole.FACILITATOR, CommunityRole.MEMBER}),
    CommunityPermission.FACILITATE: frozenset({CommunityRole.FACILITATOR}),
}


def community_role(user: User, community: Community) -> CommunityRole | None:
    """The person's role in the CoP, if they are a current member (asked once per request)."""
    cache: dict[tuple[int, int], CommunityRole | None] = g.setdefault("_community_roles", {})
    key = (user.id, community.id)
    if key not in cache:
        query = sa.select(CommunityMember.role).where(
            CommunityMember.user_id == user.id,
            CommunityMember.community_id == community.id,
            CommunityMember.left_on.is_(None),
        )
        cache[key] = db.session.scalar(query)
    return cache[key]


def can_in_community(user: User, permission: CommunityPermission, community: Community) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_admin:
        return True
    role = community_role(user, community)
    return role is not None and role in COMMUNITY_POLICY[permission]


def community_or_404(
    community_id: int, permission: CommunityPermission = CommunityPermission.VIEW
) -> Community:
    """The CoP, if the current user may see it (else 404) and holds the permission (else 403)."""
    community = db.session.get(Community, community_id)
    if community is None or not can_in_community(current_user, CommunityPermission.VIEW, community):
        abort(404)
    if not can_in_community(current_user, permission, community):
        abort(403)
    return community


def community_record_or_404(
    model: type[_Record],
    record_id: int,
    permission: CommunityPermission = CommunityPermission.VIEW,
) -> _Record:
    """Any record with a `community_id`: 404 unless the current user may see that CoP, 403
    unless they hold the permission there."""
    record = db.session.get(model, record_id, with_for_update=writing_request())
    if record is None:
        abort(404)
    community_or_404(record.community_id, permission)
    return record


def visible_community_ids(user: User) -> sa.Select[tuple[int]]:
    """Ids of every CoP the user is a current member of (every CoP for an admin)."""
    if user.is_admin:
        return sa.select(Community.id)
    return sa.select(CommunityMember.community_id).where(
        CommunityMember.user_id == user.id, CommunityMember.left_on.is_(None)
    )


def require_admin() -> None:
    """Admin screens: 404 for everyone else, as if they did not exist."""
    if not (current_user.is_authenticated and current_user.is_admin):
        abort(404)


def may_edit_records(team: Team) -> bool:
    """For templates: whether to offer controls that change a team's records. Views check again."""
    return can(current_user, Permission.EDIT_TEAM_RECORDS, team)


def cycle_page(team: Team) -> str:
    """For templates: the endpoint a cycle's link opens. Experts by experience, who add their
    views but do not keep the worksheet, get the cycle in plain words (issue 17, point 5)."""
    expert = can(current_user, Permission.ADD_EXPERT_VIEW, team)
    return "cycles.plain" if expert and not may_edit_records(team) else "cycles.detail"


def may_in_community(permission: str, community: Community) -> bool:
    """For templates: whether to offer a CoP control. Views check again."""
    return can_in_community(current_user, CommunityPermission(permission), community)


def init_app(app: Flask) -> None:
    app.add_template_global(may_edit_records)
    app.add_template_global(may_in_community)
    app.add_template_global(cycle_page)
