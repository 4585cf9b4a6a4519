"""The benchmark's own arithmetic: reading wrk's report, judging the targets, the README table.
(The benchmark itself runs with `make bench`; timings never run in the test suite.)"""

from __future__ import annotations

import copy

import pytest

from bench import run
from bench.hello_app import app as hello_app
from bench.run import PAGES, README_END, README_START, judge, parse_wrk, table, update_readme

WRK_REPORT = """Running 1s test @ http://127.0.0.1:8765/
  1 threads and 3 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     0.99ms  470.34us   8.05ms   82.71%
    Req/Sec     1.98k    63.78     2.08k    72.73%
  Latency Distribution
     50%  930.00us
     75%    1.16ms
     90%    1.42ms
     99%    1.20s
  2173 requests in 1.10s, 1.08MB read
  Non-2xx or 3xx responses: 12
Requests/sec:   1975.75
Transfer/sec:      0.98MB
"""


def _figures(kind: str, ms: float, ratio: float, target: float) -> dict:
    return {
        "status": 200,
        "kind": kind,
        "ms": ms,
        "runs": 3,
        "queries": 12,
        "ratio": ratio,
        "target": target,
        "met": ratio <= target,
    }


def results(**changes) -> dict:
    """A run where every target is met, with `changes` applied."""
    page = {"rps": 400.0, "p50_ms": 5.0, "p99_ms": 9.0}
    figures = {
        "hello": {"rps": 1000.0},
        "pages": {name: {"demo": dict(page), "large": dict(page)} for name in PAGES},
        "queries": {name: {"50": 10, "200": 10, "800": 10} for name in PAGES},
        "panel": {
            "server_ms_by_teams": {"50": 50.0, "200": 110.0, "800": 350.0},
            "large": {"server_ms": 110.0, "sql_floor_ms": 40.0},
        },
        "analysis": {"series_2000x104_s": 0.02},
        "worker": {"peak_rss_mb": 150.0},
        "measured_at": "2026-12-03T09:00:00+00:00",
        "machine": {"cores": 2, "database": "sqlite"},
        "seconds_per_page": 8,
        "floor_ms": {"200": 400.0},
        "floor_data_points": {"200": 400_000},
        "collaborative_pages": {
            "200": {
                "ideas.library": _figures("page", 800.0, 2.0, 3.0),
                "exports.measures.csv": _figures("download", 3_000.0, 7.5, 10.0),
            }
        },
    }
    for path, value in changes.items():
        *parents, last = path.split("__")
        holder = figures
        for key in parents:
            holder = holder[key]
        holder[last] = value
    return figures


def test_wrk_report_is_read_in_milliseconds():
    assert parse_wrk(WRK_REPORT) == {
        "rps": 1975.8,
        "p50_ms": 0.9,
        "p99_ms": 1200.0,
        "non_2xx": 12,
    }


def test_a_wrk_report_without_figures_is_an_error_not_a_zero():
    with pytest.raises(ValueError, match="not understood"):
        parse_wrk("unable to connect to 127.0.0.1:1 Connection refused")


def test_every_target_met():
    verdicts = judge(results())
    assert all(verdict["met"] for verdict in verdicts.values()), verdicts


SLOW_CYCLE = {"rps": 399.0, "p50_ms": 1, "p99_ms": 2}
MISSES = [
    ({"pages__cycle__demo": SLOW_CYCLE}, "demo_page_share_of_hello"),
    ({"panel__large": {"server_ms": 121.0, "sql_floor_ms": 40.0}}, "panel_large_over_sql_floor"),
    ({"panel__server_ms_by_teams": {"50": 50, "200": 110, "800": 900}}, "panel_linear_in_teams"),
    ({"queries__panel": {"50": 10, "200": 11, "800": 12}}, "constant_query_counts"),
    ({"analysis__series_2000x104_s": 0.026}, "analysis_series_2000x104_s"),
    ({"worker__peak_rss_mb": 301.0}, "worker_peak_rss_mb"),
    (
        {"collaborative_pages__200__ideas.library": _figures("page", 1_600.0, 4.0, 3.0)},
        "collaborative_pages_over_floor",
    ),
]


@pytest.mark.parametrize(("change", "target"), MISSES)
def test_each_target_can_be_missed(change, target):
    verdicts = judge(results(**change))
    assert [name for name, verdict in verdicts.items() if not verdict["met"]] == [target]


def test_the_table_names_every_page_and_target():
    figures = results()
    figures["targets"] = judge(figures)
    text = table(figures)
    for name in PAGES:
        assert f"| {name} | 400.0 |" in text
    assert text.count("| yes |") == 7 + 2  # the targets, then every page and download
    assert "| ideas.library | page | 800 | 12 | 2.00 | yes |" in text
    assert "Hello-world floor: 1,000 requests/s" in text


def test_the_readme_table_is_replaced_between_its_markers(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"# Title\n{README_START}\nold table\n{README_END}\nAfter.\n")
    update_readme("new table", readme)
    update_readme("newer table", readme)
    assert readme.read_text() == f"# Title\n{README_START}\nnewer table\n{README_END}\nAfter.\n"
    untouched = tmp_path / "OTHER.md"
    untouched.write_text("no markers\n")
    update_readme("table", untouched)
    assert untouched.read_text() == "no markers\n"


def test_the_hello_world_floor_answers():
    client = hello_app.test_client()
    assert client.get("/").get_data(as_text=True) == "Hello, World!"
    assert client.get("/health").status_code == 200


def test_results_helper_leaves_the_defaults_alone():
    first = results(worker__peak_rss_mb=1.0)
    assert first["worker"]["peak_rss_mb"] == 1.0
    assert results()["worker"]["peak_rss_mb"] == 150.0
    assert copy.deepcopy(results()) == results()


TOP_OUTPUT = """top - 09:00:00 up 1 day
    PID USER      PR  NI    VIRT    RES    SHR S  %CPU  %MEM     TIME+ COMMAND
      1 root      20   0   10000   2000   1000 S  99.0   0.1   0:01.00 first-sample
top - 09:00:01 up 1 day
    PID USER      PR  NI    VIRT    RES    SHR S  %CPU  %MEM     TIME+ COMMAND
    101 postgres  20   0   10000   2000   1000 R  55.5   0.1   0:01.00 postgres
    102 root      20   0   10000   2000   1000 S   0.3   0.1   0:01.00 idle-one
    103 root      20   0   10000   2000   1000 S   bad   0.1   0:01.00 garbled
"""


def test_other_busy_processes_come_from_tops_second_sample(monkeypatch):
    monkeypatch.setattr(
        run.subprocess, "run", lambda *a, **k: run.subprocess.CompletedProcess(a, 0, TOP_OUTPUT)
    )
    assert run.other_busy_processes() == ["postgres 55.5% CPU"]


def test_no_top_means_no_list_rather_than_a_failed_benchmark(monkeypatch):
    def missing(*_args, **_kwargs):
        raise FileNotFoundError("top")

    monkeypatch.setattr(run.subprocess, "run", missing)
    assert run.other_busy_processes() == []
