"""Downloads of a collaborative's records as CSV and XLSX files."""

from flask import Blueprint

bp = Blueprint("exports", __name__)

from improve.exports import views  # noqa: E402, F401
