"""Fuzzing the data-point import (issue 7, bad input): whatever file or paste arrives, the answer
is a preview (200) or a list of what is wrong (422) or a clear refusal (413), never a 5xx, and a
refusal saves nothing. An accepted preview saves every row of the file, exactly as previewed.

Each hypothesis test builds its world once and runs its examples against it; every example checks
the data-point and audit counts before and after.
"""

from __future__ import annotations

import codecs
import io
import re
import zipfile
from datetime import date
from types import SimpleNamespace

import openpyxl
import pandas as pd
import pytest
import sqlalchemy as sa
from flask import current_app
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from itsdangerous import URLSafeTimedSerializer
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from improve.extensions import db
from improve.measures.import_views import SALT
from improve.models import Aim, AuditEvent, DataPoint, Measure
from tests.conftest import text_of
from tests.security.test_fuzz_forms import Tally

# Examples per test, chosen so the module stays within its CI budget on PostgreSQL.
EXAMPLES = {"bytes": 40, "table": 60, "xlsx_damage": 30, "paste": 30}


def fuzz(examples: int) -> settings:
    """Bounded runs with no deadline (a request on PostgreSQL can take a while on a shared CI
    machine) and no example database left in the working tree."""
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,
        print_blob=True,  # a CI failure prints the line that replays it
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


PERIODS = [date(2025, month, 1) for month in range(1, 13)] + [date(2026, 1, 1), date(2026, 2, 1)]


def iso(day: date) -> str:
    return day.isoformat()


def dmy(day: date) -> str:
    return f"{day:%d/%m/%Y}"


def month_name(day: date) -> str:
    return f"{day:%b %Y}"


# Cells a person could type or paste, good and bad, grouped by what the checker must say.
GOOD_DATES = st.builds(lambda d, f: f(d), st.sampled_from(PERIODS), st.sampled_from([iso, dmy]))
BAD_DATES = st.sampled_from(
    [
        "31/02/2025",  # impossible
        "2025-02-30",
        "-01/03/2025",  # negative
        "2025-13-01",
        "13/25/2025",  # neither way round
        "01/01/2999",  # far future
        "01/01/1066",  # too long ago
        "0000-01-01",
        "99999-01-01",
        "yesterday",
        "\u202e2025-01-01",  # right-to-left override
        "2025\x00-01-01",
    ]
)
GOOD_VALUES = st.sampled_from(["0", "1", "5", "12", " 7 ", "1,234", "+3"])
BAD_VALUES = st.sampled_from(
    [
        "NaN",
        "nan",
        "inf",
        "-inf",
        "Infinity",
        "1e309",
        "-1e309",
        "9" * 400,
        "-3",
        "2.5e",
        "five",
        "12%",
        "0x1F",
        "=1+1",
        "=cmd|' /C calc'!A0",
        "+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(A1:A2)",
        "5\x00",
        "\u0665",  # Arabic-Indic five: not a number we read
    ]
)
FORMULAS = st.sampled_from(
    ["=cmd|' /C calc'!A0", '=HYPERLINK("http://x")', "+1+1", "-1-1+A1", "@SUM(1)", "=1"]
)
NOTE_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40
) | st.sampled_from(
    [
        "",
        "quiet month",
        "\u05e9\u05dc\u05d5\u05dd",  # Hebrew, right to left
        "e\u0301\u0301\u0301",  # combining marks
        "\U0001f600 smiles",
        "tab\tinside",
        "x" * 5001,  # past the note's limit
        "nul\x00inside",
        "bell\x07",
    ]
)


@pytest.fixture
def place(world):
    """Team A's aim with one measure of each kind that imports treat differently."""
    aim = Aim(
        team=world.team_a,
        title="Fewer falls",
        what="Reduce falls",
        for_whom="Residents",
        location="Home",
        target_value=4.0,
        target_date=date(2027, 3, 31),
    )
    db.session.add(aim)
    measures = {}
    for kind in ("count", "continuous", "proportion"):
        measure = Measure(
            name=f"A {kind} measure",
            measure_type="outcome",
            value_kind=kind,
            direction="decrease",
            frequency="monthly",
            baseline_start=date(2025, 1, 1),
            collaborative_id=world.x.id,
            team_id=world.team_a.id,
            aim=aim,
        )
        db.session.add(measure)
        measures[kind] = measure
    db.session.commit()
    return SimpleNamespace(world=world, measures={k: m.id for k, m in measures.items()})


