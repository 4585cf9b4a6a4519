"""Care-recipient data canary: spot NHS numbers and dates of birth in free text.

Records in this app are evidence of improvement work, and must not identify a person who draws on
care. Two things in free text are strong signs that they do:

* **An NHS number**: 10 digits, written together or in the 3-3-4 form with single spaces or
  dashes ("943 476 5919", "943-476-5919"), whose last digit is the valid modulus 11 check digit
  (NHS Data Dictionary, "NHS Number"): multiply the first nine digits by 10, 9, ... 2, add them up,
  and take 11 minus the remainder after dividing by 11; 11 means 0 and 10 means the number is not
  valid. Digits that are part of a longer number, a decimal or a code of letters and digits do
  not count, and neither do ten identical digits ("0000000000", a placeholder, not a person).
* **A date of birth**: a real calendar date with a day, a month and a year, written in a common UK
  form (12/03/1948, 12-03-1948, 12.03.1948, 12 March 1948, 12th Mar 1948, March 12, 1948,
  1948-03-12) that either
    - has a word about birth just before it ("DOB", "D.O.B.", "date of birth", "born", "birth
      date", "birthday"), whatever its year, and then a two-digit year counts too ("DOB 12/03/48"),
  or
    - has a year that would make the person an adult today: from 1900 to 18 years ago. Adult
      social care is for people aged 18 and over, while the dates that improvement notes are full
      of ("we met on 12/03/2026") are recent.

Dates of recent years with no word about birth are left alone, so meeting dates and test periods
never warn. Findings are masked when shown anywhere but in the form that was just typed into: only
the last three digits are kept.

This module's detector is pure (standard library only); the `flask scan-personal-data` command at
the bottom imports the app's pieces when it runs.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

NHS_NUMBER = "NHS number"
DATE_OF_BIRTH = "date of birth"
ADULT_AGE = 18
EARLIEST_BIRTH_YEAR = 1900
# How far before a date a word about birth may be: "DOB:", "born on the", "date of birth is".
KEYWORD_REACH = 24

# 10 digits standing alone: not inside a longer number, a decimal, or a code of letters and digits
# (a hash, a reference); the two separators must match.
_NHS = re.compile(
    r"(?<![A-Za-z0-9])(?<!\d[.,])(\d{3})([ -]?)(\d{3})\2(\d{4})(?![A-Za-z0-9])(?![.,]\d)"
)
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sept", "sep"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = "(?P<month_name>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>\d{4}|\d{2})"
# A date ends where the number does: "12/03/1948/7" and "12/03/19485" are something else.
_END = r"(?!\d)(?![/.-]\d)"
_DATES = [
    # 12/03/1948, 12-03-1948, 12.03.1948, 12/03/48: the same separator twice.
    re.compile(
        r"(?<![\d/.-])(?P<day>\d{1,2})(?P<sep>[/.-])(?P<month>\d{1,2})(?P=sep)" + _YEAR + _END
    ),
    # 1948-03-12, 1948/03/12
    re.compile(
        r"(?<![\d/.-])(?P<year>\d{4})(?P<sep>[/-])(?P<month>\d{1,2})(?P=sep)(?P<day>\d{1,2})" + _END
    ),
    # 12 March 1948, 12th of Mar. 1948, 12-Mar-1948
    re.compile(r"(?<!\d)" + _DAY + r"[\s-]+(?:of\s+)?" + _MONTH + r",?[\s-]+" + _YEAR + _END, re.I),
    # March 12, 1948
    re.compile(r"\b" + _MONTH + r"\s+" + _DAY + r",?\s+" + _YEAR + _END, re.I),
]
_BIRTH_WORDS = re.compile(
    r"\b(?:d\.?\s?o\.?\s?b\b\.?|date\s+of\s+birth|birth\s*date|birthday|born)\W*(?:on\W+)?"
    r"(?:the\W+)?(?:is\W+)?$",
    re.I,
)


@dataclass(frozen=True)
class Finding:
    """One suspect piece of text: what kind, exactly what was typed, and where it is."""

    kind: str
    text: str
    start: int
    end: int

    @property
    def masked(self) -> str:
        return mask(self.text)

    def describe(self) -> str:
        """In plain words, for the person who has just typed it: "an NHS number ending 919", "a
        date of birth (12 March 1948)". The date is quoted whole so they can tell it from the
        other dates in their text; the number is not, as its ending is enough to find it."""
        if self.kind == NHS_NUMBER:
            return f"an NHS number ending {digits_of(self.text)[-3:]}"
        return f"a date of birth ({self.text})"


def digits_of(text: str) -> str:
    return "".join(char for char in text if char.isdigit())


def mask(text: str) -> str:
    """Every letter and digit hidden except the last three digits: "*** *** *919"."""
    keep = 3
    masked = []
    for char in reversed(text):
        if char.isdigit() and keep:
            masked.append(char)
            keep -= 1
        else:
            masked.append("*" if char.isalnum() else char)
    return "".join(reversed(masked))


def valid_nhs_number(digits: str) -> bool:
    """True for 10 digits whose last is the modulus 11 check digit of the first nine."""
    if len(digits) != 10 or not digits.isdigit() or len(set(digits)) == 1:
        return False
    total = sum(
        int(digit) * weight for digit, weight in zip(digits[:9], range(10, 1, -1), strict=True)
    )
    check = 11 - total % 11
    if check == 10:
        return False
    return (0 if check == 11 else check) == int(digits[9])


def nhs_numbers(text: str) -> Iterator[Finding]:
    for match in _NHS.finditer(text):
        if valid_nhs_number(digits_of(match.group())):
            yield Finding(NHS_NUMBER, match.group(), match.start(), match.end())


def _calendar_date(match: re.Match[str], today: date) -> date | None:
    """The date a match spells, or None when it is not a real one (31/02, month 13)."""
    parts = match.groupdict()
    month = _MONTHS[parts["month_name"].lower()] if parts.get("month_name") else int(parts["month"])
    year = int(parts["year"])
    if len(parts["year"]) == 2:
        # A two-digit year is in the past century unless that would put it in the future.
        year += 2000 if year <= today.year % 100 else 1900
    try:
        return date(year, month, int(parts["day"]))
    except ValueError:
        return None


def _overlaps(starts: list[int], ends: list[int], start: int, end: int) -> bool:
    """Whether [start, end) overlaps one of the found spans (kept sorted, never overlapping
    each other): only the neighbours can, so the check stays quick however many there are (a
    list of every earlier one made 16,000 dates in one comment take seconds)."""
    index = bisect.bisect_right(starts, start)
    return (index > 0 and ends[index - 1] > start) or (index < len(starts) and starts[index] < end)


def dates_of_birth(text: str, today: date | None = None) -> Iterator[Finding]:
    today = today or date.today()
    starts: list[int] = []
    ends: list[int] = []
    for pattern in _DATES:
        for match in pattern.finditer(text):
            start, end = match.span()
            day = _calendar_date(match, today)
            if day is None or _overlaps(starts, ends, start, end):
                continue
            near_birth_word = bool(_BIRTH_WORDS.search(text[max(0, start - KEYWORD_REACH) : start]))
            adult_birth_year = (
                len(match.group("year")) == 4
                and EARLIEST_BIRTH_YEAR <= day.year <= today.year - ADULT_AGE
            )
            if near_birth_word or adult_birth_year:
                index = bisect.bisect_right(starts, start)
                starts.insert(index, start)
                ends.insert(index, end)
                yield Finding(DATE_OF_BIRTH, match.group(), start, end)


def findings(text: str | None, today: date | None = None) -> list[Finding]:
    """Every NHS number and date of birth in `text`, in the order they appear."""
    if not text:
        return []
    found = [*nhs_numbers(text), *dates_of_birth(text, today)]
    return sorted(found, key=lambda finding: finding.start)


def strings_in(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """(path, text) for every string inside a JSON value: audit rows and revisions keep copies."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from strings_in(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from strings_in(item, f"{path}[{index}]")


