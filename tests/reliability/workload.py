"""A small world in a live database, the forms a browser would send, and the load workload shared
by tests/reliability/test_load.py and bench/load.py.

Everything a client process runs uses the standard library only (tests.live_server.LiveClient), so
virtual users can be threads or multiprocessing processes.
"""

from __future__ import annotations

import random
import re
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from html.parser import HTMLParser
from typing import Any

import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from tests.live_server import LiveClient, LiveServer

PASSWORD = "load-test-password"
HISTORY_WEEKS = 52  # weekly periods each world measure accepts, counting back from this week
CYCLE_LOCATION = re.compile(r"/cycles/(\d+)")
# The first field error of a refused form, or the heading of an error page.
FIELD_ERROR = re.compile(r"govuk-error-summary__list[^>]*>(.*?)</ul>", re.DOTALL)
HEADING = re.compile(r"<h1[^>]*>([^<]*)")


class PatientServer(LiveServer):
    """A LiveServer that waits longer for its workers (CI shares two cores among many test
    processes, and three workers each import the app) and never leaves gunicorn running when it
    fails to start."""

    def wait_until_ready(self, seconds: float = 120) -> None:
        super().wait_until_ready(seconds)

    def start(self) -> LiveServer:
        try:
            return super().start()
        except BaseException:
            self.kill_everything()
            self.stop()
            raise


# Forms as a browser would send them -------------------------------------------------------------


