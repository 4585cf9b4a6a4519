"""Read a pasted table, a CSV or an XLSX file of data points, and check every row before saving.

Pure functions: stdlib and openpyxl only, no Flask, no database. Everything is read as text so
nothing is converted behind the person's back; ``validate_rows`` then turns each row into a
period, a value, an optional denominator and a note, or says in plain words what is wrong with it.
Row numbers are the ones the person sees in their spreadsheet (the header is row 1).
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import re
import unicodedata
import warnings
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from xml.etree.ElementTree import ParseError

from improve.models.measure import MAX_MAGNITUDE

MAX_BYTES = 5 * 1024 * 1024
MAX_TEXT = 5000  # DataPoint.note, LONG_TEXT
# What one import may hold, checked while reading so a huge table is refused after reading just
# past the limit, not after reading it all: an import is at most a few years of weekly data.
MAX_ROWS = 5_000  # rows with something in them, the header not counted
MAX_COLUMNS = 20  # date, value, denominator, note, and room for columns that are ignored
MAX_CELLS = 50_000  # cells with something in them
# Empty rows and empty cells cost little but are not free: reading stops at this row number, and
# when the cells read, empty ones included, pass MAX_CELLS_READ. A sheet pads each row to its
# last cell: one cell in column XFD makes a row of 16,384.
MAX_SHEET_ROWS = 4 * MAX_ROWS
MAX_CELLS_READ = 4 * MAX_CELLS
# An XLSX file is a zip: a few MB can unpack to gigabytes (a "zip bomb"). The sizes each part
# declares are checked before anything is unpacked; zipfile never inflates a part past the size
# it declares. A sheet within the limits above unpacks to a few MB; 5,000 notes of 5,000
# characters (the most an import can hold) to about 25 MB of shared strings, which openpyxl
# reads whole when it opens the file.
MAX_XLSX_PART = 32 * 1024 * 1024
MAX_XLSX_UNPACKED = 64 * 1024 * 1024
# What openpyxl and zipfile raise on a damaged workbook: a bad zip, corrupt compressed data, a
# truncated part, malformed XML, a missing part, a value of the wrong type, and a part packed
# with a compression method or zip version zipfile does not know (NotImplementedError).
DAMAGED = (
    zipfile.BadZipFile,
    NotImplementedError,
    zlib.error,
    EOFError,
    ParseError,
    KeyError,
    IndexError,
    OSError,
    ValueError,
    TypeError,
)
ALLOWED_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx")
DELIMITERS = (",", ";", "\t")

PERIOD, VALUE, DENOMINATOR, NOTE = "period", "value", "denominator", "note"
SYNONYMS: dict[str, str] = {
    "date": PERIOD,
    "period": PERIOD,
    "period start": PERIOD,
    "month": PERIOD,
    "week": PERIOD,
    "week starting": PERIOD,
    "week commencing": PERIOD,
    "value": VALUE,
    "numerator": VALUE,
    "count": VALUE,
    "how many": VALUE,
    "events": VALUE,
    "denominator": DENOMINATOR,
    "total": DENOMINATOR,
    "out of": DENOMINATOR,
    "note": NOTE,
    "notes": NOTE,
    "comment": NOTE,
    "comments": NOTE,
}
MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
FULL_MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
}  # fmt: skip
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00(?:\.0+)?)?)?")
_DMY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})")
_MONTH_NAME = re.compile(r"(?:(\d{1,2})\s+)?([a-z]+)\.?[\s-]+(\d{2}|\d{4})")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_THOUSANDS = re.compile(r"[+-]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?")
_SPACED = re.compile(r"[+-]?[0-9]{1,3}(?:[ \u00a0\u202f][0-9]{3})+(?:\.[0-9]*)?")
_BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


class TableError(ValueError):
    """The whole file or paste cannot be read; the message is for the person importing."""


@dataclass(frozen=True)
class RawTable:
    """Cells as text. ``rows`` pairs each spreadsheet row number with its cells."""

    header: tuple[str, ...] | None
    rows: tuple[tuple[int, tuple[str, ...]], ...]
    errors: tuple[tuple[int, str], ...] = ()


@dataclass(frozen=True)
class ImportRow:
    row_number: int
    period_start: date
    value: float
    denominator: float | None
    note: str


@dataclass
class ImportPreview:
    rows: list[ImportRow] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    replacing: list[date] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


# ---------------------------------------------------------------- reading


def parse_table(data: bytes, filename: str, *, max_bytes: int = MAX_BYTES) -> RawTable:
    """Read an uploaded CSV (comma, semicolon or tab) or XLSX (first sheet) as text cells."""
    if len(data) > max_bytes:
        raise TableError(f"The file is larger than {max_bytes // (1024 * 1024)} MB.")
    name = filename.lower().strip()
    if name.endswith(".xls"):
        raise TableError("Old Excel .xls files cannot be read: save it as .xlsx or CSV first.")
    if not name.endswith(ALLOWED_SUFFIXES):
        raise TableError("Upload a CSV or an Excel .xlsx file.")
    if not data.strip():
        raise TableError("The file is empty.")
    if name.endswith(".xlsx"):
        return _read_xlsx(data)
    if data.startswith(b"PK\x03\x04"):
        raise TableError("This looks like an Excel file, not a CSV: upload it with its .xlsx name.")
    return _read_delimited(_decode(data), header_required=True)


def parse_pasted(text: str) -> RawTable:
    """Read text pasted from a spreadsheet: tab-separated, with or without a header row."""
    if len(text) > MAX_BYTES:
        raise TableError("The pasted text is too long; upload a file instead.")
    if not text.strip():
        raise TableError("Nothing was pasted.")
    return _read_delimited(text, header_required=False)


def _decode(data: bytes) -> str:
    # Excel's "Unicode Text" and some other tools save UTF-16 with a byte order mark; read as
    # UTF-8 or Windows-1252 it would arrive as text with a NUL between every letter.
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise TableError(
                "The file's text encoding was not recognised: save it as CSV UTF-8."
            ) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise TableError(
            "The file's text encoding was not recognised: save it as CSV UTF-8."
        ) from None


def _sniff(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: _cells_in(first, d) for d in DELIMITERS}
    # Tab first, then semicolon: a comma inside a number must not win by accident.
    return max(("\t", ";", ","), key=lambda d: counts[d])


def _cells_in(line: str, delimiter: str) -> int:
    """How many cells the line has with this delimiter (0 when the csv module cannot read it,
    such as a cell over its 128 KiB limit: the reading that follows says so in words)."""
    try:
        return len(next(csv.reader([line], delimiter=delimiter), []))
    except csv.Error:
        return 0


def _is_header(cells: list[str]) -> bool:
    return any(_header_key(c) in SYNONYMS for c in cells)


def _header_key(cell: str) -> str:
    cell = cell.replace("\ufeff", "").replace("\u00a0", " ").strip().lower()
    return " ".join(cell.split()).rstrip(":")


class _Limits:
    """Counts what has been read so far and stops the reading as soon as a limit is passed."""

    def __init__(self) -> None:
        self.rows = 0
        self.cells = 0
        self.read = 0

    def reading(self, number: int, width: int) -> None:
        """Count a row before its cells are looked at: `width` cells, empty ones included."""
        if number > MAX_SHEET_ROWS:
            raise TableError(
                f"The table goes on past row {MAX_SHEET_ROWS:,}. Import at most {MAX_ROWS:,} "
                "rows at once: delete the empty rows or split the file into parts."
            )
        self.read += max(width, 1)
        if self.read > MAX_CELLS_READ:
            raise TableError(
                "The sheet has cells far to the right of or below your data (perhaps only "
                "formatting). Copy just the rows and columns with your data into a new sheet "
                "and upload that."
            )

    def keep(self, number: int, cells: list[str]) -> bool:
        """Whether the row at sheet row `number` has anything in it; raises past a limit."""
        self.reading(number, 0)
        filled = [i for i, cell in enumerate(cells) if cell.strip()]
        if not filled:
            return False
        if filled[-1] >= MAX_COLUMNS:
            raise TableError(
                f"Row {number} has more than {MAX_COLUMNS} columns. Keep only the date, the "
                "value, the denominator and the note, then upload the file again."
            )
        self.rows += 1
        self.cells += len(filled)
        if self.rows > MAX_ROWS + 1:  # the header is one of them
            raise TableError(
                f"The file has more than {MAX_ROWS:,} rows. Import at most {MAX_ROWS:,} rows at "
                "once: split the file into parts."
            )
        if self.cells > MAX_CELLS:
            raise TableError(
                f"The file has more than {MAX_CELLS:,} filled cells. Keep only the date, value, "
                "denominator and note columns, or split the file into parts."
            )
        return True


def _read_delimited(text: str, *, header_required: bool) -> RawTable:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff(text), strict=False)
    records: list[tuple[int, list[str]]] = []
    limits = _Limits()
    try:
        for number, cells in enumerate(reader, start=1):
            if limits.keep(number, cells):
                records.append((number, cells))
    except csv.Error:
        raise TableError(
            f"The table could not be read near line {reader.line_num}: a cell may be far too "
            "long or a quote may not be closed."
        ) from None
    if not records:
        raise TableError("The table has no rows.")
    header: list[str] | None = None
    if _is_header(records[0][1]):
        header = records.pop(0)[1]
    elif header_required:
        raise TableError(
            "The first row must name the columns, for example: date, value, denominator, note."
        )
    width = len(header) if header is not None else max(len(c) for _, c in records)
    rows: list[tuple[int, tuple[str, ...]]] = []
    errors: list[tuple[int, str]] = []
    for number, cells in records:
        if len(cells) > width and any(c.strip() for c in cells[width:]):
            errors.append(
                (
                    number,
                    f"has {len(cells)} cells but the header has {width}: a stray comma or "
                    "separator may have split a cell, so the columns would not line up.",
                )
            )
            continue
        cells = cells[:width]
        if len(cells) < width and header is not None:
            errors.append((number, f"has only {len(cells)} cells but the header has {width}."))
            continue
        rows.append((number, tuple(cells) + ("",) * (width - len(cells))))
    return RawTable(tuple(header) if header is not None else None, tuple(rows), tuple(errors))


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return repr(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, time | timedelta):
        return str(value)
    return str(value)


def _check_unpacked_size(data: bytes, limit: int, part_limit: int = MAX_XLSX_PART) -> None:
    """Refuse an XLSX whose parts would unpack to more than `limit` bytes in all, or any one
    part to more than `part_limit`, before reading it: only the sizes the zip declares are read."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            sizes = [member.file_size for member in archive.infolist()]
    except (zipfile.BadZipFile, OSError, ValueError):
        raise TableError("The Excel file could not be opened: save it again as .xlsx.") from None
    if sum(sizes) > limit or max(sizes, default=0) > part_limit:
        raise TableError(
            "The Excel file unpacks to more data than a sheet of values needs: "
            "save only the sheet with the dates and values, or upload a CSV."
        )


