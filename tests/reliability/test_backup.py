"""Backups (issue 7.6), as a drill: back up while gunicorn workers take writes, restore into a
scratch database, check it, and compare every table's row count with the moment of the backup.

SQLite uses `flask backup` (the online backup API); PostgreSQL the same command, which runs
`pg_dump --format=custom` with the counts taken in the dump's own snapshot, and `flask restore`,
which runs `pg_restore` into a new empty database. Each half runs on its own suite's database.
Then the ways a restore must refuse: a missing, foreign, damaged or too-new file.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import closing
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy.pool import NullPool

from improve import create_app
from tests.live_server import (
    LiveClient,
    database_kind,
    drop_database,
    flask_command,
    fresh_database_url,
)
from tests.reliability.workload import PASSWORD, PatientServer, build_world

COUNT_LINE = re.compile(r"^  (\w+)\s+(\d+)$", re.MULTILINE)


def printed_counts(output: str) -> dict[str, int]:
    """The per-table row counts a backup or restore command printed (without the total)."""
    return {name: int(rows) for name, rows in COUNT_LINE.findall(output) if name != "total"}


def database_counts(url: str) -> dict[str, int]:
    engine = sa.create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            names = [n for n in sa.inspect(connection).get_table_names() if n != "alembic_version"]
            return {
                name: connection.scalar(sa.text(f'SELECT count(*) FROM "{name}"'))  # noqa: S608
                for name in names
            }
    finally:
        engine.dispose()


def stored_points(url: str) -> dict[tuple[int, date], float]:
    engine = sa.create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text("SELECT measure_id, period_start, value FROM data_point")
            ).all()
    finally:
        engine.dispose()
    return {(measure, date.fromisoformat(str(period))): value for measure, period, value in rows}


class Writer(threading.Thread):
    """One signed-in person saving a new week's data point, one after another with a short pause,
    until stopped or out of weeks. Each acknowledged write (303) is kept with the moment it was
    acknowledged."""

    WEEKS = 50  # a new measure's table reaches a year back

    def __init__(self, base_url: str, email: str, measure_ids: list[int]) -> None:
        super().__init__(daemon=True)
        self.base_url, self.email, self.measure_ids = base_url, email, measure_ids
        self.acknowledged: list[tuple[float, tuple[int, date], float]] = []
        self.failures: list[str] = []
        self.stopping = threading.Event()

    def run(self) -> None:
        client = LiveClient(self.base_url)
        if client.sign_in(self.email, PASSWORD).status != 303:
            self.failures.append("could not sign in")
            return
        client.get(f"/measures/{self.measure_ids[0]}")  # a CSRF token for the signed-in session
        monday = date.today() - timedelta(days=date.today().weekday())
        for measure_id in self.measure_ids:
            for week in range(1, self.WEEKS + 1):
                if self.stopping.wait(0.1):
                    return
                # Values near one another: one far from the rest is asked about, not saved.
                self.save(client, measure_id, monday - timedelta(weeks=week), float(10 + week % 5))

    def save(self, client: LiveClient, measure_id: int, period: date, value: float) -> None:
        data = {"period": period.isoformat(), "value": f"{value:g}", "version": ""}
        try:
            reply = client.post(f"/measures/{measure_id}/points", data)
        except OSError as error:
            self.failures.append(repr(error))
            return
        if reply.status == 303:
            self.acknowledged.append((time.monotonic(), (measure_id, period), value))
        else:
            found = re.search(r'govuk-error-message">(.*?)</', reply.text, re.DOTALL)
            reason = re.sub(r"<[^>]+>|\s+", " ", found.group(1)) if found else ""
            self.failures.append(f"{period}: {reply.status} {reason.strip()}")

    def acknowledged_by(self, moment: float) -> dict[tuple[int, date], float]:
        return {key: value for at, key, value in list(self.acknowledged) if at <= moment}


def in_process(url: str, *args: str):
    """A `flask` command in this process (the app is already imported: quicker than a child)."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    try:
        return run(app, *args)
    finally:
        with app.app_context():
            from improve.extensions import db

            db.engine.dispose()


def after(writer: Writer, moment: float) -> bool:
    return bool(writer.acknowledged) and writer.acknowledged[-1][0] > moment


