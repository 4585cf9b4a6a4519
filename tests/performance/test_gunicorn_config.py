"""gunicorn.conf.py: read by gunicorn from the repository folder, and its hook freezes what a
worker has loaded so the garbage collector stops walking it on every full collection."""

from __future__ import annotations

import gc
import runpy
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).parent / "gunicorn"


def printed_config(folder: Path) -> str:
    return subprocess.run(
        [str(GUNICORN), "--print-config", "improve:create_app()"],
        cwd=folder,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout


def test_gunicorn_reads_the_config_from_the_repository_folder(tmp_path):
    assert "config                             = ./gunicorn.conf.py" in printed_config(ROOT)
    assert "post_worker_init                   = <post_worker_init()>" in printed_config(ROOT)
    # From elsewhere the hook is gunicorn's own empty default, so the file is what sets it.
    assert "<post_worker_init()>" not in printed_config(tmp_path)


def test_the_worker_hook_freezes_the_loaded_objects():
    hook = runpy.run_path(str(ROOT / "gunicorn.conf.py"))["post_worker_init"]
    before = gc.get_freeze_count()
    try:
        hook(worker=None)
        assert gc.get_freeze_count() > before
    finally:
        gc.unfreeze()