def _xlsx_records(book: Any) -> list[tuple[int, list[str]]]:
    sheet = book.worksheets[0]
    # The size a sheet declares (up to 16,384 columns by 1,048,576 rows) would pad every row to
    # that width; without it each row is as wide as its last cell, so a wide row is seen as such.
    if hasattr(sheet, "reset_dimensions"):
        sheet.reset_dimensions()
    records: list[tuple[int, list[str]]] = []
    limits = _Limits()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            limits.reading(number, len(values))
            cells = [_cell_text(v) for v in values]
            if limits.keep(number, cells):
                records.append((number, cells))
    return records


def _read_xlsx(data: bytes, unpacked_limit: int = MAX_XLSX_UNPACKED) -> RawTable:
    import openpyxl  # type: ignore[import-untyped]  # local: only uploads need it

    _check_unpacked_size(data, unpacked_limit)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except DAMAGED:
        raise TableError("The Excel file could not be opened: save it again as .xlsx.") from None
    try:
        records = _xlsx_records(book)
    except TableError:
        raise  # a limit passed: its own message (TableError is a ValueError, as DAMAGED holds)
    except DAMAGED:
        # read_only mode unpacks and parses the sheet only while iterating, so a damaged part
        # (bad XML, a corrupt compressed stream, a NUL in a cell) surfaces here, not on opening.
        raise TableError(
            "The Excel file is damaged and could not be read: save it again as .xlsx."
        ) from None
    finally:
        book.close()
    if not records:
        raise TableError("The first sheet has no rows.")
    header_number, header = records.pop(0)
    while header and not header[-1].strip():
        header.pop()
    if not _is_header(header):
        raise TableError(
            f"Row {header_number} must name the columns, for example: date, value, note."
        )
    width = len(header)
    rows: list[tuple[int, tuple[str, ...]]] = []
    errors: list[tuple[int, str]] = []
    for number, cells in records:
        if any(c.strip() for c in cells[width:]):
            errors.append((number, "has cells to the right of the last named column."))
            continue
        cells = cells[:width]
        rows.append((number, tuple(cells) + ("",) * (width - len(cells))))
    return RawTable(tuple(header), tuple(rows), tuple(errors))


