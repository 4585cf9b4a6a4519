"""Forms for a community's evaluation: the short feedback form after a meeting (a member's own,
or a paper form a facilitator types in) and the notes of interview-based evaluations."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextInput
from wtforms import RadioField, SelectChoice, SubmitField, ValidationError
from wtforms.validators import InputRequired, NumberRange

from improve.forms import DateParts, VersionField, WholeNumber, long_text, short_text
from improve.models import Agreement, StakeholderGroup
from improve.research.forms import group_field

ANSWER_FIELDS = ("listened_to", "learned_something", "will_use")
MOST_INTERVIEWS = 1000


def _answer(value: Any) -> Any:
    return value.value if isinstance(value, Agreement) else value


def agreement(label: str, hint: str, required: str) -> RadioField:
    """A question answered Yes, Partly or No, side by side."""
    return RadioField(
        label,
        description=hint,
        widget=GovRadioInput(),
        choices=[SelectChoice(answer.value, answer.label) for answer in Agreement],
        coerce=_answer,
        invalid_choice_message="Choose Yes, Partly or No",
        validators=[InputRequired(message=required)],
    )


class FeedbackForm(FlaskForm):
    """Three questions about one meeting, a comment and the person's group."""

    listened_to = agreement(
        "Did you feel listened to?",
        "Did people hear what you said and take it seriously?",
        "Say whether you felt listened to",
    )
    learned_something = agreement(
        "Did you learn something?",
        "Something new to you, from anyone in the meeting.",
        "Say whether you learned something",
    )
    will_use = agreement(
        "Will you use what you learned?",
        "In your work, your care or your life.",
        "Say whether you will use what you learned",
    )
    comment = long_text(
        "Anything else you want to tell us? (optional)",
        "Members of the community can read comments, without names. Leave out names.",
    )
    stakeholder_group = group_field(
        "Which group are you in?",
        "Answers are counted by group, never shown by name. We filled in your group in this "
        "community.",
        "Choose your stakeholder group",
    )
    submit = SubmitField("Send my answers", widget=GovSubmitInput())

    def details(self) -> dict[str, Any]:
        return {
            **{name: Agreement(getattr(self, name).data) for name in ANSWER_FIELDS},
            "comment": self.comment.data or "",
            "stakeholder_group": StakeholderGroup(self.stakeholder_group.data),
        }


class PaperFeedbackForm(FeedbackForm):
    """A paper form typed in by a facilitator: the questions as the person answered them."""

    stakeholder_group = group_field(
        "Which group is the person in?",
        "As written on the paper form. Choose ‘Prefer not to say’ if they left it empty.",
        "Choose the person’s stakeholder group",
    )
    comment = long_text(
        "Their comment (optional)",
        "As written on the form. Leave out any names.",
    )
    submit = SubmitField("Add this paper form", widget=GovSubmitInput())


class NoteForm(FlaskForm):
    """Notes from an interview-based evaluation of the community."""

    title = short_text(
        "Title",
        "Like “Interviews after the first year”.",
        required="Enter a title",
    )
    written_on = DateParts(
        "Date",
        "When the evaluation was written up, like 27 3 2026. It cannot be in the future.",
        required="Enter the date",
        default=date.today,
    )
    interviews = WholeNumber(
        "Number of interviews",
        description=f"How many people were interviewed: 0 to {MOST_INTERVIEWS}.",
        widget=GovTextInput(),
        default=0,
        validators=[
            InputRequired(message="Enter the number of interviews"),
            NumberRange(
                min=0,
                max=MOST_INTERVIEWS,
                message=f"The number of interviews must be between 0 and {MOST_INTERVIEWS}",
            ),
        ],
    )
    who_was_interviewed = long_text(
        "Who was interviewed (optional)",
        "Their groups, not their names, like “6 carers, 4 people who draw on care, 11 "
        "practitioners and managers”.",
    )
    findings = long_text(
        "What was found",
        "What people valued, and what they would change. Leave out names.",
        required="Enter what was found",
    )
    version = VersionField()
    submit = SubmitField("Save the evaluation notes", widget=GovSubmitInput())

    def validate_written_on(self, field: DateParts) -> None:
        if field.data and field.data > date.today():
            raise ValidationError("The date cannot be in the future")

    def details(self) -> dict[str, Any]:
        return {
            "title": self.title.data,
            "written_on": self.written_on.data,
            "interviews": self.interviews.data,
            "who_was_interviewed": self.who_was_interviewed.data or "",
            "findings": self.findings.data,
        }
