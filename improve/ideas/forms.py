"""Forms for the change-idea library: the search (a GET form) and copying an idea."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovTextInput
from wtforms import Form, SelectChoice, SelectField, StringField
from wtforms.validators import Length, StopValidation

from improve.analysis.evidence import NO_EVIDENCE
from improve.drivers.forms import optional_id
from improve.forms import NoControlCharacters, strip_text
from improve.ideas.queries import CopyTarget
from improve.models import EvidenceKind
from improve.models.community import EVIDENCE_KIND_LABELS

SEARCH_LENGTH = 200


class SearchForm(Form):
    """The library's search: words, a driver and a kind of evidence, in the query string, so no
    CSRF token."""

    words = StringField(
        "Words in the idea's name or description",
        description="For example, “night” or “handover”.",
        widget=GovTextInput(),
        filters=[strip_text],
        validators=[
            Length(
                max=SEARCH_LENGTH,
                message=f"Search words must be {SEARCH_LENGTH} characters or fewer",
            ),
            NoControlCharacters(),
        ],
    )
    driver = SelectField(
        "Driver it works on",
        description="A driver is something that affects the aim. These come from the teams' "
        "driver diagrams.",
        widget=GovSelect(),
        default="",
        invalid_choice_message="Choose a driver from the list",
    )

    evidence = SelectField(
        "Kind of evidence",
        description="What the idea rests on, in at least one of the teams that have it.",
        widget=GovSelect(),
        default="",
        choices=[
            SelectChoice("", "Any, or none yet"),
            *(SelectChoice(kind.value, EVIDENCE_KIND_LABELS[kind]) for kind in EvidenceKind),
            SelectChoice(NO_EVIDENCE, "No evidence recorded yet"),
        ],
        invalid_choice_message="Choose a kind of evidence from the list",
    )

    def set_drivers(self, choices: list[tuple[str, str]]) -> None:
        self.driver.choices = [SelectChoice("", "Any driver")] + [
            SelectChoice(key, label) for key, label in choices
        ]


class RequiredChoice:
    """The chosen id must be there; `optional_id` turned an empty choice into None."""

    def __init__(self, message: str) -> None:
        self.message = message
        self.field_flags = {"required": True}

    def __call__(self, form: Any, field: Any) -> None:
        if field.data is None:
            raise StopValidation(self.message)


class CopyForm(FlaskForm):
    idea_id: int

    # Ids the person did not get from us (another team's aim, or made up) are answered with 404
    # by the view, so the choices here are not checked against the list.
    aim_id = SelectField(
        "Which aim should it go under?",
        description="One of your team's aims: the idea joins that aim's driver diagram.",
        widget=GovSelect(),
        coerce=optional_id,
        validate_choice=False,
        validators=[RequiredChoice("Choose the aim to copy the idea into")],
    )
    driver_id = SelectField(
        "Which driver does it work on? (optional)",
        description="A driver of the aim you chose. You can change this later.",
        widget=GovSelect(),
        coerce=optional_id,
        validate_choice=False,
    )


def copy_form(idea_id: int, targets: list[CopyTarget], **kwargs: Any) -> CopyForm:
    """The copy form for one idea of the library (its own prefix, so ids never repeat)."""
    form = CopyForm(prefix=f"copy-{idea_id}", **kwargs)
    form.idea_id = idea_id  # the idea it copies, for the form's action
    several = len(targets) > 1
    form.aim_id.choices = [SelectChoice("", "Choose an aim")] + [
        SelectChoice(str(t.aim_id), f"{t.team_name}: {t.title}" if several else t.title)
        for t in targets
    ]
    form.driver_id.choices = [SelectChoice("", "Not under a driver yet")] + [
        SelectChoice(
            str(driver_id),
            f"{t.title}: {kind} driver: {title}" if several else f"{kind.title()} driver: {title}",
        )
        for t in targets
        for driver_id, kind, title in t.drivers
    ]
    return form
