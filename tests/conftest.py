"""Fixtures: an app on a clean database per test, a client, and factories with overridable defaults.

Set IMPROVE_TEST_DATABASE_URL to run everything against PostgreSQL instead of SQLite.
"""

from __future__ import annotations

import functools
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from datetime import date
from types import SimpleNamespace
from typing import Any, ClassVar

import hypothesis
import jinja2
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.pool import NullPool
from werkzeug.security import generate_password_hash

# Never let tests write a secret into the real instance folder.
os.environ.setdefault("IMPROVE_SECRET_KEY", "test-secret-key")
# Nor jobs into the real worker's queue: each test process has its own queue file (improve.worker
# reads this when first imported, below). Set, not defaulted: pytest-xdist's workers inherit the
# controller's environment, and two processes sharing a queue would see each other's jobs.
os.environ["IMPROVE_QUEUE_URL"] = (
    f"sqlite:///{tempfile.mkdtemp(prefix='improve-queue-')}/queue.sqlite"
)

from improve import create_app  # noqa: E402
from improve.config import database_url as configured_url  # noqa: E402
from improve.extensions import db  # noqa: E402
from improve.models import (  # noqa: E402
    Collaborative,
    Community,
    CommunityMember,
    CommunityRole,
    Membership,
    Role,
    StakeholderGroup,
    Team,
    User,
)

# CI replays the same property-test inputs on every run (HYPOTHESIS_PROFILE=ci in .ci/run), so a
# landing never hangs on luck; elsewhere hypothesis explores new inputs each run.
hypothesis.settings.register_profile("ci", derandomize=True, database=None)
hypothesis.settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

PASSWORD = "correct horse battery"
# scrypt costs about 0.15 s a check; no test depends on the cost of the hash (one CLI test checks
# the real method by undoing the patch below).
cheap_password_hash = functools.partial(generate_password_hash, method="pbkdf2:sha256:1")
_PASSWORD_HASH = cheap_password_hash(PASSWORD)

# htmx request headers, by kind of request (STYLE.md: a partial request is htmx, not boosted,
# not a history restore).
HTMX = {"HX-Request": "true"}
BOOSTED = {"HX-Request": "true", "HX-Boosted": "true"}
HISTORY_RESTORE = {"HX-Request": "true", "HX-History-Restore-Request": "true"}


def version_of(record: Any) -> dict[str, str]:
    """What a "yes, remove it" form posts besides its CSRF token: the version it was shown."""
    db.session.refresh(record)
    return {"version": str(record.version)}


# Everyone in the `world` fixture, for tables of who may do what.
PEOPLE = (
    "admin",
    "coordinator_x",
    "coordinator_y",
    "panel_x",
    "lead_a",
    "member_a",
    "expert_a",
    "member_b",
    "member_c",
    "nobody",
)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "postgres_only: needs PostgreSQL")


def worker_database(base_url: str, suffix: str) -> str:
    """A fresh PostgreSQL database next to `base_url`'s, for one pytest-xdist worker: workers
    must not drop each other's tables. An earlier run's leftover is dropped first."""
    admin_url = sa.make_url(base_url)
    name = f"{admin_url.database}_{suffix}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return admin_url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Iterator[str]:
    url = os.environ.get("IMPROVE_TEST_DATABASE_URL", "").strip()
    if not url:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
        return
    os.environ["IMPROVE_DATABASE_URL"] = url
    url = configured_url("")
    if worker_id == "master":
        yield url
        return
    own = worker_database(url, worker_id)
    os.environ["IMPROVE_DATABASE_URL"] = own  # for the commands the CLI tests run
    yield own
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as connection:
        name = sa.make_url(own).database
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def _schema(database_url: str) -> Iterator[None]:
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "TESTING": True})
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


