"""`flask` commands: accounts, roles and demo data."""

from __future__ import annotations

from datetime import date
from typing import Any

import click
import sqlalchemy as sa
from flask import Flask

from improve.extensions import db
from improve.models import Collaborative, Membership, Role, Team, User


def _find_scope(team: str | None, collaborative: str | None) -> Team | Collaborative:
    """A team or collaborative by id or exact name."""
    model, wanted = (Team, team) if team else (Collaborative, collaborative)
    # An id must be compared as a number: PostgreSQL has no integer = varchar operator.
    condition = model.id == int(wanted) if wanted.isdecimal() else model.name == wanted
    found = db.session.scalars(sa.select(model).where(condition)).all()
    if len(found) != 1:
        kind = "team" if team else "collaborative"
        raise click.UsageError(f"no single {kind} matches {wanted!r} ({len(found)} found)")
    return found[0]


@click.command("create-user")
@click.argument("email")
@click.option("--name", required=True, help="The person's full name.")
@click.option("--admin", is_flag=True, help="Make them a site administrator.")
@click.option(
    "--invite",
    is_flag=True,
    help="Email (and print) a link to choose a password instead of asking.",
)
@click.password_option(prompt_required=False, help="Asked for, hidden, unless --invite.")
def create_user(email: str, name: str, admin: bool, invite: bool, password: str | None) -> None:
    """Create an account."""
    from improve.auth.forms import PASSWORD_MIN
    from improve.auth.operations import (
        INVITATION_DAYS,
        email_invitation,
        invitation_link,
        invitation_token,
    )
    from improve.models.user import hash_password

    email = email.strip().lower()
    # Asked for and hashed before the first query: a command's transaction holds SQLite's write
    # lock from its first statement, and nobody could save while the operator types.
    password_hash = None
    if not invite:
        password = password or click.prompt("Password", hide_input=True, confirmation_prompt=True)
        if len(password) < PASSWORD_MIN:
            raise click.UsageError(f"the password must have at least {PASSWORD_MIN} characters")
        password_hash = hash_password(password)
    if db.session.scalar(sa.select(User.id).where(User.email == email)) is not None:
        raise click.UsageError(f"an account for {email} already exists")
    user = User(email=email, display_name=name.strip(), is_admin=admin, password_hash=password_hash)
    db.session.add(user)
    db.session.flush()
    message = f"Created {email}" + (" (site administrator)" if admin else "")
    if invite:
        token = invitation_token(user)
        email_invitation(user, token)
        message += (
            f"\nInvitation email queued for {email}: the worker (flask worker) sends it. If it "
            f"does not arrive, send them this link (it works once, for {INVITATION_DAYS} days):"
            f"\n{invitation_link(token)}"
        )
    db.session.commit()
    click.echo(message)


@click.command("grant-role")
@click.argument("email")
@click.argument("role", type=click.Choice([role.value for role in Role]))
@click.option("--team", help="Team id or exact name, for team roles.")
@click.option("--collaborative", help="Collaborative id or exact name, for coordinators and panel.")
def grant_role(email: str, role: str, team: str | None, collaborative: str | None) -> None:
    """Give a person a role in a team or collaborative (replacing any role they had there)."""
    chosen = Role(role)
    # Exactly one of --team and --collaborative, and the one that suits the role.
    if chosen.is_team_role != bool(team) or bool(team) == bool(collaborative):
        needed = "--team" if chosen.is_team_role else "--collaborative"
        raise click.UsageError(f"the role {role} needs {needed} (and only that)")
    user = db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise click.UsageError(f"no account for {email}")
    scope = _find_scope(team, collaborative)
    column = Membership.team_id if isinstance(scope, Team) else Membership.collaborative_id
    membership = db.session.scalar(
        sa.select(Membership).where(Membership.user_id == user.id, column == scope.id)
    )
    if membership is None:
        membership = Membership(user_id=user.id, role=chosen)
        membership.team_id = scope.id if isinstance(scope, Team) else None
        membership.collaborative_id = scope.id if isinstance(scope, Collaborative) else None
        db.session.add(membership)
    membership.role = chosen
    db.session.commit()
    click.echo(f"{email} is now {chosen.label} in {scope.name}")


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Do nothing if the database already has accounts.")
def demo(if_empty: bool) -> None:
    """Create the demo collaborative, teams and one account per role."""
    from improve import demo as demo_data

    if if_empty and db.session.scalar(sa.select(User.id).limit(1)) is not None:
        click.echo("Demo data already present: keeping existing data.")
    else:
        demo_data.create()
        db.session.commit()
        click.echo("Demo data created.")
    click.echo(demo_data.accounts_text())


@click.command("worker")
@click.option("--workers", default=1, show_default=True, help="Jobs run at once (threads).")
def worker(workers: int) -> None:
    """Run the background worker: email, reminders and the weekly digest (Ctrl+C stops it)."""
    from improve.worker import huey, run_consumer

    click.echo(f"Worker started on {type(huey.storage).__name__}. Ctrl+C stops it.")
    # The jobs open their own app context and transactions, as in any process of the worker;
    # the command's own (which takes SQLite's write lock for `flask` commands) is not theirs.
    db.session.remove()
    run_consumer(workers=workers)


@click.command("send-reminders")
@click.option("--on", "day", type=click.DateTime(["%Y-%m-%d"]), help="As if today were this date.")
@click.option("--digest", is_flag=True, help="Send the coordinators' weekly digest as well.")
def send_reminders(day: Any, digest: bool) -> None:
    """Queue today's reminders now (the worker does this each morning) and deliver the outbox."""
    from improve import reminders
    from improve.mail.delivery import deliver_due_messages

    when = day.date() if day else date.today()
    counts = reminders.send_daily_reminders(when)
    if digest:
        counts["digests"] = reminders.send_coordinator_digests(when)
    db.session.commit()
    delivered = deliver_due_messages()
    click.echo(", ".join(f"{name}: {count}" for name, count in counts.items()))
    click.echo(f"Sent {delivered.sent}, to retry {delivered.retrying}, failed {delivered.failed}.")


def init_app(app: Flask) -> None:
    from improve import analysis_cli, backup, canary, scale_data

    for command in (create_user, grant_role, demo, worker, send_reminders):
        app.cli.add_command(command)
    analysis_cli.init_app(app)
    backup.init_app(app)
    canary.init_app(app)
    scale_data.init_app(app)
