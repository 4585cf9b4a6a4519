"""Migrations build the whole schema on an empty database, match the models exactly, and reverse."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from improve import create_app


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
