"""The load generator of bench/load.py counts what it claims: the mix of actions, HTTP/1.1 with
keep-alive (a closed idle connection is retried, nothing else is), and every acknowledged write
looked up in the database."""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections import Counter

import pytest
import sqlalchemy as sa

from bench import load


def test_four_requests_in_five_read_a_page():
    rng = random.Random(1)
    drawn = Counter(load.choose(rng.random()) for _ in range(100_000))
    writes = sum(drawn[name] for _, name in load.WRITES)
    assert sum(share for share, _ in load.ACTIONS) == pytest.approx(1.0)
    assert writes / 100_000 == pytest.approx(0.20, abs=0.005)
    assert drawn["save data point"] / 100_000 == pytest.approx(0.10, abs=0.005)
    assert set(drawn) == {name for _, name in load.ACTIONS}


async def _serve(answers: list[bytes], seen: list[bytes], close_after: int | None = None):
    """A tiny HTTP server: each request read gets the next answer; the connection is closed
    after `close_after` requests on it, as gunicorn closes an idle keep-alive connection."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        served = 0
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except (asyncio.IncompleteReadError, ConnectionError):
                break
            length = next(
                (int(line.split(b":")[1]) for line in head.split(b"\r\n")[1:] if
                 line.lower().startswith(b"content-length")),
                0,
            )  # fmt: skip
            seen.append(head + (await reader.readexactly(length)))
            writer.write(answers.pop(0))
            await writer.drain()
            served += 1
            if close_after is not None and served >= close_after:
                break
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()

    return await asyncio.start_server(handle, "127.0.0.1", 0)


async def _stop(server: asyncio.Server) -> None:
    server.close()
    await server.wait_closed()
    await asyncio.sleep(0.01)  # let the closed connections' transports finish closing


def _run(coroutine):
    return asyncio.run(coroutine)


def test_one_connection_carries_many_requests_with_cookies_and_the_csrf_token():
    page = b'<form><input type="hidden" name="csrf_token" value="tok-1"></form>'
    answers = [
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nSet-Cookie: session=abc; Path=/\r\n"
        b"Content-Length: %d\r\n\r\n%s" % (len(page), page),
        b"HTTP/1.1 303 SEE OTHER\r\nLocation: /cycles/7\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n",
    ]
    seen: list[bytes] = []

    async def scenario():
        server = await _serve(answers, seen)
        port = server.sockets[0].getsockname()[1]
        client = load.Client("127.0.0.1", port)
        first = await client.request("GET", "/aims/1")
        writer = client.writer
        second = await client.request("POST", "/aims/1/cycles/new", {"title": "A b"})
        assert client.writer is writer  # the same connection, kept alive
        client.close()
        await _stop(server)
        return first, second

    first, second = _run(scenario())
    assert first.status == 200 and second.status == 303
    assert second.body == b"abcde" and second.headers["location"] == "/cycles/7"
    assert b"Cookie: session=abc" in seen[1]
    assert seen[1].endswith(b"csrf_token=tok-1&title=A+b")


def test_a_request_on_a_connection_the_server_closed_is_sent_again_once():
    ok = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
    seen: list[bytes] = []

    async def scenario():
        server = await _serve([ok, ok], seen, close_after=1)
        port = server.sockets[0].getsockname()[1]
        client = load.Client("127.0.0.1", port)
        await client.request("GET", "/one")
        await asyncio.sleep(0.05)  # the server has closed the idle connection by now
        again = await client.request("GET", "/two")
        client.close()
        await _stop(server)
        return again

    assert _run(scenario()).status == 200
    assert [request.split(b" ")[1] for request in seen] == [b"/one", b"/two"]


def test_a_connection_dropped_in_the_middle_of_an_answer_is_an_error_not_a_retry():
    seen: list[bytes] = []

    async def scenario():
        server = await _serve([b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort"], seen, 1)
        port = server.sockets[0].getsockname()[1]
        client = load.Client("127.0.0.1", port)
        with pytest.raises(asyncio.IncompleteReadError):
            await client.request("POST", "/measures/1/points", {"value": "3"})
        await _stop(server)

    _run(scenario())
    assert len(seen) == 1  # sent once: a write is never repeated behind the person's back


def test_every_acknowledged_write_is_looked_up_and_a_missing_one_is_reported(tmp_path):
    url = f"sqlite:///{tmp_path / 'writes.sqlite'}"
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        for statement in (
            "CREATE TABLE data_point (measure_id INT, period_start DATE, value FLOAT)",
            "CREATE TABLE comment (aim_id INT, body TEXT, deleted_at TIMESTAMP)",
            "CREATE TABLE cycle (id INT, title TEXT)",
            "INSERT INTO data_point VALUES (5, '2026-11-30', 3.0)",
            "INSERT INTO comment VALUES (2, 'kept', NULL), (2, 'deleted', '2026-12-01')",
            "INSERT INTO cycle VALUES (9, 'Night checks')",
        ):
            connection.execute(sa.text(statement))
    engine.dispose()
    run = load.UserRun(
        points={"5/2026-11-30": 3.0, "5/2026-11-23": 4.0},
        comments=[(2, "kept"), (2, "deleted"), (3, "kept")],
        cycles={9: "Night checks", 10: "Lost"},
    )
    checked, missing = load.missing_writes(url, [run])
    assert checked == 7
    assert missing == [
        "data point 5/2026-11-23=4.0 (stored: None)",
        "comment on aim 2: 'deleted'",
        "comment on aim 3: 'kept'",
        "cycle 10 'Lost' (stored: None)",
    ]
