"""The API's OpenAPI 3.1 document, written as Python data: every route, its parameters, its
answers (errors included) and how to sign in. tests/api/test_contract.py has schemathesis check
the app against it, so the document and the code cannot drift apart."""

from __future__ import annotations

from typing import Any

from improve.api.operations import REQUESTS_PER_MINUTE
from improve.api.paging import DEFAULT_PER_PAGE, MAX_PAGE, MAX_PER_PAGE
from improve.routing import MAX_ID

JSON = "application/json"
VERSION = "1.0.0"


def _ref(kind: str, name: str) -> dict[str, str]:
    return {"$ref": f"#/components/{kind}/{name}"}


def _schema(name: str) -> dict[str, str]:
    return _ref("schemas", name)


def _nullable(kind: str, **more: Any) -> dict[str, Any]:
    return {"type": [kind, "null"], **more}


def _object(properties: dict[str, Any], description: str = "") -> dict[str, Any]:
    """An object with exactly these properties, all present (null where there is no value)."""
    result: dict[str, Any] = {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }
    if description:
        result["description"] = description
    return result


STRING = {"type": "string"}
INTEGER = {"type": "integer"}
NUMBER = {"type": "number"}
BOOLEAN = {"type": "boolean"}
DAY = {"type": "string", "format": "date"}
MOMENT = {"type": "string", "format": "date-time"}
URL = {"type": "string", "format": "uri"}
NULLABLE_DAY = _nullable("string", format="date")
NULLABLE_MOMENT = _nullable("string", format="date-time")

POINT_TYPES = [
    "common_cause",
    "special_cause_improvement",
    "special_cause_concern",
    "special_cause_neutral_high",
    "special_cause_neutral_low",
]
CHART_TYPES = ["run", "i", "mr", "p", "u", "c", "g", "t"]
VALUE_KINDS = ["continuous", "count", "proportion", "rate", "events"]
DIRECTIONS = ["increase", "decrease", "neutral"]


def _enum(values: list[str], nullable: bool = False) -> dict[str, Any]:
    if nullable:
        return {"type": ["string", "null"], "enum": [*values, None]}
    return {"type": "string", "enum": values}


# Schemas ------------------------------------------------------------------------------------------

ERROR = _object(
    {
        "status": INTEGER,
        "error": {
            "type": "string",
            "description": "A stable code: bad_request, unauthorised, not_found, "
            "too_many_requests, ...",
        },
        "message": {"type": "string", "description": "What went wrong, in plain words."},
    },
    "An error.",
)
LINKS = _object(
    {
        "self": URL,
        "first": URL,
        "prev": _nullable("string", format="uri"),
        "next": _nullable("string", format="uri", description="Null on the last page."),
        "last": URL,
    },
    "Addresses of this list's pages, filters kept.",
)
META = _object(
    {
        "page": {"type": "integer", "minimum": 1},
        "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
        "total": {"type": "integer", "minimum": 0, "description": "Items in the whole list."},
        "pages": {"type": "integer", "minimum": 1},
    }
)
SMALL_NUMBERS = _object(
    {
        "applies": {
            "type": "boolean",
            "description": "Whether the rule hides anything from you: true for people who see "
            "teams through the strategic panel (never for a team they belong to).",
        },
        "threshold": INTEGER,
        "rule": {"type": "string", "description": "The rule in plain words."},
        "for_you": STRING,
        "hidden_on_this_page": {"type": "integer", "minimum": 0},
    },
    "The small-number rule of views across teams, as the strategic panel's page applies it.",
)
HIDDEN = {
    "type": "boolean",
    "description": "True when the figures rest on a small number of people: they are null.",
}
HIDDEN_REASON = _nullable("string")

