"""Conditional downloads: charts and exports carry an ETag, and a browser that already holds
that version gets 304 Not Modified without the file being made again.

The tag is decided before the costly part: a PNG chart's from the SVG it would be drawn from, an
XLSX file's from the tables it would hold (openpyxl is the slow step, and the file it writes
embeds the time of writing, so its bytes differ on every download even when nothing else does).
The tag is a hash of what the person would get, so it changes whenever that changes, and people
who see different teams get different tags. improve.security gives these responses
`Cache-Control: private, no-cache`: the browser may keep the file but must ask again before each
use, and the request passes the usual sign-in and permission checks first.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from flask import Response, request


def content_tag(*parts: str | bytes) -> str:
    """A SHA-256 of the parts in order; each is length-prefixed, so ("ab", "c") and ("a", "bc")
    get different tags."""
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()[:32]


def conditional(tag: str, build: Callable[[], Response], *, weak: bool = False) -> Response:
    """`build()`'s response with this ETag, or a bare 304 when the request's If-None-Match already
    names the tag (compared weakly, as RFC 9110 section 13.1.2 says for If-None-Match). A weak tag
    promises the same content, not the same bytes."""
    held = request.if_none_match.contains_weak(tag)
    response = Response(status=304) if held else build()
    response.set_etag(tag, weak=weak)
    return response
