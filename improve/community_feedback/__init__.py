"""A community of practice's evaluation (issue 20, point 5): the short feedback form after each
meeting, counted by stakeholder group, and notes of interview-based evaluations."""

from flask import Blueprint

bp = Blueprint("community_feedback", __name__)

from improve.community_feedback import views  # noqa: E402, F401
