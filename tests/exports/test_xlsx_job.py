"""A large measures XLSX file is made beside the request (improve.exports.jobs): the first
request answers at once that it is being made, the same address gives the file once made, an
htmx check says when it is ready, and a failure says so and offers the CSV file."""

from __future__ import annotations

import multiprocessing
import re

import pytest

from improve.exports import jobs, writers
from tests.exports.test_exports import add_points, as_dicts, make_measure, url, xlsx_sheets


@pytest.fixture
def data(world):
    """A shared measure with points from both teams of X, and a team's own measure."""
    shared = make_measure(world.x)
    add_points(shared, world.team_a, [5] * 6 + [1] * 7)
    add_points(shared, world.team_b, [3, 4, 3])
    add_points(make_measure(world.x, world.team_a, name="Huddles held"), world.team_a, [2, 3, 4])
    return shared


@pytest.fixture
def large(monkeypatch, tmp_path, data):
    """Every measures file counts as large, files go to a scratch folder, and making one waits
    for the test to let it go."""
    monkeypatch.setattr(writers, "XLSX_ROWS_IN_REQUEST", 1)
    monkeypatch.setattr(jobs, "folder", lambda instance_path: tmp_path)
    gate = multiprocessing.get_context("fork").Event()  # set here, seen in the forked maker
    real = writers._xlsx_bytes

    def held(sheets):
        assert gate.wait(10), "the test never let the file be made"
        return real(sheets)

    monkeypatch.setattr(writers, "_xlsx_bytes", held)
    return gate


def _finish(gate, tmp_path) -> None:
    gate.set()
    for tag in list(jobs._running):
        jobs.wait(tag, 10)


def test_the_file_is_made_beside_the_request_then_served(world, client_for, large, tmp_path):
    client = client_for(world.coordinator_x)
    address = url(world.x, "measures", "xlsx")

    first = client.get(address)
    assert first.status_code == 202
    page = first.get_data(as_text=True)
    assert "Your file is being made" in page
    assert 'href="' + address.replace(".xlsx", ".csv") + '"' in page  # the CSV now instead
    check_address = re.search(r'hx-get="([^"]+\?made=[0-9a-f]{32})"', page).group(1)
    check = client.get(check_address, headers={"HX-Request": "true"})
    assert check.status_code == 200 and "Still being made" in check.get_data(as_text=True)

    _finish(large, tmp_path)
    ready = client.get(check_address, headers={"HX-Request": "true"})
    assert "Your file is ready" in ready.get_data(as_text=True)
    assert "<html" not in ready.get_data(as_text=True)  # only the status part
    made = client.get(address)
    assert made.status_code == 200
    assert made.headers["Content-Disposition"].startswith("attachment; filename=")
    rows = as_dicts(xlsx_sheets(made)["Measures"])
    csv_rows = client.get(url(world.x, "measures", "csv")).get_data(as_text=True)
    assert len(rows) == len(csv_rows.strip().splitlines()) - 1 > 0
    # The browser that holds it gets 304, and no file is made again.
    again = client.get(address, headers={"If-None-Match": made.headers["ETag"]})
    assert again.status_code == 304


def test_a_file_is_kept_per_person_and_data(world, client_for, large, tmp_path):
    coordinator = client_for(world.coordinator_x)
    coordinator.get(url(world.x, "measures", "xlsx"))
    _finish(large, tmp_path)
    member = client_for(world.member_a).get(url(world.x, "measures", "xlsx"))
    # Team A's member sees fewer teams: another file, made for them, not the coordinator's.
    assert member.status_code in (200, 202)
    _finish(large, tmp_path)
    assert len(list(tmp_path.glob("*.xlsx"))) == 2


def test_a_failure_is_said_and_the_csv_offered(world, client_for, monkeypatch, tmp_path, data):
    monkeypatch.setattr(writers, "XLSX_ROWS_IN_REQUEST", 1)
    monkeypatch.setattr(jobs, "folder", lambda instance_path: tmp_path)

    def broken(sheets):
        raise RuntimeError("disk full")

    monkeypatch.setattr(writers, "_xlsx_bytes", broken)
    client = client_for(world.coordinator_x)
    assert client.get(url(world.x, "measures", "xlsx")).status_code == 202
    for tag in list(jobs._running):
        jobs.wait(tag, 10)
    response = client.get(url(world.x, "measures", "xlsx"))
    assert response.status_code == 500
    text = response.get_data(as_text=True)
    assert "We could not make your file" in text and "CSV file" in text
    assert list(tmp_path.iterdir()) == []  # no half-written file left behind
    # "Try again" does: the next request starts making it afresh.
    monkeypatch.setattr(writers, "_xlsx_bytes", lambda sheets: b"made")
    assert client.get(url(world.x, "measures", "xlsx")).status_code == 202
    for tag in list(jobs._running):
        jobs.wait(tag, 10)
    assert client.get(url(world.x, "measures", "xlsx")).get_data() == b"made"


def test_small_files_are_still_made_in_the_request(world, client_for, data):
    response = client_for(world.coordinator_x).get(url(world.x, "measures", "xlsx"))
    assert response.status_code == 200
    assert as_dicts(xlsx_sheets(response)["Measures"])


def test_a_check_names_a_file_or_is_refused(world, client_for, data):
    client = client_for(world.coordinator_x)
    address = url(world.x, "measures", "xlsx")
    assert client.get(f"{address}?made=../../etc").status_code == 400
    unknown = client.get(f"{address}?made={'0' * 32}", headers={"HX-Request": "true"})
    assert unknown.status_code == 200 and "Still being made" in unknown.get_data(as_text=True)
    # Someone who may not see the collaborative learns nothing.
    assert client_for(world.member_c).get(f"{address}?made={'0' * 32}").status_code == 404


def test_more_rows_than_excel_holds_are_offered_as_csv(world, client_for, monkeypatch, data):
    monkeypatch.setattr(writers, "XLSX_MAX_ROWS", 3)
    response = client_for(world.coordinator_x).get(url(world.x, "measures", "xlsx"))
    assert response.status_code == 413
    text = response.get_data(as_text=True)
    assert "Too many rows for Excel" in text and "CSV file" in text
