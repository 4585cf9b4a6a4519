"""A read-only JSON API for spreadsheets and BI tools (issue 19, point 5), and the pages where a
person makes and revokes the personal access tokens it reads with.

Two blueprints: `bp`, the API itself under /api/v1 (JSON in and out, signed in by a token or by
the browser's session), and `tokens_bp`, ordinary pages under "Your account".
"""

from flask import Blueprint, request

bp = Blueprint("api", __name__)
tokens_bp = Blueprint("api_tokens", __name__)

#: Every address under it answers JSON, including the ones no route matches.
PREFIX = "/api/"


def is_api_request() -> bool:
    """Whether this request is for the API: by its address, not by a matched route, so that an
    unknown address or a wrong method answers JSON too (a spreadsheet cannot use a web page)."""
    return request.path.startswith(PREFIX)


from improve.api import auth, token_views, views  # noqa: E402, F401
