"""Faults against the app served by real gunicorn on loopback (issue 7, point 5).

A worker killed in the middle of a large import, the whole server killed under load, a request
running past gunicorn's timeout, PostgreSQL dropping every connection, and a write lock held past
the wait the app allows. After each: no acknowledged write is lost, no import is half-written,
the person gets a plain page rather than a traceback, and the server recovers by itself.
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from improve import create_app
from improve.extensions import db
from improve.models import (
    Aim,
    AuditEvent,
    Collaborative,
    DataPoint,
    Measure,
    Membership,
    Role,
    Team,
    User,
)
from tests.conftest import PASSWORD, cheap_password_hash
from tests.live_server import LiveClient, LiveServer, drop_database, prepare_database

pytestmark = pytest.mark.live

EMAIL = "member@example.org"
IMPORT_ROWS = 300  # weekly values: enough that saving them takes a few seconds
LOAD_SECONDS = 2.5
LOAD_CLIENTS = 3
BUSY_PAGE = ("The service is busy", "nothing was saved. Try again in a minute.")
# What a client sees when the process serving it dies mid-request: gunicorn, with no proxy in
# front, just closes the connection (a proxy such as nginx would answer 502 instead).
CONNECTION_DROPPED = (ConnectionError, http.client.HTTPException, OSError)


@dataclass
class Setup:
    url: str
    engine: sa.Engine
    import_measure: int
    load_measures: list[int]
    lock_measure: int
    tmp: Path


def _seed(url: str) -> tuple[int, list[int], int]:
    """One team member of one team, with weekly measures to write to."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        collaborative = Collaborative(
            name="Collaborative X",
            topic="Fewer falls at home",
            starts_on=date(2026, 1, 1),
            ends_on=date(2026, 12, 31),
        )
        team = Team(collaborative=collaborative, name="Team A", organisation="Riverside")
        user = User(
            email=EMAIL, display_name="Mo Member", password_hash=cheap_password_hash(PASSWORD)
        )
        aim = Aim(
            team=team,
            title="Fewer falls at night",
            what="Reduce falls in our home",
            for_whom="People who live at Riverside",
            location="Riverside Care Home",
            target_value=4.0,
            target_date=date(2027, 3, 31),
        )
        db.session.add_all([Membership(user=user, role=Role.TEAM_MEMBER, team=team), aim])
        db.session.flush()
        measures = []
        for number in range(LOAD_CLIENTS + 2):
            measure = Measure(
                name=f"Falls a week {number}",
                measure_type="outcome",
                value_kind="count",
                direction="decrease",
                frequency="weekly",
                baseline_start=date.today() - timedelta(weeks=150),
                collaborative_id=collaborative.id,
                team_id=team.id,
                aim_id=aim.id,
            )
            db.session.add(measure)
            measures.append(measure)
        db.session.commit()
        ids = [m.id for m in measures]
        db.session.remove()  # give back the connection reading the ids, before the pool goes
        db.engine.dispose()
    return ids[0], ids[1 : 1 + LOAD_CLIENTS], ids[-1]


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    """One migrated database for the module (each test writes to its own measures)."""
    tmp = tmp_path_factory.mktemp("faults")
    url = prepare_database(tmp)
    try:
        import_measure, load_measures, lock_measure = _seed(url)
        engine = sa.create_engine(url, poolclass=NullPool)
        yield Setup(url, engine, import_measure, load_measures, lock_measure, tmp)
        engine.dispose()
    finally:
        drop_database(url)


def start_server(server: LiveServer) -> LiveServer:
    """server.start(), allowing more than its 30 s: on a busy machine, each worker's import of
    the app has taken about that long (4 s of CPU)."""
    try:
        return server.start()
    except RuntimeError:
        try:
            server.wait_until_ready(120)  # raises at once if gunicorn has exited
        except RuntimeError:
            server.stop()
            raise
        return server


@pytest.fixture(scope="module")
def server(setup: Setup) -> Iterator[LiveServer]:
    """gunicorn as deployed (30 s timeout), shared by the tests after which it must have
    recovered by itself. SQLite waits for a lock for its busy timeout (5 s, improve/extensions.py);
    PostgreSQL has no lock timeout unless one is set, so libpq's PGOPTIONS gives the server's
    connections one of 1 s, as improve/config.py could."""
    env = {} if on_sqlite(setup) else {"PGOPTIONS": "-c lock_timeout=1000"}
    live = start_server(LiveServer(setup.url, workers=2, log_path=setup.tmp / "server.log", **env))
    try:
        yield live
    finally:
        live.stop()


