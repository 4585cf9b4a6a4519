"""The strategic panel: cross-team summaries, reviews and the end-of-collaborative evaluation."""

from flask import Blueprint

bp = Blueprint("panel", __name__)

from improve.panel import across_teams, actions, reviews, views  # noqa: E402, F401
