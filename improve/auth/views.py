from __future__ import annotations

import math
from urllib.parse import urlsplit

from flask import Response, abort, flash, redirect, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from improve.auth import bp, jobs, operations, start_session
from improve.auth.forms import (
    AccountForm,
    ChangePasswordForm,
    ForgottenPasswordForm,
    SetPasswordForm,
    SignInForm,
)
from improve.extensions import db
from improve.forms import accept_version, form_status, saved_values
from improve.htmx import render, see_other
from improve.models import User

WRONG_DETAILS = "The email address or password is not right"
LOCKED = (
    "This account is locked for a few minutes because of too many wrong passwords. "
    "Try again in {wait}."
)


def _safe_next(target: str | None) -> str:
    """Only follow `next` to a path on this site, never to another host."""
    # A carriage return or line feed would end the Location header (the server refused the
    # redirect with a 500): only printable characters are followed.
    if target and target.isprintable() and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and "\\" not in target:
            return target
    return url_for("home.index")


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    """Sign in with email and password."""
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = SignInForm()
    if form.validate_on_submit():
        attempt = operations.start_sign_in_attempt(form.email.data)
        user = operations.find_user_by_email(form.email.data)
        if attempt.locked:
            return _refuse_while_locked(form, attempt, user)
        if operations.password_matches(user, form.password.data):
            operations.forget_attempt(attempt)
            start_session(user)
            operations.record_sign_in(user)
            db.session.commit()
            return see_other(_safe_next(request.args.get("next")))
        operations.record_failed_sign_in(user, attempt)
        db.session.commit()
        # Same words whether or not the account exists: the page reveals nothing.
        form.password.errors.append(WRONG_DETAILS)
    status = 422 if form.errors else 200
    return render("auth/sign_in.html", form=form, status=status)


def _refuse_while_locked(
    form: SignInForm, attempt: operations.Attempt, user: User | None
) -> Response:
    """Too many wrong passwords: refuse without checking this one, even if it is right. The
    same page for an unknown address, which is throttled just the same."""
    operations.refuse_locked_attempt(attempt, user)
    db.session.commit()
    minutes = math.ceil(attempt.retry_after / 60)
    form.password.errors.append(LOCKED.format(wait=f"{minutes} minute{'s' * (minutes != 1)}"))
    response = render("auth/sign_in.html", form=form, status=429)
    response.headers["Retry-After"] = str(attempt.retry_after)
    return response


