"""Full page or fragment from one template, depending on what htmx asked for."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, make_response, render_template
from htmx_flask import request
from jinja2_fragments.flask import render_block


def is_partial_request() -> bool:
    """A request that wants one fragment. Boosted links and history restores need the full page."""
    return bool(
        request.htmx and not request.htmx.boosted and not request.htmx.history_restore_request
    )


def render(
    template: str, fragment: str | None = None, status: int = 200, **context: Any
) -> Response:
    """Render the whole page, or only the named block of it for a partial htmx request."""
    if fragment and is_partial_request():
        body = render_block(template, fragment, **context)
    else:
        body = render_template(template, **context)
    return make_response(body, status)


def see_other(location: str, trigger: str | None = None) -> Response:
    """303 after a successful POST, so a reload never resubmits; may tell htmx what changed."""
    response = make_response("", 303)
    response.headers["Location"] = location
    if trigger:
        response.headers["HX-Trigger"] = trigger
    return response


def _vary_on_htmx(response: Response) -> Response:
    # The same URL answers with a page or a fragment, so caches must key on the header.
    response.vary.add("HX-Request")
    return response


def init_app(app: Flask) -> None:
    app.after_request(_vary_on_htmx)
    # Fragments show their own flash messages; full pages show them at the top.
    app.context_processor(lambda: {"htmx_partial": is_partial_request()})
