"""The benchmark behind `make bench`: one run, one machine, every figure the targets compare.

1. Builds the databases: the demo data, and `flask scale-data` at 50, 200 (the "large" scale)
   and 800 teams.
2. In-process (Flask's test client, no network): SQL statements per page at 50, 200 and 800
   teams; the panel view's server time at each size against the time of the minimal SQL it
   needs (its "SQL floor"); the analysis engine on 2,000 series of 104 points. Then every page
   and download of the scale collaborative (every GET route under /collaboratives/<id> in the
   URL map: idea library, exports, panel, print, reviews, evaluation, coordinator and its
   drill-down, calendar, ...): server time and statements at each size, against "the floor", one
   pass over every data point of the collaborative through the database driver, timed in the
   same run. Pages aim at 3 times the floor, downloads at 10 times, at 200 teams.
3. Served: gunicorn (3 sync workers) for a bare hello-world Flask app and for the app on the
   demo and large databases; wrk on loopback measures throughput and p50/p99 latency of the
   team, measure, PDSA cycle, coordinator and panel pages, each for a fixed time, signed in as
   someone who may see the page. Then the peak resident memory of each worker.

Everything shares the machine's CPUs (wrk, gunicorn, the database), as `machine` records.
Writes bench/results.json, prints a table and puts the same table into the README.

    .venv/bin/python bench/run.py                 # SQLite, about 6 minutes on 2 cores
    .venv/bin/python bench/run.py --seconds 3     # quicker, noisier
    .venv/bin/python bench/run.py --database-url postgresql://postgres@127.0.0.1/test
    .venv/bin/python bench/run.py --only pages --teams 50   # the collaborative pages alone,
        # a minute or two (mostly the XLSX file of every point); writes bench/results-pages.json
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.pool import NullPool

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.analysis_bench import measure_analysis  # noqa: E402
from improve.exports import jobs  # noqa: E402
from tests.live_server import (  # noqa: E402
    LiveClient,
    LiveServer,
    drop_database,
    flask_command,
    new_database,
)

PAGES = ("team", "measure", "cycle", "coordinator", "panel")
QUERY_SIZES = {50: 0.25, 200: 1.0, 800: 4.0}  # teams: --scale
LARGE_TEAMS = 200
WORKERS = 3  # gunicorn sync workers: one more than the 2 cores this was tuned on
REPEATS = 5
LABELS = {
    "demo_page_share_of_hello": "Each page at demo scale, share of hello-world throughput",
    "panel_large_over_sql_floor": "Panel at 200 teams, times its SQL floor",
    "panel_linear_in_teams": "Panel time per extra team (ms), 50 to 200 and 200 to 800 teams",
    "constant_query_counts": "Queries per page the same at 50, 200 and 800 teams",
    "analysis_series_2000x104_s": "One analysis of 2,000 series of 104 points, from nothing (s)",
    "worker_peak_rss_mb": "Peak memory of a gunicorn worker (MB)",
    "collaborative_pages_over_floor": "At 200 teams, every collaborative page <= 3 times and "
    "every download <= 10 times one pass over its data points through the driver",
}
TARGETS = {
    "demo_page_share_of_hello": 0.40,
    "panel_large_over_sql_floor": 3.0,
    # Issue 15: the analysis of 2,000 series of 104 points from nothing, under 25 ms.
    "analysis_series_2000x104_s": 0.025,
    "worker_peak_rss_mb": 300.0,
}
README_START = "<!-- bench-table:start -->"
README_END = "<!-- bench-table:end -->"


@dataclass(frozen=True)
class Page:
    email: str
    password: str
    path: str


# Databases -----------------------------------------------------------------------------------


class Databases:
    """Scratch databases: SQLite files in a folder, or PostgreSQL databases next to the one
    named (dropped at the end)."""

    def __init__(self, folder: Path, server_url: str | None) -> None:
        self.folder = folder
        self.server_url = server_url
        self.made: list[str] = []

    def new(self, name: str) -> str:
        url = new_database(self.server_url, self.folder, f"bench_{name}")
        self.made.append(url)
        flask_command(url, "db", "upgrade")
        return url

    def drop_all(self) -> None:
        for url in self.made:
            drop_database(url)


def build_demo(databases: Databases) -> str:
    url = databases.new("demo")
    flask_command(url, "demo")
    return url


def build_scaled(databases: Databases, teams: int, anchor: date) -> tuple[str, float]:
    url = databases.new(f"teams{teams}")
    started = time.perf_counter()
    scale = QUERY_SIZES[teams]
    flask_command(url, "scale-data", "--scale", str(scale), "--anchor", anchor.isoformat())
    return url, time.perf_counter() - started


def demo_pages(url: str) -> dict[str, Page]:
    """The pages measured on the demo data, each for someone who may see it."""
    people = ("lead@example.org", "coordinator@example.org", "panel@example.org")
    return _pages(url, *people, password="improve-demo")


def scaled_pages(url: str) -> dict[str, Page]:
    """The same pages on `flask scale-data`'s collaborative, from its first team."""
    from improve import scale_data

    people = ("scale-lead-001@example.org", scale_data.COORDINATOR, scale_data.PANEL)
    return _pages(url, *people, password=scale_data.PASSWORD)


