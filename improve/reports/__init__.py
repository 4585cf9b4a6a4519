"""The collaborative calendar, monthly team reports and the coordinator's scores."""

from flask import Blueprint

bp = Blueprint("reports", __name__)

from improve.reports import views  # noqa: E402, F401
