"""History pages speak in words (issue 16.6): whatever any route records, its history page shows
names, labels and dates, never an internal field name, a record's number, a code or an ISO date."""

from __future__ import annotations

import html
import re

import pytest

from improve.history.queries import MODELS, RECORD_ACTIONS
from improve.history.wording import REFERENCE_FIELDS, field_label
from improve.models import AuditEvent
from tests.security.route_samples import SAMPLES
from tests.security.test_audit_completeness import audit_rows_after, last_audit_id, sign_in

# Words no page should show a person: column names ("team_id", "not_sure"), ISO dates and times,
# and Python's own values.
RAW = re.compile(r"\b[a-z]+_[a-z_]+\b|\b\d{4}-\d{2}-\d{2}\b|T\d{2}:\d{2}|\b(None|True|False)\b")


def raw_words(text: str) -> list[str]:
    return [match.group(0) for match in RAW.finditer(text)]


def history_urls(row: AuditEvent) -> list[str]:
    urls: list[str] = []
    if row.action not in RECORD_ACTIONS:  # signing in and out is not a change to a record
        return urls
    if row.entity_type in MODELS:
        urls.append(f"/history/{row.entity_type}/{row.entity_id}")
    if row.measure_id is not None:
        urls.append(f"/measures/{row.measure_id}/history")
        if row.period_start is not None:
            urls.append(
                f"/measures/{row.measure_id}/history/{row.period_start.isoformat()}"
                f"?team={row.team_id}"
            )
    return urls


# Labels of the fields that hold another record's id: their values must be names.
REFERENCE_LABELS = {field_label(field) for field in REFERENCE_FIELDS}
CELLS = re.compile(r'<th scope="row"[^>]*>([^<]*)</th>((?:\s*<td[^>]*>[^<]*</td>)+)')


def numbers_for_records(page: str) -> list[str]:
    """Table rows of a reference field (Team, Person, Driver...) whose value is a bare number."""
    found = []
    for label, cells in CELLS.findall(page):
        values = [html.unescape(v).strip() for v in re.findall(r"<td[^>]*>([^<]*)</td>", cells)]
        if html.unescape(label).strip() in REFERENCE_LABELS:
            found += [f"{label}: {value}" for value in values if value.isdigit()]
    return found


def main_text(response) -> str:
    page = response.get_data(as_text=True)
    main = page[page.index("<main") : page.index("</main>")]
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main)))


@pytest.mark.parametrize("endpoint", sorted(SAMPLES))
def test_every_history_a_route_writes_reads_in_words(app, world, client_for, endpoint):
    sample = SAMPLES[endpoint](world)
    last_id = last_audit_id()
    response = sign_in(app, sample).post(sample.url, data=sample.data)
    assert response.status_code == sample.status

    admin = client_for(world.admin)  # who sees every row
    pages = {url for row in audit_rows_after(last_id) for url in history_urls(row)}
    for url in sorted(pages):
        page = admin.get(url)
        assert page.status_code == 200, url
        assert raw_words(main_text(page)) == [], url
        assert numbers_for_records(page.get_data(as_text=True)) == [], url


def test_the_check_finds_raw_words(app, world):
    """The check above can fail: an id field, a code and an ISO date are caught."""
    text = "Team team_id 4, stage not_sure, on 2026-08-03, at 2026-08-03T10:02, None"
    assert raw_words(text) == ["team_id", "not_sure", "2026-08-03", "T10:02", "None"]
    row = '<th scope="row" class="x">Team</th><td class="y">4</td><td class="y">Team A</td>'
    assert numbers_for_records(row) == ["Team: 4"]
