"""The coordinator's view of every team in a collaborative."""

from flask import Blueprint

bp = Blueprint("coordination", __name__)

from improve.coordination import views  # noqa: E402, F401
