"""Form pieces shared by every feature: trimming, length limits that match the database, emails,
and the care-recipient data canary on every free-text field."""

from __future__ import annotations

import enum
from datetime import date, time
from typing import Any

from flask import abort, get_template_attribute, request
from govuk_frontend_wtf.wtforms_widgets import GovDateInput, GovTextArea, GovTextInput
from markupsafe import Markup
from wtforms import DateField, EmailField, Field, IntegerField, StringField, TextAreaField
from wtforms.utils import unset_value
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    Optional,
    StopValidation,
    ValidationError,
)
from wtforms.widgets import HiddenInput

from improve import canary
from improve.htmx import is_partial_request
from improve.models.base import LONG_TEXT, SHORT_TEXT
from improve.routing import parse_id

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
        if field.errors:  # already refused (too long): nothing more to read in it
            return
        if any(ord(char) < 32 and char not in "\n\r\t" for char in text):
            raise ValidationError(f"{field.label.text} contains characters that cannot be saved")


class NamedNoControlCharacters(NoControlCharacters):
    """NoControlCharacters, its message naming the thing rather than the label's question."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, form: Any, field: Any) -> None:
        try:
            super().__call__(form, field)
        except ValidationError:
            raise ValidationError(f"{self.name} contains characters that cannot be saved") from None


def named(field: Any, name: str) -> Any:
    """A short_text/long_text field whose messages name the thing, not the label's question:
    "The action must be 5,000 characters or fewer", not "What is the action? must be 5000 ..."."""
    validators = field.kwargs["validators"]
    for index, validator in enumerate(validators):
        if isinstance(validator, Length):
            validator.message = f"{name} must be {validator.max:,} characters or fewer"
        elif isinstance(validator, NoControlCharacters):
            validators[index] = NamedNoControlCharacters(name)
    return field


# The checkbox that appears under a field after the canary warned about it is named after the field.
CONFIRM_SUFFIX = "-not-care-recipient"


class NoCareRecipientData:
    """Warn when the text holds what looks like an NHS number or a date of birth (the rules are in
    improve.canary): records must not identify people who draw on care. The person can remove
    it, or tick the box that then appears under the field to say it is about something else.
    Text already stored unchanged is not warned about again (`flask scan-personal-data` finds
    that)."""

    def __call__(self, form: Any, field: Any) -> None:
        text = field.data or ""
        # Text already refused (too long) is not scanned: the scan is the slow part, and the
        # person must shorten it first anyway.
        if not text or text == (field.object_data or "") or field.errors:
            return
        field.care_data_findings = canary.findings(text)
        if field.care_data_findings and not field.care_data_confirmed:
            raise ValidationError(care_data_message(field.care_data_findings))


def care_data_message(found: list[canary.Finding]) -> str:
    what = list(dict.fromkeys(finding.describe() for finding in found))
    it, it_is = ("them", "they are") if len(what) > 1 else ("it", "it is")
    return (
        f"This looks like {' and '.join(what)}. Records must not identify people who draw on "
        f"care, so leave out NHS numbers and dates of birth. Remove {it}, or tick the box under "
        f"this field if {it_is} not about a person who draws on care."
    )


class ScreenedField:
    """Mixin for the free-text fields: remembers whether the person ticked the box saying the
    warned-about text is not about a person who draws on care."""

    care_data_findings: list[canary.Finding] | tuple[()] = ()
    care_data_confirmed = False

    def process(self, formdata: Any, data: Any = unset_value, extra_filters: Any = None) -> None:
        super().process(formdata, data, extra_filters)
        if formdata is not None:
            self.care_data_confirmed = any(formdata.getlist(self.name + CONFIRM_SUFFIX))


class ScreenedWidget:
    """Mixin for the GOV.UK text widgets: after a warning, the box to confirm goes inside the
    field's form group, under the input, so it reads as part of the same question."""

    def __call__(self, field: Any, **kwargs: Any) -> Markup:
        html = super().__call__(field, **kwargs)
        if not field.care_data_findings:
            return html
        checkbox = get_template_attribute("_macros/care_data.html", "confirm_checkbox")(field)
        group, end = html.rstrip(), "</div>"
        if group.endswith(end):
            # Both pieces are the widget's own Markup: slicing keeps them escaped as they were.
            return group[: -len(end)] + checkbox + group[-len(end) :]
        return html + checkbox


class ScreenedTextInput(ScreenedWidget, GovTextInput):
    pass


class ScreenedTextArea(ScreenedWidget, GovTextArea):
    pass


class ScreenedStringField(ScreenedField, StringField):
    pass


class ScreenedTextAreaField(ScreenedField, TextAreaField):
    pass


def email_address(hint: str, required: str) -> EmailField:
    """An email address someone types in (their own or a colleague's): trimmed and lower-cased,
    checked for its shape but not its domain; `required` is the message shown when it is empty."""
    return EmailField(
        "Email address",
        description=hint,
        widget=GovTextInput(),
        filters=[NormalisedEmail()],
        validators=[
            InputRequired(message=required),
            Length(max=EMAIL_LENGTH, message="Email address must be 254 characters or fewer"),
            Email(
                message="Enter an email address in the right format, like name@example.org",
                check_deliverability=False,
            ),
            NoControlCharacters(),
        ],
    )


