from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import RadioField, SelectChoice, SelectField, SubmitField
from wtforms.validators import InputRequired, NumberRange, ValidationError

from improve.forms import DateParts, VersionField, WholeNumber, long_text, short_text
from improve.members.forms import MemberForm
from improve.models import (
    COLLABORATIVE_ROLES,
    DEFAULT_PROGRESS_LABELS,
    OrganisationKind,
    ReportingCadence,
    RunChartRules,
    SigmaMethod,
)


class CollaborativeForm(FlaskForm):
    name = short_text(
        "Name",
        "For example, Better Lives at Home 2026",
        required="Enter a name for the collaborative",
    )
    topic = short_text(
        "What the teams will improve together",
        "One line, in plain words. For example, fewer falls for people living in care homes.",
        required="Enter what the teams will improve together",
    )
    description = long_text("More about it (optional)", "Why this topic, and who chose it.")
    starts_on = DateParts("Start date", "For example, 1 4 2026", required="Enter the start date")
    ends_on = DateParts(
        "End date",
        "For example, 30 9 2027. Collaboratives usually run for 6 to 18 months.",
        required="Enter the end date",
    )
    run_chart_rules = RadioField(
        "How should run charts spot real change?",
        description="A run chart shows the numbers over time with a middle line (the median: "
        "half the points are above it, half below). These rules decide when a pattern is unlikely "
        "to be chance. Choose the recommended rules unless your organisation uses the IHI ones.",
        widget=GovRadioInput(),
        choices=[
            SelectChoice(
                RunChartRules.ANHOEJ.value,
                "Anhøj rules (recommended): an unusually long run on one "
                "side of the middle line, or too few crossings of it",
            ),
            SelectChoice(
                RunChartRules.IHI.value,
                "IHI rules: a shift of 6 points on one side, or a trend of 5 "
                "points going the same way",
            ),
        ],
        default=RunChartRules.ANHOEJ.value,
        invalid_choice_message="Choose how run charts spot real change",
        validators=[InputRequired(message="Choose how run charts spot real change")],
    )
    sigma_method = RadioField(
        "How should control limits be worked out?",
        widget=GovRadioInput(),
        description="Control limits show how far values usually vary. The two methods differ very "
        "slightly; pick the one your organisation already uses.",
        choices=[
            SelectChoice(SigmaMethod.CLASSIC.value, "Classic (as the qicharts2 package)"),
            SelectChoice(SigmaMethod.NHS.value, "NHS Making Data Count"),
        ],
        default=SigmaMethod.CLASSIC.value,
        invalid_choice_message="Choose how control limits are worked out",
        validators=[InputRequired(message="Choose how control limits are worked out")],
    )
    shift_length = WholeNumber(
        "Points in a row on one side of the average that count as a shift",
        description="A shift (a long run on one side) suggests something really changed. "
        "Usually 7 (NHS Making Data Count) or 6. Between 5 and 12.",
        widget=GovTextInput(),
        default=7,
        validators=[
            InputRequired(message="Enter how many points in a row count as a shift"),
            NumberRange(min=5, max=12, message="Shift length must be between 5 and 12"),
        ],
    )
    trend_length = WholeNumber(
        "Points in a row going up (or down) that count as a trend",
        description="A trend (points that keep rising, or keep falling) suggests something really "
        "changed. Usually 7 (NHS Making Data Count) or 5. Between 5 and 12.",
        widget=GovTextInput(),
        default=7,
        validators=[
            InputRequired(message="Enter how many points in a row count as a trend"),
            NumberRange(min=5, max=12, message="Trend length must be between 5 and 12"),
        ],
    )
    stall_weeks = WholeNumber(
        "Weeks without activity before a team is shown as stalled",
        description="A team that has neither worked on a test of change nor recorded any numbers "
        "for this many weeks is shown to you as stalled, so you can offer help. 6 is usual; "
        "between 1 and 52.",
        widget=GovTextInput(),
        default=6,
        validators=[
            InputRequired(message="Enter the number of weeks"),
            NumberRange(min=1, max=52, message="Weeks must be between 1 and 52"),
        ],
    )
    suppression_threshold = WholeNumber(
        "Smallest count of people shown in cross-team summaries",
        description=(
            "A team's monthly figure that counts fewer people or events than this is hidden "
            "on the panel's pages and files, so nobody can be picked out. 5 is usual; 0 hides "
            "nothing. Counts of teams and tests of change are always shown."
        ),
        widget=GovTextInput(),
        default=5,
        validators=[
            InputRequired(message="Enter the smallest count to show"),
            NumberRange(min=0, max=100, message="The smallest count must be between 0 and 100"),
        ],
    )
    reporting_cadence = RadioField(
        "How often do teams send a progress report?",
        description="Each team writes a short report with its progress score for every period. "
        "Reports already sent keep the period they were written for.",
        widget=GovRadioInput(),
        choices=[
            SelectChoice(ReportingCadence.MONTHLY.value, "Every month"),
            SelectChoice(ReportingCadence.FORTNIGHTLY.value, "Every two weeks"),
            SelectChoice(ReportingCadence.QUARTERLY.value, "Every three months"),
        ],
        default=ReportingCadence.MONTHLY.value,
        invalid_choice_message="Choose how often teams send a report",
        validators=[InputRequired(message="Choose how often teams send a report")],
    )
    report_due_day = WholeNumber(
        "When is each report due?",
        description="For monthly and three-monthly reports: the day of the month after the "
        "period ends, from 1 to 28 (10 means the 10th). For reports every two weeks: that many "
        "days after the fortnight ends, at most 7.",
        widget=GovTextInput(),
        default=10,
        validators=[
            InputRequired(message="Enter the day reports are due"),
            NumberRange(min=1, max=28, message="The due day must be between 1 and 28"),
        ],
    )
    submit = SubmitField("Save", widget=GovSubmitInput())

    def validate_ends_on(self, field: DateParts) -> None:
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError("The end date must be the same as or after the start date")


