"""Load with think time: 150 virtual users against gunicorn on loopback, on the demo data.

    make load                                   # SQLite, then PostgreSQL (127.0.0.1:5432, postgres)
    PYTHONPATH=. .venv/bin/python bench/load.py                       # SQLite (a scratch file)
    PYTHONPATH=. .venv/bin/python bench/load.py --database-url postgresql://postgres@127.0.0.1/postgres

(PostgreSQL: a scratch database is created next to the one named, and dropped afterwards.)
Options: --users 150 --seconds 120 --think-min 1 --think-max 3 (the defaults, the issue's load),
--workers 3 --worker-class sync --threads 1 (gunicorn, as README's production section
recommends for 2 cores), --note "..." (kept with the figures), --output bench/load.json.
Writes its figures into bench/load.json (one entry per database, so the runs sit side by side);
exits 1 if any acknowledged write was not found, or anything answered other than expected.

The users. Each virtual user is a team member of one of the demo teams (added for the run, round
robin: 25 people per team) with a weekly measure of their own, so every data point they save can
be checked. The users arrive spread over the first 3 s (the longest think time) rather than in
one instant, sign in (counted as "sign in", not in the mix below), land on their measure's page,
then repeat for the whole run: a think time drawn uniformly from 1 to 3 s, then one request.
80 % of the requests read a page, 20 % write:

    reads  80 %  their measure's page 25, their team's page 20, the aim's page 20, a PDSA cycle's
                 page 5, the new-cycle form 5, the home page 5
    writes 20 %  save a data point of their measure 10 (a period not saved before, each with its
                 own value), comment on the aim 5 (a unique text), plan a PDSA cycle 5 (a unique
                 title)

A save the app questions ("Is this right?": a value far from the user's earlier random ones)
is answered yes with a second POST, as the person would; both count as "save data point".
A write is the form's POST alone, as sent from the page the person is on (the CSRF token comes
from the last page read); its 303 is the acknowledgement and the redirect is not followed. After
the run every acknowledged write is looked up in the database: the data point's value, the
comment's text on that aim, the cycle's id and title. Anything other than 200 for a read or 303
for a write counts as an error.

The load generator is one asyncio process on the same machine as gunicorn and the database (they
share the CPUs, as `machine` records), speaking HTTP/1.1 with keep-alive through the standard
library only: one connection per user (gunicorn's sync workers close it after each answer, so
then each request connects again, as a browser would), so a request is the server's time plus
loopback. The CPU
seconds used by the generator and by the gunicorn workers are recorded, with the load average
sampled during the run (other work on the machine slows every figure).
"""

from __future__ import annotations

import argparse
import asyncio
import html
import json
import os
import random
import re
import statistics
import sys
import tempfile
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.pool import NullPool

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("IMPROVE_SECRET_KEY", "bench-secret-key")

from tests.live_server import drop_database, flask_command, new_database  # noqa: E402
from tests.reliability.workload import (  # noqa: E402
    CYCLE_LOCATION,
    PASSWORD,
    PatientServer,
    VirtualUser,
    add_virtual_users,
    open_periods,
)

# What a virtual user does next: (share of requests, action). Reads first; 80 % of the whole.
READS = [
    (0.25, "measure page"),
    (0.20, "team page"),
    (0.20, "aim page"),
    (0.05, "cycle page"),
    (0.05, "new cycle form"),
    (0.05, "home page"),
]
WRITES = [(0.10, "save data point"), (0.05, "add comment"), (0.05, "plan cycle")]
ACTIONS = READS + WRITES
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
TIMEOUT = 60.0  # seconds a request may take before it counts as an error
P99_TARGET_MS = 500  # issue 16, point 11: p99 under 500 ms, 0 errors, every write found


# A small HTTP/1.1 client with keep-alive ------------------------------------------------------


