"""A database that is busy, read-only, full or out of reach: the person gets a plain 503 page
saying nothing was saved (never a traceback, never a 500), reads go on working where the database
allows them, and the next request after the fault works.

Faults are made from the test's side only: a second connection holds the write lock, or every
connection the app takes from its pool is set read-only, or limited in size, or made to fail.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy import event

from improve import create_app
from improve.errors import RETRY_AFTER_SECONDS
from improve.extensions import db
from improve.models import Aim, Comment, DataPoint, Measure
from tests.conftest import PASSWORD, text_of

BUSY = "The service is busy"
NOTHING_SAVED = "nothing was saved. Try again in a minute."


@pytest.fixture
def aim(world: Any) -> Aim:
    aim = Aim(
        team=world.team_a,
        title="Fewer falls at night",
        what="Reduce falls in our home",
        for_whom="People who live at Riverside",
        location="Riverside Care Home",
        target_value=4.0,
        target_date=date(2027, 3, 31),
    )
    db.session.add(aim)
    db.session.commit()
    return aim


@pytest.fixture
def measure(aim: Aim) -> Measure:
    measure = Measure(
        name="Falls a month",
        measure_type="outcome",
        value_kind="count",
        direction="decrease",
        frequency="monthly",
        baseline_start=date(2026, 1, 1),
        collaborative_id=aim.team.collaborative_id,
        team_id=aim.team_id,
        aim_id=aim.id,
    )
    db.session.add(measure)
    db.session.commit()
    return measure


def sqlite_path() -> str:
    return str(db.engine.url.database)


def driver_url() -> str:
    return db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def on_sqlite() -> bool:
    return db.engine.dialect.name == "sqlite"


@pytest.fixture
def every_connection(app: Flask) -> Iterator[Callable[[str], None]]:
    """setting(sql) runs on every connection the app takes from its pool, so the app's own
    settings made at connect time are overridden."""
    settings: list[str] = []

    def on_checkout(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        cursor = dbapi_connection.cursor()
        for sql in settings:
            cursor.execute(sql)
        cursor.close()
        dbapi_connection.commit()  # PostgreSQL: a SET inside a rolled-back transaction is undone

    event.listen(db.engine, "checkout", on_checkout)
    yield settings.append
    event.remove(db.engine, "checkout", on_checkout)
    db.session.remove()
    db.engine.dispose()  # connections that carry the setting are closed, not reused


@pytest.fixture
def failing_statements(app: Flask) -> Iterator[Callable[..., list[str]]]:
    """fail(prefix, error) makes the next statements starting with prefix raise the driver's own
    error, as a lost connection or a broken disk does; returns the list of statements tried from
    the first failure on, to show the error page itself queried nothing."""
    state: dict[str, Any] = {"prefix": None}
    tried: list[str] = []

    def before(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if state["prefix"] is None:
            return
        if tried or statement.lstrip().upper().startswith(state["prefix"]):
            tried.append(statement)
        if statement.lstrip().upper().startswith(state["prefix"]):
            raise state["error"](conn.dialect.loaded_dbapi)

    def fail(prefix: str, error: Callable[[Any], Exception]) -> list[str]:
        state["prefix"], state["error"] = prefix, error
        return tried

    # On the Engine class, so the served app's own engine fails too.
    event.listen(sa.engine.Engine, "before_cursor_execute", before)
    yield fail
    event.remove(sa.engine.Engine, "before_cursor_execute", before)


def connection_lost(dbapi: Any) -> Exception:
    if dbapi.__name__.startswith("sqlite3"):
        return dbapi.OperationalError("disk I/O error")
    return dbapi.OperationalError("server closed the connection unexpectedly")


def assert_busy_page(response: Any) -> None:
    assert response.status_code == 503, text_of(response)[:300]
    assert response.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    text = text_of(response)
    assert BUSY in text and NOTHING_SAVED in text
    assert "Traceback" not in text and "OperationalError" not in text


def save_point(client: Any, measure: Measure, day: date, value: str = "5") -> Any:
    form = {"period": day.isoformat(), "value": value, "version": ""}
    return client.post(f"/measures/{measure.id}/points", data=form)


def points(measure: Measure) -> list[tuple[date, float]]:
    db.session.expire_all()
    query = sa.select(DataPoint.period_start, DataPoint.value).where(
        DataPoint.measure_id == measure.id
    )
    return [tuple(row) for row in db.session.execute(query)]


def test_write_waiting_past_the_lock_timeout_gets_503_and_a_retry_saves_once(
    world, client_for, measure, every_connection
):
    client = client_for(world.member_a)
    # Short waits for the test; the app's own busy timeout is 5 s (improve/extensions.py).
    every_connection("PRAGMA busy_timeout=200" if on_sqlite() else "SET lock_timeout = '200ms'")
    if on_sqlite():
        holder = sqlite3.connect(sqlite_path(), isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
    else:
        holder = psycopg.connect(driver_url())
        holder.execute("LOCK TABLE data_point IN EXCLUSIVE MODE")
    try:
        response = save_point(client, measure, date(2026, 3, 1))
        assert_busy_page(response)
    finally:
        holder.rollback() if isinstance(holder, psycopg.Connection) else holder.execute("ROLLBACK")
        holder.close()
    assert points(measure) == []

    assert save_point(client, measure, date(2026, 3, 1)).status_code == 303
    assert save_point(client, measure, date(2026, 3, 1)).status_code == 303
    assert points(measure) == [(date(2026, 3, 1), 5.0)]


def test_read_only_database_refuses_writes_with_503_and_still_shows_pages(
    world, client_for, measure, every_connection
):
    client = client_for(world.member_a)
    # Root ignores file modes, so the database is made read-only per connection instead.
    every_connection(
        "PRAGMA query_only=1" if on_sqlite() else "SET default_transaction_read_only = on"
    )

    assert_busy_page(save_point(client, measure, date(2026, 3, 1)))
    page = client.get(f"/measures/{measure.id}")
    assert page.status_code == 200 and "Falls a month" in text_of(page)
    assert points(measure) == []


def test_full_database_refuses_writes_with_503_and_still_shows_pages(
    world, client_for, aim, every_connection
):
    if not on_sqlite():
        pytest.skip("a full disk cannot be made safely on the shared PostgreSQL server")
    client = client_for(world.member_a)
    # No free pages, then no new ones: a comment longer than a page needs new (overflow) pages.
    raw = sqlite3.connect(sqlite_path(), isolation_level=None)
    raw.execute("VACUUM")
    pages = raw.execute("PRAGMA page_count").fetchone()[0]
    raw.close()
    every_connection(f"PRAGMA max_page_count={pages}")

    body = "The night staff tried a new routine and it helped. " * 90
    response = client.post(f"/aims/{aim.id}/comments", data={"comment-body": body})
    assert_busy_page(response)
    page = client.get(f"/aims/{aim.id}")
    assert page.status_code == 200 and "Fewer falls at night" in text_of(page)
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Comment)) == 0


def test_database_out_of_reach_shows_the_busy_page_without_querying_again(
    world, client_for, measure, failing_statements
):
    client = client_for(world.member_a)
    page = f"/measures/{measure.id}"
    tried = failing_statements("", connection_lost)  # every statement fails

    response = client.get(page)
    assert_busy_page(response)
    # The person could not be loaded, so the page is shown as to someone signed out.
    assert "Sign out" not in text_of(response)
    assert len(tried) == 1, tried  # the first query failed; the error page made none


def test_write_failing_midway_keeps_the_header_and_makes_no_query_for_the_page(
    world, client_for, measure, failing_statements
):
    client = client_for(world.member_a)
    tried = failing_statements("INSERT", connection_lost)

    response = save_point(client, measure, date(2026, 3, 1))
    assert_busy_page(response)
    assert "Sign out" in text_of(response)  # who is signed in was known before the failure
    assert [s.split()[0].upper() for s in tried] == ["INSERT"]
    assert points(measure) == []


@pytest.fixture
def served_app(database_url: str, app: Flask) -> Iterator[Flask]:
    """The app as gunicorn runs it (TESTING off), on the suite's database."""
    served = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "WTF_CSRF_ENABLED": False,
            "SERVER_NAME": "improve.test",
        }
    )
    yield served
    with served.app_context():
        db.engine.dispose()  # its own pool: closed now, not left for the garbage collector


