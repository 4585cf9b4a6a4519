"""The collaborative's change-idea library: what each team tested, copying an idea, and the
evidence behind each idea."""

from flask import Blueprint

bp = Blueprint("ideas", __name__)

from improve.ideas import evidence, views  # noqa: E402, F401
