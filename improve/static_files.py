"""Static files with fingerprinted addresses, so browsers keep them for a year and still never
use an old copy after a deploy.

Every `url_for('static', filename=...)` gets `?v=<first 12 hex digits of the file's SHA-256>`.
A change to the file changes its address, so the page asks for the new copy; the old address can
then be cached forever (`immutable`: not even a reload revalidates it). Hashes are kept in memory
by path, size and modification time: each version of a file is read once, and a file changed in
place (a deploy without a restart, an edit while developing) gets its new hash at once.

A request without the fingerprint (govuk-frontend.min.js, which static/js/app.js imports by its
plain address: an import map would need an inline script, which the CSP forbids) or with one that
is not the file's current hash gets `no-cache`: the browser keeps the file but asks each time,
and Flask's ETag and Last-Modified make that a 304. A wrong fingerprint happens during a deploy
(a page from a new worker, the file from an old one, or the reverse); caching that answer for a
year would pin the wrong file under the right address. A timed cache (max-age) for unfingerprinted
files would let an old govuk-frontend script run with a new stylesheet for that long.
"""

from __future__ import annotations

import hashlib
import os
from typing import Any

from flask import Flask, Response, current_app, request
from werkzeug.security import safe_join

FINGERPRINT_ARG = "v"
FINGERPRINT_LENGTH = 12
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "public, no-cache"

# Absolute path -> (modification time in ns, size, fingerprint).
_fingerprints: dict[str, tuple[int, int, str]] = {}


def fingerprint(filename: str) -> str | None:
    """The file's short SHA-256 in the static folder, or None when there is no such file."""
    folder = current_app.static_folder
    path = safe_join(folder, filename) if folder else None
    if path is None:
        return None
    try:
        stat = os.stat(path)
    except OSError:
        return None
    known = _fingerprints.get(path)
    if known and known[:2] == (stat.st_mtime_ns, stat.st_size):
        return known[2]
    try:
        with open(path, "rb") as file:
            digest = hashlib.file_digest(file, "sha256").hexdigest()[:FINGERPRINT_LENGTH]
    except OSError:  # a folder, or unreadable: served as Flask decides, without a fingerprint
        return None
    _fingerprints[path] = (stat.st_mtime_ns, stat.st_size, digest)
    return digest


def _add_fingerprint(endpoint: str, values: dict[str, Any]) -> None:
    if endpoint != "static" or FINGERPRINT_ARG in values or "filename" not in values:
        return
    digest = fingerprint(values["filename"])
    if digest:
        values[FINGERPRINT_ARG] = digest


def _cache_headers(response: Response) -> Response:
    if request.endpoint != "static" or response.status_code not in (200, 206, 304):
        return response
    asked = request.args.get(FINGERPRINT_ARG)
    filename = (request.view_args or {}).get("filename", "")
    current = asked is not None and fingerprint(filename) == asked
    response.headers["Cache-Control"] = IMMUTABLE if current else REVALIDATE
    return response


def init_app(app: Flask) -> None:
    app.url_defaults(_add_fingerprint)
    app.after_request(_cache_headers)
