"""Form fields drawn once: the GOV.UK widgets' HTML kept per worker, keyed by everything it shows.

govuk-frontend-wtf draws every field by rendering a GOV.UK Frontend macro through Jinja, which is
slow: a date field about 4 ms, a text area about 1 ms, and an aim page draws some 25 fields
(its blank status, assessment, driver and idea forms). The HTML is a pure function of the
widget's template and the params it is given (the field's id, name, label, hint, value, error
and the page's extra params), so the same params always give the same HTML: it is drawn once
and kept. Params holding anything but plain values (strings, numbers, booleans, None, lists and
dicts of them) are drawn every time. Markup and str are kept apart (one is escaped, the other
not). At most MAX_ENTRIES per app, least recently used out first; nothing is shared between
apps, and a cached field is only ever given for exactly the params it was drawn from.
"""

from __future__ import annotations

from collections import OrderedDict
from threading import Lock
from typing import Any

from flask import Flask, current_app
from govuk_frontend_wtf.gov_form_base import GovFormBase
from markupsafe import Markup

MAX_ENTRIES = 2000
EXTENSION = "improve.widget_cache"
_draw = GovFormBase.render


class _UncacheableError(Exception):
    pass


def _frozen(value: Any) -> Any:
    """A hashable copy of `value` that tells apart everything that renders differently."""
    kind = type(value)
    if kind is dict:
        return ("dict", tuple((key, _frozen(item)) for key, item in value.items()))
    if kind is list or kind is tuple:
        return (kind.__name__, tuple(_frozen(item) for item in value))
    if kind in (str, Markup, int, float, bool) or value is None:
        return (kind.__name__, value)
    raise _UncacheableError


class WidgetCache:
    def __init__(self, size: int = MAX_ENTRIES) -> None:
        self.size = size
        self.entries: OrderedDict[Any, Markup] = OrderedDict()
        self.lock = Lock()  # gthread workers serve several requests at once

    def draw(self, widget: GovFormBase, params: dict[str, Any]) -> Markup:
        try:
            key = (widget.template, _frozen(params))
        except _UncacheableError:
            return _draw(widget, params)
        with self.lock:
            html = self.entries.get(key)
            if html is not None:
                self.entries.move_to_end(key)
                return html
        html = _draw(widget, params)
        with self.lock:
            self.entries[key] = html
            if len(self.entries) > self.size:
                self.entries.popitem(last=False)
        return html


def _render(widget: GovFormBase, params: dict[str, Any]) -> Markup:
    cache = current_app.extensions.get(EXTENSION)
    return cache.draw(widget, params) if cache is not None else _draw(widget, params)


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = WidgetCache()
    GovFormBase.render = _render  # type: ignore[method-assign]
