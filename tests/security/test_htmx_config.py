"""htmx is configured so that it cannot run code from responses or keep care records in the
browser's storage (issue 7): the settings are read from the page a signed-in person gets."""

from __future__ import annotations

import html
import json
import re

import pytest

HARDENED = {
    "allowEval": False,  # no eval-based features (hx-on, js: values) that a CSP would need
    "allowScriptTags": False,  # script tags in swapped content are never run
    "historyCacheSize": 0,  # pages are not copied into localStorage for the back button
    "selfRequestsOnly": True,  # htmx requests go to this site only
}


def htmx_config(page: str) -> dict[str, object]:
    found = re.search(r'<meta name="htmx-config" content=\'([^\']*)\'', page)
    assert found, "no htmx-config meta tag"
    return json.loads(html.unescape(found.group(1)))


@pytest.mark.parametrize("path", ["/", "/sign-in", "/help"])
def test_every_page_carries_the_hardened_htmx_settings(client, world, sign_in, path):
    if path == "/":
        sign_in(world.member_a)
    page = client.get(path).get_data(as_text=True)

    config = htmx_config(page)

    assert {key: config.get(key) for key in HARDENED} == HARDENED


def test_the_reader_notices_a_weakened_setting():
    page = '<meta name="htmx-config" content=\'{"allowEval":true}\'>'
    assert htmx_config(page)["allowEval"] is True
