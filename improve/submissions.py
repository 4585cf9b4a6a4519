"""One-time tokens in every rendered form, so posting the same form twice saves once (issue 16).

A double click, a browser's "resubmit", or a retry on a slow line sends the same form again.
Every form that posts, on a page a signed-in person is shown, carries a fresh `submission_token`
(added to the page as it leaves, so no template or form class has to remember). A post that
carries one writes a `UsedSubmission` row at its start, in the request's own transaction:

- the view commits: the row is saved with the change, and only then;
- the view saves nothing (a form with errors, a refusal): the row goes with the rollback;
- the same form is posted again with the same fields: the row is found (or, on PostgreSQL, a
  post running at the same time fails on the unique key and waits for the first), nothing runs
  again, and the answer is a 303 to where the first post went, with "This was already saved."

The token is optional: a post without one (a script, an old page) works as before. The same
token with other fields (a form that htmx left on the page and the person filled in again) is a
new submission. Rows are the person's own, and each person's are pruned after a day.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta
from urllib.parse import urlsplit

import click
import sqlalchemy as sa
from flask import (
    Flask,
    Response,
    current_app,
    flash,
    g,
    has_request_context,
    make_response,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import event

from improve.extensions import db, request_may_write
from improve.htmx import is_partial_request, see_other
from improve.models import UsedSubmission, utcnow
from improve.models.submission import LOCATION_LENGTH

FIELD = "submission_token"
KEEP_FOR = timedelta(days=1)
ALREADY_SAVED = "This was already saved, so it was not saved again."

TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,64}")
# The start tag of every form that posts.
POST_FORM = re.compile(rb'<form\b[^>]*\bmethod="post"[^>]*>', re.IGNORECASE)
REDIRECTS = frozenset({301, 302, 303, 307, 308})


def new_token() -> str:
    return secrets.token_urlsafe(24)


def _token_input(_match: re.Match[bytes]) -> bytes:
    token = new_token().encode("ascii")
    return (
        _match.group(0)
        + b'<input type="hidden" name="'
        + FIELD.encode()
        + b'" value="'
        + token
        + b'">'
    )


def _add_tokens(response: Response) -> Response:
    """Give every form that posts on a signed-in person's page its own token."""
    if response.direct_passthrough or response.is_streamed or response.mimetype != "text/html":
        return response
    # The person as already loaded: an error page after a database failure must not query.
    user = g.get("_login_user")
    if user is None or not getattr(user, "is_authenticated", False):
        return response
    body = response.get_data()
    if b"<form" in body:
        response.set_data(POST_FORM.sub(_token_input, body))
    return response


def form_digest() -> str:
    """A SHA-256 of the URL and every field posted but the two tokens."""
    digest = hashlib.sha256()
    parts = [request.path]
    for name in sorted(request.form):
        if name != FIELD and not name.endswith("csrf_token"):
            parts += [name, *request.form.getlist(name)]
    for name in sorted(request.files):
        parts += [name, *(file.filename or "" for file in request.files.getlist(name))]
    for part in parts:
        data = part.encode("utf-8", "surrogatepass")
        digest.update(len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()


def _claim_token() -> Response | None:
    """Before a post runs: answer a repeat as the first post was answered, or hold the token in
    this request's transaction so that its commit, and only that, marks the form used."""
    if not request_may_write():
        return None  # a GET, or a post that only reads (a preview): nothing to save twice
    token = request.form.get(FIELD, "")
    if not TOKEN_PATTERN.fullmatch(token) or not current_user.is_authenticated:
        return None
    user_id, digest, now = current_user.id, form_digest(), utcnow()
    used = _used(user_id, token)
    if used is not None:
        # The same fields again is a repeat; other fields are a new submission of an old form.
        return _answer_again(used.location) if used.form_digest == digest else None
    db.session.execute(
        sa.delete(UsedSubmission).where(
            UsedSubmission.user_id == user_id, UsedSubmission.created_at < now - KEEP_FOR
        )
    )
    claim = UsedSubmission(user_id=user_id, token=token, form_digest=digest, created_at=now)
    db.session.add(claim)
    try:
        # On PostgreSQL this waits for a post of the same form still running, then fails if that
        # one saved: the unique key is what makes two posts at once save once.
        db.session.flush()
    except sa.exc.IntegrityError:
        db.session.rollback()
        used = _used(user_id, token)
        return _answer_again(used.location if used else None)
    g.submission_claim = claim.id
    return None


def _used(user_id: int, token: str) -> UsedSubmission | None:
    return db.session.scalar(
        sa.select(UsedSubmission).where(
            UsedSubmission.user_id == user_id, UsedSubmission.token == token
        )
    )


def _answer_again(location: str | None) -> Response:
    flash(ALREADY_SAVED, "success")
    if location is None:
        # The first post is still running, or answered with a page rather than a redirect.
        if is_partial_request():
            response = make_response("", 200)
            response.headers["HX-Refresh"] = "true"
            return response
        location = _same_site_referrer() or url_for("home.index")
    return see_other(location)


def _same_site_referrer() -> str | None:
    if not request.referrer:
        return None
    parts = urlsplit(request.referrer)
    if parts.netloc != request.host or not parts.path.startswith("/"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _note_commit(_session: object) -> None:
    if has_request_context() and "submission_claim" in g:
        g.submission_saved = True


def _settle_claim(response: Response) -> Response:
    """After a post that saved: remember where it sent the person, for a repeat to go there too;
    if it saved something yet answered with an error, free the token (its form is shown again
    with a new one, but a resubmit of this one should be refused as before, not called saved)."""
    claim_id = g.pop("submission_claim", None)
    if claim_id is None or not g.pop("submission_saved", False):
        return response
    location = response.headers.get("Location")
    if response.status_code < 400 and (
        response.status_code not in REDIRECTS or not location or len(location) > LOCATION_LENGTH
    ):
        return response
    try:
        # Whatever the view left uncommitted would be rolled back at teardown anyway.
        db.session.rollback()
        if response.status_code >= 400:
            db.session.execute(sa.delete(UsedSubmission).where(UsedSubmission.id == claim_id))
        else:
            db.session.execute(
                sa.update(UsedSubmission)
                .where(UsedSubmission.id == claim_id)
                .values(location=location)
            )
        db.session.commit()
    except sa.exc.SQLAlchemyError as error:
        # The change itself is saved; a repeat then goes back to the page it came from.
        db.session.rollback()
        current_app.logger.warning("Could not note where a submission went: %s", error)
    return response


@click.command("prune-submissions")
def prune_submissions() -> None:
    """Forget form tokens older than a day (each person's are also pruned when they post)."""
    result = db.session.execute(
        sa.delete(UsedSubmission).where(UsedSubmission.created_at < utcnow() - KEEP_FOR)
    )
    db.session.commit()
    click.echo(f"Forgot {result.rowcount} used form tokens.")  # type: ignore[attr-defined]


def init_app(app: Flask) -> None:
    # After the CSRF check and the sign-in check, which are registered first.
    app.before_request(_claim_token)
    app.after_request(_settle_claim)
    app.after_request(_add_tokens)
    event.listen(db.session, "after_commit", _note_commit)
    app.cli.add_command(prune_submissions)
