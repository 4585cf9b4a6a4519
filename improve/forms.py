"""Form pieces shared by every feature: trimming, length limits that match the database, emails."""

from __future__ import annotations

from datetime import date
from typing import Any

from govuk_frontend_wtf.wtforms_widgets import GovDateInput, GovTextArea, GovTextInput
from wtforms import DateField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, StopValidation, ValidationError

from improve.models.base import LONG_TEXT, SHORT_TEXT

EMAIL_LENGTH = 254


def strip_text(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class NormalisedEmail:
    """Filter: emails compare case-insensitively, so store and look them up in lower case."""

    def __call__(self, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value


class NoControlCharacters:
    """Refuse NUL and other control characters: PostgreSQL rejects NUL, and none belongs in text."""

    def __call__(self, form: Any, field: Any) -> None:
        text = field.data or ""
        if any(ord(char) < 32 and char not in "\n\r\t" for char in text):
            raise ValidationError(f"{field.label.text} contains characters that cannot be saved")


def short_text(label: str, hint: str = "", required: str | None = None) -> StringField:
    """A one-line text field; `required` is the message shown when it is left empty."""
    return StringField(
        label,
        description=hint,
        widget=GovTextInput(),
        filters=[strip_text],
        validators=[
            # DataRequired checks the value after strip_text, so spaces alone count as empty.
            DataRequired(message=required) if required else Optional(),
            Length(max=SHORT_TEXT, message=f"{label} must be {SHORT_TEXT} characters or fewer"),
            NoControlCharacters(),
        ],
    )


def long_text(label: str, hint: str = "", required: str | None = None) -> TextAreaField:
    """A multi-line text field; `required` is the message shown when it is left empty."""
    return TextAreaField(
        label,
        description=hint,
        widget=GovTextArea(),
        filters=[strip_text],
        validators=[
            DataRequired(message=required) if required else Optional(),
            Length(max=LONG_TEXT, message=f"{label} must be {LONG_TEXT} characters or fewer"),
            NoControlCharacters(),
        ],
    )


class DateParts(DateField):
    """A GOV.UK day/month/year date. Always keeps three raw parts, because the GOV.UK widget
    unpacks exactly three and would crash on a POST that lacks them."""

    widget = GovDateInput()

    def __init__(self, label: str, hint: str = "", required: str | None = None, **kwargs: Any):
        validators = [DateRequired(required)] if required else [Optional()]
        super().__init__(
            label, description=hint, format="%d %m %Y", validators=validators, **kwargs
        )

    def process_formdata(self, valuelist: list[str]) -> None:
        day, month, year = (list(valuelist) + ["", "", ""])[:3]
        self.raw_data = [day, month, year]
        if not (day.strip() or month.strip() or year.strip()):
            self.data = None
            return
        try:
            self.data = date(int(year), int(month), int(day))
        except (TypeError, ValueError, OverflowError):
            self.data = None
            raise ValueError(f"{self.label.text} must be a real date, like 27 3 2026") from None
        if not 1900 <= self.data.year <= 2200:
            self.data = None
            raise ValueError(f"{self.label.text} must have a 4-digit year, like 2026")


class DateRequired:
    """Stop the chain when a date was left empty, with a message naming the field."""

    def __init__(self, message: str) -> None:
        self.message = message
        self.field_flags = {"required": True}

    def __call__(self, form: Any, field: Any) -> None:
        if field.data is None and not field.errors:
            raise StopValidation(self.message)


class WholeNumber(IntegerField):
    """An integer field whose message for text like "seven" says what to type instead."""

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(f"{self.label.text} must be a whole number, like 7") from None