COLLABORATIVE = _object(
    {
        "id": INTEGER,
        "name": STRING,
        "topic": STRING,
        "description": STRING,
        "starts_on": DAY,
        "ends_on": DAY,
        "reporting_cadence": _enum(["monthly", "fortnightly", "quarterly"]),
        "suppression_threshold": INTEGER,
        "access": {
            **_enum(["admin", "coordinator", "panel_member", "team"]),
            "description": "How you see it: as an admin, its coordinator, a member of its "
            "strategic panel, or through your team.",
        },
        "small_numbers_hidden": BOOLEAN,
        "links": _object(
            {name: URL for name in ("teams", "measures", "data_points", "series", "cycles")}
            | {"scores": URL}
        ),
    }
)
TEAM = _object(
    {
        "id": INTEGER,
        "collaborative_id": INTEGER,
        "name": STRING,
        "organisation": STRING,
        "organisation_kind": _enum(
            ["council", "care_home", "home_care", "voluntary", "nhs", "other"]
        ),
        "service": STRING,
        "created_at": MOMENT,
    }
)
MEASURE = _object(
    {
        "id": INTEGER,
        "collaborative_id": INTEGER,
        "team_id": _nullable("integer", description="Null for a shared measure."),
        "shared": BOOLEAN,
        "aim_id": _nullable("integer"),
        "name": STRING,
        "measure_type": _enum(["outcome", "process", "balancing"]),
        "operational_definition": STRING,
        "numerator_definition": STRING,
        "denominator_definition": STRING,
        "inclusions": STRING,
        "exclusions": STRING,
        "data_source": STRING,
        "collected_by": STRING,
        "frequency": _enum(["weekly", "monthly"]),
        "value_kind": _enum(VALUE_KINDS),
        "multiplier": NUMBER,
        "unit": STRING,
        "direction": _enum(DIRECTIONS),
        "chart_type": _enum(CHART_TYPES),
        "baseline_start": NULLABLE_DAY,
        "baseline_end": NULLABLE_DAY,
        "baseline_value": _nullable("number"),
        "target_value": _nullable("number"),
        "target_date": NULLABLE_DAY,
        "target_trajectory": BOOLEAN,
        "freeze_points": _nullable("integer"),
        "archived": BOOLEAN,
        "updated_at": MOMENT,
    },
    "A measure's definition. `value_kind` says what a data point is; `chart_type` which chart "
    "the team chose for it.",
)
DATA_POINT = _object(
    {
        "id": INTEGER,
        "measure_id": INTEGER,
        "team_id": INTEGER,
        "period_start": {
            **DAY,
            "description": "The first day of the week or month; for the "
            "dates of events, the day of the events.",
        },
        "numerator": _nullable(
            "number",
            description="The number entered: the count, the measurement, or the top number "
            "of a proportion or rate.",
        ),
        "denominator": _nullable("number", description="For proportions and rates."),
        "value": _nullable(
            "number",
            description="On the chart's scale: the number entered, or numerator / "
            "denominator (x 100 for a percentage, x the multiplier for a rate).",
        ),
        "note": _nullable("string"),
        "exclusion_reason": _nullable("string"),
        "phase_reason": _nullable("string"),
        "excluded": BOOLEAN,
        "starts_new_phase": BOOLEAN,
        "hidden": HIDDEN,
        "hidden_reason": HIDDEN_REASON,
        "updated_at": MOMENT,
    }
)
SERIES_POINT = _object(
    {
        "period_start": DAY,
        "value": _nullable("number", description="As plotted (gaps in days for events)."),
        "centre": _nullable("number", description="Mean, or median on a run or g chart."),
        "lower_limit": _nullable("number", description="Null on a run chart."),
        "upper_limit": _nullable("number", description="Null on a run chart."),
        "target": _nullable("number"),
        "phase": {"type": "integer", "minimum": 1},
        "excluded": BOOLEAN,
        "point_type": _enum(POINT_TYPES),
        "hidden": HIDDEN,
        "hidden_reason": HIDDEN_REASON,
    }
)
SERIES = _object(
    {
        "measure_id": INTEGER,
        "team_id": INTEGER,
        "chart_type": _enum(CHART_TYPES),
        "value_kind": _enum(VALUE_KINDS),
        "direction": _enum(DIRECTIONS),
        "unit": STRING,
        "analysed": {"type": "boolean", "description": "False below 2 usable points."},
        "trial_limits": _nullable(
            "boolean", description="Limits from fewer than 12 points: they may still move."
        ),
        "frozen": _nullable("boolean", description="Centre and limits from baseline points."),
        "variation": {
            **_enum(POINT_TYPES, nullable=True),
            "description": "Making Data Count's variation icon: the type of the latest point.",
        },
        "variation_label": _nullable("string"),
        "assurance": {
            **_enum(["pass", "fail", "inconsistent"], nullable=True),
            "description": "Making Data Count's assurance icon: whether the target will be met.",
        },
        "assurance_label": _nullable("string"),
        "notes": {"type": "array", "items": STRING},
        "hidden_points": {"type": "integer", "minimum": 0},
        "points": {"type": "array", "items": _schema("SeriesPoint")},
    },
    "One team's series of one measure, read from the one analysis its chart shows.",
)
CYCLE = _object(
    {
        "id": INTEGER,
        "team_id": INTEGER,
        "aim_id": INTEGER,
        "change_idea_id": INTEGER,
        "change_idea": STRING,
        "ramp_id": INTEGER,
        "number": INTEGER,
        "title": STRING,
        "stage": _enum(["plan", "do", "study", "act", "closed"]),
        "starts_on": DAY,
        "ends_on": DAY,
        "improved": _enum(["yes", "no", "not_sure"], nullable=True),
        "decision": _enum(["adopt", "adapt", "abandon"], nullable=True),
        "closed_at": NULLABLE_MOMENT,
        "created_at": MOMENT,
        "updated_at": MOMENT,
    },
    "A test of change (PDSA cycle).",
)
SCORE = _object(
    {
        "id": INTEGER,
        "team_id": INTEGER,
        "period_start": DAY,
        "assessor": _enum(["self", "coordinator"]),
        "assessor_label": STRING,
        "score": {"type": "number", "minimum": 0.5, "maximum": 5.0},
        "suggested_score": _nullable(
            "number", description="What the app suggested in the team's monthly report."
        ),
        "report_id": _nullable("integer"),
        "updated_at": MOMENT,
    },
    "A progress score (IHI scale 0.5 to 5.0), the team's own or the coordinator's.",
)