def _pages(url: str, lead: str, coordinator: str, panel: str, password: str) -> dict[str, Page]:
    """The lead's team page, its busiest measure (most points) and latest cycle, and its
    collaborative's coordinator and panel views, each with the person who opens it."""
    engine = sa.create_engine(url, poolclass=NullPool)
    with engine.connect() as connection:
        team, collaborative = connection.execute(
            sa.text(
                "SELECT t.id, t.collaborative_id FROM team t JOIN membership m ON m.team_id = t.id "
                "JOIN user_account u ON u.id = m.user_id WHERE u.email = :lead"
            ),
            {"lead": lead},
        ).one()
        measure = connection.execute(
            sa.text(
                "SELECT m.id FROM measure m JOIN data_point d ON d.measure_id = m.id "
                "WHERE m.team_id = :team GROUP BY m.id ORDER BY count(*) DESC, m.id LIMIT 1"
            ),
            {"team": team},
        ).scalar()
        cycle = connection.execute(
            sa.text("SELECT max(id) FROM cycle WHERE team_id = :team"), {"team": team}
        ).scalar()
    engine.dispose()
    return {
        "team": Page(lead, password, f"/teams/{team}"),
        "measure": Page(lead, password, f"/measures/{measure}"),
        "cycle": Page(lead, password, f"/cycles/{cycle}"),
        "coordinator": Page(coordinator, password, f"/collaboratives/{collaborative}/coordinator"),
        "panel": Page(panel, password, f"/collaboratives/{collaborative}/panel"),
    }


# In-process measurements ---------------------------------------------------------------------


@contextmanager
def in_process_app(url: str) -> Iterator[Any]:
    from improve import create_app
    from improve.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False})
    gc.freeze()  # as gunicorn.conf.py does in every worker once the app is loaded
    try:
        yield app
    finally:
        with app.app_context():
            db.engine.dispose()


def signed_in_client(app: Any, page: Page) -> Any:
    client = app.test_client()
    answer = client.post("/sign-in", data={"email": page.email, "password": page.password})
    assert answer.status_code == 303, f"{page.email} could not sign in ({answer.status_code})"
    return client


def count_queries(app: Any, page: Page) -> int:
    from improve.extensions import db

    client = signed_in_client(app, page)
    assert client.get(page.path).status_code == 200, page.path  # warm caches first
    statements: list[str] = []
    with app.app_context():
        engine = db.engine
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        assert client.get(page.path).status_code == 200
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)
    return len(statements)


def server_ms(app: Any, page: Page) -> float:
    """The median time of the whole request in-process (queries, analysis, HTML)."""
    client = signed_in_client(app, page)
    client.get(page.path)
    timings = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        assert client.get(page.path).status_code == 200
        timings.append(time.perf_counter() - started)
    return round(statistics.median(timings) * 1000, 1)


def panel_sql_floor_ms(url: str) -> float:
    """The least SQL the panel view needs, sent straight through the driver: every point of the
    shared measures (its charts and signals need each one), cycles counted by team and decision,
    and the progress scores. Median of five."""
    collaborative = "(SELECT min(id) FROM collaborative)"
    statements = [
        "SELECT d.measure_id, d.team_id, d.period_start, d.value, d.denominator, d.excluded, "
        "d.starts_new_phase FROM data_point d JOIN measure m ON m.id = d.measure_id "
        f"WHERE m.team_id IS NULL AND m.collaborative_id = {collaborative}",
        "SELECT c.team_id, c.decision, count(*) FROM cycle c JOIN team t ON t.id = c.team_id "
        f"WHERE t.collaborative_id = {collaborative} GROUP BY c.team_id, c.decision",
        "SELECT s.team_id, s.assessor, s.period_start, s.score FROM progress_score s "
        f"JOIN team t ON t.id = s.team_id WHERE t.collaborative_id = {collaborative}",
    ]
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    timings = []
    with engine.connect() as connection:
        for _ in range(REPEATS + 1):
            started = time.perf_counter()
            for statement in statements:
                connection.exec_driver_sql(statement).fetchall()
            timings.append(time.perf_counter() - started)
    engine.dispose()
    return round(statistics.median(timings[1:]) * 1000, 1)


# Every page and download of a collaborative --------------------------------------------------

# A download is an address ending in a file name (an export's <fmt> filled in) or an answer that
# is an attachment or one of these types; everything else is a page.
FILE_SUFFIXES = (".csv", ".xlsx", ".png", ".svg")
FILE_TYPES = (
    "text/csv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "image/png",
    "image/svg+xml",
)
FORMATS = ("csv", "xlsx")  # what a route's <fmt> takes (improve.exports.views.FORMATS)
# URL variables that pick one of a few files: each is timed. A CoP's participation has two.
CHOICES = {"fmt": FORMATS, "table": ("membership", "attendance")}
FLOOR_TARGETS = {"page": 3.0, "download": 10.0}  # times the floor, judged at LARGE_TEAMS
PAGE_BUDGET_S = 4.0  # timed repeats of one address stop once they add up to this (slow exports)
# An address whose one request took longer than this is not asked again at the larger sizes:
# its time grows with the teams, and an XLSX file of every point could hold `make bench` for an
# hour. It counts as not met there.
SLOW_REQUEST_S = 30.0


@dataclass(frozen=True)
class Address:
    """One page or download of the scale collaborative, and who opens it (path None: it could
    not be filled in from the scale data, `reason` says why)."""

    name: str
    email: str
    path: str | None
    reason: str = ""


