"""The audit trail (issue 7, point 7): every route that changes something writes its audit rows,
naming who did it, when, to which record, with the values before and after; a rolled-back
transaction leaves none; and nothing in the app can change or remove a row once written."""

from __future__ import annotations

import inspect
import pkgutil
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask import Flask

import improve
from improve import auditing, create_app
from improve.extensions import db
from improve.models import Aim, AuditAction, AuditEvent
from tests.conftest import PASSWORD, IsolatedClient, SharedBytecode
from tests.security.route_samples import ANY, SAMPLES, Sample, non_get_rules


def sign_in(app: Flask, sample: Sample):
    client = app.test_client()
    if sample.actor is not None:
        response = client.post("/sign-in", data={"email": sample.actor.email, "password": PASSWORD})
        assert response.status_code == 303
    return client


def last_audit_id() -> int:
    return db.session.scalar(sa.select(sa.func.max(AuditEvent.id))) or 0


def audit_rows_after(last_id: int) -> list[AuditEvent]:
    db.session.expire_all()
    query = sa.select(AuditEvent).where(AuditEvent.id > last_id).order_by(AuditEvent.id)
    return list(db.session.scalars(query))


# Every route is covered ---------------------------------------------------------------------------


def test_every_route_that_can_change_something_has_a_sample(app):
    """A new POST (or PUT, PATCH, DELETE) route fails here, by name, until route_samples.py has a
    valid request for it, so the CSRF and audit tests below cannot forget it."""
    endpoints = {rule.endpoint for rule, _ in non_get_rules(app)}
    assert sorted(endpoints - SAMPLES.keys()) == [], "routes with no sample in route_samples.py"
    assert sorted(SAMPLES.keys() - endpoints) == [], "samples for routes that no longer exist"
    # The samples are form posts: a PUT or DELETE route would need its own kind of sample.
    assert {method for _, method in non_get_rules(app)} == {"POST"}
    assert len(endpoints) >= 58


# Each route writes its rows ----------------------------------------------------------------------


def _problems(row: AuditEvent, sample: Sample, started: datetime) -> list[str]:
    """What is missing from one audit row: who, when, what, before and after."""
    problems = []
    if row.actor_id != sample.named_actor.id:
        problems.append(f"actor {row.actor_id}, not {sample.named_actor.id}")
    if not started <= row.occurred_at <= datetime.now(UTC) + timedelta(seconds=1):
        problems.append(f"occurred_at {row.occurred_at} is not the time of the request")
    if not isinstance(row.entity_id, int):
        problems.append("no record id")
    if not row.summary.strip():
        problems.append("no summary")
    values = f"{row.before} {row.after}".lower()
    if "password_hash" in values or PASSWORD in values:
        problems.append("a password is in the trail")
    credential = row.entity_type == "User" and "password" in row.summary.lower()
    if row.action == AuditAction.CREATE and not row.after:
        problems.append("a new record without its values (after)")
    if row.action == AuditAction.UPDATE and not credential and not (row.before and row.after):
        problems.append("a change without the values before and after")
    if row.action == AuditAction.DELETE and not row.before:
        problems.append("a removal without the values it had (before)")
    return problems


def _scopes(rows: list[AuditEvent], sample: Sample) -> tuple[list[tuple], list[tuple]]:
    """Actual and expected (action, type, team, collaborative), in a comparable order; where the
    sample cannot know an id in advance (ANY), any id counts."""
    masked = {
        (r.action, r.entity_type, field)
        for r in sample.audit
        for field in (2, 3)
        if (r.team_id, r.collaborative_id)[field - 2] == ANY
    }
    actual = []
    for row in rows:
        values = [row.action, row.entity_type, row.team_id, row.collaborative_id]
        for field in (2, 3):
            if (row.action, row.entity_type, field) in masked and isinstance(values[field], int):
                values[field] = ANY
        actual.append(tuple(values))
    expected = [(r.action, r.entity_type, r.team_id, r.collaborative_id) for r in sample.audit]
    return sorted(actual, key=repr), sorted(expected, key=repr)


@pytest.mark.parametrize("endpoint", sorted(SAMPLES))
def test_the_route_writes_its_audit_rows(app, world, endpoint):
    sample = SAMPLES[endpoint](world)
    client = sign_in(app, sample)
    last_id = last_audit_id()
    started = datetime.now(UTC) - timedelta(seconds=1)

    response = client.post(sample.url, data=sample.data)

    assert response.status_code == sample.status, response.get_data(as_text=True)[:2000]
    rows = audit_rows_after(last_id)
    actual, expected = _scopes(rows, sample)
    assert actual == expected
    assert {f"{row.action} {row.entity_type}": _problems(row, sample, started) for row in rows} == {
        f"{row.action} {row.entity_type}": [] for row in rows
    }


def test_the_row_check_finds_rows_that_say_too_little(app, world):
    """The checks above can fail: a row with no actor, no values and no summary is caught."""
    sample = SAMPLES["aims.edit"](world)
    bare = AuditEvent(
        actor_id=None,
        action=AuditAction.UPDATE,
        entity_type="Aim",
        entity_id=None,
        summary=" ",
        occurred_at=datetime(2020, 1, 1, tzinfo=UTC),
    )
    assert len(_problems(bare, sample, datetime.now(UTC))) == 5


# A rolled-back transaction leaves no row ----------------------------------------------------------


