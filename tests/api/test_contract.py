"""Contract tests: schemathesis generates requests from the OpenAPI document the app serves and
checks every answer against it (status codes, content types, headers, bodies), including the
errors; and every route of the API is in the document."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis import checks

from improve.api.openapi import document
from tests.api.conftest import bearer

#: What a response built by hand is checked for: it is as the document says.
CONFORMANCE = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
]
#: Kept small so the whole run takes seconds: a few examples per operation and address.
EXAMPLES = 12


def conformance(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )


def isolated(app: Flask) -> Callable[..., Any]:
    """The app as a WSGI callable that runs each request in its own app context, as in
    production (tests.conftest.IsolatedClient): the `app` fixture holds one open, and without
    this every request would share its `g`, so the person signed in by one request would be
    remembered by the next."""

    def call(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        with app.app_context():
            return app.wsgi_app(environ, start_response)

    return call


@pytest.fixture
def contract(app, data, make_token) -> tuple[Any, dict[str, str]]:
    """The document as the app serves it, read with a panel member's token: the panel sees
    every team, small numbers hidden, so both kinds of figure are checked."""
    app.config["API_REQUESTS_PER_MINUTE"] = 100_000  # the app fixture puts it back
    secret = make_token(data.world.panel_x)
    headers = bearer(secret)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", isolated(app), headers=headers)

    @schema.auth()
    class Token:
        """The bearer token, as schemathesis's own auth: its check that a request without it
        (or with a wrong one) is refused then runs too."""

        def get(self, case: Any, context: Any) -> str:
            return secret

        def set(self, case: Any, data: str, context: Any) -> None:
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}

    return schema, headers


def operations_of(schema: Any) -> list[Any]:
    return [result.ok() for result in schema.get_all_operations()]


def test_every_route_of_the_api_is_in_the_document(app):
    paths = document()["paths"]
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            path = rule.rule.replace("<collaborative_id>", "{collaborative_id}")
            assert path in paths, rule.rule
            assert set(paths[path]) == {"get"}
            assert rule.methods - {"HEAD", "OPTIONS"} == {"GET"}


def test_every_answer_conforms_to_the_document(contract, data):
    schema, _ = contract
    operations = operations_of(schema)
    # Schemathesis leaves out the document's own address; the seven lists are all here.
    assert {op.path.rsplit("/", 1)[-1] for op in operations} >= {
        "collaboratives",
        "teams",
        "measures",
        "data-points",
        "series",
        "cycles",
        "scores",
    }
    real = {"collaborative_id": data.world.x.id}
    for operation in operations:
        strategies = [operation.as_strategy()]
        if "{collaborative_id}" in operation.path:
            strategies.append(operation.as_strategy(path_parameters=real))
        for strategy in strategies:

            @conformance(EXAMPLES)
            @given(case=strategy)
            def check(case: Any) -> None:
                case.call_and_validate()

            check()


def test_the_errors_conform_too(app, contract, data, client, make_token):
    """Answers a generated request seldom meets: a bad page number, a page past the last, an
    unknown token, and too many requests."""
    schema, headers = contract
    operation = next(op for op in operations_of(schema) if op.path.endswith("/data-points"))
    path = f"/api/v1/collaboratives/{data.world.x.id}/data-points"
    answers = [
        client.get(path, query_string={"page": "x"}, headers=headers),
        client.get(path, query_string={"page": "50"}, headers=headers),
        client.get(path, headers=bearer("imp_" + "x" * 43)),
    ]
    app.config["API_REQUESTS_PER_MINUTE"] = 1
    fresh = bearer(make_token(data.world.coordinator_x))
    answers += [client.get(path, headers=fresh) for _ in range(2)]
    assert [a.status_code for a in answers] == [400, 404, 401, 200, 429]
    for answer in answers:
        case = operation.Case(path_parameters={"collaborative_id": data.world.x.id})
        case.validate_response(answer, checks=CONFORMANCE)


@pytest.mark.parametrize("who", ["panel_x", "coordinator_x", "member_a"])
def test_every_list_of_real_data_conforms(contract, data, client, make_token, who):
    """Whole lists with hidden and shown figures, for each kind of reader: generated requests
    mostly ask for pages that do not exist."""
    schema, _ = contract
    headers = bearer(make_token(getattr(data.world, who)))
    for operation in operations_of(schema):
        values = {"collaborative_id": data.world.x.id} if "{" in operation.path else {}
        case = operation.Case(path_parameters=values, query={"per_page": 1000})
        answer = client.get(case.formatted_path, query_string=case.query, headers=headers)
        assert answer.status_code == 200, operation.path
        case.validate_response(answer, checks=CONFORMANCE)