def scale_values(url: str) -> dict[str, Any]:
    """The ids that fill a collaborative route's arguments in the scale data: its collaborative,
    the first lead's team (the coordinator's drill-down, as `scaled_pages` uses), the panel
    member's collaborative membership (its removal page only asks to confirm), the first
    calendar phase, if the scale data has any, and its shared proportion measure (the panel's
    page of one measure across the teams)."""
    from improve import scale_data

    engine = sa.create_engine(url, poolclass=NullPool)
    with engine.connect() as connection:

        def one(sql: str, **params: Any) -> int | None:
            return connection.execute(sa.text(sql), params).scalar()

        team = one(
            "SELECT m.team_id FROM membership m JOIN user_account u ON u.id = m.user_id "
            "WHERE u.email = 'scale-lead-001@example.org'"
        )
        collaborative = one("SELECT collaborative_id FROM team WHERE id = :team", team=team)
        values = {
            "collaborative_id": collaborative,
            "team_id": team,
            "membership_id": one(
                "SELECT m.id FROM membership m JOIN user_account u ON u.id = m.user_id "
                "WHERE u.email = :email AND m.collaborative_id = :c",
                email=scale_data.PANEL,
                c=collaborative,
            ),
            "phase_id": one(
                "SELECT min(id) FROM collaborative_phase WHERE collaborative_id = :c",
                c=collaborative,
            ),
            # The panel's review and one of its actions (their pages, edit and delete forms).
            "review_id": one(
                "SELECT min(id) FROM panel_review WHERE collaborative_id = :c", c=collaborative
            ),
            "action_id": one(
                "SELECT min(id) FROM panel_action WHERE collaborative_id = :c", c=collaborative
            ),
            # Issue 20: the collaborative's priority round and the CoP it led to, and their
            # records (each the first of its kind), so their pages are timed at scale too.
            "round_id": one(
                "SELECT min(id) FROM priority_round WHERE collaborative_id = :c", c=collaborative
            ),
            "community_id": one(
                "SELECT min(id) FROM community WHERE collaborative_id = :c", c=collaborative
            ),
            "evidence_id": one(
                "SELECT min(id) FROM idea_evidence WHERE team_id = :team", team=team
            ),
            # A shared measure with a denominator, so its page across teams draws a funnel too.
            "measure_id": one(
                "SELECT min(id) FROM measure WHERE collaborative_id = :c AND team_id IS NULL "
                "AND value_kind = 'proportion'",
                c=collaborative,
            ),
        }
    values |= community_values(engine, values["community_id"], values["round_id"], team)
    # The calendar feed's address holds the collaborative's secret, made when the calendar page
    # is first opened: make it here, so the feed is timed like every other download.
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "UPDATE collaborative SET calendar_token = :token "
                "WHERE id = :c AND calendar_token IS NULL"
            ),
            {"token": "bench-calendar-feed-token-0123456789abcdefghijk", "c": collaborative},
        )
        values["token"] = connection.execute(
            sa.text("SELECT calendar_token FROM collaborative WHERE id = :c"), {"c": collaborative}
        ).scalar()
    engine.dispose()
    return values


# The other rounds of the finished round's collaborative at one stage (the scale data has one each).
SIBLING = (
    "WHERE collaborative_id = (SELECT collaborative_id FROM priority_round WHERE id = :k) "
    "AND stage ="
)


def community_values(
    engine: Any, community: int | None, round_id: int | None, team: int | None
) -> dict[str, Any]:
    """The first record of each kind of the scale CoP and priority round (issue 20), by the name
    of the URL variable that holds it. Names two blueprints use for different records are
    keyed by blueprint too (see `COMMUNITY_RECORDS`)."""
    queries = {
        "meeting_id": ("SELECT min(id) FROM community_meeting WHERE community_id = :k", community),
        "member_id": ("SELECT min(id) FROM community_member WHERE community_id = :k", community),
        "resource_id": (
            "SELECT min(id) FROM community_resource WHERE community_id = :k",
            community,
        ),
        "note_id": (
            "SELECT min(id) FROM community_evaluation_note WHERE community_id = :k",
            community,
        ),
        "need_id": ("SELECT min(id) FROM research_need WHERE community_id = :k", community),
        "communities.action_id": (
            "SELECT min(id) FROM community_action WHERE community_id = :k",
            community,
        ),
        "theme_id": ("SELECT min(id) FROM priority_theme WHERE round_id = :k", round_id),
        # Pages that answer only at a stage of a round (409 at any other) get a round at it: a
        # theme may change while ideas are grouped, a vote while voting, and a finished theme
        # not yet made anything may start a CoP. The empty theme is the one that may be deleted.
        "priorities.vote.round_id": (f"SELECT id FROM priority_round {SIBLING} 'voting'", round_id),
        **{
            f"priorities.{endpoint}.theme_id": (
                f"SELECT {pick}(t.id) FROM priority_theme t JOIN priority_round r "
                f"ON r.id = t.round_id WHERE r.id IN (SELECT id FROM priority_round {SIBLING} "
                "'theming')",
                round_id,
            )
            for endpoint, pick in (("edit_theme", "min"), ("merge_theme", "min"))
            + (("delete_theme", "max"),)
        },
        "priorities.start_community.theme_id": (
            "SELECT min(id) FROM priority_theme WHERE round_id = :k AND community_id IS NULL "
            "AND aim_id IS NULL AND measure_id IS NULL",
            round_id,
        ),
        "priorities.idea_id": ("SELECT min(id) FROM priority_idea WHERE round_id = :k", round_id),
        "ideas.idea_id": (
            "SELECT min(change_idea_id) FROM idea_evidence WHERE team_id = :k",
            team,
        ),
    }
    with engine.connect() as connection:
        return {
            name: connection.execute(sa.text(sql), {"k": key}).scalar() if key else None
            for name, (sql, key) in queries.items()
        }


# URL variables of issue 20's pages that say which record of the scale CoP or round they show.
COMMUNITY_RECORDS = frozenset(
    {"community_id", "round_id", "meeting_id", "member_id", "resource_id", "note_id", "need_id"}
    | {"theme_id", "evidence_id"}
)


def _value(values: dict[str, Any], endpoint: str, name: str) -> Any:
    """A URL variable's value for this endpoint: the endpoint's own, then its blueprint's
    (`idea_id` is a change idea to `ideas.*` and an idea of a priority round to `priorities.*`),
    else the shared one."""
    blueprint = endpoint.partition(".")[0]
    for key in (f"{endpoint}.{name}", f"{blueprint}.{name}", name):
        if key in values:
            return values[key]
    return None


