"""Forms for a measure's definition and for one period's data point."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovRadioInput, GovSubmitInput
from wtforms import BooleanField, RadioField, SelectChoice, StringField, SubmitField
from wtforms.validators import InputRequired, ValidationError
from wtforms.widgets import HiddenInput

from improve.aims.forms import Number, VersionField
from improve.analysis.series import CHARTS_FOR_KIND, chart_fits, is_percentage
from improve.analysis.unusual import Unusual, unusual_value, usual_values
from improve.forms import DateParts, long_text, short_text
from improve.imports.parsing import MOST_EVENTS_A_DAY
from improve.measures.operations import DEFINITION_FIELDS, redefines
from improve.models import (
    ChartType,
    DataPoint,
    Direction,
    Frequency,
    Measure,
    MeasureType,
    Team,
    ValueKind,
)

NEEDS_VALUE = "Enter the number for this period"
NEEDS_EXCLUSION_REASON = "Say why this point is left out of the analysis"
NEEDS_PHASE_REASON = "Say what changed, so a new phase starts here"
NEEDS_CHANGE_REASON = "Say why the definition is changing"
NEEDS_EFFECTIVE_FROM = "Enter the date the new definition applies from"

# Plain words for the chart error and hint; which chart suits which kind is CHARTS_FOR_KIND's.
CHART_NAMES = {
    ChartType.RUN: "a run chart",
    ChartType.I: "an I chart",
    ChartType.MR: "a moving range chart",
    ChartType.C: "a c chart",
    ChartType.P: "a p chart",
    ChartType.U: "a u chart",
    ChartType.G: "a g chart",
    ChartType.T: "a t chart",
}
KIND_WORDS = {
    ValueKind.CONTINUOUS: "a measurement",
    ValueKind.COUNT: "a count of events",
    ValueKind.PROPORTION: "a proportion (a number out of a total)",
    ValueKind.RATE: "a rate (events per amount of time or care)",
    ValueKind.EVENTS: "the dates of events",
}


def _either(words: list[str]) -> str:
    """["a", "b", "c"] -> "a, b or c"."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"


def _kinds_for(chart: str) -> list[str]:
    return [kind for kind, charts in CHARTS_FOR_KIND.items() if chart in charts]


def chart_mismatch(value_kind: str, chart: str) -> str:
    """Why the chart does not suit the kind of value, naming the charts that do."""
    needs = _either([KIND_WORDS[ValueKind(kind)] for kind in _kinds_for(chart)])
    fits = _either([CHART_NAMES[ChartType(code)] for code in CHARTS_FOR_KIND[value_kind]])
    name = CHART_NAMES[ChartType(chart)]
    return (
        f"{name[0].upper()}{name[1:]} needs {needs}. "
        f"For {KIND_WORDS[ValueKind(value_kind)]} choose {fits}."
    )


def _chart_hint() -> str:
    control = "; ".join(
        f"for {KIND_WORDS[ValueKind(kind)]}, "
        + _either([CHART_NAMES[ChartType(c)] for c in charts if c != "run"])
        for kind, charts in CHARTS_FOR_KIND.items()
    )
    return (
        "A run chart (your numbers over time, with a middle line) suits every kind of number. "
        "Control charts add limits that show how far the numbers usually go up and down; they "
        f"need about 20 points to be useful, and each suits some kinds of number only: {control}."
    )


def _radio(label: str, hint: str, choices: list[tuple[str, str]], missing: str) -> RadioField:
    return RadioField(
        label,
        description=hint,
        widget=GovRadioInput(),
        choices=[SelectChoice(value, text) for value, text in choices],
        invalid_choice_message="Choose one of the options shown",
        validators=[InputRequired(message=missing)],
    )


