"""`flask` commands: accounts, roles and demo data."""

from __future__ import annotations

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
@click.option("--invite", is_flag=True, help="Print a link to choose a password instead of asking.")
@click.password_option(prompt_required=False, help="Asked for, hidden, unless --invite.")
def create_user(email: str, name: str, admin: bool, invite: bool, password: str | None) -> None:
    """Create an account."""
    from improve.auth.forms import PASSWORD_MIN
    from improve.auth.operations import invitation_token
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
        message += f"\nInvitation token (use at /invitation/<token>): {invitation_token(user)}"
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


def init_app(app: Flask) -> None:
    from improve import analysis_cli, backup, canary, scale_data

    for command in (create_user, grant_role, demo):
        app.cli.add_command(command)
    analysis_cli.init_app(app)
    backup.init_app(app)
    canary.init_app(app)
    scale_data.init_app(app)
