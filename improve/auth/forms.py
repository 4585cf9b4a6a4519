from __future__ import annotations

import re
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovPasswordInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import BooleanField, EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import EqualTo, InputRequired, Length, ValidationError

from improve.forms import (
    EMAIL_LENGTH,
    NoControlCharacters,
    NormalisedEmail,
    VersionField,
    email_address,
    strip_text,
)

PASSWORD_MIN = 10
PASSWORD_MAX = 128

# Loose on purpose: UK and international numbers are written many ways. Only what no phone
# number holds is refused. The column holds 40 characters.
PHONE_MAX = 40
PHONE_CHARACTERS = re.compile(r"[0-9 +()\-]+")
PHONE_DIGITS = (7, 20)
PHONE_MESSAGE = "Enter a phone number, like 01632 960 001 or +44 7700 900 982"
REMINDER_HINT = (
    "Reminders before a report is due and when it is late, the coordinators' weekly summary "
    "and learning session reminders. Invitations and password links are always sent."
)


class PhoneNumber:
    """Digits, spaces, +, brackets and hyphens, with 7 to 20 digits; empty is fine."""

    def __call__(self, form: Any, field: Any) -> None:
        text = field.data or ""
        if not text:
            return
        if len(text) > PHONE_MAX:
            raise ValidationError(f"Phone number must be {PHONE_MAX} characters or fewer")
        digits = sum(char.isdigit() for char in text)
        low, high = PHONE_DIGITS
        if not PHONE_CHARACTERS.fullmatch(text) or not low <= digits <= high:
            raise ValidationError(PHONE_MESSAGE)


def phone_field(hint: str) -> StringField:
    return StringField(
        "Phone number (optional)",
        description=hint,
        widget=GovTextInput(),
        filters=[strip_text],
        validators=[PhoneNumber()],
    )


def _new_password_field(label: str) -> PasswordField:
    return PasswordField(
        label,
        widget=GovPasswordInput(),
        description=f"At least {PASSWORD_MIN} characters, and at most {PASSWORD_MAX}. A short "
        "sentence is easy to remember, like “tea at four in the garden”.",
        validators=[
            InputRequired(message="Enter a new password"),
            Length(
                min=PASSWORD_MIN,
                max=PASSWORD_MAX,
                message=f"Password must be between {PASSWORD_MIN} and {PASSWORD_MAX} characters",
            ),
        ],
    )


def _confirm_field() -> PasswordField:
    return PasswordField(
        "Type the new password again",
        widget=GovPasswordInput(),
        description="Exactly as above, so a typing mistake cannot lock you out.",
        validators=[
            InputRequired(message="Type the new password again"),
            EqualTo("new_password", message="The two passwords are not the same"),
        ],
    )


class SignInForm(FlaskForm):
    email = EmailField(
        "Email address",
        description="The email address your account was set up with, like name@example.org.",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter your email address"),
            Length(max=EMAIL_LENGTH, message="Enter a real email address"),
            NoControlCharacters(),  # PostgreSQL refuses NUL in a query, which would be a 500
        ],
        filters=[NormalisedEmail()],
    )
    password = PasswordField(
        "Password",
        description="Type it exactly: capital letters count.",
        widget=GovPasswordInput(),
        validators=[
            InputRequired(message="Enter your password"),
            Length(max=PASSWORD_MAX, message="Enter your password"),
        ],
    )
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        "Current password",
        description="The password you use to sign in now.",
        widget=GovPasswordInput(),
        validators=[
            InputRequired(message="Enter your current password"),
            Length(max=PASSWORD_MAX, message="Your current password is not right"),
        ],
    )
    new_password = _new_password_field("New password")
    confirm_password = _confirm_field()
    submit = SubmitField("Change password", widget=GovSubmitInput())


class SetPasswordForm(FlaskForm):
    new_password = _new_password_field("Choose a password")
    confirm_password = _confirm_field()
    submit = SubmitField("Save password and sign in", widget=GovSubmitInput())


class ForgottenPasswordForm(FlaskForm):
    email = email_address(
        "The email address you sign in with, like name@example.org.", "Enter your email address"
    )
    submit = SubmitField("Send me a link", widget=GovSubmitInput())


class AccountForm(FlaskForm):
    """The person's own settings, and the version of the account they were loaded from."""

    phone = phone_field(
        "If you lead a team, your collaborative's coordinators see it, so they can call you "
        "about the team's work. Like 01632 960 001."
    )
    wants_reminder_email = BooleanField(
        "Send me reminder emails",
        description=REMINDER_HINT,
        widget=GovCheckboxInput(),
    )
    version = VersionField(required=True)
    submit = SubmitField("Save", widget=GovSubmitInput())
