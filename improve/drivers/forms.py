"""Forms for the driver diagram: drivers, the primary drivers a secondary feeds, change ideas."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovSelect, GovSubmitInput
from wtforms import SelectChoice, SelectField, SelectMultipleField, SubmitField

from improve.aims.forms import VersionField
from improve.forms import long_text, short_text
from improve.models import Driver, DriverKind
from improve.routing import parse_id

# Ids the person did not get from us (another aim's driver, or made up) are answered with 404 by
# the view, so the choice fields below leave those to it rather than saying "not a valid choice".


def optional_id(value: Any) -> int | None:
    """A record id from a form: empty means none; anything but digits is an id that never exists."""
    if value is None or value == "":
        return None
    text = str(value)
    return parse_id(text) or 0


class PrimaryDriverForm(FlaskForm):
    title = short_text(
        "Primary driver",
        "One of the few big things that most affect the aim, like “Staff know who is at risk "
        "of falling”.",
        required="Enter the primary driver",
    )
    version = VersionField()
    submit = SubmitField("Add primary driver", widget=GovSubmitInput())


class SecondaryDriverForm(FlaskForm):
    title = short_text(
        "Secondary driver",
        "Something more specific that affects a primary driver, like “Falls risk is checked "
        "when someone moves in”.",
        required="Enter the secondary driver",
    )
    feeds = SelectMultipleField(
        "Which primary drivers does it affect?",
        description="Choose all that apply. You can change this later.",
        widget=GovCheckboxesInput(),
        coerce=optional_id,
        validate_choice=False,
    )
    version = VersionField()
    submit = SubmitField("Add secondary driver", widget=GovSubmitInput())


class IdeaForm(FlaskForm):
    title = short_text(
        "Change idea",
        "Something specific the team could try, like “Night lights in every bedroom”.",
        required="Enter the change idea",
    )
    description = long_text(
        "More about the idea (optional)", "Where it came from, or what trying it would involve."
    )
    driver_id = SelectField(
        "Which driver does it work on?",
        description="Usually a secondary driver. You can choose a primary driver too.",
        widget=GovSelect(),
        coerce=optional_id,
        validate_choice=False,
    )
    version = VersionField()
    submit = SubmitField("Add change idea", widget=GovSubmitInput())


DriverForm = PrimaryDriverForm | SecondaryDriverForm


def driver_form(kind: DriverKind, primaries: list[Driver], **kwargs: Any) -> DriverForm:
    """The form for a driver of this kind; a secondary's offers the aim's primary drivers."""
    if kind == DriverKind.PRIMARY:
        return PrimaryDriverForm(**kwargs)
    form = SecondaryDriverForm(**kwargs)
    form.feeds.choices = [SelectChoice(str(primary.id), primary.title) for primary in primaries]
    return form


def idea_form(primaries: list[Driver], secondaries: list[Driver], **kwargs: Any) -> IdeaForm:
    """The form for a change idea, offering the aim's drivers to put it under."""
    form = IdeaForm(**kwargs)
    form.driver_id.choices = [
        SelectChoice("", "Not under a driver yet"),
        *(SelectChoice(str(d.id), f"Secondary driver: {d.title}") for d in secondaries),
        *(SelectChoice(str(d.id), f"Primary driver: {d.title}") for d in primaries),
    ]
    return form