def test_a_wrong_query_gets_the_500_page_and_a_busy_database_the_503_page(
    world, measure, served_app, failing_statements
):
    client = served_app.test_client()
    form = {"email": world.member_a.email, "password": PASSWORD}
    assert client.post("/sign-in", data=form).status_code == 303

    failing_statements("INSERT", lambda dbapi: dbapi.ProgrammingError("no such column: value"))
    response = save_point(client, measure, date(2026, 3, 1))
    assert response.status_code == 500
    text = text_of(response)
    assert "Sorry, there is a problem with the service" in text and "Nothing you entered" in text
    assert "Traceback" not in text and "no such column" not in text

    failing_statements("INSERT", connection_lost)
    assert_busy_page(save_point(client, measure, date(2026, 3, 1)))


def test_anything_unexpected_gets_the_500_page_when_served(
    world, measure, served_app, failing_statements
):
    client = served_app.test_client()
    form = {"email": world.member_a.email, "password": PASSWORD}
    assert client.post("/sign-in", data=form).status_code == 303

    page = f"/measures/{measure.id}"
    failing_statements("SELECT", lambda _dbapi: RuntimeError("a bug"))
    response = client.get(page)
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in text_of(response)
    assert "Traceback" not in text_of(response) and "a bug" not in text_of(response)
