from flask import Blueprint

bp = Blueprint("cycles", __name__)

from improve.cycles import views  # noqa: E402, F401
