"""Pages of a list: `?page=N&per_page=M` read and checked, the envelope every list comes in
(`data`, `meta` with the total, `links` to the next and previous pages), and the same links in
an RFC 8288 Link header for tools that follow those."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from flask import Response, request, url_for

from improve.api.responses import ApiError, document
from improve.routing import MAX_ID, parse_id

DEFAULT_PER_PAGE = 100
MAX_PER_PAGE = 1000
#: Far past any list's last page; a larger number is refused before it reaches the database.
MAX_PAGE = 1_000_000


@dataclass(frozen=True)
class Page:
    number: int
    size: int

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size


def whole_number(name: str, low: int, high: int, default: int | None = None) -> int | None:
    """A query parameter that must be a whole number from `low` to `high`; 400 if it is
    anything else, `default` if it is absent."""
    text = request.args.get(name)
    if text is None:
        return default
    number = parse_id(text) if text != "0" else 0
    if number is None or not low <= number <= high:
        raise ApiError(400, f"{name} must be a whole number from {low} to {high:,}.")
    return number


def id_parameter(name: str) -> int | None:
    """An id to filter by (`measure_id`, `team_id`): absent, or a whole number; 400 if not."""
    return whole_number(name, 1, MAX_ID)


def requested_page() -> Page:
    number = whole_number("page", 1, MAX_PAGE, 1)
    size = whole_number("per_page", 1, MAX_PER_PAGE, DEFAULT_PER_PAGE)
    assert number is not None and size is not None
    return Page(number, size)


def _url(page: int, size: int) -> str:
    """This list's address at another page, keeping its filters."""
    args: dict[str, Any] = {key: request.args.getlist(key) for key in request.args}
    args.update(page=page, per_page=size)
    view_args = request.view_args or {}
    return url_for(str(request.endpoint), **view_args, **args, _external=True)


def listing(page: Page, total: int, items: list[dict[str, Any]], **extra: Any) -> Response:
    """The envelope: the page's items, how many there are in all, and links to the others. A
    page past the last is 404 (the first page of an empty list is an empty list)."""
    pages = max(1, math.ceil(total / page.size))
    if page.number > pages:
        raise ApiError(404, f"There is no page {page.number}: the last page is {pages}.")
    links = {
        "self": _url(page.number, page.size),
        "first": _url(1, page.size),
        "prev": _url(page.number - 1, page.size) if page.number > 1 else None,
        "next": _url(page.number + 1, page.size) if page.number < pages else None,
        "last": _url(pages, page.size),
    }
    meta = {"page": page.number, "per_page": page.size, "total": total, "pages": pages}
    response = document({"data": items, "meta": meta, "links": links, **extra})
    response.headers["Link"] = ", ".join(
        f'<{url}>; rel="{relation}"'
        for relation, url in links.items()
        if url and relation != "self"
    )
    return response
