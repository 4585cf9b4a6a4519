"""Time the strategic panel page at 20, 50 and 100 teams, and check its cost grows linearly.

Each team has 3 shared measures with 24 monthly points, 8 closed PDSA cycles and 12 months of
progress scores, in a temporary SQLite database built with the app factory. The page is timed
in-process with Flask's test client (no network), counting SQL statements too: the page must be
built from a fixed number of queries, whatever the number of teams (issue 5, Performance).

Run from the repository root: PYTHONPATH=. .venv/bin/python bench/panel_bench.py
(writes bench/panel.json; exits 1 if the page is not linear or its query count grows)
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import sqlalchemy as sa

os.environ.setdefault("IMPROVE_SECRET_KEY", "bench-secret-key")

from improve import create_app  # noqa: E402
from improve.extensions import db  # noqa: E402
from improve.models import (  # noqa: E402
    Aim,
    Assessor,
    ChangeIdea,
    Collaborative,
    Cycle,
    DataPoint,
    Decision,
    Measure,
    Membership,
    PanelReview,
    ProgressScore,
    Ramp,
    Role,
    Stage,
    Team,
    User,
)

SIZES = (20, 50, 100)
MONTHS = 24
CYCLES_PER_TEAM = 8
REPEATS = 5
PASSWORD = "bench password 123"
# Linear growth: the cost per extra team from 50 to 100 teams may be at most this many times
# the cost per extra team from 20 to 50 (quadratic growth would roughly double it).
LINEAR_TOLERANCE = 1.6


def _month(index: int) -> date:
    return date(2025 + index // 12, index % 12 + 1, 1)


def build(teams: int) -> tuple[int, str]:
    """A collaborative with `teams` teams and their data; returns its id and a panel member's
    email."""
    rng = np.random.default_rng(teams)
    collaborative = Collaborative(
        name=f"Bench {teams}",
        topic="Fewer falls",
        starts_on=date(2025, 1, 1),
        ends_on=date(2026, 12, 31),
    )
    db.session.add(collaborative)
    db.session.flush()
    measures = [
        Measure(
            collaborative_id=collaborative.id,
            name=name,
            measure_type="outcome",
            value_kind=kind,
            direction=direction,
            chart_type=chart,
            target_value=target,
            baseline_start=date(2025, 1, 1),
            baseline_end=date(2025, 6, 1),
        )
        for name, kind, direction, chart, target in (
            ("Falls a month", "count", "decrease", "c", 4.0),
            ("Care plans reviewed", "proportion", "increase", "p", 0.9),
            ("Days between falls", "continuous", "increase", "i", 30.0),
        )
    ]
    db.session.add_all(measures)
    db.session.flush()
    decisions = list(Decision)
    for number in range(teams):
        team = Team(
            collaborative_id=collaborative.id,
            name=f"Team {number:03d}",
            organisation=f"Organisation {number}",
        )
        db.session.add(team)
        db.session.flush()
        aim = Aim(
            team_id=team.id,
            title="Fewer falls",
            what="Reduce falls",
            for_whom="Residents",
            location="Home",
            target_value=4,
            target_date=date(2026, 12, 31),
        )
        db.session.add(aim)
        db.session.flush()
        idea = ChangeIdea(aim_id=aim.id, title="Morning huddle")
        db.session.add(idea)
        db.session.flush()
        ramp = Ramp(change_idea_id=idea.id, title="Huddle")
        db.session.add(ramp)
        db.session.flush()
        drift = np.linspace(0, -3, MONTHS) if number % 2 else np.zeros(MONTHS)
        falls = np.maximum(rng.poisson(9, MONTHS) + drift, 0)
        reviewed = rng.binomial(40, 0.7, MONTHS)
        days = rng.normal(20, 4, MONTHS)
        points = []
        for month in range(MONTHS):
            period = _month(month)
            for measure, value, denominator in (
                (measures[0], float(falls[month]), None),
                (measures[1], float(reviewed[month]), 40.0),
                (measures[2], float(days[month]), None),
            ):
                points.append(
                    DataPoint(
                        measure_id=measure.id,
                        team_id=team.id,
                        period_start=period,
                        value=value,
                        denominator=denominator,
                    )
                )
        db.session.add_all(points)
        db.session.add_all(
            Cycle(
                team_id=team.id,
                ramp_id=ramp.id,
                number=cycle + 1,
                title=f"Huddle {cycle + 1}",
                starts_on=_month(cycle * 2),
                ends_on=_month(cycle * 2 + 1),
                stage=Stage.CLOSED,
                decision=decisions[cycle % 3],
            )
            for cycle in range(CYCLES_PER_TEAM)
        )
        db.session.add_all(
            ProgressScore(
                team_id=team.id,
                period_start=_month(12 + month),
                assessor=assessor,
                score=min(0.5 + 0.5 * (month // 2), 5.0),
            )
            for month in range(12)
            for assessor in (Assessor.SELF, Assessor.COORDINATOR)
        )
    db.session.add(PanelReview(collaborative_id=collaborative.id, reviewed_on=date(2026, 3, 15)))
    panel = User(email=f"panel{teams}@example.org", display_name="Panel member")
    panel.set_password(PASSWORD)
    db.session.add(panel)
    db.session.flush()
    db.session.add(
        Membership(user_id=panel.id, role=Role.PANEL_MEMBER, collaborative_id=collaborative.id)
    )
    db.session.commit()
    return collaborative.id, panel.email


def time_page(app: Any, collaborative_id: int, email: str) -> dict[str, Any]:
    client = app.test_client()
    signed_in = client.post("/sign-in", data={"email": email, "password": PASSWORD})
    assert signed_in.status_code == 303, signed_in.status_code
    url = f"/collaboratives/{collaborative_id}/panel"
    statements: list[str] = []

    def count(*_: Any) -> None:
        statements.append("")

    first = client.get(url)  # warm up: templates compile, caches fill
    assert first.status_code == 200, first.status_code
    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        client.get(url)
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    timings = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        response = client.get(url)
        timings.append(time.perf_counter() - start)
        assert response.status_code == 200
    return {
        "best_seconds": round(min(timings), 4),
        "median_seconds": round(statistics.median(timings), 4),
        "queries": len(statements),
        "page_kilobytes": round(len(response.data) / 1024, 1),
    }


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "TESTING": True,
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(folder) / 'bench.sqlite'}",
                "WTF_CSRF_ENABLED": False,
                "SERVER_NAME": "improve.bench",
            }
        )
        results: dict[str, Any] = {}
        with app.app_context():
            db.create_all()
        for size in SIZES:
            # Build in one app context, then request outside it, as production does: a shared
            # context would share `g` (the signed-in user) between requests.
            with app.app_context():
                collaborative_id, email = build(size)
            results[str(size)] = time_page(app, collaborative_id, email)
        with app.app_context():
            db.engine.dispose()
    best = {size: results[str(size)]["best_seconds"] for size in SIZES}
    low, middle, high = SIZES
    early = (best[middle] - best[low]) / (middle - low)
    late = (best[high] - best[middle]) / (high - middle)
    linear = late <= LINEAR_TOLERANCE * max(early, 1e-4)
    fixed_queries = len({results[str(size)]["queries"] for size in SIZES}) == 1
    document = {
        "teams": list(SIZES),
        "months_per_series": MONTHS,
        "shared_measures": 3,
        "cycles_per_team": CYCLES_PER_TEAM,
        "repeats": REPEATS,
        "results": results,
        "seconds_per_extra_team": {
            f"{low}-{middle}": round(early, 5),
            f"{middle}-{high}": round(late, 5),
        },
        "linear": linear,
        "fixed_query_count": fixed_queries,
    }
    path = Path(__file__).with_name("panel.json")
    path.write_text(json.dumps(document, indent=2) + "\n")
    print(json.dumps(document, indent=2))
    return 0 if linear and fixed_queries else 1


if __name__ == "__main__":
    sys.exit(main())
