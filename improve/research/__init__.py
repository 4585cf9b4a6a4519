"""Research needs (issue 20, point 4): questions a community of practice, or a team's Study
stage, wants research to answer; votes by stakeholder group; a download for research partners."""

from flask import Blueprint

bp = Blueprint("research", __name__)

from improve.research import views  # noqa: E402, F401
