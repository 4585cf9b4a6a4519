from __future__ import annotations

from datetime import date, datetime

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextInput
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length, ValidationError

from improve.analysis.periods import UK
from improve.api.operations import LONGEST_LIFETIME
from improve.forms import DateParts, NoControlCharacters, strip_text

#: The column's length (improve.models.ApiToken.name).
NAME_LENGTH = 100


class NewTokenForm(FlaskForm):
    """A name to tell the token apart, and the day it stops working (90 days if left empty).
    `today` is the UK date the form is checked against (today, unless a test says otherwise)."""

    name = StringField(
        "Name",
        description="What the token is for, so you can tell it apart later, like "
        "“Power BI board pack”.",
        widget=GovTextInput(),
        filters=[strip_text],
        validators=[
            DataRequired(message="Enter a name for the token"),
            Length(max=NAME_LENGTH, message=f"Name must be {NAME_LENGTH} characters or fewer"),
            NoControlCharacters(),
        ],
    )
    expires_on = DateParts(
        "Expiry date (optional)",
        "The token works until the end of this day, for at most a year, like 31 3 2027. Leave "
        "it empty and it works for 90 days.",
    )
    submit = SubmitField("Make the token", widget=GovSubmitInput())

    def __init__(self, *args: object, today: date | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # Tokens expire by the UK calendar: one that works until 31 March stops at midnight.
        self.today = today or datetime.now(UK).date()

    def validate_expires_on(self, field: DateParts) -> None:
        if field.data is None:
            return
        if field.data < self.today:
            raise ValidationError("The expiry date has passed: choose today or a later day")
        if field.data > self.today + LONGEST_LIFETIME:
            last = self.today + LONGEST_LIFETIME
            raise ValidationError(
                f"A token can work for a year at most: choose {last:%-d %B %Y} or earlier"
            )