# The scan of stored records -------------------------------------------------------------------

# Columns that hold no free text a person typed about someone who draws on care.
SKIPPED_COLUMN_WORDS = ("email", "password", "hash", "token", "secret", "key")
AUDIT_TABLE = "audit_event"


@dataclass(frozen=True)
class StoredFinding:
    record_type: str
    record_id: Any
    field: str
    finding: Finding


def scan_records(include_audit: bool = False) -> Iterator[StoredFinding]:
    """Every finding in every free-text column (strings and JSON) of every table, table by table
    in a stable order. Runs inside an app context."""
    import sqlalchemy as sa

    from improve.extensions import db

    mappers = sorted(db.Model.registry.mappers, key=lambda mapper: mapper.class_.__name__)
    for mapper in mappers:
        table = mapper.local_table
        if table.name == AUDIT_TABLE and not include_audit:
            continue
        columns = [column for column in table.columns if holds_free_text(column)]
        if not columns:
            continue
        keys = list(mapper.primary_key)
        query = sa.select(*keys, *columns).order_by(*keys).execution_options(yield_per=500)
        for row in db.session.execute(query):
            record_id = row[0] if len(keys) == 1 else tuple(row[: len(keys)])
            for column, value in zip(columns, row[len(keys) :], strict=True):
                for path, text in strings_in(value, column.name):
                    for finding in findings(text):
                        yield StoredFinding(mapper.class_.__name__, record_id, path, finding)


def holds_free_text(column: Any) -> bool:
    import sqlalchemy as sa

    if column.primary_key or column.foreign_keys:
        return False
    if any(word in column.name.lower() for word in SKIPPED_COLUMN_WORDS):
        return False
    kind = column.type
    # Enum is a kind of String in SQLAlchemy, but holds only the app's own words.
    return isinstance(kind, sa.JSON) or (
        isinstance(kind, sa.String) and not isinstance(kind, sa.Enum)
    )


def report_lines(found: Iterable[StoredFinding]) -> Iterator[str]:
    for item in found:
        yield (
            f"{item.record_type} {item.record_id}, {item.field}: "
            f"{item.finding.kind} {item.finding.masked}"
        )


def init_app(app: Flask) -> None:
    """Register the scan command."""
    import click

    @app.cli.command("scan-personal-data")
    @click.option(
        "--include-audit",
        is_flag=True,
        help="Also scan the audit trail's copies of old values (it cannot be edited in the app).",
    )
    def scan_personal_data(include_audit: bool) -> None:
        """Look for NHS numbers and dates of birth in every free-text field.

        Prints one line per finding (record type, id, field, and what was found with all but its
        last three digits hidden) and exits with status 1, or prints "Nothing found." and exits
        with status 0. A date counts as a date of birth when a word like "DOB" or "born" comes
        just before it, or when its year is from 1900 to 18 years ago; an NHS number must have a
        valid check digit.
        """
        count = 0
        for line in report_lines(scan_records(include_audit)):
            click.echo(line)
            count += 1
        if not count:
            click.echo("Nothing found.")
            return
        click.echo(
            f"{count} possible {'item' if count == 1 else 'items'} of personal data about people "
            "who draw on care. Check each record and remove what identifies a person."
        )
        click.get_current_context().exit(1)
