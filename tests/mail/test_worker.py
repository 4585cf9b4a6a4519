"""The background worker: on its default SQLite storage (what `make run` uses), and on Redis (a
deployment; required in CI, skipped elsewhere when no Redis answers)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from flask import Flask

from improve.extensions import db
from improve.mail import queue_email
from improve.models import OutboxMessage, OutboxStatus
from improve.worker import huey, make_huey
from tests.mail.conftest import Inbox, text_of

REDIS_URL = os.environ.get("IMPROVE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
ROOT = Path(__file__).resolve().parents[2]


def _queue_invitation(person) -> None:
    queue_email(
        "invitation",
        person,
        "You are invited to improve",
        "report_due",  # any template will do: the test is about the worker
        {
            "team": person,
            "label": "November 2026",
            "due": __import__("datetime").date(2026, 12, 10),
            "days_left": 3,
            "report_url": "http://improve.test/r",
        },
    )


def test_saving_wakes_the_worker_through_its_sqlite_queue(inbox: Inbox, make_user) -> None:
    assert type(huey.storage).__name__ == "SqliteStorage"
    huey.flush()
    _queue_invitation(make_user(email="new@example.org"))
    db.session.commit()  # the commit, not the queueing, asks for delivery
    task = huey.dequeue()
    assert task is not None and task.name.endswith("deliver_outbox")
    assert huey.execute(task) == {"sent": 1, "retrying": 0, "failed": 0}
    assert "in 3 days" in text_of(inbox.to("new@example.org")[0])


def test_a_rolled_back_save_does_not_wake_the_worker(app: Flask, make_user) -> None:
    person = make_user()
    huey.flush()
    _queue_invitation(person)
    db.session.rollback()
    assert huey.pending_count() == 0


def _worker(database_url: str, queue_url: str, port: int, tmp_path: Path) -> subprocess.Popen:
    environment = {
        **os.environ,
        "FLASK_APP": "improve",
        "IMPROVE_DATABASE_URL": database_url,
        "IMPROVE_QUEUE_URL": queue_url,
        "IMPROVE_BASE_URL": "http://improve.test",
        "IMPROVE_MAIL_SERVER": "127.0.0.1",
        "IMPROVE_MAIL_PORT": str(port),
        "IMPROVE_MAIL_SECURITY": "none",
        "IMPROVE_MAIL_FROM": "improve <no-reply@improve.test>",
    }
    with (tmp_path / "worker.log").open("w") as log:
        # The child keeps its own copy of the file descriptor.
        return subprocess.Popen(  # noqa: S603 - our own command, with arguments we chose
            [sys.executable, "-m", "flask", "worker"],
            cwd=ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


@pytest.fixture
def stop() -> Iterator[list[subprocess.Popen]]:
    started: list[subprocess.Popen] = []
    yield started
    for process in started:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def _wait_for(inbox: Inbox, address: str, tmp_path: Path, seconds: float = 40) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if inbox.to(address):
            return
        time.sleep(0.2)
    log = (tmp_path / "worker.log").read_text()
    pytest.fail(f"No email reached {address} within {seconds} s. Worker log:\n{log[-3000:]}")


def _run_worker_and_wait(
    app: Flask, smtp_server, make_user, queue_url: str, tmp_path: Path, stop
) -> None:
    inbox, port = smtp_server
    _queue_invitation(make_user(email="invited@example.org"))
    db.session.commit()
    stop.append(_worker(app.config["SQLALCHEMY_DATABASE_URI"], queue_url, port, tmp_path))
    _wait_for(inbox, "invited@example.org", tmp_path)
    # The worker records the delivery just after the server accepts the message.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        db.session.rollback()
        if db.session.query(OutboxMessage).one().status == OutboxStatus.SENT:
            return
        time.sleep(0.2)
    pytest.fail("The worker did not record the message as sent")


@pytest.mark.live
def test_the_worker_process_delivers_from_its_sqlite_queue(
    app: Flask, smtp_server, make_user, tmp_path: Path, stop
) -> None:
    queue = f"sqlite:///{tmp_path / 'queue.sqlite'}"
    _run_worker_and_wait(app, smtp_server, make_user, queue, tmp_path, stop)


def _redis_or_skip() -> None:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("IMPROVE_REQUIRE_REDIS"):
            raise
        pytest.skip(f"No Redis at {REDIS_URL} (CI starts one and requires it)")


@pytest.mark.live
def test_the_worker_process_delivers_from_a_redis_queue(
    app: Flask, smtp_server, make_user, tmp_path: Path, stop, worker_id: str
) -> None:
    _redis_or_skip()
    make_huey(REDIS_URL).flush()  # an earlier run's leftovers
    _run_worker_and_wait(app, smtp_server, make_user, REDIS_URL, tmp_path, stop)


def test_a_jobs_long_read_leaves_sqlite_free_for_saving(app: Flask, make_user) -> None:
    """The digest reads a whole collaborative inside `reading_only`: on SQLite that read must
    not hold the write lock (a job's other transactions take it at once, BEGIN IMMEDIATE)."""
    import sqlalchemy as sa
    from flask import g

    from improve.extensions import BACKGROUND_JOB, reading_only
    from improve.models import User

    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL readers never block writers")
    make_user()
    other = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    g.setdefault(BACKGROUND_JOB, True)
    try:
        with reading_only():
            db.session.execute(sa.select(User.id)).all()  # the job's read transaction is open
            with other.begin() as connection:  # someone saving meanwhile: no wait, no error
                connection.execute(sa.update(User).values(phone="01632 960 001"))
    finally:
        g.pop(BACKGROUND_JOB)
        other.dispose()