# ---------------------------------------------------------------- checking cells


def _show(text: str) -> str:
    """A cell quoted safely in a message: short, without control characters."""
    clean = "".join("?" if unicodedata.category(ch)[0] == "C" else ch for ch in text)
    return f"“{clean[:40]}…”" if len(clean) > 40 else f"“{clean}”"


def _bad_characters(text: str, *, multiline: bool) -> str | None:
    if "\x00" in text:
        return "contains a NUL character"
    allowed = "\t\n\r" if multiline else "\t"
    for ch in text:
        if (unicodedata.category(ch) == "Cc" and ch not in allowed) or ch in _BIDI:
            return "contains a hidden control character"
        if unicodedata.category(ch) == "Cs":
            return "contains an invalid character"
    return None


def _is_formula(text: str) -> bool:
    return bool(text) and text[0] in "=+-@" and not _NUMBER.fullmatch(text.replace(",", ""))


def _year(text: str) -> int:
    return 2000 + int(text) if len(text) == 2 else int(text)


def parse_period(text: str) -> tuple[date, bool]:
    """A date from ISO, UK day/month/year or a month name; True when day and month could swap."""
    try:
        return _parse_period(text)
    except ValueError as exc:
        if str(exc).startswith("“"):
            raise
        raise ValueError(f"{_show(text)} is not a real date") from None


