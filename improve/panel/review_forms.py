"""Forms for the strategic panel's dated reviews and for SCIE's four evaluation questions."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import SubmitField, ValidationError

from improve.aims.forms import VersionField
from improve.forms import DateParts, long_text

REVIEW_TEXT_FIELDS = ("decisions", "actions", "organisational_changes")
EVALUATION_FIELDS = (
    "outcomes_achieved",
    "did_the_method_work",
    "what_next_with_learning",
    "remaining_gaps",
)
NOTHING_WRITTEN = "Write down at least one decision, action or change the organisations must make"
NO_ANSWER = "Answer at least one of the four questions before saving"


class ReviewForm(FlaskForm):
    """A panel meeting: when it met and what it decided."""

    reviewed_on = DateParts(
        "Date of the panel meeting",
        "The day the panel met, like 27 3 2026. It cannot be in the future.",
        required="Enter the date of the panel meeting",
        default=date.today,
    )
    decisions = long_text(
        "What did the panel decide?",
        "For example, which changes should spread to other teams or services.",
    )
    actions = long_text(
        "What actions were agreed, and who will take them?",
        "For example, “Sam to share the night-time checklist with all homes by June”.",
    )
    organisational_changes = long_text(
        "What must the organisations change?",
        "Changes to policy, staffing, training or money that the teams cannot make on their own.",
    )
    submit = SubmitField("Save the review", widget=GovSubmitInput())

    def validate_reviewed_on(self, field: DateParts) -> None:
        if field.data and field.data > date.today():
            raise ValidationError("The date of the panel meeting cannot be in the future")

    def validate(self, extra_validators: Any = None) -> bool:
        # Checked here, not per field: each of the three is optional on its own.
        valid = super().validate(extra_validators)
        if valid and not any(getattr(self, name).data for name in REVIEW_TEXT_FIELDS):
            self.decisions.errors = [NOTHING_WRITTEN]
            return False
        return valid

    def details(self) -> dict[str, Any]:
        values = {name: getattr(self, name).data or "" for name in REVIEW_TEXT_FIELDS}
        return {"reviewed_on": self.reviewed_on.data, **values}


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
