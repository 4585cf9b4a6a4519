"""Settings from environment variables, with defaults that work on a laptop.

| variable                  | default                                         |
|---------------------------|-------------------------------------------------|
| IMPROVE_DATABASE_URL      | sqlite:///<instance folder>/improve.sqlite      |
| IMPROVE_SECRET_KEY        | generated once into <instance folder>/secret_key |
| IMPROVE_SESSION_HOURS     | 8 (a working day on a shared PC)                |
| IMPROVE_SECURE_COOKIES    | off; set to 1 when served over HTTPS            |
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


def settings(instance_path: str) -> dict[str, Any]:
    """Everything create_app puts into app.config before the caller's overrides."""
    secure = os.environ.get("IMPROVE_SECURE_COOKIES", "") in {"1", "true", "yes"}
    return {
        "SECRET_KEY": secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": database_url(instance_path),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "PERMANENT_SESSION_LIFETIME": timedelta(
            hours=int(os.environ.get("IMPROVE_SESSION_HOURS", "8"))
        ),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": secure,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": secure,
        "REMEMBER_COOKIE_DURATION": timedelta(days=14),
        "MAX_CONTENT_LENGTH": 10 * 1024 * 1024,
        "WTF_CSRF_TIME_LIMIT": None,  # the session's own lifetime bounds the token
    }
