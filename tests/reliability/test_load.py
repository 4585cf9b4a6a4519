"""No lost writes under load (issue 7.4): several client processes, each signed in as a team member,
save data points, plan PDSA cycles and read pages as fast as they can for a fixed time against
gunicorn with three workers. Every write the server acknowledged (303 after a data point's period,
303 to the new cycle's id) must be in the database afterwards as acknowledged, and nothing may
answer 5xx. Runs on the suite's database, SQLite or PostgreSQL.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator

import pytest

from tests.live_server import database_kind, drop_database, prepare_database
from tests.reliability.workload import (
    PatientServer,
    UserResult,
    World,
    build_world,
    count_rows,
    missing_writes,
    run_user,
)

pytestmark = pytest.mark.live

PROCESSES = 4
SECONDS = 12


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[PatientServer, World, str]]:
    tmp_path = tmp_path_factory.mktemp("load")
    url = prepare_database(tmp_path)
    try:
        world = build_world(url, people=PROCESSES)
        with PatientServer(url, workers=3, log_path=tmp_path / "gunicorn.log") as server:
            yield server, world, url
    finally:
        drop_database(url)


def test_every_acknowledged_write_is_kept_and_nothing_answers_5xx(live):
    server, world, url = live
    jobs = [
        (server.url, email, world.measure_ids[n], world.aim_id, world.idea_id, SECONDS, (0, 0), n)
        for n, email in enumerate(world.emails)
    ]
    # Processes, not threads: each client is its own interpreter, as separate browsers would be.
    with multiprocessing.get_context("spawn").Pool(PROCESSES) as pool:
        results: list[UserResult] = pool.starmap(run_user, jobs)

    errors = [error for result in results for error in result.server_errors]
    points = sum(len(result.points) for result in results)
    cycles = sum(len(result.cycles) for result in results)
    requests = sum(len(result.latencies) for result in results)
    print(
        f"\n{database_kind()}: {PROCESSES} client processes x 3 workers for {SECONDS} s: "
        f"{requests} requests, {points} data points and {cycles} cycles acknowledged"
    )
    refusals = [refusal for result in results for refusal in result.refusals]
    print("\n".join(sorted(set(refusals))[:10]))
    assert errors == []
    # Enough writes to mean something, even on a CI machine busy with other tests.
    assert points + cycles >= 8 and cycles >= 1, (points, cycles)
    assert missing_writes(url, results) == []
    # Nothing stored that was never acknowledged either: the world's one cycle plus the new ones.
    assert count_rows(url, "cycle") == 1 + cycles
