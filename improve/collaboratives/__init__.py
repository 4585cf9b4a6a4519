from flask import Blueprint

bp = Blueprint("collaboratives", __name__)

from improve.collaboratives import views  # noqa: E402, F401
