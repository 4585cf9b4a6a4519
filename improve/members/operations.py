"""Adding people to a team or collaborative: an existing account by email, or a new account with
an invitation link to choose a password. The calling view commits."""

from __future__ import annotations

import sqlalchemy as sa

from improve.auditing import record_event, snapshot
from improve.auth.operations import email_invitation, invitation_token
from improve.extensions import db
from improve.mail import external_url, queue_email
from improve.models import AuditAction, Collaborative, Membership, Role, Team, User
from improve.models.base import SHORT_TEXT

MEMBERSHIP_FIELDS = ("user_id", "role", "team_id", "collaborative_id")


class Scope:
    """Where a membership lives: a team or a collaborative."""

    def __init__(self, target: Team | Collaborative) -> None:
        self.target = target
        self.is_team = isinstance(target, Team)

    @property
    def column_filter(self) -> sa.ColumnElement[bool]:
        if self.is_team:
            return Membership.team_id == self.target.id
        return Membership.collaborative_id == self.target.id

    def audit_ids(self) -> dict[str, int | None]:
        if isinstance(self.target, Team):
            return {"team_id": self.target.id, "collaborative_id": self.target.collaborative_id}
        return {"team_id": None, "collaborative_id": self.target.id}


class NeedsNameError(Exception):
    """No account exists for the email and no name was given to create one."""


def add_member(
    actor: User, target: Team | Collaborative, email: str, display_name: str, role: Role
) -> tuple[Membership, str | None]:
    """Give a person a role here, creating their account if needed.

    Returns the membership and, for a new account made by an admin, an invitation token to choose
    a password. A person already here has their role changed instead.

    A new account is emailed its invitation, whoever added it. Only an admin, who sees every
    account anyway, is told whether the email had one (issue 16): for anyone else a new account
    takes the email as its name when none was given, and the invitation goes only to the
    address itself, so the adder learns nothing from the answer. An existing account added here
    (or given another role) is emailed a short notice instead, so both cases do the same work:
    render an email and write it to the outbox.
    """
    scope = Scope(target)
    user = db.session.scalar(sa.select(User).where(User.email == email))
    token = None
    existing = user is not None
    if user is None:
        if not display_name and actor.is_admin:
            raise NeedsNameError
        user = User(email=email, display_name=display_name or email[:SHORT_TEXT])
        db.session.add(user)
        db.session.flush()
        record_event(
            actor.id,
            AuditAction.CREATE,
            user,
            summary=f"Created account {email}",
            after=snapshot(user, ("display_name", "email", "is_admin", "is_enabled")),
        )
        token = invitation_token(user)
        email_invitation(user, token, invited_by=actor, place=_place(target), role=role.label)
        if not actor.is_admin:
            token = None
    membership = db.session.scalar(
        sa.select(Membership).where(Membership.user_id == user.id, scope.column_filter)
    )
    if membership is None:
        membership = Membership(user=user, role=role, **_scope_kwargs(target))
        db.session.add(membership)
        db.session.flush()
        record_event(
            actor.id,
            AuditAction.CREATE,
            membership,
            summary=f"Added {user.display_name} as {role.label}",
            after=snapshot(membership, MEMBERSHIP_FIELDS),
            **scope.audit_ids(),
        )
        if existing:
            email_added(user, actor, target, role, changed=False)
    elif membership.role != role:
        before = snapshot(membership, MEMBERSHIP_FIELDS)
        membership.role = role
        record_event(
            actor.id,
            AuditAction.UPDATE,
            membership,
            summary=f"Changed {user.display_name}'s role to {role.label}",
            before=before,
            after=snapshot(membership, MEMBERSHIP_FIELDS),
            **scope.audit_ids(),
        )
        email_added(user, actor, target, role, changed=True)
    return membership, token


def email_added(
    user: User, actor: User, target: Team | Collaborative, role: Role, *, changed: bool
) -> None:
    """Tell an existing account it was added here, or given another role: not essential, so
    someone who turned reminder email off gets none."""
    place = _place(target)
    if isinstance(target, Team):
        link = external_url("teams.detail", team_id=target.id)
    else:
        link = external_url("collaboratives.detail", collaborative_id=target.id)
    subject = f"You have been added to {place} in improve as {role.label}"
    if changed:
        subject = f"Your role in {place} in improve is now {role.label}"
    context = {
        "added_by": actor.display_name,
        "place": place,
        "role": role.label,
        "changed": changed,
        "link": link,
    }
    # Names of up to SHORT_TEXT characters each: the subject must fit its column.
    queue_email("added_to_team", user, subject[:SHORT_TEXT], "added", context)


def remove_member(actor: User, membership: Membership) -> None:
    target = membership.team or membership.collaborative
    assert target is not None  # the scope check constraint guarantees one of them
    record_event(
        actor.id,
        AuditAction.DELETE,
        membership,
        summary=f"Removed {membership.user.display_name} ({membership.role.label})",
        before=snapshot(membership, MEMBERSHIP_FIELDS),
        **Scope(target).audit_ids(),
    )
    db.session.delete(membership)


def _scope_kwargs(target: Team | Collaborative) -> dict[str, int]:
    if isinstance(target, Team):
        return {"team_id": target.id}
    return {"collaborative_id": target.id}


def _place(target: Team | Collaborative) -> str:
    """Where an invitation is to, in its email."""
    if isinstance(target, Team):
        return f"{target.name} ({target.collaborative.name})"
    return target.name