class CollaborativeSettingsForm(CollaborativeForm):
    """Changing a collaborative: the same questions, and the version they were loaded from."""

    version = VersionField(required=True)


class TeamForm(FlaskForm):
    name = short_text(
        "Team name", "For example, Riverside Care Home day team", required="Enter the team's name"
    )
    organisation = short_text(
        "Organisation",
        "Who the team works for, like “Westshire Council”.",
        required="Enter the organisation",
    )
    organisation_kind = SelectField(
        "Kind of organisation",
        description="Shown next to the team's name. Choose “Other” if none fits.",
        widget=GovSelect(),
        choices=[SelectChoice(kind.value, kind.label) for kind in OrganisationKind],
        default=OrganisationKind.OTHER.value,
        invalid_choice_message="Choose the kind of organisation from the list",
        validators=[InputRequired(message="Choose the kind of organisation")],
    )
    service = short_text("Service (optional)", "For example, residential care for older people")
    submit = SubmitField("Add team", widget=GovSubmitInput())


class CollaborativeMemberForm(MemberForm):
    role_choices = [SelectChoice(role.value, role.label) for role in COLLABORATIVE_ROLES]
    role_hint = (
        "A coordinator runs the collaborative: adds teams, follows every team and scores their "
        "reports. A strategic panel member reads the summaries across teams and records the "
        "panel's reviews."
    )


def score_field(score: str) -> str:
    """The form field of one progress score, "3.5" -> "score_3_5"."""
    return "score_" + score.replace(".", "_")


class ScoreLabelsForm(FlaskForm):
    """The words beside each progress score (the IHI scale by default, which a collaborative may
    put in its own words); the version they were loaded from."""

    version = VersionField(required=True)
    submit = SubmitField("Save the labels", widget=GovSubmitInput())

    def labels(self) -> dict[str, str]:
        return {score: getattr(self, score_field(score)).data for score in DEFAULT_PROGRESS_LABELS}


for _score, _label in DEFAULT_PROGRESS_LABELS.items():
    setattr(
        ScoreLabelsForm,
        score_field(_score),
        short_text(
            f"Score {_score}",
            f"The IHI scale's words: “{_label}”.",
            required=f"Enter the words for score {_score}",
        ),
    )
