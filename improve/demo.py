"""Demo data: a collaborative modelled on an adult social care partnership, six teams and their
work over 17 months, a community of practice with a year of meetings and the priority round that
chose its theme, and accounts for every role. Same content every time in the same month.

The content is in improve/demo_data/content.py; improve/demo_data/build.py turns it into rows,
and improve/demo_data/community.py adds the community of practice (content and rows).
"""

from __future__ import annotations

from datetime import date

from improve.demo_data import community, content
from improve.demo_data.build import Account, Builder
from improve.models import Collaborative, CommunityRole, Role

DEMO_PASSWORD = "improve-demo"

# (email, name, role or None for the site admin, team key or None for the collaborative).
# The people of the four newer teams are listed with their teams in demo_data/content.py.
# The research partner has a role in the community of practice only: no team, no collaborative.
ACCOUNTS: list[Account] = [
    ("admin@example.org", "Ada Admin", None, None),
    ("coordinator@example.org", "Chidi Coordinator", Role.COORDINATOR, None),
    ("panel@example.org", "Priya Panel", Role.PANEL_MEMBER, None),
    ("lead@example.org", "Lena Lead", Role.TEAM_LEAD, "riverside"),
    ("member@example.org", "Mo Member", Role.TEAM_MEMBER, "riverside"),
    ("expert@example.org", "Evie Expert", Role.EXPERT_BY_EXPERIENCE, "riverside"),
    ("northlead@example.org", "Niall North", Role.TEAM_LEAD, "north"),
    ("researcher@example.org", "Rosa Researcher", CommunityRole.RESEARCH_PARTNER, None),
]


def all_accounts() -> list[Account]:
    """Every demo account: the ones above, then each team's own people."""
    accounts = list(ACCOUNTS)
    for team in content.TEAMS:
        accounts.extend((email, name, role, team.key) for email, name, role in team.people)
    return accounts


def create(today: date | None = None) -> Collaborative:
    """Add the demo collaborative to the session (the caller commits). Dates are placed so its
    data ends with the last complete month before `today`."""
    builder = Builder(today or date.today(), ACCOUNTS, DEMO_PASSWORD)
    collaborative = builder.build()
    community.build(builder, collaborative)
    return collaborative


def role_text(role: Role | CommunityRole | None) -> str:
    if role is None:
        return "Site administrator"
    if isinstance(role, CommunityRole):
        return f"{role.label} (community of practice)"
    return role.label


def accounts_text() -> str:
    lines = [f"Demo accounts (password for all: {DEMO_PASSWORD}):"]
    teams = {team.key: f" - {team.name}" for team in content.TEAMS}
    for email, name, role, team_key in all_accounts():
        lines.append(f"  {email:<26} {name:<18} {role_text(role)}{teams.get(team_key or '', '')}")
    return "\n".join(lines)