def wait_for(condition, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.mark.live
def test_a_backup_taken_under_load_restores_with_every_row_it_counted(tmp_path: Path):
    (tmp_path / "restore").mkdir()
    backup = tmp_path / ("improve.sqlite" if database_kind() == "sqlite" else "improve.dump")
    made_databases: list[str] = []
    try:
        source = fresh_database_url(tmp_path)
        made_databases.append(source)
        assert in_process(source, "db", "upgrade").exit_code == 0
        scratch = fresh_database_url(tmp_path / "restore")
        made_databases.append(scratch)
        world = build_world(source, people=8)
        points_at_start = len(stored_points(source))
        with PatientServer(source, workers=2) as server:
            ids = world.measure_ids
            writers = [
                Writer(server.url, world.emails[0], ids[0::2]),
                Writer(server.url, world.emails[1], ids[1::2]),
            ]
            for writer in writers:
                writer.start()
            wait_for(lambda: all(len(w.acknowledged) >= 5 or w.failures for w in writers))
            began = time.monotonic()
            made = flask_command(source, "backup", str(backup))
            finished = time.monotonic()
            # Writes must still be arriving after the backup, or it was not taken under load.
            wait_for(
                lambda: all(w.failures or not w.is_alive() or after(w, finished) for w in writers)
            )
            for writer in writers:
                writer.stopping.set()
            for writer in writers:
                writer.join(timeout=30)
        failures = [failure for writer in writers for failure in writer.failures]
        assert failures == []
        assert all(after(w, finished) for w in writers), "the writers ran out of weeks"
        before = {k: v for w in writers for k, v in w.acknowledged_by(began).items()}
        by_end = {k: v for w in writers for k, v in w.acknowledged_by(finished).items()}
        during = len(by_end) - len(before)
        assert during > 0, "no write was acknowledged while the backup ran"
        counted = printed_counts(made.stdout)

        restored = in_process(scratch, "restore", "--yes", str(backup))

        # The snapshot holds every write acknowledged before the backup began, and no more than
        # those acknowledged by its end (plus one in flight per writer).
        snapshot_points = counted["data_point"] - points_at_start
        assert len(before) <= snapshot_points <= len(by_end) + len(writers), made.stdout
        assert restored.exit_code == 0, restored.output
        assert printed_counts(restored.output) == counted
        assert database_counts(scratch) == counted
        assert counted["data_point"] > points_at_start and counted["user_account"] == 8
        if database_kind() == "sqlite":
            path = sa.make_url(scratch).database
            with closing(sqlite3.connect(path)) as check:
                assert check.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        if database_kind() == "postgresql":  # SQLite asks first: tested below
            again = in_process(scratch, "restore", "--yes", str(backup))
            assert again.exit_code == 1 and "is not empty" in again.output
        points = stored_points(scratch)
        assert all(points.get(key) == value for key, value in before.items())
        # Every restored point is a real one, as the server stored it.
        final = stored_points(source)
        assert all(final[key] == value for key, value in points.items())
        print(
            f"\n{database_kind()} backup drill: {len(by_end)} data points acknowledged "
            f"({during} while `flask backup` ran, {finished - began:.1f} s), snapshot "
            f"{snapshot_points}, {sum(counted.values())} rows in {len(counted)} tables restored"
        )
    finally:
        for url in made_databases:
            drop_database(url)


# Refusals --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def migrated_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, made once and copied for each test."""
    if database_kind() != "sqlite":
        pytest.skip("the SQLite backup commands are tested on the SQLite run")
    path = tmp_path_factory.mktemp("template") / "live.sqlite"
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    assert run(app, "db", "upgrade").exit_code == 0
    with app.app_context():
        from improve.extensions import db

        db.engine.dispose()
    return path


@pytest.fixture
def sqlite_app(migrated_file: Path, tmp_path: Path) -> Iterator[Flask]:
    """An app on a migrated SQLite file of its own (the suite's database has no Alembic version)."""
    shutil.copy(migrated_file, tmp_path / "live.sqlite")
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'live.sqlite'}"})
    yield app
    with app.app_context():
        from improve.extensions import db

        db.engine.dispose()


def run(app: Flask, *args: str, input: str | None = None):
    runner: FlaskCliRunner = app.test_cli_runner()
    with app.app_context():  # as `flask` gives every command
        return runner.invoke(args=list(args), input=input)


@pytest.fixture
def good_backup(sqlite_app: Flask, tmp_path: Path) -> Path:
    run(sqlite_app, "create-user", "kept@example.org", "--name", "Kept", "--password", "x" * 12)
    path = tmp_path / "good.sqlite"
    made = run(sqlite_app, "backup", str(path))
    assert made.exit_code == 0, made.output
    assert printed_counts(made.output)["user_account"] == 1
    return path