def _parse_period(text: str) -> tuple[date, bool]:
    low = " ".join(text.lower().split())
    if m := _ISO.fullmatch(low):
        return date(int(m[1]), int(m[2]), int(m[3])), False
    if m := _DMY.fullmatch(low):
        day, month = int(m[1]), int(m[2])
        if month > 12 and day <= 12:
            raise ValueError(
                f"{_show(text)} looks like month/day/year; write dates as day/month/year"
            )
        return date(_year(m[3]), month, day), day <= 12 and month <= 12 and day != month
    if m := _MONTH_NAME.fullmatch(low):
        named = MONTHS.get(m[2], FULL_MONTHS.get(m[2]))
        if named is None:
            raise ValueError(f"{_show(text)} is not a month name")
        return date(_year(m[3]), named, int(m[1]) if m[1] else 1), False
    raise ValueError(
        f"{_show(text)} could not be read as a date (use 2026-03-01, 01/03/2026 or Mar 2026)"
    )


def parse_number(text: str, *, allow_percent: bool) -> float:
    raw = text.strip()
    if _SPACED.fullmatch(raw):
        raw = re.sub(r"[ \u00a0\u202f]", "", raw)
    if len(raw) > 40:
        raise ValueError("is too long to be a number")
    percent = raw.endswith("%")
    if percent:
        if not allow_percent:
            raise ValueError(
                f"{_show(text)} is a percentage: enter the count and the total (denominator)"
            )
        raw = raw[:-1]
    if _THOUSANDS.fullmatch(raw):
        raw = raw.replace(",", "")
    if not _NUMBER.fullmatch(raw):
        raise ValueError(f"{_show(text)} is not a number")
    number = float(raw)
    if not math.isfinite(number) or abs(number) > MAX_MAGNITUDE:
        raise ValueError(
            f"{_show(text)} is too large: a number may be at most {MAX_MAGNITUDE:,} either "
            "side of 0"
        )
    return number