# Downloads of a collaborative found by a secret in their address instead of its id.
BY_SECRET = {"reports.calendar_feed"}


def collaborative_addresses(app: Any, values: dict[str, Any]) -> list[Address]:
    """Every GET route of a collaborative in the app's URL map, filled in for the scale data.
    Read from the URL map when the bench runs, so a page added later is measured too."""
    adapter = app.url_map.bind("localhost")
    addresses = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.endpoint):
        of_collaborative = (
            "collaborative_id" in rule.arguments
            or rule.endpoint in BY_SECRET
            or bool(rule.arguments & COMMUNITY_RECORDS)
            or rule.endpoint == "ideas.evidence"
        )
        if "GET" not in (rule.methods or ()) or not of_collaborative:
            continue
        email = _opener(rule.endpoint)
        names = rule.arguments - {"fmt", "table"}
        missing = sorted(name for name in names if _value(values, rule.endpoint, name) is None)
        if missing:
            reason = f"no {', '.join(missing)} in the scale data"
            addresses.append(Address(rule.endpoint, email, None, reason))
            continue
        filled = {name: _value(values, rule.endpoint, name) for name in names}
        choice = next((name for name in CHOICES if name in rule.arguments), None)
        for option in CHOICES[choice] if choice else (None,):
            chosen = {**filled, choice: option} if choice else filled
            path = adapter.build(rule.endpoint, chosen)
            name = f"{rule.endpoint}.{option}" if option else rule.endpoint
            addresses.append(Address(name, email, path))
    return addresses


def _opener(endpoint: str) -> str:
    """Who opens the page: the panel member for the panel's own pages (as they use them), a team
    lead for the idea library (they copy ideas from it, which adds a form to each idea) and for
    changing their team's evidence, and the
    coordinator, who may see every team, for everything else (so exports hold every team)."""
    from improve import scale_data

    if endpoint.startswith("panel."):
        return scale_data.PANEL
    if endpoint == "ideas.library" or endpoint.endswith("_evidence"):
        return "scale-lead-001@example.org"
    return scale_data.COORDINATOR


def data_point_floor(url: str, collaborative_id: int) -> tuple[float, int]:
    """One pass over every data point of the collaborative through the database driver: a plain
    SELECT of the data_point rows of its teams (team and shared measures), every row read from a
    raw DBAPI cursor (fetchall); no ORM, no pandas. Median ms of five (after one to warm the
    cache), and how many rows it read."""
    statement = (
        "SELECT d.* FROM data_point d JOIN team t ON t.id = d.team_id "
        f"WHERE t.collaborative_id = {int(collaborative_id)}"
    )
    engine = sa.create_engine(url, poolclass=NullPool)
    connection = engine.raw_connection()
    timings, rows = [], 0
    try:
        for _ in range(REPEATS + 1):
            cursor = connection.cursor()
            started = time.perf_counter()
            cursor.execute(statement)
            rows = len(cursor.fetchall())
            timings.append(time.perf_counter() - started)
            cursor.close()
    finally:
        connection.close()
        engine.dispose()
    return round(statistics.median(timings[1:]) * 1000, 1), rows


@dataclass
class Fetched:
    status: int
    seconds: float
    size: int
    content_type: str
    disposition: str
    location: str


def fetch(client: Any, path: str) -> Fetched:
    """One request in-process, its whole body read: a streamed download is made while read."""
    started = time.perf_counter()
    response = client.get(path)
    size = len(response.get_data())
    seconds = time.perf_counter() - started
    headers = response.headers
    return Fetched(
        response.status_code,
        seconds,
        size,
        headers.get("Content-Type", ""),
        headers.get("Content-Disposition", ""),
        headers.get("Location", ""),
    )


@contextmanager
def statements_counted(app: Any) -> Iterator[list[str]]:
    """The SQL statements sent while inside (appending to a list costs next to nothing, so the
    request counted can also be one of the timed ones)."""
    from improve.extensions import db

    statements: list[str] = []
    with app.app_context():
        engine = db.engine
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)


