"""Communities of practice (issue 20): members by stakeholder group, meetings with attendance and
actions carried from one meeting to the next, shared resources, and participation over time."""

from urllib.parse import urlsplit

from flask import Blueprint

bp = Blueprint("communities", __name__)


@bp.app_template_filter("link_domain")
def link_domain(url: str) -> str:
    """The website a shared link goes to ("www.scie.org.uk"), shown beside it."""
    try:
        return urlsplit(url).hostname or url
    except ValueError:
        return url


@bp.app_template_test("web_link")
def is_web_link(url: str) -> bool:
    """Whether a stored address may be a link: http or https with a website. The form already
    refuses anything else; this keeps a row written some other way (an import, the database by
    hand) from becoming a javascript: link on every member's page."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


from improve.communities import (  # noqa: E402, F401
    actions,
    meetings,
    members,
    participation,
    resources,
    views,
)
