"""Forms for the strategic panel's dated reviews, the actions agreed at them, and SCIE's four
evaluation questions."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput
from wtforms import RadioField, SelectChoice, SubmitField, ValidationError
from wtforms.validators import InputRequired

from improve.forms import DateParts, VersionField, long_text, named, short_text
from improve.models import ActionStatus

REVIEW_TEXT_FIELDS = ("decisions", "organisational_changes")
EVALUATION_FIELDS = (
    "outcomes_achieved",
    "did_the_method_work",
    "what_next_with_learning",
    "remaining_gaps",
)
# A finished meeting must have left a record; one still going on may be saved empty and filled in.
NOTHING_WRITTEN = (
    "A meeting that has finished needs at least one decision, action or change written down. "
    "To add the actions first, answer ‘No’ to ‘Has the meeting finished?’, save, add the "
    "actions, then mark the meeting as held"
)
NO_ANSWER = "Answer at least one of the four questions before saving"
YES, NO = "yes", "no"


class NamedDate(DateParts):
    """A date whose errors say what to enter in GOV.UK's words ("Enter a real due date, like
    27 3 2026"), where the label is a question that cannot start a sentence."""

    def __init__(self, label: str, hint: str = "", *, called: str, **kwargs: Any) -> None:
        super().__init__(label, hint, **kwargs)
        self.name_in_words = called

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            # DateParts refuses a date that does not exist, or a year not written in full.
            if "4-digit year" in str(error):
                raise ValueError(
                    f"Enter the {self.name_in_words} with a 4-digit year, like 2026"
                ) from None
            raise ValueError(f"Enter a real {self.name_in_words}, like 27 3 2026") from None


def _yes_no(value: Any) -> Any:
    """A saved True/False as the radio's "yes"/"no"; what a form posts is kept as it came."""
    if isinstance(value, bool):
        return YES if value else NO
    return value


class ReviewForm(FlaskForm):
    """A panel meeting: when it met, whether it has finished, and what it decided. The actions
    it agrees are added one at a time on the review's own page."""

    reviewed_on = DateParts(
        "Date of the panel meeting",
        "The day the panel met, like 27 3 2026. It cannot be in the future.",
        required="Enter the date of the panel meeting",
        default=date.today,
    )
    is_held = RadioField(
        "Has the meeting finished?",
        description=(
            "You can start the review as the meeting begins and fill it in as you go. Until the "
            "meeting is marked as held, the panel summary’s ‘since the last review’ figures keep "
            "counting from the meeting before, so the panel reads the figures it came to discuss."
        ),
        widget=GovRadioInput(),
        coerce=_yes_no,
        choices=[
            SelectChoice(YES, "Yes, the meeting has finished"),
            SelectChoice(NO, "No, the meeting is still going on (or has not started)"),
        ],
        invalid_choice_message="Choose yes or no",
        validators=[InputRequired(message="Say whether the meeting has finished")],
    )
    decisions = named(
        long_text(
            "What did the panel decide?",
            "For example, which changes should spread to other teams or services.",
        ),
        "The panel’s decisions",
    )
    organisational_changes = named(
        long_text(
            "What must the organisations change?",
            "Changes to policy, staffing, training or money that the teams cannot make on their "
            "own.",
        ),
        "The organisational changes",
    )
    version = VersionField()
    submit = SubmitField("Save the review", widget=GovSubmitInput())

    # Set by the view when editing: a finished meeting may have recorded only actions.
    action_count = 0

    def validate_reviewed_on(self, field: DateParts) -> None:
        if field.data and field.data > date.today():
            raise ValidationError("The date of the panel meeting cannot be in the future")

    def validate(self, extra_validators: Any = None) -> bool:
        # Checked here, not per field: each text is optional on its own.
        valid = super().validate(extra_validators)
        written = any(getattr(self, name).data for name in REVIEW_TEXT_FIELDS)
        if valid and self.is_held.data == YES and not written and not self.action_count:
            self.decisions.errors = [NOTHING_WRITTEN]
            return False
        return valid

    def details(self) -> dict[str, Any]:
        values = {name: getattr(self, name).data or "" for name in REVIEW_TEXT_FIELDS}
        return {"reviewed_on": self.reviewed_on.data, "is_held": self.is_held.data == YES, **values}