class Reply:
    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class Client:
    """One browser: one keep-alive connection (opened again when the server closed it), its
    cookies, and the CSRF token of the last page read."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.cookies: dict[str, str] = {}
        self.csrf_token = ""
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, form: dict[str, Any] | None = None) -> Reply:
        body = b""
        if form is not None:
            body = urllib.parse.urlencode({"csrf_token": self.csrf_token, **form}, True).encode()
        head = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        if self.cookies:
            head.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        if method == "POST":
            head += ["Content-Type: application/x-www-form-urlencoded"]
            head += [f"Content-Length: {len(body)}"]
        raw = ("\r\n".join(head) + "\r\n\r\n").encode() + body
        reused = self.writer is not None
        try:
            reply = await self._exchange(raw)
        except (ConnectionError, asyncio.IncompleteReadError) as error:
            # A kept-alive connection the server closed while the person was thinking: the
            # request never reached it (nothing came back), so send it again, as browsers do.
            self.close()
            if not reused or getattr(error, "partial", b""):
                raise
            reply = await self._exchange(raw)
        for cookie in _all(reply.headers, "set-cookie"):
            name, _, rest = cookie.partition("=")
            value = rest.split(";", 1)[0]
            if value and "max-age=0" not in cookie.lower():
                self.cookies[name.strip()] = value
            else:
                self.cookies.pop(name.strip(), None)
        if reply.headers.get("content-type", "").startswith("text/html"):
            token = TOKEN.search(reply.text)
            if token:
                self.csrf_token = token.group(1) or token.group(2)
        return reply

    async def _exchange(self, raw: bytes) -> Reply:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        self.writer.write(raw)
        await self.writer.drain()
        status_line = await self.reader.readuntil(b"\r\n")
        status = int(status_line.split()[1])
        headers: dict[str, str] = {}
        while (line := await self.reader.readuntil(b"\r\n")) != b"\r\n":
            name, _, value = line.decode("latin-1").partition(":")
            key = name.strip().lower()
            value = value.strip()
            headers[key] = f"{headers[key]}\n{value}" if key in headers else value
        if "content-length" in headers:
            body = await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while size := int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16):
                parts.append(await self.reader.readexactly(size + 2))
            await self.reader.readuntil(b"\r\n")
            body = b"".join(part[:-2] for part in parts)
        else:
            body = await self.reader.read()
            headers["connection"] = "close"
        if headers.get("connection", "").lower() == "close" or status_line.startswith(b"HTTP/1.0"):
            self.close()
        return Reply(status, headers, body)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


def _all(headers: dict[str, str], name: str) -> list[str]:
    return headers[name].split("\n") if name in headers else []


# One virtual user ----------------------------------------------------------------------------


@dataclass
class UserRun:
    """What one virtual user saw: (action, status, seconds) per request, and every write the
    server acknowledged."""

    requests: list[tuple[str, int, float]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    points: dict[str, float] = field(default_factory=dict)  # "measure_id/period" -> value
    comments: list[tuple[int, str]] = field(default_factory=list)  # (aim id, text)
    cycles: dict[int, str] = field(default_factory=dict)  # cycle id -> title


def choose(pick: float) -> str:
    """The action a number drawn uniformly from [0, 1) stands for, by the shares in ACTIONS."""
    for share, action in ACTIONS:
        if pick < share:
            return action
        pick -= share
    return ACTIONS[-1][1]


class VirtualUserLoop:
    def __init__(
        self, base: tuple[str, int], user: VirtualUser, team_id: int, cycle_id: int, seed: int
    ) -> None:
        self.client = Client(*base)
        self.user, self.team_id = user, team_id
        self.rng = random.Random(seed)
        self.run = UserRun()
        self.periods = open_periods()
        self.rng.shuffle(self.periods)
        self.step = 0
        self.cycle_ids = [cycle_id]  # the aim's first cycle, then the ones they plan

    async def timed(
        self,
        action: str,
        method: str,
        path: str,
        form: dict[str, Any] | None,
        expect: int,
        also: int | None = None,
    ) -> Reply | None:
        started = time.perf_counter()
        try:
            reply = await asyncio.wait_for(self.client.request(method, path, form), TIMEOUT)
        except (OSError, asyncio.IncompleteReadError, TimeoutError, ValueError) as error:
            self.client.close()
            self.run.requests.append((action, 0, time.perf_counter() - started))
            self.run.errors.append(f"{method} {path}: {error!r}")
            return None
        self.run.requests.append((action, reply.status, time.perf_counter() - started))
        if reply.status not in (expect, also):
            heading = re.search(r"<h1[^>]*>([^<]*)", reply.text)
            said = heading.group(1).strip() if heading else ""
            self.run.errors.append(f"{method} {path}: {reply.status} {said}")
            return None
        return reply

    async def sign_in(self) -> bool:
        await self.timed("sign in", "GET", "/sign-in", None, 200)
        form = {"email": self.user.email, "password": PASSWORD}
        return await self.timed("sign in", "POST", "/sign-in", form, 303) is not None

    async def act(self) -> None:
        self.step += 1
        action = choose(self.rng.random())
        user = self.user
        if action == "measure page":
            await self.timed(action, "GET", f"/measures/{user.measure_id}", None, 200)
        elif action == "team page":
            await self.timed(action, "GET", f"/teams/{self.team_id}", None, 200)
        elif action == "aim page":
            await self.timed(action, "GET", f"/aims/{user.aim_id}", None, 200)
        elif action == "cycle page":
            path = f"/cycles/{self.rng.choice(self.cycle_ids)}"
            await self.timed(action, "GET", path, None, 200)
        elif action == "new cycle form":
            await self.timed(action, "GET", f"/aims/{user.aim_id}/cycles/new", None, 200)
        elif action == "home page":
            await self.timed(action, "GET", "/", None, 200)
        elif action == "save data point":
            await self.save_point()
        elif action == "add comment":
            text = f"Load comment {uuid.uuid4().hex[:12]} by {user.email}"
            form = {"comment-body": text}
            if await self.timed(action, "POST", f"/aims/{user.aim_id}/comments", form, 303):
                self.run.comments.append((user.aim_id, text))
        else:
            await self.plan_cycle()

    async def save_point(self) -> None:
        period = self.periods[self.step % len(self.periods)]
        key = f"{self.user.measure_id}/{period.isoformat()}"
        version = ""
        if key in self.run.points:  # saved before: change it on purpose, from a fresh page
            # The page of the table that shows this week first (the first page shows only
            # the latest weeks), as the person would open it to change the value.
            showing = f"?before={(period + timedelta(weeks=1)).isoformat()}"
            page = await self.timed(
                "measure page", "GET", f"/measures/{self.user.measure_id}{showing}", None, 200
            )
            if page is None:
                return
            version = _point_version(page.text, period)
        value = float(self.rng.randint(0, 50))
        form = {"period": period.isoformat(), "value": f"{value:g}", "version": version}
        path = f"/measures/{self.user.measure_id}/points"
        reply = await self.timed("save data point", "POST", path, form, 303, also=200)
        if reply is not None and reply.status == 200:
            # "Is this right?": the value is far from this user's random earlier ones. Nothing
            # is saved yet; answer yes, as the person would, with the numbers the question names.
            asked = re.search(r'name="confirmed" value="([^"]*)"', reply.text)
            if asked is None:
                self.run.errors.append(f"POST {path}: 200 without the question")
                return
            form["confirmed"] = html.unescape(asked.group(1))
            reply = await self.timed("save data point", "POST", path, form, 303)
        if reply is not None:
            self.run.points[key] = value

    async def plan_cycle(self) -> None:
        today = date.today()
        title = f"Load cycle {uuid.uuid4().hex[:12]}"
        form = {
            "change_idea": str(self.user.idea_id),
            "title": title,
            "owner": "",
            "objective": "Does it help?",
            "starts_on": [str(today.day), str(today.month), str(today.year)],
            "ends_on": [str(today.day), str(today.month), str(today.year)],
        }
        reply = await self.timed(
            "plan cycle", "POST", f"/aims/{self.user.aim_id}/cycles/new", form, 303
        )
        if reply is None:
            return
        found = CYCLE_LOCATION.search(reply.headers.get("location", ""))
        if found:
            self.run.cycles[int(found.group(1))] = title
            self.cycle_ids.append(int(found.group(1)))
        else:
            self.run.errors.append(f"cycle saved without its id: {reply.headers}")

    async def loop(self, deadline: float, think: tuple[float, float]) -> UserRun:
        await asyncio.sleep(self.rng.uniform(0, think[1]))  # people arrive over a while
        if await self.sign_in():
            # Land on a page first, as a browser does: signing in starts a new session, so
            # the sign-in page's CSRF token no longer holds.
            await self.timed("measure page", "GET", f"/measures/{self.user.measure_id}", None, 200)
            while time.monotonic() < deadline:
                await asyncio.sleep(self.rng.uniform(*think))
                if time.monotonic() >= deadline:
                    break
                await self.act()
        self.client.close()
        return self.run


def _point_version(html: str, period: date) -> str:
    form = re.search(rf'<form id="point-{period.isoformat()}".*?</form>', html, flags=re.DOTALL)
    version = form and re.search(r'name="version" value="(\d*)"', form.group(0))
    return version.group(1) if version else ""


async def drive(
    url: str, users: list[VirtualUser], aims: dict[int, tuple[int, int]], args: argparse.Namespace
) -> tuple[list[UserRun], list[float]]:
    """Every virtual user until the deadline; `aims` maps an aim's id to its team's and its first
    cycle's. Returns what each saw and the load average every 5 s."""
    parsed = urllib.parse.urlsplit(url)
    base = (parsed.hostname or "127.0.0.1", parsed.port or 80)
    deadline = time.monotonic() + args.seconds
    loops = [
        VirtualUserLoop(base, user, *aims[user.aim_id], seed) for seed, user in enumerate(users)
    ]
    loads: list[float] = []

    async def sample_load() -> None:
        while time.monotonic() < deadline:
            loads.append(os.getloadavg()[0])
            await asyncio.sleep(5)

    sampler = asyncio.ensure_future(sample_load())
    think = (args.think_min, args.think_max)
    runs = await asyncio.gather(*(virtual_user.loop(deadline, think) for virtual_user in loops))
    sampler.cancel()
    return list(runs), loads