class _FormParser(HTMLParser):
    """Every <form>: its action and the name/value pairs a browser submits without changes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict[str, Any]] = []
        self._form: dict[str, Any] | None = None
        self._textarea: str | None = None
        self._select: str | None = None
        self._select_first: str | None = None
        self._select_chosen = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form":
            self._form = {"action": a.get("action", ""), "fields": {}}
            self.forms.append(self._form)
            return
        if self._form is None or "form" in a:
            return
        fields, name = self._form["fields"], a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in {"checkbox", "radio"}:
                if "checked" in a:
                    _add(fields, name, a.get("value", "on"))
            elif kind not in {"submit", "button", "file"}:
                _add(fields, name, a.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea, fields[name] = name, ""
        elif tag == "select" and name:
            self._select, self._select_first, self._select_chosen = name, None, False
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if self._select_first is None:
                self._select_first = value
            if "selected" in a:
                fields[self._select], self._select_chosen = value, True

    def handle_data(self, data: str) -> None:
        if self._form is not None and self._textarea:
            self._form["fields"][self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select and self._form is not None:
            if not self._select_chosen:
                self._form["fields"][self._select] = self._select_first or ""
            self._select = None


def _add(fields: dict[str, Any], name: str, value: str) -> None:
    """A repeated name (the day, month and year boxes of one date) becomes a list, in order."""
    if name not in fields:
        fields[name] = value
    elif isinstance(fields[name], list):
        fields[name].append(value)
    else:
        fields[name] = [fields[name], value]


def form_fields(html: str, action: str) -> dict[str, Any]:
    """The fields of the page's form posting to `action` (a form without an action posts back to
    its page, which is `action` here), as the browser would send them."""
    parser = _FormParser()
    parser.feed(html)
    for form in parser.forms:
        if form["action"].split("?")[0].split("#")[0] in ("", action):
            return dict(form["fields"])
    raise AssertionError(f"no form posting to {action} on the page")


# A small world ---------------------------------------------------------------------------------


@dataclass
class World:
    """Ids in a live database: one team, its aim, a change idea, a cycle, and per person a weekly
    measure of their own (so their data points never clash with anyone else's)."""

    team_id: int
    aim_id: int
    idea_id: int
    cycle_id: int
    point_measure_id: int
    point_period: date
    emails: list[str]
    measure_ids: list[int] = field(default_factory=list)


def build_world(database_url: str, people: int = 4) -> World:
    """Create the world through the app's own operations, as the views would."""
    from werkzeug.security import generate_password_hash

    from improve import create_app
    from improve.aims.operations import create_aim
    from improve.cycles.operations import create_cycle
    from improve.drivers.operations import add_idea
    from improve.extensions import db
    from improve.measures.operations import create_measure, record_data_point
    from improve.models import Collaborative, Membership, Role, Team, User

    today = date.today()
    # One cheap hash for everyone: the load is about writes, not about scrypt's cost.
    password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1")
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        collaborative = Collaborative(
            name="Load collaborative",
            topic="Fewer falls at home",
            starts_on=today - timedelta(days=400),
            ends_on=today + timedelta(days=400),
        )
        team = Team(collaborative=collaborative, name="Load team", organisation="Load care")
        db.session.add_all([collaborative, team])
        users = []
        for number in range(people):
            user = User(
                email=f"load{number}@example.org",
                display_name=f"Load Person {number}",
                password_hash=password_hash,
            )
            role = Role.TEAM_LEAD if number == 0 else Role.TEAM_MEMBER
            db.session.add_all([user, Membership(user=user, role=role, team=team)])
            users.append(user)
        db.session.flush()
        lead = users[0]
        aim = create_aim(
            lead,
            team,
            {
                "title": "Fewer falls",
                "what": "Reduce falls at night",
                "for_whom": "Everyone who lives here",
                "location": "The home",
                "unit": "falls a month",
                "baseline_value": 9.0,
                "target_value": 4.0,
                "target_date": today + timedelta(days=300),
            },
        )
        idea = add_idea(lead, aim, "Night checks", "A check at 2am", None)
        cycle = create_cycle(
            lead,
            aim,
            idea,
            {
                "title": "Night checks on one unit",
                "owner_id": None,
                "starts_on": today,
                "ends_on": today + timedelta(days=7),
            },
            "Will a 2am check prevent falls?",
        )
        measures = [
            create_measure(lead, collaborative.id, team, aim, _measure_details(name, today))
            for name in ["Falls a week"] + [f"Checks by person {n}" for n in range(people)]
        ]
        db.session.flush()
        period = _monday(today) - timedelta(weeks=4)
        record_data_point(lead, measures[0], team, period, {"value": 3.0, "denominator": None})
        db.session.commit()
        world = World(
            team_id=team.id,
            aim_id=aim.id,
            idea_id=idea.id,
            cycle_id=cycle.id,
            point_measure_id=measures[0].id,
            point_period=period,
            emails=[user.email for user in users],
            measure_ids=[measure.id for measure in measures[1:]],
        )
        db.session.remove()
        db.engine.dispose()
    return world


@dataclass
class VirtualUser:
    email: str
    measure_id: int
    aim_id: int
    idea_id: int


def add_virtual_users(database_url: str, count: int) -> list[VirtualUser]:
    """Team members for a load on the demo data: person n joins the n-th team (round robin) with a
    weekly measure of their own on that team's aim, so everyone's data points can be checked."""
    from werkzeug.security import generate_password_hash

    from improve import create_app
    from improve.extensions import db
    from improve.measures.operations import create_measure
    from improve.models import Aim, ChangeIdea, Membership, Role, Team, User

    password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1")
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    users = []
    with app.app_context():
        teams = []
        for team in db.session.scalars(sa.select(Team).order_by(Team.id)):
            aim = db.session.scalar(sa.select(Aim).where(Aim.team_id == team.id).order_by(Aim.id))
            idea = aim and db.session.scalar(
                sa.select(ChangeIdea).where(ChangeIdea.aim_id == aim.id).order_by(ChangeIdea.id)
            )
            if idea is not None:
                teams.append((team, aim, idea))
        for number in range(count):
            team, aim, idea = teams[number % len(teams)]
            user = User(
                email=f"vu{number}@example.org",
                display_name=f"Virtual User {number}",
                password_hash=password_hash,
            )
            db.session.add_all([user, Membership(user=user, role=Role.TEAM_MEMBER, team=team)])
            db.session.flush()
            details = _measure_details(f"Checks by virtual user {number}", date.today())
            measure = create_measure(user, team.collaborative_id, team, aim, details)
            db.session.flush()
            users.append(VirtualUser(user.email, measure.id, aim.id, idea.id))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return users


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _measure_details(name: str, today: date) -> dict[str, Any]:
    from improve.models.measure import Direction, Frequency, MeasureType, ValueKind

    return {
        "name": name,
        "measure_type": MeasureType.OUTCOME,
        "operational_definition": "Counted from the incident log each week",
        "frequency": Frequency.WEEKLY,
        "value_kind": ValueKind.COUNT,
        "direction": Direction.DECREASE,
        "baseline_start": _monday(today) - timedelta(weeks=HISTORY_WEEKS),
    }


def open_periods(today: date | None = None, weeks: int = HISTORY_WEEKS) -> list[date]:
    """Weekly periods of a world measure that the data table accepts."""
    last = _monday(today or date.today())
    return [last - timedelta(weeks=n) for n in range(weeks)]


def count_rows(database_url: str, table: str) -> int:
    engine = sa.create_engine(database_url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return connection.scalar(sa.text(f"SELECT count(*) FROM {table}"))  # noqa: S608
    finally:
        engine.dispose()


# The load workload -----------------------------------------------------------------------------


@dataclass
class UserResult:
    """What one virtual user saw: latencies, statuses, and every write the server acknowledged."""

    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    server_errors: list[str] = field(default_factory=list)
    points: dict[str, float] = field(default_factory=dict)  # "measure_id/period" -> value
    cycles: dict[int, str] = field(default_factory=dict)  # cycle id -> title
    conflicts: int = 0
    refusals: list[str] = field(default_factory=list)  # other 4xx answers, with their message


def _timed(result: UserResult, call: Any, *args: Any, **kwargs: Any) -> Any:
    started = time.perf_counter()
    try:
        reply = call(*args, **kwargs)
    except OSError as error:  # a refused or dropped connection is an error, never a success
        result.latencies.append(time.perf_counter() - started)
        result.statuses[0] = result.statuses.get(0, 0) + 1
        result.server_errors.append(f"{args[0]}: {error!r}")
        return None
    result.latencies.append(time.perf_counter() - started)
    result.statuses[reply.status] = result.statuses.get(reply.status, 0) + 1
    if reply.status >= 500:
        result.server_errors.append(f"{args[0]}: {reply.status}")
    elif reply.status >= 400 and reply.status != 409:
        message = FIELD_ERROR.search(reply.text) or HEADING.search(reply.text)
        reason = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", message.group(1))) if message else ""
        result.refusals.append(f"{reply.status} {args[0]}: {reason.strip()}")
    return reply


def run_user(
    base_url: str,
    email: str,
    measure_id: int,
    aim_id: int,
    idea_id: int,
    seconds: float,
    think: tuple[float, float] = (0.0, 0.0),
    seed: int = 0,
) -> UserResult:
    """One virtual user for `seconds`: read pages, save data points of their own measure, plan
    cycles. Returns what the server acknowledged: 303 after a data point is the period saved;
    303 to /cycles/<id> is the cycle's id."""
    rng = random.Random(seed)
    result = UserResult()
    client = LiveClient(base_url)
    signed_in = _timed(result, client.sign_in, email, PASSWORD)
    if signed_in is None or signed_in.status != 303:
        result.server_errors.append(f"sign-in answered {signed_in and signed_in.status}")
        return result
    # Land on a page first, as a browser does: signing in starts a new session, so the sign-in
    # page's CSRF token no longer holds.
    _timed(result, client.get, f"/measures/{measure_id}")
    periods = open_periods()
    rng.shuffle(periods)
    deadline = time.monotonic() + seconds
    step = 0
    while time.monotonic() < deadline:
        step += 1
        action = rng.random()
        if action < 0.45:
            _save_point(client, result, measure_id, periods[step % len(periods)], rng)
        elif action < 0.6:
            _plan_cycle(client, result, aim_id, idea_id, f"{email} test {step}")
        elif action < 0.8:
            _timed(result, client.get, f"/measures/{measure_id}")
        else:
            _timed(result, client.get, f"/aims/{aim_id}")
        if think[1] > 0:
            time.sleep(rng.uniform(*think))
    return result


def _save_point(client: LiveClient, result: UserResult, measure_id: int, period: date, rng) -> None:
    key = f"{measure_id}/{period.isoformat()}"
    value = float(rng.randint(0, 50))
    # A period saved before is changed on purpose: send the version the page showed.
    version = ""
    if key in result.points:
        page = _timed(result, client.get, f"/measures/{measure_id}")
        if page is None:
            return
        version = _point_version(page.text, period)
    data = {"period": period.isoformat(), "value": f"{value:g}", "version": version}
    reply = _timed(result, client.post, f"/measures/{measure_id}/points", data)
    if reply is None:
        return
    if reply.status == 303:
        result.points[key] = value
    elif reply.status == 409:
        result.conflicts += 1


def _point_version(html: str, period: date) -> str:
    form = re.search(rf'<form id="point-{period.isoformat()}".*?</form>', html, flags=re.DOTALL)
    if not form:
        return ""
    version = re.search(r'name="version" value="(\d*)"', form.group(0))
    return version.group(1) if version else ""


def _plan_cycle(client: LiveClient, result: UserResult, aim_id: int, idea_id: int, title: str):
    today = date.today()
    page = _timed(result, client.get, f"/aims/{aim_id}/cycles/new")
    if page is None or page.status != 200:
        return
    data = {
        "change_idea": str(idea_id),
        "title": title,
        "owner": "",
        "objective": "Does it help?",
        "starts_on": [str(today.day), str(today.month), str(today.year)],
        "ends_on": [str(today.day), str(today.month), str(today.year)],
    }
    reply = _timed(result, client.post, f"/aims/{aim_id}/cycles/new", data)
    if reply is not None and reply.status == 303:
        found = CYCLE_LOCATION.search(reply.headers.get("Location", ""))
        if found:
            result.cycles[int(found.group(1))] = title
        else:
            result.server_errors.append(f"cycle saved without its id: {reply.headers}")


def missing_writes(database_url: str, results: list[UserResult]) -> list[str]:
    """Every acknowledged write that is not in the database as acknowledged."""
    engine = sa.create_engine(database_url, poolclass=NullPool)
    missing = []
    try:
        with engine.connect() as connection:
            points = {
                f"{measure_id}/{period}": value
                for measure_id, period, value in connection.execute(
                    sa.text("SELECT measure_id, period_start, value FROM data_point")
                )
            }
            cycles = dict(connection.execute(sa.text("SELECT id, title FROM cycle")).all())
    finally:
        engine.dispose()
    points = {_iso_key(key): value for key, value in points.items()}
    for result in results:
        for key, value in result.points.items():
            if points.get(key) != value:
                missing.append(f"data point {key}={value} (stored: {points.get(key)})")
        for cycle_id, title in result.cycles.items():
            if cycles.get(cycle_id) != title:
                missing.append(f"cycle {cycle_id} {title!r} (stored: {cycles.get(cycle_id)!r})")
    return missing


def _iso_key(key: str) -> str:
    # SQLite hands dates back as text, PostgreSQL as date objects: both print as ISO dates.
    measure_id, period = key.split("/", 1)
    return f"{measure_id}/{period[:10]}"
