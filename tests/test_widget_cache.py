"""GOV.UK form fields drawn once and kept (improve.widget_cache): a kept field is only ever given
for exactly what it was drawn from, so the page a person sees is the one drawn afresh."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovTextArea
from markupsafe import Markup

from improve import widget_cache
from improve.aims.forms import AssessmentForm


def _fresh(widget, params) -> Markup:
    return widget_cache._draw(widget, params)


def _uncached(app: Flask, field, **kwargs) -> str:
    kept = app.extensions.pop(widget_cache.EXTENSION)
    try:
        return str(field(**kwargs))
    finally:
        app.extensions[widget_cache.EXTENSION] = kept


@pytest.fixture
def cache(app: Flask) -> widget_cache.WidgetCache:
    kept = app.extensions[widget_cache.EXTENSION]
    saved = kept.entries.copy()
    kept.entries.clear()
    yield kept
    kept.entries.clear()
    kept.entries.update(saved)


def test_a_blank_form_draws_the_same_html_kept_or_fresh(app, cache):
    with app.test_request_context("/"):
        form = AssessmentForm(formdata=None, prefix="assessment")
        first = str(form.where_are_we_now(params={"rows": 3}))
        assert len(cache.entries) == 1
        assert str(form.where_are_we_now(params={"rows": 3})) == first
        assert _uncached(app, form.where_are_we_now, params={"rows": 3}) == first
        assert len(cache.entries) == 1


def test_what_a_person_typed_and_their_errors_are_never_swapped_for_a_kept_field(app, cache):
    with app.test_request_context("/"):
        form = AssessmentForm(formdata=None, prefix="assessment")
        blank = str(form.where_are_we_now())
        form.where_are_we_now.data = "Falls fell by a third"
        typed = str(form.where_are_we_now())
        assert "Falls fell by a third" in typed and "Falls fell by a third" not in blank
        form.where_are_we_now.errors = ["Enter where you are now"]
        refused = str(form.where_are_we_now())
        states = []
        assert "Enter where you are now" in refused and "Enter where" not in typed
        for day in (4, 5, 4):
            form.assessed_on.data = date(2026, 3, day)
            states.append(str(form.assessed_on()))
            assert states[-1] == _uncached(app, form.assessed_on)
        assert states[0] != states[1] and states[0] == states[2]


def test_text_and_markup_with_the_same_characters_are_kept_apart(app, cache):
    widget = GovRadioInput()
    items = [{"value": "a", "text": "A"}, {"value": "b", "text": "B"}]
    with app.test_request_context("/"):
        as_html = {"name": "x", "idPrefix": "x", "items": items, "hint": {"text": Markup("<b>x")}}
        as_text = {"name": "x", "idPrefix": "x", "items": items, "hint": {"text": "<b>x"}}
        assert "<b>x" in widget.render(as_html)
        assert "&lt;b&gt;x" in widget.render(as_text)
        assert len(cache.entries) == 2


def test_params_holding_other_objects_are_drawn_every_time(app, cache):
    widget = GovTextArea()
    with app.test_request_context("/"):
        params = {"id": "x", "name": "x", "label": {"text": "X"}, "value": date(2026, 1, 2)}
        assert "2026-01-02" in widget.render(params)
        assert len(cache.entries) == 0


def test_the_oldest_field_goes_when_the_cache_is_full(app, cache, monkeypatch):
    monkeypatch.setattr(cache, "size", 2)
    widget = GovTextArea()
    with app.test_request_context("/"):
        for name in ("a", "b", "c"):
            widget.render({"id": name, "name": name, "label": {"text": name}})
    assert [dict(key[1][1])["id"] for key in cache.entries] == [("str", "b"), ("str", "c")]