def on_sqlite(setup: Setup) -> bool:
    return setup.engine.dialect.name == "sqlite"


def count_points(setup: Setup, measure_id: int) -> int:
    with setup.engine.connect() as connection:
        query = sa.select(sa.func.count()).where(DataPoint.measure_id == measure_id)
        return connection.scalar(query.select_from(DataPoint))


def count_point_audits(setup: Setup, measure_id: int) -> int:
    """Audit rows of data points entered for this measure (their summary names it)."""
    with setup.engine.connect() as connection:
        name = connection.scalar(sa.select(Measure.name).where(Measure.id == measure_id))
        query = sa.select(sa.func.count()).select_from(AuditEvent)
        query = query.where(
            AuditEvent.entity_type == "DataPoint",
            AuditEvent.summary.like(f"Entered {name} for %"),
        )
        return connection.scalar(query)


def periods(setup: Setup, measure_id: int) -> set[date]:
    with setup.engine.connect() as connection:
        query = sa.select(DataPoint.period_start).where(DataPoint.measure_id == measure_id)
        return set(connection.scalars(query))


def signed_in(server: LiveServer) -> LiveClient:
    client = LiveClient(server.url, timeout=60)
    assert client.sign_in(EMAIL, PASSWORD).status == 303
    return client


def post_point(client: LiveClient, measure_id: int, period: date, value: int = 5) -> Any:
    form = {"period": period.isoformat(), "value": str(value), "version": ""}
    return client.post(f"/measures/{measure_id}/points", form)


