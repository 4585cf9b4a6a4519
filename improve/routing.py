"""URL converters."""

from __future__ import annotations

from werkzeug.routing import IntegerConverter

# Ids are 32-bit integers in PostgreSQL: a larger number in a URL must be "not found", not a
# database error.
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """A positive database id; anything else in that part of the URL answers 404."""

    def __init__(self, map, *args, **kwargs) -> None:  # noqa: A002 - werkzeug's signature
        super().__init__(map, min=1, max=MAX_ID)