def period_start(day: date, frequency: str) -> date:
    if frequency == "weekly":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def describe_period(day: date, frequency: str) -> str:
    if frequency == "weekly":
        return f"the week of {day.day} {day:%B %Y}"
    return f"{day:%B %Y}"


# ---------------------------------------------------------------- validating


def _columns(
    header: tuple[str, ...] | None, width: int, needs_denominator: bool
) -> tuple[dict[str, int], list[str], list[str]]:
    """Map roles to column indexes; returns (mapping, problems, ignored column names)."""
    if header is None:
        order = [PERIOD, VALUE, DENOMINATOR, NOTE] if needs_denominator else [PERIOD, VALUE, NOTE]
        return {role: i for i, role in enumerate(order[:width])}, [], []
    mapping: dict[str, int] = {}
    problems: list[str] = []
    ignored: list[str] = []
    for index, name in enumerate(header):
        role = SYNONYMS.get(_header_key(name))
        if role is None:
            if name.strip():
                ignored.append(_show(name.strip()))
        elif role in mapping:
            problems.append(
                f"Two columns ({_show(header[mapping[role]])} and {_show(name)}) both look like "
                f"the {role} column: remove or rename one."
            )
        else:
            mapping[role] = index
    return mapping, problems, ignored


def _checked_cells(
    cells: tuple[str, ...], mapping: dict[str, int], row_errors: list[str]
) -> dict[str, str]:
    """Each role's cell, stripped, when it is safe to read: not too long, no hidden characters,
    not a formula. What is wrong goes into `row_errors` and the role is left out."""
    checked: dict[str, str] = {}
    for role in (PERIOD, VALUE, DENOMINATOR, NOTE):
        index = mapping.get(role)
        text = cells[index].strip() if index is not None and index < len(cells) else ""
        if len(text) > MAX_TEXT:
            row_errors.append(f"the {role} is longer than {MAX_TEXT:,} characters")
            continue
        bad = _bad_characters(text, multiline=role == NOTE)
        if bad:
            row_errors.append(f"the {role} {bad}")
            continue
        if _is_formula(text):
            row_errors.append(
                f"the {role} {_show(text)} looks like a spreadsheet formula; type the value itself"
            )
            continue
        checked[role] = text
    return checked