class _ErrorLines(logging.Handler):
    """Each warning or error the app logs, as one line (the exception's, when it has one)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        error = record.exc_info[1] if record.exc_info else None
        self.lines.append(f"{type(error).__name__}: {error}" if error else record.getMessage())


@contextmanager
def errors_caught(app: Any) -> Iterator[list[str]]:
    """What the app logged as going wrong while inside, in place of its usual output. The app
    answers an unexpected error with a friendly 500 page and logs the traceback (Flask's own
    signal never fires), so the log is where the cause is; one line of it goes into the
    figures, and a traceback per failing request would bury the table."""
    logger, catcher = app.logger, _ErrorLines()
    saved = logger.handlers[:], logger.propagate
    logger.handlers, logger.propagate = [catcher], False
    try:
        yield catcher.lines
    finally:
        logger.handlers, logger.propagate = saved


def kind_of(path: str, answer: Fetched) -> str:
    is_file = path.endswith(FILE_SUFFIXES) or "attachment" in answer.disposition
    return "download" if is_file or answer.content_type.startswith(FILE_TYPES) else "page"


def measure_address(app: Any, client: Any, path: str) -> dict[str, Any]:
    """Server time (median of up to REPEATS, fewer once PAGE_BUDGET_S is spent) and statements
    of one address. A redirect elsewhere than sign-in (say to a background job's page) is timed
    as the request made, with a note; any other answer but 200 is recorded, not timed."""
    with errors_caught(app) as errors, statements_counted(app) as first_statements:
        first = fetch(client, path)  # warms templates and caches; its status decides the rest
    figures: dict[str, Any] = {"status": first.status, "kind": kind_of(path, first)}
    job = first.status == 202 or (300 <= first.status < 400 and "/sign-in" not in first.location)
    if first.status != 200 and not job:
        return {**figures, "note": "; ".join([f"answered {first.status}", *errors])}
    notes = [f"answered {first.status} {first.location}: that request is timed"] if job else []
    if first.seconds >= PAGE_BUDGET_S:
        # So slow that warm caches would change little: the first request is the figure.
        timings, statements = [first.seconds], first_statements
        notes.append("one request, the first")
    else:
        with statements_counted(app) as statements:
            timings = [fetch(client, path).seconds]
        while len(timings) < REPEATS and sum(timings) < PAGE_BUDGET_S:
            timings.append(fetch(client, path).seconds)
    if notes:
        figures["note"] = "; ".join(notes)
    return {
        **figures,
        "ms": round(statistics.median(timings) * 1000, 1),
        "runs": len(timings),
        "queries": len(statements),
        "bytes": first.size,
    }


def judged(figures: dict[str, Any], floor_ms: float) -> dict[str, Any]:
    """The figures with their ratio to the floor, the target for their kind and whether met."""
    target = FLOOR_TARGETS[figures["kind"]]
    if "ms" not in figures:
        return {**figures, "ratio": None, "target": target, "met": False}
    ratio = round(figures["ms"] / max(floor_ms, 0.001), 2)
    return {**figures, "ratio": ratio, "target": target, "met": ratio <= target}


def skipped(reason: str) -> dict[str, Any]:
    """An address the scale data cannot fill in: listed, not timed and not judged."""
    target = FLOOR_TARGETS["page"]
    return {"status": None, "kind": "page", "note": reason, "target": target, "met": None}


def too_slow(earlier: dict[str, Any]) -> dict[str, Any]:
    """An address not asked again, after a smaller size took over SLOW_REQUEST_S: not met."""
    note = f"not run: took {earlier['ms'] / 1000:,.0f} s at {earlier['teams']} teams"
    kind, target = earlier["kind"], earlier["target"]
    return {"status": None, "kind": kind, "note": note, "target": target, "met": False}


def collaborative_pass(
    url: str, slow: dict[str, dict[str, Any]]
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """Every page and download of the scale collaborative at one size: their figures, the
    floor, and each address with who opened it. `slow` holds the addresses too slow at a
    smaller size, with their figures there."""
    from improve import scale_data

    values = scale_values(url)
    floor_ms, rows = data_point_floor(url, values["collaborative_id"])  # type: ignore[arg-type]
    print(f"    floor: {rows:,} data points in {floor_ms} ms")
    pages, where = {}, {}
    with in_process_app(url) as app:
        clients: dict[str, Any] = {}  # one signed-in client per person
        for address in collaborative_addresses(app, values):
            where[address.name] = {"path": address.path, "person": address.email}
            if address.name in slow:
                figures = too_slow(slow[address.name])
            elif address.path is None:
                figures = skipped(address.reason)
            else:
                if address.email not in clients:
                    person = Page(address.email, scale_data.PASSWORD, "/")
                    clients[address.email] = signed_in_client(app, person)
                measured = measure_address(app, clients[address.email], address.path)
                figures = judged(measured, floor_ms)
            pages[address.name] = figures
            print(f"    {address.name:<32} {_shown_figures(figures)}")
    return pages, {"ms": floor_ms, "data_points": rows}, where


def _shown_figures(figures: dict[str, Any]) -> str:
    if "ms" not in figures:
        return f"{figures['kind']}: not timed: {figures.get('note', '')}"[:200]
    verdict = "met" if figures["met"] else "NOT met"
    return (
        f"{figures['kind']}: {figures['ms']} ms ({figures['runs']} runs), {figures['queries']} "
        f"queries, {figures['ratio']}x the floor ({verdict} <= {figures['target']:g}x)"
        + (f"; {figures['note']}" if "note" in figures else "")
    )


def collaborative_figures(urls: dict[int, str], results: dict[str, Any]) -> None:
    """results["collaborative_pages"][teams][address] and results["floor_ms"][teams], each size
    measured in one run with its own floor."""
    pages: dict[str, Any] = {}
    floors: dict[str, float] = {}
    points: dict[str, int] = {}
    slow: dict[str, dict[str, Any]] = {}
    for teams, url in sorted(urls.items()):
        print(f"  {teams} teams:")
        pages[str(teams)], floor, where = collaborative_pass(url, slow)
        # A large XLSX file is made in a process of its own after its request is timed: stop
        # it, so that it takes no CPU from the next size's timings or the served ones.
        jobs.stop_all()
        floors[str(teams)], points[str(teams)] = floor["ms"], floor["data_points"]
        for name, figures in pages[str(teams)].items():
            if figures.get("ms", 0) > SLOW_REQUEST_S * 1000:
                slow[name] = {**figures, "teams": teams}
    results["collaborative_pages"] = pages
    results["floor_ms"] = floors
    results["floor_data_points"] = points
    # scale-data numbers rows from 1 in each database, so the addresses are the same at every size
    results["collaborative_addresses"] = where


# Served measurements -------------------------------------------------------------------------

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(url: str, seconds: float, cookie: str | None = None) -> dict[str, Any]:
    """Load one address for `seconds` with as many connections as workers."""
    command = ["wrk", "-t1", f"-c{WORKERS}", f"-d{seconds:g}s", "--latency", "--timeout", "30s"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    run = subprocess.run([*command, url], capture_output=True, text=True, check=True)
    return parse_wrk(run.stdout)


def parse_wrk(output: str) -> dict[str, Any]:
    """Requests per second, p50 and p99 latency in ms, and failures, from wrk's report."""
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    latency = {
        share: float(value) * _UNITS[unit]
        for share, value, unit in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
    }
    if rps is None or set(latency) != {"50", "99"}:
        raise ValueError(f"wrk's report was not understood:\n{output}")
    failures = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: (.*)", output)
    figures: dict[str, Any] = {
        "rps": round(float(rps[1]), 1),
        "p50_ms": round(latency["50"], 1),
        "p99_ms": round(latency["99"], 1),
        "non_2xx": int(failures[1]) if failures else 0,
    }
    if errors:
        figures["socket_errors"] = errors[1].strip()
    return figures


def session_cookie(server: LiveServer, page: Page) -> str:
    client = LiveClient(server.url, timeout=60)
    assert client.sign_in(page.email, page.password).status == 303, page.email
    reply = client.get(page.path)
    assert reply.status == 200, f"{page.path} answered {reply.status}"
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in client.cookies)


