"""Static files (issue 8, point 4): fingerprinted addresses kept for a year; anything else
revalidated, so a deploy is never hidden behind an old copy."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

import pytest
from flask import url_for

STATIC = Path(__file__).resolve().parents[2] / "static"
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "public, no-cache"
ASSET = re.compile(r'<(?:link|script)\b[^>]*\b(?:href|src)="(/static/[^"]+)"')


def fetch(client, address: str, **headers):
    """Read and close, so the served file's handle is not left open."""
    response = client.get(address, headers=headers)
    response.get_data()
    response.close()
    return response


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def page_assets(client) -> list[str]:
    return ASSET.findall(client.get("/sign-in").get_data(as_text=True))


def test_every_stylesheet_and_script_on_a_page_carries_its_files_hash(client):
    assets = page_assets(client)
    assert len(assets) == 7  # icon, 4 stylesheets, htmx, app.js
    for address in assets:
        path, _, query = address.partition("?")
        assert query == f"v={sha(STATIC / path.removeprefix('/static/'))}", address


def test_fingerprinted_files_are_kept_for_a_year(client):
    for address in page_assets(client):
        response = fetch(client, address)
        assert response.status_code == 200, address
        assert response.headers["Cache-Control"] == IMMUTABLE, address
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "object-src 'none'" in response.headers["Content-Security-Policy"]


def test_a_file_without_its_hash_is_revalidated_and_answers_304_when_unchanged(client):
    # app.js imports govuk-frontend by its plain address: this is what the browser asks for.
    [imported] = re.findall(r'^import .* from "([^"]+)";', (STATIC / "js/app.js").read_text(), re.M)
    first = fetch(client, imported)
    assert first.status_code == 200
    assert first.headers["Cache-Control"] == REVALIDATE
    assert first.headers["ETag"] and first.headers["Last-Modified"]
    again = fetch(client, imported, **{"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.headers["Cache-Control"] == REVALIDATE
    assert again.headers["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" in again.headers


def test_a_wrong_hash_is_not_kept_for_long(client):
    """During a deploy a page may name a hash that this worker's file does not have yet."""
    response = fetch(client, "/static/css/app.css?v=000000000000")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == REVALIDATE


@pytest.fixture
def own_static(app, monkeypatch, tmp_path) -> Path:
    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "app.css").write_text("body { color: black; }")
    monkeypatch.setattr(app, "static_folder", str(tmp_path))
    return tmp_path / "css" / "app.css"


def address_of(app, filename: str) -> str:
    with app.test_request_context():
        return url_for("static", filename=filename)


def test_changing_a_file_changes_its_address(app, client, own_static):
    before = address_of(app, "css/app.css")
    assert before == f"/static/css/app.css?v={sha(own_static)}"
    own_static.write_text("body { color: navy; }")
    stat = own_static.stat()
    os.utime(own_static, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    after = address_of(app, "css/app.css")
    assert after == f"/static/css/app.css?v={sha(own_static)}" != before
    assert fetch(client, after).headers["Cache-Control"] == IMMUTABLE
    # A page still holding the old address gets the new file, but only until it asks again.
    old = fetch(client, before)
    assert old.get_data(as_text=True) == "body { color: navy; }"
    assert old.headers["Cache-Control"] == REVALIDATE


def test_an_unknown_file_gets_a_plain_address(app, own_static):
    assert address_of(app, "css/missing.css") == "/static/css/missing.css"
    assert address_of(app, "css") == "/static/css"  # a folder
    assert address_of(app, "../secret.txt") == "/static/../secret.txt"
