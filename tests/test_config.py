from __future__ import annotations

import stat

import pytest
import sqlalchemy as sa

from improve.config import database_url, engine_options, secret_key
from improve.extensions import db


@pytest.mark.parametrize(
    ("configured", "expected"),
    [
        ("", "sqlite:////srv/instance/improve.sqlite"),
        ("postgres://u@db/improve", "postgresql+psycopg://u@db/improve"),
        ("postgresql://u@db/improve", "postgresql+psycopg://u@db/improve"),
        ("postgresql+psycopg://u@db/improve", "postgresql+psycopg://u@db/improve"),
        ("sqlite:////tmp/other.sqlite", "sqlite:////tmp/other.sqlite"),
    ],
)
def test_database_url_defaults_to_the_instance_folder_and_uses_psycopg(
    monkeypatch, configured, expected
):
    monkeypatch.setenv("IMPROVE_DATABASE_URL", configured)
    assert database_url("/srv/instance") == expected


def test_secret_key_is_generated_once_kept_private_and_reused(monkeypatch, tmp_path):
    monkeypatch.delenv("IMPROVE_SECRET_KEY", raising=False)

    first = secret_key(str(tmp_path))
    second = secret_key(str(tmp_path))

    assert first == second
    assert len(first) >= 32
    mode = stat.S_IMODE((tmp_path / "secret_key").stat().st_mode)
    assert mode == 0o600


def test_secret_key_from_the_environment_wins_and_writes_nothing(monkeypatch, tmp_path):
    monkeypatch.setenv("IMPROVE_SECRET_KEY", "from-the-environment")
    assert secret_key(str(tmp_path)) == "from-the-environment"
    assert not (tmp_path / "secret_key").exists()


# SQLite engine settings (issue 7.4: no lost writes) ----------------------------------------------


@pytest.fixture
def sqlite_app(tmp_path):
    from improve import create_app
    from improve.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'own.sqlite'}"})
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_building_the_app_creates_no_tables(sqlite_app):
    """The schema comes from migrations, run once before gunicorn starts its workers (`make
    run`); an app that made tables as it started would hide a missing migration."""
    import sqlalchemy as sa

    from improve.extensions import db

    with sqlite_app.app_context():
        assert sa.inspect(db.engine).get_table_names() == []


def test_sqlite_waits_for_locks_and_uses_write_ahead_logging(sqlite_app):
    import sqlalchemy as sa

    from improve.extensions import db

    with sqlite_app.app_context(), db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.execute(sa.text("SELECT 1")).scalar() == 1


def _holds_write_lock(path) -> bool:
    """Whether another connection is refused the write lock at once."""
    import sqlite3

    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError as error:
        assert "locked" in str(error)
        return True
    finally:
        other.close()


@pytest.mark.parametrize(
    ("method", "locks"), [("POST", True), ("GET", False), ("HEAD", False), ("DELETE", True)]
)
def test_requests_that_may_write_take_the_write_lock_first(sqlite_app, tmp_path, method, locks):
    """A request that may write queues for the write lock as it begins, so it never reads a
    version that another writer changes before it saves (which SQLite would refuse at once, busy
    timeout or not); a page view only reads, and never waits for writers."""
    import sqlalchemy as sa

    from improve.extensions import db

    with sqlite_app.test_request_context("/", method=method):
        db.session.execute(sa.text("SELECT 1"))
        assert _holds_write_lock(tmp_path / "own.sqlite") is locks
        db.session.rollback()
    assert _holds_write_lock(tmp_path / "own.sqlite") is False


def test_flask_commands_take_the_write_lock_but_the_shell_does_not(sqlite_app, tmp_path):
    import click

    from improve.extensions import sqlite_begin

    with sqlite_app.app_context():
        assert sqlite_begin() is None  # the test suite's own set-up: the driver's behaviour
        with click.Context(click.Command("demo"), info_name="demo"):
            assert sqlite_begin() == "BEGIN IMMEDIATE"
        with click.Context(click.Command("shell"), info_name="shell"):
            assert sqlite_begin() is None


def test_postgresql_connections_get_lock_and_statement_timeouts():
    options = engine_options("postgresql+psycopg://db/improve", {"pool_pre_ping": True})

    assert options["pool_pre_ping"] is True
    assert "lock_timeout=5000" in options["connect_args"]["options"]
    assert "statement_timeout=25000" in options["connect_args"]["options"]


def test_sqlite_connections_get_no_postgresql_options():
    assert "connect_args" not in engine_options("sqlite:///improve.sqlite", {})


@pytest.mark.postgres_only
def test_the_timeouts_reach_the_database(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    assert db.session.execute(sa.text("SHOW lock_timeout")).scalar() == "5s"


def test_a_mail_server_without_the_apps_address_is_refused(monkeypatch):
    """Links in invitations would point at the laptop default and reach nobody."""
    from improve.config import base_url

    monkeypatch.setenv("IMPROVE_MAIL_SERVER", "smtp.example.org")
    monkeypatch.delenv("IMPROVE_BASE_URL", raising=False)
    with pytest.raises(ValueError, match="IMPROVE_BASE_URL must be set"):
        base_url()
    monkeypatch.setenv("IMPROVE_BASE_URL", "improve.example.org")
    with pytest.raises(ValueError, match="must start with https://"):
        base_url()
    monkeypatch.setenv("IMPROVE_BASE_URL", "https://improve.example.org/")
    assert base_url() == "https://improve.example.org"
    monkeypatch.delenv("IMPROVE_MAIL_SERVER")
    monkeypatch.delenv("IMPROVE_BASE_URL")
    assert base_url() == "http://127.0.0.1:5000"


@pytest.mark.parametrize(("configured", "expected"), [(None, 0), ("0", 0), ("2", 2)])
def test_proxies_are_trusted_only_when_counted(monkeypatch, tmp_path, configured, expected):
    from improve.config import settings

    if configured is None:
        monkeypatch.delenv("IMPROVE_PROXIES", raising=False)
    else:
        monkeypatch.setenv("IMPROVE_PROXIES", configured)
    assert settings(str(tmp_path))["PROXIES"] == expected
