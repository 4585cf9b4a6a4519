"""No lost writes (issue 7.4): people saving the same record at the same moment, against real
gunicorn with several workers, on the suite's database (SQLite or PostgreSQL).

Every racer loads the edit form (so all hold the same version), then all save different values at
once. Exactly one save wins; everyone else is told someone else saved it (409 for a full page,
422 for htmx, which only swaps 422 answers in); the stored value is the winner's. A data point
posted twice, one after the other or at the same moment, is stored once and never answers 5xx.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from tests.live_server import LiveClient, LiveServer, Reply, drop_database, prepare_database
from tests.reliability.workload import PASSWORD, PatientServer, World, build_world, form_fields

pytestmark = pytest.mark.live

RACERS = 5
HTMX = {"HX-Request": "true"}
CONFLICT = re.compile(r"Someone else (saved|changed)")


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, World, str]]:
    tmp_path = tmp_path_factory.mktemp("concurrent")
    url = prepare_database(tmp_path)
    try:
        world = build_world(url, people=RACERS)
        with PatientServer(url, workers=3, log_path=tmp_path / "gunicorn.log") as server:
            yield server, world, url
    finally:
        drop_database(url)


@pytest.fixture(scope="module")
def racers(live) -> list[LiveClient]:
    """One signed-in browser per person of the team."""
    server, world, _ = live
    clients = []
    for email in world.emails:
        client = LiveClient(server.url)
        assert client.sign_in(email, PASSWORD).status == 303
        clients.append(client)
    return clients


def race(clients: list[LiveClient], send: Callable[[int, LiveClient], Reply]) -> list[Reply]:
    """Run send(i, client) for every client at the same moment (after a barrier)."""
    barrier = threading.Barrier(len(clients))

    def go(i: int) -> Reply:
        barrier.wait(timeout=30)
        return send(i, clients[i])

    with ThreadPoolExecutor(len(clients)) as pool:
        return list(pool.map(go, range(len(clients))))


def stored(url: str, query: str, **params) -> object:
    engine = sa.create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return connection.execute(sa.text(query), params).one()
    finally:
        engine.dispose()


def assert_one_winner(replies: list[Reply], htmx: bool) -> int:
    """Exactly one save acknowledged; every other racer told clearly; nothing 5xx. The winner's
    index."""
    statuses = [(reply.status, reply.headers.get("Location")) for reply in replies]
    assert all(reply.status < 500 for reply in replies), statuses
    winners = [i for i, reply in enumerate(replies) if reply.status in (200, 303)]
    assert len(winners) == 1, statuses
    for i, reply in enumerate(replies):
        if i in winners:
            continue
        # htmx swaps only 422 answers in: any other refusal would leave the person guessing.
        assert reply.status == 422 if htmx else reply.status in (409, 422), statuses
        assert CONFLICT.search(reply.text), reply.text[:2000]
    return winners[0]


def edit_form(client: LiveClient, path: str) -> dict[str, str]:
    page = client.get(path)
    assert page.status == 200, page.text[:500]
    return form_fields(page.text, path)


@pytest.mark.parametrize("htmx", [False, True], ids=["full-page", "htmx"])
def test_stale_edits_of_an_aim_keep_exactly_one(live, racers, htmx):
    _, world, url = live
    suffix = " (htmx)" if htmx else ""  # a title already saved would be "nothing changed"
    path = f"/aims/{world.aim_id}/edit"
    before = stored(url, "SELECT version FROM aim WHERE id = :id", id=world.aim_id)[0]
    forms = [edit_form(client, path) for client in racers]
    assert {form["version"] for form in forms} == {str(before)}

    replies = race(
        racers,
        lambda i, client: client.post(
            path, forms[i] | {"title": f"Aim by racer {i}{suffix}"}, headers=HTMX if htmx else None
        ),
    )

    winner = assert_one_winner(replies, htmx)
    title, version = stored(url, "SELECT title, version FROM aim WHERE id = :id", id=world.aim_id)
    assert (title, version) == (f"Aim by racer {winner}{suffix}", before + 1)


@pytest.mark.parametrize("htmx", [False, True], ids=["full-page", "htmx"])
def test_stale_edits_of_a_cycle_keep_exactly_one(live, racers, htmx):
    _, world, url = live
    suffix = " (htmx)" if htmx else ""
    path = f"/cycles/{world.cycle_id}/edit"
    forms = [edit_form(client, path) for client in racers]

    replies = race(
        racers,
        lambda i, client: client.post(
            path,
            forms[i] | {"title": f"Cycle by racer {i}{suffix}"},
            headers=HTMX if htmx else None,
        ),
    )

    winner = assert_one_winner(replies, htmx)
    title = stored(url, "SELECT title FROM cycle WHERE id = :id", id=world.cycle_id)[0]
    assert title == f"Cycle by racer {winner}{suffix}"


def test_stale_edits_of_a_measure_definition_keep_exactly_one(live, racers):
    _, world, url = live
    path = f"/measures/{world.point_measure_id}/edit"
    today = date.today()
    forms = [edit_form(client, path) for client in racers]
    change = {
        "effective_from": [str(today.day), str(today.month), str(today.year)],
        "reason": "Counted differently from now on",
    }

    replies = race(
        racers,
        lambda i, client: client.post(path, forms[i] | change | {"name": f"Measure by racer {i}"}),
    )

    winner = assert_one_winner(replies, htmx=False)
    query = "SELECT name FROM measure WHERE id = :id"
    assert stored(url, query, id=world.point_measure_id)[0] == f"Measure by racer {winner}"
    revisions = "SELECT count(*) FROM measure_revision WHERE measure_id = :id"
    assert stored(url, revisions, id=world.point_measure_id)[0] == 1


def test_stale_edits_of_a_data_point_keep_exactly_one(live, racers):
    _, world, url = live
    query = "SELECT value, version FROM data_point WHERE measure_id = :m AND period_start = :p"
    params = {"m": world.point_measure_id, "p": world.point_period}
    _, version = stored(url, query, **params)
    path = f"/measures/{world.point_measure_id}/points"
    for client in racers:  # each loads the table (and its CSRF token) first
        assert client.get(f"/measures/{world.point_measure_id}").status == 200

    replies = race(
        racers,
        lambda i, client: client.post(
            path,
            {"period": world.point_period.isoformat(), "value": str(10 + i), "version": version},
        ),
    )

    winner = assert_one_winner(replies, htmx=False)
    assert stored(url, query, **params) == (10 + winner, version + 1)


def _points(url: str, measure_id: int, period: date) -> list[float]:
    engine = sa.create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text("SELECT value FROM data_point WHERE measure_id = :m AND period_start = :p"),
                {"m": measure_id, "p": period},
            )
            return [row[0] for row in rows]
    finally:
        engine.dispose()


def _new_period(world: World, weeks_ago: int) -> date:
    monday = date.today() - timedelta(days=date.today().weekday())
    return monday - timedelta(weeks=weeks_ago)


def test_a_retried_data_point_is_stored_once(live, racers):
    """The browser sends the same first save again (a double click, a retry after a timeout)."""
    _, world, url = live
    measure_id, period = world.measure_ids[0], _new_period(world, 10)
    client = racers[0]
    assert client.get(f"/measures/{measure_id}").status == 200
    data = {"period": period.isoformat(), "value": "7", "version": ""}

    first = client.post(f"/measures/{measure_id}/points", data)
    again = client.post(f"/measures/{measure_id}/points", data)

    assert (first.status, again.status) == (303, 303)
    assert _points(url, measure_id, period) == [7]


def test_the_same_first_save_at_the_same_moment_is_stored_once(live, racers):
    _, world, url = live
    measure_id, period = world.measure_ids[1], _new_period(world, 11)
    for client in racers:
        assert client.get(f"/measures/{measure_id}").status == 200
    data = {"period": period.isoformat(), "value": "5", "version": ""}

    replies = race(racers, lambda i, client: client.post(f"/measures/{measure_id}/points", data))

    statuses = [reply.status for reply in replies]
    assert all(status < 500 for status in statuses), statuses
    assert 303 in statuses, statuses
    assert _points(url, measure_id, period) == [5]


def test_different_first_saves_at_the_same_moment_keep_exactly_one(live, racers):
    _, world, url = live
    measure_id, period = world.measure_ids[2], _new_period(world, 12)
    for client in racers:
        assert client.get(f"/measures/{measure_id}").status == 200

    replies = race(
        racers,
        lambda i, client: client.post(
            f"/measures/{measure_id}/points",
            {"period": period.isoformat(), "value": str(20 + i), "version": ""},
        ),
    )

    winner = assert_one_winner(replies, htmx=False)
    assert _points(url, measure_id, period) == [20 + winner]
