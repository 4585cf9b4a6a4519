"""Property-based tests of every form (issue 7, bad input): whatever a person or a script posts,
the answer is never a 5xx; a refusal leaves every table as it was; an accepted submission stores
the text it was given.

The routes come from the URL map and the valid request for each from tests/security/
route_samples.py (one builder per non-GET route, fresh records on every call), so a new route is
fuzzed as soon as it has a sample. hypothesis then replaces fields with hostile values: random
and huge text, NUL and other control characters, right-to-left marks, emoji, combining marks,
lone surrogates (sent as the invalid UTF-8 a broken client would send), numbers such as NaN,
inf, -0 and 1e309, impossible, swapped, negative and far-future dates, and unknown fields.
"""

from __future__ import annotations

import codecs
import fcntl
import json
import time
import urllib.parse
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from improve.extensions import db
from tests.conftest import HTMX, PASSWORD
from tests.security.route_samples import SAMPLES, Sample, non_get_rules

FIGURES = Path(__file__).resolve().parents[2] / "test-artifacts" / "fuzz-figures.json"
EXAMPLES_PER_FORM = 5
# Tables a refused request may still write: failed sign-ins are counted to throttle guessing.
WRITTEN_ON_REFUSAL = {"auth.sign_in": {"sign_in_attempt", "audit_event"}}


class Tally:
    """Counts the inputs one test tried and adds them to test-artifacts/fuzz-figures.json, under
    the database the run used; the file is locked because xdist workers write it too."""

    def __init__(self, group: str, name: str) -> None:
        self.group, self.name, self.inputs = group, name, 0
        self.outcomes: dict[str, int] = {}
        self.started = time.monotonic()

    def add(self, outcome: str = "") -> None:
        self.inputs += 1
        if outcome:
            self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1

    def save(self) -> None:
        FIGURES.parent.mkdir(exist_ok=True)
        kind = db.engine.dialect.name
        entry: dict[str, Any] = {
            "inputs": self.inputs,
            "seconds": round(time.monotonic() - self.started, 1),
        }
        if self.outcomes:
            entry["outcomes"] = dict(sorted(self.outcomes.items()))
        with open(FIGURES, "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            handle.seek(0)
            text = handle.read()
            figures = json.loads(text) if text.strip() else {}
            figures.setdefault(kind, {}).setdefault(self.group, {})[self.name] = entry
            handle.seek(0)
            handle.truncate()
            json.dump(figures, handle, indent=2, sort_keys=True)


def fuzz(examples: int) -> settings:
    """Bounded runs with no deadline (a request on PostgreSQL can take a while on a shared CI
    machine) and no example database left in the working tree."""
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,
        print_blob=True,  # a CI failure prints the line that replays it
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


# ---------------------------------------------------------------- hostile values

CONTROL = st.sampled_from(
    ["\x00", "a\x00b", "\x1b[31mred", "\x7f", "\x08", "\x0b\x0c", "line\u2028break", "\ufeff"]
)
UNICODE = st.sampled_from(
    [
        "\u202eevil.exe",  # right-to-left override
        "\u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627",  # Hebrew and Arabic
        "\U0001f600\U0001f4a9\U0001f3f3\ufe0f\u200d\U0001f308",  # emoji, with a ZWJ sequence
        "e" + "\u0301" * 60,  # combining marks piled on one letter
        "\u200b\u200c\u200d",  # zero-width characters only
        "\ud800",  # a lone surrogate: invalid UTF-8 on the wire
        "x\udfffy",
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "=cmd|' /C calc'!A0",
        "@SUM(1+1)",
    ]
)
NUMBERS = st.sampled_from(
    [
        "NaN",
        "nan",
        "inf",
        "-inf",
        "Infinity",
        "-0",
        "1e309",
        "-1e309",
        "1e-400",
        "-1",
        "-999999999999999999999999",
        "9" * 5000,  # past Python's int() digit limit
        "0x10",
        "1_000",
        "\u0663",  # Arabic-Indic three: int() accepts it
        " 7 ",
        "5.5",
        "",
    ]
)
HUGE = st.sampled_from([256, 1001, 5001, 70_000]).map(lambda n: "x" * n)
TEXT = st.text(max_size=60)  # any code point, surrogates included
HOSTILE = st.one_of(TEXT, HUGE, CONTROL, UNICODE, NUMBERS)
DATE_PARTS = st.sampled_from(
    [
        ["31", "2", "2026"],  # impossible
        ["30", "2", "2024"],
        ["2", "31", "2026"],  # day and month swapped
        ["13", "13", "2026"],
        ["-1", "5", "2026"],  # negative
        ["1", "-5", "2026"],
        ["1", "5", "-2026"],
        ["0", "0", "0"],
        ["1", "1", "9999"],  # far future
        ["1", "1", "99999999999999999999"],
        ["1", "1", "1066"],
        ["NaN", "inf", "1e309"],
        ["1", "5"],  # a part missing
        ["", "", ""],
        ["1", "5", "2026", "extra"],
    ]
)
UNKNOWN_FIELDS = st.dictionaries(
    st.sampled_from(
        ["is_admin", "id", "team_id", "user_id", "role", "csrf_token", "version", "__proto__"]
    )
    | st.text(min_size=1, max_size=12),
    st.one_of(HOSTILE, st.just("1")),
    max_size=3,
)


@st.composite
def hostile_form(draw, valid: dict[str, Any]) -> dict[str, Any]:
    """The valid form with some fields replaced, some dropped, and unknown ones added."""
    data = dict(valid)
    names = sorted(valid)
    if names:
        for name in draw(st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True)):
            current = valid[name]
            if isinstance(current, list):
                data[name] = draw(DATE_PARTS | st.lists(HOSTILE, max_size=4))
            elif draw(st.integers(0, 9)) == 0:
                del data[name]
            else:
                data[name] = draw(HOSTILE | st.lists(HOSTILE, min_size=2, max_size=3))
    for name, value in draw(UNKNOWN_FIELDS).items():
        data.setdefault(name, value)
    return data