def counts() -> tuple[int, int]:
    db.session.expire_all()
    points = db.session.scalar(sa.select(sa.func.count()).select_from(DataPoint))
    audits = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    return points, audits


def saved_points(measure_id: int) -> list[tuple[str, float, float | None, str]]:
    db.session.expire_all()
    query = sa.select(DataPoint).where(DataPoint.measure_id == measure_id)
    return [
        (p.period_start.isoformat(), p.value, p.denominator, p.note)
        for p in db.session.scalars(query.order_by(DataPoint.period_start))
    ]


def upload(client, measure_id: int, data: bytes, filename: str):
    # The multipart body is built here as bytes: given a file, werkzeug's test client spools a
    # large body to a temporary file it leaves open, which the "error" warning filter reports.
    boundary = "fuzz-boundary-7d1c"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="upload"; filename="{filename}"'
            "\r\nContent-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return client.post(
        f"/measures/{measure_id}/import",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def payload_rows(response) -> list[list]:
    html = response.get_data(as_text=True)
    match = re.search(r'name="payload"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="payload"', html
    )
    assert match, "an accepted preview must carry the rows to save"
    serializer = URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)
    # Each row is [row number, period, value, denominator, note]: the saved part is compared.
    return [row[1:] for row in serializer.loads(match[1].replace("&#34;", '"'))["rows"]]


def assert_preview_or_refusal(response, before: tuple[int, int]) -> None:
    """The preview never writes; a 5xx is a failure whatever the input."""
    assert response.status_code in (200, 422), (response.status_code, text_of(response)[:300])
    assert counts() == before
    if response.status_code == 422:
        text = text_of(response)
        # A refusal says what is wrong: a numbered row, or a message on the form.
        assert "Row " in text or "There is a problem" in text, text[:300]


def confirm_and_check(client, measure_id: int, preview, data_rows: int) -> None:
    """Saving an accepted preview writes every row of the file, exactly as previewed."""
    rows = payload_rows(preview)
    assert len(rows) == data_rows
    response = client.post(
        f"/measures/{measure_id}/import/confirm", data={"payload": _payload_of(preview)}
    )
    assert response.status_code == 303, text_of(response)[:300]
    expected = sorted((p, float(v), None if d is None else float(d), n) for p, v, d, n in rows)
    assert saved_points(measure_id) == expected
    # Leave the measure empty for the next example.
    db.session.execute(sa.delete(DataPoint).where(DataPoint.measure_id == measure_id))
    db.session.commit()


def _payload_of(response) -> str:
    html = response.get_data(as_text=True)
    match = re.search(r'name="payload"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="payload"', html
    )
    assert match
    return match[1]


# ---------------------------------------------------------------- random bytes


def test_random_bytes_never_fail_the_server(place, client_for):
    client = client_for(place.world.member_a)
    tally = Tally("imports", "random bytes")
    names = st.sampled_from(["data.csv", "data.xlsx", "data.tsv", "data.txt", "data.xls", "x.exe"])
    prefix = st.sampled_from([b"", b"PK\x03\x04", b"\xef\xbb\xbfdate,value\n", b"\xff\xfe"])

    @fuzz(EXAMPLES["bytes"])
    @given(head=prefix, body=st.binary(max_size=4000), name=names)
    def check(head: bytes, body: bytes, name: str) -> None:
        tally.add()
        before = counts()
        response = upload(client, place.measures["count"], head + body, name)
        assert_preview_or_refusal(response, before)

    check()
    tally.save()


# ---------------------------------------------------------------- structured tables


