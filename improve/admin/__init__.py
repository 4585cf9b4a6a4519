from flask import Blueprint

from improve.permissions import require_admin

bp = Blueprint("admin", __name__)
bp.before_request(require_admin)

from improve.admin import views  # noqa: E402, F401
