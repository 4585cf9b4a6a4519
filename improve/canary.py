"""Care-recipient data canary (issue 7: being written)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the scan command."""