def serve_pages(url: str, pages: dict[str, Page], seconds: float) -> tuple[dict, float]:
    """wrk on each page; returns the figures and the largest peak RSS of a worker (MB)."""
    figures = {}
    with LiveServer(url, workers=WORKERS, timeout=60) as server:
        for name, page in pages.items():
            figures[name] = wrk(server.url + page.path, seconds, session_cookie(server, page))
            print(f"  {name:<12} {figures[name]}")
        rss = max(peak_rss_mb(pid) for pid in server.worker_pids())
    return figures, rss


def peak_rss_mb(pid: int) -> float:
    """The most memory the process has held in RAM since it started (VmHWM)."""
    status = Path(f"/proc/{pid}/status").read_text()
    kilobytes = int(re.search(r"VmHWM:\s+(\d+) kB", status)[1])  # type: ignore[index]
    return round(kilobytes / 1024, 1)


# The machine ---------------------------------------------------------------------------------


def cpu_busy_share(seconds: float = 1.0) -> float:
    """How busy the CPUs were over a short sample (0 to 1), from /proc/stat."""

    def sample() -> tuple[int, int]:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        idle = fields[3] + fields[4]  # idle and iowait
        return idle, sum(fields)

    idle_before, total_before = sample()
    time.sleep(seconds)
    idle_after, total_after = sample()
    total = max(total_after - total_before, 1)
    return round(1 - (idle_after - idle_before) / total, 3)


def other_busy_processes() -> list[str]:
    """Processes other than this one using a noticeable share of a CPU right now (from top's
    second sample; nothing when top is missing or prints something else)."""
    try:
        output = subprocess.run(
            ["top", "-b", "-n", "2", "-d", "0.5", "-w", "200"],
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "LC_ALL": "C"},  # a decimal point, not a comma
        ).stdout
    except OSError:
        return []
    busy = []
    for line in output.rsplit("PID USER", 1)[-1].splitlines()[1:]:
        fields = line.split()
        try:
            pid, share = int(fields[0]), float(fields[8])
        except (IndexError, ValueError):
            continue
        if pid != os.getpid() and share >= 2.0 and len(fields) >= 12:
            busy.append(f"{fields[11]} {share:g}% CPU")
    return busy


def machine(database: str) -> dict[str, Any]:
    cpu = re.search(r"model name\s*:\s*(.*)", Path("/proc/cpuinfo").read_text())
    memory = re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text())
    return {
        "cores": os.cpu_count(),
        "cpu": cpu[1].strip() if cpu else platform.processor(),
        "memory_gb": round(int(memory[1]) / 1024 / 1024, 1) if memory else None,
        "python": platform.python_version(),
        "database": database,
        "cpu_busy_before_start": cpu_busy_share(),
        "other_busy_processes_at_start": other_busy_processes(),
        "load_average_1min_at_start": round(os.getloadavg()[0], 2),
        "shared_cpus": "wrk, gunicorn and the database ran on the same CPUs, on loopback",
        "gunicorn_workers": WORKERS,
    }


# Putting it together -------------------------------------------------------------------------


def in_process_figures(urls: dict[int, str], results: dict[str, Any]) -> None:
    queries: dict[str, dict[str, int]] = {page: {} for page in PAGES}
    panel_ms: dict[str, float] = {}
    for teams, url in urls.items():
        pages = scaled_pages(url)
        with in_process_app(url) as app:
            for name, page in pages.items():
                queries[name][str(teams)] = count_queries(app, page)
            panel_ms[str(teams)] = server_ms(app, pages["panel"])
        print(f"  {teams} teams: queries {[queries[p][str(teams)] for p in PAGES]}, panel "
              f"{panel_ms[str(teams)]} ms")  # fmt: skip
    results["queries"] = queries
    results["panel"] = {
        "server_ms_by_teams": panel_ms,
        "large": {
            "server_ms": panel_ms[str(LARGE_TEAMS)],
            "sql_floor_ms": panel_sql_floor_ms(urls[LARGE_TEAMS]),
        },
    }