class MeasureForm(FlaskForm):
    name = short_text(
        "Name of the measure",
        "A short name the team will recognise, like “Falls a month”.",
        required="Enter a name for the measure",
    )
    measure_type = _radio(
        "What kind of measure is it?",
        "Most teams have one or two outcome measures, a few process measures and one balancing.",
        [
            (MeasureType.OUTCOME, "Outcome: does it make life better for people, like fewer falls"),
            (MeasureType.PROCESS, "Process: are the steps happening, like night checks done"),
            (MeasureType.BALANCING, "Balancing: are we causing a problem elsewhere"),
        ],
        "Choose what kind of measure it is",
    )
    operational_definition = long_text(
        "What exactly is counted? (optional)",
        "So that everyone counts the same way, like “a fall is any time a person ends up on the "
        "floor without meaning to”.",
    )
    numerator_definition = long_text(
        "What is the top number? (optional)",
        "For a percentage or rate: what is counted, like “people with a care plan review”.",
    )
    denominator_definition = long_text(
        "What is the bottom number? (optional)",
        "For a percentage or rate: out of what, like “people living in the home that month”.",
    )
    inclusions = long_text("Who or what is included? (optional)", "Like “all residents”.")
    exclusions = long_text(
        "Who or what is left out? (optional)", "Like “people staying for respite only”."
    )
    data_source = short_text(
        "Where do the numbers come from? (optional)", "Like “the incident log”."
    )
    collected_by = short_text(
        "Who collects them? (optional)", "A name or role, like “the deputy manager”."
    )
    frequency = _radio(
        "How often is it counted?",
        "One number a week or one a month. For the dates of events, how often the team looks at "
        "them.",
        [(Frequency.WEEKLY, "Every week"), (Frequency.MONTHLY, "Every month")],
        "Choose how often it is counted",
    )
    value_kind = _radio(
        "What is each number?",
        "This decides which chart fits the data.",
        [
            (ValueKind.CONTINUOUS, "A measurement, like minutes waited (an I chart)"),
            (ValueKind.COUNT, "A count of events, like falls (a c chart)"),
            (ValueKind.PROPORTION, "Some out of a total, like 8 of 10 people (a p chart)"),
            (
                ValueKind.RATE,
                "Events per amount of time or care, like falls per 1,000 days (a u chart)",
            ),
            (
                ValueKind.EVENTS,
                "The date of each event, for things that happen rarely, like falls in a small "
                "home (a g chart of the days between them)",
            ),
        ],
        "Choose what each number is",
    )
    multiplier = Number(
        "Multiply rates by (optional)",
        "Only for rates: for “per 1,000 bed-days” enter 1000. Leave empty for 1.",
    )
    unit = short_text("Unit (optional)", "What the number is in, like “falls” or “minutes”.")
    direction = _radio(
        "Which way is better?",
        "The chart uses this to say whether a change is an improvement or a concern. For the "
        "dates of events, “lower is better” means fewer events: longer gaps between them are then "
        "an improvement.",
        [
            (Direction.INCREASE, "Higher is better"),
            (Direction.DECREASE, "Lower is better"),
            (Direction.NEUTRAL, "Neither: we only watch it"),
        ],
        "Choose which way is better",
    )
    baseline_start = DateParts(
        "Baseline starts (optional)",
        "The baseline is the time before you changed anything, to compare against. Its first "
        "day, like 1 1 2026: the data table starts there.",
    )
    baseline_end = DateParts(
        "Baseline ends (optional)",
        "The last day before you started changing things, like 31 3 2026. Leave it empty if you "
        "have not started yet.",
    )
    target_value = Number("Target (optional)", "The number you want to reach, like 4.")
    target_date = DateParts("Target date (optional)", "When you want to reach it, like 31 3 2027.")
    target_trajectory = BooleanField(
        "Reach the target step by step",
        widget=GovCheckboxInput(),
        description="The target line runs straight from the baseline to the target on its date, "
        "so each period is checked against where you planned to be by then. Needs a baseline "
        "and a target date.",
    )
    chart_type = _radio(
        "Chart",
        _chart_hint(),
        [
            (ChartType.RUN, "Run chart (the median line): the default, for any kind of number"),
            (ChartType.I, "I chart: for measurements or counts"),
            (
                ChartType.MR,
                "Moving range chart: for measurements, how much each point differs from the last",
            ),
            (ChartType.C, "c chart: for counts of events"),
            (ChartType.P, "p chart: for some out of a total"),
            (ChartType.U, "u chart: for rates"),
            (ChartType.G, "g chart: for dates of events, the days between one event and the next"),
            (
                ChartType.T,
                "t chart: for dates of events, the time between them (steadier when gaps "
                "vary a lot)",
            ),
        ],
        "Choose a chart",
    )
    version = VersionField()
    submit = SubmitField("Save the measure", widget=GovSubmitInput())

    def validate_target_value(self, field: Number) -> None:
        # A count, a share or a rate cannot go below 0, and a share not above the whole.
        kind, target = self.value_kind.data, field.data
        if target is None or kind == ValueKind.CONTINUOUS.value:
            return
        if target < 0:
            raise ValidationError("The target cannot be below 0 for this kind of number")
        whole = 100 if is_percentage(self.unit.data or "") else 1
        if kind == ValueKind.PROPORTION.value and target > whole:
            raise ValidationError(
                f"A share cannot be above {whole}: enter it "
                + ("as a percentage, like 80" if whole == 100 else "as a fraction, like 0.8")
            )

    def validate_target_trajectory(self, field: BooleanField) -> None:
        if not field.data:
            return
        if self.target_value.data is None or self.target_date.data is None:
            raise ValidationError("To reach the target step by step, enter a target and its date")
        if self.baseline_start.data is None:
            raise ValidationError(
                "To reach the target step by step, enter when the baseline starts: the line "
                "begins at the baseline's level"
            )
        if self.target_date.data <= (self.baseline_end.data or self.baseline_start.data):
            raise ValidationError("The target date must be after the baseline ends")

    def validate_multiplier(self, field: Number) -> None:
        if field.data is not None and field.data <= 0:
            raise ValidationError("Multiply rates by a number above 0, like 1000")

    def validate_baseline_end(self, field: DateParts) -> None:
        start = self.baseline_start.data
        if field.data and start and field.data < start:
            raise ValidationError("The baseline must end on or after the day it starts")

    def validate_chart_type(self, field: RadioField) -> None:
        kind = self.value_kind.data
        # An unknown kind or chart has its own message; the two cannot be checked together.
        if field.errors or kind not in CHARTS_FOR_KIND or field.data not in CHART_NAMES:
            return
        if not chart_fits(kind, field.data):
            raise ValidationError(chart_mismatch(kind, field.data))

    def details(self) -> dict[str, Any]:
        """The definition to save: empty optional text as "", no multiplier as 1."""
        details = {name: getattr(self, name).data for name in DEFINITION_FIELDS}
        for name in (
            "operational_definition",
            "numerator_definition",
            "denominator_definition",
            "inclusions",
            "exclusions",
            "data_source",
            "collected_by",
            "unit",
        ):
            details[name] = details[name] or ""
        details["multiplier"] = details["multiplier"] or 1.0
        details["target_trajectory"] = bool(details["target_trajectory"])
        return details


