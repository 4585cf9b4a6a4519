"""The app served by real gunicorn processes on loopback, for load, fault and throttling tests.

    url = prepare_database(tmp_path)            # a migrated database of the suite's kind
    with LiveServer(url, workers=3) as server:  # gunicorn, ready when /health answers
        client = LiveClient(server.url)
        client.sign_in("someone@example.org", "password")
        client.post("/teams/1/aims/new", {"title": "..."})  # CSRF token taken from the last form

Everything here uses the standard library only (urllib, subprocess), so the clients can also run in
other processes (multiprocessing) as a load generator.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.pool import NullPool

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SECRET_KEY = "live-server-test-secret"


def _suite_postgres_url() -> str | None:
    url = os.environ.get("IMPROVE_TEST_DATABASE_URL", "").strip()
    return url or None


def database_kind() -> str:
    """'postgresql' when the suite runs against PostgreSQL, else 'sqlite'."""
    return "postgresql" if _suite_postgres_url() else "sqlite"


def fresh_database_url(tmp_path: Path) -> str:
    """An empty database of the suite's kind: a file in tmp_path, or a new PostgreSQL database
    next to the suite's."""
    return new_database(_suite_postgres_url(), tmp_path, "live")


def new_database(server_url: str | None, folder: Path, label: str) -> str:
    """An empty database: the SQLite file <folder>/<label>.sqlite without a server URL, else a
    new PostgreSQL database named after the one given, the label and a random suffix (drop it
    with drop_database)."""
    if server_url is None:
        return f"sqlite:///{folder / label}.sqlite"
    admin_url = sa.make_url(server_url.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"{admin_url.database}_{label}_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return admin_url.set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    """Drop a PostgreSQL database made by fresh_database_url (SQLite files go with tmp_path)."""
    parsed = sa.make_url(url)
    if not parsed.drivername.startswith("postgresql"):
        return
    admin = sa.create_engine(
        parsed.set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=NullPool
    )
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
    admin.dispose()


def app_environment(database_url: str, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "IMPROVE_DATABASE_URL": database_url,
            "IMPROVE_SECRET_KEY": SECRET_KEY,
            "FLASK_APP": "improve",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra)
    return env


def flask_command(database_url: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run `flask <args>` against this database in a child process, as an operator would."""
    return subprocess.run(
        [str(BIN / "flask"), *args],
        cwd=ROOT,
        env=app_environment(database_url),
        capture_output=True,
        text=True,
        check=check,
        timeout=300,
    )


def prepare_database(tmp_path: Path, demo: bool = False) -> str:
    """A fresh database of the suite's kind, migrated by `flask db upgrade` (and the demo data)."""
    url = fresh_database_url(tmp_path)
    flask_command(url, "db", "upgrade")
    if demo:
        flask_command(url, "demo")
    return url


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LiveServer:
    """gunicorn serving the app; a context manager that waits until /health answers."""

    def __init__(
        self,
        database_url: str,
        workers: int = 2,
        timeout: int = 30,
        log_path: Path | None = None,
        app: str = "improve:create_app()",
        **env: str,
    ) -> None:
        self.database_url = database_url
        self.app = app
        self.workers = workers
        self.timeout = timeout
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = env
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None
        self._log: Any = None

    def start(self) -> LiveServer:
        command = [
            str(BIN / "gunicorn"),
            "--workers", str(self.workers),
            "--bind", f"127.0.0.1:{self.port}",
            "--timeout", str(self.timeout),
            "--graceful-timeout", "5",
            self.app,
        ]  # fmt: skip
        self._log = open(self.log_path, "wb") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=app_environment(self.database_url, **self.env),
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # so kill_everything reaches the workers too
        )
        try:
            self.wait_until_ready()
        except BaseException:
            self.kill_everything()  # never leave a half-started gunicorn behind
            self.stop()
            raise
        return self

    def wait_until_ready(self, seconds: float = 120) -> None:
        """Wait for /health and every worker: generous, because CI shares two cores."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}")
            try:
                with urllib.request.urlopen(self.url + "/health", timeout=2) as response:
                    if response.status == 200 and len(self.worker_pids()) >= self.workers:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.1)
        raise RuntimeError("gunicorn did not become ready")

    def worker_pids(self) -> list[int]:
        """The worker processes (children of the gunicorn master)."""
        if self.process is None:
            return []
        master = self.process.pid
        children = Path(f"/proc/{master}/task/{master}/children")
        try:
            return [int(pid) for pid in children.read_text().split()]
        except FileNotFoundError:
            return []

    def kill_worker(self) -> int:
        """SIGKILL one worker; gunicorn's master starts a new one."""
        pid = self.worker_pids()[0]
        os.kill(pid, signal.SIGKILL)
        return pid

    def kill_everything(self) -> None:
        """SIGKILL the master and every worker at once, as a power cut would."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill_everything()
        if self._log not in (None, subprocess.DEVNULL):
            self._log.close()
            self._log = None

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()


@dataclass
class Reply:
    status: int
    url: str
    text: str
    headers: dict[str, str]


_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class LiveClient:
    """A cookie-keeping HTTP client for a LiveServer. Redirects are not followed (a 303 is the
    acknowledgement of a saved form); the CSRF token is taken from the last page read."""

    def __init__(self, base_url: str, timeout: float = 30) -> None:
        self.base_url = base_url
        self.timeout = timeout
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect()
        )
        self.csrf_token: str | None = None

    def request(
        self,
        method: str,
        path: str,
        data: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        files: dict[str, tuple[str, bytes, str]] | None = None,
    ) -> Reply:
        body: bytes | None = None
        all_headers = dict(headers or {})
        if method != "GET":
            data = dict(data or {})
            if self.csrf_token and "csrf_token" not in data:
                data["csrf_token"] = self.csrf_token
            if files:
                body, content_type = _multipart(data, files)
                all_headers["Content-Type"] = content_type
            else:
                body = urllib.parse.urlencode(data, doseq=True).encode()
                all_headers["Content-Type"] = "application/x-www-form-urlencoded"
        request = urllib.request.Request(
            self.base_url + path, data=body, headers=all_headers, method=method
        )
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                reply = Reply(
                    response.status,
                    response.url,
                    response.read().decode("utf-8", "replace"),
                    dict(response.headers),
                )
        except urllib.error.HTTPError as error:
            reply = Reply(
                error.code,
                error.url or path,
                error.read().decode("utf-8", "replace"),
                dict(error.headers),
            )
        token = _TOKEN.search(reply.text)
        if token:
            self.csrf_token = token.group(1) or token.group(2)
        return reply

    def get(self, path: str, **kwargs: Any) -> Reply:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Reply:
        return self.request("POST", path, data, **kwargs)

    def sign_in(self, email: str, password: str) -> Reply:
        self.get("/sign-in")
        return self.post("/sign-in", {"email": email, "password": password})


def _multipart(
    fields: dict[str, Any], files: dict[str, tuple[str, bytes, str]]
) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts: list[bytes] = []
    for name, value in fields.items():
        header = f'Content-Disposition: form-data; name="{name}"'
        parts.append(f"--{boundary}\r\n{header}\r\n\r\n{value}\r\n".encode())
    for name, (filename, content, content_type) in files.items():
        parts.append(
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'
            ).encode()
            + content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"