def judge(results: dict[str, Any]) -> dict[str, Any]:
    """Each target with the figure it is compared to and whether it was met."""
    hello = results["hello"]["rps"]
    demo = results["pages"]
    shares = {name: round(demo[name]["demo"]["rps"] / hello, 3) for name in PAGES}
    panel = results["panel"]
    by_teams = {int(teams): ms for teams, ms in panel["server_ms_by_teams"].items()}
    small, middle, big = sorted(by_teams)
    early = (by_teams[middle] - by_teams[small]) / (middle - small)
    late = (by_teams[big] - by_teams[middle]) / (big - middle)
    ratio = panel["large"]["server_ms"] / max(panel["large"]["sql_floor_ms"], 0.001)
    constant = {name: len(set(counts.values())) == 1 for name, counts in results["queries"].items()}
    return {
        "demo_page_share_of_hello": {
            "target": f">= {TARGETS['demo_page_share_of_hello']}",
            "found": shares,
            "met": all(share >= TARGETS["demo_page_share_of_hello"] for share in shares.values()),
        },
        "panel_large_over_sql_floor": {
            "target": f"<= {TARGETS['panel_large_over_sql_floor']}",
            "found": round(ratio, 1),
            "met": ratio <= TARGETS["panel_large_over_sql_floor"],
        },
        "panel_linear_in_teams": {
            "target": "linear: the second at most 1.5 times the first",
            "found": {"50-200": round(early, 2), "200-800": round(late, 2)},
            "met": late <= 1.5 * max(early, 0.01),
        },
        "constant_query_counts": {
            "target": "every page",
            "found": {name: "same" if same else "grows" for name, same in constant.items()},
            "met": all(constant.values()),
        },
        "analysis_series_2000x104_s": {
            "target": f"< {TARGETS['analysis_series_2000x104_s']}",
            "found": results["analysis"]["series_2000x104_s"],
            "met": results["analysis"]["series_2000x104_s"] < TARGETS["analysis_series_2000x104_s"],
        },
        "worker_peak_rss_mb": {
            "target": f"< {TARGETS['worker_peak_rss_mb']}",
            "found": results["worker"]["peak_rss_mb"],
            "met": results["worker"]["peak_rss_mb"] < TARGETS["worker_peak_rss_mb"],
        },
        "collaborative_pages_over_floor": judge_collaborative(results),
    }


def judged_teams(results: dict[str, Any]) -> str:
    """The size the collaborative pages are judged at: 200 teams, or the largest measured when
    a quick run (--only pages --teams ...) left it out."""
    sizes = [int(teams) for teams in results["collaborative_pages"]]
    return str(LARGE_TEAMS if LARGE_TEAMS in sizes else max(sizes))


def judge_collaborative(results: dict[str, Any]) -> dict[str, Any]:
    """How many pages and downloads met their share of the floor, naming those that did not."""
    teams = judged_teams(results)
    figures = results["collaborative_pages"][teams]
    found: dict[str, Any] = {}
    for kind in FLOOR_TARGETS:
        of_kind = [f for f in figures.values() if f["kind"] == kind and f["met"] is not None]
        found[f"{kind}s"] = f"{sum(f['met'] for f in of_kind)} of {len(of_kind)}"
    missed = [name for name, f in figures.items() if f["met"] is False]
    if missed:
        found["not met"] = " ".join(missed)
    if teams != str(LARGE_TEAMS):
        found["measured at"] = f"{teams} teams"
    return {
        "target": f"pages <= {FLOOR_TARGETS['page']:g}x, downloads <= "
        f"{FLOOR_TARGETS['download']:g}x",
        "found": found,
        "met": not missed,
    }


