"""Large XLSX files made beside the request, not inside it.

An XLSX file of a 200-team collaborative's 400,000 data points takes openpyxl about a minute
even in write-only mode: past gunicorn's 30 s timeout, and far past what a coordinator should
wait on a blank page. So the request that asks for such a file starts a process that writes it
into the instance folder under its content tag (improve.http_caching), answers at once with a
page that says the file is being made, and the same address serves the finished file, with its
ETag, to every later request for the same content.

A forked process, not a thread: a thread writing the file held Python's interpreter lock
against every later request of the same worker (the benchmark saw the idea library take 66 s
instead of 1 s beside one). The fork gets plain values only (`Rows` made from the analyses
gathered in the request), so it needs no database session or request, and it leaves with
os._exit (multiprocessing's own ending), never closing the worker's database connections. Until
issue 18's background worker exists, the web worker starts it: if the worker is stopped first,
its child goes too, and the next request starts it again. Two workers asked at once may each
write the file; the last one in place wins, and both are the same. Files older than a day are
removed when a new one is started.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from multiprocessing.process import BaseProcess
from pathlib import Path

log = logging.getLogger(__name__)
_fork = multiprocessing.get_context("fork")

FOLDER = "exports"
KEEP_SECONDS = 24 * 60 * 60

_running: dict[str, BaseProcess] = {}
_lock = threading.Lock()


def folder(instance_path: str) -> Path:
    path = Path(instance_path) / FOLDER
    path.mkdir(parents=True, exist_ok=True)
    return path


def ready_file(where: Path, tag: str) -> Path | None:
    """The finished file for this content tag, if there is one."""
    path = where / f"{tag}.xlsx"
    return path if path.exists() else None


def start(where: Path, tag: str, build: Callable[[], bytes]) -> None:
    """Make the file for this tag in a forked process, unless one of this worker's is making
    it already."""
    with _lock:
        running = _running.get(tag)
        if running is not None and running.is_alive():
            return
        _remove_old(where)
        process = _fork.Process(
            target=_write, args=(where, tag, build), name=f"xlsx-{tag[:8]}", daemon=True
        )
        process.start()
        _running[tag] = process


def wait(tag: str, seconds: float) -> bool:
    """Wait up to `seconds` for the process making `tag` (small files finish within a moment);
    True when it has finished."""
    process = _running.get(tag)
    if process is not None:
        process.join(seconds)
        return not process.is_alive()
    return True


def failed(tag: str) -> bool:
    """Whether this worker's last try at the file for `tag` failed (the process logged why).
    Said once: the next request for the file tries again."""
    with _lock:
        process = _running.get(tag)
        if process is None or process.is_alive() or process.exitcode == 0:
            return False
        del _running[tag]
        return True


def _write(where: Path, tag: str, build: Callable[[], bytes]) -> None:
    """In the forked process: write the file beside its final name, then move it there."""
    partial = where / f"{tag}.{os.getpid()}.part"
    try:
        partial.write_bytes(build())
        partial.replace(where / f"{tag}.xlsx")  # atomic: a reader sees the whole file or none
    except Exception:  # the parent sees only the exit code: log why here
        log.exception("making the XLSX file %s failed", tag)
        partial.unlink(missing_ok=True)
        raise SystemExit(1) from None


def _remove_old(where: Path) -> None:
    cutoff = time.time() - KEEP_SECONDS
    for path in where.glob("*.xlsx"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except FileNotFoundError:  # another worker removed it first
            continue


def stop_all() -> None:
    """Stop every file this worker is making (the benchmark, between its in-process timings
    and its served ones, so a file being made does not take a CPU from what it measures)."""
    with _lock:
        for process in _running.values():
            if process.is_alive():
                process.terminate()
            process.join()
        _running.clear()
