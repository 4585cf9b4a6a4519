"""Flask extensions, created here and bound to the app in create_app."""

from __future__ import annotations

from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from htmx_flask import Htmx
from sqlalchemy import event
from sqlalchemy.engine import Engine

from improve.models.base import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
login_manager = LoginManager()
htmx = Htmx()


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, _record) -> None:  # noqa: ANN001
    """SQLite ignores foreign keys unless asked, and fails at once on a lock unless told to wait."""
    if type(dbapi_connection).__module__ != "sqlite3":
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()
