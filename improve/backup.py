"""`flask backup`, `flask verify-backup` and `flask restore` (issue 7).

SQLite: the online backup API copies the database page by page inside one read transaction, so
the copy is a consistent snapshot even while gunicorn workers write (WAL lets them carry on).
PostgreSQL: `pg_dump --format=custom`, run for you when it is on PATH, with the row counts taken
in the same snapshot as the dump (`--snapshot`); `pg_restore` restores into an empty database.

Every command prints the row count of each table, so a drill can compare source and restore.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sqlite3

# pg_dump and pg_restore run with argument lists, never through a shell.
import subprocess  # nosec B404
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import click
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask import Flask, current_app
from flask.cli import with_appcontext

from improve.extensions import db

SQLITE_HEADER = b"SQLite format 3\x00"
PG_ARCHIVE_HEADER = b"PGDMP"
VERSION_TABLE = "alembic_version"


# What the code knows about the schema ------------------------------------------------------------


def _scripts() -> ScriptDirectory:
    return ScriptDirectory(current_app.extensions["migrate"].directory)


def schema_status(revision: str | None) -> str:
    """'current' if a backup's schema revision is the code's head, 'older' if it is an ancestor
    (restore then upgrades it), 'unknown' otherwise (made by a newer version of improve)."""
    scripts = _scripts()
    if revision in scripts.get_heads():
        return "current"
    known = {script.revision for script in scripts.walk_revisions()}
    return "older" if revision in known else "unknown"


def _check_schema(revision: str | None) -> str:
    status = schema_status(revision)
    if status == "unknown":
        head = ", ".join(_scripts().get_heads())
        raise click.ClickException(
            f"the backup's schema (revision {revision}) is not one this version of improve knows "
            f"(its newest is {head}): it was made by a newer version. Restore it with that "
            "version, or upgrade improve first."
        )
    return status


# Output -------------------------------------------------------------------------------------------


def _size(path: Path) -> str:
    size = path.stat().st_size
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{size / 1024:.0f} kB"


def _echo_counts(counts: dict[str, int]) -> None:
    width = max((len(name) for name in counts), default=0)
    for name, rows in counts.items():
        click.echo(f"  {name:<{width}}  {rows:>9}")
    click.echo(f"  {'total':<{width}}  {sum(counts.values()):>9}")


# SQLite -------------------------------------------------------------------------------------------


def _sqlite_path(url: sa.URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise click.ClickException("the configured SQLite database is in memory: nothing to copy")
    return Path(url.database)


def _sqlite_counts(connection: sqlite3.Connection) -> dict[str, int]:
    """Rows in every table of ours (not SQLite's own, not Alembic's), by name."""
    names = [
        row[0]
        for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND name != ? ORDER BY name",
            (VERSION_TABLE,),
        )
    ]
    # Names come from sqlite_master, not from a user, and are quoted.
    counts = {}
    for name in names:
        query = f'SELECT count(*) FROM "{name}"'  # nosec B608
        counts[name] = connection.execute(query).fetchone()[0]
    return counts


def _sqlite_revision(connection: sqlite3.Connection) -> str | None:
    try:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError:
        return None
    return row[0] if row else None


def _integrity_problems(connection: sqlite3.Connection) -> list[str]:
    rows = [row[0] for row in connection.execute("PRAGMA integrity_check")]
    return [] if rows == ["ok"] else rows


def _open_read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode=ro", uri=True, timeout=30)


def check_sqlite_backup(path: Path) -> tuple[str, dict[str, int]]:
    """The schema revision and row counts of a SQLite backup, or a ClickException saying why it
    cannot be restored: not SQLite, damaged, not ours."""
    with open(path, "rb") as handle:
        header = handle.read(len(SQLITE_HEADER))
    if header != SQLITE_HEADER:
        what = "a PostgreSQL archive" if header.startswith(PG_ARCHIVE_HEADER) else "SQLite"
        raise click.ClickException(
            f"{path} is not a SQLite database"
            + (f" (it is {what}: restore it into PostgreSQL)" if what != "SQLite" else "")
        )
    try:
        with closing(_open_read_only(path)) as connection:
            problems = _integrity_problems(connection)
            if problems:
                raise click.ClickException(
                    f"{path} is damaged: the integrity check found "
                    f"{len(problems)} problem(s), first: {problems[0]}"
                )
            revision = _sqlite_revision(connection)
            counts = _sqlite_counts(connection)
    except sqlite3.DatabaseError as error:
        raise click.ClickException(f"{path} is damaged: {error}") from error
    if revision is None:
        raise click.ClickException(f"{path} is not an improve backup: it has no schema version")
    return revision, counts


@contextmanager
def _new_file_beside(path: Path) -> Iterator[Path]:
    """A temporary file next to `path`, moved into place only if the block succeeds, so a failed
    backup never leaves a half-written file under the name asked for."""
    descriptor, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(descriptor)
    temporary = Path(name)
    try:
        yield temporary
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def sqlite_backup(source: Path, target: Path) -> tuple[str | None, dict[str, int]]:
    """Copy `source` to the new file `target` with the online backup API. The counts are taken in
    the same read transaction as the copy, then checked against the copy."""
    with _new_file_beside(target) as temporary:
        # isolation_level=None: we open the read transaction ourselves, so the counts and the
        # copy see one snapshot while workers go on writing to the WAL.
        with closing(sqlite3.connect(source, timeout=30, isolation_level=None)) as live:
            live.execute("BEGIN")
            snapshot = _sqlite_counts(live)
            with closing(sqlite3.connect(temporary, isolation_level=None)) as copy:
                live.backup(copy)  # all pages in one step: inside our read transaction
                live.execute("COMMIT")
                # One self-contained file: no -wal or -shm beside it.
                copy.execute("PRAGMA journal_mode=DELETE")
                problems = _integrity_problems(copy)
                copied = _sqlite_counts(copy)
                revision = _sqlite_revision(copy)
        if problems:
            raise click.ClickException(f"the copy failed its integrity check: {problems[0]}")
        if copied != snapshot:
            raise click.ClickException("the copy's row counts differ from the database's")
        with open(temporary, "rb") as handle:
            os.fsync(handle.fileno())
    return revision, snapshot


def _sqlite_restore(backup: Path, target: Path, yes: bool) -> str:
    revision, counts = check_sqlite_backup(backup)
    status = _check_schema(revision)
    click.echo(f"{backup} is a good backup (schema {revision}, {sum(counts.values())} rows).")
    if target.exists() and target.stat().st_size > 0:
        if not yes:
            click.confirm(
                f"Replace every record in {target} with the backup? Stop the app first.",
                abort=True,
            )
        # A way back if the wrong file was chosen.
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        safety = target.with_name(f"{target.name}.before-restore-{stamp}")
        sqlite_backup(target, safety)
        click.echo(f"The database as it was is kept in {safety}.")
    with (
        closing(_open_read_only(backup)) as source,
        closing(sqlite3.connect(target, timeout=30, isolation_level=None)) as live,
    ):
        # Through the backup API, not a file copy: the target's WAL and any open readers stay
        # consistent, and the replacement is one transaction.
        try:
            source.backup(live)
            live.execute("PRAGMA journal_mode=WAL")
        except sqlite3.Error as error:
            raise click.ClickException(
                f"could not restore into {target}: {error}. Stop the app and try again."
            ) from error
    return status


# PostgreSQL ---------------------------------------------------------------------------------------


def _libpq(url: sa.URL) -> tuple[str, dict[str, str]]:
    """The URL pg_dump understands, without the password, and the environment carrying it."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _shown(url: sa.URL, *args: str) -> str:
    """A command line for the operator, the password hidden."""
    shown = url.set(drivername="postgresql").render_as_string(hide_password=True)
    return shlex.join([*args, f"--dbname={shown}"])


