"""Issue 16: one person's huge upload or huge comment never makes another person's save wait.

Real gunicorn (2 workers) on the suite's database. While one person sends something far too big,
someone else saves a data point; the save must be answered within 3 seconds, and the big request
must be refused with a message naming the limit (a 4xx, never a 500 or a killed worker). Before
the fix the import preview held SQLite's write lock while openpyxl read every cell: 20,000 rows
of 100 cells took 14 seconds and the other save got a 503 "database is locked".
"""

from __future__ import annotations

import io
import threading
import time
import zipfile
from collections.abc import Iterator
from datetime import date, timedelta

import openpyxl
import pytest

from tests.live_server import LiveClient, Reply, drop_database, flask_command, prepare_database
from tests.reliability.workload import PASSWORD, PatientServer, World, build_world

pytestmark = pytest.mark.live

EXPERT = "expert@example.org"
ANSWERED_WITHIN = 3.0


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[PatientServer, World]]:
    tmp_path = tmp_path_factory.mktemp("import-lock")
    url = prepare_database(tmp_path)
    try:
        world = build_world(url, people=3)
        flask_command(url, "create-user", EXPERT, "--name", "Eve Expert", "--password", PASSWORD)
        team = str(world.team_id)
        flask_command(url, "grant-role", EXPERT, "expert_by_experience", "--team", team)
        with PatientServer(url, workers=2, log_path=tmp_path / "gunicorn.log") as server:
            yield server, world
    finally:
        drop_database(url)


def signed_in(server: PatientServer, email: str) -> LiveClient:
    client = LiveClient(server.url)
    assert client.sign_in(email, PASSWORD).status == 303
    return client


def workbook(rows: int, columns: int) -> bytes:
    """An .xlsx of `rows` rows of `columns` numbers under a date/value header. The sheet's XML
    is written directly into a workbook openpyxl made: openpyxl's own writer (even write_only)
    needs about 40 seconds for two million cells on a shared CI machine."""
    skeleton = io.BytesIO()
    openpyxl.Workbook().save(skeleton)
    cells = "".join(f'<c r="{_column(c)}{{r}}"><v>{{r}}</v></c>' for c in range(1, columns + 1))
    body = "".join(f'<row r="{r}">' + cells.format(r=r) + "</row>" for r in range(2, rows + 2))
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org'
        '/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>date</t>'
        '</is></c><c r="B1" t="inlineStr"><is><t>value</t></is></c></row>'
        + body
        + "</sheetData></worksheet>"
    )
    out = io.BytesIO()
    with (
        zipfile.ZipFile(skeleton) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive,
    ):
        for item in source.infolist():
            is_sheet = item.filename == "xl/worksheets/sheet1.xml"
            archive.writestr(item, sheet if is_sheet else source.read(item.filename))
    return out.getvalue()


def _column(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def while_another_saves(
    server: PatientServer, world: World, send_big: callable
) -> tuple[Reply, Reply, float]:
    """Send the big request and, while it is being handled, save a data point as someone else
    in a separate browser; the big reply, the save's reply and how long the save took."""
    saver = signed_in(server, world.emails[2])
    period = date.today() - timedelta(days=date.today().weekday(), weeks=1)
    saver.get(f"/measures/{world.measure_ids[2]}")  # its form's CSRF token
    big: list[Reply] = []
    thread = threading.Thread(target=lambda: big.append(send_big()))
    thread.start()
    time.sleep(0.3)  # the big request is on its way or being read
    started = time.monotonic()
    saved = saver.post(
        f"/measures/{world.measure_ids[2]}/points",
        {"period": period.isoformat(), "value": "3", "version": ""},
    )
    took = time.monotonic() - started
    thread.join(timeout=60)
    assert big, "the big request was never answered"
    return big[0], saved, took


@pytest.mark.parametrize(
    ("rows", "columns", "limit"),
    [
        pytest.param(20_000, 100, "unpacks to more data than a sheet of values needs", id="wide"),
        pytest.param(50_000, 2, "The file has more than 5,000 rows", id="long"),
    ],
)
def test_a_huge_upload_never_makes_another_save_wait(live, rows, columns, limit):
    server, world = live
    data = workbook(rows, columns)
    importer = signed_in(server, world.emails[1])
    measure_id = world.measure_ids[1]
    importer.get(f"/measures/{measure_id}/import")  # its form's CSRF token

    def send_big() -> Reply:
        files = {"upload": ("weekly.xlsx", data, "application/octet-stream")}
        return importer.post(f"/measures/{measure_id}/import", files=files)

    big, saved, took = while_another_saves(server, world, send_big)
    assert saved.status == 303, saved.text[:300]
    assert took < ANSWERED_WITHIN, f"the other save waited {took:.1f} s"
    assert big.status == 422, big.text[:300]
    assert limit in big.text


def test_a_huge_comment_never_makes_another_save_wait(live):
    server, world = live
    expert = signed_in(server, EXPERT)
    expert.get(f"/aims/{world.aim_id}")  # its comment form's CSRF token

    def send_big() -> Reply:
        body = "12/03/1948 " * 36_000
        return expert.post(f"/aims/{world.aim_id}/comments", {"comment-body": body})

    big, saved, took = while_another_saves(server, world, send_big)
    assert saved.status == 303, saved.text[:300]
    assert took < ANSWERED_WITHIN, f"the other save waited {took:.1f} s"
    assert 400 <= big.status < 500, big.text[:300]
    assert "must be 5000 characters or fewer" in big.text
