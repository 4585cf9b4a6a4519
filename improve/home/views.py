from __future__ import annotations

from datetime import date

from flask_login import current_user

from improve.communities import queries as community_queries
from improve.home import bp, queries
from improve.htmx import render
from improve.models import Role
from improve.permissions import POLICY, Permission, can_create_collaborative
from improve.priorities import queries as priority_queries


def today() -> date:
    return date.today()


@bp.get("/")
def index():
    """Home: each person sees what their roles give them."""
    coordinating = queries.collaborative_memberships(current_user, Role.COORDINATOR)
    reviewing = queries.collaborative_memberships(current_user, Role.PANEL_MEMBER)
    everything = queries.all_collaboratives() if current_user.is_admin else []
    shown = {c.id for c in coordinating + reviewing + everything}
    teams = queries.team_memberships(current_user)
    belongs = [team.collaborative for team, _ in teams] + coordinating + reviewing
    return render(
        "home/index.html",
        teams=teams,
        next_sessions=queries.next_learning_sessions(belongs, today()),
        reminders=queries.report_reminders([team for team, _ in teams], today()),
        # From the roles already loaded: the policy's report writers (no query per team).
        writes_reports={
            team.id for team, role in teams if role in POLICY[Permission.EDIT_TEAM_RECORDS]
        },
        coordinating=coordinating,
        reviewing=reviewing,
        all_collaboratives=everything,
        team_counts=queries.team_counts(sorted(shown)),
        may_create_collaborative=can_create_collaborative(current_user),
        communities=community_queries.my_communities(current_user),
        open_rounds=priority_queries.open_rounds(current_user),
        today=today(),
    )


@bp.get("/health")
def health():
    """For load balancers: the process answers."""
    return {"status": "ok"}
