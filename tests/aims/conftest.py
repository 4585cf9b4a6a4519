"""Factories for aims, drivers and change ideas, a client per person, and assertion helpers."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from improve.extensions import db
from improve.models import Aim, AuditAction, AuditEvent, ChangeIdea, Driver, DriverKind, Team
from tests.conftest import text_of


@pytest.fixture
def make_aim(app: Flask) -> Callable[..., Aim]:
    def make(team: Team, **overrides: Any) -> Aim:
        fields = {
            "title": "Fewer falls at night",
            "what": "Reduce falls in our home",
            "for_whom": "People who live at Riverside",
            "location": "Riverside Care Home",
            "unit": "falls a month",
            "baseline_value": 9.0,
            "target_value": 4.0,
            "target_date": date(2027, 3, 31),
        }
        fields.update(overrides)
        aim = Aim(team=team, **fields)
        db.session.add(aim)
        db.session.commit()
        return aim

    return make


@pytest.fixture
def make_driver(app: Flask) -> Callable[..., Driver]:
    positions = iter(range(100, 10_000))

    def make(aim: Aim, title: str, kind: str = "primary", feeds: list[Driver] = ()) -> Driver:
        driver = Driver(aim=aim, kind=DriverKind(kind), title=title, position=next(positions))
        driver.primaries = list(feeds)
        db.session.add(driver)
        db.session.commit()
        return driver

    return make


@pytest.fixture
def make_idea(app: Flask) -> Callable[..., ChangeIdea]:
    positions = iter(range(100, 10_000))

    def make(aim: Aim, title: str, driver: Driver | None = None, **overrides: Any) -> ChangeIdea:
        idea = ChangeIdea(
            aim=aim, title=title, driver=driver, position=next(positions), **overrides
        )
        db.session.add(idea)
        db.session.commit()
        return idea

    return make


# Helpers for assertions ---------------------------------------------------------------------------


def visible(response) -> str:
    return html.unescape(text_of(response))


def body(response) -> str:
    return response.get_data(as_text=True).strip()


def assert_fragment(response, section_id: str) -> None:
    """Only the named section, no page around it."""
    assert body(response).startswith(f'<section id="{section_id}"'), body(response)[:200]
    assert body(response).endswith("</section>")
    assert "<html" not in body(response)


def assert_full_page(response) -> None:
    assert "<html" in body(response)


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def audit(entity_type: str, action: AuditAction | None = None) -> list[AuditEvent]:
    query = sa.select(AuditEvent).where(AuditEvent.entity_type == entity_type)
    if action:
        query = query.where(AuditEvent.action == action)
    return list(db.session.scalars(query.order_by(AuditEvent.id)))


def record_audit_rows() -> list[AuditEvent]:
    """Every audit row about records (not sign-ins)."""
    query = sa.select(AuditEvent).where(
        AuditEvent.action.in_([AuditAction.CREATE, AuditAction.UPDATE, AuditAction.DELETE])
    )
    return list(db.session.scalars(query.order_by(AuditEvent.id)))


def duplicate_ids(response) -> list[str]:
    ids = re.findall(r'\sid="([^"]+)"', body(response))
    return sorted({element_id for element_id in ids if ids.count(element_id) > 1})


def input_value(response, element_id: str) -> str | None:
    """The value of the <input> with this id, as the page shows it."""
    match = re.search(rf'<input[^>]*\sid="{re.escape(element_id)}"[^>]*>', body(response))
    assert match, f"no input #{element_id}"
    value = re.search(r'\svalue="([^"]*)"', match.group(0))
    return html.unescape(value.group(1)) if value else None