def validate_rows(
    table: RawTable,
    *,
    value_kind: str,
    frequency: str,
    existing_periods: set[date],
    today: date,
    max_rows: int = 5000,
) -> ImportPreview:
    """Check every row; the preview is saveable only when ``ok`` (all or nothing)."""
    preview = ImportPreview(errors=list(table.errors))
    kind = str(value_kind)
    freq = str(frequency)
    needs_denominator = kind in ("proportion", "rate")
    if len(table.rows) > max_rows:
        preview.errors = [
            (
                table.rows[max_rows][0],
                f"There are {len(table.rows):,} rows; at most {max_rows:,} can be imported at "
                "once. Split the file and import it in parts.",
            )
        ]
        return preview
    width = max((len(cells) for _, cells in table.rows), default=0)
    mapping, problems, ignored = _columns(table.header, width, needs_denominator)
    header_row = 1
    for problem in problems:
        preview.errors.append((header_row, problem))
    if PERIOD not in mapping:
        preview.errors.append((header_row, "No date column: name one “date”, “month” or “week”."))
    if VALUE not in mapping:
        preview.errors.append((header_row, "No value column: name one “value” or “count”."))
    if needs_denominator and DENOMINATOR not in mapping:
        preview.errors.append(
            (header_row, "This measure needs a denominator column (the total, “out of”).")
        )
    if not needs_denominator and DENOMINATOR in mapping:
        preview.notices.append("The denominator column was ignored: this measure does not use one.")
        del mapping[DENOMINATOR]
    if ignored:
        preview.notices.append("Columns ignored: " + ", ".join(ignored[:10]) + ".")
    if preview.errors and any(n == header_row for n, _ in preview.errors[len(table.errors) :]):
        preview.errors.sort(key=lambda e: e[0])
        return preview

    current = period_start(today, freq)
    seen: dict[date, int] = {}
    ambiguous: list[str] = []
    for number, cells in table.rows:
        row_errors: list[str] = []
        checked = _checked_cells(cells, mapping, row_errors)

        start: date | None = None
        if PERIOD in checked:
            if not checked[PERIOD]:
                row_errors.append("there is no date")
            else:
                try:
                    day, is_ambiguous = parse_period(checked[PERIOD])
                except ValueError as exc:
                    row_errors.append(f"the date {exc}")
                else:
                    start = period_start(day, freq)
                    if day.year < 1900:
                        row_errors.append(f"the date {_show(checked[PERIOD])} is too long ago")
                        start = None
                    elif start > current:
                        row_errors.append(f"{describe_period(start, freq)} is in the future")
                        start = None
                    elif is_ambiguous and len(ambiguous) < 3:
                        ambiguous.append(f"{checked[PERIOD]} as {day.day} {day:%B %Y}")

        value: float | None = None
        if VALUE in checked:
            if not checked[VALUE]:
                row_errors.append("there is no value")
            else:
                try:
                    value = parse_number(checked[VALUE], allow_percent=kind == "continuous")
                except ValueError as exc:
                    row_errors.append(f"the value {exc}")
                else:
                    if value < 0 and kind != "continuous":
                        row_errors.append("the value is negative")
                        value = None
                    elif kind == "count" and not value.is_integer():
                        row_errors.append("a count must be a whole number")
                        value = None

        denominator: float | None = None
        if needs_denominator and DENOMINATOR in checked:
            if not checked[DENOMINATOR]:
                row_errors.append("there is no denominator")
            else:
                try:
                    denominator = parse_number(checked[DENOMINATOR], allow_percent=False)
                except ValueError as exc:
                    row_errors.append(f"the denominator {exc}")
                else:
                    if denominator <= 0:
                        row_errors.append("the denominator must be more than 0")
                        denominator = None
                    elif kind == "proportion" and value is not None and value > denominator:
                        row_errors.append(
                            "the value is more than the denominator (it counts part of the total)"
                        )

        if start is not None:
            if start in seen:
                row_errors.append(
                    f"rows {seen[start]} and {number} are both for "
                    f"{describe_period(start, freq)}; keep one"
                )
            else:
                seen[start] = number

        if row_errors:
            message = "; ".join(row_errors)
            preview.errors.append((number, message[0].upper() + message[1:] + "."))
            continue
        assert start is not None and value is not None
        preview.rows.append(ImportRow(number, start, value, denominator, checked.get(NOTE, "")))

    preview.errors.sort(key=lambda e: e[0])
    preview.replacing = sorted(p for p in seen if p in existing_periods)
    if ambiguous:
        preview.notices.append(
            "Dates were read as day/month/year, for example " + "; ".join(ambiguous) + "."
        )
    if not preview.rows and not preview.errors:
        preview.errors.append((1, "There are no rows of data."))
    return preview


# ---------------------------------------------------------------- dates of events

