from __future__ import annotations

from flask import abort, current_app, flash, request, url_for
from flask_login import current_user

from improve.admin import bp, operations, queries
from improve.admin.forms import AccountForm, ConfirmForm, UserForm
from improve.auth.views import flash_emailed_link
from improve.extensions import db
from improve.forms import accept_version, form_status, saved_values
from improve.htmx import render, see_other
from improve.mail import KIND_LABELS
from improve.models import OutboxStatus
from improve.routing import parse_id

EMAIL_TAKEN = "Another account already uses this email address"


@bp.get("/users")
def users():
    """Every account."""
    return render("admin/users.html", users=queries.list_users())


@bp.route("/users/new", methods=["GET", "POST"])
def new_user():
    """Create an account; the person chooses their own password from a link."""
    form = UserForm()
    if form.validate_on_submit():
        if queries.email_taken(form.email.data):
            form.email.errors.append(EMAIL_TAKEN)
        else:
            user, token = operations.create_user(
                current_user, form.display_name.data, form.email.data, form.is_admin.data
            )
            db.session.commit()
            flash(f"Account created for {user.display_name}.", "success")
            flash_emailed_link(user, token, emailed=True, invitation=True)
            return see_other(url_for(".edit_user", user_id=user.id))
    return render("admin/user_form.html", form=form, user=None, status=422 if form.errors else 200)


@bp.route("/users/<id:user_id>", methods=["GET", "POST"])
def edit_user(user_id: int):
    """Change an account, see its roles, or disable it. A save from a form loaded before someone
    else's change is refused whole and both are shown."""
    user = queries.get_user_or_404(user_id)
    form = AccountForm(obj=user)
    conflict = False
    if form.validate_on_submit():
        conflict = not accept_version(form, user)
        if conflict:
            # Saving again must not quietly undo their change to who may sign in or administer:
            # the form shown again offers the account's access as it is now saved.
            form.is_admin.data, form.is_enabled.data = user.is_admin, user.is_enabled
        elif queries.email_taken(form.email.data, except_user_id=user.id):
            form.email.errors.append(EMAIL_TAKEN)
        elif user.id == current_user.id and not (form.is_admin.data and form.is_enabled.data):
            form.is_admin.errors.append(
                "You cannot remove your own admin rights or disable yourself"
            )
        else:
            operations.update_user(
                current_user,
                user,
                form.display_name.data,
                form.email.data,
                form.is_admin.data,
                form.is_enabled.data,
                form.phone.data or "",
            )
            db.session.commit()
            flash("Changes saved.", "success")
            return see_other(url_for(".edit_user", user_id=user.id))
    return render(
        "admin/user_form.html",
        form=form,
        user=user,
        memberships=queries.memberships_of(user),
        reset_form=ConfirmForm(formdata=None),
        conflict=conflict,
        saved=saved_values(form, user) if conflict else [],
        status=form_status(form, conflict),
    )


@bp.post("/users/<id:user_id>/reset-password")
def reset_password(user_id: int):
    """Give the person a new link to choose a password; their old one stops working."""
    user = queries.get_user_or_404(user_id)
    if user.id == current_user.id:
        abort(400, "Use ‘Change your password’ to change your own password.")
    if not ConfirmForm().validate_on_submit():
        abort(400)
    token, emailed = operations.reset_password(current_user, user)
    db.session.commit()
    flash(
        f"{user.display_name}'s password no longer works and they have been signed out.", "success"
    )
    flash_emailed_link(user, token, emailed, invitation=False)
    return see_other(url_for(".edit_user", user_id=user.id))


@bp.get("/outbox")
def outbox():
    """Every email the app has queued, newest first, and what became of it (never the bodies:
    they hold password links)."""
    status = _outbox_status()
    page = _outbox_page()
    messages = queries.list_outbox(status, page)
    if page > messages.pages:
        abort(404)
    return render(
        "admin/outbox.html",
        messages=messages,
        chosen=status,
        statuses=list(OutboxStatus),
        kind_labels=KIND_LABELS,
        mail_setup=_mail_setup(),
    )


def _outbox_status() -> OutboxStatus | None:
    text = request.args.get("status", "")
    if not text:
        return None
    try:
        return OutboxStatus(text)
    except ValueError:
        known = ", ".join(status.value for status in OutboxStatus)
        abort(400, f"There is no email status called that. Use one of: {known}.")


def _outbox_page() -> int:
    """The `?page=` (1 without it); anything but a page number is a wrong address (404)."""
    text = request.args.get("page")
    if text is None:
        return 1
    return parse_id(text) or abort(404)


def _mail_setup() -> str:
    config = current_app.config
    if config["MAIL_BACKEND"] == "console":
        return (
            "No mail server is set (IMPROVE_MAIL_SERVER): the worker prints each message in its "
            "log instead of sending it."
        )
    if config["MAIL_BACKEND"] == "smtp":
        return f"Email goes to {config['MAIL_SERVER']}:{config['MAIL_PORT']}."
    return f"Email goes to the “{config['MAIL_BACKEND']}” mail backend."


@bp.post("/outbox/<id:message_id>/send-again")
def send_again(message_id: int):
    """Try a failed email once more, now."""
    message = queries.get_message_or_404(message_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if message.status != OutboxStatus.FAILED:
        flash(f"That email was not sent again: its status is now “{message.status.label}”.")
    else:
        operations.send_email_again(current_user, message)
        db.session.commit()
        flash(f"The email to {message.to_address} will be tried again in a moment.", "success")
    return see_other(url_for(".outbox"))
