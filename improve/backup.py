"""`flask backup` and `flask restore` (issue 7: being written)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the backup commands."""