@st.composite
def tables(draw):
    """A table of rows as cells, with a note of which rows the checker must name as wrong."""
    kind = draw(st.sampled_from(["count", "continuous", "proportion"]))
    header = ["date", "value"] + (["denominator"] if kind == "proportion" else []) + ["note"]
    width = len(header)
    periods = draw(st.lists(st.sampled_from(PERIODS), min_size=1, max_size=8, unique=True))
    rows: list[list[str]] = []
    bad: set[int] = set()
    for index, period in enumerate(periods):
        number = index + 2  # the header is row 1
        cells = [draw(st.sampled_from([iso, dmy, month_name]))(period), draw(GOOD_VALUES)]
        if kind == "proportion":
            cells.append("100")
        cells.append(draw(st.sampled_from(["", "ok", "quiet month", "\u00e9t\u00e9"])))
        flaw = draw(
            st.sampled_from(
                ["none"] * 6
                + ["bad date", "bad value", "formula note", "nul", "extra", "missing", "note"]
            )
        )
        if flaw == "bad date":
            cells[0] = draw(BAD_DATES)
            bad.add(number)
        elif flaw == "bad value":
            cells[1] = draw(BAD_VALUES)
            if cells[1] in ("-3", "12%") and kind == "continuous":
                pass  # a negative change or a percentage score is a real continuous value
            else:
                bad.add(number)
        elif flaw == "formula note":
            cells[-1] = draw(FORMULAS)
            bad.add(number)
        elif flaw == "nul":
            cells[draw(st.integers(0, width - 1))] += "\x00"
            bad.add(number)
        elif flaw == "extra":
            # A stray separator: pandas would shift every later column; we must refuse the row.
            cells.append(draw(st.sampled_from(["5", "oops", "2026-01-01"])))
            bad.add(number)
        elif flaw == "missing":
            cells = cells[:1]
            bad.add(number)
        elif flaw == "note":
            cells[-1] = draw(NOTE_TEXT)
        rows.append(cells)
    if draw(st.booleans()) and len(rows) > 1:
        # The same period twice (written differently): the second row must be named.
        copy = list(rows[0])
        rows.append(copy)
        bad.add(len(rows) + 1)
    return SimpleNamespace(kind=kind, header=header, rows=rows, bad=bad)


def as_csv(table, delimiter: str) -> str:
    def quote(cell: str) -> str:
        if any(ch in cell for ch in (delimiter, '"', "\n", "\r")):
            return '"' + cell.replace('"', '""') + '"'
        return cell

    lines = [table.header, *table.rows]
    return "".join(delimiter.join(quote(c) for c in line) + "\r\n" for line in lines)


def as_xlsx(table) -> bytes | None:
    book = openpyxl.Workbook()
    sheet = book.active
    try:
        for line in [table.header, *table.rows]:
            sheet.append(line)
    except openpyxl.utils.exceptions.IllegalCharacterError:
        return None  # Excel cannot hold a NUL; the damaged-file test covers that case
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "cp1252"]


def test_tables_are_checked_all_or_nothing(place, client_for):
    client = client_for(place.world.member_a)
    tally = Tally("imports", "generated tables (CSV, XLSX, encodings)")

    @fuzz(EXAMPLES["table"])
    @given(
        table=tables(),
        fmt=st.sampled_from(["csv", "tsv", "semicolon", "xlsx"]),
        encoding=st.sampled_from(ENCODINGS),
    )
    def check(table, fmt: str, encoding: str) -> None:
        tally.add()
        measure_id = place.measures[table.kind]
        if fmt == "xlsx":
            data = as_xlsx(table)
            if data is None:
                return
            name = "data.xlsx"
        else:
            text = as_csv(table, {"csv": ",", "tsv": "\t", "semicolon": ";"}[fmt])
            try:
                data = text.encode(encoding)
            except UnicodeEncodeError:
                data = text.encode("utf-8")
            name = "data.tsv" if fmt == "tsv" else "data.csv"
        before = counts()
        response = upload(client, measure_id, data, name)
        assert_preview_or_refusal(response, before)
        if table.bad:
            assert response.status_code == 422, sorted(table.bad)
            text = text_of(response)
            named = {int(n) for n in re.findall(r"Row (\d+):", text)}
            # XLSX rows hold no "extra" separator problem of their own, but every other flaw
            # is named by its row number.
            assert table.bad <= named or "There is a problem" in text, (table.bad, named)
        elif response.status_code == 200:
            confirm_and_check(client, measure_id, response, len(table.rows))

    check()
    tally.save()


def test_pasted_text_is_checked_all_or_nothing(place, client_for):
    client = client_for(place.world.member_a)
    tally = Tally("imports", "pasted tables")

    @fuzz(EXAMPLES["paste"])
    @given(table=tables(), header=st.booleans())
    def check(table, header: bool) -> None:
        tally.add()
        measure_id = place.measures[table.kind]
        text = as_csv(table, "\t")
        if not header:
            text = text.split("\r\n", 1)[1]
        before = counts()
        response = client.post(f"/measures/{measure_id}/import", data={"pasted": text})
        assert_preview_or_refusal(response, before)
        if table.bad and header:
            assert response.status_code == 422
        if response.status_code == 200:
            confirm_and_check(client, measure_id, response, len(table.rows))

    check()
    tally.save()


