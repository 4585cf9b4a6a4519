"""The background worker: scheduled and slow work, outside any request.

It runs on huey. By default its queue is a SQLite file in the instance folder, so `make run`
needs nothing more than the app; a deployment with several app servers points IMPROVE_QUEUE_URL
at Redis. Start it with `flask worker` (make run does, beside gunicorn).

Jobs:
- deliver the outbox: when a request queues email (woken at once) and every minute (retries);
- report reminders and learning session reminders: every day at 07:00;
- the coordinators' digest: Mondays at 07:00.
The scheduled jobs also run once when the worker starts, so a worker that was down at 07:00
catches up; every reminder has an identity in the outbox, so none is sent twice.

Times are the worker's local clock: run it with TZ=Europe/London.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from functools import cache
from typing import Any

import redis
from flask import Flask, g, has_app_context
from huey import Huey, RedisHuey, SqliteHuey, crontab

from improve.config import queue_url
from improve.extensions import BACKGROUND_JOB

log = logging.getLogger(__name__)
# Reminders go out at this hour of the worker's clock, and a worker started later catches up;
# none goes in the night.
SEND_FROM_HOUR = 7


def _default_instance_path() -> str:
    """The instance folder create_app uses, found the same way (Flask's own rule)."""
    return Flask("improve", instance_relative_config=True).instance_path


def make_huey(url: str) -> Huey:
    """A huey on SQLite (sqlite:///path) or Redis (redis://host:port/db)."""
    if url.startswith(("redis://", "rediss://", "unix://")):
        # Timeouts: a request that wakes the worker must not hang on an unreachable Redis (the
        # email is safe in the outbox either way). Reads wait longer than huey's 1 s poll.
        pool = redis.ConnectionPool.from_url(url, socket_connect_timeout=2, socket_timeout=10)
        return RedisHuey("improve", connection_pool=pool, utc=False)
    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        return SqliteHuey("improve", filename=path, utc=False)
    raise ValueError(f"IMPROVE_QUEUE_URL must start with sqlite:/// or redis://, not {url!r}")


huey = make_huey(queue_url(_default_instance_path()))


@cache
def _worker_app() -> Flask:
    from improve import create_app

    return create_app()


@contextmanager
def job_context() -> Iterator[None]:
    """The app around a job, whose work is committed when the job ends (or rolled back if it
    fails). In the worker, its own app context; where one is already open (a test running a job
    by hand, or `flask` commands), that one."""
    if has_app_context():
        with _committed():
            yield
        return
    with _worker_app().app_context():
        g.setdefault(BACKGROUND_JOB, True)
        with _committed():
            yield


@contextmanager
def _committed() -> Iterator[None]:
    from improve.extensions import db

    try:
        yield
    except BaseException:
        db.session.rollback()
        raise
    db.session.commit()


def today() -> date:
    return date.today()


@huey.task()
def deliver_outbox() -> dict[str, int]:
    from improve.mail.delivery import deliver_due_messages

    with job_context():
        counts = deliver_due_messages()
    return vars(counts)


@huey.periodic_task(crontab(minute="*"))
def sweep_outbox() -> None:
    """Retries, and anything queued while the worker was down."""
    deliver_outbox.call_local()


@huey.periodic_task(crontab(minute="0", hour=str(SEND_FROM_HOUR)))
def daily_reminders() -> dict[str, int]:
    from improve import reminders

    with job_context():
        return reminders.send_daily_reminders(today())


@huey.periodic_task(crontab(minute="0", hour=str(SEND_FROM_HOUR), day_of_week="1"))
def weekly_digest() -> int:
    from improve import reminders

    with job_context():
        return reminders.send_coordinator_digests(today())


@huey.on_startup()
def _catch_up() -> None:
    """What a worker that was stopped at 07:00 missed: today's reminders, and this week's digest
    if it has not gone (each message's identity in the outbox stops a second copy)."""
    now = datetime.now()
    if now.hour >= SEND_FROM_HOUR:
        daily_reminders()
        weekly_digest()
    deliver_outbox()


def wake_for_mail() -> None:
    """Ask the worker to deliver email now. If the queue cannot be reached the email is not
    lost: it is in the outbox, and the worker's sweep sends it."""
    try:
        deliver_outbox()
    except Exception:  # the queue's storage is down: the minute sweep will deliver it
        log.warning("Could not wake the worker for email", exc_info=True)


def run_consumer(workers: int = 1, **options: Any) -> None:
    """Run the consumer in this process until stopped (Ctrl+C or SIGTERM)."""
    consumer = huey.create_consumer(workers=workers, periodic=True, **options)
    consumer.run()