def body(data: dict[str, Any]) -> bytes:
    """URL-encoded as a browser would, but lone surrogates go out as the invalid UTF-8 bytes a
    broken client sends (the test client would refuse to encode them)."""
    pairs = [
        (name, item)
        for name, value in data.items()
        for item in (value if isinstance(value, list) else [value])
    ]
    return urllib.parse.urlencode(pairs, encoding="utf-8", errors="surrogatepass").encode()


def _percent(error: UnicodeError) -> tuple[str, int]:
    assert isinstance(error, UnicodeDecodeError)
    bad = error.object[error.start : error.end]
    return "".join(f"%{byte:02X}" for byte in bad), error.end


codecs.register_error("fuzz.percent", _percent)


def as_received(value: str) -> str:
    """What the server reads for a value sent by `body`: werkzeug keeps bytes that are not
    UTF-8 as their %XX escapes, so a lone surrogate arrives as harmless ASCII."""
    return value.encode("utf-8", "surrogatepass").decode("utf-8", "fuzz.percent")


# ---------------------------------------------------------------- the database before and after


def frozen(cell: Any) -> Any:
    # JSON columns (the audit trail's before and after) come back as dicts, which sets refuse.
    return json.dumps(cell, sort_keys=True, default=str) if isinstance(cell, dict | list) else cell


def snapshot() -> dict[str, set[tuple]]:
    db.session.expire_all()
    with db.engine.connect() as connection:
        return {
            table.name: {
                tuple(frozen(c) for c in row) for row in connection.execute(sa.select(table))
            }
            for table in db.metadata.sorted_tables
        }


def changed(before: dict[str, set[tuple]], after: dict[str, set[tuple]], skip=()) -> set[str]:
    return {name for name in before if name not in skip and before[name] != after[name]}


def new_text(before: dict[str, set[tuple]], after: dict[str, set[tuple]]) -> set[str]:
    """Every text cell of a row added or changed, outside the audit trail."""
    return {
        cell
        for name in after
        if name != "audit_event"
        for row in after[name] - before[name]
        for cell in row
        if isinstance(cell, str)
    }


def every_text(state: dict[str, set[tuple]]) -> set[str]:
    return {
        cell
        for name, rows in state.items()
        if name != "audit_event"
        for row in rows
        for cell in row
        if isinstance(cell, str)
    }


def stored_forms(value: str) -> set[str]:
    """The ways a form may fairly store what was typed: trimmed, emails in lower case, line
    breaks as the browser sent them or as \\n."""
    text = as_received(value).strip()
    return {text, text.lower(), text.replace("\r\n", "\n")}


# ---------------------------------------------------------------- the test


def form_endpoints() -> list[str]:
    from improve import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "TESTING": True})
    return sorted({rule.endpoint for rule, method in non_get_rules(app) if method == "POST"})


class Clients:
    """One signed-in client per person, as one browser each."""

    def __init__(self, app: Flask) -> None:
        self.app, self.by_user = app, {}

    def for_sample(self, sample: Sample):
        if sample.actor is None:
            return self.app.test_client()
        if sample.actor.id not in self.by_user:
            client = self.app.test_client()
            response = client.post(
                "/sign-in", data={"email": sample.actor.email, "password": PASSWORD}
            )
            assert response.status_code == 303
            self.by_user[sample.actor.id] = client
        return self.by_user[sample.actor.id]


def post(client, sample: Sample, data: dict[str, Any], htmx: bool):
    return client.post(
        sample.url,
        data=body(data),
        content_type="application/x-www-form-urlencoded",
        headers=HTMX if htmx else {},
    )


@pytest.mark.parametrize("endpoint", form_endpoints())
def test_hostile_input_never_fails_and_never_half_writes(app, world, endpoint):
    assert endpoint in SAMPLES, f"{endpoint} has no valid request in route_samples.py"
    build = SAMPLES[endpoint]
    clients = Clients(app)
    tally = Tally("forms", endpoint)

    # The valid request first: it must be accepted, and tells which fields are stored as typed.
    sample = build(world)
    client = clients.for_sample(sample)
    before = snapshot()
    response = post(client, sample, sample.data, htmx=False)
    assert response.status_code == sample.status, response.get_data(as_text=True)[:500]
    stored = new_text(before, snapshot())
    echoed = {
        name
        for name, value in sample.data.items()
        if isinstance(value, str) and len(value.strip()) > 3 and value.strip() in stored
    }

    @fuzz(EXAMPLES_PER_FORM)
    @given(choice=st.data(), htmx=st.booleans())
    def check(choice, htmx: bool) -> None:
        sample = build(world)
        client = clients.for_sample(sample)
        data = choice.draw(hostile_form(sample.data), label="form")
        before = snapshot()
        response = post(client, sample, data, htmx)
        after = snapshot()
        status = response.status_code
        tally.add(str(status))
        assert status < 500, response.get_data(as_text=True)[:500]
        if status >= 400:
            skip = WRITTEN_ON_REFUSAL.get(endpoint, ())
            assert not changed(before, after, skip), f"refused with {status} but wrote"
            return
        # An accepted value that equals what was saved before changes no row, so look for it
        # in everything the records hold after the request, not only in the changed rows.
        written = every_text(after)
        for name in echoed:
            value = data.get(name)
            if isinstance(value, str) and as_received(value).strip():
                assert stored_forms(value) & written, f"{name}={value[:80]!r} was not stored"

    check()
    tally.save()
