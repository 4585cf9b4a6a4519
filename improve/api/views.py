"""The API's routes: GET only, JSON only, every list paged (improve.api.paging) and scoped to
what the person may see (improve.api.queries). A collaborative, measure or team the person may
not see answers 404, as the pages do; a malformed parameter 400; never a 500 for bad input."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Response
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from improve.api import bp, documents, openapi, queries
from improve.api.paging import id_parameter, listing, requested_page
from improve.api.queries import Scope
from improve.api.responses import ApiError, database_error, document, http_error
from improve.extensions import db
from improve.models import Collaborative
from improve.permissions import Permission, can
from improve.routing import parse_id

bp.register_error_handler(HTTPException, http_error)
bp.register_error_handler(sa.exc.DBAPIError, database_error)

COLLABORATIVE = "/collaboratives/<collaborative_id>"


def _scope(collaborative_id: str) -> Scope:
    """The collaborative in the address, if the person may see it (else 404, as JSON). The
    address part is read here rather than by a URL converter, so that "abc" is a JSON 404 too."""
    number = parse_id(collaborative_id)
    found = db.session.get(Collaborative, number) if number is not None else None
    if found is None or not can(current_user, Permission.VIEW_COLLABORATIVE, found):
        raise ApiError(404, f"No collaborative {collaborative_id} that you may see.")
    return queries.scope_of(current_user, found)


def _measure_filter(scope: Scope) -> int | None:
    measure_id = id_parameter("measure_id")
    if measure_id is not None and queries.visible_measure(scope, measure_id) is None:
        raise ApiError(404, f"No measure {measure_id} in this collaborative that you may see.")
    return measure_id


def _team_filter(scope: Scope) -> int | None:
    team_id = id_parameter("team_id")
    if team_id is not None and queries.visible_team(scope, team_id) is None:
        raise ApiError(404, f"No team {team_id} in this collaborative that you may see.")
    return team_id


@bp.get("/openapi.json")
def openapi_document() -> Response:
    """The OpenAPI 3.1 description of every route, parameter, answer and error."""
    return document(openapi.document())


@bp.get("/collaboratives")
def collaboratives() -> Response:
    """The collaboratives the person may see, with how they see each."""
    page = requested_page()
    total, found = queries.collaboratives_page(current_user, page)
    access = queries.access_by_collaborative(current_user)
    admin = current_user.is_admin
    items = [
        documents.collaborative(c, "admin" if admin else access.get(c.id, "team")) for c in found
    ]
    return listing(page, total, items)


@bp.get(f"{COLLABORATIVE}/teams")
def teams(collaborative_id: str) -> Response:
    """The collaborative's teams the person may see."""
    scope = _scope(collaborative_id)
    page = requested_page()
    total, found = queries.teams_page(scope, page)
    return listing(page, total, [documents.team(team) for team in found])


@bp.get(f"{COLLABORATIVE}/measures")
def measures(collaborative_id: str) -> Response:
    """Shared measures and the own measures of the teams the person may see, with definitions."""
    scope = _scope(collaborative_id)
    page = requested_page()
    total, found = queries.measures_page(scope, page)
    return listing(page, total, [documents.measure(measure) for measure in found])


@bp.get(f"{COLLABORATIVE}/data-points")
def data_points(collaborative_id: str) -> Response:
    """Every data point the person may see (optionally of one measure, one team), as entered."""
    scope = _scope(collaborative_id)
    measure_id, team_id = _measure_filter(scope), _team_filter(scope)
    page = requested_page()
    total, rows = queries.data_points_page(scope, page, measure_id, team_id)
    items = [documents.data_point(row, scope) for row in rows]
    hidden = sum(1 for item in items if item["hidden"])
    return listing(page, total, items, small_numbers=documents.small_numbers(scope, hidden))


@bp.get(f"{COLLABORATIVE}/series")
def series(collaborative_id: str) -> Response:
    """Each team's series of each measure as its chart analyses it: values, centre, limits,
    point types, and the variation and assurance icons."""
    scope = _scope(collaborative_id)
    measure_id, team_id = _measure_filter(scope), _team_filter(scope)
    page = requested_page()
    total, keys = queries.series_keys_page(scope, page, measure_id, team_id)
    found = queries.series_page(scope, keys)
    flags = queries.hidden_points(scope, found)
    items, hidden = [], 0
    for key in keys:
        item, count = documents.series(
            key, found.measures[key[0]], found.analyses.get(key), flags.get(key), scope.threshold
        )
        items.append(item)
        hidden += count
    return listing(page, total, items, small_numbers=documents.small_numbers(scope, hidden))


@bp.get(f"{COLLABORATIVE}/cycles")
def cycles(collaborative_id: str) -> Response:
    """The tests of change (PDSA cycles) of the teams the person may see."""
    scope = _scope(collaborative_id)
    team_id = _team_filter(scope)
    page = requested_page()
    total, rows = queries.cycles_page(scope, page, team_id)
    return listing(page, total, [documents.cycle(row) for row in rows])


@bp.get(f"{COLLABORATIVE}/scores")
def scores(collaborative_id: str) -> Response:
    """Progress scores, whose each is (the team's own or the coordinator's), with the score the
    app suggested in the report they were given for."""
    scope = _scope(collaborative_id)
    team_id = _team_filter(scope)
    page = requested_page()
    total, rows = queries.scores_page(scope, page, team_id)
    return listing(page, total, [documents.score(row) for row in rows])
