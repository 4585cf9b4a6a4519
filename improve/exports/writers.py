"""Tables as downloadable CSV and XLSX files, safe to open in a spreadsheet.

A cell that starts with =, +, -, @, a tab or a carriage return is a formula to Excel and
LibreOffice ("CSV injection", OWASP): text from the app's users is prefixed with an apostrophe so
it shows as typed and never runs. Numbers are left alone, so -3 stays a number.

Each download carries an ETag (improve.http_caching), and a browser that already holds the same
file gets 304 Not Modified. A CSV file's tag is a hash of its bytes. An XLSX file's is a hash of
its tables, taken before openpyxl writes them (the slow step): openpyxl stamps the time of writing
into the file, so its bytes differ every time, and the tag is weak (same content, not same bytes).
The name (with today's date) is part of both, as the About sheets hold that date too.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from flask import Response, request
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from improve.exports import jobs
from improve.http_caching import conditional, content_tag

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CSV_MIMETYPE = "text/csv"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_SHEET_NAME = 31  # Excel's limit


def neutralise(value: Any) -> Any:
    """The value as a spreadsheet should show it: text that a spreadsheet would run as a formula
    gets a leading apostrophe; NaN becomes an empty cell; everything else is unchanged."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def safe_text(value: str) -> str:
    """Text for a cell of a streamed table: control characters a spreadsheet refuses removed,
    then neutralised (removed first, so a character taken out cannot uncover a formula)."""
    cleaned: str = neutralise(ILLEGAL_CHARACTERS_RE.sub("", value))
    return cleaned


@dataclass(frozen=True)
class Rows:
    """A table too large to hold as a frame: its header, a function giving its rows afresh
    (each already safe: text through `safe_text`, no NaN) and a tag of everything the rows are
    made from, taken before any row is made."""

    header: list[str]
    rows: Callable[[], Iterable[Sequence[Any]]]
    tag: str
    count: int = 0  # how many rows


#: Lines of CSV sent per piece of a streamed download.
CHUNK_ROWS = 2_000
#: Excel holds at most 1,048,576 rows a sheet, the header included.
XLSX_MAX_ROWS = 1_048_575
#: An XLSX file of more rows than this is made beside the request (improve.exports.jobs).
XLSX_ROWS_IN_REQUEST = 50_000
#: How long a request waits for such a file before saying it is being made (a file that large
#: never takes less than several seconds: the page comes at once).
QUICK_SECONDS = 0.0


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of the table with every text cell neutralised (column names too)."""
    cleaned = frame.astype(object).map(neutralise)
    cleaned.columns = [neutralise(str(name)) for name in frame.columns]
    return cleaned


def download_name(stem: str, suffix: str) -> str:
    """A file name from a title: letters, digits, - and _ only, with today's date."""
    cleaned = re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-")[:80] or "export"
    return f"{cleaned}-{date.today():%Y-%m-%d}.{suffix}"


def _attachment(body: bytes, mimetype: str, filename: str) -> Response:
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def csv_response(frame: pd.DataFrame, stem: str) -> Response:
    """The table as a UTF-8 CSV download (with a byte-order mark so Excel reads the accents)."""
    # CRLF line ends make pandas quote any cell holding a carriage return: a lone \r in an
    # unquoted cell starts a new row in a spreadsheet, where the rest could run as a formula.
    text = safe_frame(frame).to_csv(index=False, date_format="%Y-%m-%d", lineterminator="\r\n")
    body, filename = ("\ufeff" + text).encode("utf-8"), download_name(stem, "csv")
    tag = content_tag(filename, body)
    return conditional(tag, lambda: _attachment(body, CSV_MIMETYPE, filename))


