"""The collaborative's change-idea library: what each team tested, and copying an idea."""

from flask import Blueprint

bp = Blueprint("ideas", __name__)

from improve.ideas import views  # noqa: E402, F401
