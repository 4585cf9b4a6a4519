from flask import Blueprint

bp = Blueprint("aims", __name__)

from improve.aims import views  # noqa: E402, F401