def short_text(label: str, hint: str = "", required: str | None = None) -> StringField:
    """A one-line text field; `required` is the message shown when it is left empty."""
    return ScreenedStringField(
        label,
        description=hint,
        widget=ScreenedTextInput(),
        filters=[strip_text],
        validators=[
            # DataRequired checks the value after strip_text, so spaces alone count as empty.
            DataRequired(message=required) if required else Optional(),
            Length(max=SHORT_TEXT, message=f"{label} must be {SHORT_TEXT} characters or fewer"),
            NoControlCharacters(),
            NoCareRecipientData(),
        ],
    )


def long_text(label: str, hint: str = "", required: str | None = None) -> TextAreaField:
    """A multi-line text field; `required` is the message shown when it is left empty."""
    return ScreenedTextAreaField(
        label,
        description=hint,
        widget=ScreenedTextArea(),
        filters=[strip_text],
        validators=[
            DataRequired(message=required) if required else Optional(),
            Length(max=LONG_TEXT, message=f"{label} must be {LONG_TEXT} characters or fewer"),
            NoControlCharacters(),
            NoCareRecipientData(),
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
        # Ten digits or more is no setting's value, and past what the database's integer holds
        # (400 nines answered 500): refused here, with the usual words.
        if valuelist and len(valuelist[0].strip().lstrip("+-")) >= 10:
            raise ValueError(f"{self.label.text} must be a whole number, like 7")
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(f"{self.label.text} must be a whole number, like 7") from None


# Versions: every form that edits a saved record carries the version it was loaded from. ---------

RELOAD = "This form is out of date or incomplete. Reload the page and make your change again"


class VersionField(Field):
    """The version of the record the form was loaded from, in a hidden input.

    By default a missing or garbled value is no error of its own: it simply does not match the
    saved version, which the view reports as a conflict. With `required=True` (for records that
    always exist before the form does) it is refused with RELOAD instead, so a form that lost its
    version says so (422) rather than passing for someone else's change."""

    widget = HiddenInput()

    def __init__(self, label: str = "", required: bool = False, **kwargs: Any) -> None:
        super().__init__(label, **kwargs)
        self.required = required

    def process_formdata(self, valuelist: list[str]) -> None:
        text = valuelist[0] if valuelist else ""
        self.data = parse_id(text) if text != "0" else 0

    def pre_validate(self, form: Any) -> None:
        if self.required and self.data is None:
            raise StopValidation(RELOAD)

    def _value(self) -> str:
        return "" if self.data is None else str(self.data)


def accept_version(form: Any, record: Any) -> bool:
    """Whether the form was loaded from the version now saved (or, for a record not yet made, from
    none). If not, point the form at the saved version, so that after comparing, the person can
    save again on purpose."""
    saved = None if record is None else record.version
    if form.version.data == saved:
        return True
    form.version.data = saved
    form.version.raw_data = ["" if saved is None else str(saved)]
    return False


def form_status(form: Any, conflict: bool = False) -> int:
    """200, 422 for mistakes, and for a save over someone else's: 409 (422 for htmx, which only
    swaps in 422 answers)."""
    if conflict:
        return 422 if is_partial_request() else 409
    return 422 if form.errors else 200


def saved_values(form: Any, record: Any) -> list[tuple[str, str]]:
    """Each field of an edit form with the record's saved value in words, for the conflict page
    ("their saved version" beside the person's own in the form)."""
    rows = []
    for field in form:
        if field.name in ("csrf_token", "version") or field.type == "SubmitField":
            continue
        rows.append((field.label.text, _in_words(field, getattr(record, field.name, None))))
    return rows


def _in_words(field: Any, value: Any) -> str:
    if isinstance(value, enum.Enum):
        value = value.value
    for choice in getattr(field, "choices", None) or ():
        key, label = (choice.value, choice.label) if hasattr(choice, "label") else choice[:2]
        if str(key) == str(value):
            return str(label)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, date):
        return f"{value:%-d %B %Y}"
    if isinstance(value, time):
        return f"{value:%H:%M}"
    if isinstance(value, float):
        return f"{value:.15g}"
    return "–" if value is None or value == "" else str(value)


# Removals: "yes, remove it" names the version of the record the question showed. ---------------


def removal_conflict(record: Any) -> bool:
    """For the POST that answers "yes, remove it": whether `record` changed since the question
    was shown (the question posts the version it showed). Then nothing is removed and the question
    is asked again, about the record as it is now. A missing or garbled version is refused (400,
    RELOAD): a destructive action must know what it destroys."""
    shown = parse_id(request.form.get("version", ""))
    if shown is None:
        abort(400, RELOAD)
    return shown != record.version


def removal_status(conflict: bool) -> int:
    """200 for the question; asked again because the record changed: 409 (422 for htmx, which
    only swaps in 422 answers)."""
    return (422 if is_partial_request() else 409) if conflict else 200