class IsolatedClient(FlaskClient):
    """Each request in its own app context, as in production. The `app` fixture keeps one app
    context open for the factories; without this every request would share its `g`, so
    Flask-Login's cached user (and the role cache) would leak from one request and client to the
    next."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        with self.application.app_context():
            return super().open(*args, **kwargs)


class SharedBytecode(jinja2.BytecodeCache):
    """Compiled templates kept across tests: each test builds a new app, and compiling the
    templates again costs more than most tests. Keys include the source's checksum."""

    compiled: ClassVar[dict[str, bytes]] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


@pytest.fixture(autouse=True)
def _cheap_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("improve.models.user.generate_password_hash", cheap_password_hash)


@pytest.fixture(scope="session")
def _shared_app(database_url: str, _schema: None) -> Iterator[Flask]:
    """One app per test process: building it costs more than most tests, and nothing a test may
    change on it outlives the test (the `app` fixture puts its settings back)."""
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "WTF_CSRF_ENABLED": False,
            "SERVER_NAME": "improve.test",
            # Messages delivered in a test land in flask_mailman's `mail.outbox` list, unless a
            # test points the app at its own SMTP server (tests/mail).
            "MAIL_BACKEND": "locmem",
            "BASE_URL": "http://improve.test",
        }
    )
    app.test_client_class = IsolatedClient
    app.jinja_env.bytecode_cache = SharedBytecode()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def app(_shared_app: Flask) -> Iterator[Flask]:
    """The app, in a fresh app context (so a fresh `g` and database session) on empty tables."""
    settings = dict(_shared_app.config)
    with _shared_app.app_context():
        yield _shared_app
        db.session.remove()
        _empty_every_table()
    _shared_app.config.clear()
    _shared_app.config.update(settings)


def _empty_every_table() -> None:
    tables = db.metadata.sorted_tables
    with db.engine.begin() as connection:
        # DELETE, not TRUNCATE: on PostgreSQL a TRUNCATE of every table costs more than most
        # tests, while deleting the few rows a test made is quick.
        for table in reversed(tables):
            connection.execute(table.delete())


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


# Factories ---------------------------------------------------------------------------------------


@pytest.fixture
def make_user(app: Flask) -> Callable[..., User]:
    counter = iter(range(1, 10_000))

    def make(**overrides: Any) -> User:
        number = next(counter)
        fields = {
            "email": f"person{number}@example.org",
            "display_name": f"Person {number}",
            "password_hash": _PASSWORD_HASH,
        }
        fields.update(overrides)
        user = User(**fields)
        db.session.add(user)
        db.session.commit()
        return user

    return make


@pytest.fixture
def make_collaborative(app: Flask) -> Callable[..., Collaborative]:
    counter = iter(range(1, 10_000))

    def make(**overrides: Any) -> Collaborative:
        number = next(counter)
        fields = {
            "name": f"Collaborative {number}",
            "topic": "Fewer falls at home",
            "starts_on": date(2026, 1, 1),
            "ends_on": date(2026, 12, 31),
        }
        fields.update(overrides)
        collaborative = Collaborative(**fields)
        db.session.add(collaborative)
        db.session.commit()
        return collaborative

    return make


@pytest.fixture
def make_team(make_collaborative: Callable[..., Collaborative]) -> Callable[..., Team]:
    counter = iter(range(1, 10_000))

    def make(collaborative: Collaborative | None = None, **overrides: Any) -> Team:
        number = next(counter)
        fields = {"name": f"Team {number}", "organisation": f"Organisation {number}"}
        fields.update(overrides)
        team = Team(collaborative=collaborative or make_collaborative(), **fields)
        db.session.add(team)
        db.session.commit()
        return team

    return make


@pytest.fixture
def grant(app: Flask) -> Callable[..., Membership]:
    """grant(user, Role.X, team) or grant(user, Role.COORDINATOR, collaborative)."""

    def give(user: User, role: Role, scope: Team | Collaborative) -> Membership:
        key = "team" if isinstance(scope, Team) else "collaborative"
        membership = Membership(user=user, role=role, **{key: scope})
        db.session.add(membership)
        db.session.commit()
        return membership

    return give