# ---------------------------------------------------------------- damaged workbooks


def workbook() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["date", "value", "note"])
    for period in PERIODS[:6]:
        sheet.append([period, 3, "from the log"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rezip(original: bytes, part: str, change) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(original))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            data = source.read(info.filename)
            archive.writestr(info.filename, change(data) if info.filename == part else data)
    return out.getvalue()


PARTS = [
    "xl/worksheets/sheet1.xml",
    "xl/workbook.xml",
    "xl/sharedStrings.xml",
    "[Content_Types].xml",
]


def test_damaged_workbooks_are_refused_clearly(place, client_for):
    client = client_for(place.world.member_a)
    good = workbook()
    tally = Tally("imports", "damaged XLSX")

    @st.composite
    def damage(draw):
        how = draw(st.sampled_from(["flip parts", "flip zip", "truncate", "inject"]))
        if how == "flip zip":
            data = bytearray(good)
            for _ in range(draw(st.integers(1, 8))):
                data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
            return bytes(data)
        if how == "truncate":
            return good[: draw(st.integers(0, len(good) - 1))]
        part = draw(st.sampled_from(PARTS))
        if how == "inject":
            junk = draw(st.sampled_from([b"\x00", b"&#0;", b"<", b"&bogus;", b"\xff\xfe", b"]]>"]))
            return rezip(good, part, lambda d: d.replace(b"from the log", b"from " + junk, 1))
        flips = draw(st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), max_size=6))

        def flip(data: bytes) -> bytes:
            changed = bytearray(data)
            for position, byte in flips:
                changed[position % len(changed)] = byte
            return bytes(changed)

        return rezip(good, part, flip)

    @fuzz(EXAMPLES["xlsx_damage"])
    @given(data=damage())
    def check(data: bytes) -> None:
        tally.add()
        before = counts()
        response = upload(client, place.measures["count"], data, "falls.xlsx")
        assert_preview_or_refusal(response, before)

    check()
    tally.save()


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda d: d.replace(b"from the log", b"from\x00the log", 1), id="nul"),
        pytest.param(lambda d: d[: len(d) // 2], id="cut-xml"),
    ],
)
def test_a_workbook_with_broken_sheet_xml_gets_a_message(place, client_for, change):
    """openpyxl parses the sheet lazily: these crashed with a 500 before the fix."""
    data = rezip(workbook(), "xl/sharedStrings.xml", change)
    data = rezip(data, "xl/worksheets/sheet1.xml", change)
    response = upload(client_for(place.world.member_a), place.measures["count"], data, "a.xlsx")
    assert response.status_code == 422
    assert "The Excel file is damaged and could not be read" in text_of(response)


def test_a_zip_bomb_is_refused_before_it_is_unpacked(place, client_for):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (210 * 1024 * 1024))
    data = out.getvalue()
    assert len(data) < 1024 * 1024  # a small upload that would unpack past 200 MB
    client = client_for(place.world.member_a)
    before = counts()
    response = upload(client, place.measures["count"], data, "b.xlsx")
    assert response.status_code == 422
    assert "unpacks to more data than a sheet of values needs" in text_of(response)
    assert counts() == before


def test_a_corrupt_compressed_sheet_gets_a_message(place, client_for):
    """A flipped byte inside the deflated sheet raised zlib.error (a 500) before the fix."""
    data = bytearray(workbook())
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for offset in range(5, 9):
        data[start + offset] ^= 0xFF
    response = upload(
        client_for(place.world.member_a), place.measures["count"], bytes(data), "c.xlsx"
    )
    assert response.status_code == 422
    assert "The Excel file" in text_of(response)


# ---------------------------------------------------------------- encodings, limits


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-be", "cp1252"])
def test_every_common_encoding_reads_the_same(place, client_for, encoding):
    text = "date,value,note\r\n2025-01-01,5,caf\u00e9 \u00a3\r\n2025-02-01,6,\r\n"
    data = text.encode(encoding)
    if encoding == "utf-16-be":
        data = codecs.BOM_UTF16_BE + data
    client = client_for(place.world.member_a)
    response = upload(client, place.measures["count"], data, "falls.csv")
    assert response.status_code == 200, text_of(response)[:300]
    assert "caf\u00e9 \u00a3" in text_of(response)
    assert [row[3] for row in payload_rows(response)] == ["caf\u00e9 \u00a3", ""]


