"""Indexes: every foreign key and every column the pages filter on leads an index, so no page
scans a whole table as the collaborative grows. (The migrations match these models: see the
drift check in tests/test_migrations.py.)"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

import improve.models  # noqa: F401 - every table on the metadata
from improve.models.base import Base

# Columns the pages filter or sort on, as (table, leading columns of an index that serves it).
FILTERS = [
    ("team", ("collaborative_id",)),
    ("measure", ("collaborative_id",)),
    ("measure", ("team_id",)),
    ("data_point", ("measure_id", "team_id", "period_start")),
    ("data_point", ("team_id",)),
    ("cycle", ("team_id",)),
    ("cycle", ("stage",)),
    ("cycle", ("decision",)),
    ("cycle_task", ("due_on",)),
    ("aim", ("team_id",)),
    ("aim", ("status",)),
    ("monthly_report", ("team_id", "period_start")),
    ("monthly_report", ("status",)),
    ("progress_score", ("team_id", "period_start")),
    ("membership", ("user_id",)),
    ("user_account", ("email",)),
    ("audit_event", ("occurred_at",)),
    ("audit_event", ("entity_type", "entity_id")),
    ("sign_in_attempt", ("account_key", "attempted_at")),
]


def index_prefixes(table: sa.Table) -> set[tuple[str, ...]]:
    """Every leading run of columns of the table's indexes, primary key and unique constraints."""
    orders = [tuple(column.name for column in index.columns) for index in table.indexes]
    orders += [
        tuple(column.name for column in constraint.columns)
        for constraint in table.constraints
        if isinstance(constraint, sa.PrimaryKeyConstraint | sa.UniqueConstraint)
    ]
    return {order[:length] for order in orders for length in range(1, len(order) + 1)}


FOREIGN_KEYS = [
    (table.name, key.parent.name)
    for table in Base.metadata.sorted_tables
    for key in sorted(table.foreign_keys, key=lambda key: key.parent.name)
]


def test_the_schema_has_foreign_keys_to_check():
    assert len(FOREIGN_KEYS) > 30


@pytest.mark.parametrize(("table", "column"), FOREIGN_KEYS)
def test_every_foreign_key_leads_an_index(table, column):
    assert (column,) in index_prefixes(Base.metadata.tables[table])


@pytest.mark.parametrize(("table", "columns"), FILTERS)
def test_every_filter_column_leads_an_index(table, columns):
    assert columns in index_prefixes(Base.metadata.tables[table])
