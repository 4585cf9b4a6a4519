"""Forms for the calendar's phases, a team's report, and the coordinator's score."""

from __future__ import annotations

from datetime import time
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextInput
from wtforms import Field, RadioField, SelectChoice, SubmitField
from wtforms.validators import InputRequired, Optional

from improve.analysis.scoring import SCALE
from improve.forms import DateParts, VersionField, long_text, short_text
from improve.models import Collaborative, PhaseKind
from improve.models.collaborative import DEFAULT_PROGRESS_LABELS
from improve.reports.schedule import clock, parse_time

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


TIME_HINT = "For example, 10:00 or 14:30"


class ClockTime(Field):
    """An optional time of day typed as people write it ("9:30", "14.30", "2pm"); shown back on
    the 24-hour clock. `message` says what to type when the text is not a time."""

    widget = GovTextInput()

    def __init__(self, label: str, hint: str, message: str, **kwargs: Any) -> None:
        super().__init__(label, description=hint, validators=[Optional()], **kwargs)
        self.message = message

    def process_formdata(self, valuelist: list[str]) -> None:
        text = valuelist[0].strip() if valuelist else ""
        self.data = parse_time(text) if text else None
        if text and self.data is None:
            raise ValueError(self.message)

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return clock(self.data) if isinstance(self.data, time) else ""


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
    start_time = ClockTime(
        "Start time (optional)", TIME_HINT, "Enter a start time like 10:00, or leave it empty"
    )
    end_time = ClockTime(
        "End time (optional)",
        f"{TIME_HINT}. If the phase lasts several days, the time it ends on the last day.",
        "Enter an end time like 15:30, or leave it empty",
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
            valid = False
        if self.end_time.data and not self.start_time.data and not self.start_time.errors:
            self.start_time.errors = [
                *self.start_time.errors,
                "Enter the start time too, like 10:00, or leave the end time empty",
            ]
            valid = False
        one_day = start is not None and not self.ends_on.errors and end in (None, start)
        times = self.start_time.data, self.end_time.data
        if one_day and times[0] and times[1] and times[1] <= times[0]:
            self.end_time.errors = [
                *self.end_time.errors,
                "The end time must be after the start time",
            ]
            valid = False
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
