"""Audit rows and times in plain words (pure functions, no app needed)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from improve.history.wording import (
    audit_value,
    changed_fields,
    event_phrase,
    exact_utc,
    field_label,
    time_ago,
)
from improve.models import AuditAction, AuditEvent

NOW = datetime(2026, 3, 27, 14, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    ("ago", "words"),
    [
        (timedelta(seconds=-30), "just now"),  # a clock slightly ahead
        (timedelta(0), "just now"),
        (timedelta(seconds=59), "just now"),
        (timedelta(minutes=1), "1 minute ago"),
        (timedelta(minutes=5, seconds=59), "5 minutes ago"),
        (timedelta(minutes=59), "59 minutes ago"),
        (timedelta(hours=1), "1 hour ago"),
        (timedelta(hours=23, minutes=59), "23 hours ago"),
        (timedelta(days=1), "1 day ago"),
        (timedelta(days=29), "29 days ago"),
        (timedelta(days=30), "1 month ago"),
        (timedelta(days=364), "12 months ago"),
        (timedelta(days=365), "1 year ago"),
        (timedelta(days=800), "2 years ago"),
    ],
)
def test_time_ago(ago, words):
    assert time_ago(NOW - ago, now=NOW) == words


def test_exact_time_is_in_utc_whatever_zone_it_came_in():
    from zoneinfo import ZoneInfo

    moment = datetime(2026, 7, 1, 9, 30, tzinfo=ZoneInfo("Europe/London"))
    assert exact_utc(moment) == "1 July 2026 at 08:30 UTC"


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("target_value", "Target"),
        ("baseline_value", "Baseline"),
        ("expert_what_matters", "What matters to me"),
        ("body", "Comment"),
        ("some_new_column", "Some new column"),
    ],
)
def test_field_labels(name, label):
    assert field_label(name) == label


@pytest.mark.parametrize(
    ("value", "field", "shown"),
    [
        (None, "what", "(empty)"),
        ("", "what", "(empty)"),
        (True, "is_admin", "Yes"),
        (False, "is_admin", "No"),
        (4.0, "target_value", "4"),
        (4.5, "target_value", "4.5"),
        (0, "position", "0"),
        ("2026-12-31", "target_date", "31 December 2026"),
        ("2026-03-27T14:05:00+00:00", "closed_at", "27 March 2026 at 14:05 UTC"),
        ("not_sure", "improved", "Not sure"),
        ("not_sure", "what_happened", "not_sure"),  # free text is shown as written
        (7, "owner_id", "Jo Bloggs"),
        (8, "owner_id", "A removed account"),
    ],
)
def test_audit_values(value, field, shown):
    assert audit_value(value, field, {7: "Jo Bloggs"}) == shown


def event(action=AuditAction.UPDATE, entity_type="Aim", summary="", before=None, after=None):
    return AuditEvent(
        action=action, entity_type=entity_type, summary=summary, before=before, after=after
    )


@pytest.mark.parametrize(
    ("row", "phrase"),
    [
        (event(AuditAction.CREATE, after={"title": "Fewer falls"}), "added the aim “Fewer falls”"),
        (event(before={"title": "A"}, after={"title": "B"}), "changed the aim “B”"),
        (
            event(AuditAction.DELETE, "Team", before={"name": "Riverside"}),
            "deleted the team “Riverside”",
        ),
        (event(summary="Changed aim Fewer falls", after={"what": "x"}), "changed aim Fewer falls"),
        (event(summary="PDSA cycle 2 closed"), "PDSA cycle 2 closed"),
        (event(AuditAction.CREATE, "Comment"), "added a comment"),
        (event(AuditAction.DELETE, "AimAssessment"), "deleted an assessment"),
    ],
)
def test_event_phrases(row, phrase):
    assert event_phrase(row) == phrase


def test_changed_fields_leave_out_what_did_not_change():
    row = event(before={"a": 1, "b": 2}, after={"a": 1, "b": 3, "c": 4})
    assert changed_fields(row) == [("b", 2, 3), ("c", None, 4)]