def _listing(item: str, small_numbers: bool = False) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "data": {"type": "array", "items": _schema(item)},
        "meta": _schema("Meta"),
        "links": _schema("Links"),
    }
    if small_numbers:
        properties["small_numbers"] = _schema("SmallNumbers")
    return _object(properties)


# Parameters, answers ------------------------------------------------------------------------------

PARAMETERS = {
    "CollaborativeId": {
        "name": "collaborative_id",
        "in": "path",
        "required": True,
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
    },
    "Page": {
        "name": "page",
        "in": "query",
        "description": "Which page, from 1. A page past the last answers 404.",
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
    },
    "PerPage": {
        "name": "per_page",
        "in": "query",
        "description": f"Items a page, {DEFAULT_PER_PAGE} unless asked, at most {MAX_PER_PAGE}.",
        "schema": {
            "type": "integer",
            "minimum": 1,
            "maximum": MAX_PER_PAGE,
            "default": DEFAULT_PER_PAGE,
        },
    },
    "MeasureId": {
        "name": "measure_id",
        "in": "query",
        "description": "Only this measure's (404 if you may not see it here).",
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
    },
    "TeamId": {
        "name": "team_id",
        "in": "query",
        "description": "Only this team's (404 if you may not see it here).",
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
    },
}
RATE_HEADERS = {
    "X-RateLimit-Limit": {
        "description": "Requests allowed a minute.",
        "schema": {"type": "integer"},
    },
    "X-RateLimit-Remaining": {
        "description": "Requests left in the current minute.",
        "schema": {"type": "integer"},
    },
}


def _error(description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "description": description,
        "content": {JSON: {"schema": _schema("Error")}},
    }
    if headers:
        answer["headers"] = headers
    return answer


RESPONSES = {
    "BadRequest": _error("A parameter is not a whole number, or out of its range."),
    "Unauthorised": _error(
        "No token or session, or the token is unknown, revoked or expired.",
        {"WWW-Authenticate": {"schema": {"type": "string"}}},
    ),
    "NotFound": _error(
        "No such collaborative, measure, team or page that you may see (another "
        "collaborative's ids are not found either)."
    ),
    "TooManyRequests": _error(
        f"More than {REQUESTS_PER_MINUTE} requests in a minute with one token (or one "
        "signed-in person).",
        {
            "Retry-After": {
                "description": "Seconds to wait.",
                "schema": {"type": "integer", "minimum": 1},
            }
        },
    ),
}


def _get(
    summary: str,
    item: str | None,
    *,
    parameters: tuple[str, ...] = (),
    small_numbers: bool = False,
    description: str = "",
    operation_id: str,
) -> dict[str, Any]:
    """One GET operation: a page of `item` (or, for None, any JSON object), and its errors."""
    body = _listing(item, small_numbers) if item else {"type": "object"}
    ok: dict[str, Any] = {
        "description": "OK",
        "headers": dict(RATE_HEADERS),
        "content": {JSON: {"schema": body}},
    }
    if item:
        ok["headers"]["Link"] = {
            "description": "The other pages, as RFC 8288 links (first, prev, next, last).",
            "schema": {"type": "string"},
        }
    responses: dict[str, Any] = {
        "200": ok,
        "401": _ref("responses", "Unauthorised"),
        "429": _ref("responses", "TooManyRequests"),
    }
    if item:
        responses["400"] = _ref("responses", "BadRequest")
        responses["404"] = _ref("responses", "NotFound")
    return {
        "summary": summary,
        "description": description or summary,
        "operationId": operation_id,
        "parameters": [_ref("parameters", name) for name in parameters],
        "responses": responses,
    }


