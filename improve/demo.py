"""Demo data: a collaborative, two teams and one account per role. Same every time."""

from __future__ import annotations

from datetime import date

from improve.extensions import db
from improve.models import (
    Collaborative,
    CollaborativePhase,
    Membership,
    OrganisationKind,
    PhaseKind,
    Role,
    Team,
    User,
)

DEMO_PASSWORD = "improve-demo"

# (email, name, role or None for the site admin, team key or None for the collaborative)
ACCOUNTS = [
    ("admin@example.org", "Ada Admin", None, None),
    ("coordinator@example.org", "Chidi Coordinator", Role.COORDINATOR, None),
    ("panel@example.org", "Priya Panel", Role.PANEL_MEMBER, None),
    ("lead@example.org", "Lena Lead", Role.TEAM_LEAD, "riverside"),
    ("member@example.org", "Mo Member", Role.TEAM_MEMBER, "riverside"),
    ("expert@example.org", "Evie Expert", Role.EXPERT_BY_EXPERIENCE, "riverside"),
    ("northlead@example.org", "Niall North", Role.TEAM_LEAD, "north"),
]


def create() -> Collaborative:
    collaborative = Collaborative(
        name="Living Well at Home collaborative",
        topic="Supporting people with complex needs to live well at home",
        description=(
            "Council, care home and home care teams testing changes together, with people who "
            "draw on care and carers helping choose what to improve."
        ),
        starts_on=date(2026, 1, 5),
        ends_on=date(2027, 3, 31),
    )
    collaborative.phases = [
        CollaborativePhase(kind=kind, title=title, starts_on=start, ends_on=end)
        for kind, title, start, end in [
            (PhaseKind.PREWORK, "Prework", date(2026, 1, 5), date(2026, 2, 27)),
            (
                PhaseKind.START_MEETING,
                "Start meeting with senior managers",
                date(2026, 2, 10),
                None,
            ),
            (PhaseKind.LEARNING_SESSION, "Learning session 1", date(2026, 3, 3), None),
            (PhaseKind.ACTION_PERIOD, "Action period 1", date(2026, 3, 4), date(2026, 6, 30)),
        ]
    ]
    teams = {
        "riverside": Team(
            name="Riverside Care Home",
            organisation="Riverside Care Ltd",
            organisation_kind=OrganisationKind.CARE_HOME,
            service="Residential care for older people",
        ),
        "north": Team(
            name="North Locality Social Work",
            organisation="Northshire County Council",
            organisation_kind=OrganisationKind.COUNCIL,
            service="Adult social work, north locality",
        ),
    }
    collaborative.teams = list(teams.values())
    db.session.add(collaborative)
    for email, name, role, team_key in ACCOUNTS:
        user = User(email=email, display_name=name, is_admin=role is None)
        user.set_password(DEMO_PASSWORD)
        db.session.add(user)
        if role is not None:
            scope = {"team": teams[team_key]} if team_key else {"collaborative": collaborative}
            db.session.add(Membership(user=user, role=role, **scope))
    db.session.flush()
    return collaborative


def accounts_text() -> str:
    lines = [f"Demo accounts (password for all: {DEMO_PASSWORD}):"]
    for email, name, role, team_key in ACCOUNTS:
        what = role.label if role else "Site administrator"
        where = {"riverside": " - Riverside Care Home", "north": " - North Locality Social Work"}
        lines.append(f"  {email:<26} {name:<18} {what}{where.get(team_key or '', '')}")
    return "\n".join(lines)
