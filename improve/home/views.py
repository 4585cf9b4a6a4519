from __future__ import annotations

from flask_login import current_user

from improve.home import bp, queries
from improve.htmx import render
from improve.models import Role
from improve.permissions import can_create_collaborative


@bp.get("/")
def index():
    """Home: each person sees what their roles give them."""
    coordinating = queries.collaborative_memberships(current_user, Role.COORDINATOR)
    reviewing = queries.collaborative_memberships(current_user, Role.PANEL_MEMBER)
    everything = queries.all_collaboratives() if current_user.is_admin else []
    shown = {c.id for c in coordinating + reviewing + everything}
    return render(
        "home/index.html",
        teams=queries.team_memberships(current_user),
        coordinating=coordinating,
        reviewing=reviewing,
        all_collaboratives=everything,
        team_counts=queries.team_counts(sorted(shown)),
        may_create_collaborative=can_create_collaborative(current_user),
    )


@bp.get("/health")
def health():
    """For load balancers: the process answers."""
    return {"status": "ok"}