def _tool(name: str, url: sa.URL, *args: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise click.ClickException(
            f"{name} is not installed (Debian: apt install postgresql-client). Run:\n  "
            + _shown(url, name, *args)
        )
    return found


def _table_counts(connection: sa.Connection) -> dict[str, int]:
    names = sorted(
        name for name in sa.inspect(connection).get_table_names() if name != VERSION_TABLE
    )
    # Names come from the catalogue, not from a user, and are quoted.
    counts = {}
    for name in names:
        query = f'SELECT count(*) FROM "{name}"'  # nosec B608
        counts[name] = connection.execute(sa.text(query)).scalar_one()
    return counts


def _pg_backup(url: sa.URL, target: Path) -> tuple[str | None, dict[str, int]]:
    args = ["--format=custom", "--no-owner", f"--file={target}"]
    pg_dump = _tool("pg_dump", url, "pg_dump", *args)
    dbname, env = _libpq(url)
    click.echo("Running: " + _shown(url, "pg_dump", *args))
    with (
        _new_file_beside(target) as temporary,
        db.engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection,
    ):
        # The counts and pg_dump share this transaction's snapshot, so they describe the same
        # moment however many writes arrive meanwhile.
        snapshot = connection.execute(sa.text("SELECT pg_export_snapshot()")).scalar_one()
        counts = _table_counts(connection)
        revision = connection.execute(
            sa.text("SELECT version_num FROM alembic_version")
        ).scalar_one_or_none()
        result = subprocess.run(  # nosec B603
            [pg_dump, "--format=custom", "--no-owner", f"--snapshot={snapshot}"]
            + [f"--file={temporary}", f"--dbname={dbname}"],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        connection.rollback()
        if result.returncode != 0:
            raise click.ClickException(f"pg_dump failed: {result.stderr.strip()}")
    return revision, counts


def _pg_archive_revision(path: Path, url: sa.URL) -> str | None:
    """The Alembic revision inside a pg_dump archive, or a ClickException if it is unreadable."""
    with open(path, "rb") as handle:
        header = handle.read(len(SQLITE_HEADER))
    if not header.startswith(PG_ARCHIVE_HEADER):
        what = " (it is a SQLite database)" if header == SQLITE_HEADER else ""
        raise click.ClickException(f"{path} is not a pg_dump custom-format archive{what}")
    pg_restore = _tool("pg_restore", url, "pg_restore", str(path))
    result = subprocess.run(  # nosec B603
        [pg_restore, "--data-only", f"--table={VERSION_TABLE}", "--file=-", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise click.ClickException(f"{path} is damaged: {result.stderr.strip()}")
    lines = result.stdout.splitlines()
    for number, line in enumerate(lines):
        if line.startswith(f"COPY public.{VERSION_TABLE} "):
            value = lines[number + 1] if number + 1 < len(lines) else "\\."
            return None if value == "\\." else value.strip()
    return None


def _pg_restore(backup: Path, url: sa.URL) -> str:
    revision = _pg_archive_revision(backup, url)
    if revision is None:
        raise click.ClickException(f"{backup} is not an improve backup: it has no schema version")
    status = _check_schema(revision)
    with db.engine.connect() as connection:
        tables = sa.inspect(connection).get_table_names()
    if tables:
        raise click.ClickException(
            f"the database {url.database} is not empty ({len(tables)} tables). Restore into a "
            "new empty database (createdb NAME), point IMPROVE_DATABASE_URL at it and run "
            "flask restore again; switch the app over once the counts look right."
        )
    args = ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
    pg_restore = _tool("pg_restore", url, "pg_restore", *args, str(backup))
    dbname, env = _libpq(url)
    click.echo("Running: " + _shown(url, "pg_restore", *args, str(backup)))
    db.engine.dispose()
    result = subprocess.run(  # nosec B603
        [pg_restore, *args, f"--dbname={dbname}", str(backup)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise click.ClickException(f"pg_restore failed, nothing restored: {result.stderr.strip()}")
    return status


# Commands -----------------------------------------------------------------------------------------


def _is_sqlite(url: sa.URL) -> bool:
    return url.get_backend_name() == "sqlite"


def _existing(path: Path) -> Path:
    if not path.is_file():
        raise click.ClickException(f"no backup file at {path}")
    return path


@click.command("backup")
@with_appcontext
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(path: Path) -> None:
    """Copy the database to PATH, safely while the app is running, and check the copy.

    SQLite: a single-file copy made with SQLite's online backup API, then integrity-checked.
    PostgreSQL: runs pg_dump --format=custom (restore with `flask restore`). PATH must not exist.
    """
    url = db.engine.url
    if path.exists():
        raise click.ClickException(f"{path} already exists: choose a new name")
    if not path.parent.is_dir():
        raise click.ClickException(f"there is no folder {path.parent}")
    if _is_sqlite(url):
        source = _sqlite_path(url)
        if not source.is_file():
            raise click.ClickException(f"there is no database at {source}")
        revision, counts = sqlite_backup(source, path)
        kind = "integrity check ok"
    else:
        revision, counts = _pg_backup(url, path)
        kind = "pg_dump custom format"
    click.echo(f"Backed up {url.database} to {path} ({_size(path)}, {kind}).")
    click.echo(f"Schema revision {revision}. Rows at the moment of the backup:")
    _echo_counts(counts)


@click.command("verify-backup")
@with_appcontext
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def verify_backup_command(path: Path) -> None:
    """Check that PATH is a readable, undamaged improve backup this version can restore."""
    _existing(path)
    with open(path, "rb") as handle:
        is_archive = handle.read(len(PG_ARCHIVE_HEADER)) == PG_ARCHIVE_HEADER
    if is_archive:
        revision = _pg_archive_revision(path, db.engine.url)
        if revision is None:
            raise click.ClickException(f"{path} is not an improve backup: it has no schema version")
        counts = None
    else:
        revision, counts = check_sqlite_backup(path)
    status = _check_schema(revision)
    upgrade = " (restore will upgrade it)" if status == "older" else ""
    click.echo(f"{path} is a good backup: schema revision {revision}{upgrade}, {_size(path)}.")
    if counts is not None:
        _echo_counts(counts)


@click.command("restore")
@with_appcontext
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Replace the SQLite database without asking.")
def restore_command(path: Path, yes: bool) -> None:
    """Replace the configured database with the backup at PATH, then upgrade it if it is older.

    SQLite: the current database is first copied beside itself (.before-restore-<time>).
    PostgreSQL: restores a pg_dump archive into the configured database, which must be empty.
    """
    from flask_migrate import upgrade

    _existing(path)
    url = db.engine.url
    db.engine.dispose()  # no connection of ours may hold the database while it is replaced
    if _is_sqlite(url):
        status = _sqlite_restore(path, _sqlite_path(url), yes)
    else:
        status = _pg_restore(path, url)
    if status == "older":
        click.echo("The backup's schema is older than this version's: upgrading it.")
        upgrade(directory=current_app.extensions["migrate"].directory)
    with db.engine.connect() as connection:
        counts = _table_counts(connection)
    db.engine.dispose()
    click.echo(f"Restored {path} into {url.database}. Rows now:")
    _echo_counts(counts)


def init_app(app: Flask) -> None:
    """Register the backup commands."""
    for command in (backup_command, verify_backup_command, restore_command):
        app.cli.add_command(command)