class MarkHeldForm(FlaskForm):
    """The "Mark the meeting as held" button: it carries the version of the review it showed."""

    version = VersionField(required=True)


class ActionForm(FlaskForm):
    """One action agreed at a review: what, who owns it, and by when."""

    description = named(
        long_text(
            "What is the action?",
            "One thing to do, like “Share the night-time checklist with every home”.",
            required="Enter what the action is",
        ),
        "The action",
    )
    owner = named(
        short_text(
            "Who owns it?",
            "The person or role who makes sure it happens, like “Sam Patel, care director”. "
            "They do not need an account in improve.",
            required="Enter who owns the action",
        ),
        "The owner",
    )
    due_on = NamedDate(
        "When is it due?",
        "For example, 30 6 2026.",
        called="due date",
        required="Enter the date the action is due",
    )
    submit = SubmitField("Add the action", widget=GovSubmitInput())

    # Set by the view: an action cannot fall due before the meeting that agreed it.
    reviewed_on: date | None = None

    def validate_due_on(self, field: DateParts) -> None:
        # A saved date left as it was stays valid even if the meeting's date moved since.
        if field.data is None or self.reviewed_on is None or field.data == field.object_data:
            return
        if field.data < self.reviewed_on:
            raise ValidationError(
                "The due date cannot be before the meeting that agreed the action "
                f"({self.reviewed_on.day} {self.reviewed_on:%B %Y})"
            )

    def details(self) -> dict[str, Any]:
        return {
            "description": self.description.data,
            "owner": self.owner.data,
            "due_on": self.due_on.data,
        }


class ActionEditForm(ActionForm):
    """An action as it goes on: how far it has got, and anything about it that has changed."""

    status = RadioField(
        "How far has it got?",
        description=(
            "Actions not started or in progress are carried to the next review. Choose ‘Dropped’ "
            "if the panel decided not to do it."
        ),
        widget=GovRadioInput(),
        choices=[SelectChoice(status.value, status.label) for status in ActionStatus],
        coerce=lambda value: value.value if isinstance(value, ActionStatus) else value,
        invalid_choice_message="Choose one of the statuses shown",
        validators=[InputRequired(message="Choose how far the action has got")],
    )
    progress_note = named(
        long_text(
            "What has happened so far? (optional)",
            "A line the panel can read at the next meeting, like “Shared with 6 of 9 homes”.",
        ),
        "What has happened so far",
    )
    version = VersionField()
    submit = SubmitField("Save the action", widget=GovSubmitInput())

    def details(self) -> dict[str, Any]:
        return {
            **super().details(),
            "status": ActionStatus(self.status.data),
            "progress_note": self.progress_note.data or "",
        }


class EvaluationForm(FlaskForm):
    """SCIE Guide 34's four evaluation questions, asked at the end of the collaborative."""

    outcomes_achieved = long_text(
        "Did we achieve what we set out to achieve?",
        "Look back at the aims. What got better for the people who use the services, and by how "
        "much? Numbers and people's stories both count.",
    )
    did_the_method_work = long_text(
        "Did working this way help?",
        "Think about the learning sessions, testing small changes (PDSA cycles), the measures and "
        "the support between meetings. What helped, and what got in the way?",
    )
    what_next_with_learning = long_text(
        "What do we want to do with what we learned?",
        "For example, keep a change going, spread it to other teams or services, or test a new "
        "idea.",
    )
    remaining_gaps = long_text(
        "What is still missing?",
        "Gaps in knowledge, training or resources (time, money, staff, equipment) that still "
        "hold things back.",
    )
    version = VersionField()
    submit = SubmitField("Save the answers", widget=GovSubmitInput())

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        if valid and not any(getattr(self, name).data for name in EVALUATION_FIELDS):
            self.outcomes_achieved.errors = [NO_ANSWER]
            return False
        return valid

    def details(self) -> dict[str, str]:
        return {name: getattr(self, name).data or "" for name in EVALUATION_FIELDS}
