"""Every field a person fills in has hint text, and the page links the field to it.

Care workers and experts by experience fill these forms in, often in a hurry: a label alone rarely
says what to write, in what format, or what a word like "baseline" means. A field's
`description=` is its GOV.UK hint; these tests fail when a new field has none, naming the form
and the field, and when a page shows an input that no hint describes.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from html.parser import HTMLParser
from typing import Any

import pytest
import wtforms
from flask import Flask
from wtforms.csrf.core import CSRFTokenField
from wtforms.widgets import HiddenInput

import improve
from improve.drivers.forms import driver_form, idea_form
from improve.extensions import db
from improve.ideas.forms import copy_form
from improve.ideas.queries import CopyTarget
from improve.measures.queries import step
from improve.models import (
    Collaborative,
    Driver,
    DriverKind,
    Measure,
    MonthlyReport,
    ReportStatus,
)
from tests.cycles.factories import make_aim, make_cycle, make_idea
from tests.security.route_samples import SAMPLES

# Forms discovered by importing every module of the app --------------------------------------


def _import_everything() -> None:
    for module in pkgutil.walk_packages(improve.__path__, prefix="improve."):
        importlib.import_module(module.name)


def _subclasses(cls: type) -> Iterator[type]:
    for subclass in cls.__subclasses__():
        yield subclass
        yield from _subclasses(subclass)


def form_classes() -> list[type[wtforms.Form]]:
    _import_everything()
    found = {cls for cls in _subclasses(wtforms.Form) if cls.__module__.startswith("improve.")}
    return sorted(found, key=lambda cls: (cls.__module__, cls.__qualname__))


def _collaborative() -> Collaborative:
    """An unsaved collaborative: forms read its settings (progress labels), nothing more."""
    return Collaborative(
        name="Collaborative", topic="Falls", starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31)
    )


# Forms whose constructor needs more than form data.
CONSTRUCTOR_ARGUMENTS: dict[str, Callable[[], tuple[Any, ...]]] = {
    "ReportForm": lambda: (_collaborative(),),
    "ScoreForm": lambda: (_collaborative(),),
}

FORMS = form_classes()


def _primary(number: int) -> Driver:
    return Driver(id=number, kind=DriverKind.PRIMARY, title=f"Primary {number}")


# Functions that build a form with choices from the database, called as the views call them.
FACTORIES: dict[str, Callable[[], wtforms.Form]] = {
    "driver_form(primary)": lambda: driver_form(DriverKind.PRIMARY, [], formdata=None),
    "driver_form(secondary)": lambda: driver_form(
        DriverKind.SECONDARY, [_primary(1), _primary(2)], formdata=None
    ),
    "idea_form": lambda: idea_form([_primary(1)], [], formdata=None),
    "copy_form": lambda: copy_form(
        7,
        [
            CopyTarget(1, "Fewer falls", "Team A", [(3, "primary", "Safer nights")]),
            CopyTarget(2, "Calmer mornings", "Team B", []),
        ],
        formdata=None,
    ),
}


def _instantiate(cls: type[wtforms.Form]) -> wtforms.Form:
    arguments = CONSTRUCTOR_ARGUMENTS.get(cls.__name__, tuple)()
    return cls(*arguments, formdata=None)


def _is_hidden(field: wtforms.Field) -> bool:
    return (
        isinstance(field, wtforms.HiddenField | wtforms.SubmitField | CSRFTokenField)
        or isinstance(field.widget, HiddenInput)
        or getattr(field.widget, "input_type", None) == "hidden"
    )


def _visible_fields(form: wtforms.Form) -> Iterator[tuple[str, wtforms.Field]]:
    """Every field a person sees, with its path, looking inside nested forms and lists."""
    for field in form:
        if isinstance(field, wtforms.FormField):
            for name, inner in _visible_fields(field.form):
                yield f"{field.short_name}.{name}", inner
        elif isinstance(field, wtforms.FieldList):
            if not field.entries:
                field.append_entry()
            entry = field.entries[0]
            if isinstance(entry, wtforms.FormField):
                for name, inner in _visible_fields(entry.form):
                    yield f"{field.short_name}[].{name}", inner
            elif not _is_hidden(entry):
                yield f"{field.short_name}[]", entry
        elif not _is_hidden(field):
            yield field.short_name, field


def fields_without_hints(form: wtforms.Form) -> list[str]:
    return [
        name for name, field in _visible_fields(form) if not str(field.description or "").strip()
    ]


def test_discovery_finds_the_forms_of_every_feature() -> None:
    names = {cls.__name__ for cls in FORMS}
    expected = {
        "AimForm",
        "MeasureForm",
        "DataPointForm",
        "NewCycleForm",
        "PlanForm",
        "QuestionRow",
        "ReportForm",
        "PanelFilterForm",
        "TeamForm",
        "SignInForm",
        "SearchForm",
        "CycleFilterForm",
        "ReviewForm",
    }
    assert expected <= names, sorted(expected - names)
    assert len(FORMS) >= 40


def test_the_check_notices_a_field_without_a_hint() -> None:
    class Sample(wtforms.Form):
        described = wtforms.StringField("Name", description="Like “Riverside”.")
        bare = wtforms.StringField("Where")
        blank = wtforms.TextAreaField("Notes", description="  ")
        rows = wtforms.FieldList(wtforms.StringField("Row"))
        secret = wtforms.HiddenField()
        go = wtforms.SubmitField("Save")

    assert fields_without_hints(Sample()) == ["bare", "blank", "rows[]"]


@pytest.mark.parametrize("cls", FORMS, ids=lambda cls: f"{cls.__module__}.{cls.__qualname__}")
def test_every_visible_field_has_a_hint(app: Flask, cls: type[wtforms.Form]) -> None:
    with app.test_request_context():
        missing = fields_without_hints(_instantiate(cls))
    assert not missing, f"{cls.__qualname__} has fields without a hint (description=): {missing}"


@pytest.mark.parametrize("name", FACTORIES)
def test_every_field_of_a_built_form_has_a_hint(app: Flask, name: str) -> None:
    with app.test_request_context():
        form = FACTORIES[name]()
        missing = fields_without_hints(form)
        assert list(_visible_fields(form)), "the form shows no fields at all"
    assert not missing, f"{name} has fields without a hint (description=): {missing}"


# Pages: every input is linked to a hint ------------------------------------------------------


class FieldsAndHints(HTMLParser):
    """The inputs a person can fill in, what describes each (its own aria-describedby, and for a
    radio, checkbox or date part, its fieldset's too), and the ids of the GOV.UK hints."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hint_ids: set[str] = set()
        self.fields: list[tuple[str, str, set[str]]] = []  # (tag, id or name, described by)
        self._fieldsets: list[set[str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if "govuk-hint" in values.get("class", "").split() and values.get("id"):
            self.hint_ids.add(values["id"])
        if tag == "fieldset":
            self._fieldsets.append(set(values.get("aria-describedby", "").split()))
        if tag not in {"input", "select", "textarea"}:
            return
        if values.get("type") in {"hidden", "submit", "button", "reset", "image"}:
            return
        described = set(values.get("aria-describedby", "").split())
        grouped = values.get("type") in {"radio", "checkbox"} or "govuk-date-input__input" in (
            values.get("class", "")
        )
        if grouped and self._fieldsets:
            described |= self._fieldsets[-1]
        self.fields.append((tag, values.get("id") or values.get("name", "?"), described))

    def handle_endtag(self, tag: str) -> None:
        if tag == "fieldset" and self._fieldsets:
            self._fieldsets.pop()


def inputs_without_hints(html: str) -> list[str]:
    parser = FieldsAndHints()
    parser.feed(html)
    assert parser.fields, "the page shows no inputs at all"
    return [
        f"<{tag} id={name}>"
        for tag, name, described in parser.fields
        if not described & parser.hint_ids
    ]


def test_the_page_check_notices_an_input_without_a_hint() -> None:
    html = """
      <div id="a-hint" class="govuk-hint">Like 4</div>
      <input id="a" type="text" aria-describedby="a-hint">
      <input id="b" type="text" aria-describedby="b-error">
      <fieldset aria-describedby="c-hint"><div id="c-hint" class="govuk-hint">One</div>
        <input id="c" type="radio"><textarea id="d"></textarea></fieldset>
      <select id="e"></select><input type="hidden" name="csrf_token">
    """
    assert inputs_without_hints(html) == ["<input id=b>", "<textarea id=d>", "<select id=e>"]


def _months_ago(months: int) -> date:
    first = date.today().replace(day=1)
    index = first.year * 12 + first.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


@pytest.fixture
def records(world):
    """World with collaborative X running from 8 months ago, and team A's aim, idea, measure
    (with a denominator, so every column of the data table shows) and a submitted report."""
    for collaborative in (world.x, world.y):
        collaborative.starts_on = _months_ago(8)
        collaborative.ends_on = date.today() + timedelta(days=400)
    aim = make_aim(world.team_a)
    world.cycle = make_cycle(make_idea(aim), questions=[("Will staff have time?", "Yes")])
    world.measure = Measure(
        collaborative_id=world.x.id,
        team_id=world.team_a.id,
        aim_id=aim.id,
        name="Care plans reviewed",
        measure_type="process",
        value_kind="proportion",
        direction="increase",
        frequency="monthly",
        baseline_start=_months_ago(6),
    )
    db.session.add(world.measure)
    world.period = _months_ago(1)
    submitted = ReportStatus.SUBMITTED
    db.session.add(
        MonthlyReport(team_id=world.team_b.id, period_start=world.period, status=submitted)
    )
    db.session.commit()
    world.aim = aim
    return world


PAGES = {
    "new aim": ("lead_a", lambda w: f"/teams/{w.team_a.id}/aims/new"),
    "new cycle": ("member_a", lambda w: f"/aims/{w.aim.id}/cycles/new"),
    "measure data entry": ("member_a", lambda w: f"/measures/{w.measure.id}"),
    "monthly report": ("member_a", lambda w: f"/teams/{w.team_a.id}/reports/{w.period}"),
    "coordinator's score": ("coordinator_x", lambda w: f"/teams/{w.team_b.id}/reports/{w.period}"),
    "panel filters": ("panel_x", lambda w: f"/collaboratives/{w.x.id}/panel"),
    "add team and people": ("coordinator_x", lambda w: f"/collaboratives/{w.x.id}"),
    "team page filters": ("lead_a", lambda w: f"/teams/{w.team_a.id}"),
    "edit team": ("lead_a", lambda w: f"/teams/{w.team_a.id}/edit"),
    "aim page": ("lead_a", lambda w: f"/aims/{w.aim.id}"),
    "cycle worksheet": ("member_a", lambda w: f"/cycles/{w.cycle.id}"),
    "new measure": ("lead_a", lambda w: f"/aims/{w.aim.id}/measures/new"),
    "import numbers": ("member_a", lambda w: f"/measures/{w.measure.id}/import"),
    "idea library": ("member_a", lambda w: f"/collaboratives/{w.x.id}/ideas"),
    "coordinator dashboard": ("coordinator_x", lambda w: f"/collaboratives/{w.x.id}/coordinator"),
    "panel reviews": ("panel_x", lambda w: f"/collaboratives/{w.x.id}/panel/reviews"),
    "evaluation": ("panel_x", lambda w: f"/collaboratives/{w.x.id}/evaluation"),
    "new phase": ("coordinator_x", lambda w: f"/collaboratives/{w.x.id}/calendar/phases/new"),
    "new collaborative": ("admin", lambda w: "/collaboratives/new"),
    "new user": ("admin", lambda w: "/admin/users/new"),
    "change password": ("member_a", lambda w: "/account/password"),
}


@pytest.mark.parametrize("page", PAGES)
def test_every_input_on_the_page_is_linked_to_a_hint(records, client_for, page: str) -> None:
    person, path = PAGES[page]
    response = client_for(getattr(records, person)).get(path(records))
    assert response.status_code == 200, path(records)
    html = response.get_data(as_text=True)
    missing = inputs_without_hints(html)
    assert not missing, f"{page}: inputs with no hint linked to them: {missing}"


# Issue 20's forms, each on the page its valid request (tests/security/route_samples.py) is
# sent from: the address it posts to, or for a form that sits on another page, that page's
# (the address with this ending taken off).
SAMPLED_PAGES = {
    **dict.fromkeys(
        (
            "ideas.add_evidence",
            "ideas.edit_evidence",
            "communities.new",
            "communities.edit",
            "communities.add_member",
            "communities.edit_member",
            "communities.new_meeting",
            "communities.edit_meeting",
            "communities.attendance",
            "communities.edit_action",
            "communities.add_resource",
            "communities.edit_resource",
            "research.new",
            "research.from_cycle",
            "research.edit",
            "research.vote",
            "community_feedback.give",
            "community_feedback.paper",
            "community_feedback.add_note",
            "community_feedback.edit_note",
            "priorities.new_collaborative_round",
            "priorities.new_community_round",
            "priorities.edit",
            "priorities.edit_idea",
            "priorities.event_ideas",
            "priorities.themes",
            "priorities.edit_theme",
            "priorities.merge_theme",
            "priorities.vote",
            "priorities.start_community",
            "priorities.link_aim",
            "priorities.link_measure",
        ),
        "",
    ),
    "communities.add_action": "/actions",  # on the meeting's page
    "priorities.add_idea": "/ideas",  # on the round's page
}


@pytest.mark.parametrize("endpoint", sorted(SAMPLED_PAGES))
def test_every_input_of_a_sampled_form_is_linked_to_a_hint(world, client_for, endpoint) -> None:
    sample = SAMPLES[endpoint](world)
    path = sample.url.removesuffix(SAMPLED_PAGES[endpoint])
    response = client_for(sample.actor).get(path)
    assert response.status_code == 200, path
    missing = inputs_without_hints(response.get_data(as_text=True))
    assert not missing, f"{endpoint}: inputs with no hint linked to them: {missing}"


def test_the_sign_in_page_links_its_inputs_to_hints(client) -> None:
    assert not inputs_without_hints(client.get("/sign-in").get_data(as_text=True))


def test_the_data_table_says_what_each_column_wants(records, client_for) -> None:
    measure = records.measure
    # The page of the table that shows the baseline's first period (the first page shows the
    # latest periods).
    showing = step(measure.baseline_start, measure.frequency).isoformat()
    html = (
        client_for(records.member_a)
        .get(f"/measures/{measure.id}?before={showing}")
        .get_data(as_text=True)
    )
    period = measure.baseline_start.isoformat()
    value = re.search(rf'<input[^>]*id="value-{period}"[^>]*>', html)
    assert value, "no value input for the baseline's first month"
    hint_id = re.search(r'aria-describedby="([^"\s]+)', value.group(0)).group(1)
    hint = re.search(rf'id="{hint_id}"[^>]*>([^<]+)<', html)
    assert hint and "number" in hint.group(1).lower()


def test_the_pages_show_the_forms_they_are_checked_for(records, client_for) -> None:
    # Guards the page table above: each page must show the form it is there to check.
    shown = {
        "Score this report": (records.coordinator_x, f"/teams/{records.team_b.id}/reports"),
        "Submit the report": (records.member_a, f"/teams/{records.team_a.id}/reports"),
        "Add a team": (records.coordinator_x, f"/collaboratives/{records.x.id}"),
    }
    for words, (person, path) in shown.items():
        html = client_for(person).get(f"{path}/{records.period}" if "reports" in path else path)
        assert words in html.get_data(as_text=True), words
