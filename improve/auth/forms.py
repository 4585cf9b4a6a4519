from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput, GovTextInput
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import EqualTo, InputRequired, Length

from improve.forms import EMAIL_LENGTH, NoControlCharacters, NormalisedEmail

PASSWORD_MIN = 10
PASSWORD_MAX = 128


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