def test_a_file_past_the_request_limit_gets_the_413_page(app, place, client_for):
    limit = app.config["MAX_CONTENT_LENGTH"]
    assert limit == 10 * 1024 * 1024
    data = b"date,value\n" + b"2025-01-01,1\n" * (limit // 13 + 10)
    assert len(data) > limit
    client = client_for(place.world.member_a)
    before = counts()
    response = upload(client, place.measures["count"], data, "big.csv")
    assert response.status_code == 413
    assert "That file is too big" in text_of(response)
    assert "Files must be 5 MB or smaller" in text_of(response)
    assert counts() == before


def test_a_file_near_the_limit_is_refused_with_a_message(place, client_for):
    """Under the request limit but over what the reader takes: a 422 that says why, not a 5xx."""
    data = b"date,value\n" + b"2025-01-01,1\n" * (9 * 1024 * 1024 // 13)
    client = client_for(place.world.member_a)
    before = counts()
    response = upload(client, place.measures["count"], data, "big.csv")
    assert response.status_code == 422
    assert "The file is larger than 5 MB" in text_of(response)
    assert counts() == before


def test_duplicate_periods_name_both_rows_and_save_nothing(place, client_for):
    data = b"date,value\n2025-03-01,1\n2025-04-01,2\n01/03/2025,3\n"
    client = client_for(place.world.member_a)
    before = counts()
    response = upload(client, place.measures["count"], data, "d.csv")
    assert response.status_code == 422
    assert "Row 4: Rows 2 and 4 are both for March 2025" in text_of(response)
    assert counts() == before


def test_an_extra_field_shifting_the_columns_is_refused_by_row(place, client_for):
    # "1,5" typed with a comma inside an unquoted cell: pandas would read 5 as the note.
    data = b"date,value,note\n2025-03-01,2,fine\n2025-04-01,1,5,late entry\n"
    response = upload(client_for(place.world.member_a), place.measures["count"], data, "e.csv")
    assert response.status_code == 422
    assert "Row 3: has 4 cells but the header has 3" in text_of(response)


# ---------------------------------------------------------------- exports: formulas neutralised

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
RISKY_TEXT = st.builds(
    lambda first, rest: first + rest,
    st.sampled_from(FORMULA_START),
    st.text(max_size=30),
) | st.sampled_from(
    [
        "=cmd|' /C calc'!A0",
        '=HYPERLINK("http://example.invalid","x")',
        "+1+1",
        "-1+A1",
        "@SUM(A1)",
        "\t=1",
        "\x00=1",  # a NUL that the XLSX writer strips must not uncover the formula
        "\x01@x",
    ]
)


def read_csv_cells(data: bytes) -> list[list[str]]:
    import csv

    text = data.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline="")))


def read_xlsx_cells(data: bytes) -> list[openpyxl.cell.Cell]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


def assert_no_formula_cells(csv_body: bytes, xlsx_body: bytes) -> None:
    for row in read_csv_cells(csv_body):
        for cell in row:
            if cell.startswith(FORMULA_START):
                assert _is_number(cell), f"CSV cell {cell!r} would run as a formula"
    for cell in read_xlsx_cells(xlsx_body):
        assert cell.data_type != "f", f"XLSX cell {cell.coordinate} is a formula: {cell.value!r}"
        if isinstance(cell.value, str):
            assert not cell.value.startswith(FORMULA_START), cell.value


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_writers_neutralise_any_text_a_spreadsheet_would_run(app):
    from improve.exports.writers import csv_response, xlsx_response

    tally = Tally("exports", "writers: risky text")

    # Column names are the app's own words, never typed by people; openpyxl refuses control
    # characters in them, so the header is drawn without any.
    header_text = RISKY_TEXT.filter(lambda text: not ILLEGAL_CHARACTERS_RE.search(text))

    @fuzz(60)
    @given(cells=st.lists(RISKY_TEXT, min_size=1, max_size=5), header=header_text)
    def check(cells: list[str], header: str) -> None:
        tally.add()
        frame = pd.DataFrame({header: cells, "Number": [-3.5] * len(cells)})
        with app.test_request_context():
            csv_body = csv_response(frame, "fuzz").get_data()
            xlsx_body = xlsx_response({"Sheet": frame}, "fuzz").get_data()
        assert_no_formula_cells(csv_body, xlsx_body)
        # CSV keeps the text as typed behind the apostrophe; negative numbers stay numbers.
        parsed = read_csv_cells(csv_body)
        expected = ["'" + c if c.startswith(FORMULA_START) else c for c in [header, *cells]]
        assert [row[0] for row in parsed] == expected
        assert {row[1] for row in parsed[1:]} == {"-3.5"}

    check()
    tally.save()