def save_point(client: LiveClient, measure_id: int, period: date, value: int = 5) -> Any:
    client.get(f"/measures/{measure_id}")  # the form's CSRF token
    return post_point(client, measure_id, period, value)


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def writer_busy(setup: Setup) -> bool:
    """True while some request holds an open write transaction (that has written, on
    PostgreSQL; that has taken the write lock, on SQLite)."""
    if on_sqlite(setup):
        probe = sqlite3.connect(setup.engine.url.database, timeout=0, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError:
            return True
        finally:
            probe.close()
    with setup.engine.connect() as connection:
        query = (
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND backend_xid IS NOT NULL "
            "AND pid <> pg_backend_pid()"
        )
        return bool(connection.exec_driver_sql(query).scalar())


def in_background(call: Any) -> tuple[threading.Thread, dict[str, Any]]:
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["reply"] = call()
        except CONNECTION_DROPPED as error:
            outcome["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


def wait_for(condition: Any, seconds: float, step: float = 0.02) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return False


def test_worker_killed_mid_import_saves_all_or_nothing_and_a_retry_succeeds(
    setup: Setup, server: LiveServer
):
    measure = setup.import_measure
    first = week_start(date.today()) - timedelta(weeks=IMPORT_ROWS)
    csv = "date,value,note\n" + "".join(
        f"{(first + timedelta(weeks=n)).isoformat()},{n % 7},week {n}\n" for n in range(IMPORT_ROWS)
    )
    client = signed_in(server)
    client.get(f"/measures/{measure}/import")
    preview = client.post(
        f"/measures/{measure}/import", files={"upload": ("falls.csv", csv.encode(), "text/csv")}
    )
    assert preview.status == 200, preview.text[:500]
    payload = {"payload": _payload(preview.text)}
    confirm = f"/measures/{measure}/import/confirm"

    thread, outcome = in_background(lambda: client.post(confirm, payload))
    # Kill as soon as the import holds its write transaction: saving 300 rows takes a few tenths
    # of a second on a fast run, so waiting any longer could let it commit first.
    assert wait_for(lambda: writer_busy(setup), 30, step=0.005), "the import never started writing"
    killed = server.worker_pids()
    for pid in killed:
        os.kill(pid, signal.SIGKILL)
    thread.join(30)

    assert "error" in outcome, f"the import finished before the kill: {outcome}"
    saved = count_points(setup, measure)
    assert saved == 0, f"{saved} of {IMPORT_ROWS} rows were left behind by the killed import"
    assert count_point_audits(setup, measure) == 0

    # gunicorn starts new workers; nobody has to do anything.
    assert wait_for(lambda: not set(killed) & set(server.worker_pids()), 30)
    server.wait_until_ready()
    assert client.get(f"/measures/{measure}").status == 200
    started = time.monotonic()
    retry = client.post(confirm, payload)
    took = time.monotonic() - started
    assert retry.status == 303, retry.text[:500]
    assert count_points(setup, measure) == IMPORT_ROWS
    assert count_point_audits(setup, measure) == IMPORT_ROWS
    print(f"import of {IMPORT_ROWS} rows took {took:.1f} s")


def _payload(html: str) -> str:
    match = re.search(r'name="payload"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="payload"', html
    )
    assert match, "no signed payload on the preview page"
    return match[1]


def test_whole_server_killed_under_load_keeps_every_acknowledged_write(setup: Setup):
    acknowledged: list[tuple[int, date]] = []
    answers: list[int] = []
    stop = threading.Event()
    errors: list[BaseException] = []

    def write(server: LiveServer, measure: int) -> None:
        try:
            client = signed_in(server)
            client.get(f"/measures/{measure}")  # the CSRF token, good for the whole session
            period = week_start(date.today()) - timedelta(weeks=140)
            while not stop.is_set():
                reply = post_point(client, measure, period)
                answers.append(reply.status)
                if reply.status == 303:
                    acknowledged.append((measure, period))
                period += timedelta(weeks=1)
        except CONNECTION_DROPPED:
            pass  # the server died under this request: it was never acknowledged
        except BaseException as error:  # noqa: BLE001  (reported by the test below)
            errors.append(error)

    server = start_server(LiveServer(setup.url, workers=2, log_path=setup.tmp / "load.log"))
    try:
        threads = [
            threading.Thread(target=write, args=(server, m), daemon=True)
            for m in setup.load_measures
        ]
        for thread in threads:
            thread.start()
        # Writing for a while, every client having been acknowledged a few times (a slow, shared
        # machine takes longer to get there), then the kill lands among requests in flight.
        time.sleep(LOAD_SECONDS)
        wait_for(lambda: len(acknowledged) >= 3 * LOAD_CLIENTS, 60, step=0.1)
        server.kill_everything()  # mid-request for every client: a power cut
        stop.set()
        for thread in threads:
            thread.join(30)
    finally:
        server.stop()

    assert not errors, errors
    assert acknowledged, "no write was acknowledged before the kill"
    assert set(answers) == {303}, f"answers before the kill: {sorted(set(answers))}"
    if on_sqlite(setup):
        with sqlite3.connect(setup.engine.url.database) as check:
            assert check.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    restarted = start_server(LiveServer(setup.url, workers=2))
    try:
        present = {(m, p) for m in setup.load_measures for p in periods(setup, m)}
        missing = set(acknowledged) - present
        assert not missing, f"{len(missing)} acknowledged writes lost: {sorted(missing)[:5]}"
        client = signed_in(restarted)
        assert client.get(f"/measures/{setup.load_measures[0]}").status == 200
        assert save_point(client, setup.load_measures[0], week_start(date.today())).status == 303
    finally:
        restarted.stop()
    print(f"{len(acknowledged)} writes acknowledged before the kill, all present after it")


class WriteLock:
    """The write lock on the data points, held from the test's own connection."""

    def __init__(self, setup: Setup) -> None:
        self.setup = setup
        self.connection: Any = None

    def __enter__(self) -> WriteLock:
        if on_sqlite(self.setup):
            self.connection = sqlite3.connect(self.setup.engine.url.database, isolation_level=None)
            self.connection.execute("BEGIN IMMEDIATE")
        else:
            url = self.setup.engine.url.set(drivername="postgresql")
            self.connection = psycopg.connect(url.render_as_string(hide_password=False))
            self.connection.execute("LOCK TABLE data_point IN EXCLUSIVE MODE")
        return self

    def __exit__(self, *_exc: object) -> None:
        if on_sqlite(self.setup):
            self.connection.execute("ROLLBACK")
        else:
            self.connection.rollback()
        self.connection.close()


def test_request_past_gunicorn_timeout_is_cut_off_and_the_next_one_works(setup: Setup):
    measure = setup.lock_measure
    period = week_start(date.today()) - timedelta(weeks=3)
    log = setup.tmp / "timeout.log"
    # A 3 s timeout: the write waits behind the lock longer than that (PostgreSQL without a
    # lock_timeout waits for ever; SQLite's busy wait is 5 s, and gunicorn kills by about 5 s).
    server = start_server(LiveServer(setup.url, workers=2, timeout=3, log_path=log))
    try:
        client = prepared(server, measure)
        before = set(server.worker_pids())
        with WriteLock(setup):
            started = time.monotonic()
            try:
                reply = post_point(client, measure, period)
            except CONNECTION_DROPPED:
                reply = None
            cut_off = time.monotonic() - started
        # Waiting in C (SQLite's busy wait), the worker cannot act on gunicorn's SIGABRT and is
        # killed: the connection drops. Waiting in Python (psycopg), it exits at once and
        # gunicorn answers its own bare "Internal Server Error" page, with no traceback.
        if reply is not None:
            assert reply.status == 500, (reply.status, reply.text[:300])
            assert "Internal Server Error" in reply.text and "Traceback" not in reply.text
        assert period not in periods(setup, measure)
        assert "WORKER TIMEOUT" in log.read_text()
        replaced = wait_for(lambda: bool(before - set(server.worker_pids())), 30)
        assert replaced, "the worker that timed out is still there"
        server.wait_until_ready()
        assert save_point(client, measure, period).status == 303
        assert period in periods(setup, measure)
    finally:
        server.stop()
    outcome = f"gunicorn's {reply.status}" if reply else "the connection dropped"
    print(f"cut off after {cut_off:.1f} s: {outcome}")


def prepared(server: LiveServer, measure: int) -> LiveClient:
    """Signed in, with the measure's form token. With a timeout this short, an ordinary page can
    itself be cut off on a busy machine: try a few times."""
    for _ in range(5):
        try:
            client = LiveClient(server.url, timeout=60)
            if (
                client.sign_in(EMAIL, PASSWORD).status == 303
                and client.get(f"/measures/{measure}").status == 200
            ):
                return client
        except CONNECTION_DROPPED:
            pass
        server.wait_until_ready()
    raise AssertionError("could not sign in and load the measure page")


def test_write_lock_past_the_wait_gets_the_busy_page_then_works(setup: Setup, server: LiveServer):
    measure = setup.lock_measure
    period = week_start(date.today()) - timedelta(weeks=5)
    client = signed_in(server)
    client.get(f"/measures/{measure}")
    with WriteLock(setup):
        started = time.monotonic()
        reply = post_point(client, measure, period)
        waited = time.monotonic() - started
    assert reply.status == 503, reply.text[:500]
    assert reply.headers.get("Retry-After") == "60"
    assert all(words in reply.text for words in BUSY_PAGE)
    assert "Traceback" not in reply.text
    assert period not in periods(setup, measure)
    assert save_point(client, measure, period).status == 303
    assert period in periods(setup, measure)
    print(f"busy page after {waited:.1f} s")


def test_postgresql_dropping_every_connection_is_survived_without_an_error(
    setup: Setup, server: LiveServer
):
    """pg_terminate_backend ends every connection the server holds, which is what the app sees
    when PostgreSQL restarts: each pooled connection is dead on its next use. The shared
    PostgreSQL server itself is not restarted, as other test workers are using it. The next
    requests must work: pool_pre_ping (improve/config.py) finds the dead connections before
    a query goes to them and opens new ones."""
    if on_sqlite(setup):
        pytest.skip("PostgreSQL only")
    measure = setup.lock_measure
    client = signed_in(server)
    for _ in range(4):  # every worker has a pooled connection
        assert client.get(f"/measures/{measure}").status == 200
    with setup.engine.connect() as connection:
        ended = connection.exec_driver_sql(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).scalar()
    assert ended >= 1
    replies = [client.get(f"/measures/{measure}").status for _ in range(4)]
    period = week_start(date.today()) - timedelta(weeks=8)
    replies.append(save_point(client, measure, period).status)
    assert replies == [200, 200, 200, 200, 303]
    assert period in periods(setup, measure)
