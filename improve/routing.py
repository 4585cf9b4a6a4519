"""URL converters."""

from __future__ import annotations

import re

from werkzeug.routing import IntegerConverter

# Ids are 32-bit integers in PostgreSQL: a larger number in a URL must be "not found", not a
# database error.
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """A positive database id; anything else in that part of the URL answers 404."""

    def __init__(self, map, *args, **kwargs) -> None:  # noqa: A002 - werkzeug's signature
        super().__init__(map, min=1, max=MAX_ID)


_ASCII_ID = re.compile(r"[0-9]{1,10}")


def parse_id(text: object) -> int | None:
    """A database id from text (a query string, a hidden field): ASCII digits only, 1 to
    MAX_ID, else None. One place for it: str.isdigit() also accepts "²", which int() refuses,
    and a page answered 500 for `?after=²`."""
    if not isinstance(text, str) or not _ASCII_ID.fullmatch(text):
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None
