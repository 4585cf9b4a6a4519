"""Forms for aims: the aim itself, its status, and the dated SCIE assessments that revisit it.

Also the number field the driver diagram's forms share, which only takes real numbers. The hidden
version field and its check live in improve.forms (every edit form uses them); they are
re-exported here for the forms that import them from aims.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextInput
from wtforms import FloatField, RadioField, SelectChoice, SubmitField
from wtforms.validators import InputRequired, Optional, StopValidation, ValidationError

from improve.forms import DateParts, VersionField, long_text, short_text
from improve.forms import accept_version as accept_version  # re-exported: its old home
from improve.models import AimStatus
from improve.models.measure import MAX_MAGNITUDE

# Digits with an optional decimal point: "nan", "inf", "1e9" and "some" are not what people mean.
NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
NUMBER_LENGTH = 20

NO_TARGET = "Enter the target as a number, like 4: “some” is not a number"
NO_TARGET_DATE = "Enter the date you want to reach the target by: “soon” is not a time"
NEEDS_REASON = "Say why the team stopped working on this aim"


class Number(FloatField):
    """A number typed as digits, like 4 or 12.5; anything else gets a message saying so."""

    widget = GovTextInput()

    def __init__(self, label: str, hint: str = "", required: str | None = None, **kwargs: Any):
        validators = [NumberRequired(required)] if required else [Optional()]
        super().__init__(label, description=hint, validators=validators, **kwargs)

    def process_formdata(self, valuelist: list[str]) -> None:
        text = valuelist[0].strip() if valuelist else ""
        self.data = None
        if not text:
            return
        if len(text) > NUMBER_LENGTH or not NUMBER.fullmatch(text):
            raise ValueError(f"{self.label.text} must be a number, like 4 or 12.5")
        if abs(float(text)) > MAX_MAGNITUDE:
            raise ValueError(
                f"{self.label.text} must be between -{MAX_MAGNITUDE:,} and {MAX_MAGNITUDE:,}"
            )
        self.data = float(text)

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        # 4.0 reads as "4", and 0.1 stays "0.1" rather than a long binary fraction.
        return "" if self.data is None else f"{self.data:.15g}"


class NumberRequired:
    """Stop the chain when a number was left empty, with a message naming what is missing."""

    def __init__(self, message: str) -> None:
        self.message = message
        self.field_flags = {"required": True}

    def __call__(self, form: Any, field: Any) -> None:
        if field.data is None and not field.errors:
            raise StopValidation(self.message)


class AimForm(FlaskForm):
    title = short_text(
        "Short name for the aim",
        "A name the team will recognise, like “Fewer falls at night”.",
        required="Enter a short name for the aim",
    )
    what = long_text(
        "What are you trying to improve?",
        "In everyday words, like “reduce falls in our home”.",
        required="Say what you are trying to improve",
    )
    for_whom = short_text(
        "Who is it for?",
        "Who will be better off, like “the 32 people who live at Riverside”.",
        required="Say who the aim is for",
    )
    location = short_text(
        "Where?",
        "The service, unit or place, like “Riverside Care Home, ground floor”.",
        required="Say where this will happen",
    )
    unit = short_text(
        "What are you counting? (optional)",
        "What the numbers below measure, like “falls a month” or “% of people”.",
    )
    baseline_value = Number(
        "Where are you now? (optional)",
        "The number today, if you know it, like 9. Leave it empty if you do not know yet.",
    )
    target_value = Number(
        "Target",
        "The number you want to reach, like 4. “Some” is not a number.",
        required=NO_TARGET,
    )
    target_date = DateParts(
        "By when?",
        "The date you want to reach the target by, like 31 3 2027. “Soon” is not a time.",
        required=NO_TARGET_DATE,
    )
    version = VersionField()
    submit = SubmitField("Save the aim", widget=GovSubmitInput())

    def validate_target_value(self, field: Number) -> None:
        # An aim counts something (falls, missed doses, people): below 0 cannot be reached.
        if field.data is not None and field.data < 0:
            raise ValidationError("The target cannot be below 0: enter 0 or more, like 4")

    def validate_target_date(self, field: DateParts) -> None:
        # A date already gone is refused when it is chosen; an aim whose saved date has passed
        # can still be edited without changing it.
        if field.data and field.data < date.today() and field.data != field.object_data:
            raise ValidationError("The target date has passed: choose a date from today on")


class StatusForm(FlaskForm):
    status = RadioField(
        "Status of this aim",
        description="Whether the team is still working on it. You can change this again later.",
        widget=GovRadioInput(),
        choices=[
            SelectChoice(AimStatus.ACTIVE.value, "Active: the team is working on it"),
            SelectChoice(AimStatus.ACHIEVED.value, "Achieved: the team reached the target"),
            SelectChoice(AimStatus.STOPPED.value, "Stopped: the team is not working on it now"),
        ],
        invalid_choice_message="Choose one of the statuses shown",
        validators=[InputRequired(message="Choose a status")],
    )
    stopped_reason = long_text(
        "Why did the team stop? (only if stopped)",
        "For example, the service closed, or another aim matters more now.",
    )
    version = VersionField()
    submit = SubmitField("Save the status", widget=GovSubmitInput())

    def validate(self, extra_validators: Any = None) -> bool:
        # Checked here, not in the field's own chain: an empty optional field stops its chain.
        valid = super().validate(extra_validators)
        if self.status.data == AimStatus.STOPPED.value and not self.stopped_reason.data:
            self.stopped_reason.errors.append(NEEDS_REASON)
            return False
        return valid


class AssessmentForm(FlaskForm):
    """SCIE Guide 34's columns, answered again whenever the team takes stock."""

    assessed_on = DateParts(
        "Date of this assessment",
        "Usually today, like 27 3 2026.",
        required="Enter the date of this assessment",
        default=date.today,
    )
    where_are_we_now = long_text(
        "Where are we now?",
        "What is happening today. Stories from people count as well as numbers.",
        required="Say where you are now",
    )
    what_do_we_want_to_achieve = long_text(
        "What do we want to achieve?",
        "Where you want to be, in plain words.",
        required="Say what you want to achieve",
    )
    how_will_we_get_there = long_text(
        "How will we get there?",
        "The main steps you plan to take.",
        required="Say how you will get there",
    )
    who_needs_to_act = long_text(
        "Who needs to take what action? (optional)",
        "Names or roles, and what each person will do.",
    )
    timescales = short_text(
        "Timescales (optional)", "When the steps should happen, like “by the end of June”."
    )
    learning_points = long_text(
        "Learning points (optional)", "What the team has learned since it last took stock."
    )
    action_points = long_text(
        "Action points (optional)", "What the team will do next because of what it learned."
    )
    submit = SubmitField("Add this assessment", widget=GovSubmitInput())

    def validate_assessed_on(self, field: DateParts) -> None:
        if field.data and field.data > date.today():
            raise ValidationError("The date of this assessment cannot be in the future")