PAGED = ("Page", "PerPage")
IN_COLLABORATIVE = ("CollaborativeId", *PAGED)


def paths() -> dict[str, Any]:
    base = "/api/v1/collaboratives/{collaborative_id}"
    return {
        "/api/v1/openapi.json": {"get": _get("This document", None, operation_id="openapi")},
        "/api/v1/collaboratives": {
            "get": _get(
                "The collaboratives you may see",
                "Collaborative",
                parameters=PAGED,
                operation_id="listCollaboratives",
            )
        },
        f"{base}/teams": {
            "get": _get(
                "Its teams you may see",
                "Team",
                parameters=IN_COLLABORATIVE,
                operation_id="listTeams",
            )
        },
        f"{base}/measures": {
            "get": _get(
                "Its shared measures, and the own measures of the teams you may see",
                "Measure",
                parameters=IN_COLLABORATIVE,
                operation_id="listMeasures",
            )
        },
        f"{base}/data-points": {
            "get": _get(
                "Data points as entered",
                "DataPoint",
                parameters=(*IN_COLLABORATIVE, "MeasureId", "TeamId"),
                small_numbers=True,
                description="Shared measures' points first, then teams' own measures', each "
                "in order of measure, team and period. For people who see a team "
                "only through the strategic panel, a figure resting on a small number of "
                "people is null, with hidden true (see small_numbers).",
                operation_id="listDataPoints",
            )
        },
        f"{base}/series": {
            "get": _get(
                "Each team's analysed series of each measure",
                "Series",
                parameters=(*IN_COLLABORATIVE, "MeasureId", "TeamId"),
                small_numbers=True,
                description="One item per measure and team with data (shared measures first, "
                "then teams' own, each in order of measure and team): the points as its chart "
                "plots them, with centre, limits, point type, and the variation and assurance "
                "icons. Where a point is hidden by the small-number rule, its value is null, "
                "and so are the centre and limits of its phase (they would give it back).",
                operation_id="listSeries",
            )
        },
        f"{base}/cycles": {
            "get": _get(
                "Tests of change (PDSA cycles)",
                "Cycle",
                parameters=(*IN_COLLABORATIVE, "TeamId"),
                operation_id="listCycles",
            )
        },
        f"{base}/scores": {
            "get": _get(
                "Progress scores",
                "Score",
                parameters=(*IN_COLLABORATIVE, "TeamId"),
                description="The team's own and the coordinator's scores, each with the score "
                "the app suggested in the team's report.",
                operation_id="listScores",
            )
        },
    }


DESCRIPTION = f"""Read-only access to what you may see in improve, for Excel, Power BI and other
tools. Sign in with a personal access token (made under Your account, then API tokens), sent as
`Authorization: Bearer <token>`; a browser already signed in may read it too. Every answer is
JSON; lists come a page at a time (`page`, `per_page`, with `links.next` and a Link header).
Dates are ISO 8601 (YYYY-MM-DD), times ISO 8601 in UTC.

Rate limit: {REQUESTS_PER_MINUTE} requests a minute per token (or per signed-in person); more
answers 429 with Retry-After. Each answer says how many are left (X-RateLimit-Remaining).

Small numbers: for people who see a team only through the strategic panel, a figure that rests
on a small count of people is hidden (null, with `hidden: true`), as on the panel's own page."""


def document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "improve API", "version": VERSION, "description": DESCRIPTION},
        "servers": [{"url": "/"}],
        # A browser signed in to improve may read too (its session cookie), which the
        # description says: it is no scheme a tool should use, so it is not listed here.
        "security": [{"bearerToken": []}],
        "paths": paths(),
        "components": {
            "securitySchemes": {
                "bearerToken": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "imp_ followed by 43 characters",
                    "description": "A personal access token: read-only, acts as its owner.",
                },
            },
            "parameters": PARAMETERS,
            "responses": RESPONSES,
            "schemas": {
                "Error": ERROR,
                "Links": LINKS,
                "Meta": META,
                "SmallNumbers": SMALL_NUMBERS,
                "Collaborative": COLLABORATIVE,
                "Team": TEAM,
                "Measure": MEASURE,
                "DataPoint": DATA_POINT,
                "SeriesPoint": SERIES_POINT,
                "Series": SERIES,
                "Cycle": CYCLE,
                "Score": SCORE,
            },
        },
    }