def test_downloads_neutralise_formulas_typed_into_notes(place, client_for):
    """Through the real export routes: text a team typed comes out as text."""
    coordinator = client_for(place.world.coordinator_x)
    tally = Tally("exports", "downloads: risky notes")
    measure_id = place.measures["count"]

    @fuzz(8)
    @given(notes=st.lists(RISKY_TEXT, min_size=1, max_size=3))
    def check(notes: list[str]) -> None:
        tally.add()
        db.session.execute(sa.delete(DataPoint).where(DataPoint.measure_id == measure_id))
        for period, note in zip(PERIODS, notes, strict=False):
            db.session.add(
                DataPoint(
                    measure_id=measure_id,
                    team_id=place.world.team_a.id,
                    period_start=period,
                    value=1,
                    note=note.replace("\x00", ""),  # PostgreSQL cannot store a NUL
                )
            )
        db.session.commit()
        base = f"/collaboratives/{place.world.x.id}/exports/measures"
        csv_body = coordinator.get(f"{base}.csv")
        xlsx_body = coordinator.get(f"{base}.xlsx")
        assert csv_body.status_code == xlsx_body.status_code == 200
        assert_no_formula_cells(csv_body.get_data(), xlsx_body.get_data())

    check()
    tally.save()


@pytest.mark.parametrize("note", ["harmless\r=cmd|' /C calc'!A0", "\r@SUM(1+1)"])
def test_a_carriage_return_in_a_cell_cannot_start_a_formula_row(app, note):
    from improve.exports.writers import csv_response

    frame = pd.DataFrame({"Note": [note], "Value": [1]})
    with app.test_request_context():
        body = csv_response(frame, "cr").get_data()
    rows = read_csv_cells(body)
    assert len(rows) == 2, rows  # the header and one row: the cell was not split
    assert_no_formula_cells(body, _empty_xlsx())


def _empty_xlsx() -> bytes:
    buffer = io.BytesIO()
    openpyxl.Workbook().save(buffer)
    return buffer.getvalue()


def test_a_save_that_loses_a_race_is_a_conflict_not_a_fault(place, client_for, monkeypatch):
    """Two confirms of the same periods at once: the natural key refuses the second insert."""
    from improve.measures import operations

    client = client_for(place.world.member_a)
    measure_id = place.measures["count"]
    preview = upload(client, measure_id, b"date,value\n2025-01-01,1\n2025-02-01,2\n", "r.csv")
    real = operations.record_data_point

    def racing(user, measure, team, period, values):
        if period == date(2025, 2, 1):
            raise sa.exc.IntegrityError("INSERT", {}, Exception("duplicate key"))
        return real(user, measure, team, period, values)

    monkeypatch.setattr(operations, "record_data_point", racing)
    before = counts()
    response = client.post(
        f"/measures/{measure_id}/import/confirm", data={"payload": _payload_of(preview)}
    )
    assert response.status_code == 409
    assert "nothing was saved" in text_of(response)
    assert counts() == before


# ---------------------------------------------------------------- hostile sizes (issue 16)


def _csv(rows: int, columns: int = 2, value: str = "1") -> bytes:
    header = ",".join(["date", "value"] + [f"extra {n}" for n in range(columns - 2)])
    row = ",".join(["2026-01-01"] + [value] * (columns - 1))
    return (header + "\n" + (row + "\n") * rows).encode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(_csv(60_000), "The file has more than 5,000 rows", id="rows"),
        pytest.param(_csv(3, columns=100), "has more than 20 columns", id="wide"),
        pytest.param(_csv(2_600, columns=20), "more than 50,000 filled cells", id="cells"),
        pytest.param(_csv(1, value="1e308"), "is too large", id="1e308"),
    ],
)
def test_hostile_sizes_are_refused_with_the_limit_named(place, client_for, data, message):
    client = client_for(place.world.member_a)
    before = counts()
    response = upload(client, place.measures["count"], data, "big.csv")
    assert response.status_code == 422
    assert message in text_of(response)
    assert counts() == before
