"""The panel's filters: a GET form (no CSRF token: it changes nothing), enhanced by htmx."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from govuk_frontend_wtf.wtforms_widgets import GovSelect
from wtforms import Form, SelectChoice, SelectField, ValidationError

from improve.models import Collaborative, CollaborativePhase, Measure, Team
from improve.panel.queries import Choice, phase_end

# The month lists start this many months before the collaborative, for baseline data.
MONTHS_BEFORE = 12


def month_starts(first: date, last: date) -> list[date]:
    """The first day of every month from `first`'s month to `last`'s."""
    months, day = [], first.replace(day=1)
    while day <= last:
        months.append(day)
        day = (day + timedelta(days=32)).replace(day=1)
    return months


def month_end(month: date) -> date:
    return (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)


class PanelFilterForm(Form):
    """Which period (a phase, or months), shared measure and team the panel page shows."""

    phase = SelectField(
        "Phase",
        description="A stage of the collaborative, such as an action period",
        widget=GovSelect(),
        default="",
        invalid_choice_message="That phase is not one of this collaborative's: choose one from "
        "the list",
    )
    from_month = SelectField(
        "From",
        description="First month to show",
        widget=GovSelect(),
        default="",
        invalid_choice_message="Choose the first month from the list",
    )
    to_month = SelectField(
        "To",
        description="Last month to show",
        widget=GovSelect(),
        default="",
        invalid_choice_message="Choose the last month from the list",
    )
    measure = SelectField(
        "Shared measure",
        description="The small charts show the first one chosen",
        widget=GovSelect(),
        default="",
        invalid_choice_message="That measure is not one of this collaborative's shared measures: "
        "choose one from the list",
    )
    team = SelectField(
        "Team",
        description="One team, or every team of the collaborative",
        widget=GovSelect(),
        default="",
        invalid_choice_message="That team is not part of this collaborative: choose one from the "
        "list",
    )

    def set_choices(
        self,
        collaborative: Collaborative,
        phases: list[CollaborativePhase],
        measures: list[Measure],
        teams: list[Team],
    ) -> None:
        self._phases, self._measures, self._teams = phases, measures, teams
        self._last_day = collaborative.ends_on
        # From the earliest baseline month to now: later months have no data to show.
        last = max(collaborative.starts_on, min(collaborative.ends_on, date.today()))
        months = month_starts(
            date(
                collaborative.starts_on.year - MONTHS_BEFORE // 12, collaborative.starts_on.month, 1
            ),
            last,
        )
        month_choices = [SelectChoice(f"{m:%Y-%m}", f"{m:%B %Y}") for m in months]
        self.phase.choices = [SelectChoice("", "Whole collaborative")] + [
            SelectChoice(str(p.id), f"{p.title} ({p.kind.label})") for p in phases
        ]
        self.from_month.choices = [SelectChoice("", "From the start")] + month_choices
        self.to_month.choices = [SelectChoice("", "Up to now")] + month_choices
        self.measure.choices = [SelectChoice("", "Every shared measure")] + [
            SelectChoice(str(m.id), m.name) for m in measures
        ]
        self.team.choices = [SelectChoice("", "Every team")] + [
            SelectChoice(str(t.id), t.name) for t in teams
        ]

    def validate_to_month(self, field: SelectField) -> None:
        if self.from_month.data and field.data and field.data < self.from_month.data:
            raise ValidationError("The last month must be the same as or after the first month")

    def validate(self, extra_validators: dict[str, Any] | None = None) -> bool:
        """The fields, then whether the months and the phase overlap."""
        if not super().validate(extra_validators):
            return False
        choice = self.choice()
        if choice.start and choice.end and choice.start > choice.end:
            self.from_month.errors = [
                "Those months are outside the phase you chose: choose months in the phase, or "
                "the whole collaborative"
            ]
            return False
        return True

    @property
    def chosen(self) -> bool:
        return any(self.data.get(name) for name in self.data)

    def choice(self) -> Choice:
        """The valid choices as dates and records: a phase's dates, narrowed by the months."""
        phase = next((p for p in self._phases if str(p.id) == self.phase.data), None)
        start = phase.starts_on if phase else None
        end = phase_end(phase, self._phases, self._last_day) if phase else None
        if self.from_month.data:
            first = date.fromisoformat(f"{self.from_month.data}-01")
            start = max(start, first) if start else first
        if self.to_month.data:
            last = month_end(date.fromisoformat(f"{self.to_month.data}-01"))
            end = min(end, last) if end else last
        return Choice(
            start=start,
            end=end,
            measure=next((m for m in self._measures if str(m.id) == self.measure.data), None),
            team=next((t for t in self._teams if str(t.id) == self.team.data), None),
            phase=phase,
        )

    def query_args(self) -> dict[str, str]:
        """The chosen filters, for links that keep them (exports, print)."""
        return {name: value for name, value in self.data.items() if value}
