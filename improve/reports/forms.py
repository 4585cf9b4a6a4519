"""Forms for the calendar's phases, a team's report, and the coordinator's score."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput
from wtforms import RadioField, SelectChoice, SubmitField
from wtforms.validators import InputRequired, Optional

from improve.analysis.scoring import SCALE
from improve.forms import DateParts, VersionField, long_text, short_text
from improve.models import Collaborative, PhaseKind
from improve.models.collaborative import DEFAULT_PROGRESS_LABELS

SCORE_NEEDED = "Choose a score from 0.5 to 5.0"
SCORE_OFF_SCALE = "Choose one of the scores shown, from 0.5 to 5.0"


def score_key(score: float) -> str:
    """The scale's spelling of a score: "3.0", "4.5"."""
    return f"{score:.1f}"


def score_choices(collaborative: Collaborative) -> list[SelectChoice]:
    """The scale with the collaborative's own words for each step (defaults where it has none)."""
    labels = collaborative.progress_labels or {}
    return [
        SelectChoice(
            score_key(s),
            f"{score_key(s)}: {labels.get(score_key(s)) or DEFAULT_PROGRESS_LABELS[score_key(s)]}",
        )
        for s in SCALE
    ]


def _score_field(label: str, hint: str, required: bool) -> RadioField:
    return RadioField(
        label,
        description=hint,
        widget=GovRadioInput(),
        choices=[],
        invalid_choice_message=SCORE_OFF_SCALE,
        validators=[InputRequired(message=SCORE_NEEDED) if required else Optional()],
    )


class PhaseForm(FlaskForm):
    kind = RadioField(
        "What kind of phase is it?",
        description="The IHI Breakthrough Series runs prework, then learning sessions with action "
        "periods between them, then sharing the learning. Senior managers meet the teams at the "
        "start (aims) and at the end (outcomes).",
        widget=GovRadioInput(),
        choices=[SelectChoice(kind.value, kind.label) for kind in PhaseKind],
        invalid_choice_message="Choose one of the kinds of phase shown",
        validators=[InputRequired(message="Choose what kind of phase it is")],
    )
    title = short_text(
        "Name (optional)",
        "Like “Learning session 2”. Leave it empty to use the kind of phase as its name.",
    )
    starts_on = DateParts(
        "Start date", "Like 14 1 2026.", required="Enter the date the phase starts"
    )
    ends_on = DateParts(
        "End date (optional)", "Leave it empty for a one-day event, like a meeting."
    )
    notes = long_text("Notes (optional)", "Where it happens, who comes, what to prepare.")
    submit = SubmitField("Save the phase", widget=GovSubmitInput())

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        start, end = self.starts_on.data, self.ends_on.data
        if start and end and end < start:
            self.ends_on.errors = [
                *self.ends_on.errors,
                "The end date must be on or after the start",
            ]
            return False
        return valid


class PhaseEditForm(PhaseForm):
    """Changing a phase: the same questions, and the version they were loaded from."""

    version = VersionField(required=True)


class ReportForm(FlaskForm):
    """The team's words and self-assessed score; the evidence is gathered, never typed."""

    achievements = long_text(
        "Achievements", "What went well this period: changes made, things people noticed."
    )
    learning = long_text("Learning", "What the team learned, including from tests that failed.")
    barriers = long_text(
        "Barriers", "What got in the way, and any help the team needs from the coordinator."
    )
    self_score = _score_field(
        "How far has the team got?",
        "Choose the step of the progress scale that fits the team now. The suggested score above "
        "is a starting point: change it if you know better.",
        required=False,
    )
    version = VersionField()

    def __init__(self, collaborative: Collaborative, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.self_score.choices = score_choices(collaborative)


class ScoreForm(FlaskForm):
    """The coordinator's score, with why, and what would help the team move up the scale."""

    score = _score_field(
        "Coordinator's score",
        "Where you think the team is on the progress scale, from this report and what you know.",
        required=True,
    )
    justification = long_text(
        "Why this score?",
        "The evidence behind it, in words the team will understand.",
        required="Say why you chose this score",
    )
    suggestions = long_text(
        "Suggestions for the team (optional)",
        "What would help them move up the scale, like an idea another team tested.",
    )
    # Empty when the form was loaded before any score was saved.
    version = VersionField()
    submit = SubmitField("Save the score", widget=GovSubmitInput())

    def __init__(self, collaborative: Collaborative, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.score.choices = score_choices(collaborative)