def table(results: dict[str, Any]) -> str:
    """The figures as a Markdown table (also what the README shows)."""
    lines = [
        f"Measured {results['measured_at']} on {results['machine']['cores']} cores "
        f"({results['machine']['database']}, gunicorn {WORKERS} sync workers, wrk on the same "
        f"CPUs, {results['seconds_per_page']:g} s per page). Hello-world floor: "
        f"{results['hello']['rps']:,.0f} requests/s.",
        "",
        "| Page | Demo req/s | Demo p50 / p99 ms | Large req/s | Large p50 / p99 ms | "
        "Queries at 50 / 200 / 800 teams |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name in PAGES:
        demo, large = results["pages"][name]["demo"], results["pages"][name]["large"]
        counts = " / ".join(str(results["queries"][name][str(t)]) for t in QUERY_SIZES)
        lines.append(
            f"| {name} | {demo['rps']:,.1f} | {demo['p50_ms']:,.0f} / {demo['p99_ms']:,.0f} | "
            f"{large['rps']:,.1f} | {large['p50_ms']:,.0f} / {large['p99_ms']:,.0f} | {counts} |"
        )
    lines += ["", "| Target | Aim | Found | Met |", "|---|---|---|---|"]
    for name, verdict in results["targets"].items():
        found = verdict["found"]
        shown = (
            ", ".join(f"{k} {v}" for k, v in found.items()) if isinstance(found, dict) else found
        )
        met = "yes" if verdict["met"] else "**no**"
        lines.append(f"| {LABELS[name]} | {verdict['target']} | {shown} | {met} |")
    return "\n".join([*lines, "", collaborative_table(results)])


def collaborative_table(results: dict[str, Any]) -> str:
    """Every page and download of a collaborative: time and statements at each size, and its
    time over the floor at the judged size."""
    sizes = list(results["collaborative_pages"])
    teams = judged_teams(results)
    floors = " / ".join(f"{results['floor_ms'][t]:,.1f}" for t in sizes)
    points = " / ".join(f"{results['floor_data_points'][t]:,}" for t in sizes)
    across = " / ".join(sizes)
    lines = [
        f"Every page and download of the scale collaborative, in-process (signed in, whole body "
        f"read). The floor is one pass over its data points ({points} at {across} teams) "
        f"through the database driver: {floors} ms. Pages aim at <= {FLOOR_TARGETS['page']:g} "
        f"times the floor, downloads (a file name or an attachment) at "
        f"<= {FLOOR_TARGETS['download']:g} times, judged at {teams} teams.",
        "",
        f"| Page or download | Kind | ms at {across} teams | Queries at {across} teams | "
        f"Times the floor at {teams} teams | Met |",
        "|---|---|---:|---:|---:|---|",
    ]
    for name, judged_figures in results["collaborative_pages"][teams].items():
        row = [results["collaborative_pages"][t].get(name, {}) for t in sizes]
        times = " / ".join(_ms_cell(figures) for figures in row)
        counts = " / ".join(str(figures.get("queries", "-")) for figures in row)
        ratio = judged_figures.get("ratio")
        shown = "-" if ratio is None else f"{ratio:,.2f}"
        met = "yes" if judged_figures["met"] else "**no**"
        if judged_figures["met"] is None:
            met = judged_figures.get("note", "not measured")
        lines.append(
            f"| {name} | {judged_figures['kind']} | {times} | {counts} | {shown} | {met} |"
        )
    return "\n".join(lines)


def _ms_cell(figures: dict[str, Any]) -> str:
    if "ms" in figures:
        job = " (job)" if figures["status"] != 200 else ""
        return f"{figures['ms']:,.0f}{job}"
    if figures.get("status"):
        return f"error {figures['status']}"
    return "not run" if figures.get("met") is False else "-"


def update_readme(text: str, readme: Path = ROOT / "README.md") -> None:
    """Put the table between the README's bench-table markers (nothing if they are missing)."""
    content = readme.read_text()
    if README_START in content and README_END in content:
        before, rest = content.split(README_START, 1)
        after = rest.split(README_END, 1)[1]
        readme.write_text(f"{before}{README_START}\n{text}\n{README_END}{after}")


def main() -> int:
    args = parse_arguments()
    os.environ.setdefault("IMPROVE_SECRET_KEY", "bench-secret-key")  # for the in-process app
    if args.only == "pages":
        return pages_only(args)
    if shutil.which("wrk") is None:
        print("wrk is needed: sudo apt-get install wrk (make bench installs it when run as root)")
        return 2
    kind = "postgresql" if args.database_url else "sqlite"
    results: dict[str, Any] = {"machine": machine(kind), "seconds_per_page": args.seconds}
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        databases = Databases(Path(folder), args.database_url)
        try:
            run_all(databases, args.seconds, results)
        finally:
            databases.drop_all()
    results["measured_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    results["machine"]["load_average_1min_at_end"] = round(os.getloadavg()[0], 2)
    results["bench_seconds"] = round(time.perf_counter() - started)
    results["targets"] = judge(results)
    output = args.output or ROOT / "bench" / "results.json"
    output.write_text(json.dumps(results, indent=2) + "\n")
    text = table(results)
    print(text)
    if kind == "sqlite" and output == ROOT / "bench" / "results.json":
        update_readme(text)
    return 0


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--database-url", help="PostgreSQL server to use (default: SQLite)")
    parser.add_argument("--seconds", type=float, default=8, help="wrk time per page")
    parser.add_argument(
        "--output",
        type=Path,
        help="where the figures go (default bench/results.json; with --only pages, "
        "bench/results-pages.json, so a quick run never overwrites a whole one)",
    )
    parser.add_argument(
        "--only",
        choices=["pages"],
        help="pages: only every page and download of a collaborative, in-process, against "
        "the floor (no wrk, no README change)",
    )
    parser.add_argument(
        "--teams",
        type=int,
        nargs="+",
        choices=list(QUERY_SIZES),
        help="with --only pages: the sizes to measure (default 50 200 800)",
    )
    args = parser.parse_args()
    if args.teams and not args.only:
        parser.error("--teams goes with --only pages: the whole run needs every size")
    return args


def pages_only(args: argparse.Namespace) -> int:
    """The quick run: scale data at the sizes asked for, then the collaborative pages alone."""
    kind = "postgresql" if args.database_url else "sqlite"
    results: dict[str, Any] = {"machine": machine(kind)}
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        databases = Databases(Path(folder), args.database_url)
        try:
            urls = build_sizes(databases, args.teams or list(QUERY_SIZES), results)
            print("In-process: every page and download of a collaborative, against the floor...")
            collaborative_figures(urls, results)
        finally:
            databases.drop_all()
    results["measured_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    results["bench_seconds"] = round(time.perf_counter() - started)
    results["targets"] = {"collaborative_pages_over_floor": judge_collaborative(results)}
    output = args.output or ROOT / "bench" / "results-pages.json"
    output.write_text(json.dumps(results, indent=2) + "\n")
    print(collaborative_table(results))
    verdict = results["targets"]["collaborative_pages_over_floor"]
    print(
        f"\n{LABELS['collaborative_pages_over_floor']}: {verdict['found']}, met: {verdict['met']}"
    )
    return 0


def build_sizes(databases: Databases, sizes: list[int], results: dict[str, Any]) -> dict[int, str]:
    """`flask scale-data` at each size, all from one anchor day; records how long each took."""
    anchor = date.today()
    print(f"Building scale-data at {', '.join(map(str, sizes))} teams...")
    urls, build_seconds = {}, {}
    for teams in sizes:
        urls[teams], took = build_scaled(databases, teams, anchor)
        build_seconds[str(teams)] = round(took, 1)
    results["scale_data_seconds"] = build_seconds
    return urls


def run_all(databases: Databases, seconds: float, results: dict[str, Any]) -> None:
    print("Building the demo database...")
    demo = build_demo(databases)
    urls = build_sizes(databases, list(QUERY_SIZES), results)
    print("In-process: queries per page, panel time, SQL floor, analysis...")
    in_process_figures(urls, results)
    print("In-process: every page and download of a collaborative, against the floor...")
    collaborative_figures(urls, results)
    results["analysis"] = measure_analysis()
    print("Served by gunicorn, measured by wrk:")
    with LiveServer(demo, workers=WORKERS, app="bench.hello_app:app") as hello:
        results["hello"] = wrk(hello.url + "/", seconds)
    print(f"  hello        {results['hello']}")
    demo_figures, demo_rss = serve_pages(demo, demo_pages(demo), seconds)
    large_figures, large_rss = serve_pages(
        urls[LARGE_TEAMS], scaled_pages(urls[LARGE_TEAMS]), seconds
    )
    results["pages"] = {
        name: {"demo": demo_figures[name], "large": large_figures[name]} for name in PAGES
    }
    results["worker"] = {"peak_rss_mb": max(demo_rss, large_rss)}


if __name__ == "__main__":
    sys.exit(main())