# Checking every acknowledged write ----------------------------------------------------------


def missing_writes(database_url: str, runs: list[UserRun]) -> tuple[int, list[str]]:
    """How many acknowledged writes were checked, and each one not in the database as
    acknowledged."""
    engine = sa.create_engine(database_url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            points = {
                f"{measure_id}/{str(period)[:10]}": value
                for measure_id, period, value in connection.execute(
                    sa.text("SELECT measure_id, period_start, value FROM data_point")
                )
            }
            comments = set(
                connection.execute(
                    sa.text("SELECT aim_id, body FROM comment WHERE deleted_at IS NULL")
                ).all()
            )
            cycles = dict(connection.execute(sa.text("SELECT id, title FROM cycle")).all())
    finally:
        engine.dispose()
    checked, missing = 0, []
    for run in runs:
        for key, value in run.points.items():
            checked += 1
            if points.get(key) != value:
                missing.append(f"data point {key}={value} (stored: {points.get(key)})")
        for aim_id, text in run.comments:
            checked += 1
            if (aim_id, text) not in comments:
                missing.append(f"comment on aim {aim_id}: {text!r}")
        for cycle_id, title in run.cycles.items():
            checked += 1
            if cycles.get(cycle_id) != title:
                missing.append(f"cycle {cycle_id} {title!r} (stored: {cycles.get(cycle_id)!r})")
    return checked, missing


# Figures -------------------------------------------------------------------------------------


def percentiles(values: list[float]) -> dict[str, float]:
    if len(values) < 2:
        return {"p50": 0.0, "p95": 0.0, "p99": 0.0, "max": 0.0}
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return {
        "p50": round(cuts[49] * 1000, 1),
        "p95": round(cuts[94] * 1000, 1),
        "p99": round(cuts[98] * 1000, 1),
        "max": round(max(values) * 1000, 1),
    }


def cpu_seconds(pids: list[int]) -> float:
    """User plus system CPU time of these processes so far (Linux /proc)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, IndexError):
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime in clock ticks
    return total / os.sysconf("SC_CLK_TCK")


def summarise(runs: list[UserRun], args: argparse.Namespace, kind: str) -> dict[str, Any]:
    every = [r for run in runs for r in run.requests]
    statuses: dict[str, int] = {}
    by_action: dict[str, list[float]] = {}
    for action, status, seconds in every:
        statuses[str(status)] = statuses.get(str(status), 0) + 1
        by_action.setdefault(action, []).append(seconds)
    writes = sum(1 for action, _, _ in every if action in {name for _, name in WRITES})
    signed_in = sum(1 for action, _, _ in every if action != "sign in")
    return {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": kind,
        "virtual_users": args.users,
        "think_time_seconds": [args.think_min, args.think_max],
        "mix": {action: share for share, action in ACTIONS},
        "duration_seconds": args.seconds,
        "gunicorn": {
            "workers": args.workers,
            "worker_class": args.worker_class,
            "threads": args.threads,
        },
        "requests": len(every),
        "requests_per_second": round(len(every) / args.seconds, 1),
        "write_share_after_sign_in": round(writes / max(signed_in, 1), 3),
        "statuses": dict(sorted(statuses.items())),
        "errors": sum(len(run.errors) for run in runs),
        "data_points_acknowledged": sum(len(run.points) for run in runs),
        "comments_acknowledged": sum(len(run.comments) for run in runs),
        "cycles_acknowledged": sum(len(run.cycles) for run in runs),
        "latency_ms": percentiles([seconds for _, _, seconds in every]),
        "latency_ms_by_action": {
            action: {"requests": len(values), **percentiles(values)}
            for action, values in sorted(by_action.items())
        },
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--database-url", help="PostgreSQL server to use (default: SQLite)")
    parser.add_argument("--users", type=int, default=150)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--think-min", type=float, default=1.0)
    parser.add_argument("--think-max", type=float, default=3.0)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--worker-class", default="sync")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "load.json")
    parser.add_argument("--note", default="", help="a sentence about this run, kept with it")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        url = new_database(args.database_url, Path(folder), "load")
        kind = sa.make_url(url).get_backend_name()
        try:
            print(f"Preparing {kind}: migrations, demo data, {args.users} virtual users...")
            flask_command(url, "db", "upgrade")
            flask_command(url, "demo")
            users = add_virtual_users(url, args.users)
            engine = sa.create_engine(url, poolclass=NullPool)
            with engine.connect() as connection:
                aims = {
                    aim_id: (team_id, cycle_id)
                    for aim_id, team_id, cycle_id in connection.execute(
                        sa.text(
                            "SELECT aim.id, aim.team_id, min(cycle.id) FROM aim"
                            " JOIN cycle ON cycle.team_id = aim.team_id"
                            " GROUP BY aim.id, aim.team_id"
                        )
                    )
                }
            engine.dispose()
            options = f"--worker-class {args.worker_class} --threads {args.threads}"
            with PatientServer(url, workers=args.workers, GUNICORN_CMD_ARGS=options) as server:
                print(f"Running {args.users} users for {args.seconds:g} s against {server.url}")
                workers = server.worker_pids()
                load_before = os.getloadavg()[0]
                server_cpu, own_cpu = cpu_seconds(workers), time.process_time()
                runs, loads = asyncio.run(drive(server.url, users, aims, args))
                server_cpu = cpu_seconds(workers) - server_cpu
                own_cpu = time.process_time() - own_cpu
            summary = summarise(runs, args, kind)
            started = time.perf_counter()
            checked, lost = missing_writes(url, runs)
            summary["writes_checked_in_database"] = checked
            summary["writes_lost"] = lost
            summary["verification_seconds"] = round(time.perf_counter() - started, 2)
            summary["target"] = {"p99_ms_under": P99_TARGET_MS, "errors": 0, "writes_lost": 0}
            summary["target_met"] = {
                "p99": summary["latency_ms"]["p99"] < P99_TARGET_MS,
                "errors": summary["errors"] == 0,
                "writes_lost": not lost,
            }
        finally:
            drop_database(url)

    summary["machine"] = {
        "nproc": os.cpu_count(),
        "load_average_1min": {
            "before": round(load_before, 2),
            "during_mean": round(statistics.fmean(loads), 2) if loads else None,
            "during_max": round(max(loads), 2) if loads else None,
            "after": round(os.getloadavg()[0], 2),
        },
        "cpu_seconds_per_second": {
            "gunicorn_workers": round(server_cpu / args.seconds, 2),
            "load_generator": round(own_cpu / args.seconds, 2),
        },
        "gunicorn_cpu_ms_per_request": round(1000 * server_cpu / max(summary["requests"], 1), 1),
    }
    summary["note"] = args.note or (
        f"Load generator (one asyncio process, {args.users} users), gunicorn and the database "
        f"shared the same {os.cpu_count()} CPUs (nproc) on loopback; demo data plus one weekly "
        "measure per virtual user."
    )
    print(json.dumps(summary, indent=2))
    figures = json.loads(args.output.read_text()) if args.output.exists() else {}
    figures[kind] = summary
    args.output.write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n")
    errors = [error for run in runs for error in run.errors]
    for error in errors[:20]:
        print("error:", error)
    return 1 if lost or errors else 0


if __name__ == "__main__":
    sys.exit(main())
