"""Pages under "Your account" for personal access tokens: make one (its secret shown once),
list yours, revoke one; and "Using the API", for connecting Excel or Power BI."""

from __future__ import annotations

from datetime import date, datetime

from flask import Response, abort, flash, request, url_for
from flask_login import current_user, login_required

from improve.analysis.periods import UK
from improve.api import documents, operations, queries, tokens_bp
from improve.api.forms import NewTokenForm
from improve.api.paging import Page
from improve.extensions import db
from improve.htmx import render, see_other
from improve.routing import parse_id

#: The collaboratives the guide lists with their addresses.
GUIDE_COLLABORATIVES = 50


def today() -> date:
    """Tokens expire by the UK calendar: one that works until 31 March stops at midnight."""
    return datetime.now(UK).date()


@tokens_bp.route("/account/api-tokens", methods=["GET", "POST"])
@login_required
def index() -> Response:
    """Your tokens, and a form to make one. The new token's secret is shown on the answer to
    the POST and never again: only its hash is kept, and it goes into no session, cookie or
    redirect. A reload posts the form again, which its submission token refuses
    (improve.submissions), so it never makes a second token."""
    user = current_user._get_current_object()
    form = NewTokenForm(today=today())
    if form.validate_on_submit():
        expires_on = form.expires_on.data or today() + operations.DEFAULT_LIFETIME
        token, secret = operations.create_token(user, form.name.data, expires_on)
        db.session.commit()
        return render("api/token_made.html", token=token, secret=secret, status=201)
    return render(
        "api/tokens.html",
        form=form,
        tokens=queries.tokens_of(user),
        status_of=lambda token: documents.token_status(token, today()),
        default_expiry=today() + operations.DEFAULT_LIFETIME,
        status=422 if form.errors else 200,
    )


@tokens_bp.route("/account/api-tokens/revoke", methods=["GET", "POST"])
@login_required
def revoke() -> Response:
    """Ask before revoking one of your tokens (?token=<id>); the POST revokes it, audited.
    Someone else's token is not found (404), as if it did not exist."""
    user = current_user._get_current_object()
    sent = request.form if request.method == "POST" else request.args
    token_id = parse_id(sent.get("token", ""))
    if token_id is None and request.method == "GET":
        return see_other(url_for(".index"))
    if token_id is None:
        abort(400, "Choose the token to revoke from your list of tokens, then try again.")
    token = queries.own_token(user, token_id)
    if token is None:
        abort(404)
    if request.method == "POST":
        revoked = operations.revoke_token(user, token)
        name = token.name
        db.session.commit()
        done = "is revoked: it no longer works" if revoked else "was already revoked"
        flash(f"The token ‘{name}’ {done}.", "success")
        return see_other(url_for(".index"))
    return render("api/confirm_revoke.html", token=token)


@tokens_bp.get("/account/api-tokens/using-the-api")
@login_required
def guide() -> Response:
    """How to read improve from Excel or Power BI with a token, in plain words."""
    _, found = queries.collaboratives_page(current_user, Page(1, GUIDE_COLLABORATIVES))
    return render(
        "api/guide.html",
        collaboratives=found,
        api_root=url_for("api.collaboratives", _external=True),
        requests_per_minute=operations.requests_per_minute(),
    )
