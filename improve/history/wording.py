"""Audit rows and timestamps in plain words: relative times, field labels, values, event phrases.

Pure functions (no database, no Flask), registered as template filters in improve.history.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

from improve.models import AuditAction, AuditEvent

# What each kind of record is called on screen, after "the" or "a".
ENTITY_LABELS = {
    "Aim": "aim",
    "AimAssessment": "assessment",
    "Driver": "driver",
    "ChangeIdea": "change idea",
    "Cycle": "PDSA cycle",
    "CycleQuestion": "cycle question",
    "CycleTask": "cycle task",
    "Comment": "comment",
    "Team": "team",
    "Collaborative": "collaborative",
    "Membership": "role",
    "User": "account",
}

# Column names as people would say them. Anything missing falls back to the column name with
# underscores as spaces, so a new column is never hidden, just less polished.
FIELD_LABELS = {
    # aims
    "what": "What",
    "for_whom": "For whom",
    "location": "Where",
    "unit": "Unit",
    "baseline_value": "Baseline",
    "target_value": "Target",
    "target_date": "Target date",
    "stopped_reason": "Reason for stopping",
    "assessed_on": "Date of assessment",
    "where_are_we_now": "Where are we now?",
    "what_do_we_want_to_achieve": "What do we want to achieve?",
    "how_will_we_get_there": "How will we get there?",
    "who_needs_to_act": "Who needs to take what action?",
    "timescales": "Timescales",
    "learning_points": "Learning points",
    "action_points": "Action points",
    "kind": "Kind",
    "position": "Order",
    "driver_id": "Driver",
    "copied_from_id": "Copied from",
    # cycles
    "number": "Cycle number",
    "owner_id": "Owner",
    "starts_on": "Start date",
    "ends_on": "End date",
    "stage": "Stage",
    "objective": "Objective (what we want to learn)",
    "change_who": "Who",
    "change_what": "What we will change",
    "change_where": "Where",
    "change_when": "When",
    "data_plan": "How we will collect data",
    "data_collected_by": "Who collects the data",
    "expert_what_matters": "What matters to me",
    "carried_out_as_planned": "Carried out as planned?",
    "what_happened": "What happened",
    "problems_and_surprises": "Problems and surprises",
    "improved": "Did the change lead to improvement?",
    "why_improved": "Why we think so",
    "expert_difference": "Did this make a difference to me?",
    "decision": "Decision",
    "next_steps": "What next",
    "closed_at": "Closed",
    "question": "Question",
    "prediction": "Prediction",
    "result": "What actually happened",
    "learning": "What we learned",
    "owner_name": "Who",
    "due_on": "Due date",
    "done_at": "Done",
    # comments
    "body": "Comment",
    "edited_at": "Edited",
    "deleted_at": "Deleted",
    # teams, collaboratives, people
    "organisation": "Organisation",
    "organisation_kind": "Kind of organisation",
    "service": "Service",
    "collaborative_id": "Collaborative",
    "team_id": "Team",
    "user_id": "Person",
    "role": "Role",
    "display_name": "Name",
    "email": "Email address",
    "is_admin": "Site admin",
    "is_enabled": "Can sign in",
    "description": "Description",
    "topic": "Topic",
}

# Fields whose values are enum codes like "not_sure": shown as "Not sure".
CODE_FIELDS = frozenset(
    {
        "status",
        "stage",
        "decision",
        "improved",
        "kind",
        "role",
        "organisation_kind",
        "run_chart_rules",
        "sigma_method",
    }
)
# Fields that hold a person's account id; their values are shown as names.
PERSON_FIELDS = frozenset({"owner_id", "user_id", "author_id", "created_by_id"})

VERBS = {AuditAction.CREATE: "added", AuditAction.UPDATE: "changed", AuditAction.DELETE: "deleted"}
NAME_FIELDS = ("title", "name", "display_name")
EMPTY = "(empty)"

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def field_label(name: str) -> str:
    """The plain label of a column: from FIELD_LABELS, else "target_value" -> "Target value"."""
    return FIELD_LABELS.get(name) or name.replace("_", " ").capitalize()


def entity_label(entity_type: str) -> str:
    return ENTITY_LABELS.get(entity_type, entity_type.lower())


def exact_utc(moment: datetime) -> str:
    """Like "27 March 2026 at 14:05 UTC"."""
    return moment.astimezone(UTC).strftime("%-d %B %Y at %H:%M UTC")


def iso_utc(moment: datetime) -> str:
    """The machine-readable form for <time datetime>."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def time_ago(moment: datetime, now: datetime | None = None) -> str:
    """How long ago, in words a person would use: "just now", "5 minutes ago", "2 days ago"."""
    seconds = ((now or datetime.now(UTC)) - moment).total_seconds()
    # A moment slightly in the future (clocks differ) still reads as "just now".
    for limit, size, unit in (
        (60 * 60, 60, "minute"),
        (24 * 60 * 60, 60 * 60, "hour"),
        (30 * 24 * 60 * 60, 24 * 60 * 60, "day"),
        (365 * 24 * 60 * 60, 30 * 24 * 60 * 60, "month"),
        (float("inf"), 365 * 24 * 60 * 60, "year"),
    ):
        if seconds < limit:
            count = int(seconds // size)
            if count < 1:
                return "just now"
            return f"{count} {unit}{'' if count == 1 else 's'} ago"
    raise AssertionError("unreachable")  # pragma: no cover


def audit_value(value: Any, field: str = "", names: dict[int, str] | None = None) -> str:
    """One before/after value of an audit row as a person would read it."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if field in PERSON_FIELDS and isinstance(value, int):
        return (names or {}).get(value, "A removed account")
    if isinstance(value, float) and value.is_integer():
        return f"{value:g}"
    if isinstance(value, str):
        if field in CODE_FIELDS:
            return value.replace("_", " ").capitalize()
        if _ISO_DATE.match(value):
            return date.fromisoformat(value).strftime("%-d %B %Y")
        if _ISO_DATETIME.match(value):
            try:
                return exact_utc(datetime.fromisoformat(value))
            except ValueError:
                return value
    return str(value)


def record_name(event: AuditEvent) -> str | None:
    """The record's own title or name, if this row's before/after carry one."""
    for values in (event.after, event.before):
        for key in NAME_FIELDS:
            if values and isinstance(values.get(key), str) and values[key].strip():
                return str(values[key])
    return None


def event_phrase(event: AuditEvent) -> str:
    """What happened, to follow the actor's name: 'changed the aim "Fewer falls"'."""
    verb = VERBS.get(event.action, event.action.value.replace("_", " "))
    name = record_name(event)
    if name:
        return f"{verb} the {entity_label(event.entity_type)} “{name}”"
    if event.summary:
        # Summaries are written as sentences ("Added Jo as Team lead"); continue the actor's name.
        summary = event.summary
        return summary[:1].lower() + summary[1:] if summary[1:2].islower() else summary
    article = "an" if entity_label(event.entity_type)[:1] in "aeiou" else "a"
    return f"{verb} {article} {entity_label(event.entity_type)}"


def changed_fields(event: AuditEvent) -> list[tuple[str, Any, Any]]:
    """For an update, (field, before, after) for each field whose value differs."""
    before, after = event.before or {}, event.after or {}
    names = list(before) + [name for name in after if name not in before]
    return [
        (name, before.get(name), after.get(name))
        for name in names
        if before.get(name) != after.get(name)
    ]


def recorded_values(event: AuditEvent) -> list[tuple[str, Any]]:
    """For a create or delete, the values the row recorded (after a create, before a delete)."""
    values = event.after if event.action == AuditAction.CREATE else event.before
    return list((values or {}).items())
