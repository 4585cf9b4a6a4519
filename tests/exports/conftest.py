"""Fixtures for the downloads: a signed-in client per person."""

from __future__ import annotations
