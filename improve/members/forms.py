"""The form to add a person to a team or collaborative."""

from __future__ import annotations

from typing import ClassVar

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextInput
from wtforms import EmailField, RadioField, SelectChoice, SubmitField
from wtforms.validators import Email, InputRequired, Length

from improve.forms import EMAIL_LENGTH, NoControlCharacters, NormalisedEmail, short_text

NEEDS_NAME = "There is no account for this email address yet. Enter their full name to create one"


class MemberForm(FlaskForm):
    role_choices: ClassVar[list[SelectChoice]] = []

    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        filters=[NormalisedEmail()],
        validators=[
            InputRequired(message="Enter their email address"),
            Length(max=EMAIL_LENGTH, message="Email address must be 254 characters or fewer"),
            Email(
                message="Enter an email address in the right format, like name@example.org",
                check_deliverability=False,
            ),
            NoControlCharacters(),
        ],
    )
    display_name = short_text(
        "Full name",
        "Only needed if they do not have an account yet: we will create one and give you a link "
        "to send them.",
    )
    role = RadioField(
        "Role",
        widget=GovRadioInput(),
        validators=[InputRequired(message="Choose a role")],
        invalid_choice_message="Choose one of the roles shown",
    )
    submit = SubmitField("Add person", widget=GovSubmitInput())

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.role.choices = self.role_choices
