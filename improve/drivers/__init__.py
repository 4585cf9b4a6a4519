from flask import Blueprint

bp = Blueprint("drivers", __name__)

from improve.drivers import views  # noqa: E402, F401