def damaged(good: Path) -> Path:
    path = good.with_name("damaged.sqlite")
    shutil.copy(good, path)
    with open(path, "r+b") as handle:
        for page in range(2, path.stat().st_size // 4096, 3):
            handle.seek(page * 4096)
            handle.write(b"\xff" * 64)
    return path


def future(good: Path) -> Path:
    path = good.with_name("future.sqlite")
    shutil.copy(good, path)
    with closing(sqlite3.connect(path)) as connection, connection:
        connection.execute("UPDATE alembic_version SET version_num = 'from_the_future'")
    return path


def foreign(good: Path) -> Path:
    path = good.with_name("notes.sqlite")
    with closing(sqlite3.connect(path)) as connection, connection:
        connection.execute("CREATE TABLE notes (body TEXT)")
    return path


def text_file(good: Path) -> Path:
    path = good.with_name("notes.txt")
    path.write_text("not a database\n" * 100)
    return path


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda good: good.with_name("missing.sqlite"), "no backup file at"),
        (text_file, "is not a SQLite database"),
        (damaged, "is damaged"),
        (foreign, "is not an improve backup"),
        (future, "was made by a newer version"),
    ],
)
@pytest.mark.parametrize("command", ["restore", "verify-backup"])
def test_a_bad_backup_is_refused_with_a_reason_and_nothing_changes(
    sqlite_app, good_backup, make, message, command
):
    path = make(good_backup)
    target = Path(sa.make_url(sqlite_app.config["SQLALCHEMY_DATABASE_URI"]).database)
    run(sqlite_app, "create-user", "new@example.org", "--name", "New", "--password", "x" * 12)

    extra = ["--yes"] if command == "restore" else []
    result = run(sqlite_app, command, *extra, str(path))

    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
    assert database_counts(f"sqlite:///{target}")["user_account"] == 2
    assert not list(target.parent.glob("*.before-restore-*"))


def test_restore_asks_first_and_keeps_the_database_it_replaces(sqlite_app, good_backup):
    run(sqlite_app, "create-user", "new@example.org", "--name", "New", "--password", "x" * 12)
    target = Path(sa.make_url(sqlite_app.config["SQLALCHEMY_DATABASE_URI"]).database)

    declined = run(sqlite_app, "restore", str(good_backup), input="n\n")
    assert declined.exit_code == 1
    assert database_counts(f"sqlite:///{target}")["user_account"] == 2

    accepted = run(sqlite_app, "restore", str(good_backup), input="y\n")
    assert accepted.exit_code == 0, accepted.output
    assert printed_counts(accepted.output)["user_account"] == 1
    assert database_counts(f"sqlite:///{target}")["user_account"] == 1
    [kept] = target.parent.glob("live.sqlite.before-restore-*")
    assert database_counts(f"sqlite:///{kept}")["user_account"] == 2
    with closing(sqlite3.connect(target)) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_backup_never_overwrites_a_file(sqlite_app, good_backup):
    before = good_backup.read_bytes()

    result = run(sqlite_app, "backup", str(good_backup))

    assert result.exit_code == 1
    assert "already exists" in result.output
    assert good_backup.read_bytes() == before


EXTRA_REVISION = '''"""a later change, for the restore-then-upgrade test"""
from alembic import op
import sqlalchemy as sa

revision = "zz_later"
down_revision = {head!r}
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("later_table", sa.Column("id", sa.Integer(), primary_key=True))


def downgrade():
    op.drop_table("later_table")
'''


def test_an_older_backup_is_upgraded_after_it_is_restored(sqlite_app, good_backup, tmp_path):
    """A backup made before a migration: the code's head has moved on by one revision."""
    from alembic.script import ScriptDirectory

    later = tmp_path / "migrations"
    shutil.copytree("migrations", later)
    [head] = ScriptDirectory(str(later)).get_heads()
    (later / "versions" / "zz_later.py").write_text(EXTRA_REVISION.format(head=head))
    sqlite_app.extensions["migrate"].directory = str(later)

    checked = run(sqlite_app, "verify-backup", str(good_backup))
    restored = run(sqlite_app, "restore", "--yes", str(good_backup))

    assert checked.exit_code == 0, checked.output
    assert "restore will upgrade it" in checked.output
    assert restored.exit_code == 0, restored.output
    assert "upgrading it" in restored.output
    assert printed_counts(restored.output)["later_table"] == 0
    assert printed_counts(restored.output)["user_account"] == 1


@pytest.fixture
def postgres_app(database_url: str) -> Iterator[Flask]:
    if database_kind() != "postgresql":
        pytest.skip("pg_dump and pg_restore are tested on the PostgreSQL run")
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    yield app
    with app.app_context():
        from improve.extensions import db

        db.engine.dispose()


def test_postgresql_refuses_a_file_that_is_not_a_good_archive(postgres_app, tmp_path, _schema):
    sqlite_file = tmp_path / "a.sqlite"
    sqlite_file.write_bytes(b"SQLite format 3\x00" + bytes(200))
    truncated = tmp_path / "cut.dump"
    truncated.write_bytes(b"PGDMP" + bytes(300))

    wrong_kind = run(postgres_app, "restore", str(sqlite_file))
    cut = run(postgres_app, "restore", str(truncated))

    assert wrong_kind.exit_code == cut.exit_code == 1
    assert "not a pg_dump custom-format archive (it is a SQLite database)" in wrong_kind.output
    assert "is damaged" in cut.output
