"""Load with think time: virtual users against gunicorn on loopback, on the demo data.

Each virtual user is a team member of one of the demo teams (added for the run, round robin) with
a weekly measure of their own, so every data point they save can be checked afterwards. In a loop
for the whole run they: save a data point (45 %), plan a PDSA cycle (15 %), read their measure's
page (20 %) or their team's aim page (20 %), then wait a random think time. Every write the server
acknowledged (303) is then looked up in the database. The load generator runs on the same machine
as gunicorn and the database, so they share the CPUs.

Run from the repository root:
    PYTHONPATH=. .venv/bin/python bench/load.py                       # SQLite (a scratch file)
    PYTHONPATH=. .venv/bin/python bench/load.py --database-url postgresql://postgres@127.0.0.1/test
(PostgreSQL: a scratch database is created next to the one named, and dropped afterwards.)
Writes its figures into bench/load.json (one entry per database); exits 1 if any write was
lost or anything answered 5xx.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("IMPROVE_SECRET_KEY", "bench-secret-key")

from tests.live_server import drop_database, flask_command, new_database  # noqa: E402
from tests.reliability.workload import (  # noqa: E402
    PatientServer,
    UserResult,
    add_virtual_users,
    missing_writes,
    run_user,
)


def percentile(values: list[float], share: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[share - 1] if values else 0.0


def _tally(items: Any) -> dict[str, int]:
    counts: dict[str, int] = {}
    for item in items:
        key = re.sub(r"/\d+", "/<id>", item)
        counts[key] = counts.get(key, 0) + 1
    return dict(sorted(counts.items(), key=lambda pair: -pair[1]))


def summarise(results: list[UserResult], args: argparse.Namespace, kind: str) -> dict[str, Any]:
    latencies = sorted(ms for r in results for ms in r.latencies)
    statuses: dict[str, int] = {}
    for result in results:
        for status, count in result.statuses.items():
            statuses[str(status)] = statuses.get(str(status), 0) + count
    return {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": kind,
        "virtual_users": args.users,
        "gunicorn_workers": args.workers,
        "think_time_seconds": [args.think_min, args.think_max],
        "duration_seconds": args.seconds,
        "requests": len(latencies),
        "requests_per_second": round(len(latencies) / args.seconds, 1),
        "statuses": dict(sorted(statuses.items())),
        "data_points_acknowledged": sum(len(r.points) for r in results),
        "cycles_acknowledged": sum(len(r.cycles) for r in results),
        "conflicts_409": sum(r.conflicts for r in results),
        "errors_5xx_or_connection": sum(len(r.server_errors) for r in results),
        "refusals_4xx": _tally(refusal for r in results for refusal in r.refusals),
        "latency_ms": {
            "p50": round(percentile(latencies, 50) * 1000, 1),
            "p95": round(percentile(latencies, 95) * 1000, 1),
            "p99": round(percentile(latencies, 99) * 1000, 1),
            "max": round(max(latencies, default=0) * 1000, 1),
        },
        # Other work on the machine slows every figure above: say how busy it was.
        "load_average_1min_at_end": round(os.getloadavg()[0], 1),
        "note": (
            f"Load generator ({args.users} threads), gunicorn and the database shared the same "
            f"{os.cpu_count()} CPUs (nproc) on loopback; demo data plus one weekly measure per "
            "virtual user."
        ),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--database-url", help="PostgreSQL server to use (default: SQLite)")
    parser.add_argument("--users", type=int, default=30)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--think-min", type=float, default=0.5)
    parser.add_argument("--think-max", type=float, default=1.5)
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "load.json")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        url = new_database(args.database_url, Path(folder), "load")
        kind = sa.make_url(url).get_backend_name()
        try:
            print(f"Preparing {kind}: migrations, demo data, {args.users} virtual users...")
            flask_command(url, "db", "upgrade")
            flask_command(url, "demo")
            users = add_virtual_users(url, args.users)
            with PatientServer(url, workers=args.workers) as server:
                print(f"Running {args.users} users for {args.seconds:g} s against {server.url}")
                with ThreadPoolExecutor(args.users) as pool:
                    futures = [
                        pool.submit(
                            run_user,
                            server.url,
                            user.email,
                            user.measure_id,
                            user.aim_id,
                            user.idea_id,
                            args.seconds,
                            (args.think_min, args.think_max),
                            number,
                        )
                        for number, user in enumerate(users)
                    ]
                    results = [future.result() for future in futures]
            started = time.perf_counter()
            lost = missing_writes(url, results)
            summary = summarise(results, args, kind)
            summary["writes_verified"] = (
                summary["data_points_acknowledged"] + summary["cycles_acknowledged"] - len(lost)
            )
            summary["writes_lost"] = lost
            summary["verification_seconds"] = round(time.perf_counter() - started, 2)
        finally:
            drop_database(url)

    print(json.dumps(summary, indent=2))
    # One entry per database, so the SQLite and PostgreSQL runs sit side by side.
    figures = json.loads(args.output.read_text()) if args.output.exists() else {}
    figures[kind] = summary
    args.output.write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n")
    errors = [e for r in results for e in r.server_errors]
    for error in errors[:20]:
        print("error:", error)
    return 1 if lost or errors else 0


if __name__ == "__main__":
    sys.exit(main())
