"""An id, once given, is never given again (issue 16.6): a link, bookmark or audit row naming a
deleted record must never come to name someone else's. PostgreSQL's sequences never reuse an id;
SQLite needs AUTOINCREMENT, in the models and in the migrated schema alike."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from improve.extensions import db
from improve.models import Base, Membership, Role
from tests.test_migrations import _flask_db


def test_the_highest_id_deleted_is_not_given_to_the_next_row(world, make_user):
    person = make_user()
    first = Membership(user_id=person.id, role=Role.PANEL_MEMBER, collaborative_id=world.x.id)
    db.session.add(first)
    db.session.commit()
    freed = first.id
    db.session.delete(first)
    db.session.commit()
    second = Membership(user_id=person.id, role=Role.PANEL_MEMBER, collaborative_id=world.y.id)
    db.session.add(second)
    db.session.commit()
    assert second.id > freed


def _keyed_tables() -> set[str]:
    """Every table with one integer key: the ones whose ids are links."""
    return {
        table.name
        for table in Base.metadata.sorted_tables
        if len(table.primary_key.columns) == 1
        and isinstance(next(iter(table.primary_key.columns)).type, sa.Integer)
    }


def test_every_migrated_sqlite_table_with_an_integer_key_never_reuses_ids(tmp_path, database_url):
    if database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL's sequences never reuse an id")
    url = f"sqlite:///{tmp_path / 'ids.sqlite'}"
    assert _flask_db(url, "upgrade").exit_code == 0
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        schema = dict(
            connection.execute(
                sa.text("SELECT name, sql FROM sqlite_master WHERE type = 'table'")
            ).all()
        )
    engine.dispose()
    tables = _keyed_tables()
    assert len(tables) >= 20
    assert sorted(name for name in tables if "AUTOINCREMENT" not in schema[name]) == []
