"""Aims and cycles made directly with the models, for tests of features that hang off them."""

from __future__ import annotations

from datetime import date
from typing import Any

from improve.extensions import db
from improve.models import Aim, ChangeIdea, Cycle, Ramp, Team


def make_aim(team: Team, **overrides: Any) -> Aim:
    fields: dict[str, Any] = {
        "team_id": team.id,
        "title": f"Fewer falls in {team.name}",
        "what": "Reduce falls at night",
        "for_whom": "Residents",
        "location": "Riverside",
        "target_value": 4,
        "target_date": date(2026, 12, 31),
    }
    fields.update(overrides)
    aim = Aim(**fields)
    db.session.add(aim)
    db.session.commit()
    return aim


def make_cycle(aim: Aim, **overrides: Any) -> Cycle:
    idea = ChangeIdea(aim_id=aim.id, title="Night-time checks")
    ramp = Ramp(change_idea=idea, title="Night-time checks")
    db.session.add_all([idea, ramp])
    db.session.flush()
    fields: dict[str, Any] = {
        "team_id": aim.team_id,
        "ramp_id": ramp.id,
        "number": 1,
        "title": f"Hourly checks ({aim.title})",
        "starts_on": date(2026, 3, 1),
        "ends_on": date(2026, 3, 8),
    }
    fields.update(overrides)
    cycle = Cycle(**fields)
    db.session.add(cycle)
    db.session.commit()
    return cycle