@pytest.fixture
def make_community(app: Flask) -> Callable[..., Community]:
    """make_community(collaborative=None, **fields): a community of practice (CoP)."""
    counter = iter(range(1, 10_000))

    def make(collaborative: Collaborative | None = None, **overrides: Any) -> Community:
        number = next(counter)
        fields = {
            "name": f"Community {number}",
            "theme": "Complex needs across the lifespan",
            "started_on": date(2026, 1, 1),
        }
        fields.update(overrides)
        owner = collaborative.id if collaborative else None
        community = Community(collaborative_id=owner, **fields)
        db.session.add(community)
        db.session.commit()
        return community

    return make


@pytest.fixture
def join(app: Flask) -> Callable[..., CommunityMember]:
    """join(user_or_name, community, role=MEMBER, group=FRONTLINE_PRACTITIONER): a CoP member;
    a plain name makes a member with no account (someone who only comes to meetings)."""

    def add(
        who: User | str,
        community: Community,
        role: CommunityRole = CommunityRole.MEMBER,
        group: StakeholderGroup = StakeholderGroup.FRONTLINE_PRACTITIONER,
        **overrides: Any,
    ) -> CommunityMember:
        user = who if isinstance(who, User) else None
        fields = {
            "community_id": community.id,
            "user_id": user.id if user else None,
            "name": user.display_name if user else who,
            "role": role,
            "stakeholder_group": group,
            "joined_on": community.started_on,
        }
        fields.update(overrides)
        member = CommunityMember(**fields)
        db.session.add(member)
        db.session.commit()
        return member

    return add


@pytest.fixture
def sign_in(client: FlaskClient) -> Callable[[User], FlaskClient]:
    """Sign the test client in as this user through the real sign-in form."""

    def as_user(user: User, password: str = PASSWORD) -> FlaskClient:
        response = client.post("/sign-in", data={"email": user.email, "password": password})
        assert response.status_code == 303, response.get_data(as_text=True)[:500]
        return client

    return as_user


@pytest.fixture
def world(make_user, make_collaborative, make_team, grant) -> SimpleNamespace:
    """Every role of the access matrix: collaborative X with teams A and B, collaborative Y with
    team C, and one person per role."""
    x = make_collaborative(name="Collaborative X")
    y = make_collaborative(name="Collaborative Y")
    team_a = make_team(x, name="Team A")
    team_b = make_team(x, name="Team B")
    team_c = make_team(y, name="Team C")
    w = SimpleNamespace(x=x, y=y, team_a=team_a, team_b=team_b, team_c=team_c)
    w.admin = make_user(email="admin@example.org", display_name="Ada Admin", is_admin=True)
    people = {
        "coordinator_x": (Role.COORDINATOR, x),
        "coordinator_y": (Role.COORDINATOR, y),
        "panel_x": (Role.PANEL_MEMBER, x),
        "lead_a": (Role.TEAM_LEAD, team_a),
        "member_a": (Role.TEAM_MEMBER, team_a),
        "expert_a": (Role.EXPERT_BY_EXPERIENCE, team_a),
        "member_b": (Role.TEAM_MEMBER, team_b),
        "member_c": (Role.TEAM_MEMBER, team_c),
    }
    for key, (role, scope) in people.items():
        user = make_user(email=f"{key}@example.org", display_name=key.replace("_", " ").title())
        grant(user, role, scope)
        setattr(w, key, user)
    w.nobody = make_user(email="nobody@example.org", display_name="No Roles")
    return w


@pytest.fixture
def client_for(app: Flask) -> Callable[[User], FlaskClient]:
    """A new client signed in as this person through the sign-in form: one client per person,
    as two browsers would be."""

    def make(user: User) -> FlaskClient:
        client = app.test_client()
        response = client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 303
        return client

    return make


def text_of(response: Any) -> str:
    """The visible text of a response, tags removed and whitespace collapsed, for assertions."""
    html = response.get_data(as_text=True)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()