def test_a_stale_edit_is_refused_and_leaves_no_audit_row(app, world):
    sample = SAMPLES["aims.edit"](world)
    client = sign_in(app, sample)
    last_id = last_audit_id()
    response = client.post(sample.url, data=sample.data | {"version": "999"})
    assert response.status_code == 409
    assert audit_rows_after(last_id) == []


def test_a_form_with_mistakes_leaves_no_audit_row(app, world):
    sample = SAMPLES["aims.new"](world)
    client = sign_in(app, sample)
    last_id = last_audit_id()
    response = client.post(sample.url, data=sample.data | {"target_value": "some"})
    assert response.status_code == 422
    assert audit_rows_after(last_id) == []


@pytest.fixture
def real_app(app, database_url) -> Iterator[Flask]:
    """The app as it runs for real (not TESTING): an unexpected error gets the error page and the
    rollback, instead of reaching the test."""
    real = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "WTF_CSRF_ENABLED": False,
            "SERVER_NAME": "improve.test",
        }
    )
    real.test_client_class = IsolatedClient
    real.jinja_env.bytecode_cache = SharedBytecode()
    yield real
    with real.app_context():
        db.engine.dispose()


def test_an_error_after_the_audit_row_is_written_leaves_neither_row_nor_record(
    real_app, world, monkeypatch
):
    """The audit row reaches the database inside the request's transaction; a failure after it
    (a full disk, say) rolls back the change and its audit row together."""
    written = []
    original = auditing.record_event

    def then_fail(*args, **kwargs):
        event = original(*args, **kwargs)
        db.session.flush()  # the row is in the database, in the open transaction
        written.append(event.id)
        raise OSError("No space left on device")

    monkeypatch.setattr("improve.aims.operations.record_event", then_fail)
    sample = SAMPLES["aims.new"](world)
    client = sign_in(real_app, sample)
    last_id = last_audit_id()
    response = client.post(sample.url, data=sample.data)
    assert response.status_code == 500
    assert written and written[0] > last_id
    assert audit_rows_after(last_id) == []
    assert (
        db.session.scalars(sa.select(Aim.title).where(Aim.team_id == world.team_a.id)).all() == []
    )


# Nothing changes or removes a row -----------------------------------------------------------------


def test_no_route_can_change_the_history(app):
    """History pages are read-only: no rule under /history (or naming the audit trail) takes
    anything but GET."""
    writable = [
        (rule.rule, method)
        for rule, method in non_get_rules(app)
        if rule.endpoint.startswith("history.") or re.search(r"histor|audit", rule.rule)
    ]
    assert writable == []
    assert any(rule.endpoint.startswith("history.") for rule in app.url_map.iter_rules())


def _modules() -> Iterator[tuple[str, str]]:
    for info in pkgutil.walk_packages(improve.__path__, "improve."):
        module = __import__(info.name, fromlist=["_"])
        yield info.name, inspect.getsource(module)


def test_the_code_only_ever_adds_audit_rows():
    """Outside the model, AuditEvent is created in improve.auditing and only read elsewhere: no
    module updates or deletes it, by the ORM or by SQL."""
    writes = re.compile(
        r"(update|delete)\(\s*AuditEvent|audit_event\b.*\b(update|delete)|"
        r"(update|delete)\s+(from\s+)?audit_event",
        re.IGNORECASE,
    )
    found = {name: writes.findall(source) for name, source in _modules()}
    assert {name: hits for name, hits in found.items() if hits} == {}
    creators = {name for name, src in _modules() if re.search(r"(?<!class )AuditEvent\(", src)}
    assert creators == {"improve.auditing"}


def _written_row(world) -> AuditEvent:
    event = auditing.record_event(world.admin.id, AuditAction.UPDATE, world.team_a, "Changed team")
    db.session.commit()
    return event


def test_the_orm_refuses_to_change_an_audit_row(app, world):
    event = _written_row(world)
    event.summary = "Nothing happened here"
    with pytest.raises(auditing.AuditTrailError):
        db.session.flush()
    db.session.rollback()
    assert db.session.get(AuditEvent, event.id).summary == "Changed team"


def test_the_orm_refuses_to_delete_an_audit_row(app, world):
    event = _written_row(world)
    db.session.delete(event)
    with pytest.raises(auditing.AuditTrailError):
        db.session.flush()
    db.session.rollback()
    assert db.session.get(AuditEvent, event.id) is not None


@pytest.mark.parametrize(
    "statement",
    [sa.update(AuditEvent).values(summary="rewritten"), sa.delete(AuditEvent)],
    ids=["update", "delete"],
)
def test_the_session_refuses_bulk_changes_to_the_trail(app, world, statement):
    event = _written_row(world)
    with pytest.raises(auditing.AuditTrailError):
        db.session.execute(statement)
    db.session.rollback()
    assert db.session.get(AuditEvent, event.id).summary == "Changed team"


def test_a_new_row_may_still_be_filled_in_before_it_is_saved(app, world):
    """The guard is for rows already saved: setting a field of a row not yet flushed is
    building it, not changing the trail."""
    event = auditing.record_event(world.admin.id, AuditAction.UPDATE, world.team_a, "Changed")
    event.summary = "Changed team A"
    db.session.commit()
    assert db.session.get(AuditEvent, event.id).summary == "Changed team A"