@bp.post("/sign-out")
def sign_out():
    """Sign out, here and everywhere: a copied session cookie stops working too."""
    if current_user.is_authenticated:
        operations.end_every_session(current_user._get_current_object())
        db.session.commit()
    logout_user()
    session.clear()
    flash("You have signed out.", "success")
    return see_other(url_for("auth.sign_in"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    """Your own phone number and choice of reminder emails; name and email are an admin's. A
    save from a form loaded before another change (another window, an admin) is refused."""
    user = current_user._get_current_object()
    form = AccountForm(obj=user)
    conflict = False
    if form.validate_on_submit():
        conflict = not accept_version(form, user)
        if not conflict:
            changed = operations.change_settings(
                user, form.phone.data or "", form.wants_reminder_email.data
            )
            db.session.commit()
            flash("Your account is saved." if changed else "Nothing was changed.", "success")
            return see_other(url_for(".account"))
    return render(
        "auth/account.html",
        form=form,
        conflict=conflict,
        saved=saved_values(form, user) if conflict else [],
        status=form_status(form, conflict),
    )


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change your own password; other sessions end."""
    # The User itself, not the proxy: the audit row names its type, and Flask-Login would store
    # a proxy to itself as the current user, which never resolves.
    user = current_user._get_current_object()
    form = ChangePasswordForm()
    if form.validate_on_submit():
        version = user.session_version
        # Both hashes are slow on purpose: neither is made while holding the write lock.
        if operations.password_matches(user, form.current_password.data):
            new_hash = operations.hash_outside_transaction(form.new_password.data)
            if user.session_version != version or not user.is_enabled:
                # Signed out everywhere (or the password reset) while the hash was made.
                abort(
                    409,
                    "Your account changed while your password was being saved, so it "
                    "was not changed. Sign in again and try once more.",
                )
            operations.change_password(user, new_hash)
            db.session.commit()
            login_user(user)  # keep this session, under the new version
            flash("Your password has been changed. You are signed out everywhere else.", "success")
            return see_other(url_for("home.index"))
        form.current_password.errors.append("Your current password is not right")
    status = 422 if form.errors else 200
    return render("auth/change_password.html", form=form, status=status)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    """Choose a password from an invitation, an admin's reset or a link asked for on the sign-in
    page. Its responses send only the site's address as the Referer (improve.security), so the
    token does not reach logs through the page's own requests."""
    user = operations.user_for_link(token)
    if user is None:
        abort(
            404,
            "This link has expired or has already been used. Ask whoever sent it for a new one.",
        )
    form = SetPasswordForm()
    if form.validate_on_submit():
        new_hash = operations.hash_outside_transaction(form.new_password.data)
        # Read again under the write lock: the link may have been used while the hash was made.
        user = operations.user_for_link(token)
        if user is None:
            abort(404, "This link has already been used. Ask whoever sent it for a new one.")
        operations.change_password(user, new_hash)
        logout_user()
        start_session(user)
        operations.record_sign_in(user)
        db.session.commit()
        flash("Your password is saved and you are signed in.", "success")
        return see_other(url_for("home.index"))
    status = 422 if form.errors else 200
    return render("auth/set_password.html", form=form, invited=user, status=status)


TOO_MANY_LINKS = (
    "There have been too many requests for password links from your network. Try again in {wait}."
)


@bp.route("/forgotten-password", methods=["GET", "POST"])
def forgotten_password():
    """Ask for a link to choose a new password. The answer is the same whatever the address."""
    form = ForgottenPasswordForm()
    if form.validate_on_submit():
        attempt = operations.start_password_link_request(request.remote_addr or "")
        if attempt.locked:
            operations.forget_attempt(attempt)
            db.session.commit()
            minutes = math.ceil(attempt.retry_after / 60)
            form.email.errors.append(
                TOO_MANY_LINKS.format(wait=f"{minutes} minute{'s' * (minutes != 1)}")
            )
            response = render("auth/forgotten_password.html", form=form, status=429)
            response.headers["Retry-After"] = str(attempt.retry_after)
            return response
        db.session.commit()
        # The same work for every address: whether it has an account is the worker's business
        # (improve.auth.jobs), so the time this takes tells nothing.
        jobs.send_password_link(form.email.data)
        return see_other(url_for("auth.password_link_sent"))
    status = 422 if form.errors else 200
    return render("auth/forgotten_password.html", form=form, status=status)


@bp.get("/forgotten-password/sent")
def password_link_sent():
    """What happens next, after asking for a password link."""
    minutes = int(operations.PASSWORD_LINK_EVERY.total_seconds() // 60)
    lasts = operations.password_link_lasts()
    return render("auth/password_link_sent.html", lasts=lasts, every=minutes)


def flash_emailed_link(user: User, token: str, emailed: bool, *, invitation: bool) -> None:
    """Tell whoever made a password link that it was emailed, with the link folded away on the
    page in case the email does not arrive."""
    if not emailed:
        sent = f"No email was sent to {user.email}: the account cannot sign in."
    elif invitation:
        sent = f"We have emailed an invitation to {user.email}."
    else:
        sent = f"We have emailed a link to choose a new password to {user.email}."
    message = {
        "title": "Invitation" if invitation else "Password link",
        "sent": sent,
        "name": user.display_name,
        "link": operations.invitation_link(token),
        "days": operations.INVITATION_DAYS,
    }
    flash(message, "invitation")
