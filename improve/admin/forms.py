from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovSubmitInput
from wtforms import BooleanField, SubmitField

from improve.auth.forms import phone_field
from improve.forms import (
    VersionField,
    email_address,
    short_text,
)


class UserForm(FlaskForm):
    display_name = short_text(
        "Full name",
        "As colleagues know them, like “Sam Patel”. Other people see this name next to their work.",
        required="Enter their full name",
    )
    email = email_address(
        "Their work email, like name@example.org. They sign in with it.",
        "Enter their email address",
    )
    is_admin = BooleanField(
        "Site administrator",
        widget=GovCheckboxInput(),
        description="Can manage every account and every collaborative.",
    )
    is_enabled = BooleanField(
        "Account can sign in",
        widget=GovCheckboxInput(),
        default=True,
        description="Untick to stop this person signing in. Their records stay.",
    )
    submit = SubmitField("Save", widget=GovSubmitInput())


class AccountForm(UserForm):
    """Changing an account: the same questions, their phone number (which they can change
    themselves too), and the version they were loaded from."""

    phone = phone_field("Their coordinators see it when they lead a team. Like 01632 960 001.")
    version = VersionField(required=True)


class ConfirmForm(FlaskForm):
    """A button-only form: the CSRF token is the point."""

    submit = SubmitField("Confirm", widget=GovSubmitInput())
