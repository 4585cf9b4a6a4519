"""Flask extensions, created here and bound to the app in create_app."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import click
from flask import current_app, g, has_app_context, has_request_context, request
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from htmx_flask import Htmx
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from improve.models.base import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
login_manager = LoginManager()
htmx = Htmx()

# Requests that only read (RFC 9110 safe methods).
READING_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_READS_ONLY = "_improve_reads_only"
_STOPPED_WRITING = "improve_stopped_writing"


View = TypeVar("View", bound=Callable[..., Any])


def reads_only(view: View) -> View:
    """Mark a view whose POST only reads (a preview, a check): it takes no write lock.

    Such a POST begins SQLite's transaction deferred, like a GET, and loads records without
    PostgreSQL's FOR UPDATE, so slow work in it (reading an uploaded file) never makes other
    people's saves wait. A marked view that tries to write anyway fails loudly (see
    `_refuse_writes_in_reading_views`) rather than racing for the lock it did not take."""
    setattr(view, _READS_ONLY, True)
    return view


def request_may_write() -> bool:
    """Whether the current request may write: not a GET (or other safe method), not a view
    marked with `reads_only`, and not after the view called `stop_writing`."""
    if request.method in READING_METHODS or g.get(_STOPPED_WRITING, False):
        return False
    view = current_app.view_functions.get(request.endpoint or "")
    return not getattr(view, _READS_ONLY, False)


BACKGROUND_JOB = "improve_background_job"
_JOB_READING = "improve_job_reading"


@contextmanager
def reading_only() -> Iterator[None]:
    """In a background job: the queries inside read one snapshot without taking SQLite's write
    lock (people keep saving meanwhile). Nothing may be written inside; the read transaction
    ends when the block does."""
    db.session.commit()
    g.setdefault(_JOB_READING, True)
    try:
        yield
        db.session.commit()
    finally:
        g.pop(_JOB_READING, None)


def stop_writing() -> None:
    """End this request's transaction, and take no write lock for the rest of it: for a view that
    has decided to save nothing and has slow work left (scanning many notes, drawing a long
    page). Later queries begin as a GET's do; a write after this fails loudly."""
    db.session.commit()
    g.setdefault(_STOPPED_WRITING, True)


@event.listens_for(Session, "before_flush")
def _refuse_writes_in_reading_views(session: Session, *_args: object) -> None:
    """A `reads_only` view's transaction did not take the write lock: a write there is a bug."""
    if has_request_context() and request.method not in READING_METHODS and not request_may_write():
        raise RuntimeError(f"{request.endpoint} is marked reads_only but tried to write")


# The records a page looks up again and again by id (its team, collaborative, aim, measure,
# the person signed in). The session's identity map holds objects weakly: a team checked for
# permission and then dropped was read again by the next `session.get`, a query each time.
_HELD_BY_ID = ("Team", "Collaborative", "Aim", "Measure", "User")


@event.listens_for(Session, "loaded_as_persistent")
def _hold_records_read_by_id(session: Session, instance: object) -> None:
    """Keep those records alive for the session (one request), so `get` finds them."""
    if type(instance).__name__ in _HELD_BY_ID:
        session.info.setdefault("held", []).append(instance)


def _is_sqlite(dbapi_connection: object) -> bool:
    return type(dbapi_connection).__module__ == "sqlite3"


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, _record) -> None:  # noqa: ANN001
    """SQLite ignores foreign keys unless asked, fails at once on a lock unless told to wait, and
    lets readers and a writer work side by side only in WAL mode."""
    if not _is_sqlite(dbapi_connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def sqlite_begin() -> str | None:
    """The BEGIN for a new SQLite transaction here, or None to leave it to the sqlite3 driver.

    In WAL mode a transaction that has read and then tries to write, after another process wrote
    in between, fails at once with "database is locked": the busy timeout cannot help, because
    its snapshot is already out of date. BEGIN IMMEDIATE takes the write lock first, so writers
    queue (up to the busy timeout) and then read what the previous writer saved: a stale edit is
    then seen as a conflict instead of failing. But a write lock held by every page view would
    make readers queue behind each other too, so:

    - requests that may write (POST and the like) and `flask` commands: BEGIN IMMEDIATE;
    - requests that only read (GET and the like, and views marked `reads_only`): a plain
      (deferred) BEGIN, so a page reads one consistent snapshot
      and never waits for a writer;
    - anything else (an interactive `flask shell`, the test suite's own set-up): the driver's
      usual behaviour, which begins a transaction only at the first write. Holding a write lock
      there would stop the app writing while someone sits in the shell.
    """
    if has_request_context():
        return "BEGIN IMMEDIATE" if request_may_write() else "BEGIN"
    if has_app_context() and g.get(BACKGROUND_JOB, False):
        # A worker's job: short transactions that mostly write, except its long reads (a
        # collaborative's overview for the digest), which run in `reading_only` and must not
        # hold the write lock while they read.
        return "BEGIN" if g.get(_JOB_READING, False) else "BEGIN IMMEDIATE"
    command = click.get_current_context(silent=True)
    if command is not None and command.info_name != "shell":
        return "BEGIN IMMEDIATE"
    return None


@event.listens_for(Engine, "begin")
def _begin_sqlite(connection: Connection) -> None:
    """Emit SQLite's BEGIN ourselves, as SQLAlchemy's SQLite docs describe ("Enabling
    Non-Legacy SQLite Transactional Modes"): the sqlite3 driver only ever sends a plain BEGIN,
    and only before INSERT, UPDATE or DELETE, so it can neither take the write lock up front nor
    make migrations' DDL transactional."""
    if connection.dialect.name != "sqlite":
        return
    if connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
        return
    dbapi_connection = connection.connection.dbapi_connection
    begin = sqlite_begin()
    if begin is None:
        dbapi_connection.isolation_level = ""  # the driver's own (deferred, at the first write)
        return
    # None switches the driver's own BEGIN off; no transaction is open yet, so nothing commits.
    dbapi_connection.isolation_level = None
    connection.exec_driver_sql(begin)
