"""Bulk import of data points: pure parsing and validation (no Flask, no database)."""

from improve.imports.parsing import (
    ImportPreview,
    ImportRow,
    RawTable,
    TableError,
    parse_pasted,
    parse_table,
    validate_event_rows,
    validate_rows,
)

__all__ = [
    "ImportPreview",
    "ImportRow",
    "RawTable",
    "TableError",
    "parse_pasted",
    "parse_table",
    "validate_event_rows",
    "validate_rows",
]
