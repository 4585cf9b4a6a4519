"""Sign-in throttling (issue 7.3) holds across every gunicorn worker: the wrong passwords are
counted in the database, not in one process's memory, so spreading guesses over workers gains an
attacker nothing, whether the guesses come one after another or all at once.

Each attempt is a new client and a new connection, and gunicorn's access log names the worker
process that answered, so the test can show the attempts really were spread over the workers.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.live_server import LiveClient, LiveServer, drop_database, flask_command, prepare_database

pytestmark = pytest.mark.live

WORKERS = 3
LIMIT = 10  # the default: at most 10 wrong passwords per account per 5 minutes
EMAIL = "sam.jones@example.org"
PASSWORD = "the right password for this test"
WRONG = "a wrong guess at the password"
LOCKED = "This account is locked for a few minutes because of too many wrong passwords."
# The access log names the worker that answered: "<4242> POST /sign-in 422". The app is loaded
# once and forked (--preload) only to start faster: the workers are still separate processes.
GUNICORN_ARGS = "--preload --access-logfile - --access-logformat '%(p)s %(m)s %(U)s %(s)s'"
LOG_LINE = re.compile(r"^<(\d+)> POST /sign-in (\d{3})$", re.MULTILINE)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, Path]]:
    tmp_path = tmp_path_factory.mktemp("throttle")
    url = prepare_database(tmp_path)
    try:
        flask_command(url, "create-user", EMAIL, "--name", "Sam Jones", "--password", PASSWORD)
        log = tmp_path / "gunicorn.log"
        with LiveServer(
            url, workers=WORKERS, log_path=log, GUNICORN_CMD_ARGS=GUNICORN_ARGS
        ) as live:
            yield live, log
    finally:
        drop_database(url)


def attempt(server: LiveServer, email: str, password: str = WRONG) -> tuple[int, str]:
    """One sign-in from a brand-new browser (new cookies, new connection)."""
    reply = LiveClient(server.url).sign_in(email, password)
    return reply.status, reply.text


def workers_that_answered(log: Path) -> dict[str, set[str]]:
    """Worker process ids that answered sign-in posts, by status."""
    answered: dict[str, set[str]] = {}
    for pid, status in LOG_LINE.findall(log.read_text()):
        answered.setdefault(status, set()).add(pid)
    return answered


def test_the_eleventh_wrong_password_is_refused_whichever_worker_answers(server):
    live, log = server
    statuses = [attempt(live, EMAIL)[0] for _ in range(LIMIT)]
    assert statuses == [422] * LIMIT

    status, page = attempt(live, EMAIL)
    assert status == 429
    assert LOCKED in page
    right_status, right_page = attempt(live, EMAIL, PASSWORD)
    assert right_status == 429, "the right password must be refused while the account is locked"
    assert LOCKED in right_page

    # The counted wrong passwords were answered by more than one worker: per-process counting
    # would have let the eleventh through.
    assert len(workers_that_answered(log)["422"]) >= 2


def test_simultaneous_guesses_on_every_worker_check_at_most_ten_passwords(server):
    """An address with no account, which is throttled just the same (its lock must not give the
    account's absence away)."""
    live, log = server
    guesses = 2 * LIMIT
    barrier = threading.Barrier(guesses)

    def guess(_: int) -> int:
        client = LiveClient(live.url)
        client.get("/sign-in")  # the form and its CSRF token first, then all post at once
        barrier.wait(timeout=30)
        return client.post(
            "/sign-in", {"email": "no.account@example.org", "password": WRONG}
        ).status

    with ThreadPoolExecutor(guesses) as pool:
        statuses = list(pool.map(guess, range(guesses)))

    assert set(statuses) <= {422, 429}
    assert 1 <= statuses.count(422) <= LIMIT
    assert statuses.count(429) >= guesses - LIMIT
    assert len(workers_that_answered(log)["429"]) >= 2