#: More events than this on one day is a typing slip, in the importer and the measure page's form.
MOST_EVENTS_A_DAY = 1000


def validate_event_rows(
    table: RawTable, *, existing_days: set[date], today: date, max_rows: int = MAX_ROWS
) -> ImportPreview:
    """Check a file of event dates for a measure of the dates of events: one row per event (a
    "count" column, if there is one, says how many that day; 1 without it), rows of the same
    day added up. A day already saved is replaced by the file's number for it, so importing
    the same file twice changes nothing. All or nothing, as validate_rows."""
    preview = ImportPreview(errors=list(table.errors))
    if len(table.rows) > max_rows:
        message = (
            f"There are {len(table.rows):,} rows; at most {max_rows:,} can be imported at once."
        )
        preview.errors = [(table.rows[max_rows][0], message + " Split the file.")]
        return preview
    width = max((len(cells) for _, cells in table.rows), default=0)
    if table.header is None:  # dates alone, or a date, how many and a note
        mapping = {role: i for i, role in enumerate([PERIOD, VALUE, NOTE][:width])}
    else:
        mapping, problems, ignored = _columns(table.header, width, needs_denominator=False)
        preview.errors += [(1, problem) for problem in problems]
        if ignored:
            preview.notices.append("Columns ignored: " + ", ".join(ignored[:10]) + ".")
    mapping.pop(DENOMINATOR, None)
    if PERIOD not in mapping:
        preview.errors.append((1, "No date column: name one “date”."))
    if preview.errors:
        preview.errors.sort(key=lambda e: e[0])
        return preview
    days: dict[date, ImportRow] = {}
    for number, cells in table.rows:
        row_errors: list[str] = []
        checked = _checked_cells(cells, mapping, row_errors)
        day = _event_day(checked.get(PERIOD), today, row_errors)
        count = _event_count(checked.get(VALUE, ""), row_errors)
        if row_errors:
            message = "; ".join(row_errors)
            preview.errors.append((number, message[0].upper() + message[1:] + "."))
            continue
        assert day is not None and count is not None
        days[day] = _add_event(days.get(day), number, day, count, checked.get(NOTE, ""))
    preview.errors.sort(key=lambda e: e[0])
    preview.rows = sorted(days.values(), key=lambda row: row.period_start)
    preview.replacing = sorted(day for day in days if day in existing_days)
    if not preview.rows and not preview.errors:
        preview.errors.append((1, "There are no rows of data."))
    return preview


def _event_day(text: str | None, today: date, row_errors: list[str]) -> date | None:
    """The event's own day (not a week or month): a real date, not in the future."""
    if text is None:
        return None
    if not text:
        row_errors.append("there is no date")
        return None
    try:
        day, _ = parse_period(text)
    except ValueError as exc:
        row_errors.append(f"the date {exc}")
        return None
    if day.year < 1900:
        row_errors.append(f"the date {_show(text)} is too long ago")
    elif day > today:
        row_errors.append(f"{day.day} {day:%B %Y} is in the future")
    else:
        return day
    return None


def _event_count(text: str, row_errors: list[str]) -> int | None:
    """How many events the row stands for: 1 when empty, else a whole number from 1."""
    if not text:
        return 1
    try:
        number = parse_number(text, allow_percent=False)
    except ValueError as exc:
        row_errors.append(f"the count {exc}")
        return None
    if not number.is_integer() or not 1 <= number <= MOST_EVENTS_A_DAY:
        row_errors.append(f"the count must be a whole number from 1 to {MOST_EVENTS_A_DAY:,}")
        return None
    return int(number)


def _add_event(saved: ImportRow | None, number: int, day: date, count: int, note: str) -> ImportRow:
    """The day's row with this row's events added (the first row's number names the day)."""
    if saved is None:
        return ImportRow(number, day, float(count), None, note)
    notes = "; ".join(text for text in (saved.note, note) if text)[:MAX_TEXT]
    return ImportRow(saved.row_number, day, saved.value + count, None, notes)
