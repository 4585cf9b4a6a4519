"""The forms to add a person to a team or collaborative, and to take their role away."""

from __future__ import annotations

from typing import ClassVar

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput
from wtforms import RadioField, SelectChoice, SubmitField
from wtforms.validators import InputRequired

from improve.forms import (
    email_address,
    short_text,
)

NEEDS_NAME = "There is no account for this email address yet. Enter their full name to create one"


class MemberForm(FlaskForm):
    role_choices: ClassVar[list[SelectChoice]] = []
    # What each role may do, in the words of the place the person is added to.
    role_hint: ClassVar[str] = "This decides what they can see and change."

    email = email_address(
        "Their work email, like name@example.org. If they already have an account, "
        "use the address they sign in with.",
        "Enter their email address",
    )
    display_name = short_text(
        "Full name",
        "Only used if they do not have an account yet, to create one.",
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
        self.role.description = self.role_hint
