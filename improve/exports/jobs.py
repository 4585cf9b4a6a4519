"""Large XLSX files made beside the request, not inside it.

An XLSX file of a 200-team collaborative's 400,000 data points takes openpyxl about a minute
even in write-only mode: past gunicorn's 30 s timeout, and far past what a coordinator should
wait on a blank page. So the request that asks for such a file starts a thread that writes it
into the instance folder under its content tag (improve.http_caching), answers at once with a
page that says the file is being made (and refreshes itself), and the same address serves the
finished file, with its ETag, to every later request for the same content.

Plain values only go into the thread (`Rows` made from the analyses gathered in the request), so
it needs no database session or request. Until issue 18's background worker exists, a thread of
the web worker does the work: if that worker is stopped first, the next request starts it again.
Two workers asked at once may each write the file; the last one in place wins, and both are the
same. Files older than a day are removed when a new one is started.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)

FOLDER = "exports"
KEEP_SECONDS = 24 * 60 * 60

_running: dict[str, threading.Thread] = {}
_failed: set[str] = set()
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
    """Make the file for this tag in a thread, unless this process is making it already."""
    with _lock:
        running = _running.get(tag)
        if running is not None and running.is_alive():
            return
        _remove_old(where)
        thread = threading.Thread(
            target=_write, args=(where, tag, build), name=f"xlsx-{tag[:8]}", daemon=True
        )
        _running[tag] = thread
        thread.start()


def wait(tag: str, seconds: float) -> bool:
    """Wait up to `seconds` for this process's thread making `tag` (for tests and for small
    files that finish within a moment); True when it has finished."""
    thread = _running.get(tag)
    if thread is not None:
        thread.join(seconds)
        return not thread.is_alive()
    return True


def failed(tag: str) -> bool:
    """Whether this process's last try at the file for `tag` failed (it is logged)."""
    return tag in _failed


def _write(where: Path, tag: str, build: Callable[[], bytes]) -> None:
    partial = where / f"{tag}.{threading.get_ident()}.part"
    try:
        partial.write_bytes(build())
        partial.replace(where / f"{tag}.xlsx")  # atomic: a reader sees the whole file or none
        _failed.discard(tag)
    except Exception:  # a thread's error reaches no one else: log it, and say so on the page
        log.exception("making the XLSX file %s failed", tag)
        _failed.add(tag)
        partial.unlink(missing_ok=True)


def _remove_old(where: Path) -> None:
    cutoff = time.time() - KEEP_SECONDS
    for path in where.glob("*.xlsx"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except FileNotFoundError:  # another worker removed it first
            continue