class MeasureEditForm(MeasureForm):
    """Changing the definition needs a date and a reason; changing only the chart needs
    neither, because nothing is counted differently (no new phase)."""

    effective_from = DateParts(
        "The new definition applies from",
        "The first day counted the new way, like 1 4 2026. A new phase of the chart starts "
        "there. Leave it empty if you only change the chart.",
    )
    reason = long_text(
        "Why is the definition changing?",
        "Kept with the old definition, so people reading the chart know why it moved. Leave it "
        "empty if you only change the chart.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.saved: Measure | None = kwargs.get("obj")

    def validate(self, extra_validators: Any = None) -> bool:
        # The date and reason are needed only when what is counted changes.
        valid: bool = super().validate(extra_validators)
        if self.saved is None or not redefines(self.saved, self.details()):
            return valid
        if self.effective_from.data is None and not self.effective_from.errors:
            self.effective_from.errors.append(NEEDS_EFFECTIVE_FROM)
            valid = False
        if not self.reason.data and not self.reason.errors:
            self.reason.errors.append(NEEDS_CHANGE_REASON)
            valid = False
        return valid


class DataPointForm(FlaskForm):
    """One period's number for one team; period is the ISO date of the period's first day."""

    # The data table shows these hints once, above its columns: keep them short.
    period = StringField(widget=HiddenInput())
    value = Number("Value", "The number for that period, like 4.", required=NEEDS_VALUE)
    denominator = Number("Out of", "The total it is out of, like 10.")
    note = short_text("Note", "Optional: anything that explains the number.")
    excluded = BooleanField(
        "Leave out", description="Tick if something unusual happened, and say why."
    )
    exclusion_reason = short_text("Why leave it out", "Why, like “flu outbreak on the unit”.")
    starts_new_phase = BooleanField(
        "New phase", description="Tick if the way of working changed, and say what."
    )
    phase_reason = short_text("What changed", "What changed, like “new night routine”.")
    version = VersionField()
    # The numbers the person said are right after being asked (numbers_text): other numbers
    # are asked about again.
    confirmed = StringField(widget=HiddenInput())

    def validate(self, extra_validators: Any = None) -> bool:
        # Checked together: each rule needs more than one field.
        valid = super().validate(extra_validators)
        if self.excluded.data and not self.exclusion_reason.data:
            self.exclusion_reason.errors.append(NEEDS_EXCLUSION_REASON)
            valid = False
        if self.starts_new_phase.data and not self.phase_reason.data:
            self.phase_reason.errors.append(NEEDS_PHASE_REASON)
            valid = False
        return valid

    @property
    def period_date(self) -> date | None:
        try:
            return date.fromisoformat(self.period.data or "")
        except ValueError:
            return None

    def point_values(self, measure: Measure) -> dict[str, Any]:
        """What to save: reasons only where they apply, a denominator only where needed."""
        excluded, new_phase = bool(self.excluded.data), bool(self.starts_new_phase.data)
        return {
            "value": self.value.data,
            "denominator": self.denominator.data if measure.value_kind.needs_denominator else None,
            "note": self.note.data or "",
            "excluded": excluded,
            "exclusion_reason": (self.exclusion_reason.data or "") if excluded else "",
            "starts_new_phase": new_phase,
            "phase_reason": (self.phase_reason.data or "") if new_phase else "",
        }

    def numbers_text(self, measure: Measure) -> str:
        """The row's numbers as text, to bind a "yes, this is right" to exactly them."""
        values = self.point_values(measure)
        numbers = [values["value"], values["denominator"]]
        return " out of ".join(f"{n:.15g}" for n in numbers if n is not None)


def point_hints() -> dict[str, str]:
    """The data table's column hints, by field name: the table renders its inputs by hand."""
    form = DataPointForm(formdata=None, meta={"csrf": False})
    return {field.short_name: str(field.description) for field in form if field.description}


def unusual_numbers(
    form: DataPointForm, measure: Measure, team: Team, saved: DataPoint | None
) -> list[tuple[str, Unusual]]:
    """The row's numbers (by field name) far outside the team's usual ones for this measure
    (improve.analysis.unusual); a number already saved for the period is not asked about again."""
    from improve.measures.queries import series_frame

    frame = series_frame(measure, team)
    found = []
    for name in ("value", "denominator") if measure.value_kind.needs_denominator else ("value",):
        number = getattr(form, name).data
        if number is None or (saved is not None and getattr(saved, name) == number):
            continue
        usual = usual_values(
            list(frame["period_start"]),
            [float("nan") if v is None else float(v) for v in frame[name]],
            [bool(v) for v in frame["excluded"]],
            [bool(v) for v in frame["starts_new_phase"]],
            form.period_date or date.min,
            bool(form.starts_new_phase.data),
        )
        whole = name == "value" and measure.value_kind == ValueKind.COUNT
        question = unusual_value(number, usual, whole_numbers=whole)
        if question is not None:
            found.append((name, question))
    return found


def check_point(
    form: DataPointForm, measure: Measure, team: Team, periods: list[date]
) -> DataPoint | None | bool:
    """The rules that need the measure: a period of its table, a denominator that fits the kind,
    and no save over someone else's newer one. Adds messages to the form; returns the saved
    point for that period (or None), or False when someone else saved it meanwhile."""
    from improve.measures.queries import get_point

    period = form.period_date
    if period not in periods:
        form.period.errors = [
            "Choose one of the periods in the table: this week's or month's at the latest, as "
            "later ones have not begun"
        ]
        return None
    kind, value, denominator = measure.value_kind, form.value.data, form.denominator.data
    if kind != ValueKind.CONTINUOUS and value is not None and value < 0:
        form.value.errors.append("The value cannot be below 0")
    elif kind == ValueKind.COUNT and value is not None and not value.is_integer():
        form.value.errors.append("A count must be a whole number, like 3")
    if kind.needs_denominator:
        if denominator is None:
            form.denominator.errors.append("Enter the number this is out of")
        elif denominator <= 0:
            form.denominator.errors.append("The number it is out of must be above 0")
        elif kind == ValueKind.PROPORTION and value is not None and denominator < value:
            form.denominator.errors.append("The number it is out of cannot be less than the value")
    if form.errors:
        return None
    saved = get_point(measure, team, period)
    if saved is None or form.version.data == saved.version:
        return saved
    # A retried first save of the same values is the same save, not a clash.
    same = all(getattr(saved, name) == value for name, value in form.point_values(measure).items())
    if form.version.data is None and same:
        form.version.data = saved.version
        return saved
    form.version.data = saved.version
    form.version.raw_data = [str(saved.version)]
    return False


class EventForm(FlaskForm):
    """One or more events on a day, for a measure of the dates of events. Events on a day that
    already has some are added to them (a second fall that day), so two people recording at
    once both count."""

    day = DateParts(
        "Date of the event",
        "Like 3 12 2026. It is today's date unless you change it.",
        required="Enter the date of the event",
    )
    count = Number(
        "How many that day",
        "Usually 1. If two happened the same day, enter 2.",
        required="Enter how many happened that day, like 1",
        default=1,
    )
    note = short_text(
        "Note (optional)",
        "Anything that explains it, with no names or personal details, like “on the stairs at "
        "night”.",
    )
    submit = SubmitField("Record the event", widget=GovSubmitInput())

    def validate_day(self, field: DateParts) -> None:
        if field.data is not None and field.data > date.today():
            raise ValidationError("The date of the event cannot be in the future")

    def validate_count(self, field: Number) -> None:
        number = field.data
        if number is None:
            return
        if not number.is_integer() or not 1 <= number <= MOST_EVENTS_A_DAY:
            raise ValidationError(
                f"How many must be a whole number from 1 to {MOST_EVENTS_A_DAY:,}, like 1"
            )
