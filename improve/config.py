"""Settings from environment variables, with defaults that work on a laptop.

| variable                  | default                                         |
|---------------------------|-------------------------------------------------|
| IMPROVE_DATABASE_URL      | sqlite:///<instance folder>/improve.sqlite      |
| IMPROVE_SECRET_KEY        | generated once into <instance folder>/secret_key |
| IMPROVE_SESSION_HOURS     | 8 (a working day on a shared PC)                |
| IMPROVE_IDLE_MINUTES      | 60 without a request signs out; 0 turns it off  |
| IMPROVE_SIGN_IN_LIMIT     | 10 wrong passwords per account per window       |
| IMPROVE_SIGN_IN_MINUTES   | 5, the window of that limit                     |
| IMPROVE_SECURE_COOKIES    | off; set to 1 when served over HTTPS            |
| IMPROVE_BASE_URL          | http://127.0.0.1:5000, the start of links in email |
| IMPROVE_MAIL_SERVER       | none: messages are printed by the worker instead |
| IMPROVE_MAIL_PORT         | 587                                             |
| IMPROVE_MAIL_SECURITY     | starttls; or ssl (port 465), or none (a relay on the same host) |
| IMPROVE_MAIL_USERNAME     | none (no login)                                 |
| IMPROVE_MAIL_PASSWORD     | none                                            |
| IMPROVE_MAIL_FROM         | improve <no-reply@localhost>                    |
| IMPROVE_QUEUE_URL         | sqlite:///<instance folder>/queue.sqlite; or redis://host:6379/0 |
| IMPROVE_PROXIES           | 0; the number of reverse proxies in front of the app |
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any


def database_url(instance_path: str) -> str:
    """The SQLAlchemy URL: psycopg 3 for PostgreSQL, a file in the instance folder otherwise."""
    url = os.environ.get("IMPROVE_DATABASE_URL", "").strip()
    if not url:
        return f"sqlite:///{Path(instance_path) / 'improve.sqlite'}"
    # People copy URLs from PostgreSQL docs; point them at the driver we ship.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def secret_key(instance_path: str) -> str:
    """IMPROVE_SECRET_KEY, or a key generated once and kept (mode 600) in the instance folder."""
    configured = os.environ.get("IMPROVE_SECRET_KEY", "").strip()
    if configured:
        return configured
    key_file = Path(instance_path) / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_urlsafe(48)
    descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(key)
    return key


# A write that waits on another's lock gives up after 5 s with the "service is busy" page, and no
# statement may run past gunicorn's 30 s worker timeout (which would end the request with no
# page at all). SQLite's equivalent is the busy timeout in improve.extensions.
POSTGRESQL_TIMEOUTS = "-c lock_timeout=5000 -c statement_timeout=25000"


def engine_options(url: str, configured: dict[str, Any]) -> dict[str, Any]:
    """The engine options for this database URL: PostgreSQL connections get their timeouts."""
    options = dict(configured)
    if url.startswith("postgresql"):
        connect_args = dict(options.get("connect_args", {}))
        connect_args.setdefault("options", POSTGRESQL_TIMEOUTS)
        options["connect_args"] = connect_args
    return options


MAIL_SECURITY = ("starttls", "ssl", "none")


def mail_settings() -> dict[str, Any]:
    """Flask-Mailman's settings. With no mail server the worker prints each message instead of
    sending it (the outbox still records it), so a laptop needs no mail server."""
    server = os.environ.get("IMPROVE_MAIL_SERVER", "").strip()
    security = os.environ.get("IMPROVE_MAIL_SECURITY", "starttls").strip().lower()
    if security not in MAIL_SECURITY:
        raise ValueError(f"IMPROVE_MAIL_SECURITY must be one of {', '.join(MAIL_SECURITY)}")
    return {
        "MAIL_BACKEND": "smtp" if server else "console",
        "MAIL_SERVER": server or "localhost",
        "MAIL_PORT": int(os.environ.get("IMPROVE_MAIL_PORT", "587")),
        "MAIL_USE_TLS": security == "starttls",
        "MAIL_USE_SSL": security == "ssl",
        "MAIL_USERNAME": os.environ.get("IMPROVE_MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("IMPROVE_MAIL_PASSWORD") or None,
        "MAIL_DEFAULT_SENDER": os.environ.get("IMPROVE_MAIL_FROM", "improve <no-reply@localhost>"),
        # A mail server that hangs must not hold the worker for long; the message is retried.
        "MAIL_TIMEOUT": 20,
    }


def base_url() -> str:
    """IMPROVE_BASE_URL, checked: with a real mail server it must be set (links in invitations
    to the laptop default would reach nobody), and it must be an http(s) address."""
    url = os.environ.get("IMPROVE_BASE_URL", "").strip().rstrip("/")
    if not url:
        if os.environ.get("IMPROVE_MAIL_SERVER", "").strip():
            raise ValueError(
                "IMPROVE_BASE_URL must be set when IMPROVE_MAIL_SERVER is: links in email start "
                "with it (for example https://improve.example.org)"
            )
        return "http://127.0.0.1:5000"
    if not url.startswith(("http://", "https://")) or url[-3:] == "://":
        raise ValueError(f"IMPROVE_BASE_URL must start with https:// or http://, not {url!r}")
    return url


def queue_url(instance_path: str) -> str:
    """Where the background worker's queue lives: a SQLite file beside the database by default
    (nothing more to run), or Redis for a deployment with several app servers."""
    url = os.environ.get("IMPROVE_QUEUE_URL", "").strip()
    return url or f"sqlite:///{Path(instance_path) / 'queue.sqlite'}"


def settings(instance_path: str) -> dict[str, Any]:
    """Everything create_app puts into app.config before the caller's overrides."""
    secure = os.environ.get("IMPROVE_SECURE_COOKIES", "") in {"1", "true", "yes"}
    return {
        "SECRET_KEY": secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": database_url(instance_path),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # Both enforced by improve.auth from times kept in the session, whatever the cookie's own
        # timestamp says: Flask signs the cookie again whenever the session changes.
        "PERMANENT_SESSION_LIFETIME": timedelta(
            hours=int(os.environ.get("IMPROVE_SESSION_HOURS", "8"))
        ),
        "SESSION_IDLE_TIMEOUT": timedelta(
            minutes=int(os.environ.get("IMPROVE_IDLE_MINUTES", "60"))
        ),
        "SIGN_IN_ATTEMPT_LIMIT": int(os.environ.get("IMPROVE_SIGN_IN_LIMIT", "10")),
        "SIGN_IN_WINDOW": timedelta(minutes=int(os.environ.get("IMPROVE_SIGN_IN_MINUTES", "5"))),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": secure,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": secure,
        # No "remember me" is offered (sessions end when the browser closes, or after the hours
        # above); should one ever be, its cookie lasts at most this long.
        "REMEMBER_COOKIE_DURATION": timedelta(days=14),
        "MAX_CONTENT_LENGTH": 10 * 1024 * 1024,
        # Flask's default (500 kB for a field that is not a file) refused a long paste of rows
        # with the "file too big" page; a paste may be as large as a request.
        "MAX_FORM_MEMORY_SIZE": 10 * 1024 * 1024,
        "WTF_CSRF_TIME_LIMIT": None,  # the session's own lifetime bounds the token
        # Links in email start here, never with the Host a request claimed: a forged Host header
        # must not turn a password link into a link to someone else's site.
        "BASE_URL": base_url(),
        "PROXIES": int(os.environ.get("IMPROVE_PROXIES", "0")),  # trusted for X-Forwarded-*
        **mail_settings(),
    }