def csv_stream_response(table: Rows, stem: str) -> Response:
    """The table as a UTF-8 CSV download sent a piece at a time, with CRLF line ends as
    `csv_response`: the first bytes leave before the last row is made."""
    filename = download_name(stem, "csv")

    def pieces() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        buffer.write("\ufeff")
        writer.writerow([neutralise(name) for name in table.header])
        for count, row in enumerate(table.rows(), start=1):
            writer.writerow(row)
            if count % CHUNK_ROWS == 0:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    def build() -> Response:
        # A plain generator, not stream_with_context: the rows are made from plain values
        # gathered before the response, so nothing needs the request once sending starts.
        return Response(
            pieces(),
            mimetype=CSV_MIMETYPE,
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )

    return conditional(content_tag(filename, table.tag), build)


def xlsx_response(sheets: Mapping[str, pd.DataFrame | Rows], stem: str) -> Response:
    """The tables as one XLSX download, one sheet each, in the order given; a browser that holds
    the same tables gets 304 before any of them is written."""
    filename = download_name(stem, "xlsx")
    return conditional(
        tables_tag(filename, sheets),
        lambda: _attachment(_xlsx_bytes(sheets), XLSX_MIMETYPE, filename),
        weak=True,
    )


@dataclass(frozen=True)
class Waiting:
    """An XLSX file still being made by improve.exports.jobs: the caller shows a page that says
    so (or that making it failed)."""

    filename: str
    failed: bool
    tag: str


def xlsx_job_response(
    sheets: Mapping[str, pd.DataFrame | Rows], stem: str, where: Path
) -> Response | Waiting:
    """A large XLSX download made beside the request (improve.exports.jobs): 304 when the
    browser holds it, the file when it is made, else `Waiting` after starting it."""
    filename = download_name(stem, "xlsx")
    tag = tables_tag(filename, sheets)
    made = jobs.ready_file(where, tag)
    if made is None and not request.if_none_match.contains_weak(tag):
        if jobs.failed(tag):
            return Waiting(filename, failed=True, tag=tag)
        jobs.start(where, tag, lambda: _xlsx_bytes(sheets))
        if not jobs.wait(tag, QUICK_SECONDS):
            return Waiting(filename, failed=False, tag=tag)
        made = jobs.ready_file(where, tag)
        if made is None:
            return Waiting(filename, failed=True, tag=tag)
    path = made
    return conditional(
        tag,
        lambda: _attachment(path.read_bytes() if path else b"", XLSX_MIMETYPE, filename),
        weak=True,
    )


def tables_tag(filename: str, sheets: Mapping[str, pd.DataFrame | Rows]) -> str:
    """A hash of the file name and every sheet's name, column types and cells (for a `Rows`
    table, its own tag of what its rows are made from)."""
    parts = [filename]
    for name, table in sheets.items():
        if isinstance(table, Rows):
            parts += [name, table.tag]
        else:
            parts += [name, table.dtypes.to_string(), table.to_csv(index=False)]
    return content_tag(*parts)


def _xlsx_bytes(sheets: Mapping[str, pd.DataFrame | Rows]) -> bytes:
    """The sheets written by openpyxl's write-only mode: rows go straight to the file, with no
    cell objects kept (several times faster, and flat in memory, for 100,000s of rows)."""
    book = Workbook(write_only=True)
    for name, table in sheets.items():
        sheet = book.create_sheet(re.sub(r"[\[\]:*?/\\]", " ", name)[:MAX_SHEET_NAME] or "Sheet")
        rows = table if isinstance(table, Rows) else _frame_rows(table)
        sheet.append([neutralise(str(column)) for column in rows.header])
        for row in rows.rows():
            sheet.append([_excel_cell(value) for value in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _frame_rows(frame: pd.DataFrame) -> Rows:
    """A frame as `Rows`: cleaned before neutralising, so a character removed cannot uncover a
    formula."""
    safe = safe_frame(frame.astype(object).map(_excel_cell))
    return Rows(list(frame.columns), lambda: safe.itertuples(index=False, name=None), "")


def _excel_cell(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    # openpyxl refuses time-zone-aware datetimes; the app stores UTC, so drop the zone.
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)
    # It also refuses control characters (other than tab and line breaks), which older or
    # imported text may hold: one would otherwise make the whole download fail.
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value
