"""Migrations build the whole schema on an empty database, match the models exactly, reverse, and
keep seeded rows through every step down and up (issue 7.9)."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator

import flask_migrate
import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask import Flask
from sqlalchemy.pool import NullPool

from improve import create_app
from improve.extensions import db


@pytest.fixture
def empty_database_url(database_url: str, tmp_path) -> Iterator[str]:
    """A brand-new empty database on the same server as the test database."""
    if not database_url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'migrations.sqlite'}"
        return
    name = f"improve_migrations_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.make_url(database_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _flask_db(url: str, *args: str):
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    result = app.test_cli_runner().invoke(args=["db", *args])
    with app.app_context():
        from improve.extensions import db

        db.engine.dispose()
    return result


def _tables(url: str) -> set[str]:
    engine = sa.create_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_on_an_empty_database_leaves_no_drift(empty_database_url):
    upgrade = _flask_db(empty_database_url, "upgrade")
    assert upgrade.exit_code == 0, upgrade.output

    check = _flask_db(empty_database_url, "check")

    assert check.exit_code == 0, check.output
    assert {"user_account", "collaborative", "team", "membership", "cycle", "audit_event"} <= (
        _tables(empty_database_url)
    )


def test_the_drift_check_notices_a_schema_that_differs_from_the_models(empty_database_url):
    """Proves the check above can fail: a column the models do not know about is drift."""
    assert _flask_db(empty_database_url, "upgrade").exit_code == 0
    engine = sa.create_engine(empty_database_url)
    with engine.begin() as connection:
        connection.execute(sa.text("ALTER TABLE team ADD COLUMN stray_column INTEGER"))
    engine.dispose()

    assert _flask_db(empty_database_url, "check").exit_code != 0


def test_downgrade_to_base_removes_everything_and_upgrade_rebuilds_it(empty_database_url):
    assert _flask_db(empty_database_url, "upgrade").exit_code == 0

    downgrade = _flask_db(empty_database_url, "downgrade", "base")
    assert downgrade.exit_code == 0, downgrade.output
    assert _tables(empty_database_url) <= {"alembic_version"}

    assert _flask_db(empty_database_url, "upgrade").exit_code == 0
    assert "data_point" in _tables(empty_database_url)


# Seeded data through every step of history ------------------------------------------------------
# Written for any number of revisions: the history is read from the script directory, so a new
# migration is walked (and must keep the rows) without touching this file.


def _history(directory: str = "migrations") -> list[str]:
    """Every revision, oldest first. One line of history: a branch would fail here first."""
    scripts = ScriptDirectory(directory)
    assert len(scripts.get_heads()) == 1, "the migrations have more than one head"
    return [script.revision for script in reversed(list(scripts.walk_revisions()))]


def _counts(url: str) -> dict[str, int]:
    engine = sa.create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            names = sa.inspect(connection).get_table_names()
            return {
                name: connection.scalar(sa.text(f'SELECT count(*) FROM "{name}"'))  # noqa: S608
                for name in names
                if name != "alembic_version"
            }
    finally:
        engine.dispose()


def _migrating_app(url: str, directory: str) -> Flask:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    app.extensions["migrate"].directory = directory
    return app


def _seed_demo(url: str, directory: str) -> dict[str, int]:
    """The database at head with the demo collaborative in it: rows in most tables."""
    from improve import demo

    app = _migrating_app(url, directory)
    with app.app_context():
        flask_migrate.upgrade(directory=directory)
        demo.create()
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return _counts(url)


def _walk_history(url: str, seeded: dict[str, int], directory: str) -> list[str]:
    """Down one revision at a time to the first, then up one at a time to head, counting rows
    after every step. Returns every table whose rows changed (none should)."""
    history = _history(directory)
    changed: list[str] = []
    kept_throughout = set(seeded)
    app = _migrating_app(url, directory)
    steps = [("downgrade", r) for r in reversed(history[:-1])]
    steps += [("upgrade", r) for r in history[1:]]
    with app.app_context():
        for step, revision in steps:
            getattr(flask_migrate, step)(directory=directory, revision=revision)
            db.engine.dispose()
            now = _counts(url)
            kept_throughout &= set(now)
            # A table a later migration creates is gone below it and comes back empty: only the
            # tables that lived through every step must keep their rows.
            for table in sorted(kept_throughout):
                if now[table] != seeded[table]:
                    changed.append(f"{step} to {revision}: {table} {seeded[table]} -> {now[table]}")
    return changed


def test_seeded_rows_survive_every_downgrade_and_upgrade_step(empty_database_url):
    if len(_history()) < 2:
        pytest.skip("one revision: nothing between base and head to walk")
    seeded = _seed_demo(empty_database_url, "migrations")
    assert sum(1 for rows in seeded.values() if rows) >= 15, seeded

    assert _walk_history(empty_database_url, seeded, "migrations") == []
    # Back at head, the schema still matches the models.
    assert _flask_db(empty_database_url, "check").exit_code == 0


LOSSY_REVISION = '''"""a migration that loses rows, to prove the walk notices"""
from alembic import op

revision = "zz_lossy"
down_revision = {head!r}
branch_labels = None
depends_on = None


def upgrade():
    op.execute("DELETE FROM comment")


def downgrade():
    pass
'''


def test_the_walk_notices_a_migration_that_loses_rows(empty_database_url, database_url, tmp_path):
    """Proves the test above can fail: a migration that deletes rows on upgrade."""
    if database_url.startswith("postgresql"):
        pytest.skip("the walk's own logic is the same on both databases: proved on SQLite")
    directory = tmp_path / "migrations"
    shutil.copytree("migrations", directory)
    head = _history()[-1]
    (directory / "versions" / "zz_lossy.py").write_text(LOSSY_REVISION.format(head=head))
    seeded = _seed_demo(empty_database_url, str(directory))
    assert seeded["comment"] > 0

    changed = _walk_history(empty_database_url, seeded, str(directory))

    assert changed == [f"upgrade to zz_lossy: comment {seeded['comment']} -> 0"]


def test_experts_views_move_to_their_own_table_and_back(empty_database_url):
    """0007: each cycle's unsigned boxes become expert_view rows (no author: they were never
    signed); down again, the latest view of each kind goes back in its box."""
    _seed_demo(empty_database_url, "migrations")
    engine = sa.create_engine(empty_database_url, poolclass=NullPool)
    views = "SELECT cycle_id, kind, body FROM expert_view ORDER BY cycle_id, kind"
    try:
        with engine.connect() as connection:
            signed = connection.execute(sa.text(views)).all()
        assert len(signed) >= 4, "the demo's experts have views on several cycles"
        app = _migrating_app(empty_database_url, "migrations")
        with app.app_context():
            flask_migrate.downgrade(directory="migrations", revision="0006")
            db.engine.dispose()
        with engine.connect() as connection:
            boxes = connection.execute(
                sa.text(
                    "SELECT id, expert_what_matters, expert_difference FROM cycle"
                    " WHERE expert_what_matters <> '' OR expert_difference <> ''"
                )
            ).all()
        expected = sorted(
            [(i, "what_matters", a) for i, a, _ in boxes if a]
            + [(i, "difference", b) for i, _, b in boxes if b]
        )
        assert expected == sorted(signed)
        with app.app_context():
            flask_migrate.upgrade(directory="migrations")
            db.engine.dispose()
        with engine.connect() as connection:
            moved = connection.execute(sa.text(views)).all()
            authors = connection.execute(sa.text("SELECT author_id FROM expert_view")).scalars()
            assert set(authors) == {None}
        assert sorted(moved) == sorted(signed)
    finally:
        engine.dispose()
