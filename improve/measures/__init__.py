"""Measures: how a team will know that a change is an improvement, and the data behind them."""

from flask import Blueprint

bp = Blueprint("measures", __name__)

from improve.measures import chart_views, entry_views, import_views, views  # noqa: E402, F401
